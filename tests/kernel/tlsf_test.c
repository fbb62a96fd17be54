/*
 * tlsf_test.c - TLSF (core/mm/tlsf.c), on a private instance over a few
 * pages.
 *
 * Every case starts from a freshly initialised allocator over the same
 * pages (taken from the page allocator by the suite's init hook), so the
 * results are exact.  The header size is not hard-coded: a new allocator
 * is one free block, so its meta_bytes is the size of one header.  After
 * every operation tlsf_check() must hold: the blocks tile the region, no
 * two free blocks are neighbours, every free block is on the list its
 * size maps to, and the two bitmap levels mark exactly the non-empty
 * lists.  The list geometry comes from Kconfig TLSF_SL_INDEX_BITS, so the
 * cases hold at both ends of its range.
 */
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktest.h"
#include "mm_debug.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "poison.h"
#include "tlsf.h"

#define REGION_PAGES 4
#define REGION_BYTES (REGION_PAGES * PAGE_SIZE)

static void *region;
static struct tlsf tl;
static size_t hdr;      /* bytes of one block header */
static size_t whole;    /* payload of the one free block of a fresh allocator */

static void region_get(struct ktest *t)
{
	(void)t;
	region = page_alloc(REGION_PAGES, GFP_KERNEL);
}

static void region_put(struct ktest *t)
{
	(void)t;
	page_free(region, REGION_PAGES);
	region = NULL;
}

static bool fresh(struct ktest *t)
{
	struct tlsf_stats st;

	if (!ktest_check(t, region != NULL, __FILE__, __LINE__, true,
			 "page_alloc() gave the test its region"))
		return false;
	tlsf_init(&tl, region, REGION_BYTES);
	tlsf_get_stats(&tl, &st);
	hdr = st.meta_bytes;
	whole = st.largest_free;
	return true;
}

#define SETUP(t) do { if (!fresh(t)) return; } while (0)
#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)
/* Red zone bytes after every block (Kconfig DEBUG_REDZONE), 0 without. */
#define RZ ((size_t)(DEBUG_REDZONE ? RED_ZONE_BYTES : 0))
/* The invariants, after an operation: a failure names the line. */
#define CHECKED(t) KT_EXPECT_TRUE(t, tlsf_check(&tl))

/* The accounting identities that hold after every operation. */
static void expect_consistent(struct ktest *t)
{
	struct tlsf_stats st;

	tlsf_get_stats(&tl, &st);
	KT_EXPECT_EQ(t, st.free_bytes + st.used_bytes + st.meta_bytes, st.region_bytes);
	KT_EXPECT_EQ(t, st.meta_bytes, hdr * (st.free_blocks + st.live_blocks));
	KT_EXPECT_EQ(t, st.counters.allocs - st.counters.frees, (uint64_t)st.live_blocks);
	KT_EXPECT_LE(t, st.requested_bytes, st.used_bytes);
	KT_EXPECT_LE(t, st.largest_free, st.free_bytes);
	KT_EXPECT_LE(t, st.used_bytes, st.peak_used_bytes);
	CHECKED(t);
}

/* Everything is free again: one block spanning the region. */
static void expect_all_free(struct ktest *t)
{
	struct tlsf_stats st;

	tlsf_get_stats(&tl, &st);
	KT_EXPECT_EQ(t, st.free_blocks, 1u);
	KT_EXPECT_EQ(t, st.live_blocks, 0u);
	KT_EXPECT_EQ(t, st.used_bytes, 0u);
	KT_EXPECT_EQ(t, st.largest_free, whole);
	KT_EXPECT_EQ(t, st.extent_bytes, 0u);
	CHECKED(t);
}

static size_t free_blocks(void)
{
	struct tlsf_stats st;

	tlsf_get_stats(&tl, &st);
	return st.free_blocks;
}

static void fill(void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(seed + i * 7);
}

static bool holds(const void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		if (((const uint8_t *)p)[i] != (uint8_t)(seed + i * 7))
			return false;
	}
	return true;
}

