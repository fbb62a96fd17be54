/*
 * zone.h - zones: the page allocator's instances (Linux's struct zone).
 *
 * Physical memory is cut into zones by address (zone_table.h says where);
 * each zone is an independent page allocator over its frames:
 *
 *     lock          serialises the strategy, the zone's counters and its
 *                   per-CPU lists' refills and drains
 *     pa            the strategy instance (pa_strategy.h: bitmap or buddy)
 *                   over [base, base + spanned pages)
 *     pcp           the per-CPU lists of free single pages (pcp.h), one
 *                   slot per CPU
 *     counters      allocations, frees, failures and misuse of requests
 *                   served by the strategy (pcp hits are counted per CPU)
 *     peak_taken    high-water mark of pages out of the strategy
 *
 * Whoever holds a page knows its zone (page_zone()): a free never searches.
 * A request names the zones it may use through its gfp flags; today there
 * is one zone, ZONE_NORMAL, over all of RAM.
 *
 * Lock order: a per-CPU list's lock, then the zone's lock (refill and
 * drain run with the list detached, so they never nest in practice).
 */
#ifndef MMKIT_ZONE_H
#define MMKIT_ZONE_H

#include <stddef.h>
#include <stdint.h>
#include "pa_strategy.h"
#include "page_alloc.h"
#include "percpu.h"
#include "spinlock.h"

enum zone_type {
	ZONE_NORMAL,
	MAX_NR_ZONES
};

struct per_cpu_pages;

struct zone {
	spinlock_t lock;
	const char *name;
	uintptr_t base;             /* first frame of the span */
	size_t spanned;             /* frames in the span, holes included */
	size_t managed;             /* frames released to the strategy */
	size_t peak_taken;          /* most frames out of the strategy at once */
	size_t meta_bytes;          /* the strategy's own metadata */
	struct alloc_counters counters;
	struct pa_strategy pa;
	struct per_cpu_pages *pcp;  /* NR_CPUS slots (pcp.h) */
};

extern struct zone zones[MAX_NR_ZONES];

static inline struct zone *page_zone(const struct page *pg)
{
	/* With one zone the answer needs no load. */
	if (MAX_NR_ZONES == 1)
		return &zones[0];
	return &zones[pg->zone];
}

/* The zone a request with @flags is served from. */
static inline struct zone *gfp_zone(gfp_t flags)
{
	(void)flags;
	return &zones[ZONE_NORMAL];
}

/* Take @npages pages off @z's strategy (zone lock held by the caller):
 * frames taken, the peak noted.  NULL when the strategy has no such run. */
void *zone_take_locked(struct zone *z, size_t npages, unsigned int order, bool by_order);

/* Give pages back to @z's strategy; zone lock held.  0 or the misuse error. */
int zone_give_locked(struct zone *z, const void *addr, size_t npages);

#endif /* MMKIT_ZONE_H */
