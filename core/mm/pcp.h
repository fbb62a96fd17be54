/*
 * pcp.h - the per-CPU lists of free single pages in front of each zone,
 * after Linux's per_cpu_pages.
 *
 * Every CPU keeps, per zone, a LIFO list of free single pages.
 * page_alloc(1) and alloc_pages(0) pop from the calling CPU's list; when
 * it is empty it is refilled with `batch` pages taken from the zone's
 * strategy in one go (pcp_refill()).  A free of a single page pushes it
 * back; when the list then holds more than `high` pages, the `batch`
 * coldest ones (the oldest frees, at the tail) go back to the strategy
 * (pcp_drain_excess()).  So order-0 allocation and free are usually a list
 * pop or push under the CPU's own list lock (inline below), and the zone -
 * its lock, its search - is visited once per batch.  A request for a run
 * of several pages empties the calling CPU's list of the zone first
 * (pcp_give_back_before_run()).
 *
 *     high  = Kconfig PCP_PAGES
 *     batch = max(1, Kconfig PCP_PAGES / 4)
 *
 * Lists are linked through struct page (pcp_next), not through the free
 * pages themselves: a write into a freed page cannot break a list.
 *
 * A page on a list is, to its zone's strategy, a live single-page
 * allocation lent to the list; its descriptor carries PG_PCP.  Accounting:
 * it is free.  page_alloc_get_stats() counts it in free_pages and says how
 * many in pcp_pages; the strategy does not have it in nr_free[] or
 * largest_free_run.  drain_all_pages() empties every list.
 *
 * Double free: freeing a page that carries PG_PCP is caught here, reported
 * ("pcp", KERR_DOUBLE_FREE) and refused with the list unchanged.  A free of
 * anything that is not the head of a live single-page allocation is not
 * the list's business: the zone's strategy checks it exactly.  Two CPUs
 * freeing the same page at the same moment are not told apart (as in
 * Linux, the descriptor is not updated atomically across CPUs).
 */
#ifndef MMKIT_PCP_H
#define MMKIT_PCP_H

#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "kerrno.h"
#include "page_alloc.h"
#include "percpu.h"
#include "spinlock.h"
#include "zone.h"

struct pcp_stats {
	size_t count;            /* pages on all lists */
	size_t high;             /* a list above this is drained by batch */
	size_t batch;            /* pages per refill or drain */
	uint64_t hits;           /* single-page allocations served from a list */
	uint64_t refills;        /* lists refilled from a strategy */
	uint64_t cached_frees;   /* single-page frees that went onto a list */
	uint64_t drained;        /* pages given back to a strategy */
};

/* pcp_free(): the page is not a live single page; the strategy decides. */
#define PCP_NOT_CACHED 1

#ifdef CONFIG_PCP
#define PCP_HIGH ((size_t)CONFIG_PCP_PAGES)
#define PCP_BATCH (PCP_HIGH / 4 ? PCP_HIGH / 4 : (size_t)1)

/*
 * The calling CPU's list is empty: refill it from @z - a batch, or fewer
 * if @z would go below @floor free pages - and pop.  NULL if @z has none
 * to give.
 */
struct page *pcp_refill(struct zone *z, struct per_cpu_pages *pcp, size_t floor);
/* @pcp went past `high`: give its `batch` coldest pages back to @z.  List lock held; drops it. */
void pcp_drain_excess(struct zone *z, struct per_cpu_pages *pcp);
/* Report a double free of @pg (on a list already). */
void pcp_report_double_free(struct page *pg);

/*
 * A free page off the calling CPU's list for @z, refilled when empty
 * without taking @z below @floor free pages; its descriptor the head of a
 * live single-page allocation.  NULL when the list is empty and the zone
 * has no page to spare either.
 */
static __always_inline struct page *pcp_alloc(struct zone *z, size_t floor)
{
	struct per_cpu_pages *pcp = this_cpu_ptr(z->pcp);
	struct page *pg;

	spin_lock_irqsafe(&pcp->lock);
	pg = pcp->head;
	if (unlikely(!pg)) {
		spin_unlock_irqsafe(&pcp->lock);
		return pcp_refill(z, pcp, floor);
	}
	pcp->head = pg->pcp_next;
	pcp->count--;
	pg->flags = 0;
	spin_unlock_irqsafe(&pcp->lock);
	return pg;
}

/*
 * Put @pg (at a page-aligned address, of zone @z) on the calling CPU's
 * list: 0; KERR_DOUBLE_FREE (reported) when it is on a list already;
 * PCP_NOT_CACHED when it is not the head of a live single-page allocation.
 */
