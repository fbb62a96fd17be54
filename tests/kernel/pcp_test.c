/*
 * pcp_test.c - the per-CPU page cache in front of the page allocator
 * (core/mm/pcp.c), through page_alloc()/alloc_pages() as callers see it.
 *
 * Every case starts from drained lists, so refills and drains happen at
 * known points: the first single-page allocation refills a batch, a list
 * that grows past `high` gives back its `batch` coldest pages.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerrno.h"
#include "kstring.h"
#include "ktest.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "pcp.h"
#include "shrinker.h"
#include "take_all.h"

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

static struct pcp_stats pcp(void)
{
	struct pcp_stats st;

	pcp_get_stats(&st);
	return st;
}

static struct page_alloc_stats pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st;
}

static void init_drained(struct ktest *t)
{
	(void)t;
	drain_all_pages();
}

/* The first single page refills a batch; the next ones are list pops. */
static void refill_then_hits(struct ktest *t)
{
	struct pcp_stats s0 = pcp(), s;
	struct page_alloc_stats p0 = pages(), ps;
	void *p, *q, *r;

	KT_ASSERT_EQ(t, s0.count, 0u);
	KT_EXPECT_GE(t, s0.batch, 1u);
	KT_EXPECT_LE(t, s0.batch, s0.high);
	p = page_alloc(1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	s = pcp();
	KT_EXPECT_EQ(t, s.refills, s0.refills + 1);
	KT_EXPECT_EQ(t, s.hits, s0.hits);
	KT_EXPECT_EQ(t, s.count, s0.batch - 1);
	ps = pages();
	/* The batch moved from the strategy to the list: still free, but cached. */
	KT_EXPECT_EQ(t, ps.free_pages, p0.free_pages - 1);
	KT_EXPECT_EQ(t, ps.pcp_pages, s0.batch - 1);
	KT_EXPECT_EQ(t, page_alloc_pcp_pages(), ps.pcp_pages);

	q = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_PTR_NE(t, p, q);
	s = pcp();
	if (s0.batch > 1) {
		KT_EXPECT_EQ(t, s.hits, s0.hits + 1);
		KT_EXPECT_EQ(t, s.refills, s0.refills + 1);
	}

	/* Frees push; the page freed last is allocated first (it is the hot one). */
	KT_EXPECT_EQ(t, free_pages(q, 0), KERR_OK);
	KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	s = pcp();
	KT_EXPECT_EQ(t, s.cached_frees, s0.cached_frees + 2);
	r = page_alloc(1, GFP_KERNEL);
	KT_EXPECT_PTR_EQ(t, r, p);
	KT_EXPECT_EQ(t, page_free(r, 1), KERR_OK);
	KT_EXPECT_EQ(t, pages().free_pages, p0.free_pages);

	/* A batch of one needed two refills, and both pages came back. */
	s = pcp();
	KT_EXPECT_EQ(t, s.count, s0.batch > 1 ? s0.batch : 2u);
	KT_EXPECT_EQ(t, drain_all_pages(), s.count);
	ps = pages();
	KT_EXPECT_EQ(t, ps.pcp_pages, 0u);
	KT_EXPECT_EQ(t, ps.free_pages, p0.free_pages);
	KT_EXPECT_EQ(t, ps.largest_free_run, p0.largest_free_run);
}

/* A list never holds more than high pages; what goes back is the coldest. */
static void high_mark_drains_coldest(struct ktest *t)
{
	struct pcp_stats s0 = pcp(), s;
	size_t n = s0.high + 1;
	void *chain = NULL, *first_freed = NULL, *last_freed = NULL, *p;
	size_t held = 0;

	for (size_t i = 0; i < n; i++) {
		p = page_alloc(1, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		*(void **)p = chain;
		chain = p;
		held++;
	}
	while (chain) {
		p = chain;
		chain = *(void **)p;
		if (!first_freed)
			first_freed = p;
		last_freed = p;
		KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
		KT_EXPECT_LE(t, pcp().count, s0.high);
		held--;
	}
	KT_EXPECT_EQ(t, held, 0u);
	s = pcp();
	KT_EXPECT_GT(t, s.drained, s0.drained);
	KT_EXPECT_EQ(t, s.cached_frees, s0.cached_frees + n);
	/* The first page freed is back in the strategy, the last one on the list. */
	KT_EXPECT_FALSE(t, virt_to_page(first_freed)->flags & PG_PCP);
	KT_EXPECT_TRUE(t, virt_to_page(last_freed)->flags & PG_PCP);
}

static void double_free_on_list_is_caught(struct ktest *t)
{
	struct page_alloc_stats before;
	struct pcp_stats s0;
	uint64_t reports;
	void *p, *a, *b;

	SKIP_IF_MISUSE_PANICS(t);
	p = page_alloc(1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_EQ(t, page_free(p, 1), KERR_OK);
	KT_EXPECT_TRUE(t, virt_to_page(p)->flags & PG_PCP);

	before = pages();
	s0 = pcp();
	reports = mm_misuse_total();
	KT_EXPECT_EQ(t, page_free(p, 1), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, free_pages(p, 0), KERR_DOUBLE_FREE);
	/* Freed as more pages, it is still free: the strategy alone would not know. */
	KT_EXPECT_EQ(t, page_free(p, 2), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 3);
	KT_EXPECT_EQ(t, pages().counters.misuse, before.counters.misuse + 3);
	KT_EXPECT_EQ(t, pcp().count, s0.count);
	KT_EXPECT_EQ(t, pcp().cached_frees, s0.cached_frees);
	KT_EXPECT_EQ(t, pages().free_pages, before.free_pages);

	/* The list is intact: the page comes out once, then other pages. */
	a = page_alloc(1, GFP_KERNEL);
	b = page_alloc(1, GFP_KERNEL);
	KT_EXPECT_PTR_EQ(t, a, p);
	KT_ASSERT_NOT_NULL(t, b);
	KT_EXPECT_PTR_NE(t, a, b);
	KT_EXPECT_EQ(t, page_free(a, 1), KERR_OK);
	KT_EXPECT_EQ(t, page_free(b, 1), KERR_OK);

	/* Once drained, the strategy catches the same mistake. */
	drain_all_pages();
	reports = mm_misuse_total();
	KT_EXPECT_EQ(t, page_free(p, 1), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
}

/* Only live single pages take the list; everything else is the strategy's to check. */
static void only_single_pages_are_cached(struct ktest *t)
{
	struct pcp_stats s0;
	char *p, *q;
	int err;

	SKIP_IF_MISUSE_PANICS(t);
	q = page_alloc(2, GFP_KERNEL);
	p = page_alloc(1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, q);
	KT_ASSERT_NOT_NULL(t, p);
	s0 = pcp();
	KT_EXPECT_EQ(t, page_free(q, 2), KERR_OK);
	KT_EXPECT_EQ(t, pcp().cached_frees, s0.cached_frees);

	KT_EXPECT_EQ(t, page_free(p + 8, 1), KERR_BAD_PTR);      /* interior, not aligned */
	err = page_free(p, 2);                                   /* wrong size */
	KT_EXPECT_NE(t, err, KERR_OK);
	/* Still a live single page: the head of a one-page allocation, on no list. */
	KT_EXPECT_EQ(t, virt_to_page(p)->npages, 1u);
	KT_EXPECT_FALSE(t, virt_to_page(p)->flags & PG_PCP);
	KT_EXPECT_EQ(t, pcp().cached_frees, s0.cached_frees);
	KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	KT_EXPECT_EQ(t, pcp().cached_frees, s0.cached_frees + 1);
}

/*
 * Two pages allocated and freed, so that this CPU's list holds them (and
 * whatever the refill brought); the one freed last in *@last.  Returns
 * the list's length, 0 if an allocation failed.
 */
static size_t list_two_pages(struct ktest *t, void **last)
{
	void *p = page_alloc(1, GFP_KERNEL), *q = page_alloc(1, GFP_KERNEL);

	if (!p || !q) {
		page_free(p, 1);
		page_free(q, 1);
		return 0;
	}
	KT_EXPECT_EQ(t, page_free(q, 1), KERR_OK);
	KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	*last = p;
	return pcp().count;
}

/*
 * A run of several pages first gives this CPU's list back to the zone:
 * idle there, its pages are held for nothing and cannot merge into the
 * run.  A single page does not: it refills as before, and the free of a
 * run leaves the list alone.
 */
static void run_gives_the_list_back(struct ktest *t)
{
	struct pcp_stats s, after;
	void *p = NULL, *run, *single;

	KT_ASSERT_GE(t, list_two_pages(t, &p), 2u);
	s = pcp();
	KT_ASSERT_TRUE(t, virt_to_page(p)->flags & PG_PCP);

	run = page_alloc(2, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, run);
	after = pcp();
	KT_EXPECT_EQ(t, after.count, 0u);
	KT_EXPECT_EQ(t, after.drained, s.drained + s.count);
	KT_EXPECT_EQ(t, pages().pcp_pages, 0u);
	KT_EXPECT_FALSE(t, virt_to_page(p)->flags & PG_PCP);

	single = page_alloc(1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, single);
	s = pcp();
	KT_EXPECT_EQ(t, s.refills, after.refills + 1);
	KT_EXPECT_EQ(t, s.count, s.batch - 1);
	KT_EXPECT_EQ(t, page_free(run, 2), KERR_OK);
	KT_EXPECT_EQ(t, pcp().count, s.count);
	KT_EXPECT_EQ(t, pcp().drained, s.drained);
	KT_EXPECT_EQ(t, page_free(single, 1), KERR_OK);
}

/* What the lists' shrinker did so far. */
static void add_pcp_shrinker(const struct shrinker *s, void *arg)
{
	if (!strcmp(s->name, "pcp"))
		*(struct shrinker *)arg = *s;
}

/* Memory running low drains every list through the shrinker (shrinker.h). */
static void shrinker_drains_the_lists(struct ktest *t)
{
	struct shrinker before = { 0 }, after = { 0 };
	void *p = NULL;
	size_t listed = list_two_pages(t, &p);

	KT_ASSERT_GE(t, listed, 2u);
	for_each_shrinker(add_pcp_shrinker, &before);
	KT_ASSERT_NOT_NULL(t, before.name);
	/* Everything any shrinker has: the slabs' go back first, onto the lists. */
	KT_EXPECT_GE(t, shrink_memory(SIZE_MAX), listed);
	for_each_shrinker(add_pcp_shrinker, &after);
	KT_EXPECT_EQ(t, pcp().count, 0u);
	KT_EXPECT_GT(t, after.scans, before.scans);
	KT_EXPECT_GE(t, after.freed, before.freed + listed);
	KT_EXPECT_FALSE(t, virt_to_page(p)->flags & PG_PCP);
}

/*
 * Pages on a list never make an allocation fail: with the strategy empty
 * and two buddies sitting on the list, an order-1 request drains the list
 * and gets them.
 */
static void cached_pages_serve_larger_orders(struct ktest *t)
{
	struct take_all ta;
	struct page_alloc_stats st;
	void *chain = NULL, *p, *pair = NULL, *blk;
	void **link;
	uint64_t failures;

	take_all_begin(t, &ta);
	while ((p = page_alloc(1, GFP_KERNEL))) {
		*(void **)p = chain;
		chain = p;
	}
	/* Every page is ours now: any even frame whose neighbour is managed will do. */
	for (p = chain; p && !pair; p = *(void **)p) {
		uintptr_t a = (uintptr_t)p;

		if (!(a & PAGE_SIZE) && virt_to_page((void *)(a + PAGE_SIZE)))
			pair = p;
	}
	KT_ASSERT_NOT_NULL(t, pair);
	for (link = &chain; *link;) {
		uintptr_t a = (uintptr_t)*link;

		if (a == (uintptr_t)pair || a == (uintptr_t)pair + PAGE_SIZE)
			*link = *(void **)*link;
		else
			link = (void **)*link;
	}
	KT_EXPECT_EQ(t, page_free(pair, 1), KERR_OK);
	KT_EXPECT_EQ(t, page_free((char *)pair + PAGE_SIZE, 1), KERR_OK);
	st = pages();
	KT_EXPECT_EQ(t, st.free_pages, 2u);
	KT_EXPECT_EQ(t, st.pcp_pages, 2u);
	KT_EXPECT_EQ(t, st.largest_free_run, 0u);

	failures = st.counters.failures;
	blk = alloc_pages(1, GFP_KERNEL);
	KT_EXPECT_PTR_EQ(t, blk, pair);
	st = pages();
	KT_EXPECT_EQ(t, st.counters.failures, failures);
	KT_EXPECT_EQ(t, st.pcp_pages, 0u);
	KT_EXPECT_EQ(t, st.free_pages, 0u);
	if (blk)
		KT_EXPECT_EQ(t, free_pages(blk, 1), KERR_OK);

	while (chain) {
		p = chain;
		chain = *(void **)p;
		KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	}
	take_all_end(t, &ta);
}

static const struct ktest_case pcp_cases[] = {
	KTEST_CASE(refill_then_hits),
	KTEST_CASE(high_mark_drains_coldest),
	KTEST_CASE(double_free_on_list_is_caught),
	KTEST_CASE(only_single_pages_are_cached),
	KTEST_CASE(run_gives_the_list_back),
	KTEST_CASE(shrinker_drains_the_lists),
	KTEST_CASE(cached_pages_serve_larger_orders),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(pcp, pcp_cases, init_drained, NULL);
