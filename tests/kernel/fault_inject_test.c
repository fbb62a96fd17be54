/*
 * fault_inject_test.c - fault injection (Kconfig FAULT_INJECTION): the
 * settings do what fault_inject.h says, and the whole allocator API
 * survives injected failure at 1%, 10% and 50%: every failure is the
 * documented NULL or KERR_NOMEM, nothing a failed call touched is lost or
 * damaged, transactions roll back exactly, and at the end free pages and
 * object counts are what they were at the start.  Injected failures are
 * counted by fault_inject.c, never as the allocators' own.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug_guard.h"
#include "fault_inject.h"
#include "kerrno.h"
#include "kernel.h"
#include "irq.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "mm_txn.h"
#include "page_alloc.h"
#include "printk.h"
#ifdef CONFIG_SLAB
#include "slab.h"
#endif
#ifdef CONFIG_POOLS
#include "pool.h"
#endif

#define KEEP(p) __asm__ volatile("" : "+r"(p))

/* Operations per rate: enough for each class to be hit at 1%, cheap under TCG. */
#define OPS 1500
#define HELD 64

enum kind { FREE_SLOT, K_KMALLOC, K_PAGES, K_CACHE, K_POOL };

struct held {
	enum kind kind;
	uint8_t *p;
	size_t size;        /* bytes the pattern covers */
	unsigned int order;
	uint8_t seed;
};

static struct held held[HELD];
static uint64_t rng;
/*
 * The largest kmalloc() size drawn.  Where a region bounds kmalloc()
 * (SimpleHeap, TLSF: mm_stats.heap_free_bytes), every held allocation and
 * a transaction's four together take at most a quarter of what was free
 * at the start, so that no real failure happens beside the injected ones:
 * on a 64 KiB SimpleHeap whole-page sizes ran the region out, and the
 * real failures broke "injected failures are not the allocators'"
 * (randconfig seed 16, tests/randconfig_cases/16-riscv64.config).
 */
static size_t max_size;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#ifdef CONFIG_SLAB
static struct kmem_cache *cache;
#endif
#ifdef CONFIG_POOLS
static struct pool *pool;
#endif

static void fill(struct held *h)
{
	for (size_t i = 0; i < h->size; i++)
		h->p[i] = (uint8_t)(h->seed + i * 7);
}

/* The first byte of @h's pattern that is wrong, or h->size. */
static size_t damaged_at(const struct held *h)
{
	for (size_t i = 0; i < h->size; i++) {
		if (h->p[i] != (uint8_t)(h->seed + i * 7))
			return i;
	}
	return h->size;
}

static bool intact(const struct held *h)
{
	return damaged_at(h) == h->size;
}

static void release(struct ktest *t, struct held *h)
{
	if (h->kind == FREE_SLOT)
		return;
	if (!intact(h))
		KT_FAIL(t, "held allocation %p (kind %d, %zu bytes) damaged at byte %zu",
			(void *)h->p, (int)h->kind, h->size, damaged_at(h));
	switch (h->kind) {
	case K_KMALLOC:
		KT_EXPECT_EQ(t, kfree_checked(h->p), KERR_OK);
		break;
	case K_PAGES:
		KT_EXPECT_EQ(t, free_pages(h->p, h->order), KERR_OK);
		break;
	case K_CACHE:
#ifdef CONFIG_SLAB
		KT_EXPECT_EQ(t, kmem_cache_free_checked(cache, h->p), KERR_OK);
#endif
		break;
	case K_POOL:
#ifdef CONFIG_POOLS
		KT_EXPECT_EQ(t, pool_free_checked(pool, h->p), KERR_OK);
#endif
		break;
	case FREE_SLOT:
		break;
	}
	h->kind = FREE_SLOT;
}

static struct held *slot(struct ktest *t)
{
	struct held *h = &held[next() % HELD];