static void init_one_free_block(struct ktest *t)
{
	struct tlsf_stats st;
	unsigned int fl, sl;

	SETUP(t);
	tlsf_get_stats(&tl, &st);
	KT_EXPECT_EQ(t, st.region_bytes, REGION_BYTES);
	KT_EXPECT_EQ(t, st.free_blocks, 1u);
	KT_EXPECT_EQ(t, whole, REGION_BYTES - hdr);
	KT_EXPECT_EQ(t, hdr, TLSF_BLOCK_HEADER);
	/* One list, one bit on each level: the one the region's size maps to. */
	tlsf_mapping(REGION_BYTES, &fl, &sl);
	KT_EXPECT_EQ(t, tl.fl_map, 1ul << fl);
	KT_EXPECT_EQ(t, tl.sl_map[fl], 1ul << sl);
	KT_EXPECT_TRUE(t, tlsf_contains(&tl, region));
	KT_EXPECT_FALSE(t, tlsf_contains(&tl, (char *)region + REGION_BYTES));
	expect_consistent(t);
}

static void empty_allocator_fails_cleanly(struct ktest *t)
{
	static char tiny[32];
	struct tlsf e;

	tlsf_init(&e, NULL, 0);
	KT_EXPECT_NULL(t, tlsf_alloc(&e, 16, 0));
	KT_EXPECT_EQ(t, e.counters.failures, 1u);
	KT_EXPECT_EQ(t, tlsf_free(&e, NULL), KERR_OK);
	KT_EXPECT_TRUE(t, tlsf_check(&e));
	tlsf_init(&e, tiny, sizeof(tiny));   /* smaller than one block */
	KT_EXPECT_NULL(t, tlsf_alloc(&e, 1, 0));
	KT_EXPECT_EQ(t, e.fl_map, 0ul);
}

/*
 * The two-level index: linear below 2^TLSF_FL_SHIFT (one list per
 * granule), then each power of two in TLSF_SL_COUNT lists of equal width.
 */
static void mapping_geometry(struct ktest *t)
{
	unsigned int fl, sl, pfl = 0, psl = 0;

	for (size_t n = TLSF_ALIGN; n < ((size_t)1 << TLSF_FL_SHIFT); n += TLSF_ALIGN) {
		tlsf_mapping(n, &fl, &sl);
		KT_EXPECT_EQ(t, fl, 0u);
		KT_EXPECT_EQ(t, sl, (unsigned int)(n / TLSF_ALIGN));
	}
	for (unsigned int f = TLSF_FL_SHIFT; f < TLSF_FL_LIMIT; f++) {
		size_t width = (size_t)1 << (f - TLSF_SL_BITS);

		for (unsigned int s = 0; s < TLSF_SL_COUNT; s++) {
			size_t lo = ((size_t)1 << f) + s * width;

			tlsf_mapping(lo, &fl, &sl);
			KT_EXPECT_EQ(t, fl, f - TLSF_FL_SHIFT + 1);
			KT_EXPECT_EQ(t, sl, s);
			tlsf_mapping(lo + width - TLSF_ALIGN, &fl, &sl);   /* the list's last size */
			KT_EXPECT_EQ(t, sl, s);
			/* Lists ascend with size: never one below the last. */
			KT_EXPECT_TRUE(t, fl > pfl || (fl == pfl && sl >= psl));
			pfl = fl;
			psl = sl;
		}
	}
	KT_EXPECT_LT(t, pfl, (unsigned int)TLSF_FL_COUNT);
}

/*
 * Good fit: a request is rounded up to the next list, so a free block of
 * exactly its size on a list wider than a granule is passed over for the
 * head of a higher list.
 */
