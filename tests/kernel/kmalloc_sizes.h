/*
 * kmalloc_sizes.h - request sizes the kmalloc-level suites derive from the
 * configuration, so that every option's range ends pass: what one variant
 * can serve (a 64 KiB SimpleHeap region, a buddy whose largest block is
 * 64 KiB, a single size class) is not what another can.
 */
#ifndef MMKIT_TEST_KMALLOC_SIZES_H
#define MMKIT_TEST_KMALLOC_SIZES_H

#include <stddef.h>
#include "kernel.h"
#include "mm.h"

/* The bytes kmalloc() serves from in all: the region in SimpleHeap and TLSF mode, else free RAM. */
static inline size_t test_kmalloc_arena(void)
{
#ifdef CONFIG_MM_SIMPLEHEAP
	return (size_t)CONFIG_SIMPLEHEAP_SIZE_KB * 1024;
#elif defined(CONFIG_MM_TLSF)
	return (size_t)CONFIG_TLSF_SIZE_KB * 1024;
#else
	struct mm_stats st;

	mm_get_stats(&st);
	return st.pages.free_pages * PAGE_SIZE;
#endif
}

/* The largest single request served by whole pages (a buddy serves one block at most). */
static inline size_t test_kmalloc_page_max(void)
{
#ifdef CONFIG_PAGE_ALLOC_BUDDY
	return PAGE_SIZE << CONFIG_BUDDY_MAX_ORDER;
#else
	return test_kmalloc_arena() / 2;
#endif
}

/*
 * A request of at most @want bytes for a case that holds @count of them
 * at once: together they stay within an eighth of the arena (headers and
 * rounding included), and each within what one request can get.
 */
static inline size_t test_kmalloc_size(size_t want, size_t count)
{
	size_t cap = MIN(test_kmalloc_arena() / (8 * count), test_kmalloc_page_max());

	return MAX(MIN(want, cap), (size_t)1);
}

#endif /* MMKIT_TEST_KMALLOC_SIZES_H */
