/*
 * heap_test.c - SimpleHeap, on a private heap over a few pages.
 *
 * Every case starts from a freshly initialised heap over the same pages
 * (taken from the page allocator by the suite's init hook), so the
 * results are exact.  The header size is not hard-coded: a new heap is one
 * free block, so its meta_bytes is the size of one header.
 */
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktest.h"
#include "mm_debug.h"
#include "mm_misuse.h"
#include "page_alloc.h"

#define REGION_PAGES 4
#define REGION_BYTES (REGION_PAGES * PAGE_SIZE)

static void *region;
static struct heap heap;
static size_t hdr;      /* bytes of one block header */
static size_t whole;    /* the largest request a fresh heap can serve */

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

static bool fresh_heap(struct ktest *t)
{
	struct heap_stats st;

	if (!ktest_check(t, region != NULL, __FILE__, __LINE__, true,
			 "page_alloc() gave the test its region"))
		return false;
	heap_init(&heap, region, REGION_BYTES);
	heap_get_stats(&heap, &st);
	hdr = st.meta_bytes;
	whole = st.largest_free;
	return true;
}

#define SETUP(t) do { if (!fresh_heap(t)) return; } while (0)

/* Red zone bytes after every block (Kconfig DEBUG_REDZONE), 0 without. */
#define RZ ((size_t)(DEBUG_REDZONE ? RED_ZONE_BYTES : 0))

/* Payload bytes a request of @n takes: rounded to the granule, red zone included. */
static size_t payload(size_t n)
{
	n += RZ;
	return n < HEAP_MIN_ALIGN ? HEAP_MIN_ALIGN : ALIGN_UP(n, (size_t)HEAP_MIN_ALIGN);
}

/* What heap_usable_size() says of a request of @n: all of its payload, or with red zones @n. */
static size_t usable(size_t n)
{
	return DEBUG_REDZONE ? n : payload(n);
}

/* The largest request a fresh heap serves: its whole free block, less the red zone. */
#define WHOLE_REQUEST (whole - RZ)
#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

/* The accounting identities that hold after every operation. */
static void expect_consistent(struct ktest *t)
{
	struct heap_stats st;

	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.free_bytes + st.used_bytes + st.meta_bytes, st.region_bytes);
	KT_EXPECT_EQ(t, st.meta_bytes, hdr * (st.free_blocks + st.live_blocks));
	KT_EXPECT_EQ(t, st.counters.allocs - st.counters.frees, (uint64_t)st.live_blocks);
	KT_EXPECT_LE(t, st.requested_bytes, st.used_bytes);
	KT_EXPECT_LE(t, st.largest_free, st.free_bytes);
	KT_EXPECT_LE(t, st.used_bytes, st.peak_used_bytes);
}

/* Everything is free again: one block spanning the region. */
static void expect_all_free(struct ktest *t)
{
	struct heap_stats st;

	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.free_blocks, 1u);
	KT_EXPECT_EQ(t, st.live_blocks, 0u);
	KT_EXPECT_EQ(t, st.used_bytes, 0u);
	KT_EXPECT_EQ(t, st.requested_bytes, 0u);
	KT_EXPECT_EQ(t, st.largest_free, whole);
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
	struct heap_stats st;

	SETUP(t);
	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.region_bytes, REGION_BYTES);
	KT_EXPECT_EQ(t, st.free_blocks, 1u);
	KT_EXPECT_EQ(t, st.free_bytes, REGION_BYTES - hdr);
	KT_EXPECT_EQ(t, whole, REGION_BYTES - hdr);
	KT_EXPECT_GE(t, hdr, sizeof(size_t));
	KT_EXPECT_TRUE(t, heap_contains(&heap, region));
	KT_EXPECT_FALSE(t, heap_contains(&heap, (char *)region + REGION_BYTES));
	expect_consistent(t);
}

static void empty_heap_fails_cleanly(struct ktest *t)
{
	static uint8_t tiny[32] __attribute__((aligned(16)));
	struct heap h;

	heap_init(&h, NULL, 0);
	KT_EXPECT_NULL(t, heap_alloc(&h, 16, 0));
	KT_EXPECT_EQ(t, h.counters.failures, 1u);
	KT_EXPECT_EQ(t, heap_free(&h, NULL), KERR_OK);
	heap_init(&h, tiny, 16);   /* smaller than one block */
	KT_EXPECT_NULL(t, heap_alloc(&h, 1, 0));
}

