/*
 * tlsf.c - Two-Level Segregated Fit (see tlsf.h), written from the
 * paper's description: Masmano, Ripoll, Crespo, Real, "TLSF: a New Dynamic
 * Memory Allocator for Real-Time Systems", ECRTS 2004.
 *
 * Layout of a block (sizes in bytes, HDR = TLSF_BLOCK_HEADER):
 *
 *     live:  [header HDR][payload ...................................]
 *     free:  [header HDR][next][prev][ ... free ... ][tag: own header]
 *
 * The header's size word counts the header; its bit 0 says whether the
 * block physically before this one is free, in which case the word just
 * before this header is that block's tag (the address of its header).
 * Every header carries a check word computed from its address, size word
 * and state, so that a pointer is a live block only if the header in
 * front of it checks out as USED: invalid frees are told from real ones
 * without a search.  Telling an already freed pointer (KERR_DOUBLE_FREE)
 * from any other (KERR_BAD_PTR) walks the blocks, on the error path only.
 *
 * Every allocation and free touches a bounded number of blocks and list
 * heads and no loop depends on the heap's contents: the only loops are
 * over debugging bytes (poison, red zones) and, for an alignment above
 * TLSF_ALIGN, a bounded step to a standalone gap.
 */
#include "bitops.h"
#include "fault_inject.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_misuse.h"
#include "panic.h"
#include "poison.h"
#include "tlsf.h"

#define TLSF_LAYER "tlsf"

struct tlsf_block {
	size_t size;       /* bytes in the block, header included; bit 0: PREV_FREE */
	uint32_t check;    /* block_check(): this really is a header */
	uint16_t state;    /* BLOCK_FREE or BLOCK_USED */
	uint16_t slack;    /* live block: usable bytes the caller did not ask for */
#ifdef CONFIG_DEBUG_OWNER
	struct mm_track track;   /* live: who allocated it; free: who freed it last */
#endif
};

/* A free block's list links, at the start of its payload. */
struct free_links {
	struct tlsf_block *next, *prev;
};

#define GRANULE TLSF_ALIGN
#define HDR ((sizeof(struct tlsf_block) + GRANULE - 1) & ~(size_t)(GRANULE - 1))
_Static_assert(HDR == TLSF_BLOCK_HEADER, "tlsf.h states the header's size");
_Static_assert(GRANULE == 1u << TLSF_ALIGN_SHIFT, "the granule is 2^TLSF_ALIGN_SHIFT");
_Static_assert(TLSF_SL_COUNT <= BITS_PER_LONG, "a second-level bitmap is one word");
#define LINKS sizeof(struct free_links)
#define TAG sizeof(struct tlsf_block *)
/* The smallest block: a header and a payload that holds the links and the tag. */
#define MIN_PAYLOAD ALIGN_UP(LINKS + TAG, (size_t)GRANULE)
#define MIN_BLOCK (HDR + MIN_PAYLOAD)
#define MAX_BLOCK (((size_t)1 << TLSF_FL_LIMIT) - GRANULE)

#define PREV_FREE ((size_t)1)
/* Kconfig DEBUG_POISON as a constant, so that poisoning compiles to nothing without it. */
#define POISONING IS_ENABLED(CONFIG_DEBUG_POISON)

/* Unlikely bit patterns, so that stray data rarely passes for a header. */
#define BLOCK_FREE 0xf3e5u
#define BLOCK_USED 0xa11fu
#define CHECK_SEED 0x7151f00du

/* ---- headers ---- */

static size_t size_of(const struct tlsf_block *b)
{
	return b->size & ~PREV_FREE;
}

/*
 * Over the address, the size and the state; not the PREV_FREE bit, which
 * a neighbour's change flips with one store (a forged bit is caught where
 * it is used: the tag it leads to must be a free header that ends here).
 */
static uint32_t block_check(const struct tlsf_block *b)
{
	uint64_t x = (uint64_t)(uintptr_t)b ^ ((uint64_t)size_of(b) << 24) ^ b->state;

	return (uint32_t)(x ^ (x >> 32)) ^ CHECK_SEED;
}

static bool prev_is_free(const struct tlsf_block *b)
{
	return b->size & PREV_FREE;
}

static void block_set(struct tlsf_block *b, size_t size, bool prev_free, uint16_t state)
{
	b->size = size | (prev_free ? PREV_FREE : 0);
	b->state = state;
	b->check = block_check(b);
}

static void set_prev_free(struct tlsf_block *b, bool prev_free)
{
	b->size = prev_free ? b->size | PREV_FREE : b->size & ~PREV_FREE;
}

static bool block_is(const struct tlsf_block *b, uint16_t state)
{
	return b->state == state && b->check == block_check(b);
}

/* A header that is no longer one (merged into a neighbour): it must never check out. */
static void block_forget(struct tlsf_block *b)
{
	b->state = 0;
	b->check = 0;
}

