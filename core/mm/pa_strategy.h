/*
 * pa_strategy.h - the page allocator strategy a zone runs: bitmap
 * first-fit, buddy, or one written since (Kconfig choice "Page
 * allocator"; docs/ALLOCATOR_INTERFACE.md is the guide).
 *
 * This is the whole interface a strategy offers a zone, and the only file
 * that knows which one is configured.  A strategy is a plain data
 * structure over a range of frames whose descriptors it is given: it finds
 * runs, checks frees exactly (reporting misuse through mm_report_misuse())
 * and records allocation heads in the descriptors (page.h); it takes no
 * lock and keeps no counters - the zone does both (page_alloc.c calls
 * every function below with the zone's lock held, or at boot).  Debug
 * hooks (page poison, page owners), fault injection, watermarks, per-CPU
 * lists and statistics all sit above it, in page_alloc.c: a strategy
 * never sees them.
 *
 *     PA_STRATEGY_NAME                     its name in statistics ("buddy")
 *     PA_STRATEGY_MAX_PAGES                the longest run it can hand out;
 *                                          page_alloc() refuses longer ones
 *     struct pa_strategy                   its state, one per zone (in
 *                                          struct zone, zone.h)
 *     pa_strategy_meta_size(npages)        bytes of its own metadata beyond
 *                                          the descriptors (bitmap words),
 *                                          carved at boot and passed to init
 *     pa_strategy_init(s, base, n, map, meta)    every frame reserved
 *     pa_strategy_release(s, addr, n)      boot: frames become free
 *     pa_strategy_alloc(s, npages)         exactly npages contiguous pages,
 *                                          page-aligned; NULL if none
 *     pa_strategy_alloc_order(s, order)    2^order naturally aligned pages
 *                                          (the per-CPU lists' refill and
 *                                          alloc_pages()); NULL if none
 *     pa_strategy_alloc_movable(s, order)  the same, for a movable page
 *                                          (buddy: from a movable pageblock;
 *                                          others: any page)
 *     pa_strategy_free(s, addr, npages)    0, or with nothing changed the
 *                                          misuse error (KERR_DOUBLE_FREE,
 *                                          _BAD_PTR, _RANGE, _WRONG_SIZE),
 *                                          reported by the strategy
 *     pa_strategy_split(s, addr, npages)   the live allocation of npages at
 *                                          addr becomes npages one-page
 *                                          allocations (Linux's split_page());
 *                                          errors as pa_strategy_free()
 *     pa_strategy_free_pages(s)            pages free in it now
 *     pa_strategy_largest_free_run(s)      its longest free run, in pages
 *     pa_strategy_nr_free(s, nr_free[])    add its free blocks per order
 *                                          (each run cut into maximal
 *                                          naturally aligned blocks)
 *     pa_strategy_range_movable(...)       buddy only, for compaction
 *                                          (Kconfig COMPACTION needs buddy)
 *
 * The two built in are inline adapters over their own headers
 * (buddy_pa.h, bitmap_pa.h); a strategy added by `./build.py
 * new-allocator NAME --kind pages` declares the same names in NAME_pa.h,
 * defines them out of line in NAME_pa.c, and gets an #elif below.
 */
#ifndef MMKIT_PA_STRATEGY_H
#define MMKIT_PA_STRATEGY_H

#include <stddef.h>
#include <stdint.h>
#include "kstring.h"
#include "page_alloc.h"

#if defined(CONFIG_PAGE_ALLOC_BUDDY)
#include "buddy_pa.h"

#define PA_STRATEGY_NAME "buddy"
/* No allocation is longer than the largest block (Kconfig BUDDY_MAX_ORDER). */
#define PA_STRATEGY_MAX_PAGES ((size_t)1 << CONFIG_BUDDY_MAX_ORDER)

struct pa_strategy {
	struct buddy_pa buddy;
};

