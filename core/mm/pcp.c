/*
 * pcp.c - per-CPU lists of free single pages in front of each zone (see
 * pcp.h): the slow half, refill and drain; the pop and push are inline in
 * pcp.h.
 *
 * A list is a singly linked LIFO through struct page: the page freed last
 * is allocated first (it is the one most likely still in the CPU's
 * caches), and a drain cuts the tail, the pages freed longest ago.
 * Finding the tail walks the list, O(high) once per `batch` frees.
 *
 * The lists hold no memory of their own: their pages are lent by the
 * zone's strategy, which still counts them allocated.  Refill and drain
 * move pages between a list and the strategy with the list's lock
 * dropped, so this lock and the zone's never nest.
 */
#include <stddef.h>
#include <stdint.h>

#include "irq.h"
#include "kerrno.h"
#include "kernel.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "panic.h"
#include "pcp.h"
#include "percpu.h"
#include "shrinker.h"
#include "smp.h"
#include "spinlock.h"
#include "zone.h"

void pcp_init_zone(struct zone *z)
{
	for_each_possible_cpu(cpu)
		spin_lock_init(&z->pcp[cpu].lock);
}

void pcp_report_double_free(struct page *pg)
{
	mm_report_misuse("pcp", KERR_DOUBLE_FREE, page_to_virt(pg));
}

/*
 * Up to @n single pages from @z's strategy, leaving it at least @floor
 * free, chained as a list; returns how many.
 */
static size_t take_batch(struct zone *z, struct page **list, size_t n, size_t floor)
{
	size_t got = 0;

	spin_lock_irqsafe(&z->lock);
	for (; got < n && zone_free_pages(z) > floor; got++) {
		void *addr = zone_take_locked(z, 1, 0, true);
		struct page *pg;

		if (!addr)
			break;
		pg = virt_to_page(addr);
		pg->flags = PG_PCP;
		pg->pcp_next = *list;
		*list = pg;
	}
	spin_unlock_irqsafe(&z->lock);
	return got;
}

/* Give the chain @list back to @z's strategy. */
static void give_batch(struct zone *z, struct page *list)
{
	spin_lock_irqsafe(&z->lock);
	while (list) {
		struct page *next = list->pcp_next;

		list->flags = 0;
		list->owner = NULL;
		/* The strategy lent this page to the list: a refusal means corruption. */
		BUG_ON(zone_give_locked(z, page_to_virt(list), 1) != 0);
		list = next;
	}
	spin_unlock_irqsafe(&z->lock);
}

struct page *pcp_refill(struct zone *z, struct per_cpu_pages *pcp, size_t floor)
{
	struct page *list = NULL, *tail, *pg;
	size_t got = take_batch(z, &list, PCP_BATCH, floor);

	if (!got)
		return NULL;
	for (tail = list; tail->pcp_next; tail = tail->pcp_next)
		;
	spin_lock_irqsafe(&pcp->lock);
	/* Whatever a free pushed meanwhile stays on top: it is the hotter page. */
	tail->pcp_next = pcp->head;
	pcp->head = list;
	pcp->count += got;
	pcp->refills++;
	pcp->refilled += got;
	pg = pcp->head;
	pcp->head = pg->pcp_next;
	pcp->count--;
	pg->flags = 0;
	spin_unlock_irqsafe(&pcp->lock);
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
	/* Another CPU's list too (drain_list()): its owner reads count unlocked. */
	WRITE_ONCE(pcp->count, pcp->count - n);
	pcp->drained += n;
	return cut;
}

void pcp_drain_excess(struct zone *z, struct per_cpu_pages *pcp)
{
	struct page *drain = cut_tail(pcp, PCP_BATCH);

	spin_unlock_irqsafe(&pcp->lock);
	give_batch(z, drain);
}

/* Empty CPU @cpu's list of @z into the strategy; returns how many. */
static size_t drain_list(struct zone *z, unsigned int cpu)
{
	struct per_cpu_pages *pcp = per_cpu_ptr(z->pcp, cpu);
	struct page *list = NULL;
	size_t n;

	spin_lock_irqsafe(&pcp->lock);
	n = pcp->count;
	if (n)
		list = cut_tail(pcp, n);
	spin_unlock_irqsafe(&pcp->lock);
	if (list)
		give_batch(z, list);
	return n;
}

