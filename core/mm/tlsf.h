/*
 * tlsf.h - TLSF, Two-Level Segregated Fit (Masmano, Ripoll, Crespo and
 * Real, ECRTS 2004): a general-purpose allocator over one region whose
 * allocation and free take a bounded number of steps.
 *
 * Blocks tile the region, each a header (its size, whether the block
 * before it is free, a check word, its state) followed by its payload.  A
 * free block also holds two list links at the start of its payload and, in
 * its last word, the address of its own header: the boundary tag through
 * which the block after it finds it, so that a free merges with both
 * physical neighbours at once and no two free blocks ever lie side by side.
 *
 * Free blocks sit on segregated lists.  The first level is the power of
 * two below a block's size; the second splits that range into
 * 2^TLSF_SL_INDEX_BITS lists of equal width (sizes below the first
 * power-of-two level are classed linearly, one list per granule).  A bit
 * per non-empty list (second level) and a bit per first level with any
 * non-empty list find a list in a few bit operations.  A request is
 * rounded up to the next list boundary, so the head of any list at or
 * above that one fits ("good fit"): no list is ever searched.
 *
 * Misuse (a free or realloc of a pointer that is not a live block: foreign,
 * interior, already free) is reported through mm_report_misuse() under the
 * layer "tlsf" and refused with nothing changed; a list or boundary tag
 * that fails its checks means the allocator's own state is corrupted and
 * panics.  The memory debugging options apply as in SimpleHeap (heap.h):
 * owner tracks in the header, red zones after the payload, poisoned free
 * payload checked when it is handed out again.
 */
#ifndef MMKIT_TLSF_H
#define MMKIT_TLSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm_debug.h"
#include "page_alloc.h"
#include "spinlock.h"

/* Default and minimum alignment of an allocation; block sizes are multiples of it. */
#define TLSF_ALIGN 16
#define TLSF_ALIGN_SHIFT 4
/* Second-level lists per first level (Kconfig TLSF_SL_INDEX_BITS). */
#define TLSF_SL_BITS CONFIG_TLSF_SL_INDEX_BITS
#define TLSF_SL_COUNT (1u << TLSF_SL_BITS)
/* Block sizes below 2^TLSF_FL_SHIFT are classed linearly, one list per granule. */
#define TLSF_FL_SHIFT (TLSF_SL_BITS + TLSF_ALIGN_SHIFT)
/* Blocks are below 2^TLSF_FL_LIMIT bytes (4 GiB); a larger region is trimmed. */
#define TLSF_FL_LIMIT 32
#define TLSF_FL_COUNT (TLSF_FL_LIMIT - TLSF_FL_SHIFT + 1)
/* Bytes of a block's header: 16, and the owner track with DEBUG_OWNER. */
#define TLSF_BLOCK_HEADER (16 + DEBUG_OWNER * sizeof(struct mm_track))

struct tlsf_block;

struct tlsf {
	spinlock_t lock;
	uintptr_t start, end;              /* the region, [start, end) */
	unsigned long fl_map;              /* bit f: some list of first level f is non-empty */
	unsigned long sl_map[TLSF_FL_COUNT];   /* bit s: list [f][s] is non-empty */
	struct tlsf_block *lists[TLSF_FL_COUNT][TLSF_SL_COUNT];
	size_t free_bytes;                 /* payload bytes in free blocks */
	size_t used_bytes;                 /* payload bytes in live blocks */
	size_t requested_bytes;            /* bytes callers asked for, in live blocks */
	size_t peak_used_bytes;
	size_t free_blocks;
	size_t live_blocks;
	uintptr_t top;                     /* end of the highest live block (start when none) */
	struct alloc_counters counters;
};

/* free_bytes + used_bytes + meta_bytes == region_bytes, always. */
struct tlsf_stats {
	size_t region_bytes;
	size_t free_bytes;
	size_t used_bytes;
	size_t requested_bytes;
	size_t peak_used_bytes;
	size_t largest_free;       /* largest payload a single request could get */
	size_t free_blocks;
	size_t live_blocks;
	size_t meta_bytes;         /* header bytes of live and free blocks */
	size_t control_bytes;      /* the struct tlsf itself: lists and bitmaps */
	size_t extent_bytes;       /* region start to the end of the highest live block */
	struct alloc_counters counters;
};

