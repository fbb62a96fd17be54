/*
 * pcp.h - the per-CPU page cache in front of the page allocator, after
 * Linux's per_cpu_pages lists.
 *
 * Every CPU keeps a LIFO list of free single pages.  page_alloc(1) and
 * alloc_pages(0) pop from the calling CPU's list; when it is empty it is
 * refilled with `batch` pages taken from the strategy in one go
 * (rmqueue_bulk()).  A free of a single page pushes it back; when the list
 * then holds more than `high` pages, the `batch` coldest ones (the oldest
 * frees, at the tail) go back to the strategy (free_pcppages_bulk()).  So
 * order-0 allocation and free are usually a list pop or push under the
 * CPU's own lock, and the strategy - its lock, its search - is visited
 * once per batch.
 *
 *     high  = Kconfig PCP_PAGES
 *     batch = max(1, Kconfig PCP_PAGES / 4)
 *
 * Lists are linked through struct page (pcp_next), not through the free
 * pages themselves: a write into a freed page cannot break a list.
 *
 * Accounting: a page on a list is free.  page_alloc_get_stats() counts it
 * in free_pages and says how many such pages there are in pcp_pages; the
 * strategy, which lent them out, does not have them in nr_free[] or
 * largest_free_run.  drain_all_pages() (page_alloc.h) empties every list.
 *
 * Double free: a page on a list has pa_state PAGE_PA_PCP, so freeing it
 * again is caught here, reported ("pcp", KERR_DOUBLE_FREE) and refused
 * with the list unchanged.  A free of anything that is not a live single
 * page (PAGE_PA_SINGLE) is not the cache's business: the page allocator
 * hands it to the strategy, which checks it exactly.  Two CPUs freeing the
 * same page at the same moment are not told apart (as in Linux, the state
 * is not updated atomically across CPUs).
 *
 * Locking: each list has its own lock; no other lock is taken while it is
 * held (refill and drain detach pages first, then call the page allocator).
 */
#ifndef MMKIT_PCP_H
#define MMKIT_PCP_H

#include <stddef.h>
#include <stdint.h>
#include "page_alloc.h"

struct pcp_stats {
	size_t count;            /* pages on all lists */
	size_t high;             /* a list above this is drained by batch */
	size_t batch;            /* pages per refill or drain */
	uint64_t hits;           /* single-page allocations served without a refill */
	uint64_t refills;        /* lists refilled from the strategy */
	uint64_t cached_frees;   /* single-page frees that went onto a list */
	uint64_t drained;        /* pages given back to the strategy */
};

/* pcp_free(): the page is not a live single page; the strategy decides. */
#define PCP_NOT_CACHED 1

#ifdef CONFIG_PCP
/*
 * A free page off the calling CPU's list, refilled from the strategy when
 * empty; its descriptor zeroed and pa_state PAGE_PA_SINGLE.  NULL when the
 * list is empty and the strategy has no page either.
 */
struct page *pcp_alloc(void);

/*
 * Put the page @pg (at a page-aligned address) on the calling CPU's list:
 * 0; KERR_DOUBLE_FREE (reported) when it is on a list already;
 * PCP_NOT_CACHED when it is not a live single page.
 */
int pcp_free(struct page *pg);

/* Pages on all lists. */
size_t pcp_count(void);

void pcp_get_stats(struct pcp_stats *st);
#else
static inline struct page *pcp_alloc(void)
{
	return NULL;
}

static inline int pcp_free(struct page *pg)
{
	(void)pg;
	return PCP_NOT_CACHED;
}

static inline size_t pcp_count(void)
{
	return 0;
}
#endif

/*
 * Provided by page_alloc.c for the cache, in Linux's names.
 * rmqueue_bulk(): up to @n single pages from the strategy, chained through
 * pcp_next with pa_state PAGE_PA_PCP, onto *@list; returns how many.
 * free_pcppages_bulk(): give the chain @list back to the strategy.
 * Both take the page allocator's lock; call them with no pcp lock held.
 */
size_t rmqueue_bulk(struct page **list, size_t n);
void free_pcppages_bulk(struct page *list);

#endif /* MMKIT_PCP_H */
