/*
 * zone_test.c - zones, gfp flags, watermarks, lowmem reserves, shrinkers,
 * health and failure reports (core/mm/zone.c, page_alloc.c, shrinker.c,
 * show_mem.c), through the page allocator's API.
 *
 * Sizes come from the zones this variant has: a case that needs two
 * zones, or a DMA zone, skips with the reason on one that has not.  The
 * cases that fill memory do it in blocks of FILL_ORDER pages then single
 * pages, chained through the blocks, and give everything back before
 * they end; they run with the caches emptied so that no shrinker changes
 * the count midway unless the case is about shrinkers.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "held_pages.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "page_alloc.h"
#include "pcp.h"
#include "printk.h"
#include "shrinker.h"
#include "show_mem.h"
#include "slab.h"
#include "zone.h"

/* Blocks of 2^FILL_ORDER pages fill memory quickly; single pages finish it exactly. */
#ifdef CONFIG_PAGE_ALLOC_BUDDY
#define FILL_ORDER MIN(8u, (unsigned int)CONFIG_BUDDY_MAX_ORDER)
#else
#define FILL_ORDER 8u
#endif

/* Reserves every case can count on: about 2 MiB of min, a visible gap to low and high. */
#define TEST_MIN_FREE_KBYTES 2048u
#define TEST_SCALE_FACTOR 100u

static size_t zone_list(struct zone_stats *zs)
{
	return page_alloc_get_zone_stats(zs, MAX_ZONES);
}

static struct zone_stats zone_now(unsigned int i)
{
	struct zone_stats zs[MAX_ZONES];

	zone_list(zs);
	return zs[i];
}

static size_t populated_zones(void)
{
	struct zone_stats zs[MAX_ZONES];
	size_t n = zone_list(zs), populated = 0;

	for (size_t i = 0; i < n; i++)
		populated += zs[i].managed != 0;
	return populated;
}

/* The physical address of @p (zone limits are physical). */
static uint64_t phys_of(const void *p)
{
	return (uint64_t)((uintptr_t)p - arch_zone_offset());
}

/* The zone @p lies in, by the spans in @zs (from zone_list()); MAX_ZONES if none. */
static unsigned int zone_of(const void *p, const struct zone_stats *zs)
{
	uint64_t pa = phys_of(p);

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++)
		if (pa >= zs[i].start && pa < zs[i].end)
			return i;
	return MAX_ZONES;
}

/* The modifier that makes zone @i a request's highest zone. */
static gfp_t zone_gfp(unsigned int i)
{
#ifdef CONFIG_ZONE_DMA
	if (i == ZONE_DMA)
		return GFP_DMA;
#endif
#ifdef CONFIG_ZONE_DMA32
	if (i == ZONE_DMA32)
		return GFP_DMA32;
#endif
	(void)i;
	return GFP_KERNEL;
}

static unsigned int lowest_populated(void)
{
	struct zone_stats zs[MAX_ZONES];
	size_t n = zone_list(zs);

	for (unsigned int i = 0; i < n; i++)
		if (zs[i].managed)
			return i;
	return 0;
}

static unsigned int highest_populated(void)
{
	struct zone_stats zs[MAX_ZONES];
	unsigned int top = 0;
	size_t n = zone_list(zs);

	for (unsigned int i = 0; i < n; i++)
		if (zs[i].managed)
			top = i;
	return top;
}

/* Take single pages with @flags until one fails; returns how many. */
static size_t fill_pages(struct held_pages *h, gfp_t flags)
{
	size_t n = 0;

	while (held_take(h, 0, flags))
		n++;
	return n;
}

/* Take blocks, then single pages, with @flags until nothing more comes; returns pages. */
static size_t fill(struct held_pages *h, gfp_t flags)
{
	size_t pages = 0;

	while (held_take(h, FILL_ORDER, flags))
		pages += (size_t)1 << FILL_ORDER;
	return pages + fill_pages(h, flags);
}

