/*
 * heap_region.c - the SimpleHeap region behind kmalloc (see heap_region.h).
 */
#include "heap_region.h"
#include "kerrno.h"
#include "mm_stats.h"
#include "page_alloc.h"
#include "printk.h"

#define HEAP_REGION_BYTES ((size_t)CONFIG_SIMPLEHEAP_SIZE_KB * 1024)

struct heap kmalloc_heap;
static size_t region_pages;

void heap_region_init(const char *mode)
{
	size_t npages = (HEAP_REGION_BYTES + PAGE_SIZE - 1) / PAGE_SIZE;
	void *region = page_alloc(npages, GFP_KERNEL);

	if (!region)
		printk("mm: %s: no %zu KiB SimpleHeap region; its allocations will fail\n",
		       mode, HEAP_REGION_BYTES / 1024);
	heap_init(&kmalloc_heap, region, region ? npages * PAGE_SIZE : 0);
	if (region) {
		region_pages = npages;
		mm_front_pages_add((long)npages);
	}
}

long heap_region_footprint_adjust(void)
{
	return (long)heap_extent(&kmalloc_heap) - (long)(region_pages * PAGE_SIZE);
}

int heap_region_alloc(size_t size, size_t align, void **out, struct kmalloc_sizes *sz)
{
	*out = heap_alloc(&kmalloc_heap, size, align);
	if (!*out)
		return KERR_NOMEM;
	sz->requested = size;
	sz->granted = heap_usable_size(&kmalloc_heap, *out);
	sz->by_cache = false;
	return 0;
}

int heap_region_free(const void *p, struct kmalloc_sizes *sz)
{
	sz->by_cache = false;
	return heap_free_sized(&kmalloc_heap, p, &sz->requested, &sz->granted);
}

void heap_region_sizes(const void *p, struct kmalloc_sizes *sz)
{
	sz->requested = heap_requested_size(&kmalloc_heap, p);
	sz->granted = heap_usable_size(&kmalloc_heap, p);
	sz->by_cache = false;
}

void heap_region_stats(struct mm_stats *st)
{
	struct heap_stats hs;

	heap_get_stats(&kmalloc_heap, &hs);
	st->heap_free_bytes = hs.free_bytes;
	st->heap_largest_free = hs.largest_free;
	st->front_meta_bytes += hs.meta_bytes;
}
