/*
 * slab_guard.h - guard sampling (Kconfig DEBUG_GUARD, debug_guard.h) for
 * named slab caches: kmem_cache_alloc() of a cache that is neither a
 * kmalloc size class (kmalloc() samples above its caches) nor marked
 * SLAB_SKIP_GUARD serves one allocation in DEBUG_GUARD_INTERVAL from the
 * guard pool, with the cache's object size and alignment, its constructor
 * run, counted in the cache's figures.  slab.c calls these from its API
 * functions only, behind DEBUG_GUARD; without it they are stubs that fold
 * away, and slab.c is as it was.
 */
#ifndef MMKIT_SLAB_GUARD_H
#define MMKIT_SLAB_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include "debug_guard.h"
#include "gfp.h"

struct kmem_cache;

#ifdef CONFIG_DEBUG_GUARD
/* The sampled allocation of @c, or NULL: not sampled, or the pool is full. */
void *slab_guard_alloc(struct kmem_cache *c, gfp_t flags);
/*
 * kmem_cache_free_checked() of a guard object (guard_owns(@obj)): 0, or
 * KERR_BAD_PTR (another cache's or kmalloc's: reported, left live) /
 * KERR_DOUBLE_FREE, reported and counted as the cache's misuse.
 */
int slab_guard_free(struct kmem_cache *c, const void *obj);
#else
#define slab_guard_alloc(c, flags)      ((void)(c), (void)(flags), (void *)0)
#define slab_guard_free(c, obj)         ((void)(c), (void)(obj), 0)
#endif

#endif /* MMKIT_SLAB_GUARD_H */
