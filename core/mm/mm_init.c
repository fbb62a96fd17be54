/*
 * mm_init.c - bring up memory management, bottom layer first.
 */
#include "arch.h"
#include "kerrno.h"
#include "kmalloc_front.h"
#include "mm.h"
#include "page_alloc.h"
#include "panic.h"
#include "zstore.h"
#include "debug_guard.h"
#ifdef CONFIG_POOLS
#include "pool.h"
#endif
#ifdef CONFIG_HUGEPAGES
#include "hugetlb.h"
#endif

void mm_init(void)
{
	struct mem_region regions[MEM_REGIONS_MAX];
	size_t n = arch_memory_map(regions, MEM_REGIONS_MAX);

	page_alloc_init(regions, n);
	kmalloc_front_init();
#ifdef CONFIG_HUGEPAGES
	/* Before anything else takes large blocks, as hugepages= at boot (its slots' descriptors are kmalloc()ed). */
	hugetlb_init();
#endif
#ifdef CONFIG_POOLS
	/* The typed pools, filled to their counts before any image code runs. */
	pool_types_init();
#endif
#ifdef CONFIG_ZSTORE
	/* Its metadata is sized from its limit and taken now, while memory is plentiful. */
	int err = zstore_init();

	if (err)
		panic("zstore: cannot start (%s; ZSTORE_LIMIT_KB=%d)", kerr_name(err),
		      CONFIG_ZSTORE_LIMIT_KB);
#endif
	/* Last: what the boot keeps for good does not fill the guard pool. */
	if (DEBUG_GUARD)
		guard_init();
}
