/*
 * debug_leak.c - the leak report (Kconfig DEBUG_LEAK): every allocation
 * numbered after a mark that is still live, from the allocators' own
 * records, so it is exact (kmemleak scans memory for pointers and
 * guesses; here the allocators know every live allocation).
 *
 * Walked: every slab cache's objects (slab.c; not the off-slab
 * descriptors the slab layer allocates for itself, nor objects pools
 * hold), the kmalloc heap region's blocks (heap.c) or TLSF region's
 * (tlsf.c), and page allocations
 * (debug_page.c; not the slabs' pages, nor the heap region, nor
 * page-table pages, nor pages on per-CPU lists, which are free).  A test heap built on pages of its own shows as those pages.
 */
#include "debug_guard.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "printk.h"
#ifdef CONFIG_HEAP_REGION
#include "heap_region.h"
#endif
#ifdef CONFIG_TLSF_REGION
#include "tlsf.h"
#endif

void mm_leak_print(const char *what, const void *addr, size_t bytes, const struct mm_track *t)
{
	printk("mm: leak: %s %p (%zu bytes) allocated at %p cpu %u (#%llu)\n", what, addr, bytes,
	       (void *)t->alloc_ip, t->alloc_cpu, (unsigned long long)t->seq);
}

size_t mm_leak_report(uint64_t mark)
{
	size_t n = 0;

#ifdef CONFIG_SLAB
	n += slab_leaks(mark);
#endif
#ifdef CONFIG_HEAP_REGION
	n += heap_leaks(&kmalloc_heap, mark);
#endif
#ifdef CONFIG_TLSF_REGION
	n += tlsf_leaks(&kmalloc_tlsf, mark);
#endif
	n += debug_page_leaks(mark);
	if (DEBUG_GUARD)
		n += guard_leaks(mark);
	return n;
}