static uintptr_t block_end(const struct tlsf_block *b)
{
	return (uintptr_t)b + size_of(b);
}

static struct free_links *links_of(struct tlsf_block *b)
{
	return (struct free_links *)((char *)b + HDR);
}

static struct tlsf_block **tag_of(struct tlsf_block *b)
{
	return (struct tlsf_block **)(block_end(b) - TAG);
}

static void *payload_of(struct tlsf_block *b)
{
	return (char *)b + HDR;
}

/* The block after @b, or NULL at the region's end. */
static struct tlsf_block *next_phys(const struct tlsf *t, const struct tlsf_block *b)
{
	return block_end(b) < t->end ? (struct tlsf_block *)block_end(b) : NULL;
}

/* Payload bytes for a request of @size (caller checked @size <= region), red zone included. */
static size_t payload_for(size_t size)
{
	if (DEBUG_REDZONE)
		size += RED_ZONE_BYTES;
	return MAX(ALIGN_UP(size, (size_t)GRANULE), MIN_PAYLOAD);
}

size_t tlsf_block_bytes(size_t size)
{
	return HDR + payload_for(size);
}

/* ---- owners, red zones and poison (mm_debug.h); nothing when their options are off ---- */

static inline struct mm_track *track_of(struct tlsf_block *b)
{
#ifdef CONFIG_DEBUG_OWNER
	return &b->track;
#else
	(void)b;
	return NULL;
#endif
}

static inline void track_clear(struct tlsf_block *b)
{
	if (DEBUG_OWNER)
		memset(track_of(b), 0, sizeof(struct mm_track));
}

/* Live block @b's red zone, [requested, usable): marked live. */
static void redzone_fill(struct tlsf_block *b)
{
	if (DEBUG_REDZONE)
		memset((char *)block_end(b) - b->slack, RED_ACTIVE, b->slack);
}

/* Live block @b's red zone intact?  Reported and counted if not (lock held). */
static void redzone_verify(struct tlsf *t, struct tlsf_block *b)
{
	const uint8_t *rz = (const uint8_t *)block_end(b) - b->slack;
	size_t requested = size_of(b) - HDR - b->slack;

	if (DEBUG_REDZONE && !redzone_check(TLSF_LAYER, payload_of(b), "tlsf", rz, requested,
					    b->slack, RED_ACTIVE, track_of(b)))
		t->counters.misuse++;
}

/*
 * Debug poisoning: every byte of a free block but its header, links and
 * tag holds POISON_FREE; bytes handed out are checked first.
 */
static void poison_fill(uintptr_t from, uintptr_t to, int pattern)
{
	if (POISONING && to > from)
		memset((void *)from, pattern, to - from);
}

/*
 * [@from, @to) of free block @fb is about to be handed out: every byte of
 * it that was poison must still be.  If not, someone wrote to freed
 * memory: report the first such byte (once) and carry on.
 */
static void poison_check(struct tlsf *t, struct tlsf_block *fb, uintptr_t from, uintptr_t to)
{
	uintptr_t start = MAX(from, (uintptr_t)fb + HDR + LINKS), end = MIN(to, block_end(fb) - TAG);
	const uint8_t *q;

	if (!POISONING || start >= end)
		return;
	q = memchr_inv((const void *)start, POISON_FREE, end - start);
	if (q) {
		t->counters.misuse++;
		mm_report_misuse_track(TLSF_LAYER, KERR_USE_AFTER_FREE, q, track_of(fb));
	}
}

/* ---- the two-level index ---- */

/*
 * Index of the highest set bit of @w (not 0), in constant time: one
 * instruction where the ISA has it; on riscv64 without Zbb (where GCC
 * would call libgcc's __clzdi2, see bitops.h) the bits below the highest
 * are smeared into ones and the top one isolated for lowest_bit().
 */
static unsigned int highest_bit(unsigned long w)
{
#if !defined(__riscv) || defined(__riscv_zbb)
	return (unsigned int)(BITS_PER_LONG - 1) - (unsigned int)__builtin_clzl(w);
#else
	w |= w >> 1;
	w |= w >> 2;
	w |= w >> 4;
	w |= w >> 8;
	w |= w >> 16;
	w |= w >> 32;
	return lowest_bit(w ^ (w >> 1));
#endif
}

void tlsf_mapping(size_t block_bytes, unsigned int *fl, unsigned int *sl)
{
	if (block_bytes < ((size_t)1 << TLSF_FL_SHIFT)) {
		*fl = 0;
		*sl = (unsigned int)(block_bytes >> TLSF_ALIGN_SHIFT);
	} else {
		unsigned int f = highest_bit(block_bytes);

		*fl = f - TLSF_FL_SHIFT + 1;
		*sl = (unsigned int)(block_bytes >> (f - TLSF_SL_BITS)) ^ TLSF_SL_COUNT;
	}
}

