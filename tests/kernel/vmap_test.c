/*
 * vmap_test.c - the vmap area (core/mm/vmap.h) and the page tables under
 * it, read back with arch_translate().
 *
 * What a case expects is derived from the configuration and the memory
 * map, never from the code under test: a 2 MiB leaf needs a free order-9
 * block (page_alloc_get_stats()), a 1 GiB leaf a free order-18 block and
 * an arch that maps 1 GiB leaves (arch_page_size_supported()); a case
 * whose precondition does not hold skips and says which.  Data written
 * through a vmap address is read back through the identity map of the
 * physical address the tables give (on the host, the arena address), so
 * a mapping to the wrong page shows.
 *
 * Every case leaves the area as it found it; the page-table case needs it
 * empty and says so when it is not.  Page counts are compared after
 * mm_drain_caches(): a region's descriptor is a kmalloc() object, and a
 * slab page kept for the next one is cached, not leaked.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "ktest.h"
#include "mm.h"
#include "mm_misuse.h"
#include "held_pages.h"
#include "page_alloc.h"
#include "vmap.h"
#ifdef CONFIG_HUGEPAGES
#include "hugetlb.h"
#endif

#define ORDER_2M 9u
#define ORDER_1G 18u

static struct vmap_stats vstats(void)
{
	struct vmap_stats st;

	vmap_get_stats(&st);
	return st;
}

static struct page_alloc_stats pstats(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st;
}

/* Is a free block of at least @order there to take? */
static bool free_block(unsigned int order)
{
	struct page_alloc_stats st;

	mm_drain_caches();
	page_alloc_get_stats(&st);
	for (unsigned int o = order; o <= PAGE_STATS_MAX_ORDER; o++) {
		if (st.nr_free[o])
			return true;
	}
	return false;
}

static unsigned int size_index(size_t ps)
{
	return ps == PAGE_SIZE_1G ? 2 : ps == PAGE_SIZE_2M ? 1 : 0;
}

static uint64_t pattern(size_t off)
{
	return (uint64_t)off * 0x9e3779b97f4a7c15ull ^ 0xa5a5a5a5a5a5a5a5ull;
}

/*
 * Write every word of [@va, @va + @size) through the vmap address, then
 * read each back through the identity address of the page the tables
 * name.  Returns the number of words that differ (after the first, the
 * rest are not reported one by one).
 */
static size_t touch_every_byte(struct ktest *t, uintptr_t va, size_t size)
{
	size_t bad = 0;

	for (size_t off = 0; off < size; off += sizeof(uint64_t))
		*(volatile uint64_t *)(va + off) = pattern(off);
	for (size_t off = 0; off < size;) {
		uintptr_t pa;
		size_t ps;

		if (arch_translate(va + off, &pa, &ps, NULL) != 0) {
			KT_FAIL(t, "offset %zu of the mapping is not mapped", off);
			return size;
		}
		for (size_t o = 0; o < ps && off + o < size; o += sizeof(uint64_t)) {
			uint64_t got = *(volatile uint64_t *)(pa + o);

			if (got != pattern(off + o) && !bad++)
				KT_FAIL(t, "word at offset %zu reads 0x%llx through pa 0x%lx", off + o,
					(unsigned long long)got, (unsigned long)(pa + o));
		}
		off += ps;
	}
	return bad;
}

/* Every leaf of [@va, @va + @size) has @ps bytes and a @ps-aligned physical address. */
static void expect_leaves(struct ktest *t, uintptr_t va, size_t size, size_t ps)
{
	for (size_t off = 0; off < size; off += ps) {
		uintptr_t pa = 1;
		size_t got = 0;
		unsigned int prot = 0;

		KT_ASSERT_EQ(t, arch_translate(va + off, &pa, &got, &prot), 0);
		KT_EXPECT_EQ(t, got, ps);
		KT_EXPECT_EQ(t, pa & (ps - 1), 0u);
		KT_EXPECT_EQ(t, prot & (ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_EXEC),
			     ARCH_PROT_READ | ARCH_PROT_WRITE);
	}
}