static void first_fit_address_order(struct ktest *t)
{
	uint8_t *a, *b, *c, *d, *e;

	SETUP(t);
	a = heap_alloc(&heap, 100, 0);
	b = heap_alloc(&heap, 100, 0);
	c = heap_alloc(&heap, 100, 0);
	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	KT_ASSERT_NOT_NULL(t, c);
	KT_EXPECT_PTR_EQ(t, a, (uint8_t *)region + hdr);
	KT_EXPECT_PTR_EQ(t, b, a + payload(100) + hdr);
	KT_EXPECT_PTR_EQ(t, c, b + payload(100) + hdr);

	KT_ASSERT_EQ(t, heap_free(&heap, b), KERR_OK);
	d = heap_alloc(&heap, 50, 0);
	KT_EXPECT_PTR_EQ(t, d, b);           /* the lowest hole that fits */
	e = heap_alloc(&heap, 200, 0);
	KT_EXPECT_TRUE(t, e > c);            /* the hole is too small for it */
	KT_ASSERT_EQ(t, heap_free(&heap, a), KERR_OK);
	KT_EXPECT_PTR_EQ(t, heap_alloc(&heap, 16, 0), a);
	expect_consistent(t);
}

static void split_leaves_no_sliver(struct ktest *t)
{
	struct heap_stats st;
	void *p;

	SETUP(t);
	/* A remainder that could not hold a block (16 bytes here) stays with the allocation. */
	p = heap_alloc(&heap, WHOLE_REQUEST - 20, 0);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, heap_usable_size(&heap, p), DEBUG_REDZONE ? WHOLE_REQUEST - 20 : whole);
	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.free_blocks, 0u);
	KT_EXPECT_EQ(t, heap_requested_size(&heap, p), WHOLE_REQUEST - 20);
	KT_ASSERT_EQ(t, heap_free(&heap, p), KERR_OK);

	/* One that can (a header and three granules) is split off. */
	p = heap_alloc(&heap, WHOLE_REQUEST - (hdr + 3 * HEAP_MIN_ALIGN), 0);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, heap_usable_size(&heap, p),
		     usable(WHOLE_REQUEST - (hdr + 3 * HEAP_MIN_ALIGN)));
	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.free_blocks, 1u);
	KT_EXPECT_EQ(t, st.free_bytes, (size_t)3 * HEAP_MIN_ALIGN);
	expect_consistent(t);
	KT_ASSERT_EQ(t, heap_free(&heap, p), KERR_OK);
	expect_all_free(t);
}

/* Four blocks freed in each of the 24 orders always coalesce back into one. */
static void coalesce_every_order(struct ktest *t)
{
	SETUP(t);
	for (unsigned int perm = 0; perm < 24; perm++) {
		unsigned int order[4], pool[4] = { 0, 1, 2, 3 }, left = 4, r = perm;
		void *blk[4];

		for (unsigned int i = 0; i < 4; i++) {
			unsigned int pick = r % left;

			r /= left;
			order[i] = pool[pick];
			pool[pick] = pool[--left];
		}
		for (unsigned int i = 0; i < 4; i++) {
			blk[i] = heap_alloc(&heap, 64 + 32 * i, 0);
			KT_ASSERT_NOT_NULL(t, blk[i]);
		}
		for (unsigned int i = 0; i < 4; i++)
			KT_EXPECT_EQ(t, heap_free(&heap, blk[order[i]]), KERR_OK);
		expect_all_free(t);
		/* ...so the whole region can be had in one piece. */
		blk[0] = heap_alloc(&heap, WHOLE_REQUEST, 0);
		KT_ASSERT_PTR_EQ(t, blk[0], (uint8_t *)region + hdr);
		KT_ASSERT_EQ(t, heap_free(&heap, blk[0]), KERR_OK);
	}
	expect_consistent(t);
}

/*
 * A free walks from the rover (the last place the list changed) when it
 * lies above it, from the head otherwise: frees above and below it, with
 * allocations and in-place growth moving it in between, must leave the
 * list complete and in address order - first fit then hands the holes
 * out lowest first, and everything coalesces back into one block.
 */