/*
 * Manage [@mem, @mem + @size), trimmed to TLSF_ALIGN (and to blocks below
 * 2^TLSF_FL_LIMIT).  A region too small for one block (or NULL) gives an
 * empty allocator whose allocations all fail.
 */
void tlsf_init(struct tlsf *t, void *mem, size_t size);

/* @align: a power of two up to PAGE_SIZE, 0 = TLSF_ALIGN.  NULL on
 * exhaustion or bad arguments (size 0 included); counted as a failure. */
void *tlsf_alloc(struct tlsf *t, size_t size, size_t align);

/* tlsf_alloc(), telling the usable bytes (tlsf_usable_size()) of what it returns. */
void *tlsf_alloc_usable(struct tlsf *t, size_t size, size_t align, size_t *usable);

/* 0 (also for NULL), or KERR_BAD_PTR / KERR_DOUBLE_FREE, reported, nothing changed. */
int tlsf_free(struct tlsf *t, const void *p);
/* tlsf_free(), telling the requested and usable bytes @p had (0 if refused). */
int tlsf_free_sized(struct tlsf *t, const void *p, size_t *requested, size_t *usable);

/*
 * Resize @p to @size bytes: in place when it shrinks or the block after it
 * is free and big enough, else by moving (TLSF_ALIGN alignment, the old
 * usable bytes copied).  0 and *@out set; or with @p untouched and *@out
 * NULL: KERR_NOMEM, KERR_INVAL (size 0), or KERR_BAD_PTR / KERR_DOUBLE_FREE
 * (reported) for a @p that is not live.  @p NULL is tlsf_alloc(@size).
 */
int tlsf_realloc_try(struct tlsf *t, void *p, size_t size, void **out);

/* Bytes usable at @p (>= what was asked for), or 0 if @p is not live. */
size_t tlsf_usable_size(struct tlsf *t, const void *p);
/* Bytes asked for at @p (by the last alloc or realloc), or 0 if @p is not live. */
size_t tlsf_requested_size(struct tlsf *t, const void *p);
/* Is @p inside the region (live, free or header)? */
bool tlsf_contains(const struct tlsf *t, const void *p);
void tlsf_get_stats(struct tlsf *t, struct tlsf_stats *st);
/* stats.extent_bytes alone, in O(1). */
size_t tlsf_extent(struct tlsf *t);

/*
 * Self-check, O(blocks): the blocks tile the region; no two free blocks
 * are neighbours; each block's "previous is free" bit and each free
 * block's boundary tag are right; every free block is on exactly the list
 * its size maps to and every listed block is free; a bitmap bit is set
 * exactly for each non-empty list (second level) and each first level
 * with one; the byte and block counts agree with the blocks; and (Kconfig
 * DEBUG_REDZONE) every live block's red zone is intact, a broken one
 * reported (KERR_REDZONE) and counted as misuse.  false on any of it.
 */
bool tlsf_check(struct tlsf *t);

/*
 * The list (first level, second level) a free block of @block_bytes
 * (header included) is kept on, and the smallest block size that list
 * promises to a request rounded up to it: for the tests.
 */
void tlsf_mapping(size_t block_bytes, unsigned int *fl, unsigned int *sl);
/* Block bytes (header included) a request of @size takes, before list rounding. */
size_t tlsf_block_bytes(size_t size);

/* ---- debugging (mm_debug_internal.h's hooks): owner lookup and leaks ---- */
bool tlsf_owner_of(struct tlsf *t, const void *addr, struct mm_track *track, const void **base);
struct mm_track *tlsf_track_of(struct tlsf *t, const void *p);
size_t tlsf_leaks(struct tlsf *t, uint64_t mark);

/* ---- the TLSF region behind kmalloc (tlsf_region.c, Kconfig TLSF_REGION) ---- */
#ifdef CONFIG_TLSF_REGION
extern struct tlsf kmalloc_tlsf;
/* Take the region (TLSF_SIZE_KB); @mode names the front in the message if it cannot. */
void tlsf_region_init(const char *mode);
/*
 * What the region holds because of its allocations: its extent less the
 * whole region (taken at boot), as heap_region_footprint_adjust() does for
 * SimpleHeap; mm_footprint_bytes() adds it.
 */
long tlsf_region_footprint_adjust(void);
#endif

#endif /* MMKIT_TLSF_H */