static void small_allocation_is_4k_leaves(struct ktest *t)
{
	struct vmap_stats s0 = vstats(), s;
	size_t size = 3 * PAGE_SIZE;
	char *p = vmap_alloc(size - 100, __GFP_ZERO);

	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_TRUE(t, vmap_owns(p));
	KT_EXPECT_EQ(t, (uintptr_t)p & (PAGE_SIZE - 1), 0u);
	expect_leaves(t, (uintptr_t)p, size, PAGE_SIZE_4K);
	for (size_t i = 0; i < size; i++)
		KT_ASSERT_EQ(t, p[i], 0);	/* __GFP_ZERO, all of it */
	KT_EXPECT_EQ(t, touch_every_byte(t, (uintptr_t)p, size), 0u);
	s = vstats();
	KT_EXPECT_EQ(t, s.regions, s0.regions + 1);
	KT_EXPECT_EQ(t, s.mapped[0], s0.mapped[0] + size);
	KT_EXPECT_EQ(t, s.counters.allocs, s0.counters.allocs + 1);
	KT_EXPECT_EQ(t, vmap_free(p), 0);
	s = vstats();
	KT_EXPECT_EQ(t, s.regions, s0.regions);
	KT_EXPECT_EQ(t, s.mapped[0], s0.mapped[0]);
	KT_EXPECT_EQ(t, s.counters.frees, s0.counters.frees + 1);
}

#ifdef CONFIG_HUGEPAGES
/*
 * Automatic selection (HUGEPAGE_AUTO_KB) serves a large request's 2 MiB
 * stretches from the hugepage pool while it has 2 MiB pages, a GiB-aligned
 * one too when the pool has no GiB page (randconfig seed 1011): take them
 * all for the case, so that the request reaches the page allocator.
 * Returns how many are held in @held.
 */
static size_t hold_pool_2m(void **held, size_t max)
{
	struct hugepage_stats st;
	size_t n = 0;

	for (hugepage_get_stats(&st); st.auto_threshold && st.size[0].free && n < max;
	     hugepage_get_stats(&st)) {
		held[n] = alloc_huge_page(PAGE_SIZE_2M, GFP_KERNEL);
		if (!held[n])
			break;
		n++;
	}
	return n;
}
#endif

/* One vmap_alloc() of exactly one leaf of @ps: the leaf, its alignment, every byte. */
static void one_huge_leaf(struct ktest *t, size_t ps, unsigned int order)
{
	struct vmap_stats s0 = vstats(), s;
	size_t idx = size_index(ps);
	uintptr_t p;
#ifdef CONFIG_HUGEPAGES
	static void *pool_held[CONFIG_HUGEPAGES_2M + 1];
	size_t held = 0;
#endif

	if (!arch_page_size_supported(ps))
		KT_SKIP(t, "this arch (CPU) maps no leaves of this size");
#ifdef CONFIG_BUDDY_MAX_ORDER
	if (CONFIG_BUDDY_MAX_ORDER < order)
		KT_SKIP(t, "BUDDY_MAX_ORDER is below this size: no such block exists");
#endif
	if (s0.largest_gap < 2 * ps)
		KT_SKIP(t, "the vmap area (VMAP_SIZE_MB) has no aligned room for this size");
	if (!free_block(order))
		KT_SKIP(t, "no free block of this size in RAM (the memory map leaves none whole)");
#ifdef CONFIG_HUGEPAGES
	if (ps > PAGE_SIZE_2M)
		held = hold_pool_2m(pool_held, ARRAY_SIZE(pool_held));
#endif

	p = (uintptr_t)vmap_alloc(ps, GFP_KERNEL);
	KT_EXPECT_TRUE(t, p != 0);
	if (p) {
		KT_EXPECT_EQ(t, p & (ps - 1), 0u);	/* the virtual side allows the leaf too */
		expect_leaves(t, p, ps, ps);
		s = vstats();
		KT_EXPECT_EQ(t, s.mapped[idx], s0.mapped[idx] + ps);
		KT_EXPECT_EQ(t, touch_every_byte(t, p, ps), 0u);
		KT_EXPECT_EQ(t, vmap_free((void *)p), 0);
		KT_EXPECT_EQ(t, vstats().mapped[idx], s0.mapped[idx]);
	}
#ifdef CONFIG_HUGEPAGES
	while (held)
		KT_EXPECT_EQ(t, free_huge_page(pool_held[--held]), 0);
#endif
}

