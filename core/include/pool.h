/*
 * pool.h - object pools: equal-sized objects, preallocated, cached per CPU
 * in magazines, with a guaranteed reserve (Kconfig POOLS).
 *
 * A pool hands out objects of one size and alignment.  It takes them from
 * a backing allocator - a slab cache of its own where there are slabs
 * (Kconfig SLAB: TwoTier, Hybrid), kmalloc's heap otherwise (SimpleHeap) -
 * and keeps the free ones itself, in three layers (Bonwick and Adams,
 * "Magazines and Vmem", USENIX 2001):
 *
 *   CPU layer   each CPU has a loaded and a previous magazine, stacks of
 *               up to POOL_MAG_SIZE (Kconfig POOL_MAGAZINE_SIZE) objects.
 *               An allocation pops the loaded one, a free pushes it; when
 *               the loaded magazine is empty (allocation) or full (free)
 *               and the previous one is not, the two swap.  Only this
 *               CPU's data is touched and no lock is taken.
 *   depot       the pool's full and empty magazines, under the pool's
 *               lock.  A CPU whose two magazines are both empty trades the
 *               previous one for a full magazine from the depot; both
 *               full, it trades the previous one for an empty magazine.
 *   reserve     up to min_nr objects kept back (as Linux's mempool_t).
 *
 * An allocation is served, in this order, by the CPU layer, the depot,
 * the backing allocator (the pool grows by `grow` objects, up to `max`
 * objects held), and - when the backing allocator cannot serve it, or
 * `max` is reached - the reserve; when the reserve is empty, objects
 * parked in other CPUs' magazines are pulled back and tried.  Then it
 * fails: NULL, counted, never a panic and never a wait.
 *
 * Invariants:
 *
 *   - The pool holds ("owns") at least min_nr objects from its creation
 *     to its destruction, and at most `max` (when max is not 0); an
 *     object it owns is either handed out or free in exactly one place:
 *     a CPU's magazine, a depot magazine or the reserve.
 *   - Guarantee: while fewer than min_nr of the pool's objects are
 *     handed out, an allocation succeeds, whatever the backing allocator
 *     says (the pool owns min_nr objects, so one of them is free in some
 *     layer, and every layer is tried).
 *   - A free refills the reserve before anything else: while the reserve
 *     holds fewer than min_nr objects, every free goes to it (the free
 *     fast path is switched off by `fill` below).
 *   - A free object keeps its constructed state: @ctor runs once, when
 *     the object comes from the backing allocator; the pool never writes
 *     into an object's bytes (it keeps its own state, where it keeps any,
 *     in a word after them, the object's "state word").
 *   - Each CPU's magazines are touched by that CPU only, with
 *     interrupts off (with SMP; without, there are none), so that a
 *     cross-CPU call landing on the CPU never finds an operation half
 *     done.  Objects in other CPUs' magazines are pulled back by running
 *     the pull on each of those CPUs (pool.c: pool_pull_remote(), an IPI
 *     each; pool_shrink() likewise), never by touching their magazines
 *     from here.  Pools are tested from thread context only.
 *
 * Checks: a free - fast path or not - runs the checks of the configured
 * slab check level (Kconfig SLAB_CHECKS_*; slab.h), and
 * pool_checks_catch() says which misuse classes (enum slab_misuse) are
 * caught, reported (mm_report_misuse(), layer "pool"), counted and
 * refused, exactly as slab_checks_catch() does for a cache:
 *
 *   FULL, and SimpleHeap    every object has a state word after its
 *                           bytes, holding a tag of the pool, the object's
 *                           address and live/free: a free of anything but
 *                           a live object of this pool at its start is
 *                           refused (foreign, another pool's, interior,
 *                           double free at any distance), and an
 *                           allocation checks the word is "free" (a stray
 *                           write or an overrun of the object that reached
 *                           it is reported).  With slabs the object must
 *                           also lie in a slab of the pool's cache.
 *   HARDENED                the object lies in a slab of the pool's own
 *                           cache (foreign and other pools' objects are
 *                           refused), and is not the object on top of the
 *                           loaded magazine (the naive double free).
 *   OFF                     the object lies in a slab of the pool's cache.
 *
 * Statistics (pool_get_stats()): hits (allocations the CPU layer served),
 * misses (the rest: depot, growth, reserve, or failure), grows, reserve
 * uses, failures, misuse, high-water (most objects handed out at once),
 * the depot's exchanges, and where the free objects are.  The fast paths
 * keep two figures: the hits, and the loaded magazine's fewest rounds,
 * from which every slow path derives the high-water mark exactly.
 *
 * Typed pools: DEFINE_POOL_TYPE() below makes a typed API of a pool; the
 * kit renders one per pool of the Kconfig "Object pools" menu into
 * gen/pool_types.h (include "pool_types.h"), and core/mm/pool_types.c
 * creates and fills them at boot, before any image code runs.
 */
