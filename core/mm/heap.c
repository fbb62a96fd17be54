/*
 * heap.c - SimpleHeap, a first-fit free-list allocator (see heap.h).
 *
 * The region is tiled by blocks: a 16-byte header, then the payload.  The
 * size in the header leads from one block to the next, so the block after
 * a live one can be found for an in-place realloc.  A free block keeps the
 * link to the next free block (higher address) in the first word of its
 * payload.  Every header carries a check word computed from its address,
 * size and state; a pointer is a live block only if the header in front of
 * it checks out as USED, which is how invalid frees are told apart from
 * real ones without searching.
 *
 * Debugging (mm_debug.h): with DEBUG_OWNER the header grows by the block's
 * owner track (48 bytes instead of 16); with DEBUG_REDZONE every block has
 * at least RED_ZONE_BYTES after what was asked for, holding RED_ACTIVE,
 * checked when the block is freed or reallocated and by heap_check(), and
 * callers are told only the bytes they asked for are usable (ksize()),
 * so that the zone is never theirs to write.
 */
#include "fault_inject.h"
#include "heap.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_misuse.h"
#include "panic.h"
#include "poison.h"

#define HEAP_LAYER "heap"

struct heap_block {
	size_t size;       /* bytes in the block, header included */
	uint32_t check;    /* block_check(): this really is a header */
	uint16_t state;    /* BLOCK_FREE or BLOCK_USED */
	uint16_t slack;    /* live block: usable bytes the caller did not ask for */
#ifdef CONFIG_DEBUG_OWNER
	struct mm_track track;   /* live: who allocated it; free: who freed it last */
#endif
};

#define GRANULE HEAP_MIN_ALIGN
#define HDR ((sizeof(struct heap_block) + GRANULE - 1) & ~(size_t)(GRANULE - 1))
_Static_assert(HDR == HEAP_BLOCK_HEADER, "heap.h states the header's size");
#define LINK_BYTES sizeof(struct heap_block *)
/* The smallest block worth keeping: a header and one granule of payload,
 * which also holds the free-list link.  A remainder below this is not split off. */
#define MIN_BLOCK (HDR + GRANULE)

/* Unlikely bit patterns, so that stray data rarely passes for a header. */
#define BLOCK_FREE 0xf3eeu
#define BLOCK_USED 0xa11cu
#define CHECK_SEED 0x5eedb10cu

static uint32_t block_check(const struct heap_block *b)
{
	uint64_t x = (uint64_t)(uintptr_t)b ^ ((uint64_t)b->size << 24) ^ b->state;

	return (uint32_t)(x ^ (x >> 32)) ^ CHECK_SEED;
}

static void block_set(struct heap_block *b, size_t size, uint16_t state)
{
	b->size = size;
	b->state = state;
	b->check = block_check(b);
}

static bool block_is(const struct heap_block *b, uint16_t state)
{
	return b->state == state && b->check == block_check(b);
}

static uintptr_t block_end(const struct heap_block *b)
{
	return (uintptr_t)b + b->size;
}

static struct heap_block **link_of(struct heap_block *b)
{
	return (struct heap_block **)((char *)b + HDR);
}

static void *payload_of(struct heap_block *b)
{
	return (char *)b + HDR;
}

/* Payload bytes for a request of @size (caller checked @size <= region), red zone included. */
static size_t payload_for(size_t size)
{
	if (DEBUG_REDZONE)
		size += RED_ZONE_BYTES;
	return size < GRANULE ? GRANULE : ALIGN_UP(size, GRANULE);
}

/* ---- owners and red zones (mm_debug.h); nothing when their options are off ---- */

static inline struct mm_track *track_of(struct heap_block *b)
{
#ifdef CONFIG_DEBUG_OWNER
	return &b->track;
#else
	(void)b;
	return NULL;
#endif
}

/* A header that never held a block before: no owner yet. */
static inline void track_clear(struct heap_block *b)
{
	if (DEBUG_OWNER)
		memset(track_of(b), 0, sizeof(struct mm_track));
}

/* Live block @b's red zone, [requested, usable): marked live. */
static void redzone_fill(struct heap_block *b)
{
	if (DEBUG_REDZONE)
		memset((char *)b + b->size - b->slack, RED_ACTIVE, b->slack);
}