static void good_fit_rounds_up(struct ktest *t)
{
	/* A block size on the second first level (lists 2^(ALIGN_SHIFT+1) wide), off a boundary. */
	size_t bytes = ((size_t)1 << (TLSF_FL_SHIFT + 1)) + TLSF_ALIGN;
	size_t req = bytes - hdr - RZ;
	uint8_t *exact, *sep1, *big, *sep2, *p;
	unsigned int fl, sl;

	SETUP(t);
	exact = tlsf_alloc(&tl, req, 0);
	sep1 = tlsf_alloc(&tl, 16, 0);
	big = tlsf_alloc(&tl, 2 * bytes, 0);
	sep2 = tlsf_alloc(&tl, 16, 0);
	KT_ASSERT_NOT_NULL(t, sep2);
	KT_EXPECT_EQ(t, tlsf_usable_size(&tl, exact), DEBUG_REDZONE ? req : bytes - hdr);
	KT_ASSERT_EQ(t, tlsf_free(&tl, exact), KERR_OK);
	KT_ASSERT_EQ(t, tlsf_free(&tl, big), KERR_OK);
	CHECKED(t);
	tlsf_mapping(bytes, &fl, &sl);
	KT_EXPECT_TRUE(t, tl.sl_map[fl] & (1ul << sl));   /* exact's list is marked */
	p = tlsf_alloc(&tl, req, 0);
	KT_EXPECT_PTR_EQ(t, p, big);                       /* ... and passed over */
	CHECKED(t);
	KT_ASSERT_EQ(t, tlsf_free(&tl, p), KERR_OK);
	KT_ASSERT_EQ(t, tlsf_free(&tl, sep1), KERR_OK);
	KT_ASSERT_EQ(t, tlsf_free(&tl, sep2), KERR_OK);
	expect_all_free(t);
}

/* A free merges at once with a free block before it, after it, or both. */
static void coalesce_neighbours(struct ktest *t)
{
	uint8_t *a, *b, *c, *d, *e;
	unsigned int fl, sl;

	SETUP(t);
	a = tlsf_alloc(&tl, 100, 0);
	b = tlsf_alloc(&tl, 200, 0);
	c = tlsf_alloc(&tl, 300, 0);
	d = tlsf_alloc(&tl, 400, 0);
	e = tlsf_alloc(&tl, 50, 0);      /* keeps d from the free rest */
	KT_ASSERT_NOT_NULL(t, e);
	KT_EXPECT_EQ(t, free_blocks(), 1u);
	KT_ASSERT_EQ(t, tlsf_free(&tl, b), KERR_OK);
	KT_EXPECT_EQ(t, free_blocks(), 2u);
	CHECKED(t);
	KT_ASSERT_EQ(t, tlsf_free(&tl, a), KERR_OK);     /* merges with the next (b) */
	KT_EXPECT_EQ(t, free_blocks(), 2u);
	CHECKED(t);
	KT_ASSERT_EQ(t, tlsf_free(&tl, d), KERR_OK);
	KT_EXPECT_EQ(t, free_blocks(), 3u);
	KT_ASSERT_EQ(t, tlsf_free(&tl, c), KERR_OK);     /* merges with both */
	KT_EXPECT_EQ(t, free_blocks(), 2u);
	/* a..d is one block now, on the list of its whole size. */
	tlsf_mapping((size_t)(e - a), &fl, &sl);
	KT_EXPECT_TRUE(t, tl.sl_map[fl] & (1ul << sl));
	KT_EXPECT_TRUE(t, tl.fl_map & (1ul << fl));
	KT_ASSERT_EQ(t, tlsf_free(&tl, e), KERR_OK);     /* merges with both: one block again */
	expect_all_free(t);
}

/* xorshift: a fixed sequence, so a failure repeats. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A random mix of allocations (all alignments), frees and reallocations:
 * the invariants after every single operation, and every live block's
 * contents intact at the end.
 */