#ifndef MMKIT_POOL_H
#define MMKIT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "fault_inject.h"
#include "gfp.h"
#include "irq.h"
#include "mm_debug.h"
#include "page.h"
#include "percpu.h"
#include "slab.h"
#include "spinlock.h"

/* Objects per magazine (Kconfig POOL_MAGAZINE_SIZE). */
#define POOL_MAG_SIZE CONFIG_POOL_MAGAZINE_SIZE
/* Longer names are cut (the name is copied). */
#define POOL_NAME_LEN 24
/*
 * The largest object: the largest slab object (less what debugging adds
 * after it: slab.h) less the state word - the same in every mode, so that
 * a configuration moves between modes.
 */
#define POOL_MAX_SIZE (KMEM_CACHE_MAX_OBJECT - sizeof(uintptr_t))

/* The checks of the configured level (see the top). */
#if !defined(CONFIG_SLAB) || defined(CONFIG_SLAB_CHECKS_FULL)
#define POOL_CHECKS_EXACT 1
#else
#define POOL_CHECKS_EXACT 0
#endif
#if defined(CONFIG_SLAB) && defined(CONFIG_SLAB_CHECKS_HARDENED)
#define POOL_CHECKS_NAIVE 1
#else
#define POOL_CHECKS_NAIVE 0
#endif

/* Does a pool free catch misuse of class @m (reported, refused)? */
static inline bool pool_checks_catch(enum slab_misuse m)
{
#ifdef CONFIG_SLAB
	return slab_checks_catch(m);
#else
	(void)m;
	return true;
#endif
}

/* ---- the layout the inline paths need ------------------------------------ */

/*
 * A magazine: a stack of free objects in round[1 .. rounds]; round[0] is
 * always NULL, so that popping an empty magazine reads NULL (one test on
 * the allocation path) and the naive double-free check never matches it.
 */
struct pool_mag {
	unsigned long rounds;
	struct pool_mag *next;              /* on a depot list */
	void *round[POOL_MAG_SIZE + 1];
};

/* A pool's part for one CPU: written by that CPU alone. */
struct pool_cpu {
	struct pool_mag *loaded;            /* never NULL: a real magazine or the stand-in */
	struct pool_mag *previous;          /* full or empty (but after a shrink) */
	uint64_t hits;                      /* allocations served here */
	uint64_t swaps;                     /* loaded and previous exchanged */
	/*
	 * The fewest rounds the loaded magazine has had since this CPU last
	 * left its fast paths.  Between two slow-path visits only the loaded
	 * magazine changes, so the most objects in use meanwhile is the
	 * pool's objects less those elsewhere less this: every slow path
	 * folds it into the pool's high-water mark (pool.c), and the fast
	 * path pays one comparison for an exact figure.
	 */
	unsigned long low;
} ____cacheline_aligned_in_smp;

/*
 * A stack of objects kept in magazines: `cur` is the top magazine (not
 * full unless all are), `full` the full ones under it, `empty` the spare
 * ones.  The reserve is one: it never needs a magazine it does not have.
 */
struct pool_stack {
	struct pool_mag *cur, *full, *empty;
	size_t nr;                          /* objects held */
};

