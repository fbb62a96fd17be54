/*
 * twotier_fast.h - TwoTier's common case, inline in kmalloc() and kfree():
 * an object of a kmalloc size class from this CPU's slab, and back.
 *
 * Included by kmalloc_fast.h when Kconfig SLAB is set (TwoTier, Hybrid:
 * it needs their gen/kmalloc_classes.h).  Each function
 * does the whole job or nothing: whatever it declines (a size above the
 * classes, a stricter alignment, a slab that needs refilling or moving,
 * poisoning, misuse of any kind) is left untouched for the out-of-line
 * path through kmalloc_front.h, which decides and reports exactly as
 * before.
 */
#ifndef MMKIT_TWOTIER_FAST_H
#define MMKIT_TWOTIER_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"
#include "kmalloc_classes.h"
#include "kmalloc_front.h"
#include "slab_def.h"

/*
 * Index of the class for @size, 1 <= @size <= KMALLOC_MAX_CLASS_SIZE.
 * Every class is a multiple of the granule, so the smallest class holding
 * @size is the smallest holding @size rounded up to it: one table entry
 * per granule gives the class in constant time.
 */
static inline unsigned int kmalloc_size_class(size_t size)
{
	return kmalloc_class_lookup[(size + KMALLOC_CLASS_GRANULE - 1) / KMALLOC_CLASS_GRANULE];
}

/* The cache of each size class (NULL if it could not be made); twotier.c's. */
extern struct kmem_cache *kmalloc_caches[KMALLOC_NR_CLASSES];

/*
 * The cache serving each granule of request size, so that the fast path
 * goes from a size to its cache in one load (not class, then cache):
 * slot k serves sizes k * GRANULE + 1 .. (k + 1) * GRANULE.  Filled by
 * twotier_init(); a class whose cache could not be made points at an
 * empty stand-in whose freelist is always empty, so the fast path needs
 * no NULL test and the slow path fails the request.
 */
extern struct kmem_cache *kmalloc_cache_table[KMALLOC_MAX_CLASS_SIZE / KMALLOC_CLASS_GRANULE];

/* An object for @size bytes (any size_t) with *@sz set, or NULL: not done. */
static __always_inline void *twotier_alloc_fast(size_t size, struct kmalloc_sizes *sz)
{
	struct kmem_cache *c;

	/* size - 1 wraps for 0: one comparison refuses both ends... */
	if (unlikely(size - 1 >= KMALLOC_MAX_CLASS_SIZE))
		return NULL;
	/* ...and, shifted, it is the slot (no rounding up to add). */
	c = kmalloc_cache_table[(size - 1) / KMALLOC_CLASS_GRANULE];
	/* Slab objects keep no requested size (mm.h): they count as their class. */
	sz->requested = sz->granted = c->object_size;
	sz->by_cache = true;
	return slab_alloc_fast_at(c, KMALLOC_FP_OFFSET);
}

/*
 * Free @p if it is a live kmalloc slab object in the common case (true).
 * Its cache counts it: kmalloc.c books nothing, so no sizes are needed.
 */
static __always_inline bool twotier_free_fast(const void *p, struct kmalloc_sizes *sz)
{
	struct kmem_cache *c;

	sz->by_cache = true;
	return kmem_cache_kfree_fast(p, &c);
}

#endif /* MMKIT_TWOTIER_FAST_H */
