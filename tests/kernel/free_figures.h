/*
 * free_figures.h - what the page allocator has free, with the caches
 * emptied first (pages on per-CPU lists and in kept slabs count as taken
 * otherwise): for suites that need a free block of a size, or that check
 * every page came back.
 */
#ifndef MMKIT_TEST_FREE_FIGURES_H
#define MMKIT_TEST_FREE_FIGURES_H

#include <stdbool.h>
#include <stddef.h>

#include "mm.h"
#include "page_alloc.h"

/* Is a free block of at least @order there to take? */
static inline bool free_block(unsigned int order)
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

/* Free pages now, the caches emptied. */
static inline size_t free_pages_now(void)
{
	struct page_alloc_stats st;

	mm_drain_caches();
	page_alloc_get_stats(&st);
	return st.free_pages;
}

#endif /* MMKIT_TEST_FREE_FIGURES_H */
