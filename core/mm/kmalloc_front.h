/*
 * kmalloc_front.h - what core/mm/kmalloc.c needs from the per-mode front.
 *
 * A front decides which allocator serves a request: one plain C file per
 * mode (kmalloc_simpleheap.c, kmalloc_twotier.c, kmalloc_hybrid.c), the
 * configured one chosen by core/sources.toml, with its inline common case
 * in kmalloc_fast.h.  kmalloc.c keeps everything that does not vary:
 * argument checks, error codes, __GFP_ZERO, counting.  So by the
 * time a call gets here the arguments are valid: @size is in
 * 1 .. KMALLOC_SIZE_MAX (mm.h) and @align a power of two in
 * KMALLOC_MIN_ALIGN .. PAGE_SIZE.  Transactions (mm_txn.h) are kmalloc.c's
 * business too: the front never sees them.
 *
 * Misuse (a free or realloc of something that is not a live allocation) is
 * reported once by whoever detects it (mm_report_misuse()): the allocator
 * behind the front, or the front itself ("kmalloc") when the pointer
 * belongs to no allocator it routes to.  kmalloc.c only counts it.
 *
 * The front also defines what mm.h declares per mode: mm_mode_name(), and
 * mm_set_mode() and mm_get_mode() in Hybrid.
 *
 * What a front may not do: take part in transactions, count what
 * kmalloc.c counts (by_cache below is the one exception), zero memory,
 * report a failure (kmalloc.c does, once), or decide a fault injection
 * (the allocators below it do, at their own entry points).  Debug hooks
 * (poison, red zones, owners) belong to the allocators behind it too.
 * docs/ALLOCATOR_INTERFACE.md is the guide for writing one; `./build.py
 * new-allocator NAME --kind front` writes the file with every function a
 * stub (not_implemented.h) for the conformance suites to name.
 */
#ifndef MMKIT_KMALLOC_FRONT_H
#define MMKIT_KMALLOC_FRONT_H

#include <stddef.h>
#include <stdint.h>
#include "mm.h"

/* Get the front's memory from the page allocator; called once by mm_init(). */
void kmalloc_front_init(void);

/*
 * The bytes of one allocation as kmalloc.c books them: what the caller
 * asked for (by the last alloc or realloc) and what it may use (ksize()).
 * Alloc and free report them, so that the front finds its metadata once
 * per call rather than once per question.
 */
struct kmalloc_sizes {
	size_t requested;
	size_t granted;
	/*
	 * A slab object: its cache counts it (per CPU, on the fast path
	 * anyway), so kmalloc.c does not count it again; mm_get_stats()
	 * adds the kmalloc caches' figures (twotier_stats()).
	 */
	bool by_cache;
};

/*
 * 0 with *@out and *@sz set, or KERR_NOMEM and *@out NULL.  @flags are
 * for the page allocator (__GFP_ATOMIC, __GFP_HIGH; __GFP_NOWARN always:
 * kmalloc.c reports its own failures); zeroing is kmalloc.c's.
 */
int kmalloc_front_alloc(size_t size, size_t align, gfp_t flags, void **out,
			struct kmalloc_sizes *sz);

/*
 * 0 with *@sz the sizes @p had, or the error of the allocator that
 * refused it (reported there; *@sz untouched).
 */
int kmalloc_front_free(const void *p, struct kmalloc_sizes *sz);

/*
 * Resize live allocation @p to @size bytes (in place if the front can),
 * keeping its contents up to the smaller usable size.  0 and *@out set; or
 * with @p untouched and *@out NULL: KERR_NOMEM, or the misuse error for a
 * @p that is not live.
 */
int kmalloc_front_realloc(void *p, size_t size, gfp_t flags, void **out);

/* Usable bytes at @p, or 0 when @p is not a live allocation. */
size_t kmalloc_front_usable_size(const void *p);

/*
 * The sizes of live allocation @p as kmalloc.c books them (what the last
 * alloc or realloc asked for, what is usable, whether a cache counts it);
 * all 0 when @p is not live.
 */
void kmalloc_front_sizes(const void *p, struct kmalloc_sizes *sz);

/*
 * Fill in the mode-specific part of @st: heap_free_bytes and
 * heap_largest_free (0 when the mode has no SimpleHeap region),
 * front_meta_bytes (the bytes of metadata of every allocator the front
 * uses: heap headers, slab descriptors) and the slab_* totals (0 without
 * slab caches).  The rest is filled by mm_get_stats().
 */
void kmalloc_front_stats(struct mm_stats *st);

/* Release what the front keeps cached (empty slabs); returns pages released. */
size_t kmalloc_front_shrink(void);

#ifdef CONFIG_MM_HYBRID
/* Where Hybrid's new allocations go (enum mm_hybrid_mode): kmalloc_hybrid.c's,
 * read inline by the fast path. */
extern int mm_hybrid_mode;
#endif

#endif /* MMKIT_KMALLOC_FRONT_H */
