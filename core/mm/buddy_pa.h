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
 * Metadata (buddy_pa_meta_size() bytes, supplied by the caller) is kept
 * apart from the managed pages: per page a state byte (reserved, tail of a
 * block, head of a free block, head of an allocated block; heads carry
 * their order) and the free-list links as 32-bit page indices.  The
 * allocator never reads or writes the pages it manages, so a stray write
 * into a freed page cannot corrupt its lists, and every free is checked
 * against the state bytes before anything is changed: a misused free is
 * reported through mm_report_misuse(), counted and refused.
 *
 * All pages start reserved; buddy_pa_release() hands ranges over at boot.
 * Each instance has its own lock; every public function takes it.
 */
#ifndef MMKIT_BUDDY_PA_H
#define MMKIT_BUDDY_PA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "page_alloc.h"
#include "spinlock.h"

/* Largest max_order an instance accepts: its per-order statistics must fit
 * struct page_alloc_stats. */
#define BUDDY_ORDER_LIMIT PAGE_STATS_MAX_ORDER

/* The max_order the kernel's global allocator uses (Kconfig). */
#ifdef CONFIG_BUDDY_MAX_ORDER
#define BUDDY_MAX_ORDER CONFIG_BUDDY_MAX_ORDER
#else
#define BUDDY_MAX_ORDER 10
#endif

/* A free list; links are page indices into the metadata. */
struct buddy_free_area {
	uint32_t head;      /* first block, or BUDDY_NO_PAGE */
	size_t nr_free;     /* blocks on the list */
};

#define BUDDY_NO_PAGE UINT32_MAX

struct buddy_pa {
	spinlock_t lock;
	uintptr_t base;            /* address of page 0, page aligned */
	uintptr_t base_pfn;        /* base >> PAGE_SHIFT */
	size_t npages;             /* pages covered, reserved ones included */
	unsigned int max_order;
	struct buddy_free_area free_area[BUDDY_ORDER_LIMIT + 1];
	void *meta;                /* the caller's metadata buffer */
	uint32_t *next, *prev;     /* free-list links, per page (inside meta) */
	uint8_t *state;            /* per page state byte (inside meta) */
	size_t managed_pages;      /* pages released to the allocator */
	size_t free_pages;
	size_t peak_used_pages;
	struct alloc_counters counters;
};

/*
 * Bytes of metadata an instance of @npages needs (@max_order is accepted so
 * that a later layout may depend on it; today it does not).  The buffer
 * given to buddy_pa_init() must be at least this big and 8-byte aligned.
 */
size_t buddy_pa_meta_size(size_t npages, unsigned int max_order);

/*
 * Set up @pa over [base, base + npages * PAGE_SIZE) with every page
 * reserved.  @base page aligned, @npages < 2^32 - 1, @max_order <=
 * BUDDY_ORDER_LIMIT; @meta as above, owned by the instance from now on.
 */
void buddy_pa_init(struct buddy_pa *pa, uintptr_t base, size_t npages,
		   unsigned int max_order, void *meta);

/*
 * Boot time: make [@addr, @addr + @npages pages) usable.  The range is cut
 * into the largest naturally aligned blocks that fit, each merged with its
 * free buddies as a free would.  The page at address 0 is left reserved
 * (NULL means failure).  0, or with nothing changed: KERR_BAD_PTR (@addr
 * not page aligned), KERR_RANGE (not inside the instance), or
 * KERR_DOUBLE_FREE (some page was released already; reported and counted
 * as misuse).
 */
int buddy_pa_release(struct buddy_pa *pa, uintptr_t addr, size_t npages);

/* 2^order naturally aligned pages; NULL (and a counted failure) when no
 * block of that order can be made or @order > max_order. */
void *buddy_pa_alloc(struct buddy_pa *pa, unsigned int order);

/*
 * Return a block from buddy_pa_alloc().  0 on success, else nothing is
 * changed, the misuse is reported and counted, and the result is:
 *   KERR_RANGE        @addr is outside the instance or in a reserved page
 *   KERR_BAD_PTR      @addr is not page aligned, or points inside a block
 *                     that is allocated (not at its first page)
 *   KERR_DOUBLE_FREE  @addr is in a block that is already free
 *   KERR_WRONG_SIZE   @addr starts an allocated block of another order
 */
int buddy_pa_free(struct buddy_pa *pa, const void *addr, unsigned int order);

/*
 * Exactly @npages pages (1 .. 2^max_order), aligned to the next power of
 * two: a block of that order is taken and the pages beyond @npages are
 * freed at once.  The allocation is recorded as the naturally aligned
 * blocks that make up @npages, so buddy_pa_free_exact() with the same
 * @npages returns it (a smaller @npages that happens to fall on a block
 * boundary frees only those blocks: that cannot be told from a correct
 * free).  Same errors as buddy_pa_free(); a failed check changes nothing.
 */
void *buddy_pa_alloc_exact(struct buddy_pa *pa, size_t npages);
int buddy_pa_free_exact(struct buddy_pa *pa, const void *addr, size_t npages);

/* Queries, each a consistent snapshot taken under the lock. */
/* Free blocks of @order (0 if @order > max_order). */
size_t buddy_pa_nr_free(struct buddy_pa *pa, unsigned int order);
/* Free pages over all orders. */
size_t buddy_pa_free_pages(struct buddy_pa *pa);
/* Highest order with a free block, or -1 when nothing is free. */
int buddy_pa_largest_free_order(struct buddy_pa *pa);
/* Longest run of contiguous free pages (free blocks that are neighbours
 * but not buddies join up); O(number of blocks). */
size_t buddy_pa_largest_free_run(struct buddy_pa *pa);
/* Is @addr inside the instance's range (whatever the state of its page)? */
bool buddy_pa_owns(const struct buddy_pa *pa, const void *addr);

/* Fill @st (strategy "buddy"); O(number of blocks). */
void buddy_pa_get_stats(struct buddy_pa *pa, struct page_alloc_stats *st);

/*
 * Debug self-check, O(npages): every block naturally aligned and inside the
 * instance, every free block on the list of its order and nowhere else, no
 * two free buddies left unmerged, counts consistent.  Prints the first
 * inconsistency and returns false.
 */
bool buddy_pa_check(struct buddy_pa *pa);

#endif /* MMKIT_BUDDY_PA_H */
