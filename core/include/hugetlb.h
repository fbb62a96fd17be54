/*
 * hugetlb.h - the hugepage pool (Kconfig HUGEPAGES): 2 MiB and 1 GiB
 * pages reserved at boot, as Linux's hugepages= boot parameter.
 *
 * At boot (mm_init()) the pool takes HUGEPAGES_1G naturally aligned
 * 1 GiB blocks and HUGEPAGES_2M 2 MiB blocks from the page allocator,
 * and reserves in the vmap area one slot of address space per page,
 * aligned to its size.  Each page keeps its slot for life: mapping it is
 * one leaf of its size at a fixed place, and a free is recognised by its
 * address alone.  A page that boot could not take (no such block free)
 * is reported once on the console and left out of the figures.
 *
 * alloc_huge_page(size, gfp) takes a free page of @size (HUGE_SIZE_2M or
 * HUGE_SIZE_1G) and maps it read-write in its slot with one leaf of that
 * size (2 MiB leaves where the arch has no 1 GiB ones); __GFP_ZERO zeroes
 * it through the mapping.  When the pool of that size is empty it falls
 * back, in order:
 *   - to a naturally aligned block of the size from the page allocator,
 *     mapped with vmap_phys() - still one leaf (fallback_block);
 *   - to vmap_alloc(size): smaller blocks mapped with smaller leaves, down
 *     to 4 KiB pages (fallback_small);
 * and only then fails (NULL, counted in failures).  Every path returns a
 * vmap-area address aligned to the largest leaf that maps it.
 *
 * free_huge_page(addr) unmaps (arch_unmap(): every CPU has forgotten the
 * translation when it returns) and puts the page back on its free list,
 * or gives a fallback back where it came from.  Misuse is reported through
 * mm_report_misuse("hugetlb", ...), counted and refused, nothing changed:
 * an address that is not what alloc_huge_page() returned (KERR_BAD_PTR),
 * a pool page already free or a fallback freed among the last few frees
 * (KERR_DOUBLE_FREE).  NULL is a no-op.
 *
 * With HUGEPAGE_AUTO_KB set, vmap_alloc() of at least that many KiB takes
 * pool pages for its aligned stretches (vmap.c asks hugetlb_take_block(),
 * core/mm/hugetlb_pool.h): they are "lent" until the region is freed.
 *
 * One spinlock covers the free lists, the slots and the figures; mapping,
 * unmapping and zeroing happen outside it.
 */
#ifndef MMKIT_HUGETLB_H
#define MMKIT_HUGETLB_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "gfp.h"

#define HUGE_SIZE_2M PAGE_SIZE_2M
#define HUGE_SIZE_1G PAGE_SIZE_1G
/* Sizes the pool keeps: [0] 2 MiB, [1] 1 GiB. */
#define HUGE_NR_SIZES 2

/* A mapped hugepage of @size bytes (HUGE_SIZE_2M / HUGE_SIZE_1G), or NULL. */
void *alloc_huge_page(size_t size, gfp_t gfp);

/* Unmap and release what alloc_huge_page() returned; 0 or a KERR_* misuse code. */
int free_huge_page(void *addr);

struct hugepage_size_stats {
	size_t size;			/* bytes per page */
	size_t configured;		/* the Kconfig count */
	size_t reserved;		/* pool pages boot could take */
	size_t free;			/* on the free list */
	size_t in_use;			/* given out by alloc_huge_page() */
	size_t lent;			/* serving vmap regions (automatic selection) */
	uint64_t allocs, frees;		/* alloc_huge_page() / free_huge_page() successes */
	uint64_t fallback_block;	/* pool empty: a buddy block of the size, one leaf */
	uint64_t fallback_small;	/* ... no such block: smaller blocks and leaves */
	uint64_t failures;		/* nothing at all could serve it */
	uint64_t auto_served;		/* pool pages lent to large vmap requests */
	uint64_t auto_missed;		/* large vmap stretches that found the pool empty */
};

struct hugepage_stats {
	struct hugepage_size_stats size[HUGE_NR_SIZES];
	size_t fallbacks_live;		/* fallback allocations not freed yet */
	size_t auto_threshold;		/* bytes: HUGEPAGE_AUTO_KB (0: off) */
	uint64_t misuse;
};

void hugepage_get_stats(struct hugepage_stats *st);

/* Reserve the pool (mm_init(), after the kmalloc front is up). */
void hugetlb_init(void);

#endif /* MMKIT_HUGETLB_H */
