/*
 * mm.h - the kernel's memory-management API, the same in every mode.
 *
 * The mode (SimpleHeap, TwoTier, Hybrid) is chosen in Kconfig; the kmalloc
 * front that routes requests for it is that mode's file in core/mm
 * (kmalloc_<mode>.c).  Nothing here panics when memory runs out:
 * kmalloc() returns NULL, kmalloc_try() returns an error code, and every
 * failure is counted in mm_get_stats().
 *
 * Where a request goes:
 *
 *     SimpleHeap  the SimpleHeap region (heap.h)
 *     TwoTier     size <= the largest size class: the slab cache of the
 *                 smallest class that holds it (Kconfig KMALLOC_CLASSES,
 *                 e.g. 65 bytes -> kmalloc-96); larger: whole pages
 *                 (page_alloc()), the size kept in the head page's
 *                 struct page (PG_LARGE)
 *     Hybrid      TwoTier; what TwoTier cannot serve, the SimpleHeap
 *                 region; mm_set_mode() below
 *
 * kfree() needs no size: a slab object is found through its page
 * (PG_SLAB), a large allocation by its head page (PG_LARGE), a heap block
 * by its address and header.
 *
 * Alignment guarantee (what callers may rely on without asking):
 *
 *   - every kmalloc() result is aligned to KMALLOC_MIN_ALIGN (8 bytes);
 *   - TwoTier / Hybrid slab objects are aligned to the largest power of
 *     two dividing their class (so with power-of-two classes, as in the
 *     default list, a power-of-two request up to a page is naturally
 *     aligned; a 96-byte class only gives 32);
 *   - SimpleHeap blocks are aligned to 16 (HEAP_MIN_ALIGN);
 *   - allocations served by whole pages are page aligned.
 *
 * Anything stricter, up to PAGE_SIZE, is asked for with
 * kmalloc_align_try(); TwoTier then takes the first class at least as big
 * whose alignment suffices.
 */
#ifndef MMKIT_MM_H
#define MMKIT_MM_H

#include <stddef.h>
#include <stdint.h>
#include "kerrno.h"
#include "page_alloc.h"
#include "slab.h"

/*
 * Every kmalloc() result is aligned to at least this (the size classes are
 * multiples of it; kit/config.py enforces that).
 */
#define KMALLOC_MIN_ALIGN 8

/*
 * Sizes above this are "too large" (KERR_INVAL), not out of memory: such a
 * size is almost always a negative length converted to size_t, and
 * refusing it up front keeps every allocator's size arithmetic far from
 * overflow.  Sizes below it that cannot be served are KERR_NOMEM.
 */
#define KMALLOC_SIZE_MAX (SIZE_MAX >> 1)

/* Bring up the page allocator from the firmware memory map, then the front. */
void mm_init(void);

/* Name of the configured mode: "SimpleHeap", "TwoTier" or "Hybrid". */
const char *mm_mode_name(void);

/*
 * kmalloc(0) returns NULL (and kmalloc_try() says KERR_INVAL); kfree(NULL)
 * does nothing.  krealloc(p, 0) frees p and returns NULL.  On failure
 * krealloc() leaves p untouched.  krealloc() keeps a slab object in place
 * while the new size has the same class, a large allocation while it
 * needs the same number of pages; otherwise it moves (KMALLOC_MIN_ALIGN).
 */
void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *krealloc(void *p, size_t size, gfp_t flags);
void kfree(const void *p);
/*
 * Usable size of an allocation (>= the size asked for); 0 for NULL or a
 * pointer kmalloc did not hand out.  For a slab object it is the class
 * size, read from the object's cache without checking that the object is
 * live (as Linux's ksize()).
 */
size_t ksize(const void *p);

/*
 * The fallible form: 0 and *out set, or with *out set to NULL:
 * KERR_NOMEM, KERR_INVAL (size 0 or too large), KERR_ALIGN (align not a
 * power of two, or above PAGE_SIZE), or - inside a transaction (mm_txn.h)
 * - KERR_LIMIT (no record left) or the error that doomed the transaction.
 * align 0 means KMALLOC_MIN_ALIGN.
 */
int kmalloc_try(size_t size, gfp_t flags, void **out);
int kmalloc_align_try(size_t size, size_t align, gfp_t flags, void **out);
/*
 * kfree that says what was wrong: 0, KERR_DOUBLE_FREE, KERR_BAD_PTR ...
 * A large (whole-page) allocation keeps no record once freed, so freeing
 * it again is KERR_DOUBLE_FREE only while its first page sits on a per-CPU
 * list, KERR_BAD_PTR after that.
 */
int kfree_checked(const void *p);

/*
 * Does kfree() / krealloc() catch misuse of class @m (enum slab_misuse,
 * slab.h) in this variant?  Heap blocks and page-served allocations check
 * everything whatever the level; a slab object as much as Kconfig
 * SLAB_CHECKS_* promises (slab_checks_catch()).  Misuse tests ask this.
 */
static inline bool kmalloc_catches(enum slab_misuse m)
{
#ifdef CONFIG_SLAB
	return slab_checks_catch(m);
#else
	(void)m;
	return true;
#endif
}

