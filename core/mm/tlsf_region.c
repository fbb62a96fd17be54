/*
 * tlsf_region.c - the TLSF region behind kmalloc (Kconfig TLSF_REGION):
 * Kconfig TLSF_SIZE_KB taken from the page allocator once at boot, as the
 * SimpleHeap region is (heap_region.c), and managed by TLSF (tlsf.h).  If
 * it cannot be had, the allocator stays empty and every allocation from
 * it fails: fallible, not a panic.
 */
#include "mm_stats.h"
#include "page_alloc.h"
#include "printk.h"
#include "tlsf.h"

#define TLSF_REGION_BYTES ((size_t)CONFIG_TLSF_SIZE_KB * 1024)

struct tlsf kmalloc_tlsf;
static size_t region_pages;

void tlsf_region_init(const char *mode)
{
	size_t npages = (TLSF_REGION_BYTES + PAGE_SIZE - 1) / PAGE_SIZE;
	void *region = page_alloc(npages, GFP_KERNEL);

	if (!region)
		printk("mm: %s: no %zu KiB TLSF region; its allocations will fail\n", mode,
		       TLSF_REGION_BYTES / 1024);
	tlsf_init(&kmalloc_tlsf, region, region ? npages * PAGE_SIZE : 0);
	if (region) {
		region_pages = npages;
		mm_front_pages_add((long)npages);
	}
}

long tlsf_region_footprint_adjust(void)
{
	return (long)tlsf_extent(&kmalloc_tlsf) - (long)(region_pages * PAGE_SIZE);
}