static void invariants_after_every_operation(struct ktest *t)
{
	enum { SLOTS = 48, OPS = 1500 };
	static uint8_t *slot[SLOTS];
	static size_t len[SLOTS];
	uint64_t seed = 0x7151f;
	unsigned int bad = 0;

	SETUP(t);
	memset(slot, 0, sizeof(slot));
	for (unsigned int i = 0; i < OPS && !bad; i++) {
		unsigned int s = (unsigned int)(next_rand(&seed) % SLOTS);
		uint64_t r = next_rand(&seed);

		if (!slot[s]) {
			size_t n = 1 + (size_t)(r % (REGION_BYTES / 16));
			size_t align = (r >> 20) % 4 == 0 ? (size_t)16 << ((r >> 24) % 9) : 0;

			align = MIN(align, (size_t)PAGE_SIZE);
			slot[s] = tlsf_alloc(&tl, n, align);
			if (slot[s]) {
				bad += align && (uintptr_t)slot[s] % align;
				len[s] = n;
				fill(slot[s], n, (uint8_t)s);
			}
		} else if (r % 5 == 0) {
			size_t n = 1 + (size_t)((r >> 8) % (REGION_BYTES / 8));
			void *q;

			if (!tlsf_realloc_try(&tl, slot[s], n, &q)) {
				bad += !holds(q, MIN(n, len[s]), (uint8_t)s);
				slot[s] = q;
				len[s] = n;
				fill(slot[s], n, (uint8_t)s);
			}
		} else {
			bad += !holds(slot[s], len[s], (uint8_t)s);
			bad += tlsf_free(&tl, slot[s]) != KERR_OK;
			slot[s] = NULL;
		}
		bad += !tlsf_check(&tl);
	}
	KT_EXPECT_EQ(t, bad, 0u);
	expect_consistent(t);
	for (unsigned int s = 0; s < SLOTS; s++) {
		if (slot[s]) {
			KT_EXPECT_TRUE(t, holds(slot[s], len[s], (uint8_t)s));
			KT_EXPECT_EQ(t, tlsf_free(&tl, slot[s]), KERR_OK);
		}
	}
	expect_all_free(t);
}

static void alignment_every_power_of_two(struct ktest *t)
{
	SETUP(t);
	for (size_t align = TLSF_ALIGN; align <= PAGE_SIZE; align *= 2) {
		uint8_t *a = tlsf_alloc(&tl, 24, 0);    /* moves the next block off any alignment */
		uint8_t *p = tlsf_alloc(&tl, 40, align);

		KT_ASSERT_NOT_NULL(t, a);
		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_EQ(t, (uintptr_t)p % align, 0u);
		CHECKED(t);
		KT_EXPECT_EQ(t, tlsf_free(&tl, a), KERR_OK);
		KT_EXPECT_EQ(t, tlsf_free(&tl, p), KERR_OK);
		CHECKED(t);
	}
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, 16, 3));               /* not a power of two */
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, 16, 2 * PAGE_SIZE));   /* above PAGE_SIZE */
	expect_all_free(t);
}

static void realloc_in_place_and_moving(struct ktest *t)
{
	uint8_t *a, *b, *c;
	void *q, *r;

	SETUP(t);
	a = tlsf_alloc(&tl, 100, 0);
	b = tlsf_alloc(&tl, 100, 0);
	c = tlsf_alloc(&tl, 100, 0);
	KT_ASSERT_NOT_NULL(t, c);
	fill(b, 100, 3);
	KT_ASSERT_EQ(t, tlsf_free(&tl, c), KERR_OK);
	/* Grows into the free block after it. */
	KT_EXPECT_EQ(t, tlsf_realloc_try(&tl, b, 1000, &q), KERR_OK);
	KT_EXPECT_PTR_EQ(t, q, b);
	KT_EXPECT_TRUE(t, holds(b, 100, 3));
	CHECKED(t);
	/* Shrinks in place; the tail merges with the free rest. */
	KT_EXPECT_EQ(t, tlsf_realloc_try(&tl, b, 50, &q), KERR_OK);
	KT_EXPECT_PTR_EQ(t, q, b);
	KT_EXPECT_EQ(t, free_blocks(), 1u);
	CHECKED(t);
	/* Cannot grow past a live neighbour: moves, contents kept. */
	c = tlsf_alloc(&tl, 100, 0);
	KT_ASSERT_NOT_NULL(t, c);
	KT_EXPECT_EQ(t, tlsf_realloc_try(&tl, a, 400, &q), KERR_OK);
	KT_EXPECT_PTR_NE(t, q, a);
	CHECKED(t);
	/* Too big: refused, the block untouched. */
	KT_EXPECT_EQ(t, tlsf_realloc_try(&tl, q, REGION_BYTES, &r), KERR_NOMEM);
	KT_EXPECT_NULL(t, r);
	KT_EXPECT_EQ(t, tlsf_realloc_try(&tl, q, 0, &r), KERR_INVAL);
	KT_EXPECT_EQ(t, tlsf_free(&tl, q), KERR_OK);
	KT_EXPECT_EQ(t, tlsf_free(&tl, b), KERR_OK);
	KT_EXPECT_EQ(t, tlsf_free(&tl, c), KERR_OK);
	expect_all_free(t);
}