#ifdef CONFIG_SLAB
/*
 * What ksize() of kmalloc(@size) would be without an alignment request:
 * the class that serves it, or whole pages above the largest class.  0
 * for 0 and for sizes kmalloc() refuses as invalid.  (Linux's name.)
 */
size_t kmalloc_size_roundup(size_t size);
#endif

#ifdef CONFIG_MM_HYBRID
/*
 * Hybrid only: where new allocations go.  Frees, ksize() and in-place
 * reallocs route by address whatever the mode, so memory from one mode
 * can be freed in another.
 */
enum mm_hybrid_mode {
	MM_MODE_HYBRID,        /* TwoTier, then the SimpleHeap region (the default) */
	MM_MODE_TWOTIER_ONLY,  /* TwoTier; never the region */
	MM_MODE_HEAP_ONLY,     /* the SimpleHeap region only */
};

/* 0, or KERR_INVAL for a value not in enum mm_hybrid_mode. */
int mm_set_mode(enum mm_hybrid_mode mode);
enum mm_hybrid_mode mm_get_mode(void);
#endif

/*
 * Statistics.  Figures of one layer are a consistent snapshot of that
 * layer; across layers they are read one after the other.
 *
 * External fragmentation, in permille, integers only:
 *
 *     ext_frag_permille  = 1000 * (free - largest) / free
 *
 * over the page allocator, with free = pages.free_pages and largest =
 * pages.largest_free_run (0 when nothing is free).  0 means all free
 * memory is one run; near 1000, it is scattered in runs too short for any
 * sizeable request.  Pages on the per-CPU lists count as free but belong
 * to no run, so call drain_all_pages() first for a figure about the
 * strategy alone.  heap_frag_permille is the same over the SimpleHeap
 * or TLSF region (heap_free_bytes, heap_largest_free).  The host derives the
 * per-order indices (kit/bench.py: Linux's U(o) and F(o)) from pages.nr_free[].
 */
struct mm_stats {
	const char *mode;
	struct page_alloc_stats pages;  /* pages in use = total - free; peak */
	/*
	 * Bytes callers asked for in live allocations, as far as the serving
	 * allocator records it: heap blocks and page-served allocations keep
	 * the exact size; a slab object keeps none (as in Linux's SLUB: a
	 * per-object size would cost more than the waste it measures) and
	 * counts as its class size.
	 */
	size_t bytes_requested;
	size_t bytes_granted;      /* usable bytes handed out, currently held */
	/*
	 * Pages the kmalloc front holds - slabs of every cache, large
	 * allocations, the heap region - and their high-water mark.  Moved
	 * only where the front takes or gives back pages, so the per-object
	 * fast paths pay nothing for it; bytes_granted never exceeds
	 * front_pages * PAGE_SIZE.
	 */
	size_t front_pages;
	size_t front_peak_pages;
	size_t live_objects;       /* kmalloc allocations not yet freed */
	size_t heap_free_bytes;    /* SimpleHeap or TLSF region free bytes (0 if none) */
	size_t heap_largest_free;  /* largest free block in that region */
	size_t front_meta_bytes;   /* the front's own metadata: heap block headers,
				    * slab descriptors, TLSF's lists and bitmaps
				    * (page allocator's: pages.meta_bytes) */
	/* Over every slab cache, bootstrap ones included (0 without slabs). */
	size_t slab_caches;
	size_t slab_active_objects;
	size_t slab_total_objects;
	size_t slab_pages;
	unsigned int ext_frag_permille;
	unsigned int heap_frag_permille;
	struct alloc_counters counters; /* of the kmalloc API as a whole */
};

void mm_get_stats(struct mm_stats *st);

/*
 * What the allocators hold now, in bytes, in O(1): every page out of the
 * page allocator (live allocations, slabs with or without objects, the
 * per-CPU lists' pages, metadata that grows with allocation such as
 * off-slab descriptors), except that a SimpleHeap region counts only as
 * far as its highest live block reaches (heap.h: extent), as a program
 * break would.  The difference between two readings, with caches drained
 * before the first, is a workload's footprint - Johnstone and Wilson's
 * measure #4 is its peak over the peak of live bytes requested.
 */
size_t mm_footprint_bytes(void);

/*
 * Per-cache figures (object counts, pages, ...): the statistics of up to
 * @max slab caches into @out, in the order kmem_cache_for_each() visits
 * them.  Returns how many caches there are (may exceed @max); 0 in modes
 * without slab caches.
 */
size_t mm_get_cache_stats(struct kmem_cache_stats *out, size_t max);

/*
 * Give back what the allocators keep cached: every empty slab of every
 * cache (kmem_cache_shrink()) and, with SLAB_TRIM, the pages of partly
 * used slabs no live object touches (kmem_cache_trim()), then every page
 * on the per-CPU lists (drain_all_pages()).  Nothing live is touched.  Returns the pages the
 * slab caches released.  Page-level figures compare exactly only between
 * drained states (see mm_txn.h).
 */
size_t mm_drain_caches(void);

#endif /* MMKIT_MM_H */
