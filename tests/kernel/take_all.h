/*
 * take_all.h - for suites that take every page: the page allocator's
 * reserves off for the span of a case, and most of memory held as
 * ballast in large blocks.
 *
 * Reserves: a case that studies a strategy over all of memory
 * (exhaustion, fragmentation) would otherwise stop at the min watermark
 * and find the reserve as one free run.  The zone suite tests the
 * reserves themselves.  The caches are emptied first, so that no
 * shrinker gives pages back in the middle of a count.
 *
 * Ballast: taking and touching every page one at a time costs seconds
 * per GiB under QEMU (held_pages.h says why).  The ballast takes all but
 * about TAKE_ALL_KEEP_PAGES in the largest blocks the allocator has, from
 * TAKE_ALL_BLOCK_ORDER down to 4 MiB, recorded outside them, so the page-at-a-time
 * part of a case covers a working set of the same size whatever RAM_MB
 * is.  Memory is exhausted all the same.
 */
#ifndef MMKIT_TEST_TAKE_ALL_H
#define MMKIT_TEST_TAKE_ALL_H

#include "held_pages.h"
#include "kerrno.h"
#include "kernel.h"
#include "ktest.h"
#include "mm.h"
#include "page_alloc.h"

/* Pages left for the case: 32 MiB. */
#define TAKE_ALL_KEEP_PAGES ((size_t)8192)

#ifdef CONFIG_PAGE_ALLOC_BUDDY
#define TAKE_ALL_BLOCK_ORDER ((unsigned int)CONFIG_BUDDY_MAX_ORDER)
#else
#define TAKE_ALL_BLOCK_ORDER 10u
#endif
/* The smallest ballast block: 4 MiB, or the largest block if that is smaller. */
#define TAKE_ALL_MIN_ORDER MIN(TAKE_ALL_BLOCK_ORDER, 10u)

struct take_all {
	struct page_alloc_tunables saved;
	struct held_pages ballast;   /* blocks of up to 2^TAKE_ALL_BLOCK_ORDER pages */
};

/* Reserves off, then ballast until about TAKE_ALL_KEEP_PAGES are free. */
static inline void take_all_begin(struct ktest *t, struct take_all *ta)
{
	struct page_alloc_tunables none = { .watermark_scale_factor = 1 };
	struct page_alloc_stats st;

	page_alloc_get_tunables(&ta->saved);
	KT_EXPECT_EQ(t, page_alloc_set_tunables(&none), 0);
	mm_drain_caches();
	ta->ballast = (struct held_pages){ 0 };
	/*
	 * The largest blocks first, then smaller ones down to 4 MiB for what
	 * they left: with BUDDY_MAX_ORDER 18 a 1 GiB block may not be free at
	 * all (the firmware keeps the top of x86_64's 2 GiB), and the case
	 * then took the whole 2 GiB a page at a time (7 s of page_alloc's
	 * exhaustion case under twotier-vmap).  Not below 4 MiB: smaller
	 * blocks would also take the last pages a zone above its watermark
	 * can give, which the case is there to take itself (randconfig seed
	 * 28: 341 MiB in DMA and DMA32 zones, nothing left for the case).
	 */
	for (unsigned int order = TAKE_ALL_BLOCK_ORDER + 1; order-- > TAKE_ALL_MIN_ORDER;) {
		const size_t block = (size_t)1 << order;

		page_alloc_get_stats(&st);
		for (size_t free = st.free_pages; free >= TAKE_ALL_KEEP_PAGES + block; free -= block)
			if (!held_take(&ta->ballast, order, GFP_KERNEL))
				break;
	}
	drain_all_pages();
}

/* The ballast back, and the reserves as they were. */
static inline void take_all_end(struct ktest *t, struct take_all *ta)
{
	held_release(t, &ta->ballast);
	KT_EXPECT_EQ(t, page_alloc_set_tunables(&ta->saved), 0);
}

#endif /* MMKIT_TEST_TAKE_ALL_H */