/*
 * The list a request of @block_bytes searches from: its size rounded up
 * to the next list boundary, so that every block on that list (and above)
 * holds it.
 */
static void mapping_search(size_t block_bytes, unsigned int *fl, unsigned int *sl)
{
	unsigned int f;

	if (block_bytes < ((size_t)1 << TLSF_FL_SHIFT)) {
		*fl = 0;
		*sl = (unsigned int)(block_bytes >> TLSF_ALIGN_SHIFT);
		return;
	}
	f = highest_bit(block_bytes);
	block_bytes += ((size_t)1 << (f - TLSF_SL_BITS)) - 1;
	f += (unsigned int)(block_bytes >> (f + 1));   /* rounding up may reach the next power */
	*fl = f - TLSF_FL_SHIFT + 1;
	*sl = (unsigned int)(block_bytes >> (f - TLSF_SL_BITS)) ^ TLSF_SL_COUNT;
}

/* ---- the free lists ---- */

/*
 * @b, found on list [@fl][@sl], must be a free header of the region with
 * its tag in place; anything else means the allocator's own state is
 * corrupted (an overflow into a free block, most likely).  That it is on
 * the right list is tlsf_check()'s to say: not worth a mapping per call.
 */
static struct tlsf_block *checked_free(const struct tlsf *t, struct tlsf_block *b,
				       unsigned int fl, unsigned int sl)
{
	uintptr_t a = (uintptr_t)b;

	if (!b)
		return NULL;
	if (a < t->start || a >= t->end || a % GRANULE || !block_is(b, BLOCK_FREE) ||
	    size_of(b) < MIN_BLOCK || size_of(b) > t->end - a || *tag_of(b) != b)
		panic("tlsf %p: free list [%u][%u] corrupted at %p", (const void *)t, fl, sl,
		      (void *)b);
	return b;
}

/* Put free block @b (size and state set) on its list; tag it; tell the block after it. */
static void insert_free(struct tlsf *t, struct tlsf_block *b)
{
	struct tlsf_block *next;
	unsigned int fl, sl;

	tlsf_mapping(size_of(b), &fl, &sl);
	next = t->lists[fl][sl];
	links_of(b)->next = next;
	links_of(b)->prev = NULL;
	if (next)
		links_of(next)->prev = b;
	t->lists[fl][sl] = b;
	t->sl_map[fl] |= 1ul << sl;
	t->fl_map |= 1ul << fl;
	*tag_of(b) = b;
	next = next_phys(t, b);
	if (next)
		set_prev_free(next, true);
	t->free_blocks++;
	t->free_bytes += size_of(b) - HDR;
}

/* Take free block @b off its list [@fl][@sl] (the block after it is not told). */
static void unlink_free(struct tlsf *t, struct tlsf_block *b, unsigned int fl, unsigned int sl)
{
	struct free_links *l = links_of(b);

	if (l->next)
		links_of(l->next)->prev = l->prev;
	if (l->prev)
		links_of(l->prev)->next = l->next;
	else
		t->lists[fl][sl] = l->next;
	if (!t->lists[fl][sl]) {
		t->sl_map[fl] &= ~(1ul << sl);
		if (!t->sl_map[fl])
			t->fl_map &= ~(1ul << fl);
	}
	t->free_blocks--;
	t->free_bytes -= size_of(b) - HDR;
}

static void remove_free(struct tlsf *t, struct tlsf_block *b)
{
	unsigned int fl, sl;

	tlsf_mapping(size_of(b), &fl, &sl);
	unlink_free(t, b, fl, sl);
}

/*
 * The head of the first non-empty list at or above [@fl][@sl], taken off
 * it; NULL if there is none.  Two bitmap searches, whatever the heap holds.
 */
static struct tlsf_block *take_suitable(struct tlsf *t, unsigned int fl, unsigned int sl)
{
	unsigned long map;
	struct tlsf_block *b;

	if (fl >= TLSF_FL_COUNT)
		return NULL;
	map = t->sl_map[fl] & (~0ul << sl);
	if (!map) {
		map = fl + 1 < TLSF_FL_COUNT ? t->fl_map & (~0ul << (fl + 1)) : 0;
		if (!map)
			return NULL;
		fl = lowest_bit(map);
		map = t->sl_map[fl];
	}
	sl = lowest_bit(map);
	b = checked_free(t, t->lists[fl][sl], fl, sl);
	unlink_free(t, b, fl, sl);
	return b;
}

/*
 * Rounding up to the next list leaves the blocks of the request's own
 * list unused even when one of them would fit: the last free block of a
 * nearly full heap, or the whole region.  Its head is looked at once (one
 * block: still O(1)) before the request fails.
 */
static struct tlsf_block *take_exact_head(struct tlsf *t, size_t block_bytes)
{
	unsigned int fl, sl;
	struct tlsf_block *b;