static void allocation_of_2m_is_one_2m_leaf(struct ktest *t)
{
	one_huge_leaf(t, PAGE_SIZE_2M, ORDER_2M);
}

static void allocation_of_1g_is_one_1g_leaf(struct ktest *t)
{
	one_huge_leaf(t, PAGE_SIZE_1G, ORDER_1G);
}

/* 2 MiB plus a few pages: a 2 MiB leaf, then 4 KiB leaves, contiguous to the caller. */
static void mixed_sizes_map_largest_first(struct ktest *t)
{
	size_t size = PAGE_SIZE_2M + 5 * PAGE_SIZE;
	uintptr_t p;

	if (!arch_page_size_supported(PAGE_SIZE_2M) || !free_block(ORDER_2M))
		KT_SKIP(t, "no 2 MiB leaves, or no free 2 MiB block");
#ifdef CONFIG_BUDDY_MAX_ORDER
	if (CONFIG_BUDDY_MAX_ORDER < ORDER_2M)
		KT_SKIP(t, "BUDDY_MAX_ORDER is below 2 MiB");
#endif
	p = (uintptr_t)vmap_alloc(size, GFP_KERNEL);
	KT_ASSERT_TRUE(t, p != 0);
	expect_leaves(t, p, PAGE_SIZE_2M, PAGE_SIZE_2M);
	expect_leaves(t, p + PAGE_SIZE_2M, size - PAGE_SIZE_2M, PAGE_SIZE_4K);
	KT_EXPECT_EQ(t, touch_every_byte(t, p, size), 0u);
	KT_EXPECT_EQ(t, vmap_free((void *)p), 0);
}

/* The lowest and highest address the memory map reports as RAM. */
static void ram_span(uintptr_t *lo, uintptr_t *hi)
{
	struct mem_region r[MEM_REGIONS_MAX];
	size_t n = arch_memory_map(r, MEM_REGIONS_MAX);

	*lo = UINTPTR_MAX;
	*hi = 0;
	for (size_t i = 0; i < n; i++) {
		*lo = MIN(*lo, r[i].base);
		*hi = MAX(*hi, r[i].base + r[i].size);
	}
}

/*
 * vmap_phys() of the @ps-aligned physical range around a page of ours:
 * one leaf of @ps, read back through the tables, and the page's contents
 * seen through it.  Nothing else of the range is touched.
 */
static void phys_leaf(struct ktest *t, size_t ps)
{
	uintptr_t pa0, pa = 0, va, lo, hi;
	size_t got = 0;
	uint64_t *page;

	if (vstats().largest_gap < 2 * ps) {
		ktest_skip(t, "the vmap area (VMAP_SIZE_MB) has no aligned room for the largest leaf");
		return;
	}
	page = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, page);
	pa0 = ALIGN_DOWN((uintptr_t)page, (uintptr_t)ps);
	page[5] = pattern(5);
	va = (uintptr_t)vmap_phys(pa0, ps, ARCH_PROT_READ);
	ram_span(&lo, &hi);
	if (!va && (pa0 < lo || pa0 + ps > hi)) {
		free_pages(page, 0);
		ktest_skip(t, "the aligned range reaches outside RAM, which this arch does not map (host)");
		return;
	}
	KT_EXPECT_TRUE(t, va != 0);
	if (va) {
		KT_EXPECT_EQ(t, arch_translate(va, &pa, &got, NULL), 0);
		KT_EXPECT_EQ(t, got, ps);
		KT_EXPECT_EQ(t, pa, pa0);
		KT_EXPECT_EQ(t, *(volatile uint64_t *)(va + ((uintptr_t)page - pa0) + 5 * 8), pattern(5));
		KT_EXPECT_EQ(t, vmap_free((void *)va), 0);
	}
	KT_EXPECT_EQ(t, free_pages(page, 0), 0);
}

static void phys_mapping_uses_every_leaf_size(struct ktest *t)
{
	phys_leaf(t, PAGE_SIZE_4K);
	if (arch_page_size_supported(PAGE_SIZE_2M))
		phys_leaf(t, PAGE_SIZE_2M);
	if (arch_page_size_supported(PAGE_SIZE_1G))
		phys_leaf(t, PAGE_SIZE_1G);
}

