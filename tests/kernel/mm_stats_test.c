/*
 * mm_stats_test.c - mm_get_stats() and mm_get_cache_stats(): the figures
 * agree with each other and with their definitions in mm.h, and move when
 * memory is used, fragmented and given back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug_guard.h"
#include "kernel.h"
#include "kmalloc_sizes.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "page_alloc.h"
#include "slab.h"
#include "take_all.h"

static struct kmem_cache_stats caches[64];

static struct mm_stats stats(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st;
}

static unsigned int permille(size_t free, size_t largest)
{
	return free ? (unsigned int)((uint64_t)(free - largest) * 1000 / free) : 0;
}

static void figures_agree(struct ktest *t)
{
	struct mm_stats st = stats();
	size_t n = mm_get_cache_stats(caches, ARRAY_SIZE(caches));
	size_t active = 0, total = 0, pages = 0;

	KT_EXPECT_PTR_EQ(t, st.mode, mm_mode_name());
	KT_EXPECT_LE(t, st.pages.free_pages, st.pages.total_pages);
	KT_EXPECT_GE(t, st.pages.peak_used_pages, st.pages.total_pages - st.pages.free_pages);
	KT_EXPECT_EQ(t, st.ext_frag_permille, permille(st.pages.free_pages, st.pages.largest_free_run));
	KT_EXPECT_EQ(t, st.heap_frag_permille, permille(st.heap_free_bytes, st.heap_largest_free));
	KT_EXPECT_LE(t, st.ext_frag_permille, 1000u);
	KT_EXPECT_EQ(t, st.counters.allocs - st.counters.frees, (uint64_t)st.live_objects);
	KT_EXPECT_GE(t, st.front_peak_pages * PAGE_SIZE, st.bytes_granted);
	KT_EXPECT_GE(t, st.bytes_granted, st.bytes_requested);

	KT_EXPECT_EQ(t, n, st.slab_caches);
	KT_ASSERT_LE(t, n, ARRAY_SIZE(caches));
	for (size_t i = 0; i < n; i++) {
		KT_EXPECT_NOT_NULL(t, caches[i].name);
		KT_EXPECT_LE(t, caches[i].active_objects, caches[i].total_objects);
		active += caches[i].active_objects;
		total += caches[i].total_objects;
		pages += caches[i].pages;
	}
	KT_EXPECT_EQ(t, active, st.slab_active_objects);
	KT_EXPECT_EQ(t, total, st.slab_total_objects);
	KT_EXPECT_EQ(t, pages, st.slab_pages);
#ifdef CONFIG_SLAB
	KT_EXPECT_GT(t, n, 2u);   /* the bootstrap caches and the kmalloc classes */
#else
	KT_EXPECT_EQ(t, n, 0u);
#endif
}

/*
 * The figures a kmalloc moves: bytes, objects, the peak and its cache's
 * count.  8 bytes is a slab object whatever the class list.
 */
static void allocation_moves_the_figures(struct ktest *t)
{
	struct mm_stats before = stats(), during, after;
	void *p = kmalloc(8, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	during = stats();
	KT_EXPECT_EQ(t, during.live_objects, before.live_objects + 1);
	KT_EXPECT_EQ(t, during.bytes_granted, before.bytes_granted + ksize(p));
	KT_EXPECT_GE(t, during.front_peak_pages * PAGE_SIZE, during.bytes_granted);
	KT_EXPECT_EQ(t, during.counters.allocs, before.counters.allocs + 1);
#ifdef CONFIG_SLAB
	KT_EXPECT_EQ(t, during.slab_active_objects, before.slab_active_objects + 1);
	{
		struct kmem_cache *c = kmem_cache_of(p);
		size_t n = mm_get_cache_stats(caches, ARRAY_SIZE(caches));
		bool found = false;

		KT_ASSERT_NOT_NULL(t, c);
		for (size_t i = 0; i < n && i < ARRAY_SIZE(caches); i++) {
			if (!strcmp(caches[i].name, kmem_cache_name(c))) {
				found = true;
				KT_EXPECT_GE(t, caches[i].active_objects, 1u);
				KT_EXPECT_EQ(t, caches[i].object_size, ksize(p));
			}
		}
		KT_EXPECT_TRUE(t, found);
	}
#else
	KT_EXPECT_LT(t, during.heap_free_bytes, before.heap_free_bytes);
#endif
	kfree(p);
	after = stats();
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);
	KT_EXPECT_GE(t, after.front_peak_pages * PAGE_SIZE, during.bytes_granted);
	KT_EXPECT_EQ(t, after.slab_active_objects, before.slab_active_objects);
}