/* Live block @b's red zone intact?  Reported and counted if not (lock held). */
static void redzone_verify(struct heap *h, struct heap_block *b)
{
	const uint8_t *rz = (const uint8_t *)b + b->size - b->slack;
	size_t requested = b->size - HDR - b->slack;

	if (DEBUG_REDZONE && !redzone_check(HEAP_LAYER, (char *)b + HDR, "heap", rz, requested,
					    b->slack, RED_ACTIVE, track_of(b)))
		h->counters.misuse++;
}

/*
 * Debug poisoning.  Free payload after the link holds POISON_FREE; a block
 * leaving the free list is checked before it is handed out.  Without
 * CONFIG_DEBUG_POISON these are empty and compile to nothing.
 */
#ifdef CONFIG_DEBUG_POISON

static void poison_fill(uintptr_t from, uintptr_t to, int pattern)
{
	if (to > from)
		memset((void *)from, pattern, to - from);
}

/* A block just became free: everything after its link is poison. */
static void poison_free_block(struct heap_block *b)
{
	poison_fill((uintptr_t)b + HDR + LINK_BYTES, block_end(b), POISON_FREE);
}

/* A free block was merged into the one before it: its header and link are payload now. */
static void poison_merged_header(struct heap_block *b)
{
	poison_fill((uintptr_t)b, (uintptr_t)b + HDR + LINK_BYTES, POISON_FREE);
}

static void poison_fresh(uintptr_t from, uintptr_t to)
{
	poison_fill(from, to, POISON_INUSE);
}

/*
 * [@from, @to) of free block @fb is about to be handed out: every byte of
 * it that was poison must still be.  If not, someone wrote to freed memory;
 * report the first such byte (once) and carry on - the block itself is
 * intact, only its stale contents were touched.
 */
static void poison_check(struct heap *h, struct heap_block *fb, uintptr_t from, uintptr_t to)
{
	uintptr_t start = MAX(from, (uintptr_t)fb + HDR + LINK_BYTES);
	const uint8_t *q = start < to ? memchr_inv((const void *)start, POISON_FREE, to - start) : NULL;

	if (q) {
		h->counters.misuse++;
		mm_report_misuse_track(HEAP_LAYER, KERR_USE_AFTER_FREE, q, track_of(fb));
	}
}
#else
static inline void poison_free_block(struct heap_block *b) { (void)b; }
static inline void poison_merged_header(struct heap_block *b) { (void)b; }
static inline void poison_fresh(uintptr_t from, uintptr_t to) { (void)from; (void)to; }
static inline void poison_check(struct heap *h, struct heap_block *fb, uintptr_t from, uintptr_t to)
{
	(void)h; (void)fb; (void)from; (void)to;
}
#endif

/*
 * @b as the next free block after an entry that ends at @after: a free
 * header, in the region, in address order, not adjacent (it would have
 * been merged).  Anything else means the heap's own state is corrupted -
 * an overflow into a header, most likely - and nothing can be trusted.
 */
static struct heap_block *checked_free(const struct heap *h, struct heap_block *b, uintptr_t after)
{
	uintptr_t a = (uintptr_t)b;

	if (!b)
		return NULL;
	if (a < h->start || a >= h->end || a <= after || a % GRANULE || h->end - a < MIN_BLOCK ||
	    !block_is(b, BLOCK_FREE) || b->size < MIN_BLOCK || b->size > h->end - a ||
	    b->size % GRANULE)
		panic("heap %p: free list corrupted at %p", (const void *)h, (void *)b);
	return b;
}

static struct heap_block *first_free(struct heap *h)
{
	return checked_free(h, h->free_list, 0);
}

static struct heap_block *next_free(struct heap *h, struct heap_block *b)
{
	/* Free neighbours are always merged: the next free block starts after b ends. */
	return checked_free(h, *link_of(b), block_end(b));
}

/* The link that points at the free block after @prev (the list head for NULL). */
static struct heap_block **link_after(struct heap *h, struct heap_block *prev)
{
	return prev ? link_of(prev) : &h->free_list;
}

/*
 * Last free block below @addr, or NULL.  The walk starts at the rover
 * when it lies below @addr (K&R's free starts at freep): the list is in
 * address order, so no free block between the head and the rover can be
 * the answer.  Frees near the last one walk a few blocks, not the list.
 */