static void rover_keeps_address_order(struct ktest *t)
{
	/*
	 * Above, below, above, far above, between...: every way round the
	 * rover; the last free (13) leaves it at that hole.
	 */
	static const unsigned int order[] = { 5, 1, 9, 15, 3, 11, 7, 13 };
	enum { N = 16 };
	uint8_t *blk[N];
	struct heap_stats st;

	SETUP(t);
	for (unsigned int i = 0; i < N; i++) {
		blk[i] = heap_alloc(&heap, 48, 0);
		KT_ASSERT_NOT_NULL(t, blk[i]);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(order); i++) {
		KT_ASSERT_EQ(t, heap_free(&heap, blk[order[i]]), KERR_OK);
		if (i == 3) {
			/* An allocation takes the lowest hole and leaves the rover there. */
			void *p = heap_alloc(&heap, 48, 0);

			KT_ASSERT_PTR_EQ(t, p, blk[1]);
			KT_ASSERT_EQ(t, heap_free(&heap, p), KERR_OK);
		}
	}
	/* Seven holes, and blk[15] merged into the free tail. */
	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.free_blocks, (size_t)ARRAY_SIZE(order));
	expect_consistent(t);
	/*
	 * Growing blk[12] in place over the whole hole after it (the rover)
	 * takes that hole off the list; the caller's bytes overwrite its old
	 * header, and a free above must still find its place.
	 */
	{
		size_t grown = 2 * payload(48) + hdr - RZ;
		void *q;

		KT_ASSERT_EQ(t, heap_realloc_try(&heap, blk[12], grown, &q), KERR_OK);
		KT_ASSERT_PTR_EQ(t, q, blk[12]);
		fill(blk[12], grown, 12);
		KT_ASSERT_EQ(t, heap_free(&heap, blk[14]), KERR_OK);
	}
	/* Lowest first: the list holds every hole left, in address order. */
	for (unsigned int i = 1; i < 13; i += 2) {
		void *p = heap_alloc(&heap, 48, 0);

		KT_EXPECT_PTR_EQ(t, p, blk[i]);
	}
	for (unsigned int i = 0; i <= 12; i++)
		KT_EXPECT_EQ(t, heap_free(&heap, blk[i]), KERR_OK);
	expect_all_free(t);
}

static void coalesce_both_neighbours(struct ktest *t)
{
	struct heap_stats st;
	void *a, *b, *c, *d;

	SETUP(t);
	a = heap_alloc(&heap, 64, 0);
	b = heap_alloc(&heap, 64, 0);
	c = heap_alloc(&heap, 64, 0);
	d = heap_alloc(&heap, 64, 0);     /* keeps c away from the tail */
	KT_ASSERT_NOT_NULL(t, d);
	KT_ASSERT_EQ(t, heap_free(&heap, a), KERR_OK);
	KT_ASSERT_EQ(t, heap_free(&heap, c), KERR_OK);
	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.free_blocks, 3u);      /* a, c, the tail */
	KT_ASSERT_EQ(t, heap_free(&heap, b), KERR_OK);
	heap_get_stats(&heap, &st);
	KT_EXPECT_EQ(t, st.free_blocks, 2u);      /* a+b+c, the tail */
	KT_EXPECT_EQ(t, st.largest_free, whole - 4 * (payload(64) + hdr));
	/* a+b+c is one block now: a request for all of it lands at a. */
	KT_EXPECT_PTR_EQ(t, heap_alloc(&heap, 3 * payload(64) + 2 * hdr - RZ, 0), a);
	expect_consistent(t);
}

static void alignment_every_power_of_two(struct ktest *t)
{
	void *p[20];
	unsigned int n = 0;

	SETUP(t);
	for (size_t align = 16; align <= PAGE_SIZE; align <<= 1) {
		/* A small block first, so the free space does not start aligned. */
		p[n] = heap_alloc(&heap, 24, 0);
		KT_ASSERT_NOT_NULL(t, p[n]);
		n++;
		p[n] = heap_alloc(&heap, 40, align);
		KT_ASSERT_NOT_NULL(t, p[n]);
		KT_EXPECT_EQ(t, (uintptr_t)p[n] % align, 0u);
		KT_EXPECT_GE(t, heap_usable_size(&heap, p[n]), 40u);
		memset(p[n], 0xee, heap_usable_size(&heap, p[n]));
		n++;
		expect_consistent(t);
	}
	/* Below the minimum is raised to it; invalid ones are refused. */
	KT_EXPECT_EQ(t, (uintptr_t)heap_alloc(&heap, 8, 8) % HEAP_MIN_ALIGN, 0u);
	KT_EXPECT_NULL(t, heap_alloc(&heap, 8, 24));
	KT_EXPECT_NULL(t, heap_alloc(&heap, 8, 2 * PAGE_SIZE));
	KT_EXPECT_EQ(t, heap.counters.failures, 2u);
	while (n)
		KT_EXPECT_EQ(t, heap_free(&heap, p[--n]), KERR_OK);
	expect_consistent(t);
}

