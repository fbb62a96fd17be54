/*
 * page_alloc_test.c - the global page allocator, whatever its strategy.
 *
 * These cases run on the live allocator, so they measure against the state
 * they find (the free count at the start of the case) and leave it as they
 * found it.  Figures of the strategy alone (nr_free, largest_free_run) are
 * compared between drained states: pages on the per-CPU lists are free
 * but in no run.
 */
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktest.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "take_all.h"

#include "pa_strategy.h"

/* The buddy hands out no run longer than its largest block (pa_strategy.h). */
#define LONGEST_RUN PA_STRATEGY_MAX_PAGES
#ifdef CONFIG_PAGE_ALLOC_BUDDY
#define TOP_ORDER (CONFIG_BUDDY_MAX_ORDER < 10 ? CONFIG_BUDDY_MAX_ORDER : 10u)
#else
#define TOP_ORDER 10u
#endif

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

/* In the kernel image (or the host's data), never in managed memory. */
static char unmanaged_object[2 * 4096];

static struct page_alloc_stats stats(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st;
}

static bool all_zero(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (((const uint8_t *)p)[i])
			return false;
	}
	return true;
}

static void single_page_round_trip(struct ktest *t)
{
	struct page_alloc_stats before = stats(), during, after;
	void *p = page_alloc(1, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, (uintptr_t)p % PAGE_SIZE, 0u);
	KT_EXPECT_TRUE(t, page_alloc_owns(p));
	KT_EXPECT_TRUE(t, page_alloc_owns((char *)p + PAGE_SIZE - 1));
	memset(p, 0xa5, PAGE_SIZE);
	during = stats();
	KT_EXPECT_EQ(t, during.free_pages, before.free_pages - 1);
	KT_EXPECT_EQ(t, during.counters.allocs, before.counters.allocs + 1);
	KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	after = stats();
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
	KT_EXPECT_EQ(t, after.counters.frees, before.counters.frees + 1);
	KT_EXPECT_EQ(t, page_free(NULL, 1), KERR_OK);
}