/* What the shrinkers have to work on in this variant. */
#ifdef CONFIG_PCP
#define HAVE_PCP_LISTS 1
#else
#define HAVE_PCP_LISTS 0
#endif
#ifdef CONFIG_SLAB
#define KEPT_EMPTY_SLABS CONFIG_SLAB_KEEP_EMPTY
#else
#define KEPT_EMPTY_SLABS 0
#endif

/* Known reserves for the case (restored by the suite's exit hook). */
static struct page_alloc_tunables boot_tunables;

static void set_test_reserves(struct ktest *t, bool lowmem_reserve)
{
	struct page_alloc_tunables tu = {
		.min_free_kbytes = TEST_MIN_FREE_KBYTES,
		.watermark_scale_factor = TEST_SCALE_FACTOR,
	};

	for (unsigned int i = 0; i < MAX_ZONES; i++)
		tu.lowmem_reserve_ratio[i] = lowmem_reserve ? boot_tunables.lowmem_reserve_ratio[i] : 0;
	KT_EXPECT_EQ(t, page_alloc_set_tunables(&tu), 0);
}

static void zone_init(struct ktest *t)
{
	page_alloc_get_tunables(&boot_tunables);
	/* No cached pages or empty slabs to come back in the middle of a count. */
	mm_drain_caches();
	(void)t;
}

static void zone_exit(struct ktest *t)
{
	KT_EXPECT_EQ(t, page_alloc_set_tunables(&boot_tunables), 0);
}

/* ---- spans and statistics --------------------------------------------------------- */

/* Zones ascend without overlap, end where the table says, and add up to the totals. */
static void spans_and_totals(struct ktest *t)
{
	struct zone_stats zs[MAX_ZONES];
	struct page_alloc_stats st;
	size_t n, managed = 0, free = 0, nr_free[PAGE_STATS_MAX_ORDER + 1] = { 0 };
	uint64_t failures = 0;

	drain_all_pages();
	n = zone_list(zs);
	page_alloc_get_stats(&st);
	KT_ASSERT_EQ(t, n, (size_t)MAX_NR_ZONES);
	KT_EXPECT_EQ(t, strcmp(zs[n - 1].name, "Normal"), 0);
	for (size_t i = 0; i < n; i++) {
		KT_EXPECT_LE(t, zs[i].start, zs[i].end);
		KT_EXPECT_LE(t, (uint64_t)zs[i].managed, (zs[i].end - zs[i].start) >> PAGE_SHIFT);
		if (i)
			KT_EXPECT_EQ(t, zs[i].start, zs[i - 1].end);
		KT_EXPECT_LE(t, zs[i].min, zs[i].low);
		KT_EXPECT_LE(t, zs[i].low, zs[i].high);
		managed += zs[i].managed;
		free += zs[i].free_pages + zs[i].pcp_pages;
		failures += zs[i].counters.failures;
		for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
			nr_free[o] += zs[i].nr_free[o];
	}
#ifdef CONFIG_ZONE_DMA
	KT_EXPECT_EQ(t, strcmp(zs[ZONE_DMA].name, "DMA"), 0);
	KT_EXPECT_LE(t, zs[ZONE_DMA].end, (uint64_t)16 << 20);
#endif
#ifdef CONFIG_ZONE_DMA32
	KT_EXPECT_EQ(t, strcmp(zs[ZONE_DMA32].name, "DMA32"), 0);
	KT_EXPECT_LE(t, zs[ZONE_DMA32].end, (uint64_t)1 << 32);
	/* Above 4 GiB of RAM, Normal starts at 4 GiB exactly. */
	if (zs[ZONE_NORMAL].managed)
		KT_EXPECT_EQ(t, zs[ZONE_NORMAL].start, (uint64_t)1 << 32);
#endif
	KT_EXPECT_EQ(t, managed, st.total_pages);
	KT_EXPECT_EQ(t, free, st.free_pages);
	KT_EXPECT_EQ(t, failures, st.counters.failures);
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		KT_EXPECT_EQ(t, nr_free[o], st.nr_free[o]);
}