static void realloc_grows_in_place(struct ktest *t)
{
	uint8_t *a, *q;

	SETUP(t);
	a = heap_alloc(&heap, 64, 0);
	KT_ASSERT_NOT_NULL(t, a);
	fill(a, 64, 1);
	q = heap_realloc(&heap, a, 1000);
	KT_EXPECT_PTR_EQ(t, q, a);                   /* the tail was free */
	KT_EXPECT_TRUE(t, holds(a, 64, 1));
	KT_EXPECT_GE(t, heap_usable_size(&heap, a), 1000u);
	KT_EXPECT_EQ(t, heap_requested_size(&heap, a), 1000u);
	memset(a, 0x11, 1000);
	expect_consistent(t);
}

static void realloc_shrinks_in_place(struct ktest *t)
{
	struct heap_stats before, after;
	uint8_t *a, *b;

	SETUP(t);
	a = heap_alloc(&heap, 1024, 0);
	b = heap_alloc(&heap, 64, 0);       /* a's tail will not touch the big free block */
	KT_ASSERT_NOT_NULL(t, b);
	fill(a, 1024, 2);
	heap_get_stats(&heap, &before);
	KT_EXPECT_PTR_EQ(t, heap_realloc(&heap, a, 100), a);
	KT_EXPECT_TRUE(t, holds(a, 100, 2));
	KT_EXPECT_LT(t, heap_usable_size(&heap, a), 1024u);
	heap_get_stats(&heap, &after);
	KT_EXPECT_EQ(t, after.free_blocks, before.free_blocks + 1);
	KT_EXPECT_GT(t, after.free_bytes, before.free_bytes);
	/* The tail it gave up is free right behind it: growing back stays in place. */
	KT_EXPECT_PTR_EQ(t, heap_realloc(&heap, a, 900), a);
	KT_EXPECT_TRUE(t, holds(a, 100, 2));
	expect_consistent(t);
}

static void realloc_moves_and_keeps_contents(struct ktest *t)
{
	uint8_t *a, *b, *q;

	SETUP(t);
	a = heap_alloc(&heap, 64, 0);
	b = heap_alloc(&heap, 64, 0);       /* blocks a from growing */
	KT_ASSERT_NOT_NULL(t, b);
	fill(a, 64, 3);
	q = heap_realloc(&heap, a, 512);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_PTR_NE(t, q, a);
	KT_EXPECT_TRUE(t, holds(q, 64, 3));
	KT_EXPECT_EQ(t, heap_usable_size(&heap, a), 0u);   /* a is gone */
	KT_EXPECT_EQ(t, heap.live_blocks, 2u);
	/* NULL grows into an allocation, size 0 frees. */
	a = heap_realloc(&heap, NULL, 32);
	KT_EXPECT_NOT_NULL(t, a);
	KT_EXPECT_NULL(t, heap_realloc(&heap, a, 0));
	KT_EXPECT_EQ(t, heap.live_blocks, 2u);
	expect_consistent(t);
}

static void realloc_failure_keeps_block(struct ktest *t)
{
	struct heap_stats before, after;
	uint8_t *a;
	void *q = NULL;

	SETUP(t);
	a = heap_alloc(&heap, 64, 0);
	KT_ASSERT_NOT_NULL(t, a);
	fill(a, 64, 4);
	heap_get_stats(&heap, &before);
	KT_EXPECT_NULL(t, heap_realloc(&heap, a, 2 * REGION_BYTES));
	KT_EXPECT_EQ(t, heap_realloc_try(&heap, a, SIZE_MAX, &q), KERR_NOMEM);
	KT_EXPECT_NULL(t, q);
	KT_EXPECT_EQ(t, heap_realloc_try(&heap, a, whole + 1, &q), KERR_NOMEM);
	KT_EXPECT_EQ(t, heap_realloc_try(&heap, a, 0, &q), KERR_INVAL);
	heap_get_stats(&heap, &after);
	KT_EXPECT_TRUE(t, holds(a, 64, 4));
	KT_EXPECT_EQ(t, heap_usable_size(&heap, a), 64u);
	KT_EXPECT_EQ(t, after.free_bytes, before.free_bytes);
	KT_EXPECT_EQ(t, after.counters.failures, before.counters.failures + 4);
	expect_consistent(t);
}