static void gfp_zero_clears(struct ktest *t)
{
	void *p = page_alloc(2, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	memset(p, 0xa5, 2 * PAGE_SIZE);
	KT_ASSERT_EQ(t, page_free(p, 2), KERR_OK);
	p = page_alloc(2, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_TRUE(t, all_zero(p, 2 * PAGE_SIZE));
	KT_EXPECT_EQ(t, page_free(p, 2), KERR_OK);

	p = alloc_pages(1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	memset(p, 0xa5, 2 * PAGE_SIZE);
	KT_ASSERT_EQ(t, free_pages(p, 1), KERR_OK);
	p = alloc_pages(1, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_TRUE(t, all_zero(p, 2 * PAGE_SIZE));
	KT_EXPECT_EQ(t, free_pages(p, 1), KERR_OK);
}

static void orders_are_naturally_aligned(struct ktest *t)
{
	size_t free_before = stats().free_pages;
	void *odd = page_alloc(1, GFP_KERNEL);   /* so the next free page is not aligned */

	KT_ASSERT_NOT_NULL(t, odd);
	for (unsigned int order = 0; order <= TOP_ORDER; order++) {
		void *p = alloc_pages(order, GFP_KERNEL);

		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_EQ(t, (uintptr_t)p % (PAGE_SIZE << order), 0u);
		KT_EXPECT_EQ(t, stats().free_pages, free_before - 1 - ((size_t)1 << order));
		KT_EXPECT_EQ(t, free_pages(p, order), KERR_OK);
	}
	KT_EXPECT_EQ(t, page_free(odd, 1), KERR_OK);
	KT_EXPECT_EQ(t, stats().free_pages, free_before);
}

static void descriptors_follow_pages(struct ktest *t)
{
	char *p = page_alloc(3, GFP_KERNEL);
	struct page *pg;

	KT_ASSERT_NOT_NULL(t, p);
	pg = virt_to_page(p);
	KT_ASSERT_NOT_NULL(t, pg);
	KT_EXPECT_PTR_EQ(t, page_to_virt(pg), p);
	KT_EXPECT_PTR_EQ(t, virt_to_page(p + PAGE_SIZE + 100), pg + 1);
	KT_EXPECT_PTR_EQ(t, page_to_virt(pg + 2), p + 2 * PAGE_SIZE);
	/* Handed out clean, the head recording the length... */
	KT_EXPECT_EQ(t, pg->flags, 0u);
	KT_EXPECT_NULL(t, pg->owner);
	KT_EXPECT_EQ(t, pg->npages, 3u);
	KT_EXPECT_EQ(t, pg[1].npages, 0u);
	KT_EXPECT_EQ(t, pg[2].npages, 0u);
	pg->flags = PG_LARGE;
	pg->requested = 3 * PAGE_SIZE - 1;
	/*
	 * ...and taken back clean (the holder cleans any other page it
	 * marked; the union of a free page is the strategy's).
	 */
	KT_ASSERT_EQ(t, page_free(p, 3), KERR_OK);
	KT_EXPECT_EQ(t, pg->flags, 0u);
	KT_EXPECT_EQ(t, pg->npages, 0u);

	/* A single page is marked as one, so its free may take the per-CPU path. */
	p = page_alloc(1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	pg = virt_to_page(p);
	KT_EXPECT_EQ(t, pg->npages, 1u);
	KT_EXPECT_EQ(t, pg->flags, 0u);
	KT_EXPECT_EQ(t, free_pages(p, 0), KERR_OK);
	/* Back in the strategy, or on a per-CPU list (still a one-page head to the strategy). */
	KT_EXPECT_TRUE(t, pg->npages == 0 || (pg->flags & PG_PCP));

	KT_EXPECT_NULL(t, virt_to_page(unmanaged_object));
	KT_EXPECT_FALSE(t, page_alloc_owns(unmanaged_object));
	/* The descriptors are page_alloc's metadata: inside its span, never managed. */
	KT_EXPECT_NULL(t, virt_to_page(pg));
	KT_EXPECT_FALSE(t, page_alloc_owns(pg));
	KT_EXPECT_NULL(t, virt_to_page(NULL));
	KT_EXPECT_TRUE(t, page_in_mem_map(pg));
	KT_EXPECT_FALSE(t, page_in_mem_map(NULL));
	KT_EXPECT_FALSE(t, page_in_mem_map((const struct page *)unmanaged_object));
}

/* Take every page, one at a time, chained through the pages themselves. */
static void exhaustion_and_recovery(struct ktest *t)
{
	struct take_all ta;
	struct page_alloc_stats before, empty, after;
	void *chain = NULL, *p;
	size_t n = 0, longest;

	take_all_begin(t, &ta);
	drain_all_pages();
	before = stats();
	while ((p = page_alloc(1, GFP_KERNEL))) {
		*(void **)p = chain;
		chain = p;
		n++;
	}
	empty = stats();
	KT_EXPECT_EQ(t, n, before.free_pages);
	KT_EXPECT_EQ(t, empty.free_pages, 0u);
	KT_EXPECT_EQ(t, empty.pcp_pages, 0u);
	KT_EXPECT_EQ(t, empty.largest_free_run, 0u);
	KT_EXPECT_EQ(t, empty.counters.failures, before.counters.failures + 1);
	KT_EXPECT_EQ(t, empty.peak_used_pages, empty.total_pages);
	KT_EXPECT_NULL(t, alloc_pages(0, GFP_KERNEL));
	KT_EXPECT_NULL(t, page_alloc(1, __GFP_ZERO));

	while (chain) {
		p = chain;
		chain = *(void **)p;
		KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	}
	KT_EXPECT_EQ(t, stats().free_pages, before.free_pages);   /* cached pages count as free */
	drain_all_pages();
	after = stats();
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
	KT_EXPECT_EQ(t, after.largest_free_run, before.largest_free_run);
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		KT_EXPECT_EQ(t, after.nr_free[o], before.nr_free[o]);
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse);
	/* Usable again in one piece (as long a piece as the strategy hands out). */
	longest = after.largest_free_run < LONGEST_RUN ? after.largest_free_run : LONGEST_RUN;
#ifdef CONFIG_PAGE_ALLOC_BUDDY
	/*
	 * The buddy serves a run from one naturally aligned block, and a free
	 * run longer than the largest block need not hold an aligned one
	 * (2 GiB of RAM on x86_64 has no free 1 GiB-aligned GiB: the
	 * firmware keeps the top of it).  Its largest free block is the piece.
	 */
	for (unsigned int o = PAGE_STATS_MAX_ORDER + 1; o-- > 0;) {
		if (after.nr_free[o]) {
			longest = MIN(longest, (size_t)1 << o);
			break;
		}
	}
#endif
	p = page_alloc(longest, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, page_free(p, longest), KERR_OK);
	take_all_end(t, &ta);
}

static void impossible_requests_fail(struct ktest *t)
{
	struct page_alloc_stats before = stats(), after;

	KT_EXPECT_NULL(t, page_alloc(0, GFP_KERNEL));
	KT_EXPECT_NULL(t, page_alloc(before.total_pages + 1, GFP_KERNEL));
	KT_EXPECT_NULL(t, page_alloc(SIZE_MAX, GFP_KERNEL));
	KT_EXPECT_NULL(t, alloc_pages(40, GFP_KERNEL));
	KT_EXPECT_NULL(t, alloc_pages(1000, GFP_KERNEL));
	after = stats();
	KT_EXPECT_EQ(t, after.counters.failures, before.counters.failures + 5);
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
}

static void invalid_frees_refused(struct ktest *t)
{
	struct page_alloc_stats before, after;
	uint64_t reports;
	char *p, *q;
	int err;

	SKIP_IF_MISUSE_PANICS(t);
	p = page_alloc(2, GFP_KERNEL);
	q = page_alloc(4, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_NOT_NULL(t, q);
	KT_ASSERT_EQ(t, page_free(p, 2), KERR_OK);

	before = stats();
	reports = mm_misuse_total();
	KT_EXPECT_EQ(t, page_free(p, 2), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, page_free(q + 8, 4), KERR_BAD_PTR);            /* not page aligned */
	KT_EXPECT_EQ(t, page_free(q + PAGE_SIZE, 3), KERR_BAD_PTR);    /* inside an allocation */
	KT_EXPECT_EQ(t, page_free(q, 2), KERR_WRONG_SIZE);
	KT_EXPECT_EQ(t, free_pages(q, 3), KERR_WRONG_SIZE);
	KT_EXPECT_EQ(t, free_pages(q, 200), KERR_WRONG_SIZE);
	/* Outside managed memory: out of the span, or a hole inside it. */
	err = page_free((void *)(((uintptr_t)unmanaged_object + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)), 1);
	KT_EXPECT_TRUE(t, err == KERR_RANGE || err == KERR_BAD_PTR);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 7);
	after = stats();
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + 7);
	KT_EXPECT_EQ(t, after.counters.frees, before.counters.frees);
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);

	/* Nothing was disturbed: q frees normally and its pages are whole. */
	KT_EXPECT_EQ(t, page_free(q, 4), KERR_OK);
	KT_EXPECT_EQ(t, stats().free_pages, before.free_pages + 4);
}

/*
 * page_split(): a run becomes one-page allocations, each freed on its
 * own (in any order), the whole run no more; a split of what is not a
 * live run of that length is refused, counted and changes nothing.
 */
static void split_pages_free_one_by_one(struct ktest *t)
{
	struct page_alloc_stats before, after;
	uint64_t reports;
	char *p, *q;

	(void)drain_all_pages();
	before = stats();
	p = page_alloc(3, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_EQ(t, page_split(p, 3), KERR_OK);
	if (!MM_MISUSE_PANICS) {
		reports = mm_misuse_total();
		KT_EXPECT_EQ(t, page_free(p, 3), KERR_WRONG_SIZE);
		KT_EXPECT_EQ(t, page_split(p + PAGE_SIZE, 2), KERR_WRONG_SIZE);
		q = page_alloc(4, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, q);
		KT_EXPECT_EQ(t, page_split(q, 3), KERR_WRONG_SIZE);
		KT_EXPECT_EQ(t, page_split(q + PAGE_SIZE, 3), KERR_BAD_PTR);
		KT_EXPECT_EQ(t, page_split(q + 8, 4), KERR_BAD_PTR);
		KT_EXPECT_EQ(t, page_free(q, 4), KERR_OK);
		(void)drain_all_pages();
		KT_EXPECT_EQ(t, page_split(q, 4), KERR_DOUBLE_FREE);
		KT_EXPECT_EQ(t, mm_misuse_total(), reports + 6);
		KT_EXPECT_EQ(t, stats().counters.misuse, before.counters.misuse + 6);
	}
	/* Middle, last, first: each page is an allocation of its own. */
	KT_EXPECT_EQ(t, page_free(p + PAGE_SIZE, 1), KERR_OK);
	KT_EXPECT_EQ(t, page_free(p + 2 * PAGE_SIZE, 1), KERR_OK);
	KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	(void)drain_all_pages();
	after = stats();
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
	/* Three frees for one allocation: the split counted the other two. */
	KT_EXPECT_EQ(t, after.counters.allocs - after.counters.frees,
		     before.counters.allocs - before.counters.frees);
}

static size_t pages_in(const size_t *nr_free)
{
	size_t n = 0;

	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		n += nr_free[o] << o;
	return n;
}

static void stats_are_consistent(struct ktest *t)
{
	struct page_alloc_stats st = stats();
	unsigned int top = 0;

	KT_EXPECT_NOT_NULL(t, st.strategy);
	KT_EXPECT_GT(t, st.total_pages, 0u);
	KT_EXPECT_GT(t, st.meta_bytes, 0u);
	KT_EXPECT_LE(t, st.free_pages, st.total_pages);
	KT_EXPECT_GE(t, st.peak_used_pages, st.total_pages - st.free_pages);
	KT_EXPECT_LE(t, st.largest_free_run, st.free_pages);
	KT_EXPECT_LE(t, st.pcp_pages, st.free_pages);
	KT_EXPECT_EQ(t, pages_in(st.nr_free) + st.pcp_pages, st.free_pages);
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++) {
		if (st.nr_free[o])
			top = o;
	}
	/* The biggest aligned block fits in the longest run. */
	KT_EXPECT_GE(t, st.largest_free_run, (size_t)1 << top);
	KT_EXPECT_GE(t, st.counters.allocs, st.counters.frees);
}

/*
 * nr_free per order follows every allocation: taking 2^o pages takes that
 * many out of the blocks, and giving them back restores every order's
 * count exactly (both strategies keep free memory in canonical, fully
 * merged blocks).
 */
static void nr_free_tracks_every_order(struct ktest *t)
{
	for (unsigned int order = 0; order <= TOP_ORDER; order++) {
		struct page_alloc_stats before, during, after;
		void *p;

		drain_all_pages();
		before = stats();
		p = alloc_pages(order, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		drain_all_pages();
		during = stats();
		KT_EXPECT_EQ(t, pages_in(during.nr_free), pages_in(before.nr_free) - ((size_t)1 << order));
		KT_EXPECT_EQ(t, during.free_pages, before.free_pages - ((size_t)1 << order));
		KT_EXPECT_EQ(t, free_pages(p, order), KERR_OK);
		drain_all_pages();
		after = stats();
		for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
			KT_EXPECT_EQ(t, after.nr_free[o], before.nr_free[o]);
		KT_EXPECT_EQ(t, after.largest_free_run, before.largest_free_run);
	}
}

/* A run longer than the strategy can hand out fails like exhaustion. */
static void longest_run_is_bounded(struct ktest *t)
{
	struct page_alloc_stats before = stats();

	if (LONGEST_RUN >= before.total_pages)
		KT_SKIP(t, "the strategy hands out runs as long as RAM");
	KT_EXPECT_NULL(t, page_alloc(LONGEST_RUN + 1, GFP_KERNEL));
	KT_EXPECT_EQ(t, stats().counters.failures, before.counters.failures + 1);
	KT_EXPECT_EQ(t, stats().free_pages, before.free_pages);
}

static const struct ktest_case page_alloc_cases[] = {
	KTEST_CASE(single_page_round_trip),
	KTEST_CASE(gfp_zero_clears),
	KTEST_CASE(orders_are_naturally_aligned),
	KTEST_CASE(descriptors_follow_pages),
	KTEST_CASE(exhaustion_and_recovery),
	KTEST_CASE(impossible_requests_fail),
	KTEST_CASE(invalid_frees_refused),
	KTEST_CASE(split_pages_free_one_by_one),
	KTEST_CASE(stats_are_consistent),
	KTEST_CASE(nr_free_tracks_every_order),
	KTEST_CASE(longest_run_is_bounded),
	{ 0 },
};
KTEST_SUITE(page_alloc, page_alloc_cases);
