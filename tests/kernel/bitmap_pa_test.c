/*
 * bitmap_pa_test.c - the bitmap page allocator, on private instances.
 *
 * Each case builds its own instance over a block of pages taken from the
 * global page allocator, so results are exact and do not depend on what
 * boot left behind.  The block is 2^SPAN_ORDER pages, naturally aligned,
 * which makes the aligned-allocation and per-order figures predictable.
 * The instance counts nothing itself (its zone does): what it refuses is
 * counted from the reports (mm_misuse_total()).
 */
#include <stddef.h>
#include <stdint.h>

#include "bitmap_pa.h"
#include "kerrno.h"
#include "ktest.h"
#include "mm_misuse.h"
#include "page_alloc.h"

#define SPAN_ORDER 7
#define SPAN_PAGES ((size_t)1 << SPAN_ORDER)   /* two bitmap words */

static void *span_mem;
static unsigned long meta_buf[SPAN_PAGES / 64];
/* The instance's descriptors: private, not mem_map's. */
static struct page span_map[SPAN_PAGES];
static uint64_t misuse0;

/* Misuse reported since the case's instance was made. */
static uint64_t misuses(void)
{
	return mm_misuse_total() - misuse0;
}

#define PG(i) ((void *)((uintptr_t)span_mem + (uintptr_t)(i) * PAGE_SIZE))

static void span_get(struct ktest *t)
{
	(void)t;
	span_mem = alloc_pages(SPAN_ORDER, GFP_KERNEL);
}

static void span_put(struct ktest *t)
{
	(void)t;
	free_pages(span_mem, SPAN_ORDER);
	span_mem = NULL;
}

/* An instance over the first @npages pages of the span, all reserved. */
static bool make_pa(struct ktest *t, struct bitmap_pa *pa, size_t npages)
{
	if (!ktest_check(t, span_mem != NULL, __FILE__, __LINE__, true,
			 "alloc_pages() gave the test its span"))
		return false;
	if (!ktest_check(t, bitmap_pa_meta_size(npages) <= sizeof(meta_buf), __FILE__,
			 __LINE__, true, "bitmap_pa_meta_size(npages) <= sizeof(meta_buf)"))
		return false;
	bitmap_pa_init(pa, (uintptr_t)span_mem, npages, span_map, meta_buf);
	misuse0 = mm_misuse_total();
	return true;
}

/* ...with every page released. */
static bool make_free_pa(struct ktest *t, struct bitmap_pa *pa, size_t npages)
{
	return make_pa(t, pa, npages) &&
	       ktest_check_int(t, bitmap_pa_release(pa, (uintptr_t)span_mem, npages) == 0,
			       __FILE__, __LINE__, true, "release", "==", "0", 0, 0);
}

#define SETUP(t, pa, n) do { if (!make_pa(t, pa, n)) return; } while (0)
#define SETUP_FREE(t, pa, n) do { if (!make_free_pa(t, pa, n)) return; } while (0)

static void starts_reserved(struct ktest *t)
{
	struct bitmap_pa pa;

	SETUP(t, &pa, 64);
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 0u);
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 0u);
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 1));

	KT_ASSERT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)span_mem, 64), KERR_OK);
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 64u);
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 64u);
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(0));
}

static void release_checks(struct ktest *t)
{
	struct bitmap_pa pa;

	SETUP(t, &pa, 64);
	KT_EXPECT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(0) + 8, 1), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(60), 8), KERR_RANGE);
	KT_EXPECT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(0) - PAGE_SIZE, 2), KERR_RANGE);
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 0u);

	/* Two usable ranges with a reserved hole between them. */
	KT_ASSERT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(0), 10), KERR_OK);
	KT_ASSERT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(20), 10), KERR_OK);
	/* Releasing again changes nothing and is not counted twice. */
	KT_ASSERT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(5), 10), KERR_OK);
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 25u);
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 15u);
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 16));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 15), PG(0));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 10), PG(20));
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 1));
}

static void first_fit_order(struct ktest *t)
{
	struct bitmap_pa pa;

	SETUP_FREE(t, &pa, 64);
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(0));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(1));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(2));
	KT_ASSERT_EQ(t, bitmap_pa_free(&pa, PG(1), 1), KERR_OK);
	/* The lowest free page wins... */
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(1));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 2), PG(3));
	KT_ASSERT_EQ(t, bitmap_pa_free(&pa, PG(0), 1), KERR_OK);
	/* ...if the run is long enough: one free page at 0 does not hold two. */
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 2), PG(5));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(0));
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 64u - 7u);
}

