/*
 * buddy_pa.h - a binary buddy page allocator over one range of page frames.
 *
 * An instance manages @npages pages starting at @base.  Free memory is kept
 * as blocks of 2^order pages on one free list per order (0 .. max_order).
 * An allocation of order o takes the smallest free block of order >= o and
 * splits it in halves until it has order o, putting each upper half on the
 * free list of its order; a free merges the block with its buddy as long as
 * the buddy is free and of the same order.  Both are O(max_order).
 *
 * Alignment rule: every block is naturally aligned in *physical* address
 * (a block of order o starts at a page frame number that is a multiple of
 * 2^o), as page_alloc.h promises for alloc_pages() in the buddy strategy.
 * @base only has to be page aligned: pages before the first aligned frame
 * and after the last one simply form smaller blocks, and a buddy that lies
 * outside [base, base + npages) is never merged with.
 *
 * State lives in the pages' descriptors (page.h), which the caller passes
 * in: a block's first page is its head (PA_FREE or PA_ALLOC, with the
 * block's order), its other pages are PA_TAIL, pages never released are
 * PA_RESERVED; a free head links its free list (32-bit frame indices), and
 * the head of every live allocation records its length in npages.  The
 * allocator never reads or writes the pages it manages, so a stray write
 * into a freed page cannot corrupt its lists, and every free is checked
 * against the descriptors before anything is changed: a misused free is
 * reported through mm_report_misuse() and refused.
 *
 * A plain data structure: no lock and no counters of its own.  Its owner
 * (a zone, zone.h) serialises calls and keeps the figures.  All pages
 * start reserved; buddy_pa_release() hands ranges over at boot.
 */
#ifndef MMKIT_BUDDY_PA_H
#define MMKIT_BUDDY_PA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "page_alloc.h"
#include "percpu.h"

/* Largest max_order an instance accepts: its per-order statistics must fit
 * struct page_alloc_stats. */
#define BUDDY_ORDER_LIMIT PAGE_STATS_MAX_ORDER

/* A free list; links are frame indices into the instance's descriptors. */
struct buddy_free_area {
	uint32_t head;      /* first block, or BUDDY_NO_PAGE */
	size_t nr_free;     /* blocks on the list */
};

#define BUDDY_NO_PAGE UINT32_MAX

/*
 * Migrate types, as Linux's, per pageblock (2 MiB, or the largest block
 * when BUDDY_MAX_ORDER is smaller): pages asked for as movable
 * (buddy_pa_alloc_type(..., BUDDY_MOVABLE)) come from movable pageblocks,
 * the rest from unmovable ones, so that the pages compaction can move are
 * not scattered among the ones it cannot.  A pageblock takes the type of
 * the request that first splits it out of a whole free block; free blocks
 * smaller than a pageblock sit on the free list of their pageblock's type,
 * whole pageblocks (and larger) on one list for both.  A request with no
 * block of its type takes a whole pageblock, and only then the largest
 * block of the other type (stealing, which leaves the pageblock's type
 * as it was).  Without a type array (buddy_pa_set_types()) every
 * pageblock is unmovable.  With no movable request ever made the
 * allocator behaves exactly as one without types.
 */
enum buddy_migratetype { BUDDY_UNMOVABLE, BUDDY_MOVABLE };
#define BUDDY_PAGEBLOCK_ORDER 9u

struct buddy_pa {
	uintptr_t base;            /* address of page 0, page aligned */
	uintptr_t base_pfn;        /* base >> PAGE_SHIFT */
	size_t npages;             /* pages covered, reserved ones included */
	unsigned int max_order;
	/* Whole pageblocks and larger, and the unmovable blocks below a pageblock. */
	struct buddy_free_area free_area[BUDDY_ORDER_LIMIT + 1];
	/* Blocks below a pageblock inside movable pageblocks. */
	struct buddy_free_area movable_area[BUDDY_PAGEBLOCK_ORDER];
	unsigned int pb_order;     /* MIN(BUDDY_PAGEBLOCK_ORDER, max_order) */
	uint8_t *pb_type;          /* per pageblock: enum buddy_migratetype; NULL: all unmovable */
	struct page *map;          /* descriptor of each page, map[0] for @base */
	size_t managed_pages;      /* pages released to the allocator */
	size_t free_pages;
};

/*
 * Set up @pa over [base, base + npages * PAGE_SIZE) with every page
 * reserved.  @base page aligned, @npages < 2^32 - 1, @max_order <=
 * BUDDY_ORDER_LIMIT; @map holds @npages descriptors, owned by the
 * instance's strategy fields from now on (it marks them all reserved).
 */