struct pool {
	/* What the fast paths read. */
	struct kmem_cache *cache;           /* CONFIG_SLAB: the backing cache */
	uintptr_t key;                      /* state-word tag key (POOL_CHECKS_EXACT) */
	size_t state_off;                   /* where the state word is, from the object */
	/*
	 * Rounds a free may fill the loaded magazine to on the fast path:
	 * POOL_MAG_SIZE, or 0 while the reserve is short (every free goes
	 * to it) or the pool is not usable.  Written under the lock, read
	 * by every CPU without it.
	 */
	unsigned long fill;

	/* The slow paths', under the lock. */
	spinlock_t lock;
	struct pool_mag *depot_full;        /* magazines holding objects (full, but after growth) */
	struct pool_mag *depot_empty;
	size_t nr_full, nr_empty, depot_objects;
	struct pool_stack reserve;          /* reserve.nr <= min_nr */
	size_t min_nr;
	size_t owned, owned_peak;           /* objects held, handed out or free */
	size_t high_water;                  /* most objects handed out at once */
	size_t count, grow, max;
	size_t size, align, stride;
	size_t backing_size;                /* what one object asks of the backing allocator */
	void (*ctor)(void *);
	uint64_t misses, grows, reserve_uses, failures, misuse, released;
	uint64_t depot_gets, depot_puts, mags_made;
	bool ready;                         /* created and usable */
	bool dynamic;                       /* the descriptor is pool_create()'s */
	char name[POOL_NAME_LEN];
	struct pool *list_next;             /* all usable pools */
	struct pool_cpu cpu[NR_CPUS];
};

/* ---- creating and destroying ------------------------------------------- */

struct pool_params {
	const char *name;                   /* copied */
	size_t size;                        /* 1 .. POOL_MAX_SIZE bytes */
	size_t align;                       /* a power of two <= PAGE_SIZE; 0: a pointer's */
	void (*ctor)(void *);               /* once per object, as it joins the pool; or NULL */
	size_t count;                       /* objects taken at creation */
	size_t min_nr;                      /* the guaranteed reserve: <= count */
	size_t grow;                        /* objects per growth (0: never grows) */
	size_t max;                         /* most objects held (0: no limit); >= count */
};

/*
 * A pool with a descriptor of its own (kmalloc'd), filled to @pp->count:
 * NULL on bad parameters or when the memory cannot be had (nothing is
 * kept then).
 */
struct pool *pool_create(const struct pool_params *pp);

/*
 * The same over caller-provided storage (the typed pools' static
 * descriptors): 0, or KERR_INVAL / KERR_ALIGN (bad parameters) or
 * KERR_NOMEM.  On failure @p is still safe to use: every allocation
 * fails (counted) and every free is refused.
 */
int pool_init(struct pool *p, const struct pool_params *pp);

/*
 * Give every object and magazine back and retire @p (its descriptor too
 * if pool_create() made it).  A pool with objects handed out is reported
 * as misuse (KERR_INVAL) and left alone, as kmem_cache_destroy() does.
 * No CPU may use @p meanwhile.  NULL does nothing.
 */
void pool_destroy(struct pool *p);

/*
 * Give back to the backing allocator what growth added beyond the
 * pool's count and is free now (depot magazines first, then this CPU's),
 * and the depot's empty magazines.  The reserve stays full and the pool
 * keeps at least its count.  Returns the objects given back.
 */
size_t pool_shrink(struct pool *p);

/* ---- allocation and free ------------------------------------------------- */

/* Out of line: everything the inline paths below decline. */
void *pool_alloc_slow(struct pool *p, gfp_t flags);
int pool_free_slow(struct pool *p, void *obj);

/* The state-word tags of @obj in @p (POOL_CHECKS_EXACT). */
static __always_inline uintptr_t pool_tag_live(const struct pool *p, const void *obj)
{
	return p->key ^ (uintptr_t)obj;
}

static __always_inline uintptr_t pool_tag_free(const struct pool *p, const void *obj)
{
	return ~(p->key ^ (uintptr_t)obj);
}

