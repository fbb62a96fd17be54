/*
 * txn_test.c - allocation transactions (core/mm/txn.c), in whatever mode
 * was configured.
 *
 * The central promise (mm_txn.h): after an abort the kmalloc-level
 * figures are exactly as at the begin, and with the caches drained on
 * both sides the page-level ones too.  The cases compare whole snapshots.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "kmalloc_sizes.h"
#include "mm.h"
#include "mm_misuse.h"
#include "mm_txn.h"
#include "slab.h"

static struct mm_stats stats(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st;
}

static size_t beyond_ram(void)
{
	return (size_t)arch_ram_size() + PAGE_SIZE;
}

/* Objects in use in the kmalloc-<size> caches, summed with a weight per cache. */
static uint64_t kmalloc_cache_objects(void)
{
	static struct kmem_cache_stats caches[64];
	size_t n = mm_get_cache_stats(caches, 64);
	uint64_t sum = 0;

	for (size_t i = 0; i < n && i < 64; i++) {
		if (!strncmp(caches[i].name, "kmalloc-", 8))
			sum += (uint64_t)caches[i].active_objects * (i + 1);
	}
	return sum;
}

struct snapshot {
	struct mm_stats st;
	uint64_t kmalloc_objects;
};

static struct snapshot snap(void)
{
	struct snapshot s = { .kmalloc_objects = kmalloc_cache_objects() };

	mm_get_stats(&s.st);
	return s;
}

static void expect_same_kmalloc_level(struct ktest *t, const struct snapshot *sa,
				      const struct snapshot *sb)
{
	const struct mm_stats *a = &sa->st, *b = &sb->st;

	KT_EXPECT_EQ(t, a->live_objects, b->live_objects);
	KT_EXPECT_EQ(t, a->bytes_requested, b->bytes_requested);
	KT_EXPECT_EQ(t, a->bytes_granted, b->bytes_granted);
	KT_EXPECT_EQ(t, a->heap_free_bytes, b->heap_free_bytes);
	KT_EXPECT_EQ(t, a->heap_largest_free, b->heap_largest_free);
	KT_EXPECT_EQ(t, sa->kmalloc_objects, sb->kmalloc_objects);
}

static void expect_same_page_level(struct ktest *t, const struct snapshot *sa,
				   const struct snapshot *sb)
{
	const struct mm_stats *a = &sa->st, *b = &sb->st;

	KT_EXPECT_EQ(t, a->slab_active_objects, b->slab_active_objects);
	KT_EXPECT_EQ(t, a->pages.free_pages, b->pages.free_pages);
	KT_EXPECT_EQ(t, a->pages.pcp_pages, b->pages.pcp_pages);
	KT_EXPECT_EQ(t, a->pages.largest_free_run, b->pages.largest_free_run);
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		KT_EXPECT_EQ(t, a->pages.nr_free[o], b->pages.nr_free[o]);
	KT_EXPECT_EQ(t, a->slab_pages, b->slab_pages);
	KT_EXPECT_EQ(t, a->ext_frag_permille, b->ext_frag_permille);
}

/* Close whatever a failed case left open. */
static void close_all(struct ktest *t)
{
	(void)t;
	while (mm_txn_depth())
		mm_txn_abort();
}

#ifdef CONFIG_PAGE_ALLOC_BUDDY
/* Whole-page allocations are at most one buddy block. */
#define LARGEST_REQUEST (PAGE_SIZE << CONFIG_BUDDY_MAX_ORDER)
#else
#define LARGEST_REQUEST ((size_t)70000)
#endif

/*
 * A mix of every allocating call, small, class-sized and page-sized, as
 * many as the record limit allows (16 or more).  Returns how many.
 */
static size_t allocate_mix(struct ktest *t)
{
	static const size_t sizes[] = { 1, 8, 13, 64, 65, 100, 200, 500, 1000, 2000,
					4000, 4096, 4097, 9000, 20000, 70000 };
	size_t n = 0;
	void *p;

	n += kzalloc(300, GFP_KERNEL) != NULL;
	n += kcalloc(7, 33, GFP_KERNEL) != NULL;
	n += krealloc(NULL, 77, GFP_KERNEL) != NULL;
	n += kmalloc_align_try(50, 256, GFP_KERNEL, &p) == KERR_OK;
	for (unsigned int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			if (n == MM_TXN_MAX_RECORDS)
				return n;
			/* Small enough that the whole mix fits any configured arena. */
			p = kmalloc(MIN(MIN(sizes[i] + round, LARGEST_REQUEST),
					test_kmalloc_size(sizes[i] + round, 64)), GFP_KERNEL);
			KT_EXPECT_NOT_NULL(t, p);
			n += p != NULL;
		}
	}
	return n;
}