static void runs_across_words(struct ktest *t)
{
	struct bitmap_pa pa;

	SETUP_FREE(t, &pa, SPAN_PAGES);
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 60), PG(0));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 10), PG(60));    /* crosses bit 64 */
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 58), PG(70));
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 0u);
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 1));

	KT_ASSERT_EQ(t, bitmap_pa_free(&pa, PG(60), 10), KERR_OK);
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 10u);
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 5), PG(60));
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 6));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 5), PG(65));
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 0u);
}

/* A span that ends inside a word: the bits past its end must never be free. */
static void span_ends_mid_word(struct ktest *t)
{
	struct bitmap_pa pa;
	void *p = NULL;
	size_t n = 0;

	SETUP_FREE(t, &pa, 100);
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 101));
	KT_ASSERT_PTR_EQ(t, bitmap_pa_alloc(&pa, 100), PG(0));
	KT_ASSERT_EQ(t, bitmap_pa_free(&pa, PG(0), 100), KERR_OK);
	for (void *q; (q = bitmap_pa_alloc(&pa, 1)); n++)
		p = q;
	KT_EXPECT_EQ(t, n, 100u);
	KT_EXPECT_PTR_EQ(t, p, PG(99));
}

static void exhaustion_and_recovery(struct ktest *t)
{
	struct bitmap_pa pa;
	size_t n = 0;

	SETUP_FREE(t, &pa, 64);
	while (bitmap_pa_alloc(&pa, 1))
		n++;
	KT_EXPECT_EQ(t, n, 64u);
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 1));
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 0u);

	for (size_t i = 0; i < 64; i++)
		KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(i), 1), KERR_OK);
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 64u);
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 64), PG(0));
	KT_EXPECT_EQ(t, span_map[0].npages, 64u);
	KT_EXPECT_EQ(t, misuses(), 0u);
}

static void double_free_refused(struct ktest *t)
{
	struct bitmap_pa pa;
	uint64_t reports;

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic");
	SETUP_FREE(t, &pa, 64);
	KT_ASSERT_PTR_EQ(t, bitmap_pa_alloc(&pa, 4), PG(0));
	KT_ASSERT_PTR_EQ(t, bitmap_pa_alloc(&pa, 4), PG(4));
	KT_ASSERT_EQ(t, bitmap_pa_free(&pa, PG(0), 4), KERR_OK);
	reports = mm_misuse_total();
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(0), 4), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(2), 1), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 2);
	KT_EXPECT_EQ(t, misuses(), 2u);
	/* Nothing changed: the second allocation is still live, the first free. */
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 60u);
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 4), PG(0));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(8));
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(4), 4), KERR_OK);
}

static void wrong_size_refused(struct ktest *t)
{
	struct bitmap_pa pa;

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic");
	SETUP_FREE(t, &pa, 64);
	KT_ASSERT_PTR_EQ(t, bitmap_pa_alloc(&pa, 4), PG(0));
	KT_ASSERT_PTR_EQ(t, bitmap_pa_alloc(&pa, 2), PG(4));
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(0), 2), KERR_WRONG_SIZE);   /* too short */
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(0), 6), KERR_WRONG_SIZE);   /* into the next */
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(0), 0), KERR_WRONG_SIZE);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(1), 3), KERR_BAD_PTR);      /* interior page */
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 58u);
	KT_ASSERT_EQ(t, bitmap_pa_free(&pa, PG(4), 2), KERR_OK);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(0), 5), KERR_WRONG_SIZE);   /* into free pages */
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 60u);
	KT_EXPECT_EQ(t, misuses(), 5u);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(0), 4), KERR_OK);
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 64u);
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 64u);
}

static void bad_address_refused(struct ktest *t)
{
	struct bitmap_pa pa;
	uint64_t reports;

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic");
	SETUP(t, &pa, 64);
	KT_ASSERT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(0), 32), KERR_OK);   /* 32.. reserved */
	KT_ASSERT_PTR_EQ(t, bitmap_pa_alloc(&pa, 4), PG(0));
	reports = mm_misuse_total();
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, (char *)PG(0) + 1, 4), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, (char *)PG(0) - PAGE_SIZE, 1), KERR_RANGE);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(64), 1), KERR_RANGE);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(0), 65), KERR_RANGE);
	KT_EXPECT_EQ(t, bitmap_pa_free(&pa, PG(40), 1), KERR_BAD_PTR);     /* reserved */
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 5);
	KT_EXPECT_EQ(t, misuses(), 5u);
	KT_EXPECT_EQ(t, bitmap_pa_free_pages(&pa), 28u);
	KT_EXPECT_FALSE(t, bitmap_pa_owns(&pa, PG(64)));
	KT_EXPECT_TRUE(t, bitmap_pa_owns(&pa, PG(63)));
	/* Reserved pages stay out of reach. */
	KT_EXPECT_NULL(t, bitmap_pa_alloc(&pa, 29));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 28), PG(4));
}