static void invalid_frees_refused(struct ktest *t)
{
	struct heap_stats before, after;
	uint64_t reports;
	uint8_t *a, *b, *c;
	int local;

	SKIP_IF_MISUSE_PANICS(t);
	SETUP(t);
	a = heap_alloc(&heap, 64, 0);
	b = heap_alloc(&heap, 64, 0);
	c = heap_alloc(&heap, 64, 0);
	KT_ASSERT_NOT_NULL(t, c);
	KT_ASSERT_EQ(t, heap_free(&heap, a), KERR_OK);

	heap_get_stats(&heap, &before);
	reports = mm_misuse_total();
	KT_EXPECT_EQ(t, heap_free(&heap, a), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, heap_free(&heap, a + 16), KERR_DOUBLE_FREE);   /* inside free memory */
	KT_EXPECT_EQ(t, heap_free(&heap, c + 16), KERR_BAD_PTR);       /* interior of a live block */
	KT_EXPECT_EQ(t, heap_free(&heap, c + 1), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, heap_free(&heap, &local), KERR_BAD_PTR);       /* not in the region */
	KT_EXPECT_EQ(t, heap_free(&heap, c - hdr), KERR_BAD_PTR);      /* a header, not a payload */
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 6);
	heap_get_stats(&heap, &after);
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + 6);
	KT_EXPECT_EQ(t, after.free_blocks, before.free_blocks);
	KT_EXPECT_EQ(t, after.free_bytes, before.free_bytes);
	KT_EXPECT_EQ(t, after.live_blocks, before.live_blocks);
	KT_EXPECT_EQ(t, after.counters.frees, before.counters.frees);

	/* b merges with a: a second free of b is inside a free block. */
	KT_ASSERT_EQ(t, heap_free(&heap, b), KERR_OK);
	KT_EXPECT_EQ(t, heap_free(&heap, b), KERR_DOUBLE_FREE);
	/* The lists are intact: everything frees and coalesces as usual. */
	KT_EXPECT_EQ(t, heap_free(&heap, c), KERR_OK);
	expect_all_free(t);
	expect_consistent(t);
}

static void exhaustion_and_recovery(struct ktest *t)
{
	void *p[REGION_BYTES / 256 + 8];
	size_t n = 0;

	SETUP(t);
	/* Blocks of 256 bytes, header included, tile the region exactly. */
	while (n < ARRAY_SIZE(p) && (p[n] = heap_alloc(&heap, 256 - hdr - RZ, 0)))
		n++;
	KT_EXPECT_EQ(t, n, REGION_BYTES / 256);
	KT_EXPECT_EQ(t, heap.counters.failures, 1u);
	KT_EXPECT_NULL(t, heap_alloc(&heap, 240, 0));
	KT_EXPECT_EQ(t, heap.counters.failures, 2u);
	/* Free every other block, then the rest: fragmentation heals completely. */
	for (size_t i = 0; i < n; i += 2)
		KT_EXPECT_EQ(t, heap_free(&heap, p[i]), KERR_OK);
	KT_EXPECT_NULL(t, heap_alloc(&heap, 512, 0));
	for (size_t i = 1; i < n; i += 2)
		KT_EXPECT_EQ(t, heap_free(&heap, p[i]), KERR_OK);
	expect_all_free(t);
	KT_EXPECT_NOT_NULL(t, heap_alloc(&heap, WHOLE_REQUEST, 0));
	expect_consistent(t);
}