/*
 * Fragment the page allocator on purpose: take every page, give back every
 * other one.  All free memory is then single pages - the figure is close
 * to 1000 - and returning the rest brings it back to where it was.
 */
static void fragmentation_rises_and_falls(struct ktest *t)
{
	struct take_all ta;
	struct mm_stats before, scattered, after;
	void *chain = NULL, *kept = NULL, *p;
	size_t freed = 0;

	take_all_begin(t, &ta);
	drain_all_pages();
	before = stats();
	while ((p = page_alloc(1, GFP_KERNEL))) {
		*(void **)p = chain;
		chain = p;
	}
	KT_EXPECT_EQ(t, stats().ext_frag_permille, 0u);   /* nothing free */
	while (chain) {
		p = chain;
		chain = *(void **)p;
		if (((uintptr_t)p >> PAGE_SHIFT) & 1) {
			*(void **)p = kept;
			kept = p;
		} else {
			KT_EXPECT_EQ(t, page_free(p, 1), 0);
			freed++;
		}
	}
	drain_all_pages();
	scattered = stats();
	KT_EXPECT_EQ(t, scattered.pages.free_pages, freed);
	KT_EXPECT_EQ(t, scattered.pages.largest_free_run, 1u);
	KT_EXPECT_EQ(t, scattered.pages.nr_free[0], freed);
	KT_EXPECT_EQ(t, scattered.ext_frag_permille, permille(freed, 1));
	KT_EXPECT_GE(t, scattered.ext_frag_permille, 990u);

	while (kept) {
		p = kept;
		kept = *(void **)p;
		KT_EXPECT_EQ(t, page_free(p, 1), 0);
	}
	drain_all_pages();
	after = stats();
	KT_EXPECT_EQ(t, after.pages.free_pages, before.pages.free_pages);
	KT_EXPECT_EQ(t, after.ext_frag_permille, before.ext_frag_permille);
	KT_EXPECT_LT(t, after.ext_frag_permille, scattered.ext_frag_permille);
	take_all_end(t, &ta);
}

#if defined(CONFIG_HEAP_REGION) || defined(CONFIG_TLSF_REGION)
/* The region kmalloc's blocks come from: SimpleHeap's or TLSF's. */
#ifdef CONFIG_HEAP_REGION
#define REGION_KB CONFIG_SIMPLEHEAP_SIZE_KB
#else
#define REGION_KB CONFIG_TLSF_SIZE_KB
#endif

/* The same over the SimpleHeap or TLSF region: holes between live blocks. */
static void heap_fragmentation(struct ktest *t)
{
	static void *blocks[64];
	struct mm_stats before, holed, after;
	size_t size;

#ifdef CONFIG_MM_HYBRID
	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_HEAP_ONLY), 0);
#endif
	before = stats();
	/* Holes big enough to show in permille of any configured region, all fitting it. */
	size = MAX((size_t)1000, (size_t)REGION_KB * 1024 / 512);
	size = MIN(size, (size_t)REGION_KB * 1024 / (4 * ARRAY_SIZE(blocks)));
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		blocks[i] = kmalloc(size, GFP_KERNEL);
		KT_EXPECT_NOT_NULL(t, blocks[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i += 2)
		kfree(blocks[i]);
	holed = stats();
	KT_EXPECT_GT(t, holed.heap_frag_permille, before.heap_frag_permille);
	KT_EXPECT_EQ(t, holed.heap_frag_permille, permille(holed.heap_free_bytes,
							   holed.heap_largest_free));
	for (size_t i = 1; i < ARRAY_SIZE(blocks); i += 2)
		kfree(blocks[i]);
	after = stats();
	KT_EXPECT_EQ(t, after.heap_frag_permille, before.heap_frag_permille);
	KT_EXPECT_EQ(t, after.heap_free_bytes, before.heap_free_bytes);
#ifdef CONFIG_MM_HYBRID
	mm_set_mode(MM_MODE_HYBRID);
#endif
}
#endif

/* The figures are the slabs' and the heap's: no guard object in them (DEBUG_GUARD). */
static void suspend_guard(struct ktest *t)
{
	(void)t;
	if (DEBUG_GUARD)
		guard_suspend();
}

static void resume_guard(struct ktest *t)
{
	(void)t;
	if (DEBUG_GUARD)
		guard_resume();
}

static const struct ktest_case mm_stats_cases[] = {
	KTEST_CASE(figures_agree),
	KTEST_CASE(allocation_moves_the_figures),
	KTEST_CASE(fragmentation_rises_and_falls),
#if defined(CONFIG_HEAP_REGION) || defined(CONFIG_TLSF_REGION)
	KTEST_CASE(heap_fragmentation),
#endif
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(mm_stats, mm_stats_cases, suspend_guard, resume_guard);
