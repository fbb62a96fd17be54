/*
 * held_pages.h - a record of page allocations a case holds, kept out of
 * the pages themselves.
 *
 * Cases that fill memory must not write into what they take: under QEMU
 * the first touch of guest RAM costs the host a page fault and, with
 * transparent hugepages, the zeroing of 2 MiB - one word per block over
 * 6 GiB of RAM costs the host 6 GiB of zeroing.  The record lives in
 * single pages of its own, chained, HELD_PER_PAGE entries each; an entry
 * is the block's address with its order in the low bits (blocks are page
 * aligned).
 */
#ifndef MMKIT_TEST_HELD_PAGES_H
#define MMKIT_TEST_HELD_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kerrno.h"
#include "ktest.h"
#include "page_alloc.h"

struct held_page {
	struct held_page *next;
	size_t count;
	uintptr_t entry[];
};

#define HELD_PER_PAGE ((PAGE_SIZE - sizeof(struct held_page)) / sizeof(uintptr_t))

struct held_pages {
	struct held_page *top;   /* the page being filled; older ones behind it */
	size_t blocks, pages;    /* blocks held, pages in them */
};

/*
 * Take a block of 2^@order pages with @flags (never reported) and record
 * it; false when the allocator has none, or no page is left for the
 * record itself.
 */
static inline bool held_take(struct held_pages *h, unsigned int order, gfp_t flags)
{
	void *p;

	if (!h->top || h->top->count == HELD_PER_PAGE) {
		struct held_page *rec = page_alloc(1, (flags & ~(gfp_t)__GFP_ZERO) | __GFP_NOWARN);

		if (!rec)
			return false;
		rec->next = h->top;
		rec->count = 0;
		h->top = rec;
	}
	p = alloc_pages(order, flags | __GFP_NOWARN);
	if (!p)
		return false;
	h->top->entry[h->top->count++] = (uintptr_t)p | order;
	h->blocks++;
	h->pages += (size_t)1 << order;
	return true;
}

/* The most recent block held (NULL if none). */
static inline void *held_last(const struct held_pages *h)
{
	if (!h->top || !h->top->count)
		return NULL;
	return (void *)(h->top->entry[h->top->count - 1] & ~(uintptr_t)(PAGE_SIZE - 1));
}

/* Call @fn on every block held. */
static inline void held_for_each(const struct held_pages *h,
				 void (*fn)(void *block, unsigned int order, void *arg), void *arg)
{
	for (const struct held_page *rec = h->top; rec; rec = rec->next)
		for (size_t i = 0; i < rec->count; i++)
			fn((void *)(rec->entry[i] & ~(uintptr_t)(PAGE_SIZE - 1)),
			   (unsigned int)(rec->entry[i] & (PAGE_SIZE - 1)), arg);
}

/* Give every block and the record back; each free must succeed. */
static inline void held_release(struct ktest *t, struct held_pages *h)
{
	while (h->top) {
		struct held_page *rec = h->top;

		for (size_t i = rec->count; i-- > 0;) {
			uintptr_t e = rec->entry[i];

			KT_EXPECT_EQ(t, free_pages((void *)(e & ~(uintptr_t)(PAGE_SIZE - 1)),
						   (unsigned int)(e & (PAGE_SIZE - 1))), KERR_OK);
		}
		h->top = rec->next;
		KT_EXPECT_EQ(t, page_free(rec, 1), KERR_OK);
	}
	h->blocks = h->pages = 0;
}

#endif /* MMKIT_TEST_HELD_PAGES_H */