/* min / low / high and lowmem_reserve[] exactly as Linux computes them. */
static void watermarks_and_reserves_as_linux(struct ktest *t)
{
	struct zone_stats zs[MAX_ZONES];
	size_t n, total = 0, pages_min = TEST_MIN_FREE_KBYTES / (PAGE_SIZE / 1024);

	set_test_reserves(t, true);
	n = zone_list(zs);
	for (size_t i = 0; i < n; i++)
		total += zs[i].managed;
	for (size_t i = 0; i < n; i++) {
		size_t min = pages_min * zs[i].managed / total;
		size_t gap = MAX(min / 4, zs[i].managed * TEST_SCALE_FACTOR / 10000);
		size_t above = 0;

		KT_EXPECT_EQ(t, zs[i].min, min);
		KT_EXPECT_EQ(t, zs[i].low, min + gap);
		KT_EXPECT_EQ(t, zs[i].high, min + 2 * gap);
		for (size_t j = 0; j < n; j++) {
			unsigned int ratio = boot_tunables.lowmem_reserve_ratio[i];

			if (j > i)
				above += zs[j].managed;
			KT_EXPECT_EQ(t, zs[i].lowmem_reserve[j],
				     j > i && ratio && zs[i].managed ? above / ratio : (size_t)0);
		}
	}
	/* A scale factor outside Linux's range is refused, with nothing changed. */
	{
		struct page_alloc_tunables bad, now;

		page_alloc_get_tunables(&bad);
		bad.watermark_scale_factor = 0;
		KT_EXPECT_EQ(t, page_alloc_set_tunables(&bad), KERR_INVAL);
		bad.watermark_scale_factor = 3001;
		KT_EXPECT_EQ(t, page_alloc_set_tunables(&bad), KERR_INVAL);
		page_alloc_get_tunables(&now);
		KT_EXPECT_EQ(t, now.watermark_scale_factor, TEST_SCALE_FACTOR);
		KT_EXPECT_EQ(t, now.min_free_kbytes, (size_t)TEST_MIN_FREE_KBYTES);
	}
}

/* ---- flags --------------------------------------------------------------------------- */

/* Each modifier names its zone, or the next one up that this kernel has. */
static void gfp_names_a_zone(struct ktest *t)
{
	KT_EXPECT_EQ(t, (int)gfp_zone(GFP_KERNEL), (int)ZONE_NORMAL);
	KT_EXPECT_EQ(t, (int)gfp_zone(GFP_ATOMIC | __GFP_ZERO), (int)ZONE_NORMAL);
#if defined(CONFIG_ZONE_DMA)
	KT_EXPECT_EQ(t, (int)gfp_zone(GFP_DMA), (int)ZONE_DMA);
#elif defined(CONFIG_ZONE_DMA32)
	KT_EXPECT_EQ(t, (int)gfp_zone(GFP_DMA), (int)ZONE_DMA32);
#else
	KT_EXPECT_EQ(t, (int)gfp_zone(GFP_DMA), (int)ZONE_NORMAL);
#endif
#ifdef CONFIG_ZONE_DMA32
	KT_EXPECT_EQ(t, (int)gfp_zone(GFP_DMA32), (int)ZONE_DMA32);
#else
	KT_EXPECT_EQ(t, (int)gfp_zone(GFP_DMA32), (int)ZONE_NORMAL);
#endif
	KT_EXPECT_EQ(t, gfp_check(GFP_KERNEL), 0);
	KT_EXPECT_EQ(t, gfp_check(GFP_ATOMIC | __GFP_HIGH | __GFP_NOWARN | __GFP_ZERO), 0);
	KT_EXPECT_EQ(t, gfp_check(__GFP_NOFAIL), KERR_INVAL);
	KT_EXPECT_EQ(t, gfp_check(__GFP_DMA | __GFP_DMA32), KERR_INVAL);
	KT_EXPECT_EQ(t, gfp_check(0x80000000u), KERR_INVAL);
	KT_EXPECT_EQ(t, gfp_check(0x04u), KERR_INVAL);   /* a zone bit no zone has */
}

