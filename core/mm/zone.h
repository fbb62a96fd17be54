/*
 * zone.h - zones: the page allocator's instances (Linux's struct zone).
 *
 * Physical memory is cut into zones by address, lowest first: DMA (below
 * 16 MiB, x86_64, Kconfig ZONE_DMA), DMA32 (below 4 GiB, ZONE_DMA32) and
 * Normal (the rest; always there, possibly empty).  zone_table.h, which
 * kit/zones.py renders from Kconfig and the arch, says which exist and
 * where each ends.  Each zone is an independent page allocator:
 *
 *     lock          serialises the strategy, the zone's counters, its
 *                   watermark state and its per-CPU lists' refills and
 *                   drains
 *     pa            the strategy instance (pa_strategy.h: bitmap or buddy)
 *                   over [base, base + spanned pages)
 *     pcp           the per-CPU lists of free single pages (pcp.h), one
 *                   slot per CPU
 *     watermark     min / low / high free pages (zone.c, as Linux's
 *                   __setup_per_zone_wmarks())
 *     lowmem_reserve[h]  pages kept back from a request whose highest
 *                   allowed zone is h, above this one
 *     counters      allocations, frees, failures and misuse of requests
 *                   served by the strategy (pcp hits are counted per CPU)
 *
 * Whoever holds a page knows its zone (page_zone()): a free never searches.
 * A request names the highest zone it may use (gfp_zone()) and falls back
 * to the zones below it, Normal -> DMA32 -> DMA, while their watermarks
 * and reserves allow (page_alloc.c).  "Free" for a watermark is the
 * strategy's free pages: pages on per-CPU lists are out of it already,
 * as in Linux's NR_FREE_PAGES.
 *
 * Lock order: a per-CPU list's lock, then the zone's lock (refill and
 * drain run with the list detached, so they never nest in practice).
 */
#ifndef MMKIT_ZONE_H
#define MMKIT_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gfp.h"
#include "kerrno.h"
#include "pa_strategy.h"
#include "page_alloc.h"
#include "percpu.h"
#include "spinlock.h"
#include "zone_table.h"

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK
};

/* How far below a watermark a request may go (from its gfp flags). */
#define ALLOC_HARDER 0x1u   /* __GFP_ATOMIC: half of min */
#define ALLOC_HIGH 0x2u     /* __GFP_HIGH: half of what is left */

#ifdef CONFIG_PCP
/* One CPU's list of free single pages in front of a zone (pcp.h). */
struct per_cpu_pages {
	spinlock_t lock;
	struct page *head;        /* most recently freed first */
	/*
	 * Written under the lock.  Its own CPU also reads it without the lock
	 * (pcp_give_back_before_run()), so a drain of the list from another
	 * CPU (cut_tail()) stores it with WRITE_ONCE(); the owner's stores
	 * are ordered with its own loads, and with other CPUs' by the lock.
	 */
	size_t count;
	/*
	 * Only a free counts itself.  Pages come onto a list by a free or a
	 * refill and leave it by an allocation or a drain, so the
	 * allocations are refilled + frees - drained - count, computed when
	 * asked (pcp_allocs()): one counter fewer on the allocation's path.
	 */
	uint64_t frees;
	uint64_t refills, refilled, drained;
} ____cacheline_aligned_in_smp;
#endif

struct zone {
	spinlock_t lock;
	const char *name;
	uintptr_t base;             /* first frame of the span */
	size_t spanned;             /* frames in the span, holes included */
	size_t managed;             /* frames released to the strategy */
	size_t peak_taken;          /* most frames out of the strategy at once */
	size_t meta_bytes;          /* the strategy's own metadata */
	size_t watermark[NR_WMARK];
	size_t lowmem_reserve[MAX_NR_ZONES];
	/*
	 * The last 64 requests that reached the zone walk with this as the
	 * highest zone they could use, one bit each, 1 for a failure: the
	 * failure rate behind zone_health().  Updated without the lock
	 * (relaxed atomics): a lost bit under contention does not matter.
	 */
	uint64_t recent_failures;
	/* Requests served here that preferred a higher zone. */
	uint64_t fallbacks;
	/*
	 * Background reclaim may run when the zone is below low: set at
	 * boot and whenever a free takes the zone back to high, cleared
	 * when a reclaim runs (page_alloc.c).
	 */
	bool reclaim_armed;
	struct alloc_counters counters;
	struct pa_strategy pa;
#ifdef CONFIG_PCP
	/*
	 * In the zone rather than behind a pointer: with one zone the inline
	 * pop and push address this CPU's list as a fixed offset from the
	 * zone table, one load fewer each.
	 */
	struct per_cpu_pages pcp[NR_CPUS];
#endif
};