static struct heap_block *free_before(struct heap *h, uintptr_t addr)
{
	struct heap_block *prev = NULL, *b = first_free(h);

	if (h->rover && (uintptr_t)h->rover < addr) {
		/* Its header checked like every block the walk passes. */
		prev = checked_free(h, h->rover, 0);
		b = next_free(h, prev);
	}
	for (; b && (uintptr_t)b < addr; b = next_free(h, b))
		prev = b;
	return prev;
}

void heap_init(struct heap *h, void *mem, size_t size)
{
	uintptr_t start = ALIGN_UP((uintptr_t)mem, (uintptr_t)GRANULE);
	uintptr_t end = ALIGN_DOWN((uintptr_t)mem + size, (uintptr_t)GRANULE);
	struct heap_block *b;

	memset(h, 0, sizeof(*h));
	spin_lock_init(&h->lock);
	/* NULL, wrapping past the top, or too small: an empty heap. */
	if (!mem || (uintptr_t)mem + size < (uintptr_t)mem || end < start || end - start < MIN_BLOCK)
		return;
	h->start = start;
	h->end = end;
	h->top = start;
	b = (struct heap_block *)start;
	block_set(b, end - start, BLOCK_FREE);
	b->slack = 0;
	track_clear(b);
	*link_of(b) = NULL;
	h->free_list = b;
	h->rover = NULL;
	h->free_bytes = b->size - HDR;
	h->free_blocks = 1;
	poison_free_block(b);
}

/* Free block @b absorbs the free block @next right after it. */
static void merge_free(struct heap *h, struct heap_block *b, struct heap_block *next)
{
	*link_of(b) = *link_of(next);
	if (h->rover == next)
		h->rover = b;
	block_set(b, b->size + next->size, BLOCK_FREE);
	h->free_blocks--;
	h->free_bytes += HDR;          /* next's header is payload now */
	poison_merged_header(next);
}

/*
 * Put @b (its size set, its payload dead) on the free list in address
 * order and coalesce it with the free blocks on either side.
 */
static void insert_free(struct heap *h, struct heap_block *b)
{
	struct heap_block *prev = free_before(h, (uintptr_t)b);
	struct heap_block **pos = link_after(h, prev);
	struct heap_block *next = *pos;

	block_set(b, b->size, BLOCK_FREE);
	b->slack = 0;
	poison_free_block(b);
	*link_of(b) = next;
	*pos = b;
	h->free_blocks++;
	h->free_bytes += b->size - HDR;
	if (next && block_end(b) == (uintptr_t)next)
		merge_free(h, b, next);
	if (prev && block_end(prev) == (uintptr_t)b) {
		/* The merged block's owner is who freed last: the report of a write names them. */
		if (DEBUG_OWNER)
			*track_of(prev) = *track_of(b);
		merge_free(h, prev, b);
		b = prev;
	}
	/* A free block reaching the region's end: the highest live block ends where it starts. */
	if (block_end(b) == h->end)
		h->top = (uintptr_t)b;
	h->rover = b;
}

/* Record that live block @b holds @requested of its usable bytes. */
static void set_slack(struct heap_block *b, size_t requested)
{
	size_t slack = b->size - HDR - requested;

	/* Splitting keeps slack below MIN_BLOCK + GRANULE; more means a bug here. */
	BUG_ON(slack > UINT16_MAX);
	b->slack = (uint16_t)slack;
}

/* Make @b, now [b, b + size), a live block holding @requested bytes. */
static void *make_live(struct heap *h, struct heap_block *b, size_t size, size_t requested)
{
	size_t usable = size - HDR;

	block_set(b, size, BLOCK_USED);
	set_slack(b, requested);
	redzone_fill(b);
	if (DEBUG_OWNER)
		mm_track_alloc(track_of(b), _RET_IP_);
	h->top = MAX(h->top, block_end(b));
	h->used_bytes += usable;
	h->requested_bytes += requested;
	h->live_blocks++;
	h->peak_used_bytes = MAX(h->peak_used_bytes, h->used_bytes);
	return payload_of(b);
}