/* A page of a low zone lies below its limit, in every size. */
static void low_zone_pages_lie_low(struct ktest *t)
{
	unsigned int low = lowest_populated();
	struct zone_stats z = zone_now(low);
	gfp_t flags = zone_gfp(low);
	void *p[3];

	if (low == ZONE_NORMAL)
		KT_SKIP(t, "no DMA or DMA32 zone with pages: nothing lies low");
	p[0] = page_alloc(1, flags);
	p[1] = alloc_pages(2, flags | __GFP_ZERO);
	p[2] = page_alloc(3, flags);
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		KT_ASSERT_NOT_NULL(t, p[i]);
		KT_EXPECT_GE(t, phys_of(p[i]), z.start);
		KT_EXPECT_LT(t, phys_of(p[i]), z.end);
	}
#ifdef CONFIG_ZONE_DMA
	if (low == ZONE_DMA)
		KT_EXPECT_LT(t, phys_of(p[0]), (uint64_t)16 << 20);
#endif
	KT_EXPECT_EQ(t, ((const uint64_t *)p[1])[0], 0u);
	KT_EXPECT_EQ(t, page_free(p[0], 1), KERR_OK);
	KT_EXPECT_EQ(t, free_pages(p[1], 2), KERR_OK);
	KT_EXPECT_EQ(t, page_free(p[2], 3), KERR_OK);
}

#ifdef CONFIG_SLAB
static uint64_t cache_failures(struct kmem_cache *c)
{
	struct kmem_cache_stats cs;

	kmem_cache_get_stats(c, &cs);
	return cs.counters.failures;
}
#endif

static void *volatile made;

/* A call that is not a tail call, so that the caller the report names is this function. */
static __noinline void ask_pages(size_t npages, gfp_t flags)
{
	made = page_alloc(npages, flags);
	__asm__ volatile("" ::: "memory");
}

/*
 * Flags no request may carry fail, counted and reported; kmalloc refuses
 * zone modifiers and __GFP_MOVABLE.
 */
static void bad_flags_refused(struct ktest *t)
{
	struct page_alloc_stats before, after;
	struct mm_stats mb, ma;
	struct alloc_request last;

	page_alloc_get_stats(&before);
	ask_pages(1, __GFP_NOFAIL);
	KT_EXPECT_NULL(t, made);
	KT_ASSERT_TRUE(t, warn_alloc_last(&last));
	KT_EXPECT_EQ(t, strcmp(last.why, "invalid gfp flags"), 0);
	KT_EXPECT_EQ(t, last.flags, __GFP_NOFAIL);
	KT_EXPECT_NULL(t, alloc_pages(0, 0x80000u));
	KT_EXPECT_NULL(t, alloc_pages(3, __GFP_DMA | __GFP_DMA32));
	KT_EXPECT_NULL(t, page_alloc(2, __GFP_NOFAIL | __GFP_NOWARN));
	page_alloc_get_stats(&after);
	KT_EXPECT_EQ(t, after.counters.failures, before.counters.failures + 4);
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);

	mm_get_stats(&mb);
	KT_EXPECT_NULL(t, kmalloc(64, GFP_DMA));
	KT_EXPECT_NULL(t, kmalloc(64, GFP_DMA32 | __GFP_NOWARN));
	KT_EXPECT_NULL(t, kzalloc(64, __GFP_NOFAIL));
	KT_EXPECT_NULL(t, kmalloc(64, __GFP_MOVABLE | __GFP_NOWARN));
	mm_get_stats(&ma);
	KT_EXPECT_EQ(t, ma.counters.failures, mb.counters.failures + 4);
	KT_EXPECT_EQ(t, ma.live_objects, mb.live_objects);
#ifdef CONFIG_SLAB
	{
		struct kmem_cache *c = kmem_cache_create("zone-test", 64, 0, NULL);

		KT_ASSERT_NOT_NULL(t, c);
		KT_EXPECT_NULL(t, kmem_cache_alloc(c, GFP_DMA));
		KT_EXPECT_NULL(t, kmem_cache_alloc(c, __GFP_NOFAIL));
		KT_EXPECT_EQ(t, cache_failures(c), (uint64_t)2);
		KT_ASSERT_TRUE(t, warn_alloc_last(&last));
		KT_EXPECT_EQ(t, strcmp(last.who, "zone-test"), 0);
		kmem_cache_destroy(c);
	}
#endif
}