/* The state word of @obj, whose object ends @state_off bytes on (aligned). */
static __always_inline uintptr_t pool_state_read(const void *obj, size_t state_off)
{
	uintptr_t v;

	__builtin_memcpy(&v, __builtin_assume_aligned((const char *)obj + state_off,
						      sizeof(uintptr_t)), sizeof(v));
	return v;
}

static __always_inline void pool_state_write(void *obj, size_t state_off, uintptr_t v)
{
	__builtin_memcpy(__builtin_assume_aligned((char *)obj + state_off, sizeof(uintptr_t)),
			 &v, sizeof(v));
}

/*
 * The descriptor of the frame @addr lies in, or NULL; as virt_to_frame()
 * but returning through @pg, so that the caller tests the range once (a
 * NULL test of the result would cost the fast path an instruction).
 */
static __always_inline bool pool_frame(const void *addr, const struct page **pg)
{
	size_t frame = ((uintptr_t)addr - mem_map.base) >> PAGE_SHIFT;

	/* Below the base wraps to a huge frame number: one comparison for both ends. */
	if (unlikely(frame >= mem_map.pages))
		return false;
	*pg = &mem_map.map[frame];
	return true;
}

/*
 * Is @obj, as far as the fast path checks, a live object of @p?  (A
 * false answer only sends the free to the slow path, which decides.)
 */
static __always_inline bool pool_owns_fast(const struct pool *p, const void *obj,
					   size_t state_off)
{
	const struct page *pg;

	if (POOL_CHECKS_EXACT) {
		/*
		 * The state word must be aligned (objects are, and state_off is
		 * a multiple of a word) and in managed RAM before it is read.
		 */
		if (unlikely((uintptr_t)obj & (sizeof(uintptr_t) - 1)) ||
		    !pool_frame((const char *)obj + state_off, &pg))
			return false;
#ifdef CONFIG_SLAB
		if (unlikely(!(pg->flags & PG_SLAB) || slab_page_cache(pg) != p->cache))
			return false;
#else
		if (unlikely(pg->pa_state == PA_RESERVED))
			return false;
#endif
		return pool_state_read(obj, state_off) == pool_tag_live(p, obj);
	}
#ifdef CONFIG_SLAB
	return pool_frame(obj, &pg) && (pg->flags & PG_SLAB) && slab_page_cache(pg) == p->cache;
#else
	return false;
#endif
}

/*
 * The common case of an allocation: pop this CPU's loaded magazine.
 * NULL, with nothing done, when it is empty (or, at the exact level, when
 * the object's state word is not "free": the slow path reports it).
 */
static __always_inline void *pool_alloc_fast(struct pool *p, size_t state_off)
{
	/* A cross-CPU pull (pool.c) must not land between the load and the store. */
	unsigned long flags = irq_save();
	struct pool_cpu *pc = this_cpu_ptr(p->cpu);
	struct pool_mag *m = pc->loaded;
	unsigned long n = m->rounds;
	void *obj = m->round[n];

	if (unlikely(!obj))
		goto out;
	if (POOL_CHECKS_EXACT) {
		if (unlikely(pool_state_read(obj, state_off) != pool_tag_free(p, obj))) {
			obj = NULL;
			goto out;
		}
		pool_state_write(obj, state_off, pool_tag_live(p, obj));
	}
	m->rounds = n - 1;
	pc->hits++;
	if (unlikely(n - 1 < pc->low))
		pc->low = n - 1;
out:
	irq_restore(flags);
	return obj;
}

/*
 * The common case of a free: push onto this CPU's loaded magazine.  false,
 * with nothing done, when it is full, when the reserve needs refilling,
 * or when the checks of the level do not pass.
 */
static __always_inline bool pool_free_fast(struct pool *p, void *obj, size_t state_off)
{
	unsigned long flags;
	struct pool_cpu *pc;
	struct pool_mag *m;
	unsigned long n;
	bool done = false;

	if (unlikely(!pool_owns_fast(p, obj, state_off)))
		return false;
	flags = irq_save();
	pc = this_cpu_ptr(p->cpu);
	m = pc->loaded;
	n = m->rounds;
	if (unlikely(n >= __atomic_load_n(&p->fill, __ATOMIC_RELAXED)))
		goto out;
	if (POOL_CHECKS_NAIVE && unlikely(m->round[n] == obj))
		goto out;
	if (POOL_CHECKS_EXACT)
		pool_state_write(obj, state_off, pool_tag_free(p, obj));
	m->round[n + 1] = obj;
	m->rounds = n + 1;
	done = true;
out:
	irq_restore(flags);
	return done;
}