/* Bytes of [@lo, @hi) the memory map reports usable. */
static size_t usable_within(const struct mem_region *r, size_t n, uintptr_t lo, uintptr_t hi)
{
	size_t bytes = 0;

	for (size_t i = 0; i < n; i++) {
		uintptr_t b = MAX(r[i].base, lo), e = MIN(r[i].base + r[i].size, hi);

		if (b < e)
			bytes += e - b;
	}
	return bytes;
}

struct gib_write {
	uintptr_t pa0, va;
	unsigned int blocks;
	size_t bad;
};

/*
 * Translation is per page: the first and the last word of every page show
 * that the leaf reaches it (every word would cost TCG half a minute a GiB).
 */
#define WORDS_OF_PAGE(o, pg) for (size_t o = (pg); o < (pg) + PAGE_SIZE; o += PAGE_SIZE - 8)

/* A held 2 MiB block inside the GiB: written through the leaf. */
static void write_through_leaf(void *block, unsigned int order, void *arg)
{
	struct gib_write *g = arg;
	uintptr_t b = (uintptr_t)block;

	if (order != ORDER_2M || b - g->pa0 >= PAGE_SIZE_1G)
		return;
	g->blocks++;
	for (size_t pg = 0; pg < PAGE_SIZE_2M; pg += PAGE_SIZE)
		WORDS_OF_PAGE(o, pg)
			*(volatile uint64_t *)(g->va + (b - g->pa0) + o) = pattern(b + o);
}

/* ... and read back through the identity map. */
static void read_through_identity(void *block, unsigned int order, void *arg)
{
	struct gib_write *g = arg;
	uintptr_t b = (uintptr_t)block;

	if (order != ORDER_2M || b - g->pa0 >= PAGE_SIZE_1G)
		return;
	for (size_t pg = 0; pg < PAGE_SIZE_2M; pg += PAGE_SIZE)
		WORDS_OF_PAGE(o, pg)
			g->bad += *(volatile uint64_t *)(b + o) != pattern(b + o);
}

/*
 * A 1 GiB leaf over RAM that is in use (vmap_phys() of the aligned GiB
 * holding the most usable RAM), touched in every usable page: the free
 * 2 MiB blocks inside it are taken, a pattern unique to each word's
 * physical address is written through the leaf and read back through the
 * identity map (each page's first and last word); every other usable
 * page reads the same both ways.  This
 * is the whole-GiB check that allocation_of_1g_is_one_1g_leaf cannot make
 * when no GiB is free as one block (RAM_MB caps RAM at 2 GiB, and the page
 * allocator keeps its metadata at the top of it).
 */