/* ---- fallback and reserves ------------------------------------------------------------ */

/*
 * GFP_KERNEL takes the highest zone first and falls back one zone at a
 * time; each zone ends exactly at its floor, min plus its lowmem reserve
 * against the highest zone.  The walk goes down the zones twice, as
 * Linux's does: first while each stays above low, then down to min; so
 * the zone a block comes from goes back up once at most.
 */
static void fallback_order_and_floors(struct ktest *t)
{
	struct zone_stats before[MAX_ZONES], after[MAX_ZONES];
	struct held_pages held = { 0 };
	unsigned int top = highest_populated(), last = top, ups = 0, lowest = top;
	bool in_zones = true, adjacent = true;
	size_t n;

	if (populated_zones() < 2)
		KT_SKIP(t, "one zone with pages: nothing to fall back to");
	set_test_reserves(t, true);
	n = zone_list(before);
	while (held_take(&held, FILL_ORDER, GFP_KERNEL)) {
		unsigned int z = zone_of(held_last(&held), before);

		in_zones &= z < MAX_ZONES;
		if (z >= MAX_ZONES)
			continue;
		if (z > last)
			ups++;
		/* Down to the next zone with pages, none skipped. */
		for (unsigned int skipped = z + 1; z < last && skipped < last; skipped++)
			adjacent &= before[skipped].managed == 0;
		last = z;
		lowest = MIN(lowest, z);
	}
	KT_EXPECT_TRUE(t, in_zones);
	KT_EXPECT_TRUE(t, adjacent);
	KT_EXPECT_LE(t, ups, 1u);
	fill_pages(&held, GFP_KERNEL);
	zone_list(after);
	for (size_t i = 0; i < n; i++) {
		size_t floor = after[i].min + after[i].lowmem_reserve[top];
		/* A zone whose reserve covers it gives GFP_KERNEL nothing. */
		bool gives = before[i].free_pages > floor;

		if (!before[i].managed)
			continue;
		KT_EXPECT_EQ(t, after[i].pcp_pages, (size_t)0);
		KT_EXPECT_EQ(t, after[i].free_pages, MIN(before[i].free_pages, floor));
		if (i < top && gives)
			KT_EXPECT_GT(t, after[i].fallbacks, before[i].fallbacks);
		else
			KT_EXPECT_EQ(t, after[i].fallbacks, before[i].fallbacks);
		/* The blocks reached every zone that had a block to give. */
		if (before[i].free_pages >= floor + ((size_t)1 << FILL_ORDER))
			KT_EXPECT_LE(t, lowest, (unsigned int)i);
	}
	/* The reserve kept the lowest zone for requests that can use nothing else. */
	if (after[lowest_populated()].lowmem_reserve[top]) {
		void *p = page_alloc(1, zone_gfp(lowest_populated()));

		KT_EXPECT_NOT_NULL(t, p);
		KT_EXPECT_EQ(t, page_free(p, 1), KERR_OK);
	}
	held_release(t, &held);
}

struct span_check {
	uint64_t start, end;
	bool all_inside;
};

static void check_inside(void *block, unsigned int order, void *arg)
{
	struct span_check *c = arg;
	uint64_t pa = phys_of(block);

	c->all_inside &= pa >= c->start && pa + ((uint64_t)PAGE_SIZE << order) <= c->end;
}

/* A request for a low zone never gets a page above it, however full memory is. */
static void low_requests_stay_low(struct ktest *t)
{
	unsigned int low = lowest_populated();
	struct zone_stats z = zone_now(low);
	struct held_pages held = { 0 };
	struct span_check range = { z.start, z.end, true };
	size_t pages;

	if (low == ZONE_NORMAL)
		KT_SKIP(t, "no DMA or DMA32 zone with pages");
	set_test_reserves(t, false);
	pages = fill(&held, zone_gfp(low));
	KT_EXPECT_GT(t, pages, (size_t)0);
	held_for_each(&held, check_inside, &range);
	KT_EXPECT_TRUE(t, range.all_inside);
	KT_EXPECT_EQ(t, zone_now(low).free_pages, zone_now(low).min);
	held_release(t, &held);
}