/*
 * Carve a live block [at, at + HDR + need) for @requested bytes out of the
 * free block @b, whose list predecessor is @prev.  The gap in front of @at
 * (none, or at least MIN_BLOCK) stays free in @b's place; a remainder
 * behind becomes a free block unless it is too small to stand alone.
 */
static void *carve(struct heap *h, struct heap_block *prev, struct heap_block *b,
		   uintptr_t at, size_t need, size_t requested)
{
	uintptr_t start = (uintptr_t)b, end = block_end(b);
	uintptr_t used_end = at + HDR + need;
	struct heap_block *next = *link_of(b);
	struct heap_block **pos;

	if (end - used_end < MIN_BLOCK)
		used_end = end;
	poison_check(h, b, at, used_end);

	h->free_blocks--;
	h->free_bytes -= b->size - HDR;
	pos = link_after(h, prev);
	/* The rover stays on the list: at the gap left in front, or b's predecessor. */
	h->rover = at > start ? b : prev;
	if (at > start) {
		block_set(b, at - start, BLOCK_FREE);
		h->free_blocks++;
		h->free_bytes += b->size - HDR;
		pos = link_of(b);
	}
	if (used_end < end) {
		struct heap_block *rest = (struct heap_block *)used_end;

		block_set(rest, end - used_end, BLOCK_FREE);
		rest->slack = 0;
		track_clear(rest);
		*link_of(rest) = next;
		*pos = rest;
		h->free_blocks++;
		h->free_bytes += rest->size - HDR;
	} else {
		*pos = next;
	}
	poison_fresh(at + HDR, used_end);
	return make_live(h, (struct heap_block *)at, used_end - at, requested);
}

/* First fit.  Called with the lock; @align a valid power of two >= GRANULE. */
static void *alloc_locked(struct heap *h, size_t size, size_t align)
{
	struct heap_block *prev = NULL;
	size_t need;

	/* Also keeps every sum below from overflowing. */
	if (!size || size > h->end - h->start)
		return NULL;
	need = payload_for(size);
	for (struct heap_block *b = first_free(h); b; prev = b, b = next_free(h, b)) {
		uintptr_t start = (uintptr_t)b, end = block_end(b);
		uintptr_t payload = ALIGN_UP(start + HDR, (uintptr_t)align);

		/* A gap in front must be able to stand as a free block of its own. */
		while (payload - HDR != start && payload - HDR - start < MIN_BLOCK)
			payload += align;
		if (payload > end || end - payload < need)
			continue;
		return carve(h, prev, b, payload - HDR, need, size);
	}
	return NULL;
}

static bool align_ok(size_t align)
{
	return !(align & (align - 1)) && align <= PAGE_SIZE;
}

void *heap_alloc(struct heap *h, size_t size, size_t align)
{
	bool valid = align_ok(align);
	void *p = NULL;

	MM_DEBUG_ENTRY(void *, heap_alloc(h, size, align));
	/* Counted by fault_inject.c alone. */
	if (fault_should_fail(FAULT_HEAP, _RET_IP_))
		return NULL;
	if (align < GRANULE)
		align = GRANULE;
	spin_lock_irqsafe(&h->lock);
	if (valid)
		p = alloc_locked(h, size, align);
	if (p)
		h->counters.allocs++;
	else
		h->counters.failures++;
	spin_unlock_irqsafe(&h->lock);
	return p;
}

/* Is @a inside a free block?  Called with the lock. */
static bool in_free_block(struct heap *h, uintptr_t a)
{
	for (struct heap_block *b = first_free(h); b && (uintptr_t)b <= a; b = next_free(h, b)) {
		if (a < block_end(b))
			return true;
	}
	return false;
}

/* The live block whose payload is @p, or NULL.  Called with the lock. */
static struct heap_block *live_block(const struct heap *h, const void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct heap_block *b;

	if (a < h->start + HDR || a >= h->end || a % GRANULE)
		return NULL;
	b = (struct heap_block *)(a - HDR);
	if (!block_is(b, BLOCK_USED) || b->size < MIN_BLOCK || b->size > h->end - (uintptr_t)b)
		return NULL;
	return b;
}

/* The requested and usable bytes of live block @b.  Called with the lock. */
static void block_sizes(const struct heap_block *b, size_t *requested, size_t *usable)
{
	*usable = b->size - HDR;
	*requested = *usable - b->slack;
}