static void one_gib_leaf_reaches_every_usable_byte(struct ktest *t)
{
	struct mem_region r[MEM_REGIONS_MAX];
	size_t n = arch_memory_map(r, MEM_REGIONS_MAX), best_bytes = 0, bad = 0;
	uintptr_t pa0 = 0, va, pa;
	struct held_pages held = { 0 };
	struct gib_write gib;
	unsigned int kept = 0;
	size_t ps;

	if (!arch_page_size_supported(PAGE_SIZE_1G))
		KT_SKIP(t, "this arch (CPU) maps no 1 GiB leaves");
	if (vstats().largest_gap < 2 * PAGE_SIZE_1G)
		KT_SKIP(t, "the vmap area (VMAP_SIZE_MB) has no aligned room for a 1 GiB leaf");
	for (size_t i = 0; i < n; i++) {
		for (uintptr_t g = ALIGN_DOWN(r[i].base, (uintptr_t)PAGE_SIZE_1G);
		     g < r[i].base + r[i].size; g += PAGE_SIZE_1G) {
			size_t bytes = usable_within(r, n, g, g + PAGE_SIZE_1G);

			if (bytes > best_bytes) {
				best_bytes = bytes;
				pa0 = g;
			}
		}
	}
	va = (uintptr_t)vmap_phys(pa0, PAGE_SIZE_1G, ARCH_PROT_READ | ARCH_PROT_WRITE);
	if (!va)
		KT_SKIP(t, "the GiB reaches outside RAM, which this arch does not map (host: RAM_MB < 1024)");
	KT_EXPECT_EQ(t, arch_translate(va, &pa, &ps, NULL), 0);
	KT_EXPECT_EQ(t, ps, PAGE_SIZE_1G);
	KT_EXPECT_EQ(t, pa, pa0);

	/*
	 * Ours to write: the free 2 MiB blocks inside the GiB, taken with all
	 * the others (recorded outside them: held_pages.h).
	 */
	while (held_take(&held, ORDER_2M, GFP_KERNEL))
		;
	gib = (struct gib_write){ .pa0 = pa0, .va = va };
	held_for_each(&held, write_through_leaf, &gib);
	held_for_each(&held, read_through_identity, &gib);
	kept = gib.blocks;
	bad = gib.bad;
	KT_EXPECT_EQ(t, bad, 0u);
	/* Everything else usable: the same words through the leaf and through the identity map. */
	bad = 0;
	for (size_t i = 0; i < n; i++) {
		uintptr_t lo = MAX(r[i].base, pa0), hi = MIN(r[i].base + r[i].size, pa0 + PAGE_SIZE_1G);

		for (uintptr_t pg = lo; pg < hi; pg += PAGE_SIZE)
			WORDS_OF_PAGE(a, pg)
				bad += *(volatile uint64_t *)(va + (a - pa0)) != *(volatile uint64_t *)a;
	}
	KT_EXPECT_EQ(t, bad, 0u);
	held_release(t, &held);
	KT_EXPECT_EQ(t, vmap_free((void *)va), 0);
	if (!kept)
		KT_SKIP(t, "no free 2 MiB block inside the GiB to write: only read every byte");
}

/* Unmapped means every CPU faults now: the probe reports it, and the kernel goes on. */
static void access_after_free_faults(struct ktest *t)
{
	size_t size = 4 * PAGE_SIZE;
	uintptr_t p = (uintptr_t)vmap_alloc(size, GFP_KERNEL);
	unsigned long v = 0;

	KT_ASSERT_TRUE(t, p != 0);
	KT_EXPECT_EQ(t, arch_probe_write((void *)(p + size - 8), 7), 0);
	KT_EXPECT_EQ(t, arch_probe_read((void *)(p + size - 8), &v), 0);
	KT_EXPECT_EQ(t, v, 7u);
	/* The guard page behind the region is never mapped. */
	KT_EXPECT_EQ(t, arch_probe_read((void *)(p + size), &v), KERR_FAULT);
	KT_EXPECT_EQ(t, vmap_free((void *)p), 0);
	KT_EXPECT_EQ(t, arch_probe_read((void *)p, &v), KERR_FAULT);
	KT_EXPECT_EQ(t, arch_probe_write((void *)(p + size - 8), 1), KERR_FAULT);
	KT_EXPECT_EQ(t, arch_translate(p, NULL, NULL, NULL), KERR_FAULT);
}

static void freed_memory_is_reused(struct ktest *t)
{
	size_t size = 7 * PAGE_SIZE + 123;
	struct vmap_stats s0 = vstats();
	size_t free0;
	void *a, *b;

	mm_drain_caches();
	free0 = pstats().free_pages;
	a = vmap_alloc(size, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, a);
	KT_EXPECT_LE(t, pstats().free_pages, free0 - 8);
	KT_EXPECT_EQ(t, vmap_free(a), 0);
	mm_drain_caches();
	KT_EXPECT_EQ(t, pstats().free_pages, free0);
	b = vmap_alloc(size, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, b);
	/* First fit: with nothing new below it, the freed address comes back. */
	KT_EXPECT_PTR_EQ(t, b, a);
	KT_EXPECT_EQ(t, vmap_free(b), 0);
	mm_drain_caches();
	KT_EXPECT_EQ(t, pstats().free_pages, free0);
	KT_EXPECT_EQ(t, vstats().counters.allocs, s0.counters.allocs + 2);
	KT_EXPECT_EQ(t, vstats().counters.frees, s0.counters.frees + 2);
}