/* ---- watermarks ------------------------------------------------------------------------- */

/* Free pages left in zone @i by requests with @alloc_flags whose highest zone is @top. */
static size_t floor_for(const struct zone_stats *z, unsigned int top, unsigned int alloc_flags)
{
	size_t min = z->min;

	if (alloc_flags & ALLOC_HARDER)
		min -= min / 2;
	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	return min + z->lowmem_reserve[top];
}

/*
 * GFP_KERNEL stops at min, GFP_ATOMIC at min / 2, GFP_ATOMIC | __GFP_HIGH
 * at min / 4, and nothing goes below that; health follows.
 */
static void atomic_requests_dip_below_min(struct ktest *t)
{
	static const gfp_t steps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_ATOMIC | __GFP_HIGH };
	static const unsigned int floors[] = { 0, ALLOC_HARDER, ALLOC_HARDER | ALLOC_HIGH };
	struct zone_stats before[MAX_ZONES], now[MAX_ZONES];
	unsigned int top = highest_populated();
	struct held_pages held = { 0 };
	size_t n;

	set_test_reserves(t, false);
	n = zone_list(before);
	for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
		fill(&held, steps[s]);
		zone_list(now);
		for (size_t i = 0; i < n; i++) {
			if (!before[i].managed)
				continue;
			KT_EXPECT_EQ(t, now[i].free_pages,
				     MIN(before[i].free_pages, floor_for(&now[i], top, floors[s])));
		}
		/* Under min (once an atomic request went there), or a failure just now. */
		KT_EXPECT_EQ(t, (int)page_alloc_health(),
			     (int)(s ? MM_HEALTH_CRITICAL : MM_HEALTH_LOW));
	}
	/* The floor holds for every flag. */
	KT_EXPECT_NULL(t, page_alloc(1, GFP_ATOMIC | __GFP_HIGH | __GFP_NOWARN));
	KT_EXPECT_NULL(t, alloc_pages(0, GFP_KERNEL | __GFP_NOWARN));
	held_release(t, &held);

	/*
	 * Free again, but 64 requests must pass before the failures are
	 * forgotten: each zone keeps the history of the requests whose
	 * highest zone it is.
	 */
	KT_EXPECT_NE(t, (int)page_alloc_health(), (int)MM_HEALTH_OK);
	for (unsigned int z = 0; z < n; z++) {
		if (!before[z].managed)
			continue;
		for (int i = 0; i < 64; i++) {
			void *p = alloc_pages(1, zone_gfp(z));

			KT_ASSERT_NOT_NULL(t, p);
			KT_EXPECT_EQ(t, free_pages(p, 1), KERR_OK);
		}
	}
	KT_EXPECT_EQ(t, (int)page_alloc_health(), (int)MM_HEALTH_OK);
	KT_EXPECT_EQ(t, (int)zone_now(top).health, (int)MM_HEALTH_OK);
}

struct shrinker_figures {
	uint64_t scans, freed;
};

static void add_figures(const struct shrinker *s, void *arg)
{
	struct shrinker_figures *f = arg;

	f->scans += s->scans;
	f->freed += s->freed;
}

static struct shrinker_figures shrinker_figures(void)
{
	struct shrinker_figures f = { 0 };

	for_each_shrinker(add_figures, &f);
	return f;
}

/*
 * Filling a zone below low runs the shrinkers: the empty slabs a cache
 * kept go back.  An atomic request never runs them; the next ordinary one
 * does.  The pages on this CPU's list go back too, before that: the
 * request is a run, which gives the list back first (pcp.h), so with no
 * kept empty slab no shrinker has anything left (pcp_test.c runs the
 * lists' own).
 */