/*
 * An object of @p, or NULL when no layer can serve one: counted, and
 * reported (show_mem.h) unless __GFP_NOWARN.  @flags as kmem_cache_alloc()
 * takes them: __GFP_ZERO zeroes the object's size bytes (its constructed
 * state too); __GFP_ATOMIC and __GFP_HIGH reach the backing allocator when
 * the pool grows; zone modifiers and unknown bits are refused (a pool's
 * objects come from one place).  @state_off: p->state_off, a constant
 * for typed pools.
 */
static __always_inline void *pool_alloc_at(struct pool *p, gfp_t flags, size_t state_off)
{
	/*
	 * Flags that change nothing for an object at hand take the fast path;
	 * not with owners tracked (the slow path records them), nor while
	 * the pool fault class is armed (the slow path decides).
	 */
	if (likely(!(flags & ~__GFP_FAST_OK)) && !DEBUG_OWNER && !fault_armed_for(FAULT_POOL)) {
		void *obj = pool_alloc_fast(p, state_off);

		if (likely(obj))
			return obj;
	}
	return pool_alloc_slow(p, flags);
}

static __always_inline void *pool_alloc(struct pool *p, gfp_t flags)
{
	return pool_alloc_at(p, flags, p->state_off);
}

/*
 * Give @obj back to @p; NULL does nothing.  pool_free_checked() says what
 * was wrong: 0; KERR_BAD_PTR (not an object of @p: foreign, another
 * pool's, not at an object's start, or any object of a pool that is not
 * usable - as far as the level checks); KERR_DOUBLE_FREE (already free, as
 * far as the level checks).  Misuse is reported and refused.
 */
static __always_inline void pool_free_at(struct pool *p, void *obj, size_t state_off)
{
	/* With owners tracked the slow path records every free. */
	if (!DEBUG_OWNER && likely(pool_free_fast(p, obj, state_off)))
		return;
	(void)pool_free_slow(p, obj);
}

static __always_inline void pool_free(struct pool *p, void *obj)
{
	pool_free_at(p, obj, p->state_off);
}

int pool_free_checked(struct pool *p, void *obj);

/* ---- statistics ----------------------------------------------------------- */

struct pool_stats {
	const char *name;
	size_t object_size, align;
	size_t stride;                      /* bytes per object in the backing allocator */
	size_t count, min_nr, grow, max;    /* as created */
	size_t mag_size;                    /* POOL_MAG_SIZE */
	bool ready;                         /* created and usable */
	const char *backing;                /* "slab" or "kmalloc" */
	/* Objects: held = in_use + free_cpu + free_depot + reserve. */
	size_t owned, owned_peak;
	size_t in_use;                      /* handed out now */
	size_t high_water;                  /* most handed out at once (see below) */
	size_t free_cpu;                    /* in the CPUs' magazines */
	size_t free_depot;                  /* in the depot's full magazines */
	size_t reserve;                     /* in the reserve */
	size_t mags_full, mags_empty;       /* in the depot */
	size_t loaded_rounds, previous_rounds;   /* the calling CPU's magazines */
	/* Since creation. */
	uint64_t allocs, frees;
	uint64_t hits;                      /* served by a CPU's magazines */
	uint64_t misses;                    /* the rest, served or not */
	uint64_t swaps;                     /* loaded/previous exchanges */
	uint64_t depot_gets, depot_puts;    /* full magazines taken from / given to the depot */
	uint64_t mags_made;                 /* magazines allocated */
	uint64_t grows;                     /* growth steps (the backing allocator asked) */
	uint64_t reserve_uses;              /* allocations the reserve served */
	uint64_t failures;                  /* allocations that returned NULL */
	uint64_t misuse;                    /* frees refused */
	uint64_t released;                  /* objects given back by shrink */
};