static void misuse_is_refused_and_counted(struct ktest *t)
{
	struct vmap_stats s0 = vstats();
	uint64_t reports = mm_misuse_total();
	static int not_vmap;
	char *p;
	unsigned long v;

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic");
	p = vmap_alloc(2 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, vmap_free(&not_vmap), KERR_RANGE);
	KT_EXPECT_EQ(t, vmap_free(p + 8), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, vmap_free(p + PAGE_SIZE), KERR_BAD_PTR);
	/* Refused means untouched: the region is still mapped and live. */
	KT_EXPECT_EQ(t, arch_probe_read(p, &v), 0);
	KT_EXPECT_EQ(t, vstats().regions, s0.regions + 1);
	KT_EXPECT_EQ(t, vmap_free(p), 0);
	KT_EXPECT_EQ(t, vmap_free(p), KERR_DOUBLE_FREE);
	/* Inside the area, where no region ever started. */
	KT_EXPECT_EQ(t, vmap_free((void *)(s0.base + s0.size - PAGE_SIZE)), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, vmap_free(NULL), 0);
	KT_EXPECT_EQ(t, vstats().counters.misuse, s0.counters.misuse + 5);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 5);
	KT_EXPECT_EQ(t, vstats().regions, s0.regions);
}

/* Out of address space, or out of pages part way: NULL, counted, nothing kept. */
static void exhaustion_returns_null(struct ktest *t)
{
	struct vmap_stats s0 = vstats(), s;
	size_t free0, want;

	KT_EXPECT_NULL(t, vmap_alloc(s0.size, GFP_KERNEL));	/* no room for its guard page */
	KT_EXPECT_NULL(t, vmap_alloc(s0.size + PAGE_SIZE_1G, GFP_KERNEL));
	KT_EXPECT_NULL(t, vmap_alloc(0, GFP_KERNEL));
	s = vstats();
	KT_EXPECT_EQ(t, s.va_failures, s0.va_failures + 2);
	KT_EXPECT_EQ(t, s.counters.failures, s0.counters.failures + 3);

	mm_drain_caches();
	free0 = pstats().free_pages;
	want = (free0 + 1) * PAGE_SIZE;
#ifdef CONFIG_HUGEPAGES
	/* A request this large may borrow every free hugepage-pool page too (HUGEPAGE_AUTO_KB). */
	{
		struct hugepage_stats hs;

		hugepage_get_stats(&hs);
		for (unsigned int i = 0; i < HUGE_NR_SIZES; i++)
			want += hs.size[i].free * hs.size[i].size;
	}
#endif
	if (want + PAGE_SIZE_1G > s.largest_gap)
		KT_SKIP(t, "VMAP_SIZE_MB is smaller than RAM: address space runs out before pages");
	/* Every free page is taken, and a page table may be what fails: all of it comes back. */
	KT_EXPECT_NULL(t, vmap_alloc(want, GFP_KERNEL));
	mm_drain_caches();
	KT_EXPECT_EQ(t, pstats().free_pages, free0);
	s = vstats();
	KT_EXPECT_EQ(t, s.va_failures, s0.va_failures + 2);
	KT_EXPECT_EQ(t, s.counters.failures, s0.counters.failures + 4);
	KT_EXPECT_EQ(t, s.regions, s0.regions);
	KT_EXPECT_EQ(t, s.pt_pages, s0.pt_pages);
	KT_EXPECT_EQ(t, s.mapped[0] + s.mapped[1] + s.mapped[2],
		     s0.mapped[0] + s0.mapped[1] + s0.mapped[2]);
}

/*
 * Fill the address space with mappings of one RAM range (an eighth of the
 * area each, or the largest region if smaller): the first that finds no
 * room gets NULL, and after freeing them the area is as before.
 */