	tlsf_mapping(block_bytes, &fl, &sl);
	if (fl >= TLSF_FL_COUNT)
		return NULL;
	b = checked_free(t, t->lists[fl][sl], fl, sl);
	if (!b || size_of(b) < block_bytes)
		return NULL;
	unlink_free(t, b, fl, sl);
	return b;
}

/* The free block before @b (whose PREV_FREE bit is set), through its tag. */
static struct tlsf_block *prev_free_of(const struct tlsf *t, struct tlsf_block *b)
{
	struct tlsf_block *prev = *(struct tlsf_block **)((uintptr_t)b - TAG);
	uintptr_t a = (uintptr_t)prev;

	if (a < t->start || a >= (uintptr_t)b || a % GRANULE || !block_is(prev, BLOCK_FREE) ||
	    block_end(prev) != (uintptr_t)b)
		panic("tlsf %p: boundary tag before %p corrupted", (const void *)t, (void *)b);
	return prev;
}

/* ---- setting up ---- */

void tlsf_init(struct tlsf *t, void *mem, size_t size)
{
	uintptr_t start = ALIGN_UP((uintptr_t)mem, (uintptr_t)GRANULE);
	uintptr_t end = ALIGN_DOWN((uintptr_t)mem + size, (uintptr_t)GRANULE);
	struct tlsf_block *b;

	memset(t, 0, sizeof(*t));
	spin_lock_init(&t->lock);
	/* NULL, wrapping past the top, or too small: an empty allocator. */
	if (!mem || (uintptr_t)mem + size < (uintptr_t)mem || end < start || end - start < MIN_BLOCK)
		return;
	end = MIN(end, start + MAX_BLOCK);
	t->start = start;
	t->end = end;
	t->top = start;
	b = (struct tlsf_block *)start;
	block_set(b, end - start, false, BLOCK_FREE);
	b->slack = 0;
	track_clear(b);
	poison_fill(start + HDR, end, POISON_FREE);
	insert_free(t, b);
}

/* ---- allocation ---- */

/* Record that live block @b holds @requested of its usable bytes. */
static void set_slack(struct tlsf_block *b, size_t requested)
{
	size_t slack = size_of(b) - HDR - requested;

	/* Splitting keeps slack below MIN_BLOCK + GRANULE (and the red zone); more is a bug. */
	BUG_ON(slack > UINT16_MAX);
	b->slack = (uint16_t)slack;
}

/*
 * Carve a live block [at, at + bytes) for @requested bytes out of free
 * block @b (already off its list).  A gap in front of @at (none, or at
 * least MIN_BLOCK) stays free in @b's place; a remainder behind becomes a
 * free block unless it is too small to stand alone.
 */
static void *carve(struct tlsf *t, struct tlsf_block *b, uintptr_t at, size_t bytes,
		   size_t requested)
{
	uintptr_t start = (uintptr_t)b, end = block_end(b), used_end = at + bytes;
	bool prev_free = prev_is_free(b);
	struct tlsf_block *live = (struct tlsf_block *)at;

	if (end - used_end < MIN_BLOCK)
		used_end = end;
	poison_check(t, b, at, used_end);
	if (at > start) {
		block_set(b, at - start, prev_free, BLOCK_FREE);
		insert_free(t, b);   /* tags the gap; the live header is written below */
		prev_free = true;
	}
	if (used_end < end) {
		struct tlsf_block *rest = (struct tlsf_block *)used_end;

		block_set(rest, end - used_end, false, BLOCK_FREE);
		rest->slack = 0;
		track_clear(rest);
		insert_free(t, rest);   /* the block after it stays "previous free" */
	} else if (end < t->end) {
		set_prev_free((struct tlsf_block *)end, false);
	}
	block_set(live, used_end - at, prev_free, BLOCK_USED);
	poison_fill(at + HDR, used_end, POISON_INUSE);
	set_slack(live, requested);
	redzone_fill(live);
	if (DEBUG_OWNER)
		mm_track_alloc(track_of(live), _RET_IP_);
	t->top = MAX(t->top, used_end);
	t->used_bytes += used_end - at - HDR;
	t->requested_bytes += requested;
	t->live_blocks++;
	t->peak_used_bytes = MAX(t->peak_used_bytes, t->used_bytes);
	return payload_of(live);
}

/* Good fit in O(1).  Called with the lock; @align a power of two >= GRANULE. */
static void *alloc_locked(struct tlsf *t, size_t size, size_t align)
{
	size_t bytes, search;
	unsigned int fl, sl;
	struct tlsf_block *b;
	uintptr_t payload;

	/* Also keeps every sum below from overflowing. */
	if (!size || size > t->end - t->start)
		return NULL;
	bytes = HDR + payload_for(size);
	/*
	 * Room to move the payload up to @align with a gap that can stand as
	 * a free block: the gap is below align, or below align plus
	 * MIN_BLOCK rounded up to align (the step below).
	 */
	search = align > GRANULE ? bytes + align + ALIGN_UP(MIN_BLOCK, align) : bytes;
	if (search > MAX_BLOCK)
		return NULL;
	mapping_search(search, &fl, &sl);
	b = take_suitable(t, fl, sl);
	if (!b)
		b = take_exact_head(t, search);
	if (!b)
		return NULL;
	payload = ALIGN_UP((uintptr_t)b + HDR, (uintptr_t)align);
	/* One step at most: the first aligned payload, or the first that leaves a standalone gap. */
	if (payload - HDR != (uintptr_t)b && payload - HDR - (uintptr_t)b < MIN_BLOCK)
		payload += ALIGN_UP(MIN_BLOCK, align);
	return carve(t, b, payload - HDR, bytes, size);
}

