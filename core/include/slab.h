/*
 * slab.h - slab caches of equal-sized objects, in the vocabulary of Linux's
 * SLUB.
 *
 * A cache hands out objects of one size from slabs: runs of 1 to
 * 2^SLAB_MAX_ORDER pages, any count, from the page allocator (page_alloc()),
 * cut into objects.  A free object
 * holds the pointer to the next free object of its slab (the freelist);
 * each CPU has a current slab it allocates from first; the other slabs are
 * on the cache's partial, full and empty lists.  Every page of a slab has
 * PG_SLAB set in its struct page and points to the slab, so the slab and
 * cache of any object are found from its address (kmem_cache_of()).
 *
 * Constructor (Linux semantics): @ctor runs once on every object of a slab
 * when the slab is made, before any of them is handed out.  A freed object
 * must be given back in its constructed state; the freelist pointer of a
 * cache with a constructor is kept after the object, so it never
 * overwrites constructed state.  kmem_cache_alloc() does not call @ctor.
 *
 * Empty slabs beyond Kconfig SLAB_KEEP_EMPTY per cache (the CPU slabs
 * included) go back to the page allocator as soon as they become empty;
 * kmem_cache_shrink() releases the rest.  With Kconfig SLAB_COLOURING the
 * first object of successive slabs is offset by successive multiples of
 * max(align, 64 bytes), using the slack at the end of the slab, so that
 * objects of different slabs fall on different cache sets.
 *
 * Misuse: what is caught depends on Kconfig SLAB_CHECKS_* (the price of
 * safety is a choice, as in SLUB); see enum slab_misuse below for the
 * classes and slab_checks_catch() for which level catches which.  Caught
 * misuse is reported through mm_report_misuse(), counted and refused;
 * nothing changes.  At the FULL level a per-slab in-use bitmap makes
 * every check exact, and a write into a free object that breaks its free
 * pointer is noticed when the freelist is popped: the freelist is rebuilt
 * from the bitmap instead of followed, and the write reported as
 * KERR_USE_AFTER_FREE (HARDENED cuts the list there instead).  With Kconfig DEBUG_POISON,
 * free objects of caches without a constructor are filled with 0x6b (but
 * for the first word, which holds the free pointer) and checked when handed
 * out again: a write into a freed object is reported as
 * KERR_USE_AFTER_FREE.  Handed-out objects are filled with 0x5a.  Poisoning
 * does not change a cache's geometry.
 *
 * Nothing here panics on exhaustion: a failed page allocation makes
 * kmem_cache_alloc() / kmem_cache_create() return NULL and is counted.
 * Cache descriptors come from a static bootstrap cache ("kmem_cache"),
 * off-slab slab descriptors from another ("kmem_slab"): no kmalloc needed.
 */
#ifndef MMKIT_SLAB_H
#define MMKIT_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm_debug.h"
#include "page_alloc.h"

struct kmem_cache;

/* Slabs are at most 2^SLAB_MAX_ORDER pages; no object may be bigger.  A
 * buddy page allocator with a smaller max order limits it. */
#if defined(CONFIG_PAGE_ALLOC_BUDDY) && defined(CONFIG_BUDDY_MAX_ORDER) && \
	CONFIG_BUDDY_MAX_ORDER < 3
#define SLAB_MAX_ORDER CONFIG_BUDDY_MAX_ORDER
#else
#define SLAB_MAX_ORDER 3
#endif
#define KMEM_CACHE_MAX_SIZE (PAGE_SIZE << SLAB_MAX_ORDER)
/*
 * What debugging puts after each object (mm_debug.h): a red zone
 * (DEBUG_REDZONE), an owner track (DEBUG_OWNER).  kit/config.py knows
 * these figures too (it checks KMALLOC_CLASSES against them).
 */
#define SLAB_DEBUG_EXTRA (DEBUG_REDZONE * RED_ZONE_BYTES + DEBUG_OWNER * sizeof(struct mm_track))
/* The largest object a cache without a constructor takes. */
#define KMEM_CACHE_MAX_OBJECT (KMEM_CACHE_MAX_SIZE - SLAB_DEBUG_EXTRA)
/* Longer names are cut (the name is copied). */
#define KMEM_CACHE_NAME_LEN 24

/*
 * Misuse classes of the slab layer, and which check level catches each.
 * A class a level does not catch is not a promise: the misuse then
 * corrupts the cache, as it would in an unchecked allocator.
 */
