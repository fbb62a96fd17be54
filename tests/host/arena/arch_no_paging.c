/*
 * arch_no_paging.c - the page-table and probe calls of arch.h for host
 * builds that map nothing: the host benchmark's mmkit peer and the preload
 * library serve kmalloc and the page allocator from a plain arena, so
 * they have no vmap area (a preset's VMAP finds an empty range) and no
 * mapping to probe.  They exist because core/ refers to them;
 * tests/host/paging_host.c is the host test build's real implementation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"

bool arch_page_size_supported(size_t size)
{
	(void)size;
	return false;
}

int arch_map(uintptr_t va, uintptr_t pa, size_t size, size_t page_size, unsigned int prot)
{
	(void)va, (void)pa, (void)size, (void)page_size, (void)prot;
	return KERR_RANGE;
}

int arch_unmap(uintptr_t va, size_t size)
{
	(void)va, (void)size;
	return KERR_RANGE;
}

int arch_map_prepare(uintptr_t va, size_t size)
{
	(void)va, (void)size;
	return KERR_RANGE;
}

int arch_map_release(uintptr_t va, size_t size)
{
	(void)va, (void)size;
	return KERR_RANGE;
}

int arch_translate(uintptr_t va, uintptr_t *pa, size_t *page_size, unsigned int *prot)
{
	(void)va, (void)pa, (void)page_size, (void)prot;
	return KERR_FAULT;
}

void arch_flush_tlb_range(uintptr_t va, size_t size)
{
	(void)va, (void)size;
}

void arch_vmap_range(uintptr_t *base, size_t *size)
{
	*base = 0;
	*size = 0;
}

void arch_pt_get_stats(struct arch_pt_stats *st)
{
	*st = (struct arch_pt_stats){ 0 };
}

int arch_probe_read(const void *addr, unsigned long *val)
{
	(void)addr, (void)val;
	return KERR_FAULT;
}

int arch_probe_write(void *addr, unsigned long val)
{
	(void)addr, (void)val;
	return KERR_FAULT;
}