/* What callers may use of live block @b: with red zones, exactly what they asked for. */
static size_t caller_usable(const struct heap_block *b)
{
	return b->size - HDR - (DEBUG_REDZONE ? b->slack : 0);
}

/*
 * The block @a lies in (live or free), walking the tiling from the start;
 * NULL if the walk meets a broken header first.  For reports only: O(blocks).
 */
static struct heap_block *block_containing(const struct heap *h, uintptr_t a)
{
	uintptr_t p = h->start;

	while (p < h->end) {
		struct heap_block *b = (struct heap_block *)p;

		if (!(block_is(b, BLOCK_USED) || block_is(b, BLOCK_FREE)) || b->size < MIN_BLOCK ||
		    b->size > h->end - p)
			return NULL;
		if (a < p + b->size)
			return b;
		p += b->size;
	}
	return NULL;
}

/* Why @p, which is not a live block, cannot be freed.  Called with the lock. */
static int not_live_error(struct heap *h, const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (a >= h->start && a < h->end && in_free_block(h, a))
		return KERR_DOUBLE_FREE;
	return KERR_BAD_PTR;
}

/* Give back live block @b.  Called with the lock. */
static void free_locked(struct heap *h, struct heap_block *b)
{
	size_t requested, usable;

	redzone_verify(h, b);
	if (DEBUG_OWNER)
		mm_track_free(track_of(b), _RET_IP_);
	block_sizes(b, &requested, &usable);
	h->used_bytes -= usable;
	h->requested_bytes -= requested;
	h->live_blocks--;
	insert_free(h, b);
}

/* Refuse an operation on @p: count, unlock, report.  Returns @err. */
static int refuse(struct heap *h, const void *p, int err)
{
	struct mm_track owner;
	struct heap_block *b = NULL;

	/* The owner of the block @p lies in, copied before the lock goes. */
	if (DEBUG_OWNER && heap_contains(h, p)) {
		b = block_containing(h, (uintptr_t)p);
		if (b)
			owner = *track_of(b);
	}
	h->counters.misuse++;
	spin_unlock_irqsafe(&h->lock);
	mm_report_misuse_track(HEAP_LAYER, err, p, b ? &owner : NULL);
	return err;
}

int heap_free(struct heap *h, const void *p)
{
	size_t requested, usable;

	MM_DEBUG_ENTRY(int, heap_free(h, p));
	return heap_free_sized(h, p, &requested, &usable);
}

int heap_free_sized(struct heap *h, const void *p, size_t *requested, size_t *usable)
{
	struct heap_block *b;

	MM_DEBUG_ENTRY(int, heap_free_sized(h, p, requested, usable));
	*requested = *usable = 0;
	if (!p)
		return 0;
	spin_lock_irqsafe(&h->lock);
	b = live_block(h, p);
	if (!b)
		return refuse(h, p, not_live_error(h, p));
	block_sizes(b, requested, usable);
	*usable = caller_usable(b);
	free_locked(h, b);
	h->counters.frees++;
	spin_unlock_irqsafe(&h->lock);
	return 0;
}

/* Shrink live block @b to @need payload bytes, freeing the tail if it can stand alone. */
static void shrink_in_place(struct heap *h, struct heap_block *b, size_t need)
{
	uintptr_t cut = (uintptr_t)b + HDR + need, end = block_end(b);
	struct heap_block *tail = (struct heap_block *)cut;

	if (end - cut < MIN_BLOCK)
		return;
	block_set(b, cut - (uintptr_t)b, BLOCK_USED);
	h->used_bytes -= end - cut;
	tail->size = end - cut;
	track_clear(tail);
	insert_free(h, tail);
}

