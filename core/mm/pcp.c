/*
 * pcp.c - per-CPU lists of free single pages in front of the page
 * allocator (see pcp.h).
 *
 * A list is a singly linked LIFO through struct page: the page freed last
 * is allocated first (it is the one most likely still in the CPU's
 * caches), and a drain cuts the tail, the pages freed longest ago.
 * Finding the tail walks the list, O(high) once per `batch` frees.
 *
 * The lists hold no memory of their own: their pages are lent by the
 * strategy, which still counts them allocated.  Refill and drain move
 * pages between a list and the strategy with the list's lock dropped, so
 * this lock and the page allocator's never nest.
 */
#include <stddef.h>
#include <stdint.h>

#include "kerrno.h"
#include "kernel.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "panic.h"
#include "percpu.h"
#include "pcp.h"
#include "spinlock.h"


#define PCP_HIGH ((size_t)CONFIG_PCP_PAGES)
#define PCP_BATCH (PCP_HIGH / 4 ? PCP_HIGH / 4 : (size_t)1)

struct per_cpu_pages {
	spinlock_t lock;
	struct page *head;        /* most recently freed first */
	size_t count;
	uint64_t hits, refills, cached_frees, drained;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct per_cpu_pages, pcp_lists);

static struct per_cpu_pages *this_cpu_pcp(void)
{
	return this_cpu_ptr(pcp_lists);
}

/* Pop the head of @pcp's list as a live single page.  Lock held, list not empty. */
static struct page *pop_page(struct per_cpu_pages *pcp)
{
	struct page *pg = pcp->head;

	pcp->head = pg->pcp_next;
	pcp->count--;
	*pg = (struct page){ .pa_state = PAGE_PA_SINGLE };
	return pg;
}

struct page *pcp_alloc(void)
{
	struct per_cpu_pages *pcp = this_cpu_pcp();
	struct page *list = NULL, *tail, *pg = NULL;
	size_t got;

	spin_lock(&pcp->lock);
	if (pcp->head) {
		pcp->hits++;
		pg = pop_page(pcp);
	}
	spin_unlock(&pcp->lock);
	if (pg)
		return pg;

	got = rmqueue_bulk(&list, PCP_BATCH);
	if (!got)
		return NULL;
	for (tail = list; tail->pcp_next; tail = tail->pcp_next)
		;
	spin_lock(&pcp->lock);
	/* Whatever a free pushed meanwhile stays on top: it is the hotter page. */
	tail->pcp_next = pcp->head;
	pcp->head = list;
	pcp->count += got;
	pcp->refills++;
	pg = pop_page(pcp);
	spin_unlock(&pcp->lock);
	return pg;
}

/* Detach the @n coldest pages (the tail) of @pcp's list.  Lock held, n <= count. */
static struct page *cut_tail(struct per_cpu_pages *pcp, size_t n)
{
	struct page **link = &pcp->head, *cut;

	for (size_t keep = pcp->count - n; keep; keep--)
		link = &(*link)->pcp_next;
	cut = *link;
	*link = NULL;
	pcp->count -= n;
	pcp->drained += n;
	return cut;
}

int pcp_free(struct page *pg)
{
	struct per_cpu_pages *pcp = this_cpu_pcp();
	struct page *drain = NULL;
	int err = 0;

	spin_lock(&pcp->lock);
	if (pg->pa_state == PAGE_PA_PCP) {
		err = KERR_DOUBLE_FREE;
	} else if (pg->pa_state != PAGE_PA_SINGLE) {
		err = PCP_NOT_CACHED;
	} else {
		*pg = (struct page){ .pa_state = PAGE_PA_PCP, .pcp_next = pcp->head };
		pcp->head = pg;
		pcp->count++;
		pcp->cached_frees++;
		if (pcp->count > PCP_HIGH)
			drain = cut_tail(pcp, PCP_BATCH);
	}
	spin_unlock(&pcp->lock);

	if (err == KERR_DOUBLE_FREE)
		mm_report_misuse("pcp", err, page_to_virt(pg));
	if (drain)
		free_pcppages_bulk(drain);
	return err;
}

size_t drain_all_pages(void)
{
	size_t total = 0;

	for_each_possible_cpu(cpu) {
		struct per_cpu_pages *pcp = per_cpu_ptr(pcp_lists, cpu);
		struct page *list = NULL;
		size_t n;

		spin_lock(&pcp->lock);
		n = pcp->count;
		if (n)
			list = cut_tail(pcp, n);
		spin_unlock(&pcp->lock);
		if (list)
			free_pcppages_bulk(list);
		total += n;
	}
	return total;
}

size_t pcp_count(void)
{
	size_t n = 0;

	for_each_possible_cpu(cpu) {
		struct per_cpu_pages *pcp = per_cpu_ptr(pcp_lists, cpu);

		spin_lock(&pcp->lock);
		n += pcp->count;
		spin_unlock(&pcp->lock);
	}
	return n;
}

void pcp_get_stats(struct pcp_stats *st)
{
	*st = (struct pcp_stats){ .high = PCP_HIGH, .batch = PCP_BATCH };
	for_each_possible_cpu(cpu) {
		struct per_cpu_pages *pcp = per_cpu_ptr(pcp_lists, cpu);

		spin_lock(&pcp->lock);
		st->count += pcp->count;
		st->hits += pcp->hits;
		st->refills += pcp->refills;
		st->cached_frees += pcp->cached_frees;
		st->drained += pcp->drained;
		spin_unlock(&pcp->lock);
	}
}