static void zero_and_huge_sizes(struct ktest *t)
{
	struct heap_stats before, after;

	SETUP(t);
	heap_get_stats(&heap, &before);
	KT_EXPECT_NULL(t, heap_alloc(&heap, 0, 0));
	KT_EXPECT_NULL(t, heap_alloc(&heap, SIZE_MAX, 0));
	KT_EXPECT_NULL(t, heap_alloc(&heap, SIZE_MAX - 15, 0));
	KT_EXPECT_NULL(t, heap_alloc(&heap, SIZE_MAX / 2 + 1, 0));
	KT_EXPECT_NULL(t, heap_alloc(&heap, SIZE_MAX - 15, PAGE_SIZE));
	KT_EXPECT_NULL(t, heap_alloc(&heap, WHOLE_REQUEST + 1, 0));
	KT_EXPECT_NULL(t, heap_alloc(&heap, REGION_BYTES, 0));
	heap_get_stats(&heap, &after);
	KT_EXPECT_EQ(t, after.counters.failures, before.counters.failures + 7);
	KT_EXPECT_EQ(t, after.free_bytes, before.free_bytes);
	KT_EXPECT_EQ(t, after.free_blocks, 1u);
	KT_EXPECT_NOT_NULL(t, heap_alloc(&heap, WHOLE_REQUEST, 0));
}

static void usable_and_requested_sizes(struct ktest *t)
{
	void *a, *b;
	int local;

	SETUP(t);
	a = heap_alloc(&heap, 1, 0);
	b = heap_alloc(&heap, 17, 0);
	KT_ASSERT_NOT_NULL(t, b);
	KT_EXPECT_EQ(t, heap_usable_size(&heap, a), usable(1));
	KT_EXPECT_EQ(t, heap_requested_size(&heap, a), 1u);
	KT_EXPECT_EQ(t, heap_usable_size(&heap, b), usable(17));
	KT_EXPECT_EQ(t, heap_requested_size(&heap, b), 17u);
	KT_EXPECT_EQ(t, heap.requested_bytes, 18u);
	KT_EXPECT_EQ(t, heap_usable_size(&heap, &local), 0u);
	KT_EXPECT_EQ(t, heap_usable_size(&heap, (char *)b + 16), 0u);
	KT_EXPECT_EQ(t, heap_usable_size(&heap, NULL), 0u);
	expect_consistent(t);
}

/* A fixed pseudo-random mix; the identities must hold after every step. */
static void stats_stay_consistent(struct ktest *t)
{
	void *live[32] = { 0 };
	uint32_t x = 12345;
	size_t peak = 0;

	SETUP(t);
	for (unsigned int step = 0; step < 600; step++) {
		unsigned int slot;

		x = x * 1103515245u + 12345u;
		slot = (x >> 16) % 32;
		if (!live[slot]) {
			live[slot] = heap_alloc(&heap, 1 + (x >> 8) % 700, (size_t)16 << ((x >> 4) % 4));
		} else if ((x >> 12) % 3 == 0) {
			void *q = heap_realloc(&heap, live[slot], 1 + (x >> 6) % 900);

			if (q)
				live[slot] = q;
		} else {
			KT_EXPECT_EQ(t, heap_free(&heap, live[slot]), KERR_OK);
			live[slot] = NULL;
		}
		peak = MAX(peak, heap.used_bytes);
		if (step % 50 == 0)
			expect_consistent(t);
	}
	expect_consistent(t);
	for (unsigned int i = 0; i < 32; i++)
		KT_EXPECT_EQ(t, heap_free(&heap, live[i]), KERR_OK);
	expect_all_free(t);
	KT_EXPECT_GE(t, heap.peak_used_bytes, peak);   /* a moving realloc briefly holds both */
	KT_EXPECT_EQ(t, heap.counters.misuse, 0u);
}

static bool all_bytes(const void *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (((const uint8_t *)p)[i] != v)
			return false;
	}
	return true;
}

static void poison_patterns(struct ktest *t)
{
#ifdef CONFIG_DEBUG_POISON
	uint8_t *a, *b;
	size_t n;

	SETUP(t);
	a = heap_alloc(&heap, 100, 0);
	b = heap_alloc(&heap, 100, 0);      /* keeps a from merging with the tail */
	KT_ASSERT_NOT_NULL(t, b);
	n = heap_usable_size(&heap, a);
	KT_EXPECT_TRUE(t, all_bytes(a, n, 0x5a));
	memset(a, 0, n);
	KT_ASSERT_EQ(t, heap_free(&heap, a), KERR_OK);
	/* Freed payload is poison, apart from the free-list link at its start. */
	KT_EXPECT_TRUE(t, all_bytes(a + sizeof(void *), n - sizeof(void *), 0x6b));
	/* After growing in place, the new bytes are "uninitialised" too. */
	KT_ASSERT_EQ(t, heap_free(&heap, b), KERR_OK);
	a = heap_alloc(&heap, 32, 0);
	KT_ASSERT_NOT_NULL(t, a);
	memset(a, 0, 32);
	KT_ASSERT_PTR_EQ(t, heap_realloc(&heap, a, 256), a);
	KT_EXPECT_TRUE(t, all_bytes(a + 32, heap_usable_size(&heap, a) - 32, 0x5a));
#else
	(void)all_bytes;
	KT_SKIP(t, "CONFIG_DEBUG_POISON is off");
#endif
}