/* Grow live block @b to @need payload bytes into a free block right after it. */
static bool grow_in_place(struct heap *h, struct heap_block *b, size_t need)
{
	uintptr_t old_end = block_end(b), new_end, next_end;
	struct heap_block *next = (struct heap_block *)old_end;
	struct heap_block *prev, *after;
	struct heap_block **pos;

	/* Blocks tile the region, so a header follows unless b is the last block. */
	if (old_end >= h->end || !block_is(next, BLOCK_FREE) || b->size + next->size < HDR + need)
		return false;
	prev = free_before(h, old_end);
	pos = link_after(h, prev);
	if (*pos != next)       /* a free header that is not on the list: corrupted */
		panic("heap %p: free block %p is not on the free list", (void *)h, (void *)next);

	next_end = block_end(next);
	new_end = (uintptr_t)b + HDR + need;
	if (next_end - new_end < MIN_BLOCK)
		new_end = next_end;
	poison_check(h, next, old_end, new_end);

	after = *link_of(next);   /* before a new header can overwrite it */
	h->rover = prev;          /* next leaves the list; prev stays on it */
	h->free_blocks--;
	h->free_bytes -= next->size - HDR;
	if (new_end < next_end) {
		struct heap_block *rest = (struct heap_block *)new_end;

		block_set(rest, next_end - new_end, BLOCK_FREE);
		rest->slack = 0;
		track_clear(rest);
		*link_of(rest) = after;
		*pos = rest;
		h->free_blocks++;
		h->free_bytes += rest->size - HDR;
	} else {
		*pos = after;
	}
	poison_fresh(old_end, new_end);
	block_set(b, new_end - (uintptr_t)b, BLOCK_USED);
	h->top = MAX(h->top, new_end);
	h->used_bytes += new_end - old_end;
	h->peak_used_bytes = MAX(h->peak_used_bytes, h->used_bytes);
	return true;
}

int heap_realloc_try(struct heap *h, void *p, size_t size, void **out)
{
	struct heap_block *b;
	size_t need, usable;
	void *q;

	MM_DEBUG_ENTRY(int, heap_realloc_try(h, p, size, out));
	*out = NULL;
	if (!p) {
		*out = heap_alloc(h, size, 0);
		return *out ? 0 : (size ? KERR_NOMEM : KERR_INVAL);
	}
	spin_lock_irqsafe(&h->lock);
	b = live_block(h, p);
	if (!b)
		return refuse(h, p, not_live_error(h, p));
	if (!size || size > h->end - h->start) {
		h->counters.failures++;
		spin_unlock_irqsafe(&h->lock);
		return size ? KERR_NOMEM : KERR_INVAL;
	}
	need = payload_for(size);
	usable = b->size - HDR;
	/* The old extent ends here: its red zone must have held (reported once, then restored). */
	redzone_verify(h, b);
	redzone_fill(b);
	if (need <= usable || grow_in_place(h, b, need)) {
		size_t had = usable - b->slack;

		if (need <= usable)
			shrink_in_place(h, b, need);
		/* Same block, new request: the block's size is booked already. */
		h->requested_bytes -= had;
		h->requested_bytes += size;
		set_slack(b, size);
		/* Bytes that were red zone are the caller's now, "uninitialised". */
		if (size > had)
			poison_fresh((uintptr_t)p + had, (uintptr_t)p + size);
		redzone_fill(b);
		*out = p;
		spin_unlock_irqsafe(&h->lock);
		return 0;
	}
	/* A new block is an allocation: an armed heap fault class may fail it (counted there). */
	if (fault_should_fail(FAULT_HEAP, _RET_IP_)) {
		spin_unlock_irqsafe(&h->lock);
		return KERR_NOMEM;
	}
	q = alloc_locked(h, size, GRANULE);
	if (!q) {
		h->counters.failures++;
		spin_unlock_irqsafe(&h->lock);
		return KERR_NOMEM;
	}
	/* With red zones only the bytes asked for are the caller's (and fit q's). */
	memcpy(q, p, DEBUG_REDZONE ? MIN(caller_usable(b), size) : usable);
	free_locked(h, b);
	h->counters.allocs++;
	h->counters.frees++;
	spin_unlock_irqsafe(&h->lock);
	*out = q;
	return 0;
}

void *heap_realloc(struct heap *h, void *p, size_t size)
{
	void *q;

	MM_DEBUG_ENTRY(void *, heap_realloc(h, p, size));
	if (p && !size) {
		heap_free(h, p);
		return NULL;
	}
	heap_realloc_try(h, p, size, &q);
	return q;
}

/* Sizes of the live allocation at @p; both 0 when @p is not one. */
static void live_sizes(struct heap *h, const void *p, size_t *requested, size_t *usable)
{
	struct heap_block *b;

	*requested = *usable = 0;
	spin_lock_irqsafe(&h->lock);
	b = live_block(h, p);
	if (b) {
		block_sizes(b, requested, usable);
		*usable = caller_usable(b);
	}
	spin_unlock_irqsafe(&h->lock);
}