extern struct zone zones[MAX_NR_ZONES];

/*
 * The zone a GFP_KERNEL request tries first: the highest zone with pages
 * (Normal is empty below 4 GiB of RAM).  Set once by page_alloc_init().
 */
extern struct zone *preferred_zone;

static inline struct zone *page_zone(const struct page *pg)
{
	/* With one zone the answer needs no load. */
	if (MAX_NR_ZONES == 1)
		return &zones[0];
	return &zones[pg->zone];
}

/*
 * The highest zone a request with @flags may use (its zone modifier).  A
 * modifier for a zone this kernel has not got names the next one up, as
 * gfp.h says.  The modifiers are checked already (gfp_check()).
 */
static inline enum zone_type gfp_zone(gfp_t flags)
{
#ifdef CONFIG_ZONE_DMA
	if (flags & __GFP_DMA)
		return ZONE_DMA;
#endif
#ifdef CONFIG_ZONE_DMA32
	if (flags & (__GFP_DMA | __GFP_DMA32))
		return ZONE_DMA32;
#endif
	(void)flags;
	return ZONE_NORMAL;
}

static inline unsigned int gfp_to_alloc_flags(gfp_t flags)
{
	return ((flags & __GFP_ATOMIC) ? ALLOC_HARDER : 0u) | ((flags & __GFP_HIGH) ? ALLOC_HIGH : 0u);
}

/* 0, or KERR_INVAL for bits no request may carry (gfp.h). */
static inline int gfp_check(gfp_t flags)
{
	if (flags & ~__GFP_VALID)
		return KERR_INVAL;   /* unknown bits, or __GFP_NOFAIL */
	if ((flags & (__GFP_DMA | __GFP_DMA32)) == (__GFP_DMA | __GFP_DMA32))
		return KERR_INVAL;
	return 0;
}

/* Free pages of @z's strategy (per-CPU lists not included). */
static inline size_t zone_free_pages(const struct zone *z)
{
	return pa_strategy_free_pages(&z->pa);
}

/*
 * The free pages @z must keep after a request is served, for a request
 * whose highest zone is @highest, measured against watermark @mark and
 * allowed below it by @alloc_flags (Linux's __zone_watermark_ok()).
 */
static inline size_t zone_floor(const struct zone *z, enum zone_watermarks mark,
				enum zone_type highest, unsigned int alloc_flags)
{
	size_t floor = z->watermark[mark];

	if (alloc_flags & ALLOC_HARDER)
		floor -= floor / 2;
	if (alloc_flags & ALLOC_HIGH)
		floor -= floor / 2;
	return floor + z->lowmem_reserve[highest];
}

/* May @npages be taken from @z above its floor?  Unlocked read, as in Linux. */
static inline bool zone_watermark_ok(const struct zone *z, size_t npages, size_t floor)
{
	size_t free = zone_free_pages(z);

	return free >= npages && free - npages >= floor;
}

/* Compute every zone's watermarks and lowmem reserves (boot, after the zones are filled). */
void zone_setup_watermarks(void);

/* Take @npages pages off @z's strategy (zone lock held by the caller):
 * frames taken, the peak noted.  NULL when the strategy has no such run. */
void *zone_take_locked(struct zone *z, size_t npages, unsigned int order, bool by_order);

/* Give pages back to @z's strategy; zone lock held.  0 or the misuse error. */
int zone_give_locked(struct zone *z, const void *addr, size_t npages);

/*
 * Note the outcome of a request whose history @z keeps (the failure rate
 * of zone_health()).  A success with no failure in the window changes
 * nothing and writes nothing: the common case leaves the line alone.
 */
static inline void zone_note_request(struct zone *z, bool failed)
{
	uint64_t recent = __atomic_load_n(&z->recent_failures, __ATOMIC_RELAXED);

	if (recent || failed)
		__atomic_store_n(&z->recent_failures, (recent << 1) | failed, __ATOMIC_RELAXED);
}

/* ok / low / critical from @z's watermarks and its recent failures. */
enum mm_health zone_health(struct zone *z);

#endif /* MMKIT_ZONE_H */
