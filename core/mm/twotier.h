/*
 * twotier.h - the TwoTier allocator behind the kmalloc front of the TwoTier
 * and Hybrid modes (core/mm/twotier.c).
 *
 * A request up to the largest size class is an object of the slab cache of
 * the smallest class holding it; a larger one gets whole pages.  Which of
 * the two an allocation is, and its size, come from the struct page of its
 * address, so objects carry no header.  The class table and the size ->
 * class lookup are generated data (gen/kmalloc_classes.h, from Kconfig
 * KMALLOC_CLASSES); the fronts of the TwoTier and Hybrid modes
 * (kmalloc_twotier.c, kmalloc_hybrid.c) compose these calls.  Arguments
 * are already checked by core/mm/kmalloc.c, as for every kmalloc_front_*
 * call.
 */
#ifndef MMKIT_TWOTIER_H
#define MMKIT_TWOTIER_H

#include <stdbool.h>
#include <stddef.h>
#include "kmalloc_front.h"
#include "mm.h"

/* Create the kmalloc-<class> slab caches.  A cache that cannot be made
 * leaves its class failing; the kernel goes on. */
void twotier_init(void);

/* 0 with *@out and *@sz set, or KERR_NOMEM and *@out NULL (kmalloc_front_alloc()). */
int twotier_alloc(size_t size, size_t align, gfp_t flags, void **out, struct kmalloc_sizes *sz);

/*
 * Free @p if it is TwoTier's (0, *@sz the sizes it had); otherwise report
 * (once) and return what is wrong.
 */
int twotier_free(const void *p, struct kmalloc_sizes *sz);

/* Usable bytes at @p; 0 when @p is not a TwoTier allocation. */
size_t twotier_usable_size(const void *p);
/* kmalloc_front_sizes() of a TwoTier allocation. */
void twotier_sizes(const void *p, struct kmalloc_sizes *sz);

/*
 * Resize live allocation @p where it is if @size still belongs there (the
 * same class, or the same number of pages): 0.  1 when @p is live but must
 * move (kmalloc_front_move()).  When @p is not a live TwoTier allocation
 * (freed, foreign, interior), the misuse error, reported once, with
 * nothing changed - liveness is checked before anything else, at the slab
 * check level's exactness (slab.h).
 */
int twotier_resize_in_place(void *p, size_t size);

/* Add the slab totals (caches, objects, pages, descriptor bytes) to @st. */
void twotier_stats(struct mm_stats *st);

/* Give every cache's empty slabs back; returns pages released. */
size_t twotier_shrink(void);

/*
 * Move live allocation @p (@old_usable bytes) to a new one of @size from
 * @alloc, then free @p through the front.  The caller has checked that @p
 * is live (twotier_resize_in_place(), heap_realloc_try()); should the free
 * still refuse it, the new block is dropped and the error returned.
 * Shared by every front that cannot resize in place.
 */
int kmalloc_front_move(void *p, size_t old_usable, size_t size, gfp_t flags,
		       int (*alloc)(size_t size, size_t align, gfp_t flags, void **out,
				    struct kmalloc_sizes *sz),
		       void **out);

#endif /* MMKIT_TWOTIER_H */
