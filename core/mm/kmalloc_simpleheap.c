/*
 * kmalloc_simpleheap.c - the kmalloc front of the SimpleHeap mode: every
 * request is a block of the SimpleHeap region (heap_region.h).  The
 * interface is kmalloc_front.h; argument checks and counting are
 * kmalloc.c's.
 */
#include "heap_region.h"
#include "kmalloc_front.h"

void kmalloc_front_init(void)
{
	heap_region_init("SimpleHeap");
}

const char *mm_mode_name(void)
{
	return "SimpleHeap";
}

/* The region was taken at boot: @flags have no page allocation to steer. */
int kmalloc_front_alloc(size_t size, size_t align, gfp_t flags, void **out,
			struct kmalloc_sizes *sz)
{
	(void)flags;
	return heap_region_alloc(size, align, out, sz);
}

int kmalloc_front_free(const void *p, struct kmalloc_sizes *sz)
{
	return heap_region_free(p, sz);
}

int kmalloc_front_realloc(void *p, size_t size, gfp_t flags, void **out)
{
	(void)flags;
	return heap_realloc_try(&kmalloc_heap, p, size, out);
}

size_t kmalloc_front_usable_size(const void *p)
{
	return heap_usable_size(&kmalloc_heap, p);
}

void kmalloc_front_sizes(const void *p, struct kmalloc_sizes *sz)
{
	heap_region_sizes(p, sz);
}

void kmalloc_front_stats(struct mm_stats *st)
{
	heap_region_stats(st);
}

/* The heap caches nothing: freed blocks are coalesced at once. */
size_t kmalloc_front_shrink(void)
{
	return 0;
}