enum slab_misuse {
	SLAB_MISUSE_FOREIGN,        /* a pointer into no slab (static data, a plain page) */
	SLAB_MISUSE_OTHER_CACHE,    /* kmem_cache_free() of another cache's object */
	SLAB_MISUSE_NOT_KMALLOC,    /* kfree() of an object of a non-kmalloc cache */
	SLAB_MISUSE_INTERIOR,       /* a pointer inside an object, not at its start */
	SLAB_MISUSE_DOUBLE_FREE,    /* the same object freed twice in a row */
	SLAB_MISUSE_DOUBLE_FREE_LATER,  /* freed twice with other frees in between */
	SLAB_MISUSE_FREELIST_WRITE, /* a write after free that breaks a free pointer */
	SLAB_MISUSE_CLASSES
};

/* Name of the configured level: "full", "hardened" or "off". */
static inline const char *slab_checks_level(void)
{
#if defined(CONFIG_SLAB_CHECKS_FULL)
	return "full";
#elif defined(CONFIG_SLAB_CHECKS_HARDENED)
	return "hardened";
#else
	return "off";
#endif
}

/* Does the configured level catch misuse of class @m (reported, refused)? */
static inline bool slab_checks_catch(enum slab_misuse m)
{
#if defined(CONFIG_SLAB_CHECKS_FULL)
	(void)m;
	return true;
#elif defined(CONFIG_SLAB_CHECKS_HARDENED)
	return m != SLAB_MISUSE_INTERIOR && m != SLAB_MISUSE_DOUBLE_FREE_LATER;
#else
	return m == SLAB_MISUSE_FOREIGN || m == SLAB_MISUSE_OTHER_CACHE;
#endif
}

struct kmem_cache_stats {
	const char *name;
	size_t object_size;        /* as asked at creation */
	size_t size;               /* stride: object, free pointer if kept
				    * outside it, padding to the alignment */
	size_t align;              /* effective alignment (>= sizeof(void *)) */
	unsigned int order;        /* the smallest order holding a slab's pages */
	unsigned int pages_per_slab;   /* any count, not only 2^order */
	unsigned int objects_per_slab;
	bool off_slab;             /* slab descriptor kept off the slab pages */
	size_t active_objects;     /* handed out and not yet freed */
	size_t total_objects;      /* in all slabs, free or not, and live guard
				    * objects (DEBUG_GUARD, slab_guard.h) */
	/*
	 * Slabs by how full they are; CPU slabs are counted by their state
	 * (with SMP, another CPU's slab counts as partial: its freelist is
	 * that CPU's alone).
	 */
	size_t slabs_full;
	size_t slabs_partial;
	size_t slabs_empty;
	/* Slabs that gave back pages no live object touched (Kconfig SLAB_TRIM). */
	size_t slabs_trimmed;
	size_t pages;              /* pages held by the cache's slabs */
	size_t meta_bytes;         /* slab descriptors incl. in-use bitmaps */
	struct alloc_counters counters;
	/* Of counters.frees, those onto another CPU's slab without a lock (SMP). */
	uint64_t remote_frees;
};

/*
 * A cache of objects of @size bytes (1 .. KMEM_CACHE_MAX_OBJECT, less a
 * pointer's size for a cache with a constructor), each
 * aligned to @align (a power of two <= PAGE_SIZE; 0 means pointer
 * alignment).  @name is copied.  NULL on bad arguments or no memory.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *));

/* Cache flags, as in Linux. */
#define SLAB_KMALLOC 0x1u   /* a kmalloc size class: kmem_cache_kfree() frees its objects */
/*
 * Never served from the guard pool (Kconfig DEBUG_GUARD), as Linux's
 * SLAB_SKIP_KFENCE: for a cache whose user samples above it (an object
 * pool's backing cache and the pool layer's own caches, pool.c).
 */
#define SLAB_SKIP_GUARD 0x2u
/*
 * Set by the cache itself, never asked for: free objects are poisoned
 * (Kconfig DEBUG_POISON, caches without a constructor).
 */
#define SLAB_POISON 0x100u
/* Set by the cache itself: red zones after objects (Kconfig DEBUG_REDZONE). */
#define SLAB_RED_ZONE 0x200u
/* Set by the cache itself: each object's owner track (Kconfig DEBUG_OWNER). */
#define SLAB_STORE_USER 0x400u
/*
 * A debugging cache: no CPU slab, so every allocation and free takes the
 * slow path, where objects are checked and filled.
 */
#define SLAB_DEBUG_FLAGS (SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER)

/* kmem_cache_create() with @flags (SLAB_KMALLOC, SLAB_SKIP_GUARD; others make it fail). */
struct kmem_cache *kmem_cache_create_flags(const char *name, size_t size, size_t align,
					   unsigned int flags, void (*ctor)(void *));

/*
 * Release every slab and the cache itself.  A cache that still has objects
 * handed out is reported as misuse (KERR_INVAL) and left alone, as Linux
 * does; so are the bootstrap caches.  NULL does nothing.
 */
void kmem_cache_destroy(struct kmem_cache *c);