static bool align_ok(size_t align)
{
	return !(align & (align - 1)) && align <= PAGE_SIZE;
}

/* What callers may use of live block @b: with red zones, exactly what they asked for. */
static size_t caller_usable(const struct tlsf_block *b)
{
	return size_of(b) - HDR - (DEBUG_REDZONE ? b->slack : 0);
}

void *tlsf_alloc_usable(struct tlsf *t, size_t size, size_t align, size_t *usable)
{
	bool valid = align_ok(align);
	void *p = NULL;

	MM_DEBUG_ENTRY(void *, tlsf_alloc_usable(t, size, align, usable));
	*usable = 0;
	/* Counted by fault_inject.c alone. */
	if (fault_should_fail(FAULT_HEAP, _RET_IP_))
		return NULL;
	align = MAX(align, (size_t)GRANULE);
	spin_lock_irqsafe(&t->lock);
	if (valid)
		p = alloc_locked(t, size, align);
	if (p) {
		t->counters.allocs++;
		*usable = caller_usable((const struct tlsf_block *)((uintptr_t)p - HDR));
	} else {
		t->counters.failures++;
	}
	spin_unlock_irqsafe(&t->lock);
	return p;
}

void *tlsf_alloc(struct tlsf *t, size_t size, size_t align)
{
	size_t usable;

	MM_DEBUG_ENTRY(void *, tlsf_alloc(t, size, align));
	return tlsf_alloc_usable(t, size, align, &usable);
}

/* ---- free ---- */

/* The live block whose payload is @p, or NULL.  Called with the lock. */
static struct tlsf_block *live_block(const struct tlsf *t, const void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct tlsf_block *b;

	if (a < t->start + HDR || a >= t->end || a % GRANULE)
		return NULL;
	b = (struct tlsf_block *)(a - HDR);
	if (!block_is(b, BLOCK_USED) || size_of(b) < MIN_BLOCK || size_of(b) > t->end - (uintptr_t)b)
		return NULL;
	return b;
}

/* The requested and usable bytes of live block @b. */
static void block_sizes(const struct tlsf_block *b, size_t *requested, size_t *usable)
{
	*usable = size_of(b) - HDR;
	*requested = *usable - b->slack;
}

/*
 * Make @b (its size set, its payload dead) free: merge it with a free
 * block on either side (each found in O(1): the next by its size, the
 * previous by its tag) and put the result on its list.
 */
static void release(struct tlsf *t, struct tlsf_block *b)
{
	struct tlsf_block *next = next_phys(t, b);

	block_set(b, size_of(b), prev_is_free(b), BLOCK_FREE);
	b->slack = 0;
	poison_fill((uintptr_t)b + HDR, block_end(b), POISON_FREE);
	if (next && block_is(next, BLOCK_FREE)) {
		remove_free(t, next);
		block_set(b, size_of(b) + size_of(next), prev_is_free(b), BLOCK_FREE);
		block_forget(next);
		poison_fill((uintptr_t)next, (uintptr_t)next + HDR + LINKS, POISON_FREE);
	}
	if (prev_is_free(b)) {
		struct tlsf_block *prev = prev_free_of(t, b);

		remove_free(t, prev);
		/* The merged block's owner is who freed last: a report of a write names them. */
		if (DEBUG_OWNER)
			*track_of(prev) = *track_of(b);
		block_set(prev, size_of(prev) + size_of(b), prev_is_free(prev), BLOCK_FREE);
		block_forget(b);
		poison_fill((uintptr_t)b - TAG, (uintptr_t)b + HDR + LINKS, POISON_FREE);
		b = prev;
	}
	insert_free(t, b);
	/* A free block reaching the region's end: the highest live block ends where it starts. */
	if (block_end(b) == t->end)
		t->top = (uintptr_t)b;
}

/* Give back live block @b.  Called with the lock. */
static void free_locked(struct tlsf *t, struct tlsf_block *b)
{
	size_t requested, usable;

	redzone_verify(t, b);
	if (DEBUG_OWNER)
		mm_track_free(track_of(b), _RET_IP_);
	block_sizes(b, &requested, &usable);
	t->used_bytes -= usable;
	t->requested_bytes -= requested;
	t->live_blocks--;
	release(t, b);
}