	if (h->kind != FREE_SLOT)
		release(t, h);
	return h;
}

static void hold(struct held *h, enum kind kind, void *p, size_t size, unsigned int order)
{
	h->kind = kind;
	h->p = p;
	h->size = size;
	h->order = order;
	h->seed = (uint8_t)next();
	fill(h);
}

static size_t random_size(void)
{
	/* Mostly small, sometimes past every size class (whole pages). */
	return next() % 8 ? 1 + next() % MIN((size_t)700, max_size)
			  : 1 + next() % MIN((size_t)(5 * PAGE_SIZE), max_size);
}

/* max_size for this variant, from what its kmalloc() region has free now. */
static size_t size_limit(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	if (!st.heap_free_bytes)
		return SIZE_MAX;   /* slabs and pages: RAM, far more than HELD objects take */
	return MAX(st.heap_free_bytes / 4 / (HELD + 4), (size_t)16);
}

/* A transaction of a few allocations, aborted or committed at random. */
static void transaction(struct ktest *t)
{
	struct mm_stats before, after;
	void *p[4] = { 0 };
	size_t n = 1 + next() % 4;
	bool abort = next() % 2;
	int err;

	mm_get_stats(&before);
	KT_ASSERT_EQ(t, mm_txn_begin(abort ? 0 : MM_TXN_ABORT_ON_FAILURE), KERR_OK);
	for (size_t i = 0; i < n; i++) {
		err = kmalloc_try(random_size(), GFP_KERNEL, &p[i]);
		if (err)
			KT_EXPECT_EQ(t, err, KERR_NOMEM);
		if (err && !abort)
			break;   /* doomed: the rest would fail without being tried */
	}
	if (abort) {
		KT_EXPECT_EQ(t, mm_txn_abort(), KERR_OK);
	} else {
		err = mm_txn_commit();
		if (err) {
			KT_EXPECT_EQ(t, err, KERR_NOMEM);   /* rolled back: nothing is ours */
		} else {
			for (size_t i = 0; i < n; i++) {
				struct held *h;

				if (!p[i])
					continue;
				h = slot(t);
				hold(h, K_KMALLOC, p[i], ksize(p[i]), 0);
			}
			return;
		}
	}
	/* Aborted or rolled back: the kmalloc figures exactly as at the begin. */
	mm_get_stats(&after);
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);
	KT_EXPECT_EQ(t, after.bytes_requested, before.bytes_requested);
}

