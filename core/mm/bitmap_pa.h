/*
 * bitmap_pa.h - a bitmap page allocator over one span of page frames.
 *
 * One bit per 4 KiB page says whether the page is in use (allocated or
 * reserved); an allocation takes the first run of free pages that is long
 * enough (first fit, lowest address first).  This is an *instance*: each
 * zone (zone.h) owns one over its pages, and tests build private ones over
 * a few pages.
 *
 * The head of every live allocation is marked in its page descriptor
 * (page.h: PA_ALLOC, and npages its length).  That lets a free be checked
 * exactly: the address must start a live allocation and the page count
 * must be the one it was allocated with.  So a double free, a free of an
 * interior page, of reserved memory or of the wrong size is refused,
 * reported through mm_report_misuse() and changes nothing.
 *
 * The instance never touches the pages it manages: the bitmap lives in the
 * caller's @meta buffer, the marks in the caller's descriptors.  A plain
 * data structure: no lock and no counters of its own; its owner (a zone)
 * serialises calls and keeps the figures.
 */
#ifndef MMKIT_BITMAP_PA_H
#define MMKIT_BITMAP_PA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "page_alloc.h"
#include "percpu.h"

struct bitmap_pa {
	uintptr_t base;          /* address of page 0; page aligned */
	size_t npages;           /* pages in the span, reserved ones included */
	unsigned long *bitmap;   /* bit i: page i is in use or reserved */
	struct page *map;        /* descriptor of each page, map[0] for @base */
	size_t free_pages;
	size_t hint;             /* no page below this index is free */
};

/* Bytes of bitmap an instance over @npages pages needs (8-byte aligned). */
size_t bitmap_pa_meta_size(size_t npages);

/*
 * Set up @pa over [@base, @base + @npages pages) with its bitmap in @meta
 * (bitmap_pa_meta_size(@npages) bytes, 8-byte aligned) and the pages'
 * descriptors in @map.  Every page starts reserved: nothing can be
 * allocated until bitmap_pa_release() says which pages are usable.  @base
 * must be page aligned.
 */
void bitmap_pa_init(struct bitmap_pa *pa, uintptr_t base, size_t npages,
		    struct page *map, void *meta);

/*
 * Boot time: make [@addr, @addr + @npages pages) usable.  Pages that are
 * already free stay free.  0, or KERR_BAD_PTR (not page aligned) /
 * KERR_RANGE (not inside the span) with nothing changed.
 */
int bitmap_pa_release(struct bitmap_pa *pa, uintptr_t addr, size_t npages);

/* The lowest run of @npages free pages, or NULL. */
void *bitmap_pa_alloc(struct bitmap_pa *pa, size_t npages);

/*
 * As bitmap_pa_alloc(), but the run starts on a multiple of @align_pages
 * pages in the address space (not merely within the span), so that
 * alloc_pages(order) can hand out naturally aligned blocks.  @align_pages
 * must be a power of two.
 */
void *bitmap_pa_alloc_aligned(struct bitmap_pa *pa, size_t npages, size_t align_pages);

/*
 * Give back a run from bitmap_pa_alloc*().  0, or with nothing changed:
 * KERR_BAD_PTR (not page aligned, or not the first page of a live
 * allocation), KERR_RANGE (outside the span), KERR_DOUBLE_FREE (the page
 * is free), KERR_WRONG_SIZE (@npages is not the allocation's size).
 * Errors are reported through mm_report_misuse().
 */
int bitmap_pa_free(struct bitmap_pa *pa, const void *addr, size_t npages);

/*
 * Linux's split_page(): the run of @npages at @addr becomes @npages
 * one-page allocations, each given back on its own.  Same errors as
 * bitmap_pa_free(), with nothing changed.
 */
int bitmap_pa_split(struct bitmap_pa *pa, const void *addr, size_t npages);

/* Is @addr inside the span (whatever the state of its page)? */
bool bitmap_pa_owns(const struct bitmap_pa *pa, const void *addr);

/* Queries.  Free pages is a counter: every watermark check reads it. */
static inline size_t bitmap_pa_free_pages(const struct bitmap_pa *pa)
{
	return READ_ONCE(pa->free_pages);
}

size_t bitmap_pa_largest_free_run(const struct bitmap_pa *pa);
/*
 * Count free blocks per order into @nr_free[0 .. @max_order]: each free run
 * is split into maximal naturally aligned power-of-two blocks (at most
 * 2^@max_order pages each), as a buddy allocator would hold them.
 */
void bitmap_pa_nr_free(const struct bitmap_pa *pa, size_t *nr_free, unsigned int max_order);

#endif /* MMKIT_BITMAP_PA_H */