static void aligned_runs(struct ktest *t)
{
	struct bitmap_pa pa;

	SETUP_FREE(t, &pa, 64);
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(0));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc_aligned(&pa, 4, 4), PG(4));   /* 1..3 too few / unaligned */
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc_aligned(&pa, 1, 1), PG(1));   /* gaps still first fit */
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc_aligned(&pa, 8, 8), PG(8));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc_aligned(&pa, 16, 16), PG(16));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc_aligned(&pa, 2, 32), PG(32));
	KT_EXPECT_NULL(t, bitmap_pa_alloc_aligned(&pa, 32, 32));
	KT_EXPECT_NULL(t, bitmap_pa_alloc_aligned(&pa, 2, 3));            /* not a power of two */
	KT_EXPECT_NULL(t, bitmap_pa_alloc_aligned(&pa, 1, 0));
	KT_EXPECT_PTR_EQ(t, bitmap_pa_alloc_aligned(&pa, 2, 2), PG(2));
	for (size_t a = 1; a <= 8; a <<= 1) {
		void *p = bitmap_pa_alloc_aligned(&pa, 1, a);

		KT_EXPECT_NOT_NULL(t, p);
		KT_EXPECT_EQ(t, ((uintptr_t)p / PAGE_SIZE) % a, 0u);
	}
}

static size_t pages_in(const size_t *nr_free, unsigned int max_order)
{
	size_t n = 0;

	for (unsigned int o = 0; o <= max_order; o++)
		n += nr_free[o] << o;
	return n;
}

static void free_blocks_per_order(struct ktest *t)
{
	struct bitmap_pa pa;
	size_t nr[PAGE_STATS_MAX_ORDER + 1];

	SETUP_FREE(t, &pa, 64);
	bitmap_pa_nr_free(&pa, nr, PAGE_STATS_MAX_ORDER);
	KT_EXPECT_EQ(t, nr[6], 1u);
	KT_EXPECT_EQ(t, pages_in(nr, PAGE_STATS_MAX_ORDER), 64u);

	/* Page 0 taken: 1..63 splits into one aligned block of each order 0..5. */
	KT_ASSERT_PTR_EQ(t, bitmap_pa_alloc(&pa, 1), PG(0));
	bitmap_pa_nr_free(&pa, nr, PAGE_STATS_MAX_ORDER);
	for (unsigned int o = 0; o <= 5; o++)
		KT_EXPECT_EQ(t, nr[o], 1u);
	KT_EXPECT_EQ(t, nr[6], 0u);
	KT_EXPECT_EQ(t, pages_in(nr, PAGE_STATS_MAX_ORDER), 63u);
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 63u);

	/* A cap on the order splits big blocks into several capped ones. */
	bitmap_pa_nr_free(&pa, nr, 3);
	KT_EXPECT_EQ(t, nr[3], 1u + 2u + 4u);
	KT_EXPECT_EQ(t, pages_in(nr, 3), 63u);

	/* Blocks are aligned to their size: four free pages from frame 1 are 1 + 2 + 1. */
	SETUP(t, &pa, 64);
	KT_ASSERT_EQ(t, bitmap_pa_release(&pa, (uintptr_t)PG(1), 4), KERR_OK);
	bitmap_pa_nr_free(&pa, nr, PAGE_STATS_MAX_ORDER);
	KT_EXPECT_EQ(t, nr[0], 2u);
	KT_EXPECT_EQ(t, nr[1], 1u);
	KT_EXPECT_EQ(t, nr[2], 0u);
	KT_EXPECT_EQ(t, bitmap_pa_largest_free_run(&pa), 4u);
}

static const struct ktest_case bitmap_pa_cases[] = {
	KTEST_CASE(starts_reserved),
	KTEST_CASE(release_checks),
	KTEST_CASE(first_fit_order),
	KTEST_CASE(runs_across_words),
	KTEST_CASE(span_ends_mid_word),
	KTEST_CASE(exhaustion_and_recovery),
	KTEST_CASE(double_free_refused),
	KTEST_CASE(wrong_size_refused),
	KTEST_CASE(bad_address_refused),
	KTEST_CASE(aligned_runs),
	KTEST_CASE(free_blocks_per_order),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(bitmap_pa, bitmap_pa_cases, span_get, span_put);
