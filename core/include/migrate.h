/*
 * migrate.h - movable pages and compaction (Kconfig COMPACTION).
 *
 * A movable page is a single page whose owner lets the kernel move it: the
 * owner keeps a struct movable_ref and reaches the page only through
 * ref->page.  alloc_movable_page() takes the page with __GFP_MOVABLE, so
 * the buddy allocator serves it from a movable pageblock (buddy_pa.h:
 * migrate types), apart from the pages nobody can move.
 *
 * compact_block(order) is what a request for a large block does when no
 * free block of that order exists (alloc_huge_page()'s fallback calls it
 * for 2 MiB): it picks the naturally aligned range of 2^order pages, up
 * to a pageblock, in which every allocated page is movable and fewest are
 * allocated, and migrates each of them out - a new movable page outside
 * the range, the contents copied, ref->page updated, then the owner's
 * ref->migrated() if it has one, then the old page freed - until the
 * range is one free block.  It reports what it did: blocks formed, pages
 * migrated, and failures (no such range, or no page outside it to move
 * to; pages moved before a failure stay moved, their contents intact).
 *
 * Exclusion: one lock covers compaction and the movable pages' flags, so
 * a free never races a migration of the same page.  The owner must not
 * touch its page's contents while compaction may run on another CPU (no
 * per-page lock here; the test and bench images are the only owners).
 */
#ifndef MMKIT_MIGRATE_H
#define MMKIT_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "gfp.h"

struct movable_ref {
	void *page;		/* where the page is now: compaction updates it */
	/* Optional: called after the copy, before @old_page is freed. */
	void (*migrated)(struct movable_ref *ref, void *old_page, void *new_page);
};

/* One movable page into @ref->page; 0 or KERR_NOMEM (KERR_INVAL for bad @gfp). */
int alloc_movable_page(struct movable_ref *ref, gfp_t gfp);

/* Free @ref's page; 0, or KERR_BAD_PTR (reported) when @ref owns no movable page. */
int free_movable_page(struct movable_ref *ref);

/* Migrate movable pages until a free block of 2^@order pages exists; true if one was formed. */
bool compact_block(unsigned int order);

struct compact_stats {
	uint64_t runs;			/* compact_block() calls */
	uint64_t blocks_formed;
	uint64_t pages_migrated;
	uint64_t failures;		/* runs that formed no block */
	uint64_t no_range;		/* of them, runs that found no range to empty */
	uint64_t movable_pages;		/* live movable pages */
};

void compact_get_stats(struct compact_stats *st);

#endif /* MMKIT_MIGRATE_H */