static void shrinkers_run_below_low(struct ktest *t)
{
	unsigned int low = lowest_populated();
	struct shrinker_figures f0, f1;
	struct held_pages held = { 0 };
	void *aside[8];
	size_t listed;
#ifdef CONFIG_PCP
	struct pcp_stats p0, p1;
#endif
#ifdef CONFIG_SLAB
	struct kmem_cache *c = NULL;
	struct kmem_cache_stats cs;
	void *objs[64];
#endif

	if (!HAVE_PCP_LISTS && !KEPT_EMPTY_SLABS)
		KT_SKIP(t, "no per-CPU lists and no kept empty slabs: no shrinker has pages");
	set_test_reserves(t, false);
#ifdef CONFIG_SLAB
	if (CONFIG_SLAB_KEEP_EMPTY) {
		/* Real slabs even under guard sampling (randconfig seed 1007: every object a guard's). */
		c = kmem_cache_create_flags("zone-shrink", 1024, 0, SLAB_SKIP_GUARD, NULL);
		KT_ASSERT_NOT_NULL(t, c);
		for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
			kmem_cache_free(c, objs[i]);
		kmem_cache_get_stats(c, &cs);
		KT_EXPECT_GT(t, cs.slabs_empty, (size_t)0);
	}
#endif
	for (size_t i = 0; i < ARRAY_SIZE(aside); i++)
		aside[i] = page_alloc(1, zone_gfp(low));

	/* Below low with atomic requests: no shrinker runs. */
	f0 = shrinker_figures();
	fill(&held, zone_gfp(low) | GFP_ATOMIC);
	KT_EXPECT_LT(t, zone_now(low).free_pages, zone_now(low).low);
	/* Pages for the per-CPU lists: freed singles stay there, out of the zone. */
	for (size_t i = 0; i < ARRAY_SIZE(aside); i++)
		KT_EXPECT_EQ(t, page_free(aside[i], 1), KERR_OK);
	f1 = shrinker_figures();
	KT_EXPECT_EQ(t, f1.scans, f0.scans);
	/* A short list (small PCP_PAGES) sent a batch back already: count what stays. */
	listed = zone_now(low).pcp_pages;
	if (HAVE_PCP_LISTS)
		KT_EXPECT_GT(t, listed, (size_t)0);

	/* The next ordinary request that reaches the zones (order 1: no list) reclaims. */
#ifdef CONFIG_PCP
	pcp_get_stats(&p0);
#endif
	held_take(&held, 1, zone_gfp(low));
	f1 = shrinker_figures();
	if (KEPT_EMPTY_SLABS)
		KT_EXPECT_GT(t, f1.scans, f0.scans);
#ifdef CONFIG_PCP
	pcp_get_stats(&p1);
	KT_EXPECT_GE(t, p1.drained, p0.drained + listed);
#endif
	KT_EXPECT_EQ(t, zone_now(low).pcp_pages, (size_t)0);
#ifdef CONFIG_SLAB
	if (c) {
		kmem_cache_get_stats(c, &cs);
		KT_EXPECT_EQ(t, cs.slabs_empty, (size_t)0);
		kmem_cache_destroy(c);
	}
#endif
	held_release(t, &held);
}

/* ---- failure reports -------------------------------------------------------------------- */

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; *s; s++)
		if (!strncmp(s, part, n))
			return true;
	return false;
}

