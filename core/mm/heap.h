/*
 * heap.h - SimpleHeap: a first-fit free-list allocator over one region.
 *
 * Blocks tile the region: each starts with a small header (size, state, a
 * check word) followed by its payload.  Free blocks are kept on an
 * address-ordered list so that a free coalesces with both neighbours.
 * Requests are split from the first block that fits; a remainder too small
 * to be a block of its own stays with the allocation.  A free of a pointer
 * that is not a live block of this heap (foreign, interior, already free)
 * is reported through mm_report_misuse() and returns an error without
 * touching the lists.  It is the whole allocator in SimpleHeap mode and the
 * fallback region in Hybrid mode.
 *
 * With Kconfig DEBUG_POISON, free payload holds 0x6b and a fresh allocation
 * 0x5a; taking a free block whose poison was overwritten reports
 * KERR_USE_AFTER_FREE.
 */
#ifndef MMKIT_HEAP_H
#define MMKIT_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm_debug.h"
#include "page_alloc.h"
#include "spinlock.h"

/* Default and minimum alignment of a heap allocation; block sizes are multiples of it. */
#define HEAP_MIN_ALIGN 16
/*
 * Bytes of a block's header, in front of its payload: 16, and the owner
 * track with Kconfig DEBUG_OWNER (mm_debug.h).  Allocations of an
 * alignment A whose size plus this is a multiple of A, made one after the
 * other, lie back to back with no free fragment between them (object
 * pools ask for theirs so; with DEBUG_REDZONE the red zone after each
 * payload breaks that, which costs debugging variants only fragments).
 */
#define HEAP_BLOCK_HEADER (16 + DEBUG_OWNER * sizeof(struct mm_track))

struct heap_block;

struct heap {
	spinlock_t lock;
	uintptr_t start, end;          /* the region, [start, end) */
	struct heap_block *free_list;  /* address ordered */
	/*
	 * A free block on the list (or NULL): where the last free or
	 * allocation left the list.  A free above it starts its walk for
	 * its place here rather than at the head (K&R's freep).
	 */
	struct heap_block *rover;
	size_t free_bytes;             /* payload bytes in free blocks */
	size_t used_bytes;             /* payload bytes in live blocks */
	size_t requested_bytes;        /* bytes callers asked for, in live blocks */
	size_t peak_used_bytes;
	size_t free_blocks;
	size_t live_blocks;
	/*
	 * The end of the highest live block (start when none): how much of
	 * the region the heap holds, as a program break would.
	 */
	uintptr_t top;
	struct alloc_counters counters;
};

/* free_bytes + used_bytes + meta_bytes == region_bytes, always. */
struct heap_stats {
	size_t region_bytes;
	size_t free_bytes;
	size_t used_bytes;
	size_t requested_bytes;
	size_t peak_used_bytes;
	size_t largest_free;      /* largest payload a single request could get */
	size_t free_blocks;
	size_t live_blocks;
	size_t meta_bytes;        /* header bytes of live and free blocks */
	size_t extent_bytes;      /* region start to the end of the highest live block */
	struct alloc_counters counters;
};

/*
 * Manage [@mem, @mem + @size), trimmed to HEAP_MIN_ALIGN.  A region too
 * small for one block (or NULL) gives an empty heap whose allocations all
 * fail, so a front that could not get its region stays fallible.
 */
void heap_init(struct heap *h, void *mem, size_t size);

/* @align: a power of two up to PAGE_SIZE, 0 = HEAP_MIN_ALIGN.  NULL on
 * exhaustion or bad arguments (size 0 included); counted as a failure. */
void *heap_alloc(struct heap *h, size_t size, size_t align);

/* 0 (also for NULL), or KERR_BAD_PTR / KERR_DOUBLE_FREE, reported, nothing changed. */
int heap_free(struct heap *h, const void *p);

/* heap_free(), telling the requested and usable bytes @p had (0 if it was refused). */
int heap_free_sized(struct heap *h, const void *p, size_t *requested, size_t *usable);

/*
 * Resize @p to @size bytes: in place when it shrinks or the next block is
 * free and big enough, else by moving (HEAP_MIN_ALIGN alignment, the old
 * usable bytes copied).  0 and *@out set; or with @p untouched and *@out
 * NULL: KERR_NOMEM, KERR_INVAL (size 0), or KERR_BAD_PTR / KERR_DOUBLE_FREE
 * (reported) for a @p that is not live.  @p NULL is heap_alloc(@size).
 */
int heap_realloc_try(struct heap *h, void *p, size_t size, void **out);
/* heap_realloc_try() returning the block; size 0 frees @p and returns NULL. */
void *heap_realloc(struct heap *h, void *p, size_t size);

/* Bytes usable at @p (>= what was asked for), or 0 if @p is not live. */
size_t heap_usable_size(struct heap *h, const void *p);
/* Bytes asked for at @p (by the last alloc or realloc), or 0 if @p is not live. */
size_t heap_requested_size(struct heap *h, const void *p);
/* Is @p inside the region (live, free or header)? */
bool heap_contains(const struct heap *h, const void *p);
void heap_get_stats(struct heap *h, struct heap_stats *st);
/*
 * Debug self-check, O(blocks): the blocks tile the region and (Kconfig
 * DEBUG_REDZONE) every live block's red zone is intact, a broken one
 * reported (KERR_REDZONE) and counted as misuse.  false on any of it.
 */
bool heap_check(struct heap *h);
/* stats.extent_bytes alone, in O(1). */
size_t heap_extent(struct heap *h);

#endif /* MMKIT_HEAP_H */