/* One call of the API, chosen at random; every failure must be the documented one. */
static void one_op(struct ktest *t)
{
	struct held *h;
	size_t size = random_size();
	void *p = NULL;
	int err;

	switch (next() % 11) {
	case 0:
		h = slot(t);
		p = kmalloc(size, GFP_KERNEL);
		if (p)
			hold(h, K_KMALLOC, p, ksize(p), 0);
		break;
	case 1:
		h = slot(t);
		p = kzalloc(size, GFP_KERNEL);
		if (p) {
			for (size_t i = 0; i < size; i++) {
				if (((uint8_t *)p)[i]) {
					KT_FAIL(t, "kzalloc() memory not zero");
					break;
				}
			}
			hold(h, K_KMALLOC, p, ksize(p), 0);
		}
		break;
	case 2:
		h = slot(t);
		p = kcalloc(1 + next() % 16, 1 + next() % MIN((size_t)40, MAX(max_size / 16, (size_t)1)),
			    GFP_KERNEL);
		if (p)
			hold(h, K_KMALLOC, p, ksize(p), 0);
		break;
	case 3:
		h = slot(t);
		err = kmalloc_try(size, GFP_KERNEL, &p);
		KT_EXPECT_TRUE(t, err == KERR_OK || err == KERR_NOMEM);
		KT_EXPECT_TRUE(t, !err == (p != NULL));
		if (p)
			hold(h, K_KMALLOC, p, ksize(p), 0);
		break;
	case 4: {
		size_t align = (size_t)16 << (next() % 8);

		h = slot(t);
		err = kmalloc_align_try(size, align, GFP_KERNEL, &p);
		KT_EXPECT_TRUE(t, err == KERR_OK || err == KERR_NOMEM);
		if (p) {
			KT_EXPECT_EQ(t, (uintptr_t)p % align, (uintptr_t)0);
			hold(h, K_KMALLOC, p, ksize(p), 0);
		}
		break;
	}
	case 5:
		/* krealloc of a held kmalloc block: on failure the old block is untouched. */
		h = &held[next() % HELD];
		if (h->kind != K_KMALLOC)
			break;
		p = krealloc(h->p, size, GFP_KERNEL);
		if (!p) {
			if (!intact(h))
				KT_FAIL(t, "krealloc() failed and damaged the old block");
			break;
		}
		h->p = p;
		h->size = MIN(h->size, size);
		if (!intact(h))
			KT_FAIL(t, "krealloc() lost the contents");
		h->size = ksize(p);
		fill(h);
		break;
	case 6:
#ifdef CONFIG_SLAB
		h = slot(t);
		p = kmem_cache_alloc(cache, GFP_KERNEL);
		if (p)
			hold(h, K_CACHE, p, kmem_cache_size(cache), 0);
#endif
		break;
	case 7: {
		unsigned int order = (unsigned int)(next() % 3);

		h = slot(t);
		p = alloc_pages(order, GFP_KERNEL);
		if (p)
			hold(h, K_PAGES, p, PAGE_SIZE << order, order);
		break;
	}
	case 8:
		transaction(t);
		break;
	case 9:
#ifdef CONFIG_POOLS
		h = slot(t);
		p = pool_alloc(pool, GFP_KERNEL);
		if (p)
			hold(h, K_POOL, p, 40, 0);
#endif
		break;
	default:
		h = &held[next() % HELD];
		if (h->kind != FREE_SLOT)
			release(t, h);
		break;
	}
}

struct snapshot {
	size_t free_pages;
	size_t live_objects;
	size_t bytes_granted;
	uint64_t kmalloc_failures;
	uint64_t page_failures;
};

static struct snapshot snap(void)
{
	struct mm_stats st;
	struct snapshot s;

	mm_drain_caches();
	mm_get_stats(&st);
	s.free_pages = st.pages.free_pages;
	s.live_objects = st.live_objects;
	s.bytes_granted = st.bytes_granted;
	s.kmalloc_failures = st.counters.failures;
	s.page_failures = st.pages.counters.failures;
	return s;
}

/*
 * Whether this configuration builds a class the API's calls reach
 * (FAULT_INJECTION may be on with every FAIL_* option off: the API is
 * there, nothing fails).  In Hybrid mode the heap serves only what
 * TwoTier cannot, so FAIL_HEAP is reached only through an injected slab
 * or page failure: alone, it is armed and never called (randconfig seed
 * 1004 on x86_64).
 */
static bool any_class_reached(void)
{
	for (unsigned int cl = 0; cl < FAULT_CLASSES; cl++) {
		if (FAULT_CLASS_BUILT(cl) &&
		    !(cl == FAULT_HEAP && IS_ENABLED(CONFIG_MM_HYBRID)))
			return true;
	}
	return false;
}