/*
 * A consistent snapshot with one CPU.  in_use and free_cpu are exact
 * while no other CPU uses @p (read them after the others are done);
 * with SMP high_water is an upper bound, since the slow paths do not read
 * other CPUs' magazines.
 */
void pool_get_stats(struct pool *p, struct pool_stats *st);

/* Call @fn on every usable pool, under the pool list lock. */
void pool_for_each(void (*fn)(struct pool *p, void *arg), void *arg);

/* The name @p was created with. */
const char *pool_name(const struct pool *p);

/*
 * Debug self-check, O(objects): counts agree, every free object is where
 * one place says (state words, at the exact level).  Prints the first
 * inconsistency and returns false.
 */
bool pool_check(struct pool *p);

/* ---- typed pools ---------------------------------------------------------------- */

/*
 * The kit renders the Kconfig "Object pools" menu into gen/pool_types.h as
 * one list, POOL_TYPES(X): a row X(name, type, size, align, count, reserve)
 * per pool.  That header expands it with the two macros below (the object
 * types and the typed API); core/mm/pool_types.c expands it again into the
 * pools' storage and the registration table boot walks.
 */

/*
 * The stand-in object type of a typed pool: a payload of @size bytes.  The
 * kernel has no real process, file, thread or socket structures yet; a
 * real structure replaces it without touching DEFINE_POOL_TYPE().
 */
#define POOL_OBJECT(name, type, size, align, count, reserve)                      \
	struct name##_obj {                                                       \
		unsigned char payload[size];                                      \
	};

/* Where a pool of @size-byte objects keeps its state word: the end, word-aligned. */
#define POOL_STATE_OFF(size) (((size) + sizeof(uintptr_t) - 1) & ~(sizeof(uintptr_t) - 1))

/*
 * The typed API of pool @name over objects of @type (@size bytes, @align
 * aligned; @count preallocated, @reserve guaranteed):
 *
 *     type *name_pool_alloc(gfp_t flags);
 *     void name_pool_free(type *obj);
 *     struct pool name_pool;             (created at boot: pool_types.c)
 *
 * The type must fit the configured size and alignment: checked when it
 * compiles, as are the parameters.
 */
#define DEFINE_POOL_TYPE(name, type, size, align, count, reserve)                 \
	_Static_assert(sizeof(type) <= (size),                                    \
		       #type " is larger than pool " #name "'s objects");          \
	_Static_assert(_Alignof(type) <= (align),                                  \
		       #type " needs more alignment than pool " #name " gives");   \
	_Static_assert((align) > 0 && ((align) & ((align) - 1)) == 0 &&            \
		       (align) <= PAGE_SIZE,                                       \
		       "pool " #name ": alignment is not a power of two up to a page"); \
	_Static_assert((size) > 0 && (size) <= POOL_MAX_SIZE,                      \
		       "pool " #name ": object size out of range");                \
	_Static_assert((reserve) <= (count),                                       \
		       "pool " #name ": reserve larger than its count");           \
	extern struct pool name##_pool;                                            \
	static __always_inline type *name##_pool_alloc(gfp_t flags)                \
	{                                                                          \
		return pool_alloc_at(&name##_pool, flags, POOL_STATE_OFF(size));   \
	}                                                                          \
	static __always_inline void name##_pool_free(type *obj)                   \
	{                                                                          \
		pool_free_at(&name##_pool, obj, POOL_STATE_OFF(size));             \
	}

/* A typed pool of the registration table (gen/pool_types.h, pool_types.c). */
struct pool_type {
	struct pool *pool;
	struct pool_params params;
};

extern const struct pool_type pool_types[];
extern const size_t pool_nr_types;

/*
 * Create and fill every typed pool, in table order; called once by
 * mm_init().  A pool that cannot be made is reported on the console and
 * left unusable (its allocations fail); the others go on.  Returns how
 * many were made.
 */
size_t pool_types_init(void);

/* One console line per typed pool: its figures (the run image). */
void pool_types_print(void);

#endif /* MMKIT_POOL_H */