static void commit_keeps(struct ktest *t)
{
	struct mm_stats before = stats();
	void *a, *b;

	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	KT_EXPECT_EQ(t, mm_txn_depth(), 1u);
	a = kmalloc(40, GFP_KERNEL);
	b = kmalloc(5000, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	KT_EXPECT_EQ(t, mm_txn_records(), 2u);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_OK);
	KT_EXPECT_EQ(t, mm_txn_depth(), 0u);
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects + 2);
	memset(a, 1, 40);
	memset(b, 2, 5000);
	KT_EXPECT_EQ(t, kfree_checked(a), KERR_OK);
	KT_EXPECT_EQ(t, kfree_checked(b), KERR_OK);
	/* Outside a transaction nothing is recorded. */
	a = kmalloc(40, GFP_KERNEL);
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	kfree(a);
}

static void abort_restores_stats_exactly(struct ktest *t)
{
	struct snapshot before, after;
	size_t n;

	mm_drain_caches();
	before = snap();
	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	n = allocate_mix(t);
	KT_EXPECT_EQ(t, mm_txn_records(), n);
	KT_EXPECT_EQ(t, stats().live_objects, before.st.live_objects + n);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
	KT_EXPECT_EQ(t, mm_txn_depth(), 0u);
	after = snap();
	expect_same_kmalloc_level(t, &before, &after);
	KT_EXPECT_EQ(t, after.st.counters.frees, before.st.counters.frees + n);
	KT_EXPECT_EQ(t, after.st.counters.misuse, before.st.counters.misuse);
	mm_drain_caches();
	after = snap();
	expect_same_page_level(t, &before, &after);
}

static void failure_rolls_back_when_asked(struct ktest *t)
{
	struct snapshot before, after;
	void *p = NULL;

	mm_drain_caches();
	before = snap();
	KT_ASSERT_EQ(t, mm_txn_begin(MM_TXN_ABORT_ON_FAILURE), KERR_OK);
	KT_EXPECT_GT(t, allocate_mix(t), 0u);
	KT_EXPECT_EQ(t, kmalloc_try(beyond_ram(), GFP_KERNEL, &p), KERR_NOMEM);
	/* Rolled back at once, and doomed: nothing more is even tried. */
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	after = snap();
	expect_same_kmalloc_level(t, &before, &after);
	KT_EXPECT_EQ(t, kmalloc_try(16, GFP_KERNEL, &p), KERR_NOMEM);
	KT_EXPECT_NULL(t, p);
	KT_EXPECT_NULL(t, krealloc(NULL, 16, GFP_KERNEL));
	KT_EXPECT_EQ(t, stats().live_objects, before.st.live_objects);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_NOMEM);
	KT_EXPECT_EQ(t, mm_txn_depth(), 0u);
	KT_EXPECT_EQ(t, stats().counters.failures, before.st.counters.failures + 3);
	mm_drain_caches();
	after = snap();
	expect_same_page_level(t, &before, &after);

	/* Invalid requests doom it too; abort of a doomed transaction is fine. */
	KT_ASSERT_EQ(t, mm_txn_begin(MM_TXN_ABORT_ON_FAILURE), KERR_OK);
	p = kmalloc(10, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, p);
	KT_EXPECT_NULL(t, kmalloc(0, GFP_KERNEL));
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
	KT_EXPECT_EQ(t, stats().live_objects, before.st.live_objects);
}

static void failure_without_policy_is_the_callers(struct ktest *t)
{
	struct mm_stats before = stats();
	void *a, *b;

	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	a = kmalloc(100, GFP_KERNEL);
	KT_EXPECT_NULL(t, kmalloc(beyond_ram(), GFP_KERNEL));
	b = kmalloc(100, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	KT_EXPECT_EQ(t, mm_txn_records(), 2u);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_OK);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects + 2);
	kfree(a);
	kfree(b);
}

/* Past MM_TXN_MAX_RECORDS an allocation fails; nothing goes unrecorded. */
static void record_limit(struct ktest *t)
{
	struct mm_stats before = stats();
	size_t n = 0;
	void *p = NULL;
	int err = KERR_OK;

	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	while (n < MM_TXN_MAX_RECORDS && (err = kmalloc_try(8, GFP_KERNEL, &p)) == KERR_OK)
		n++;
	/*
	 * A small heap (SIMPLEHEAP_SIZE_KB=64 with debug metadata per object)
	 * may run out before TXN_MAX_RECORDS objects: the limit cannot be
	 * reached, which is the configuration's, not the transaction's, fault.
	 */
	if (n < MM_TXN_MAX_RECORDS && err == KERR_NOMEM) {
		KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
		KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
		KT_SKIP(t, "memory runs out before TXN_MAX_RECORDS objects of 8 bytes");
	}
	KT_EXPECT_EQ(t, n, MM_TXN_MAX_RECORDS);
	KT_EXPECT_EQ(t, kmalloc_try(8, GFP_KERNEL, &p), KERR_LIMIT);
	KT_EXPECT_NULL(t, p);
	KT_EXPECT_EQ(t, mm_txn_records(), MM_TXN_MAX_RECORDS);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects + MM_TXN_MAX_RECORDS);
	KT_EXPECT_EQ(t, stats().counters.failures, before.counters.failures + 1);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);

	/* With the policy, the limit dooms the transaction like any failure. */
	KT_ASSERT_EQ(t, mm_txn_begin(MM_TXN_ABORT_ON_FAILURE), KERR_OK);
	for (n = 0; n < MM_TXN_MAX_RECORDS; n++)
		KT_ASSERT_NOT_NULL(t, kmalloc(8, GFP_KERNEL));
	KT_EXPECT_NULL(t, kmalloc(8, GFP_KERNEL));
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_LIMIT);
}