static void run_at(struct ktest *t, uint32_t ppm)
{
	struct fault_config cfg = { .probability_ppm = ppm, .seed = 0x5eed0000u + ppm };
	struct snapshot before, after;
	uint64_t injected = 0, calls = 0;
	bool irqs_on = irqs_enabled();

	if (!any_class_reached())
		KT_SKIP(t, "no fault class the calls reach (FAIL_SLAB, FAIL_PAGE_ALLOC and FAIL_POOL "
			   "are off or do not apply; FAIL_HEAP in Hybrid mode is reached only "
			   "through them): nothing to inject");
	rng = 0x9e3779b97f4a7c15ull ^ ppm;
	max_size = size_limit();
	/*
	 * No guard sampling (DEBUG_GUARD) in between: the guard pool's page
	 * tables are allocated and freed as its pages are mapped, so the free
	 * pages after would depend on which of its slots and spare pages the
	 * case happened to use (the guard suite covers guard objects).
	 */
	if (DEBUG_GUARD)
		guard_suspend();
	before = snap();
#ifdef CONFIG_SLAB
	cache = kmem_cache_create("test-faults", 72, 0, NULL);
	KT_ASSERT_NOT_NULL(t, cache);
#endif
#ifdef CONFIG_POOLS
	{
		struct pool_params pp = { .name = "test-faults", .size = 40, .count = 8,
					  .min_nr = 4, .grow = 8, .max = 64 };

		pool = pool_create(&pp);
		KT_ASSERT_NOT_NULL(t, pool);
	}
#endif
	for (unsigned int cl = 0; cl < FAULT_CLASSES; cl++) {
		if (FAULT_CLASS_BUILT(cl))
			KT_ASSERT_EQ(t, fault_inject_set((enum fault_class)cl, &cfg), KERR_OK);
	}
	for (unsigned int i = 0; i < OPS; i++)
		one_op(t);
	fault_inject_off();
	for (unsigned int cl = 0; cl < FAULT_CLASSES; cl++) {
		struct fault_stats st;

		fault_inject_get_stats((enum fault_class)cl, &st);
		KT_EXPECT_LE(t, st.injected, st.calls);
		injected += st.injected;
		calls += st.calls;
	}
	printk("    # %s: %u ppm: %llu calls of armed classes, %llu failures injected\n", t->name,
	       (unsigned int)ppm, (unsigned long long)calls, (unsigned long long)injected);
	for (size_t i = 0; i < HELD; i++)
		release(t, &held[i]);
#ifdef CONFIG_SLAB
	KT_EXPECT_TRUE(t, kmem_cache_check(cache));
	kmem_cache_destroy(cache);
#endif
#ifdef CONFIG_POOLS
	pool_destroy(pool);
#endif
	after = snap();
	if (DEBUG_GUARD)
		guard_resume();
	/*
	 * Something was injected, at about the rate asked: within a factor of
	 * two once twenty or more are expected (the generator is seeded, so
	 * this is a check of the arithmetic, not a bet).
	 */
	KT_EXPECT_GT(t, injected, (uint64_t)0);
	if ((uint64_t)ppm * calls >= 20ull * 1000000) {
		KT_EXPECT_LE(t, injected * 1000000, (uint64_t)ppm * calls * 2);
		KT_EXPECT_GE(t, injected * 1000000 * 2, (uint64_t)ppm * calls);
	}
	/*
	 * Interrupts as they were: no failure path may leave them off (with
	 * SMP the next cross-CPU call would find them so and panic).
	 */
	KT_EXPECT_EQ(t, irqs_enabled(), irqs_on);
	/* Nothing lost. */
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);
	/* Injected failures are not the allocators' failures. */
	KT_EXPECT_EQ(t, after.kmalloc_failures, before.kmalloc_failures);
	KT_EXPECT_EQ(t, after.page_failures, before.page_failures);
}

static void api_at_1_percent(struct ktest *t)
{
	run_at(t, 10000);
}

static void api_at_10_percent(struct ktest *t)
{
	run_at(t, 100000);
}

static void api_at_50_percent(struct ktest *t)
{
	run_at(t, 500000);
}

static __noinline void *page_site(void)
{
	void *p = alloc_pages(0, GFP_KERNEL);

	KEEP(p);
	return p;
}

