/*
 * heap_region.h - the SimpleHeap region behind kmalloc (Kconfig
 * HEAP_REGION): the whole arena in SimpleHeap mode, the fallback in
 * Hybrid mode.
 *
 * The region is Kconfig SIMPLEHEAP_SIZE_KB, taken from the page allocator
 * once at boot and managed by a heap (heap.h).  If it cannot be had, the
 * heap stays empty and every allocation from it fails: fallible, not a
 * panic.
 */
#ifndef MMKIT_HEAP_REGION_H
#define MMKIT_HEAP_REGION_H

#include <stddef.h>
#include "heap.h"
#include "kmalloc_front.h"

extern struct heap kmalloc_heap;

/* Take the region; @mode names the front in the message if it cannot. */
void heap_region_init(const char *mode);

/* kmalloc_front_alloc() from the region: 0 and *@out, *@sz set; or KERR_NOMEM. */
int heap_region_alloc(size_t size, size_t align, void **out, struct kmalloc_sizes *sz);

/* Is @p inside the region (live or not)? */
static inline bool heap_region_contains(const void *p)
{
	return heap_contains(&kmalloc_heap, p);
}

/* kmalloc_front_free() of a block of the region. */
int heap_region_free(const void *p, struct kmalloc_sizes *sz);

/* kmalloc_front_sizes() of a block of the region. */
void heap_region_sizes(const void *p, struct kmalloc_sizes *sz);

/*
 * What the region holds because of its allocations: its extent (start to
 * the end of the highest live block) less the whole region, which was
 * taken from the page allocator at boot.  Added to the pages the page
 * allocator has handed out, it gives mm_footprint_bytes().
 */
long heap_region_footprint_adjust(void);

/* The region's part of mm_get_stats(): free bytes, largest free, metadata. */
void heap_region_stats(struct mm_stats *st);

#endif /* MMKIT_HEAP_REGION_H */