/*
 * The block @a lies in (live or free), walking the tiling from the start;
 * NULL if the walk meets a broken header first.  For reports: O(blocks).
 */
static struct tlsf_block *block_containing(const struct tlsf *t, uintptr_t a)
{
	uintptr_t p = t->start;

	while (p < t->end) {
		struct tlsf_block *b = (struct tlsf_block *)p;

		if (!(block_is(b, BLOCK_USED) || block_is(b, BLOCK_FREE)) || size_of(b) < MIN_BLOCK ||
		    size_of(b) > t->end - p)
			return NULL;
		if (a < p + size_of(b))
			return b;
		p += size_of(b);
	}
	return NULL;
}

/* Why @p, which is not a live block, cannot be freed.  Called with the lock. */
static int not_live_error(const struct tlsf *t, const void *p)
{
	struct tlsf_block *b;

	if (!tlsf_contains(t, p))
		return KERR_BAD_PTR;
	b = block_containing(t, (uintptr_t)p);
	return b && block_is(b, BLOCK_FREE) ? KERR_DOUBLE_FREE : KERR_BAD_PTR;
}

/* Refuse an operation on @p: count, unlock, report.  Returns @err. */
static int refuse(struct tlsf *t, const void *p, int err)
{
	struct mm_track owner;
	struct tlsf_block *b = NULL;

	if (DEBUG_OWNER && tlsf_contains(t, p)) {
		b = block_containing(t, (uintptr_t)p);
		if (b)
			owner = *track_of(b);
	}
	t->counters.misuse++;
	spin_unlock_irqsafe(&t->lock);
	mm_report_misuse_track(TLSF_LAYER, err, p, b ? &owner : NULL);
	return err;
}

int tlsf_free(struct tlsf *t, const void *p)
{
	size_t requested, usable;

	MM_DEBUG_ENTRY(int, tlsf_free(t, p));
	return tlsf_free_sized(t, p, &requested, &usable);
}

int tlsf_free_sized(struct tlsf *t, const void *p, size_t *requested, size_t *usable)
{
	struct tlsf_block *b;

	MM_DEBUG_ENTRY(int, tlsf_free_sized(t, p, requested, usable));
	*requested = *usable = 0;
	if (!p)
		return 0;
	spin_lock_irqsafe(&t->lock);
	b = live_block(t, p);
	if (!b)
		return refuse(t, p, not_live_error(t, p));
	block_sizes(b, requested, usable);
	*usable = caller_usable(b);
	free_locked(t, b);
	t->counters.frees++;
	spin_unlock_irqsafe(&t->lock);
	return 0;
}

/* ---- realloc ---- */

/* Shrink live block @b to @need payload bytes, freeing the tail if it can stand alone. */
static void shrink_in_place(struct tlsf *t, struct tlsf_block *b, size_t need)
{
	uintptr_t cut = (uintptr_t)b + HDR + need, end = block_end(b);
	struct tlsf_block *tail = (struct tlsf_block *)cut;

	if (end - cut < MIN_BLOCK)
		return;
	block_set(b, cut - (uintptr_t)b, prev_is_free(b), BLOCK_USED);
	t->used_bytes -= end - cut;
	block_set(tail, end - cut, false, BLOCK_USED);
	track_clear(tail);
	release(t, tail);
}

/* Grow live block @b to @need payload bytes into a free block right after it. */
static bool grow_in_place(struct tlsf *t, struct tlsf_block *b, size_t need)
{
	struct tlsf_block *next = next_phys(t, b), *after;
	uintptr_t old_end = block_end(b), next_end, new_end;

	if (!next || !block_is(next, BLOCK_FREE) || size_of(b) + size_of(next) < HDR + need)
		return false;
	next_end = block_end(next);
	new_end = (uintptr_t)b + HDR + need;
	if (next_end - new_end < MIN_BLOCK)
		new_end = next_end;
	poison_check(t, next, old_end, new_end);
	remove_free(t, next);
	block_forget(next);
	if (new_end < next_end) {
		struct tlsf_block *rest = (struct tlsf_block *)new_end;

		block_set(rest, next_end - new_end, false, BLOCK_FREE);
		rest->slack = 0;
		track_clear(rest);
		insert_free(t, rest);
	} else if ((after = next_phys(t, next)) != NULL) {
		set_prev_free(after, false);
	}
	poison_fill(old_end, new_end, POISON_INUSE);
	block_set(b, new_end - (uintptr_t)b, prev_is_free(b), BLOCK_USED);
	t->top = MAX(t->top, new_end);
	t->used_bytes += new_end - old_end;
	t->peak_used_bytes = MAX(t->peak_used_bytes, t->used_bytes);
	return true;
}