size_t drain_local_pages(struct zone *z)
{
	return drain_list(z, this_cpu());
}

size_t pcp_drain_zone(struct zone *z)
{
	size_t total = 0;

	for_each_possible_cpu(cpu)
		total += drain_list(z, cpu);
	return total;
}

#if NR_CPUS > 1
/*
 * drain_all_pages() on one CPU, in its IPI handler: its own lists, which
 * stay in its cache; the count is added to *@arg.
 */
static void drain_here(void *arg)
{
	unsigned int cpu = this_cpu();
	size_t n = 0;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++)
		if (zones[i].spanned)
			n += drain_list(&zones[i], cpu);
	__atomic_fetch_add((size_t *)arg, n, __ATOMIC_RELAXED);
}

#endif

/*
 * Every CPU's lists.  With SMP each CPU drains its own, through a
 * cross-CPU call (as Linux's drain_all_pages() queues work on each CPU);
 * a caller that cannot wait for other CPUs (interrupts off: smp.h)
 * drains them all from here, list lock by list lock - a list's lock makes
 * either way safe.  CPUs that never came online have nothing listed.
 */
size_t drain_all_pages(void)
{
	size_t total = 0;

#if NR_CPUS > 1
	if (irqs_enabled()) {
		smp_call_function_all(drain_here, &total, true);
		drain_here(&total);
		return __atomic_load_n(&total, __ATOMIC_RELAXED);
	}
#endif
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++)
		if (zones[i].spanned)
			total += pcp_drain_zone(&zones[i]);
	return total;
}

/* Call @fn on every list of every zone, under the list's lock. */
static void for_each_list(void (*fn)(const struct per_cpu_pages *pcp, void *arg), void *arg)
{
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		if (!zones[i].spanned)
			continue;
		for_each_possible_cpu(cpu) {
			struct per_cpu_pages *pcp = per_cpu_ptr(zones[i].pcp, cpu);

			spin_lock_irqsafe(&pcp->lock);
			fn(pcp, arg);
			spin_unlock_irqsafe(&pcp->lock);
		}
	}
}

/* Single-page allocations @pcp served (its lock held): see struct per_cpu_pages. */
static uint64_t pcp_allocs(const struct per_cpu_pages *pcp)
{
	return pcp->refilled + pcp->frees - pcp->drained - pcp->count;
}

static void add_stats(const struct per_cpu_pages *pcp, void *arg)
{
	struct pcp_stats *st = arg;

	st->count += pcp->count;
	/* Every refill hands out one of its pages at once: that one was no hit. */
	st->hits += pcp_allocs(pcp) - pcp->refills;
	st->refills += pcp->refills;
	st->cached_frees += pcp->frees;
	st->drained += pcp->drained;
}

void pcp_get_stats(struct pcp_stats *st)
{
	*st = (struct pcp_stats){ .high = PCP_HIGH, .batch = PCP_BATCH };
	for_each_list(add_stats, st);
}

size_t pcp_count_zone(struct zone *z)
{
	size_t n = 0;

	if (!z->spanned)
		return 0;
	for_each_possible_cpu(cpu) {
		struct per_cpu_pages *pcp = per_cpu_ptr(z->pcp, cpu);

		spin_lock_irqsafe(&pcp->lock);
		n += pcp->count;
		spin_unlock_irqsafe(&pcp->lock);
	}
	return n;
}

/* The shrinker: every list is drained whatever is asked (a list is small). */
static size_t shrinker_count(void)
{
	return pcp_count();
}

static size_t shrinker_scan(size_t nr)
{
	(void)nr;
	return drain_all_pages();
}

static struct shrinker pcp_shrinker = {
	.name = "pcp",
	.count = shrinker_count,
	.scan = shrinker_scan,
};

void pcp_register_shrinker(void)
{
	register_shrinker(&pcp_shrinker);
}

size_t pcp_count(void)
{
	struct pcp_stats st = { 0 };

	for_each_list(add_stats, &st);
	return st.count;
}

static void add_counters(const struct per_cpu_pages *pcp, void *arg)
{
	struct alloc_counters *c = arg;

	c->allocs += pcp_allocs(pcp);
	c->frees += pcp->frees;
}

void pcp_add_counters(struct alloc_counters *c)
{
	for_each_list(add_counters, c);
}