size_t heap_usable_size(struct heap *h, const void *p)
{
	size_t requested, usable;

	live_sizes(h, p, &requested, &usable);
	return usable;
}

size_t heap_requested_size(struct heap *h, const void *p)
{
	size_t requested, usable;

	live_sizes(h, p, &requested, &usable);
	return requested;
}

bool heap_contains(const struct heap *h, const void *p)
{
	return (uintptr_t)p >= h->start && (uintptr_t)p < h->end;
}

void heap_get_stats(struct heap *h, struct heap_stats *st)
{
	size_t largest = 0;

	spin_lock_irqsafe(&h->lock);
	for (struct heap_block *b = first_free(h); b; b = next_free(h, b))
		largest = MAX(largest, b->size - HDR);
	st->region_bytes = h->end - h->start;
	st->free_bytes = h->free_bytes;
	st->used_bytes = h->used_bytes;
	st->requested_bytes = h->requested_bytes;
	st->peak_used_bytes = h->peak_used_bytes;
	st->largest_free = largest;
	st->free_blocks = h->free_blocks;
	st->live_blocks = h->live_blocks;
	st->meta_bytes = HDR * (h->free_blocks + h->live_blocks);
	st->extent_bytes = h->top - h->start;
	st->counters = h->counters;
	spin_unlock_irqsafe(&h->lock);
}

size_t heap_extent(struct heap *h)
{
	size_t n;

	spin_lock_irqsafe(&h->lock);
	n = h->top - h->start;
	spin_unlock_irqsafe(&h->lock);
	return n;
}

bool heap_check(struct heap *h)
{
	uint64_t before = h->counters.misuse;
	bool tiled;

	spin_lock_irqsafe(&h->lock);
	tiled = h->start == h->end || block_containing(h, h->end - 1) != NULL;
	for (uintptr_t p = h->start; tiled && p < h->end; p += ((struct heap_block *)p)->size) {
		struct heap_block *b = (struct heap_block *)p;

		if (block_is(b, BLOCK_USED))
			redzone_verify(h, b);
	}
	spin_unlock_irqsafe(&h->lock);
	return tiled && h->counters.misuse == before;
}

#ifdef CONFIG_DEBUG_OWNER
bool heap_owner_of(struct heap *h, const void *addr, struct mm_track *t, const void **base)
{
	struct heap_block *b = NULL;

	if (!DEBUG_OWNER || !heap_contains(h, addr))
		return false;
	spin_lock_irqsafe(&h->lock);
	b = block_containing(h, (uintptr_t)addr);
	if (b) {
		*t = *track_of(b);
		*base = (char *)b + HDR;
	}
	spin_unlock_irqsafe(&h->lock);
	return b != NULL;
}

struct mm_track *heap_track_of(struct heap *h, const void *p)
{
	struct heap_block *b;

	if (!DEBUG_OWNER)
		return NULL;
	spin_lock_irqsafe(&h->lock);
	b = live_block(h, p);
	spin_unlock_irqsafe(&h->lock);
	return b ? track_of(b) : NULL;
}

#endif /* CONFIG_DEBUG_OWNER */

#ifdef CONFIG_DEBUG_LEAK
size_t heap_leaks(struct heap *h, uint64_t mark)
{
	size_t n = 0;

	if (!DEBUG_LEAK)
		return 0;
	spin_lock_irqsafe(&h->lock);
	for (uintptr_t p = h->start; p < h->end; p += ((struct heap_block *)p)->size) {
		struct heap_block *b = (struct heap_block *)p;

		if (!(block_is(b, BLOCK_USED) || block_is(b, BLOCK_FREE)) || b->size < MIN_BLOCK)
			break;
		if (block_is(b, BLOCK_USED) && track_of(b)->live && !track_of(b)->held &&
		    track_of(b)->seq > mark) {
			mm_leak_print("heap block", (char *)b + HDR, b->size - HDR - b->slack,
				      track_of(b));
			n++;
		}
	}
	spin_unlock_irqsafe(&h->lock);
	return n;
}
#endif /* CONFIG_DEBUG_LEAK */