int tlsf_realloc_try(struct tlsf *t, void *p, size_t size, void **out)
{
	struct tlsf_block *b;
	size_t need, usable;
	void *q;

	MM_DEBUG_ENTRY(int, tlsf_realloc_try(t, p, size, out));
	*out = NULL;
	if (!p) {
		*out = tlsf_alloc(t, size, 0);
		return *out ? 0 : (size ? KERR_NOMEM : KERR_INVAL);
	}
	spin_lock_irqsafe(&t->lock);
	b = live_block(t, p);
	if (!b)
		return refuse(t, p, not_live_error(t, p));
	if (!size || size > t->end - t->start) {
		t->counters.failures++;
		spin_unlock_irqsafe(&t->lock);
		return size ? KERR_NOMEM : KERR_INVAL;
	}
	need = payload_for(size);
	usable = size_of(b) - HDR;
	/* The old extent ends here: its red zone must have held (reported once, then restored). */
	redzone_verify(t, b);
	redzone_fill(b);
	if (need <= usable || grow_in_place(t, b, need)) {
		size_t had = usable - b->slack;

		if (need <= usable)
			shrink_in_place(t, b, need);
		t->requested_bytes -= had;
		t->requested_bytes += size;
		set_slack(b, size);
		/* Bytes that were red zone are the caller's now, "uninitialised". */
		if (size > had)
			poison_fill((uintptr_t)p + had, (uintptr_t)p + size, POISON_INUSE);
		redzone_fill(b);
		*out = p;
		spin_unlock_irqsafe(&t->lock);
		return 0;
	}
	/* A new block is an allocation: an armed heap fault class may fail it (counted there). */
	if (fault_should_fail(FAULT_HEAP, _RET_IP_)) {
		spin_unlock_irqsafe(&t->lock);
		return KERR_NOMEM;
	}
	q = alloc_locked(t, size, GRANULE);
	if (!q) {
		t->counters.failures++;
		spin_unlock_irqsafe(&t->lock);
		return KERR_NOMEM;
	}
	/* With red zones only the bytes asked for are the caller's (and fit q's). */
	memcpy(q, p, DEBUG_REDZONE ? MIN(caller_usable(b), size) : usable);
	free_locked(t, b);
	t->counters.allocs++;
	t->counters.frees++;
	spin_unlock_irqsafe(&t->lock);
	*out = q;
	return 0;
}

/* ---- questions ---- */

static void live_sizes(struct tlsf *t, const void *p, size_t *requested, size_t *usable)
{
	struct tlsf_block *b;

	*requested = *usable = 0;
	spin_lock_irqsafe(&t->lock);
	b = live_block(t, p);
	if (b) {
		block_sizes(b, requested, usable);
		*usable = caller_usable(b);
	}
	spin_unlock_irqsafe(&t->lock);
}

size_t tlsf_usable_size(struct tlsf *t, const void *p)
{
	size_t requested, usable;

	live_sizes(t, p, &requested, &usable);
	return usable;
}

size_t tlsf_requested_size(struct tlsf *t, const void *p)
{
	size_t requested, usable;

	live_sizes(t, p, &requested, &usable);
	return requested;
}

bool tlsf_contains(const struct tlsf *t, const void *p)
{
	return (uintptr_t)p >= t->start && (uintptr_t)p < t->end;
}

/* The largest free payload: the highest non-empty list, searched (for statistics only). */
static size_t largest_free(struct tlsf *t)
{
	unsigned int fl, sl;
	size_t largest = 0;

	if (!t->fl_map)
		return 0;
	fl = highest_bit(t->fl_map);
	sl = highest_bit(t->sl_map[fl]);
	for (struct tlsf_block *b = t->lists[fl][sl]; b; b = links_of(b)->next)
		largest = MAX(largest, size_of(checked_free(t, b, fl, sl)) - HDR);
	return largest;
}

void tlsf_get_stats(struct tlsf *t, struct tlsf_stats *st)
{
	spin_lock_irqsafe(&t->lock);
	st->region_bytes = t->end - t->start;
	st->free_bytes = t->free_bytes;
	st->used_bytes = t->used_bytes;
	st->requested_bytes = t->requested_bytes;
	st->peak_used_bytes = t->peak_used_bytes;
	st->largest_free = largest_free(t);
	st->free_blocks = t->free_blocks;
	st->live_blocks = t->live_blocks;
	st->meta_bytes = HDR * (t->free_blocks + t->live_blocks);
	st->control_bytes = sizeof(*t);
	st->extent_bytes = t->top - t->start;
	st->counters = t->counters;
	spin_unlock_irqsafe(&t->lock);
}

size_t tlsf_extent(struct tlsf *t)
{
	size_t n;

	spin_lock_irqsafe(&t->lock);
	n = t->top - t->start;
	spin_unlock_irqsafe(&t->lock);
	return n;
}