/* A failure reports the request, its caller and every zone; __GFP_NOWARN stays quiet. */
static void failure_report_names_request_and_zones(struct ktest *t)
{
	static char buf[2048];
	struct zone_stats zs[MAX_ZONES];
	struct alloc_request last;
	struct held_pages held = { 0 };
	uint64_t printed0, held0, printed1, held1;
	const size_t npages = 2;
	size_t n;
	char want[64];

	/* Memory full to the floor: two pages are more than there is. */
	fill(&held, GFP_KERNEL);
	n = zone_list(zs);
	warn_alloc_counts(&printed0, &held0);
	ask_pages(npages, GFP_KERNEL | __GFP_ZERO);
	KT_EXPECT_NULL(t, made);
	warn_alloc_counts(&printed1, &held1);
	KT_EXPECT_EQ(t, printed1 + held1, printed0 + held0 + 1);
	KT_ASSERT_TRUE(t, warn_alloc_last(&last));
	KT_EXPECT_EQ(t, strcmp(last.who, "page_alloc"), 0);
	KT_EXPECT_EQ(t, strcmp(last.why, "out of memory"), 0);
	KT_EXPECT_EQ(t, last.size, npages * PAGE_SIZE);
	KT_EXPECT_EQ(t, last.order, -1);
	KT_EXPECT_EQ(t, last.flags, __GFP_ZERO);
	if (warn_alloc_names_entry_point) {
		KT_EXPECT_GE(t, last.caller, (uintptr_t)page_alloc);
		KT_EXPECT_LT(t, last.caller, (uintptr_t)page_alloc + 1024);
	} else {
		/* The caller is ask_pages(), not anything inside the allocator. */
		KT_EXPECT_GE(t, last.caller, (uintptr_t)ask_pages);
		KT_EXPECT_LT(t, last.caller, (uintptr_t)ask_pages + 1024);
	}

	alloc_report(buf, sizeof(buf), &last);
	KT_EXPECT_TRUE(t, contains(buf, "page_alloc: allocation failure (out of memory)"));
	ksnprintf(want, sizeof(want), "size %zu", npages * PAGE_SIZE);
	KT_EXPECT_TRUE(t, contains(buf, want));
	KT_EXPECT_TRUE(t, contains(buf, "gfp 0x100(__GFP_ZERO)"));
	for (size_t i = 0; i < n; i++) {
		ksnprintf(want, sizeof(want), "  %s: free %zu", zs[i].name, zs[i].free_pages);
		KT_EXPECT_TRUE(t, contains(buf, want));
	}
	KT_EXPECT_TRUE(t, contains(buf, " min "));
	KT_EXPECT_TRUE(t, contains(buf, " per order"));
	held_release(t, &held);

	/* An order shows as one; __GFP_NOWARN leaves no trace. */
	KT_EXPECT_NULL(t, alloc_pages(40, GFP_ATOMIC));
	KT_ASSERT_TRUE(t, warn_alloc_last(&last));
	KT_EXPECT_EQ(t, last.order, 40);
	KT_EXPECT_EQ(t, strcmp(last.why, "no such run"), 0);
	warn_alloc_counts(&printed0, &held0);
	KT_EXPECT_NULL(t, page_alloc(0, __GFP_NOWARN));
	KT_EXPECT_NULL(t, kmalloc(KMALLOC_SIZE_MAX, __GFP_NOWARN | GFP_DMA));
	warn_alloc_counts(&printed1, &held1);
	KT_EXPECT_EQ(t, printed1 + held1, printed0 + held0);
	KT_ASSERT_TRUE(t, warn_alloc_last(&last));
	KT_EXPECT_EQ(t, last.order, 40);
}

/* Past the burst, one report in WARN_ALLOC_INTERVAL failures is printed. */
static void failure_reports_are_rate_limited(struct ktest *t)
{
	const size_t n = 2 * WARN_ALLOC_INTERVAL;
	uint64_t printed0, held0, printed1, held1;

	warn_alloc_counts(&printed0, &held0);
	for (size_t i = 0; i < n; i++)
		KT_ASSERT_NULL(t, page_alloc(0, GFP_KERNEL));
	warn_alloc_counts(&printed1, &held1);
	KT_EXPECT_EQ(t, (printed1 - printed0) + (held1 - held0), (uint64_t)n);
	KT_EXPECT_LE(t, printed1 - printed0, (uint64_t)(WARN_ALLOC_BURST + n / WARN_ALLOC_INTERVAL));
	KT_EXPECT_GE(t, printed1 - printed0, (uint64_t)(n / WARN_ALLOC_INTERVAL - 1));
}

static const struct ktest_case zone_cases[] = {
	KTEST_CASE(spans_and_totals),
	KTEST_CASE(watermarks_and_reserves_as_linux),
	KTEST_CASE(gfp_names_a_zone),
	KTEST_CASE(low_zone_pages_lie_low),
	KTEST_CASE(bad_flags_refused),
	KTEST_CASE(fallback_order_and_floors),
	KTEST_CASE(low_requests_stay_low),
	KTEST_CASE(atomic_requests_dip_below_min),
	KTEST_CASE(shrinkers_run_below_low),
	KTEST_CASE(failure_report_names_request_and_zones),
	KTEST_CASE(failure_reports_are_rate_limited),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(zone, zone_cases, zone_init, zone_exit);