static void poison_catches_write_after_free(struct ktest *t)
{
#ifdef CONFIG_DEBUG_POISON
	uint64_t reports;
	uint8_t *a, *b, *c;

	SKIP_IF_MISUSE_PANICS(t);
	SETUP(t);
	a = heap_alloc(&heap, 100, 0);
	b = heap_alloc(&heap, 100, 0);
	KT_ASSERT_NOT_NULL(t, b);
	KT_ASSERT_EQ(t, heap_free(&heap, a), KERR_OK);
	reports = mm_misuse_total();
	a[40] = 1;                           /* the bug: a write after free */
	c = heap_alloc(&heap, 100, 0);
	KT_EXPECT_PTR_EQ(t, c, a);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	KT_EXPECT_EQ(t, heap.counters.misuse, 1u);
	/* The allocation itself is sound and fresh. */
	KT_EXPECT_TRUE(t, all_bytes(c, heap_usable_size(&heap, c), 0x5a));
	/* An untouched free block raises nothing. */
	KT_ASSERT_EQ(t, heap_free(&heap, c), KERR_OK);
	KT_EXPECT_PTR_EQ(t, heap_alloc(&heap, 100, 0), a);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	expect_consistent(t);
#else
	KT_SKIP(t, "CONFIG_DEBUG_POISON is off");
#endif
}

/* heap_check(): a sound heap passes; with red zones, a byte past a live block fails it. */
static void check_finds_overflow(struct ktest *t)
{
	uint8_t *a, *b;
	uint64_t reports;

	SETUP(t);
	KT_EXPECT_TRUE(t, heap_check(&heap));
	a = heap_alloc(&heap, 40, 0);
	b = heap_alloc(&heap, 300, 0);
	KT_ASSERT_NOT_NULL(t, b);
	KT_ASSERT_EQ(t, heap_free(&heap, a), KERR_OK);
	KT_EXPECT_TRUE(t, heap_check(&heap));
	if (DEBUG_REDZONE && !MM_MISUSE_PANICS) {
		reports = mm_misuse_total();
		b[heap_usable_size(&heap, b)] = 0;      /* one byte past what is b's */
		KT_EXPECT_FALSE(t, heap_check(&heap));
		KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
		b[heap_usable_size(&heap, b)] = RED_ACTIVE;
		KT_EXPECT_TRUE(t, heap_check(&heap));
	}
	KT_EXPECT_EQ(t, heap_free(&heap, b), KERR_OK);
	expect_all_free(t);
}

static const struct ktest_case heap_cases[] = {
	KTEST_CASE(init_one_free_block),
	KTEST_CASE(empty_heap_fails_cleanly),
	KTEST_CASE(first_fit_address_order),
	KTEST_CASE(split_leaves_no_sliver),
	KTEST_CASE(coalesce_every_order),
	KTEST_CASE(coalesce_both_neighbours),
	KTEST_CASE(rover_keeps_address_order),
	KTEST_CASE(alignment_every_power_of_two),
	KTEST_CASE(realloc_grows_in_place),
	KTEST_CASE(realloc_shrinks_in_place),
	KTEST_CASE(realloc_moves_and_keeps_contents),
	KTEST_CASE(realloc_failure_keeps_block),
	KTEST_CASE(invalid_frees_refused),
	KTEST_CASE(exhaustion_and_recovery),
	KTEST_CASE(zero_and_huge_sizes),
	KTEST_CASE(usable_and_requested_sizes),
	KTEST_CASE(stats_stay_consistent),
	KTEST_CASE(poison_patterns),
	KTEST_CASE(poison_catches_write_after_free),
	KTEST_CASE(check_finds_overflow),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(heap, heap_cases, region_get, region_put);