static __always_inline int pcp_free(struct zone *z, struct page *pg)
{
	struct per_cpu_pages *pcp;

	if (unlikely(pg->flags & PG_PCP)) {
		pcp_report_double_free(pg);
		return KERR_DOUBLE_FREE;
	}
	if (unlikely(pg->npages != 1))
		return PCP_NOT_CACHED;
	pcp = this_cpu_ptr(z->pcp);
	spin_lock_irqsafe(&pcp->lock);
	pg->flags = PG_PCP;
	pg->pcp_next = pcp->head;
	pcp->head = pg;
	pcp->frees++;
	if (unlikely(++pcp->count > PCP_HIGH)) {
		pcp_drain_excess(z, pcp);
		return 0;
	}
	spin_unlock_irqsafe(&pcp->lock);
	return 0;
}

/*
 * The common cases alone, for page_alloc.c's inline paths: a pop of this
 * CPU's list of @z (NULL when it is empty: refill out of line), and a
 * push of @pg, which the caller checked is the head of a live one-page
 * allocation with no marks (false when the list is past `high`: nothing
 * done, the out-of-line free drains).
 */
static __always_inline struct page *pcp_pop(struct zone *z)
{
	struct per_cpu_pages *pcp = this_cpu_ptr(z->pcp);
	struct page *pg;

	spin_lock_irqsafe(&pcp->lock);
	pg = pcp->head;
	if (likely(pg)) {
		pcp->head = pg->pcp_next;
		pcp->count--;
		pg->flags = 0;
	}
	spin_unlock_irqsafe(&pcp->lock);
	return pg;
}

static __always_inline bool pcp_push(struct zone *z, struct page *pg)
{
	struct per_cpu_pages *pcp = this_cpu_ptr(z->pcp);
	bool done = false;

	spin_lock_irqsafe(&pcp->lock);
	if (likely(pcp->count < PCP_HIGH)) {
		pg->flags = PG_PCP;
		pg->pcp_next = pcp->head;
		pcp->head = pg;
		pcp->count++;
		pcp->frees++;
		done = true;
	}
	spin_unlock_irqsafe(&pcp->lock);
	return done;
}

/* Pages on all lists of all zones; on every CPU's list of @z. */
size_t pcp_count(void);
size_t pcp_count_zone(struct zone *z);
/* Register the shrinker that drains every list (shrinker.h), once at boot. */
void pcp_register_shrinker(void);
void pcp_get_stats(struct pcp_stats *st);
/* Sum of every list's allocs and frees into @c. */
void pcp_add_counters(struct alloc_counters *c);
/* Empty every CPU's list of @z into its strategy; returns how many. */
size_t pcp_drain_zone(struct zone *z);
/* Empty the calling CPU's list of @z into its strategy (Linux's name); returns how many. */
size_t drain_local_pages(struct zone *z);

/*
 * Before a run of several pages is taken from @z: the calling CPU's
 * single pages go back to the strategy first.  Pages idle on a list are
 * pages the allocator holds that nothing uses (the stress bench's
 * footprint counts them), and a page kept there cannot merge with its
 * buddy into the run asked for, so a strategy that could have served the
 * run from them breaks a larger block instead.  Single pages wait on the
 * list only until the next run: a workload that alternates single pages
 * and runs pays a refill per run (`batch` pages), one that does not pays
 * nothing more than this test.
 */
static __always_inline void pcp_give_back_before_run(struct zone *z)
{
	if (unlikely(READ_ONCE(this_cpu_ptr(z->pcp)->count)))
		drain_local_pages(z);
}
/* Set up @z's lists (empty). */
void pcp_init_zone(struct zone *z);
#else
static inline struct page *pcp_alloc(struct zone *z, size_t floor)
{
	(void)z;
	(void)floor;
	return NULL;
}

static inline size_t pcp_count_zone(struct zone *z)
{
	(void)z;
	return 0;
}

static inline void pcp_register_shrinker(void)
{
}

/* Without lists no page carries PG_PCP: never called. */
static inline void pcp_report_double_free(struct page *pg)
{
	(void)pg;
}

static inline struct page *pcp_pop(struct zone *z)
{
	(void)z;
	return NULL;
}

static inline bool pcp_push(struct zone *z, struct page *pg)
{
	(void)z;
	(void)pg;
	return false;
}

static inline int pcp_free(struct zone *z, struct page *pg)
{
	(void)z;
	(void)pg;
	return PCP_NOT_CACHED;
}

static inline size_t pcp_count(void)
{
	return 0;
}

static inline void pcp_add_counters(struct alloc_counters *c)
{
	(void)c;
}

static inline size_t pcp_drain_zone(struct zone *z)
{
	(void)z;
	return 0;
}

static inline void pcp_give_back_before_run(struct zone *z)
{
	(void)z;
}

static inline void pcp_init_zone(struct zone *z)
{
	(void)z;
}
#endif

#endif /* MMKIT_PCP_H */