/* Every Nth call fails, exactly; the counts say so. */
static void every_nth_call(struct ktest *t)
{
	struct fault_config cfg = { .interval = 3 };
	struct fault_stats st;
	void *p[9];

	if (!FAULT_CLASS_BUILT(FAULT_PAGE))
		KT_SKIP(t, "CONFIG_FAIL_PAGE_ALLOC is off");
	KT_ASSERT_EQ(t, fault_inject_set(FAULT_PAGE, &cfg), KERR_OK);
	for (size_t i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = alloc_pages(0, GFP_KERNEL);
	fault_inject_off();
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		if ((i + 1) % 3 == 0)
			KT_EXPECT_NULL(t, p[i]);
		else
			KT_EXPECT_NOT_NULL(t, p[i]);
		free_pages(p[i], 0);
	}
	fault_inject_get_stats(FAULT_PAGE, &st);
	KT_EXPECT_EQ(t, st.calls, (uint64_t)9);
	KT_EXPECT_EQ(t, st.injected, (uint64_t)3);
}

/* A call-site filter fails that site's calls only. */
static void one_call_site(struct ktest *t)
{
	struct fault_config cfg = { .interval = 1 };
	struct fault_stats st;
	void *other, *mine;

	if (!FAULT_CLASS_BUILT(FAULT_PAGE))
		KT_SKIP(t, "CONFIG_FAIL_PAGE_ALLOC is off");
	/* The site's exact return address: what the class saw last while armed (never failing). */
	cfg.interval = 1000000;
	KT_ASSERT_EQ(t, fault_inject_set(FAULT_PAGE, &cfg), KERR_OK);
	mine = page_site();
	KT_ASSERT_NOT_NULL(t, mine);
	free_pages(mine, 0);
	fault_inject_get_stats(FAULT_PAGE, &st);
	KT_ASSERT_NE(t, st.last_caller, (uintptr_t)0);
	cfg.interval = 1;
	cfg.caller = st.last_caller;
	KT_ASSERT_EQ(t, fault_inject_set(FAULT_PAGE, &cfg), KERR_OK);
	mine = page_site();
	other = alloc_pages(0, GFP_KERNEL);
	fault_inject_off();
	KT_EXPECT_NULL(t, mine);
	KT_EXPECT_NOT_NULL(t, other);
	free_pages(other, 0);
	fault_inject_get_stats(FAULT_PAGE, &st);
	KT_EXPECT_EQ(t, st.calls, (uint64_t)1);
	KT_EXPECT_EQ(t, st.injected, (uint64_t)1);
}

/* Bad settings are refused and change nothing. */
static void bad_settings_refused(struct ktest *t)
{
	struct fault_config too_likely = { .probability_ppm = 1000001 };
	struct fault_config both = { .interval = 2, .probability_ppm = 5 };
	struct fault_config off = { 0 };

	KT_EXPECT_EQ(t, fault_inject_set(FAULT_CLASSES, &off), KERR_INVAL);
	if (!FAULT_CLASS_BUILT(FAULT_POOL))   /* no pools in this variant, or FAIL_POOL off */
		KT_EXPECT_EQ(t, fault_inject_set(FAULT_POOL, &off), KERR_INVAL);
	for (unsigned int cl = 0; cl < FAULT_CLASSES; cl++) {
		KT_EXPECT_EQ(t, fault_inject_set((enum fault_class)cl, &too_likely), KERR_INVAL);
		KT_EXPECT_EQ(t, fault_inject_set((enum fault_class)cl, &both), KERR_INVAL);
	}
	KT_EXPECT_EQ(t, fault_armed, 0u);
}

static const struct ktest_case fault_inject_cases[] = {
	KTEST_CASE(bad_settings_refused),
	KTEST_CASE(every_nth_call),
	KTEST_CASE(one_call_site),
	KTEST_CASE(api_at_1_percent),
	KTEST_CASE(api_at_10_percent),
	KTEST_CASE(api_at_50_percent),
	{ 0 },
};
KTEST_SUITE(fault_inject, fault_inject_cases);
