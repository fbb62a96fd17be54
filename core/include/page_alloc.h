/*
 * page_alloc.h - the kernel's physical page allocator.
 *
 * One global allocator over the RAM that arch_memory_map() reports.  The
 * strategy behind it (bitmap first-fit or buddy) is chosen in Kconfig
 * (Kconfig PAGE_ALLOC_BITMAP / PAGE_ALLOC_BUDDY); callers see only
 * this interface.  Everything here is fallible: exhaustion returns NULL and
 * is counted, misuse (double free, a free outside managed memory, a free of
 * the wrong size) is reported, counted and returned as an error code, and
 * never corrupts the allocator's state.
 *
 * Single pages (page_alloc(1), alloc_pages(0)) go through a per-CPU page
 * cache when Kconfig PCP is set (pcp.h): usually a list pop or push.
 * Free-page figures count those cached pages as free (see pcp_pages).
 *
 * Under the buddy strategy no allocation is longer than 2^BUDDY_MAX_ORDER
 * pages (buddy_pa.h); page_alloc() of more fails like any exhaustion.
 */
#ifndef MMKIT_PAGE_ALLOC_H
#define MMKIT_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE ((size_t)1 << PAGE_SHIFT)

/* Highest order any strategy reports in per-order statistics. */
#define PAGE_STATS_MAX_ORDER 20

/* Allocation flags (gfp_t, as in Linux). */
typedef unsigned int gfp_t;
#define GFP_KERNEL 0u
#define __GFP_ZERO 0x1u   /* return zeroed memory */

/* Counters every allocator layer keeps the same way. */
struct alloc_counters {
	uint64_t allocs;    /* successful allocations */
	uint64_t frees;     /* successful frees */
	uint64_t failures;  /* allocations that could not be served */
	uint64_t misuse;    /* detected invalid frees (double, foreign, wrong size) */
};

struct page_alloc_stats {
	const char *strategy;     /* "bitmap" or "buddy" */
	size_t total_pages;       /* pages under management (holes excluded) */
	size_t free_pages;
	size_t peak_used_pages;   /* high-water mark of pages in use */
	size_t largest_free_run;  /* longest run of contiguous free pages */
	size_t meta_bytes;        /* bytes of allocator metadata */
	/*
	 * Free blocks per order: each free run split into maximal naturally
	 * aligned power-of-two blocks, as a buddy allocator would hold them.
	 * Lets the host compute Linux's unusable-free-space and fragmentation
	 * indices for either strategy.
	 */
	size_t nr_free[PAGE_STATS_MAX_ORDER + 1];
	/*
	 * Of free_pages, those sitting on the per-CPU page lists (pcp.h).
	 * They are free - any single-page request gets one - but the
	 * strategy has lent them out, so they are in neither nr_free[] nor
	 * largest_free_run: pages_in(nr_free) + pcp_pages == free_pages.
	 * drain_all_pages() gives them back.
	 */
	size_t pcp_pages;
	struct alloc_counters counters;
};

/*
 * Per-page descriptor, one per managed page frame: a much reduced Linux
 * struct page.  The page allocator zeroes a page's descriptor when it hands
 * the page out and when it takes it back, pa_state excepted; the layers
 * above record in it what they use the page for, so that kfree() and
 * kmem_cache_free() can find an object's slab or a large allocation's size
 * without being told.
 */
struct page {
	uint16_t flags;     /* PG_* below: set by the layer holding the page */
	uint16_t pa_state;  /* PAGE_PA_*: the page allocator's own; read-only above it */
	uint32_t npages;    /* PG_LARGE head: pages in the allocation */
	union {
		void *owner;             /* PG_SLAB: the struct slab the page belongs to */
		size_t requested;        /* PG_LARGE head: bytes the caller asked for */
		struct page *pcp_next;   /* PAGE_PA_PCP: next page on the per-CPU list */
	};
};

#define PG_SLAB 0x1u   /* part of a slab */
#define PG_LARGE 0x2u  /* head of a kmalloc allocation served by whole pages */

/*
 * pa_state.  A single page is the one allocation a free can take without
 * asking the strategy (it goes onto a per-CPU list), so the allocator
 * marks it; every other managed page - free in the strategy or part of a
 * multi-page allocation - is PAGE_PA_NONE and its free is checked by the
 * strategy.  Frames in the span that are not managed (holes between
 * regions, page_alloc's own metadata) are PAGE_PA_UNMANAGED from boot on,
 * which is how virt_to_page() tells them apart in O(1).
 */
#define PAGE_PA_NONE 0u    /* see above */
#define PAGE_PA_SINGLE 1u  /* a live allocation of exactly one page */
#define PAGE_PA_PCP 2u     /* free, on a per-CPU page list */
#define PAGE_PA_UNMANAGED 3u  /* not ours to hand out: a hole, or page_alloc's metadata */

/*
 * The frames page_alloc describes: one struct page per frame from @base on,
 * holes included.  page_alloc.c's own; declared here only so that
 * virt_to_page(), which every kfree() calls, is inline.
 */
struct page_span {
	uintptr_t base;
	size_t pages;
	struct page *map;
};
extern struct page_span page_span;

/* Descriptor of the page containing @addr; NULL if @addr is not managed. */
static inline struct page *virt_to_page(const void *addr)
{
	size_t frame = ((uintptr_t)addr - page_span.base) >> PAGE_SHIFT;
	struct page *pg;

	/* Below the base wraps to a huge frame number: one comparison for both ends. */
	if (frame >= page_span.pages)
		return NULL;
	pg = &page_span.map[frame];
	return pg->pa_state == PAGE_PA_UNMANAGED ? NULL : pg;
}

void *page_to_virt(const struct page *pg);

/* Most regions page_alloc_init() takes; mm_init() asks the arch for no more. */
#define MEM_REGIONS_MAX 32

/*
 * Take over @n usable regions (from arch_memory_map()).  Metadata is carved
 * from the regions themselves.  The page at address 0 is never handed out
 * (NULL means failure).
 */
void page_alloc_init(const struct mem_region *regions, size_t n);

/* @npages contiguous, page-aligned pages; NULL when they cannot be found. */
void *page_alloc(size_t npages, gfp_t flags);
/*
 * Return pages from page_alloc(); @npages must be what was allocated.
 * 0 (also for NULL), or with nothing changed: KERR_DOUBLE_FREE,
 * KERR_BAD_PTR, KERR_RANGE, KERR_WRONG_SIZE.
 */
int page_free(void *addr, size_t npages);

/* 2^order contiguous pages, naturally aligned (address a multiple of
 * 2^order pages) in every strategy. */
void *alloc_pages(unsigned int order, gfp_t flags);
int free_pages(void *addr, unsigned int order);

/*
 * Give every page on the per-CPU page lists back to the strategy (Linux's
 * drain_all_pages()); returns how many.  Allocations that the strategy
 * cannot serve drain and retry on their own; callers use it to compare
 * strategy-level figures (nr_free, largest_free_run) across a workload.
 * 0 without Kconfig PCP.
 */
size_t drain_all_pages(void);

/* Is @addr inside memory this allocator manages (free or not)? */
bool page_alloc_owns(const void *addr);

void page_alloc_get_stats(struct page_alloc_stats *st);

#endif /* MMKIT_PAGE_ALLOC_H */
