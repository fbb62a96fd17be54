/*
 * kmalloc_fast.h - the inline half of the kmalloc front: what kmalloc()
 * and kfree() (core/mm/kmalloc.c) try before they call the configured
 * front out of line.  A fast call does the whole job or nothing: NULL /
 * false means "not done, nothing changed", and kmalloc.c goes on to the
 * front, which decides and reports as always.
 *
 *     SimpleHeap  nothing inline: every call goes to the heap
 *     TwoTier     an object of a size class from this CPU's slab, and
 *                 back (twotier_fast.h)
 *     Hybrid      the same, unless mm_set_mode() said heap only
 */
#ifndef MMKIT_KMALLOC_FAST_H
#define MMKIT_KMALLOC_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"
#include "kmalloc_front.h"
#ifdef CONFIG_SLAB
#include "twotier_fast.h"
#endif

static __always_inline void *kmalloc_front_alloc_fast(size_t size, struct kmalloc_sizes *sz)
{
#ifdef CONFIG_MM_HYBRID
	if (__atomic_load_n(&mm_hybrid_mode, __ATOMIC_RELAXED) == MM_MODE_HEAP_ONLY)
		return NULL;
#endif
#ifdef CONFIG_SLAB
	return twotier_alloc_fast(size, sz);
#else
	(void)size;
	(void)sz;
	return NULL;
#endif
}

/* Free @p if it is a live kmalloc slab object in the common case (true, *@sz set). */
static __always_inline bool kmalloc_front_free_fast(const void *p, struct kmalloc_sizes *sz)
{
#ifdef CONFIG_SLAB
	return twotier_free_fast(p, sz);
#else
	(void)p;
	(void)sz;
	return false;
#endif
}

#endif /* MMKIT_KMALLOC_FAST_H */
