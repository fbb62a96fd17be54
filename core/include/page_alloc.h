/*
 * page_alloc.h - the kernel's physical page allocator.
 *
 * Pages come from zones (zone.h in core/mm): ranges of physical memory
 * each with its own lock, strategy instance (bitmap first-fit or buddy,
 * Kconfig PAGE_ALLOC_BITMAP / PAGE_ALLOC_BUDDY), per-CPU page lists and
 * counters.  A request picks its zone from its gfp flags; callers see only
 * this interface.  Everything here is fallible: exhaustion returns NULL
 * and is counted, misuse (double free, a free outside managed memory, a
 * free of the wrong size) is reported, counted and returned as an error
 * code, and never corrupts the allocator's state.
 *
 * Single pages (page_alloc(1), alloc_pages(0)) go through a per-CPU page
 * list when Kconfig PCP is set (pcp.h): usually a list pop or push.
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
#include "gfp.h"
#include "page.h"

/* Highest order any strategy reports in per-order statistics. */
#define PAGE_STATS_MAX_ORDER 20

/*
 * How memory is doing (seed 002's is_memory_healthy), per zone and over
 * all zones: critical below the min watermark or when a quarter of the
 * last 64 requests that reached the zone failed; low below the low
 * watermark or after any recent failure; ok otherwise.
 */
enum mm_health {
	MM_HEALTH_OK,
	MM_HEALTH_LOW,
	MM_HEALTH_CRITICAL
};

const char *mm_health_name(enum mm_health h);

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
	/*
	 * High-water mark of pages taken from the strategies: handed out,
	 * or lent to the per-CPU lists.  Tracked where pages leave a
	 * strategy (under its zone's lock), so it never costs the per-CPU
	 * fast path anything; it is at least the peak of pages in use.
	 */
	size_t peak_used_pages;
	size_t largest_free_run;  /* longest run of contiguous free pages */
	size_t meta_bytes;        /* bytes of allocator metadata (descriptors, bitmaps) */
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
	/* A list above pcp_high pages gives pcp_batch back; refills take pcp_batch (0 without Kconfig PCP). */
	size_t pcp_high, pcp_batch;
	struct alloc_counters counters;
	enum mm_health health;    /* the zones as one (page_alloc_health()) */
	/*
	 * Failure reports (show_mem.h): printed, and held back by the rate
	 * limit; a request with __GFP_NOWARN is in neither.
	 */
	uint64_t reports, reports_suppressed;
};

/* Most zones a variant can have: DMA, DMA32, Normal. */
#define MAX_ZONES 3

/* One zone's figures (zone.h says what a zone is). */
struct zone_stats {
	const char *name;          /* "DMA", "DMA32", "Normal" */
	uint64_t start, end;       /* physical span [start, end); equal when empty */
	size_t managed;            /* pages released to the zone's allocator */
	size_t free_pages;         /* free in the zone's allocator, per-CPU lists not included */
	size_t pcp_pages;          /* free on the zone's per-CPU lists */
	size_t min, low, high;     /* watermarks, in pages */
	/* Pages kept back from a request whose highest zone is [i] (0 for i <= this zone). */
	size_t lowmem_reserve[MAX_ZONES];
	size_t nr_free[PAGE_STATS_MAX_ORDER + 1];
	enum mm_health health;
	/* Allocations served here for requests that preferred a higher zone with pages. */
	uint64_t fallbacks;
	struct alloc_counters counters;
};


/* Most regions page_alloc_init() takes; mm_init() asks the arch for no more. */
#define MEM_REGIONS_MAX 32

/*
 * Take over @n usable regions (from arch_memory_map()): build mem_map and
 * the zones.  Metadata is carved from the top of the highest region that
 * holds it, so that it never fills a small low zone.  The page at address
 * 0 is never handed out (NULL means failure).
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
/*
 * Linux's split_page(): the live allocation of @npages at @addr becomes
 * @npages one-page allocations, each given back with page_free(page, 1)
 * (so a holder can return the pages it no longer uses one by one).  The
 * holder keeps the pages' marks as they are.  0, or with nothing changed
 * the error page_free(@addr, @npages) would give, or KERR_NOSYS from a
 * strategy that cannot split.
 */
int page_split(void *addr, size_t npages);

/* 2^order contiguous pages, naturally aligned (address a multiple of
 * 2^order pages) in every strategy. */
void *alloc_pages(unsigned int order, gfp_t flags);
int free_pages(void *addr, unsigned int order);

/*
 * Give every page on the per-CPU page lists back to the strategies
 * (Linux's drain_all_pages()); returns how many.  Allocations that a
 * strategy cannot serve drain and retry on their own; callers use it to
 * compare strategy-level figures (nr_free, largest_free_run) across a
 * workload.  0 without Kconfig PCP.
 */
size_t drain_all_pages(void);

/* Is @addr inside memory this allocator manages (free or not)? */
bool page_alloc_owns(const void *addr);

/* Figures summed over every zone. */
void page_alloc_get_stats(struct page_alloc_stats *st);

/* Each zone's figures, lowest zone first, into @out (at most @max); returns how many zones. */
size_t page_alloc_get_zone_stats(struct zone_stats *out, size_t max);

/* The zones as one: summed free pages against summed watermarks, any recent failure. */
enum mm_health page_alloc_health(void);

/*
 * The reserves in force, as Linux's vm sysctls of the same names; Kconfig
 * gives their boot values (MIN_FREE_KBYTES 0: the computed default).
 * Setting them recomputes every zone's watermarks and lowmem reserves at
 * once.  Tests that study a strategy over all of memory set them to 0
 * and put them back.
 */
struct page_alloc_tunables {
	size_t min_free_kbytes;
	unsigned int watermark_scale_factor;               /* 1 .. 3000 */
	unsigned int lowmem_reserve_ratio[MAX_ZONES];      /* per zone; 0: none */
};

void page_alloc_get_tunables(struct page_alloc_tunables *t);
/* 0, or KERR_INVAL (a scale factor outside 1 .. 3000; nothing changed). */
int page_alloc_set_tunables(const struct page_alloc_tunables *t);

/*
 * Pages out of the strategies now - handed out, or lent to the per-CPU
 * lists - in O(zones): what a benchmark samples after every operation.
 */
size_t page_alloc_taken_pages(void);

/*
 * Pages the per-CPU lists hold now, in O(CPUs) (page_alloc_get_stats()
 * also finds the largest free run, a walk of every zone's map).
 */
size_t page_alloc_pcp_pages(void);

#endif /* MMKIT_PAGE_ALLOC_H */