/* The blocks tile the region with consistent neighbours and tags; counts them. */
static bool tiling_ok(struct tlsf *t, size_t *nfree, size_t *free_bytes, size_t *nlive,
		      size_t *used_bytes)
{
	bool prev_free = false;
	uintptr_t p = t->start;

	*nfree = *free_bytes = *nlive = *used_bytes = 0;
	while (p < t->end) {
		struct tlsf_block *b = (struct tlsf_block *)p;
		bool is_free = block_is(b, BLOCK_FREE);

		if (!(is_free || block_is(b, BLOCK_USED)) || size_of(b) < MIN_BLOCK ||
		    size_of(b) > t->end - p || size_of(b) % GRANULE || prev_is_free(b) != prev_free)
			return false;
		if (is_free) {
			/* Immediate coalescing: never two free blocks side by side. */
			if (prev_free || *tag_of(b) != b)
				return false;
			(*nfree)++;
			*free_bytes += size_of(b) - HDR;
		} else {
			(*nlive)++;
			*used_bytes += size_of(b) - HDR;
			redzone_verify(t, b);
		}
		prev_free = is_free;
		p += size_of(b);
	}
	return true;
}

/* Every list holds free blocks of its class only; the bitmaps mark exactly the non-empty lists. */
static bool index_ok(struct tlsf *t, size_t *listed)
{
	*listed = 0;
	for (unsigned int fl = 0; fl < TLSF_FL_COUNT; fl++) {
		if (!!(t->fl_map & (1ul << fl)) != !!t->sl_map[fl])
			return false;
		for (unsigned int sl = 0; sl < TLSF_SL_COUNT; sl++) {
			struct tlsf_block *prev = NULL;

			if (!!(t->sl_map[fl] & (1ul << sl)) != !!t->lists[fl][sl])
				return false;
			for (struct tlsf_block *b = t->lists[fl][sl]; b; prev = b, b = links_of(b)->next) {
				unsigned int f, s;
				uintptr_t a = (uintptr_t)b;

				if (a < t->start || a >= t->end || !block_is(b, BLOCK_FREE) ||
				    links_of(b)->prev != prev || ++*listed > t->free_blocks)
					return false;
				tlsf_mapping(size_of(b), &f, &s);
				if (f != fl || s != sl)
					return false;
			}
		}
		if (t->sl_map[fl] >> (TLSF_SL_COUNT - 1) >> 1)
			return false;
	}
	return !(t->fl_map >> (TLSF_FL_COUNT - 1) >> 1);
}

bool tlsf_check(struct tlsf *t)
{
	size_t nfree, free_bytes, nlive, used_bytes, listed;
	uint64_t before = t->counters.misuse;
	bool ok;

	spin_lock_irqsafe(&t->lock);
	ok = tiling_ok(t, &nfree, &free_bytes, &nlive, &used_bytes) && index_ok(t, &listed) &&
	     listed == nfree && nfree == t->free_blocks && free_bytes == t->free_bytes &&
	     nlive == t->live_blocks && used_bytes == t->used_bytes &&
	     free_bytes + used_bytes + HDR * (nfree + nlive) == t->end - t->start;
	spin_unlock_irqsafe(&t->lock);
	return ok && t->counters.misuse == before;
}

/* ---- debugging hooks ---- */

#ifdef CONFIG_DEBUG_OWNER
bool tlsf_owner_of(struct tlsf *t, const void *addr, struct mm_track *track, const void **base)
{
	struct tlsf_block *b;

	if (!tlsf_contains(t, addr))
		return false;
	spin_lock_irqsafe(&t->lock);
	b = block_containing(t, (uintptr_t)addr);
	if (b) {
		*track = *track_of(b);
		*base = payload_of(b);
	}
	spin_unlock_irqsafe(&t->lock);
	return b != NULL;
}

struct mm_track *tlsf_track_of(struct tlsf *t, const void *p)
{
	struct tlsf_block *b;

	spin_lock_irqsafe(&t->lock);
	b = live_block(t, p);
	spin_unlock_irqsafe(&t->lock);
	return b ? track_of(b) : NULL;
}
#endif /* CONFIG_DEBUG_OWNER */

#ifdef CONFIG_DEBUG_LEAK
size_t tlsf_leaks(struct tlsf *t, uint64_t mark)
{
	size_t n = 0;

	spin_lock_irqsafe(&t->lock);
	for (uintptr_t p = t->start; p < t->end; p += size_of((struct tlsf_block *)p)) {
		struct tlsf_block *b = (struct tlsf_block *)p;

		if (!(block_is(b, BLOCK_USED) || block_is(b, BLOCK_FREE)) || size_of(b) < MIN_BLOCK)
			break;
		if (block_is(b, BLOCK_USED) && track_of(b)->live && !track_of(b)->held &&
		    track_of(b)->seq > mark) {
			mm_leak_print("tlsf block", payload_of(b), size_of(b) - HDR - b->slack,
				      track_of(b));
			n++;
		}
	}
	spin_unlock_irqsafe(&t->lock);
	return n;
}
#endif /* CONFIG_DEBUG_LEAK */
