/*
 * mm_init.c - bring up memory management, bottom layer first.
 */
#include "arch.h"
#include "kmalloc_front.h"
#include "mm.h"
#include "page_alloc.h"

void mm_init(void)
{
	struct mem_region regions[MEM_REGIONS_MAX];
	size_t n = arch_memory_map(regions, MEM_REGIONS_MAX);

	page_alloc_init(regions, n);
	kmalloc_front_init();
}
