/*
 * vmap.h - the vmap area: a virtual range for large allocations, built
 * from physically contiguous blocks and mapped with the largest pages
 * they allow (Linux's vmalloc, with huge mappings).
 *
 * The area is the first Kconfig VMAP_SIZE_MB of the range the arch
 * reserves for run-time mappings (arch_vmap_range(): upper half on the
 * guests, a reserved region of the process on the host); nothing but this
 * file maps there.  Each allocation (a "region") occupies [va, va + size)
 * and is followed by one guard page that is never mapped, so that running
 * off its end faults instead of reaching the next region.  Regions never
 * overlap and are kept on one list sorted by address.
 *
 * vmap_alloc(size) rounds size up to whole pages and finds room by first
 * fit, aligned to the largest page size the request can use: 1 GiB when
 * it is at least 1 GiB, the arch maps 1 GiB leaves and the page allocator
 * can hand out 1 GiB blocks; else 2 MiB when it is at least 2 MiB (and
 * 2 MiB blocks are possible); else 4 KiB.  The memory is taken with
 * alloc_pages() as naturally aligned blocks, largest order first (a
 * failed order is not asked for again in the same request), and each
 * block is mapped with the largest leaf that divides both its physical
 * address and its virtual address - a 2 MiB block at a 2 MiB-aligned
 * offset is one 2 MiB leaf, a 1 GiB block one 1 GiB leaf, a 64 KiB block
 * sixteen 4 KiB leaves.  The mapping is RW-, never executable.
 *
 * vmap_phys(pa, size) maps memory the caller owns (any page-aligned
 * physical range, RAM or device) the same way, with the largest leaves
 * the physical alignment allows; freeing such a region unmaps it and
 * frees nothing else.
 *
 * vmap_free(addr) unmaps the region - arch_unmap() has flushed every
 * CPU's TLB for the range (flush_tlb_kernel_range()) by the time it
 * returns - and then gives the blocks back to the page allocator; only
 * then is the address space reused.
 *
 * Failure: NULL, counted; never a panic.  A request that does not fit the
 * area's free address space fails before any memory is taken
 * (va_failures); one that runs out of pages or page-table pages part way
 * gives back everything it took.
 *
 * Misuse: vmap_free() of an address outside the area (KERR_RANGE), of an
 * address inside a region but not its start (KERR_BAD_PTR), of the start
 * of a region already freed that has not been reused since
 * (KERR_DOUBLE_FREE; the last VMAP_FREED_HISTORY frees are remembered),
 * or of an address no region ever started at (KERR_BAD_PTR) is reported
 * through mm_report_misuse("vmap", ...), counted and refused; nothing
 * changes.
 *
 * One lock covers the region list and the figures.  Pages are allocated
 * and mapped outside it: a region being built or freed stays on the list,
 * not live, so its address space is not handed out twice, and a
 * vmap_free() of it is refused.
 */
#ifndef MMKIT_VMAP_H
#define MMKIT_VMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "page_alloc.h"

/* Leaf sizes the figures are kept for: 4 KiB, 2 MiB, 1 GiB. */
#define VMAP_NR_PAGE_SIZES 3
/* Frees remembered to tell a double free from a wild pointer. */
#define VMAP_FREED_HISTORY 16

/* @size bytes of mapped memory (__GFP_ZERO: zeroed); NULL on failure. */
void *vmap_alloc(size_t size, gfp_t gfp);

/*
 * Map [@pa, @pa + @size) (page aligned) with ARCH_PROT_* @prot (read
 * required, never write and execute); NULL on failure.
 */
void *vmap_phys(uintptr_t pa, size_t size, unsigned int prot);

/*
 * Address space only: @size bytes (page aligned) at an @align-aligned
 * start (a power of two, at least a page), with a guard page behind, for
 * a caller that maps there itself with arch_map() (the hugepage pool's
 * slots) and unmaps what it mapped before vmap_free() gives the range
 * back.  Counted in regions and reserved, never in mapped.  NULL when the
 * area has no such room.
 */
void *vmap_reserve(size_t size, size_t align);

/* Unmap and release a region; 0 (also for NULL) or a misuse error above. */
int vmap_free(const void *addr);

/* Is @addr inside the vmap area (mapped or not)? */
bool vmap_owns(const void *addr);

struct vmap_stats {
	uintptr_t base;			/* the area: [base, base + size) */
	size_t size;
	size_t regions;			/* live regions */
	size_t largest_gap;		/* longest run of free address space */
	/* Bytes live regions map with leaves of 4 KiB, 2 MiB, 1 GiB. */
	size_t mapped[VMAP_NR_PAGE_SIZES];
	size_t reserved;		/* bytes of address space vmap_reserve() holds */
	size_t pt_pages;		/* page-table pages in use (arch_pt_get_stats()) */
	struct alloc_counters counters;	/* allocs, frees, failures, misuse */
	uint64_t va_failures;		/* of failures: no room in the area */
};

void vmap_get_stats(struct vmap_stats *st);

#endif /* MMKIT_VMAP_H */