static void area_fills_up_then_refuses(struct ktest *t)
{
	struct vmap_stats s0 = vstats();
	struct mem_region r[MEM_REGIONS_MAX];
	size_t n = arch_memory_map(r, MEM_REGIONS_MAX), best = 0, chunk;
	static void *maps[256];
	unsigned int got = 0;
	uintptr_t pa;

	for (size_t i = 1; i < n; i++) {
		if (r[i].size > r[best].size)
			best = i;
	}
	pa = ALIGN_UP(r[best].base, (uintptr_t)PAGE_SIZE_2M);
	chunk = MIN(ALIGN_DOWN(s0.largest_gap / 8, PAGE_SIZE_2M),
		    ALIGN_DOWN(r[best].base + r[best].size - pa, PAGE_SIZE_2M));
	if (chunk < PAGE_SIZE_2M || s0.largest_gap / chunk >= ARRAY_SIZE(maps))
		KT_SKIP(t, "no 2 MiB-aligned RAM range large enough for the area's size");
	while (got < ARRAY_SIZE(maps) && (maps[got] = vmap_phys(pa, chunk, ARCH_PROT_READ)))
		got++;
	KT_EXPECT_LT(t, got, ARRAY_SIZE(maps));
	KT_EXPECT_GE(t, got, 1u);
	KT_EXPECT_LE(t, got * chunk, s0.largest_gap);
	KT_EXPECT_EQ(t, vstats().va_failures, s0.va_failures + 1);
	KT_EXPECT_EQ(t, vstats().regions, s0.regions + got);
	while (got)
		KT_EXPECT_EQ(t, vmap_free(maps[--got]), 0);
	KT_EXPECT_EQ(t, vstats().regions, s0.regions);
	KT_EXPECT_EQ(t, vstats().largest_gap, s0.largest_gap);
	KT_EXPECT_EQ(t, vstats().pt_pages, s0.pt_pages);
}

/* Tables made for a mapping go back when it goes: the count returns exactly. */
static void page_tables_are_freed_when_empty(struct ktest *t)
{
	struct vmap_stats s0 = vstats();
	struct arch_pt_stats pt0, pt;
	void *p, *q;

	/* Reserved address space (the hugepage pool's slots) maps nothing until used. */
	if (s0.mapped[0] + s0.mapped[1] + s0.mapped[2])
		KT_SKIP(t, "the area maps something: its tables are shared with live regions");
	arch_pt_get_stats(&pt0);
	/* DEBUG_GUARD's pool keeps its tables (arch_map_prepare()) at the area's start. */
	if (pt0.table_pages)
		KT_SKIP(t, "the area keeps page tables already (the guard pool's): a new region may share them");
	p = vmap_alloc(PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	arch_pt_get_stats(&pt);
	/* A leaf under an empty top-level entry needs a table at every level below the root. */
	KT_EXPECT_GE(t, pt.table_pages, pt0.table_pages + 2);
	KT_EXPECT_EQ(t, vstats().pt_pages, pt.table_pages);
	/* A second page beside the first shares its tables. */
	q = vmap_alloc(PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_EQ(t, vstats().pt_pages, pt.table_pages);
	KT_EXPECT_EQ(t, vmap_free(p), 0);
	KT_EXPECT_EQ(t, vstats().pt_pages, pt.table_pages);
	KT_EXPECT_EQ(t, vmap_free(q), 0);
	arch_pt_get_stats(&pt);
	KT_EXPECT_EQ(t, pt.table_pages, pt0.table_pages);
	KT_EXPECT_EQ(t, pt.tables_freed - pt0.tables_freed, pt.tables_allocated - pt0.tables_allocated);
	KT_EXPECT_GE(t, pt.tables_freed - pt0.tables_freed, 2u);
}

static const struct ktest_case vmap_cases[] = {
	KTEST_CASE(small_allocation_is_4k_leaves),
	KTEST_CASE(allocation_of_2m_is_one_2m_leaf),
	KTEST_CASE(allocation_of_1g_is_one_1g_leaf),
	KTEST_CASE(mixed_sizes_map_largest_first),
	KTEST_CASE(phys_mapping_uses_every_leaf_size),
	KTEST_CASE(one_gib_leaf_reaches_every_usable_byte),
	KTEST_CASE(access_after_free_faults),
	KTEST_CASE(freed_memory_is_reused),
	KTEST_CASE(misuse_is_refused_and_counted),
	KTEST_CASE(exhaustion_returns_null),
	KTEST_CASE(area_fills_up_then_refuses),
	KTEST_CASE(page_tables_are_freed_when_empty),
	{ 0 },
};
KTEST_SUITE(vmap, vmap_cases);