void buddy_pa_init(struct buddy_pa *pa, uintptr_t base, size_t npages,
		   unsigned int max_order, struct page *map);

/*
 * Boot time: make [@addr, @addr + @npages pages) usable.  The range is cut
 * into the largest naturally aligned blocks that fit, each merged with its
 * free buddies as a free would.  The page at address 0 is left reserved
 * (NULL means failure).  0, or with nothing changed: KERR_BAD_PTR (@addr
 * not page aligned), KERR_RANGE (not inside the instance), or
 * KERR_DOUBLE_FREE (some page was released already; reported).
 */
int buddy_pa_release(struct buddy_pa *pa, uintptr_t addr, size_t npages);

/* Bytes of type array an instance of @npages pages with @max_order needs. */
size_t buddy_pa_types_size(size_t npages, unsigned int max_order);

/* Give @pa its pageblock type array (buddy_pa_types_size() bytes), before any release. */
void buddy_pa_set_types(struct buddy_pa *pa, uint8_t *types);

/* 2^order naturally aligned pages; NULL when no block of that order can
 * be made or @order > max_order.  Unmovable. */
void *buddy_pa_alloc(struct buddy_pa *pa, unsigned int order);

/* The same, of migrate type @type (grouped per pageblock as above). */
void *buddy_pa_alloc_type(struct buddy_pa *pa, unsigned int order, enum buddy_migratetype type);

/*
 * Compaction's view of [@addr, @addr + @npages pages) (inside the
 * instance): the number of allocated pages in it when every allocation
 * there is a single page that @movable accepts and nothing is reserved;
 * SIZE_MAX otherwise.  Changes nothing.
 */
size_t buddy_pa_range_movable(const struct buddy_pa *pa, uintptr_t addr, size_t npages,
			      bool (*movable)(const struct page *head));

/*
 * Return a block from buddy_pa_alloc().  0 on success, else nothing is
 * changed, the misuse is reported, and the result is:
 *   KERR_RANGE        @addr is outside the instance or in a reserved page
 *   KERR_BAD_PTR      @addr is not page aligned, or points inside an
 *                     allocation (not at its first page)
 *   KERR_DOUBLE_FREE  @addr is in a block that is already free
 *   KERR_WRONG_SIZE   @addr starts an allocation of another size
 */
int buddy_pa_free(struct buddy_pa *pa, const void *addr, unsigned int order);

/*
 * Exactly @npages pages (1 .. 2^max_order), aligned to the next power of
 * two: a block of that order is taken and the pages beyond @npages are
 * freed at once.  The allocation is recorded as the naturally aligned
 * blocks that make up @npages, its length in the head's npages, so
 * buddy_pa_free_exact() with the same @npages (and nothing else) returns
 * it.  Same errors as buddy_pa_free(); a failed check changes nothing.
 */
void *buddy_pa_alloc_exact(struct buddy_pa *pa, size_t npages);
int buddy_pa_free_exact(struct buddy_pa *pa, const void *addr, size_t npages);
/*
 * Linux's split_page(): the allocation of @npages at @addr (from
 * buddy_pa_alloc_exact(), or a block of that many pages) becomes @npages
 * one-page allocations, each returned on its own with
 * buddy_pa_free_exact(pa, page, 1).  Same errors as the free; a failed
 * check changes nothing.
 */
int buddy_pa_split(struct buddy_pa *pa, const void *addr, size_t npages);

/* Queries. */
/* Free blocks of @order (0 if @order > max_order). */
size_t buddy_pa_nr_free(const struct buddy_pa *pa, unsigned int order);
/* Free pages over all orders (a counter: every watermark check reads it). */
static inline size_t buddy_pa_free_pages(const struct buddy_pa *pa)
{
	return READ_ONCE(pa->free_pages);
}
/* Highest order with a free block, or -1 when nothing is free. */
int buddy_pa_largest_free_order(const struct buddy_pa *pa);
/* Longest run of contiguous free pages (free blocks that are neighbours
 * but not buddies join up); O(number of blocks). */
size_t buddy_pa_largest_free_run(const struct buddy_pa *pa);
/* Is @addr inside the instance's range (whatever the state of its page)? */
bool buddy_pa_owns(const struct buddy_pa *pa, const void *addr);

/*
 * Debug self-check, O(npages): every block naturally aligned and inside the
 * instance, every free block on the list of its order and nowhere else, no
 * two free buddies left unmerged, counts consistent.  Prints the first
 * inconsistency and returns false.
 */
bool buddy_pa_check(const struct buddy_pa *pa);

#endif /* MMKIT_BUDDY_PA_H */
