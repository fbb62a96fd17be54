/*
 * hugetlb_pool.h - what the vmap area asks of the hugepage pool for
 * automatic selection (Kconfig HUGEPAGE_AUTO_KB; hugetlb.h says what the
 * pool is).  mm-private.
 */
#ifndef MMKIT_HUGETLB_POOL_H
#define MMKIT_HUGETLB_POOL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Lend a free pool page of @size (2 MiB or 1 GiB) to a vmap region: its
 * physical address, or 0 when the pool of that size is empty (counted as
 * a miss).  Unmapped: the region maps it in its own address space.
 */
uintptr_t hugetlb_take_block(size_t size);

/* The region that borrowed the page at @pa has unmapped it: back to the pool. */
void hugetlb_return_block(uintptr_t pa, size_t size);

/* Requests of at least this many bytes use pool pages (0: never). */
static inline size_t hugetlb_auto_threshold(void)
{
	return (size_t)CONFIG_HUGEPAGE_AUTO_KB << 10;
}

#endif /* MMKIT_HUGETLB_POOL_H */