static void kfree_and_krealloc_keep_records_right(struct ktest *t)
{
	struct mm_stats before = stats();
	uint64_t reports = mm_misuse_total();
	void *a, *b, *c, *old, *moved;

	old = kmalloc(16, GFP_KERNEL);              /* from before the transaction */
	KT_ASSERT_NOT_NULL(t, old);
	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	a = kmalloc(24, GFP_KERNEL);
	b = kmalloc(24, GFP_KERNEL);
	c = kmalloc(24, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, c);
	KT_EXPECT_EQ(t, mm_txn_records(), 3u);
	kfree(b);                                    /* its record goes with it */
	KT_EXPECT_EQ(t, mm_txn_records(), 2u);
	a = krealloc(a, 3000, GFP_KERNEL);           /* moves: the record follows */
	KT_ASSERT_NOT_NULL(t, a);
	KT_EXPECT_EQ(t, mm_txn_records(), 2u);
	moved = krealloc(old, 3000, GFP_KERNEL);     /* not the transaction's */
	KT_ASSERT_NOT_NULL(t, moved);
	KT_EXPECT_EQ(t, mm_txn_records(), 2u);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
	/* a and c freed once each, the moved block left alone. */
	KT_EXPECT_EQ(t, mm_misuse_total(), reports);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects + 1);
	KT_EXPECT_GE(t, ksize(moved), 3000u);
	KT_EXPECT_EQ(t, kfree_checked(moved), KERR_OK);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
}

static void nesting(struct ktest *t)
{
	struct mm_stats before = stats();
	void *a, *b, *c;

	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	a = kmalloc(32, GFP_KERNEL);
	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	b = kmalloc(32, GFP_KERNEL);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_OK);          /* b now belongs to the outer */
	KT_EXPECT_EQ(t, mm_txn_depth(), 1u);
	KT_EXPECT_EQ(t, mm_txn_records(), 2u);
	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	c = kmalloc(32, GFP_KERNEL);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);           /* only c */
	KT_EXPECT_EQ(t, mm_txn_records(), 2u);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects + 2);
	KT_EXPECT_GE(t, ksize(a), 32u);
	KT_EXPECT_GE(t, ksize(b), 32u);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);           /* a and b */
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
	(void)c;

	/* Depth limit, unknown flags, closing what is not open. */
	for (unsigned int i = 0; i < MM_TXN_MAX_DEPTH; i++)
		KT_EXPECT_EQ(t, mm_txn_begin(0), KERR_OK);
	KT_EXPECT_EQ(t, mm_txn_begin(0), KERR_LIMIT);
	KT_EXPECT_EQ(t, mm_txn_depth(), (unsigned int)MM_TXN_MAX_DEPTH);
	close_all(t);
	KT_EXPECT_EQ(t, mm_txn_begin(0x80), KERR_INVAL);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_INVAL);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_INVAL);

	/* A failure in an inner transaction dooms the outer one that asked for it. */
	KT_ASSERT_EQ(t, mm_txn_begin(MM_TXN_ABORT_ON_FAILURE), KERR_OK);
	a = kmalloc(32, GFP_KERNEL);
	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	b = kmalloc(32, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, a);
	KT_EXPECT_NOT_NULL(t, b);
	KT_EXPECT_NULL(t, kmalloc(beyond_ram(), GFP_KERNEL));
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
	/* A transaction begun inside a doomed one is doomed from the start. */
	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	KT_EXPECT_NULL(t, kmalloc(32, GFP_KERNEL));
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_NOMEM);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_NOMEM);
	KT_EXPECT_EQ(t, mm_txn_commit(), KERR_NOMEM);
	KT_EXPECT_EQ(t, mm_txn_depth(), 0u);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);

	/*
	 * Aborting the inner one after such a rollback frees nothing again
	 * (the fuzz harness's case tests/fuzz/twotier-seed1-op16804.ops).
	 */
	KT_ASSERT_EQ(t, mm_txn_begin(MM_TXN_ABORT_ON_FAILURE), KERR_OK);
	a = kmalloc(32, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, a);
	KT_ASSERT_EQ(t, mm_txn_begin(0), KERR_OK);
	KT_EXPECT_NULL(t, kmalloc(0, GFP_KERNEL));
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
	KT_EXPECT_EQ(t, mm_txn_records(), 0u);
	KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
	KT_EXPECT_EQ(t, stats().counters.misuse, before.counters.misuse);
}

static const struct ktest_case txn_cases[] = {
	KTEST_CASE(commit_keeps),
	KTEST_CASE(abort_restores_stats_exactly),
	KTEST_CASE(failure_rolls_back_when_asked),
	KTEST_CASE(failure_without_policy_is_the_callers),
	KTEST_CASE(record_limit),
	KTEST_CASE(kfree_and_krealloc_keep_records_right),
	KTEST_CASE(nesting),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(txn, txn_cases, close_all, close_all);