/* The pageblocks' migrate types (buddy_pa.h). */
static inline size_t pa_strategy_meta_size(size_t npages)
{
	return buddy_pa_types_size(npages, CONFIG_BUDDY_MAX_ORDER);
}
static inline void pa_strategy_init(struct pa_strategy *s, uintptr_t base, size_t npages,
				    struct page *map, void *meta)
{
	buddy_pa_init(&s->buddy, base, npages, CONFIG_BUDDY_MAX_ORDER, map);
	buddy_pa_set_types(&s->buddy, meta);
}
static inline void pa_strategy_release(struct pa_strategy *s, uintptr_t addr, size_t npages)
{
	buddy_pa_release(&s->buddy, addr, npages);
}
static inline void *pa_strategy_alloc(struct pa_strategy *s, size_t npages)
{
	return buddy_pa_alloc_exact(&s->buddy, npages);
}
static inline void *pa_strategy_alloc_order(struct pa_strategy *s, unsigned int order)
{
	return buddy_pa_alloc(&s->buddy, order);
}
static inline void *pa_strategy_alloc_movable(struct pa_strategy *s, unsigned int order)
{
	return buddy_pa_alloc_type(&s->buddy, order, BUDDY_MOVABLE);
}
/* Compaction (buddy only): pages to migrate out of a range, or SIZE_MAX (buddy_pa.h). */
static inline size_t pa_strategy_range_movable(const struct pa_strategy *s, uintptr_t addr,
					       size_t npages,
					       bool (*movable)(const struct page *head))
{
	return buddy_pa_range_movable(&s->buddy, addr, npages, movable);
}
static inline int pa_strategy_free(struct pa_strategy *s, const void *addr, size_t npages)
{
	return buddy_pa_free_exact(&s->buddy, addr, npages);
}
static inline int pa_strategy_split(struct pa_strategy *s, const void *addr, size_t npages)
{
	return buddy_pa_split(&s->buddy, addr, npages);
}
static inline size_t pa_strategy_free_pages(const struct pa_strategy *s)
{
	return buddy_pa_free_pages(&s->buddy);
}
static inline size_t pa_strategy_largest_free_run(const struct pa_strategy *s)
{
	return buddy_pa_largest_free_run(&s->buddy);
}
static inline void pa_strategy_nr_free(const struct pa_strategy *s, size_t *nr_free)
{
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		nr_free[o] += buddy_pa_nr_free(&s->buddy, o);
}
#elif defined(CONFIG_PAGE_ALLOC_BITMAP)
#include "bitmap_pa.h"

#define PA_STRATEGY_NAME "bitmap"
#define PA_STRATEGY_MAX_PAGES ((size_t)UINT32_MAX)

struct pa_strategy {
	struct bitmap_pa bitmap;
};

static inline size_t pa_strategy_meta_size(size_t npages)
{
	return bitmap_pa_meta_size(npages);
}
static inline void pa_strategy_init(struct pa_strategy *s, uintptr_t base, size_t npages,
				    struct page *map, void *meta)
{
	bitmap_pa_init(&s->bitmap, base, npages, map, meta);
}
static inline void pa_strategy_release(struct pa_strategy *s, uintptr_t addr, size_t npages)
{
	bitmap_pa_release(&s->bitmap, addr, npages);
}
static inline void *pa_strategy_alloc(struct pa_strategy *s, size_t npages)
{
	return bitmap_pa_alloc(&s->bitmap, npages);
}
static inline void *pa_strategy_alloc_order(struct pa_strategy *s, unsigned int order)
{
	return bitmap_pa_alloc_aligned(&s->bitmap, (size_t)1 << order, (size_t)1 << order);
}
/* First fit has no pageblocks to group by: a movable page is any page. */
static inline void *pa_strategy_alloc_movable(struct pa_strategy *s, unsigned int order)
{
	return pa_strategy_alloc_order(s, order);
}
static inline int pa_strategy_free(struct pa_strategy *s, const void *addr, size_t npages)
{
	return bitmap_pa_free(&s->bitmap, addr, npages);
}
static inline int pa_strategy_split(struct pa_strategy *s, const void *addr, size_t npages)
{
	return bitmap_pa_split(&s->bitmap, addr, npages);
}
static inline size_t pa_strategy_free_pages(const struct pa_strategy *s)
{
	return bitmap_pa_free_pages(&s->bitmap);
}
static inline size_t pa_strategy_largest_free_run(const struct pa_strategy *s)
{
	return bitmap_pa_largest_free_run(&s->bitmap);
}
static inline void pa_strategy_nr_free(const struct pa_strategy *s, size_t *nr_free)
{
	size_t mine[PAGE_STATS_MAX_ORDER + 1];

	bitmap_pa_nr_free(&s->bitmap, mine, PAGE_STATS_MAX_ORDER);
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		nr_free[o] += mine[o];
}
/* Strategies written since, one #elif each (./build.py new-allocator --kind pages). */
#else
#error "no page allocator strategy configured (Kconfig choice \"Page allocator\")"
#endif

#endif /* MMKIT_PA_STRATEGY_H */