static void misuse_refused(struct ktest *t)
{
	struct tlsf_stats before, after;
	uint64_t reports;
	uint8_t *a, *b, *c;
	void *q;
	int local;

	SKIP_IF_MISUSE_PANICS(t);
	SETUP(t);
	a = tlsf_alloc(&tl, 64, 0);
	b = tlsf_alloc(&tl, 64, 0);
	c = tlsf_alloc(&tl, 64, 0);
	KT_ASSERT_NOT_NULL(t, c);
	KT_ASSERT_EQ(t, tlsf_free(&tl, a), KERR_OK);

	tlsf_get_stats(&tl, &before);
	reports = mm_misuse_total();
	KT_EXPECT_EQ(t, tlsf_free(&tl, a), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, tlsf_free(&tl, a + 16), KERR_DOUBLE_FREE);   /* inside free memory */
	KT_EXPECT_EQ(t, tlsf_free(&tl, c + 16), KERR_BAD_PTR);       /* interior of a live block */
	KT_EXPECT_EQ(t, tlsf_free(&tl, c + 1), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, tlsf_free(&tl, &local), KERR_BAD_PTR);       /* not in the region */
	KT_EXPECT_EQ(t, tlsf_free(&tl, c - hdr), KERR_BAD_PTR);      /* a header, not a payload */
	KT_EXPECT_EQ(t, tlsf_realloc_try(&tl, a, 10, &q), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 7);
	tlsf_get_stats(&tl, &after);
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + 7);
	KT_EXPECT_EQ(t, after.free_blocks, before.free_blocks);
	KT_EXPECT_EQ(t, after.free_bytes, before.free_bytes);
	KT_EXPECT_EQ(t, after.live_blocks, before.live_blocks);
	KT_EXPECT_EQ(t, after.counters.frees, before.counters.frees);
	CHECKED(t);
	/* b merges into a: its header is gone, a second free of b is still a double free. */
	KT_ASSERT_EQ(t, tlsf_free(&tl, b), KERR_OK);
	KT_EXPECT_EQ(t, tlsf_free(&tl, b), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, tlsf_free(&tl, c), KERR_OK);
	expect_all_free(t);
}

static void exhaustion_and_recovery(struct ktest *t)
{
	void *p[REGION_BYTES / 256 + 8];
	size_t n = 0;

	SETUP(t);
	/* Blocks of 256 bytes, header included, tile the region exactly. */
	while (n < ARRAY_SIZE(p) && (p[n] = tlsf_alloc(&tl, 256 - hdr - RZ, 0))) {
		n++;
		CHECKED(t);
	}
	KT_EXPECT_EQ(t, n, REGION_BYTES / 256);
	KT_EXPECT_EQ(t, tl.counters.failures, 1u);
	KT_EXPECT_EQ(t, tl.fl_map, 0ul);        /* nothing free: both levels empty */
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, 16, 0));
	/* Free every other block: holes of 256 bytes, none of 512. */
	for (size_t i = 0; i < n; i += 2)
		KT_EXPECT_EQ(t, tlsf_free(&tl, p[i]), KERR_OK);
	CHECKED(t);
	KT_EXPECT_EQ(t, free_blocks(), n / 2);
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, 512, 0));
	for (size_t i = 1; i < n; i += 2)
		KT_EXPECT_EQ(t, tlsf_free(&tl, p[i]), KERR_OK);
	expect_all_free(t);
	/* The whole region in one request: its own list's head is looked at. */
	p[0] = tlsf_alloc(&tl, whole - RZ, 0);
	KT_EXPECT_NOT_NULL(t, p[0]);
	KT_EXPECT_EQ(t, tlsf_free(&tl, p[0]), KERR_OK);
	expect_all_free(t);
}

