/*
 * mm_stats.c - mm_get_stats() and mm_get_cache_stats() (mm.h): the sum of
 * what every layer reports, and the figures derived from it.
 */
#include "kernel.h"
#include "kmalloc_front.h"
#include "kstring.h"
#include "mm.h"
#include "mm_stats.h"
#include "page_alloc.h"
#include "slab.h"
#ifdef CONFIG_HEAP_REGION
#include "heap_region.h"
#endif
#ifdef CONFIG_TLSF_REGION
#include "tlsf.h"
#endif

static long front_pages;
static long front_peak_pages;

void mm_front_pages_add(long delta)
{
	long now = __atomic_add_fetch(&front_pages, delta, __ATOMIC_RELAXED);
	long peak = __atomic_load_n(&front_peak_pages, __ATOMIC_RELAXED);

	while (now > peak &&
	       !__atomic_compare_exchange_n(&front_peak_pages, &peak, now, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* 1000 * (free - largest) / free, the definition in mm.h; 0 when nothing is free. */
static unsigned int frag_permille(size_t free, size_t largest)
{
	if (!free)
		return 0;
	largest = MIN(largest, free);
	/* In 64 bits: free * 1000 must not wrap on a 32-bit size_t either. */
	return (unsigned int)((uint64_t)(free - largest) * 1000 / free);
}

void mm_get_stats(struct mm_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = mm_mode_name();
	page_alloc_get_stats(&st->pages);
	kmalloc_front_stats(st);
	kmalloc_get_stats(st);
	st->front_pages = (size_t)__atomic_load_n(&front_pages, __ATOMIC_RELAXED);
	st->front_peak_pages = (size_t)__atomic_load_n(&front_peak_pages, __ATOMIC_RELAXED);
	st->ext_frag_permille = frag_permille(st->pages.free_pages, st->pages.largest_free_run);
	st->heap_frag_permille = frag_permille(st->heap_free_bytes, st->heap_largest_free);
}

size_t mm_footprint_bytes(void)
{
	long bytes = (long)(page_alloc_taken_pages() * PAGE_SIZE);

#ifdef CONFIG_HEAP_REGION
	bytes += heap_region_footprint_adjust();
#endif
#ifdef CONFIG_TLSF_REGION
	bytes += tlsf_region_footprint_adjust();
#endif
	return (size_t)bytes;
}

size_t mm_get_cache_stats(struct kmem_cache_stats *out, size_t max)
{
#ifdef CONFIG_SLAB
	return kmem_cache_stats_all(out, max);
#else
	(void)out;
	(void)max;
	return 0;
#endif
}