/* An object, or NULL (counted as a failure) when no page can be had.
 * __GFP_ZERO zeroes the object's size bytes.  With Kconfig DEBUG_GUARD one
 * call in DEBUG_GUARD_INTERVAL (not for kmalloc's or SLAB_SKIP_GUARD
 * caches) is a guard object (slab_guard.h): constructed, counted as the
 * cache's, freed with kmem_cache_free() to this cache only. */
void *kmem_cache_alloc(struct kmem_cache *c, gfp_t flags);

/* Give @obj back; NULL does nothing.  Misuse is reported and ignored. */
void kmem_cache_free(struct kmem_cache *c, void *obj);
/*
 * The same, saying what was wrong: 0; KERR_BAD_PTR (not an object of @c:
 * foreign, another cache's, or not at an object boundary);
 * KERR_DOUBLE_FREE (already free); KERR_INVAL (@c is NULL, not reported).
 */
int kmem_cache_free_checked(struct kmem_cache *c, const void *obj);

/*
 * kfree() of an object that may be a slab object: one lookup from @obj to
 * its cache, then kmem_cache_free_checked()'s checks and result, with
 * *@size set to the cache's object size on success.  KMEM_NOT_KMALLOC
 * (positive, nothing reported) when @obj lies in no slab of a
 * SLAB_KMALLOC cache: the caller decides what else it may be.
 */
#define KMEM_NOT_KMALLOC 1
int kmem_cache_kfree(const void *obj, size_t *size);

/*
 * Is @obj a live (handed-out) object of @c?  0, or - reported as misuse,
 * nothing changed - KERR_BAD_PTR (not an object of @c) or KERR_DOUBLE_FREE
 * (already free).  What a krealloc() checks before it resizes in place.
 */
int kmem_cache_check_live(struct kmem_cache *c, const void *obj);

/*
 * Take this CPU's slabs of every kmalloc cache off the CPU, and keep them
 * off while a transaction is open on it (mm_txn.h): then no kmalloc() or
 * kfree() of this CPU can finish on its inline fast path, and every one
 * reaches the slow path that records it.  Called by mm_txn_begin(); the
 * fast paths need no transaction test of their own.
 */
void kmem_cache_flush_kmalloc_cpu(void);

/* Release all empty slabs, CPU slabs included; returns pages released. */
size_t kmem_cache_shrink(struct kmem_cache *c);
/*
 * Kconfig SLAB_TRIM: every partly used slab of @c on its lists gives
 * back the pages no live object touches, whether the cache is busy or
 * idle (the reaper trims idle caches only), as mm_drain_caches() asks.
 * Returns the pages given back; 0 for a cache that does not trim.
 */
size_t kmem_cache_trim(struct kmem_cache *c);

/* Object size as asked at creation (what ksize() reports for slab objects). */
size_t kmem_cache_size(const struct kmem_cache *c);
const char *kmem_cache_name(const struct kmem_cache *c);
/* @c's SLAB_* flags: those it was created with, and the debug flags it set. */
unsigned int kmem_cache_flags(const struct kmem_cache *c);

/* Cache of the slab @obj lies in, NULL if it is not in a slab.  Does not
 * check that @obj is at an object boundary; a free does. */
struct kmem_cache *kmem_cache_of(const void *obj);

/*
 * The cache of the slab page @pg (PG_SLAB set), in one load: a slab's
 * descriptor begins with its cache (slab_def.h asserts it), so the
 * page's owner points at that pointer.  For inline ownership checks
 * outside core/mm, which cannot see struct slab (pool.h's free path).
 */
static inline struct kmem_cache *slab_page_cache(const struct page *pg)
{
	return *(struct kmem_cache *const *)pg->owner;
}

void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *st);

/*
 * The statistics of up to @max caches into @out, in the order
 * kmem_cache_for_each() visits them; returns how many caches there are
 * (may exceed @max).  What mm_get_cache_stats() (mm.h) reports.
 */
size_t kmem_cache_stats_all(struct kmem_cache_stats *out, size_t max);

/* Call @fn on every cache, the bootstrap ones included, under the cache
 * list lock: @fn must not create or destroy caches. */
void kmem_cache_for_each(void (*fn)(struct kmem_cache *c, void *arg), void *arg);

/*
 * One console line per cache whose objects were freed onto another CPU's
 * slab without a lock (SMP: the remote frees of kmem_cache_stats), then
 * the total: "mmkit: remote frees: <count> <cache>".  Built with more than
 * one CPU only.
 */
void kmem_cache_print_remote_frees(void);

/*
 * Debug self-check, O(objects): lists, counts, in-use bitmaps, freelists
 * and page marks agree, and (Kconfig DEBUG_REDZONE) every object's red
 * zone is intact.  Prints the first inconsistency and returns false.
 */
bool kmem_cache_check(struct kmem_cache *c);

#endif /* MMKIT_SLAB_H */