static void zero_and_huge_sizes(struct ktest *t)
{
	SETUP(t);
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, 0, 0));
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, REGION_BYTES, 0));
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, SIZE_MAX, 0));
	KT_EXPECT_NULL(t, tlsf_alloc(&tl, SIZE_MAX - 8, PAGE_SIZE));
	KT_EXPECT_EQ(t, tl.counters.failures, 4u);
	KT_EXPECT_EQ(t, tlsf_usable_size(&tl, NULL), 0u);
	expect_all_free(t);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != v)
			return false;
	}
	return true;
}

static void poison_catches_write_after_free(struct ktest *t)
{
	uint64_t reports;
	uint8_t *a, *b, *c;
	size_t n;

	SKIP_IF_MISUSE_PANICS(t);
	if (!IS_ENABLED(CONFIG_DEBUG_POISON))
		KT_SKIP(t, "CONFIG_DEBUG_POISON is off");
	SETUP(t);
	/* Blocks of 256 bytes: a list boundary at every TLSF_SL_INDEX_BITS, never rounded past. */
	n = 256 - hdr - RZ;
	a = tlsf_alloc(&tl, n, 0);
	b = tlsf_alloc(&tl, n, 0);
	KT_ASSERT_NOT_NULL(t, b);
	KT_EXPECT_TRUE(t, all_bytes(a, n, POISON_INUSE));
	KT_ASSERT_EQ(t, tlsf_free(&tl, a), KERR_OK);
	reports = mm_misuse_total();
	a[60] = 1;                           /* the bug: a write after free */
	c = tlsf_alloc(&tl, n, 0);
	KT_EXPECT_PTR_EQ(t, c, a);           /* the list head: the same block */
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	KT_EXPECT_EQ(t, tl.counters.misuse, 1u);
	KT_EXPECT_TRUE(t, all_bytes(c, n, POISON_INUSE));
	/* An untouched free block raises nothing. */
	KT_ASSERT_EQ(t, tlsf_free(&tl, c), KERR_OK);
	KT_EXPECT_PTR_EQ(t, tlsf_alloc(&tl, n, 0), a);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	expect_consistent(t);
}

/* tlsf_check() with red zones: a byte past a live block fails it, repaired passes. */
static void check_finds_overflow(struct ktest *t)
{
	uint8_t *a;
	uint64_t reports;

	SKIP_IF_MISUSE_PANICS(t);
	if (!DEBUG_REDZONE)
		KT_SKIP(t, "CONFIG_DEBUG_REDZONE is off");
	SETUP(t);
	a = tlsf_alloc(&tl, 40, 0);
	KT_ASSERT_NOT_NULL(t, a);
	KT_EXPECT_TRUE(t, tlsf_check(&tl));
	reports = mm_misuse_total();
	a[tlsf_usable_size(&tl, a)] = 0;
	KT_EXPECT_FALSE(t, tlsf_check(&tl));
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	a[tlsf_usable_size(&tl, a)] = RED_ACTIVE;
	KT_EXPECT_TRUE(t, tlsf_check(&tl));
	KT_EXPECT_EQ(t, tlsf_free(&tl, a), KERR_OK);
	expect_all_free(t);
}

static const struct ktest_case tlsf_cases[] = {
	KTEST_CASE(init_one_free_block),
	KTEST_CASE(empty_allocator_fails_cleanly),
	KTEST_CASE(mapping_geometry),
	KTEST_CASE(good_fit_rounds_up),
	KTEST_CASE(coalesce_neighbours),
	KTEST_CASE(invariants_after_every_operation),
	KTEST_CASE(alignment_every_power_of_two),
	KTEST_CASE(realloc_in_place_and_moving),
	KTEST_CASE(misuse_refused),
	KTEST_CASE(exhaustion_and_recovery),
	KTEST_CASE(zero_and_huge_sizes),
	KTEST_CASE(poison_catches_write_after_free),
	KTEST_CASE(check_finds_overflow),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(tlsf, tlsf_cases, region_get, region_put);
