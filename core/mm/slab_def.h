/*
 * slab_def.h - the layout of slab caches, and the common case of an
 * allocation and a free, inline (as Linux's slub_def.h exposes struct
 * kmem_cache).
 *
 * Only core/mm/slab.c and the kmalloc fast path (twotier_fast.h) include
 * this; everyone else uses slab.h.
 *
 * Per-CPU first, as SLUB: each CPU owns one slab of each cache at a time
 * (its CPU slab, "frozen") and keeps that slab's free objects on a
 * freelist of its own (in the slab, struct slab's cpu_freelist, which
 * only the owner touches).  An allocation pops that list, a free of an
 * object of that slab pushes it: neither touches the slab's shared state
 * (its own freelist, count and list), the cache's lock or anything
 * another CPU writes.  Everything else
 * - a free into another slab, an empty CPU freelist, a misuse - goes out
 * of line (slab.c), from an untouched state: the fast paths do the whole
 * job or nothing.
 *
 * How much a call checks is Kconfig's choice (SLAB_CHECKS_*, slab.h says
 * what each level catches); the fast paths below read the same at every
 * level, the checks compiling in or out:
 *
 *   FULL      a per-slab in-use bitmap: every free is checked against it
 *             (object boundary, in use) and every pop validates the object
 *             and the next pointer - exact.
 *   HARDENED  free pointers stored encoded (the cache's random key XOR the
 *             pointer XOR the mixed slot address), a free of the object at
 *             the head of the freelist refused (the naive double-free
 *             check), kfree() only of kmalloc caches' objects, and a
 *             decoded next pointer that leaves its slab never followed.
 *   OFF       the pointer -> slab lookup only: a free pointer is followed
 *             as it is.
 *
 * slab.h lists the misuse classes and which level catches which
 * (slab_checks_catch()).
 */
#ifndef MMKIT_SLAB_DEF_H
#define MMKIT_SLAB_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitops.h"
#include "compiler.h"
#include "kerrno.h"
#include "mm_txn.h"
#include "page_alloc.h"
#include "percpu.h"
#include "poison.h"
#include "irq.h"
#include "reciprocal.h"
#include "slab.h"
#include "spinlock.h"

/* Empty slabs a cache keeps on its empty list (Kconfig SLAB_KEEP_EMPTY). */
#define SLAB_KEEP_EMPTY CONFIG_SLAB_KEEP_EMPTY

#if defined(CONFIG_SLAB_CHECKS_FULL)
#define SLAB_CHECKS_EXACT 1
#define SLAB_CHECKS_HARDEN 0
#elif defined(CONFIG_SLAB_CHECKS_HARDENED)
#define SLAB_CHECKS_EXACT 0
#define SLAB_CHECKS_HARDEN 1
#else
#define SLAB_CHECKS_EXACT 0
#define SLAB_CHECKS_HARDEN 0
#endif

enum slab_where {
	SLAB_DETACHED,   /* on no list: being made or being released */
	SLAB_ON_CPU,     /* a CPU's slab: its free objects on that CPU's freelist */
	SLAB_ON_PARTIAL,
	SLAB_ON_FULL,
	SLAB_ON_EMPTY,
	SLAB_TRIMMED,    /* gave back pages (Kconfig SLAB_TRIM): takes no new object */
};

struct slab {
	struct kmem_cache *cache;
	union {
		struct slab *prev;   /* on the list named by `where`, with next */
		/*
		 * SLAB_ON_CPU (on no list): the owner CPU's freelist, which that
		 * CPU alone touches.  Here and not in struct kmem_cache_cpu, so
		 * that kfree() reaches it from the object in one load (page ->
		 * slab), not two (-> cache, whose CPU slot held it): the next
		 * allocation of the object waits for that store.
		 */
		void *cpu_freelist;
	};
	struct slab *next;
	union {
		/*
		 * Free objects no CPU holds.  A CPU slab's stays empty but for
		 * objects freed into it from the slow path (another CPU, a
		 * misuse check); its owner takes them when its own list runs
		 * dry.
		 */
		void *freelist;
		/*
		 * SLAB_TRIMMED: bit i set, object i in use.  Its free objects
		 * were dropped with the freelist (some lay in pages given back).
		 */
		unsigned long live;
	};
	char *pages;                 /* first byte of the slab's pages */
	char *s_mem;                 /* first object */
	/*
	 * Objects not on ->freelist.  On a CPU slab that includes the ones on
	 * the CPU's freelist (as SLUB's frozen slabs): the count is settled
	 * when the slab leaves the CPU.
	 */
	unsigned int inuse;
	unsigned int where;          /* enum slab_where */
	union {
		unsigned int cpu;    /* owner while SLAB_ON_CPU */
		unsigned int kept;   /* SLAB_TRIMMED: bit i set, page i still the slab's */
	};
	/*
	 * A freelist of this slab was cut at a damaged link (no bitmap to
	 * rebuild it from): the objects past the cut are lost, counted in
	 * use, so the slab stays until the cache is destroyed.
	 */
	unsigned int damaged;
#if NR_CPUS > 1
	/*
	 * Frees from other CPUs into this slab while it is a CPU slab: a
	 * lock-free stack (SLUB's remote free), pushed with a compare-and-
	 * swap by any CPU, taken whole by the owner when its own list runs
	 * dry or the slab leaves it.  SLAB_REMOTE_CLOSED while the slab is on
	 * no CPU: frees then take the cache lock.  Its objects count in
	 * inuse, as the CPU's freelist's do.
	 */
	void *remote;
#endif
	unsigned long inuse_map[];   /* SLAB_CHECKS_FULL: bit i set, object i handed out */
};

#define SLAB_REMOTE_CLOSED ((void *)1)

/* slab_page_cache() (slab.h) reads a slab's cache through the page's owner. */
_Static_assert(offsetof(struct slab, cache) == 0, "struct slab must begin with its cache");

/*
 * A list of slabs.  The partial list is kept roughly fullest first: a slab
 * arriving from the full list (one object free) goes to the head, a
 * partial slab that loses one more object moves to the tail, and CPUs
 * refill from the head.  So allocations pack the slabs that are nearly
 * full and the nearly empty ones drain and go back to the page allocator,
 * instead of every slab staying half used (what a footprint measure such
 * as Johnstone and Wilson's sees).
 */
struct slab_list {
	struct slab *first, *last;
	size_t nr;
};

/* Move @s, on @l, to its tail. */
static inline void slab_list_move_tail(struct slab_list *l, struct slab *s)
{
	if (l->last == s)
		return;
	/* Unlink (s is not the tail, so it has a next)... */
	if (s->prev)
		s->prev->next = s->next;
	else
		l->first = s->next;
	s->next->prev = s->prev;
	/* ...and append. */
	s->prev = l->last;
	s->next = NULL;
	l->last->next = s;
	l->last = s;
}

/* A cache's per-CPU part: written by its CPU alone. */
struct kmem_cache_cpu {
	/*
	 * The CPU's freelist: &slab->cpu_freelist, or slab.c's always-NULL
	 * word when it has no slab, so that the allocation fast path pops
	 * with no test for a slab first.
	 */
	void **freelist_at;
	/*
	 * Where ->slab's objects start and end (s_mem, s_mem + objects_span):
	 * a next pointer popped off the freelist must lie between.  A slab is
	 * a run of pages, not an aligned block, so no address mask can tell;
	 * two compares against words on this line cost no more than one.
	 */
	uintptr_t s_mem, s_end;
	struct slab *slab;           /* the CPU slab, or NULL */
	/* Per-CPU counters (percpu.h): objects this CPU handed out and took back... */
	uint64_t allocs, frees;
#if NR_CPUS > 1
	/* ...and of those frees, the ones onto another CPU's slab's remote list. */
	uint64_t remote_frees;
#endif
	/* allocs when the reaper last visited (slab.c): unchanged, the cache is idle here. */
	uint64_t reap_allocs;
} ____cacheline_aligned_in_smp;

struct kmem_cache {
	/*
	 * What the fast paths read.  The per-CPU slots come first, inside the
	 * descriptor: a CPU's slot is the cache's address plus a constant
	 * (one CPU: the cache's address itself): one load fewer from a
	 * size to its CPU slab.
	 */
	struct kmem_cache_cpu cpu_slab[NR_CPUS];
	unsigned int flags;          /* SLAB_* of slab.h */
	size_t object_size;          /* as asked */
	size_t fp_offset;            /* where a free object keeps the next pointer */
	uintptr_t random;            /* SLAB_CHECKS_HARDENED: the free-pointer key */
	size_t size;                 /* stride */
	struct reciprocal size_recip;   /* divides by the stride */
	size_t objects_span;         /* objects * size: bytes from s_mem to the last object's end */

	/* The slow paths', under the lock. */
	spinlock_t lock;
	struct slab_list partial, full, empty;
	struct slab_list trimmed;    /* SLAB_TRIMMED slabs: each keeps some live object */
	uint64_t failures, misuse;
	char name[KMEM_CACHE_NAME_LEN];
	size_t align;
	size_t desc_size;            /* struct slab plus its bitmap */
	size_t obj_offset;           /* first object in the slab, before colour */
	unsigned int order;          /* the smallest order holding a slab (figures, reports) */
	unsigned int pages;          /* per slab: any count up to 2^SLAB_MAX_ORDER */
	unsigned int objects;        /* per slab */
	bool off_slab;
	bool bootstrap;              /* static; never destroyed */
	bool trimmable;              /* the reaper may trim its slabs (Kconfig SLAB_TRIM) */
	uint64_t trim_allocs;        /* every CPU's allocs at the reaper's last visit */
	size_t keep_empty;           /* empty slabs kept: SLAB_KEEP_EMPTY, or 0 (slab.c) */
	size_t colour_off;           /* colouring step, bytes */
	unsigned int colour_count;   /* distinct colours (1: no colouring) */
	unsigned int colour_next;
	void (*ctor)(void *);
	size_t nr_slabs;             /* all slabs, CPU slabs included */
#if defined(CONFIG_DEBUG_REDZONE) || defined(CONFIG_DEBUG_OWNER)
	/* Debugging caches (SLAB_RED_ZONE, SLAB_STORE_USER): offsets in each object's slot. */
	size_t red_start, red_end;   /* the red zone */
	size_t track_offset;         /* struct mm_track */
#endif
	struct kmem_cache *list_prev, *list_next;   /* all caches */
};

/* @c's per-CPU slots as with no CPU slab (slab.c; every other field zero). */
void kmem_cache_cpu_init(struct kmem_cache *c);

/* ---- free pointers -------------------------------------------------------- */

/*
 * The address bits a free pointer's key is mixed with: byte-swapped, as
 * SLUB does, so that the low, guessable bits of the slot's address land
 * in the pointer's high bits.  Where the CPU has no byte-swap instruction
 * (rv64 without Zbb, where the builtin is a libgcc call of ~20
 * instructions) a rotation by half a word does the same job in three.
 */
static inline uintptr_t freeptr_mix(uintptr_t slot)
{
#if defined(__riscv) && !defined(__riscv_zbb)
	return (slot >> 32) | (slot << 32);
#else
	return (uintptr_t)__builtin_bswap64((uint64_t)slot);
#endif
}

/*
 * The free pointer of @obj, stored at its (pointer-aligned) fp_offset:
 * plain, or encoded at SLAB_CHECKS_HARDENED.  Copied with the builtin and
 * an alignment promise, so it is one aligned load or store and never a
 * call under -ffreestanding, without pretending the object's bytes are a
 * pointer object.
 */
static __always_inline void *freepointer_at(const struct kmem_cache *c, const void *obj,
					     size_t fp_offset)
{
	const char *slot = __builtin_assume_aligned((const char *)obj + fp_offset, sizeof(void *));
	uintptr_t v;

	__builtin_memcpy(&v, slot, sizeof(v));
	if (SLAB_CHECKS_HARDEN)
		v ^= c->random ^ freeptr_mix((uintptr_t)slot);
	return (void *)v;
}

static __always_inline void set_freepointer_at(const struct kmem_cache *c, void *obj,
					       size_t fp_offset, void *next)
{
	char *slot = __builtin_assume_aligned((char *)obj + fp_offset, sizeof(void *));
	uintptr_t v = (uintptr_t)next;

	if (SLAB_CHECKS_HARDEN)
		v ^= c->random ^ freeptr_mix((uintptr_t)slot);
	__builtin_memcpy(slot, &v, sizeof(v));
}

static inline void *get_freepointer(const struct kmem_cache *c, const void *obj)
{
	return freepointer_at(c, obj, c->fp_offset);
}

static inline void set_freepointer(const struct kmem_cache *c, void *obj, void *next)
{
	set_freepointer_at(c, obj, c->fp_offset, next);
}

/*
 * kmalloc caches have no constructor, so their free pointer is always in
 * an object's first word (slab.c makes sure): their fast paths use this
 * constant rather than load c->fp_offset.
 */
#define KMALLOC_FP_OFFSET 0

/* Does @p lie among the objects of @cpu's slab? */
static inline bool in_cpu_slab(const struct kmem_cache_cpu *cpu, const void *p)
{
	return (uintptr_t)p >= cpu->s_mem && (uintptr_t)p < cpu->s_end;
}

/* ---- small helpers ---------------------------------------------------- */

/*
 * The exact level's in-use bitmap: the owner sets bits in its fast path
 * without the lock while another CPU's free clears one under it, so with
 * more than one CPU a bit changes by an atomic or/and of its word (a lost
 * update would be a false double-free report).  One CPU: plain bit ops.
 */
static inline bool inuse_test(const unsigned long *map, size_t i)
{
#if NR_CPUS > 1
	return (__atomic_load_n(&map[i / BITS_PER_LONG], __ATOMIC_RELAXED) >>
		(i % BITS_PER_LONG)) & 1ul;
#else
	return test_bit(map, i);
#endif
}

static inline void inuse_set(unsigned long *map, size_t i)
{
#if NR_CPUS > 1
	__atomic_fetch_or(&map[i / BITS_PER_LONG], 1ul << (i % BITS_PER_LONG), __ATOMIC_RELAXED);
#else
	set_bit(map, i);
#endif
}

static inline void inuse_clear(unsigned long *map, size_t i)
{
#if NR_CPUS > 1
	__atomic_fetch_and(&map[i / BITS_PER_LONG], ~(1ul << (i % BITS_PER_LONG)),
			   __ATOMIC_RELAXED);
#else
	clear_bit(map, i);
#endif
}

/*
 * The slab @addr lies in, or NULL.  One range check and one load: frames
 * page_alloc does not manage never have PG_SLAB (so virt_to_page()'s
 * reserved check is not needed), and a page that has it has its slab as
 * owner.
 */
static inline struct slab *virt_to_slab(const void *addr)
{
	const struct page *pg = virt_to_frame(addr);

	return pg && (pg->flags & PG_SLAB) ? pg->owner : NULL;
}

/*
 * The slab of a kmalloc cache @addr lies in, for kfree()'s fast path: one
 * test of the page's PG_KMALLOC (set on the slab pages of SLAB_KMALLOC
 * caches only, so there is no second test of the cache's flags, nor of
 * the owner pointer, which such a page always has).
 */
static __always_inline bool virt_to_kmalloc_slab(const void *addr, struct slab **s)
{
	size_t frame = ((uintptr_t)addr - mem_map.base) >> PAGE_SHIFT;
	const struct page *pg;

	/* Below the base wraps to a huge frame number: one comparison for both ends. */
	if (unlikely(frame >= mem_map.pages))
		return false;
	pg = &mem_map.map[frame];
	if (unlikely(!(pg->flags & PG_KMALLOC)))
		return false;
	*s = pg->owner;
	return true;
}

/* Index of the object at @obj in @s, or -1 if @obj is not one. */
static inline long object_index(const struct kmem_cache *c, const struct slab *s,
				const void *obj)
{
	uintptr_t a = (uintptr_t)obj, start = (uintptr_t)s->s_mem;
	uint32_t off, i;

	/* Past this check the offset is inside the slab, in reciprocal.h's domain. */
	if (a - start >= c->objects_span)
		return -1;
	off = (uint32_t)(a - start);
	i = reciprocal_divide(off, c->size_recip);
	if ((size_t)i * c->size != off)
		return -1;
	return (long)i;
}

/* ---- allocation --------------------------------------------------------- */

/*
 * The common case of kmem_cache_alloc(c, 0): pop this CPU's freelist.
 * NULL, with nothing done, when it is empty, when the next pointer leaves
 * the slab without ending the list (damage by a write after free: the
 * slow path repairs and reports it) or, at SLAB_CHECKS_FULL, when the
 * object is not a free object of the CPU slab.  Debugging caches
 * (SLAB_DEBUG_FLAGS) never have a CPU freelist.
 */
static __always_inline void *slab_alloc_fast_locked(struct kmem_cache *c, size_t fp_offset)
{
	struct kmem_cache_cpu *cpu = this_cpu_ptr(c->cpu_slab);
	void **freelist = cpu->freelist_at;
	void *obj = *freelist, *next;

	if (unlikely(!obj))
		return NULL;
	next = freepointer_at(c, obj, fp_offset);
	/* The end of the list is tested only off the common path. */
	if ((SLAB_CHECKS_EXACT || SLAB_CHECKS_HARDEN) && unlikely(!in_cpu_slab(cpu, next)) && next)
		return NULL;
	if (SLAB_CHECKS_EXACT) {
		struct slab *s = cpu->slab;
		long i = object_index(c, s, obj);

		if (unlikely(i < 0 || inuse_test(s->inuse_map, (size_t)i)))
			return NULL;
		inuse_set(s->inuse_map, (size_t)i);
	}
	*freelist = next;
	percpu_counter_add(cpu->allocs, 1);
	return obj;
}

/*
 * With SMP the CPU's part is touched with interrupts off: an allocation
 * from a tick hook (GFP_ATOMIC) or a cross-CPU flush in an IPI handler
 * must not land between the load of the freelist and its store.  Without
 * SMP there are no interrupts, and this is the pop alone.
 */
static __always_inline void *slab_alloc_fast_at(struct kmem_cache *c, size_t fp_offset)
{
	unsigned long flags = irq_save();
	void *obj = slab_alloc_fast_locked(c, fp_offset);

	irq_restore(flags);
	return obj;
}

static __always_inline void *slab_alloc_fast(struct kmem_cache *c)
{
	return slab_alloc_fast_at(c, c->fp_offset);
}

/* ---- free --------------------------------------------------------------- */

#if NR_CPUS > 1
/*
 * A free into @s, another CPU's slab: pushed onto its remote list, no
 * lock taken.  false, with nothing done, when the slab is on no CPU (the
 * list is closed) or @obj heads the list already (HARDENED's naive double
 * free: the slow path reports it).  The exact level keeps its bitmap
 * under the lock and never comes here.
 */
static __always_inline bool slab_free_remote(struct kmem_cache *c, struct slab *s, void *obj,
					     size_t fp_offset)
{
	struct kmem_cache_cpu *cpu = this_cpu_ptr(c->cpu_slab);
	void *head = __atomic_load_n(&s->remote, __ATOMIC_RELAXED);

	do {
		if (head == SLAB_REMOTE_CLOSED || (SLAB_CHECKS_HARDEN && obj == head))
			return false;
		set_freepointer_at(c, obj, fp_offset, head);
		/* Release: the free pointer is written before the owner can take it. */
	} while (!__atomic_compare_exchange_n(&s->remote, &head, obj, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	percpu_counter_add(cpu->frees, 1);
	percpu_counter_add(cpu->remote_frees, 1);
	return true;
}
#endif

/*
 * A free into @s, which is not this CPU's slab: another CPU's slab takes
 * it on its remote list (slab_free_remote()); else onto the slab's own
 * freelist under the cache lock, when the slab stays where it is (a
 * partial slab keeping objects in use, or another CPU's slab, whose count
 * is settled when it leaves that CPU).  A slab that would change lists
 * goes out of line, and so does every free inside a transaction (the slow
 * path forgets its record; mm_txn.h) - the one place the fast path asks,
 * since inside one the CPU has no slab and the CPU-slab path cannot hit -
 * and every free of a debugging cache's object (it has no CPU slab
 * either, so only this path could take it).
 * Checks as slab_free_fast_at().
 */
static __always_inline bool slab_free_other(struct kmem_cache *c, struct slab *s, void *obj,
					    size_t fp_offset)
{
	bool done = false;

	/* A debugging cache checks and fills every free object: slab.c's work. */
	if (unlikely(mm_txn_open_anywhere() || (c->flags & SLAB_DEBUG_FLAGS)))
		return false;
#if NR_CPUS > 1
	if (!SLAB_CHECKS_EXACT && slab_free_remote(c, s, obj, fp_offset))
		return true;
#endif
	spin_lock_irqsafe(&c->lock);
	if (likely((s->where == SLAB_ON_PARTIAL && s->inuse > 1) || s->where == SLAB_ON_CPU) &&
	    !(SLAB_CHECKS_HARDEN && obj == s->freelist)) {
		long i = SLAB_CHECKS_EXACT ? object_index(c, s, obj) : 0;

		if (!SLAB_CHECKS_EXACT || (i >= 0 && inuse_test(s->inuse_map, (size_t)i))) {
			if (SLAB_CHECKS_EXACT)
				inuse_clear(s->inuse_map, (size_t)i);
			set_freepointer_at(c, obj, fp_offset, s->freelist);
			s->freelist = obj;
			s->inuse--;
			if (s->where == SLAB_ON_PARTIAL)
				slab_list_move_tail(&c->partial, s);
			percpu_counter_add(this_cpu_ptr(c->cpu_slab)->frees, 1);
			done = true;
		}
	}
	spin_unlock_irqsafe(&c->lock);
	return done;
}

/*
 * The common case of a free of @obj, an object of @s of cache @c: into
 * this CPU's freelist when @s is this CPU's slab, else into a slab that
 * stays where it is (slab_free_other()).  false, with nothing done, for
 * everything else: a slab changing lists, the naive double free
 * (HARDENED), an object that is not in use or not at an object boundary
 * (FULL).
 */
static __always_inline bool slab_free_fast_locked(struct kmem_cache *c, struct slab *s,
						   void *obj, size_t fp_offset)
{
	struct kmem_cache_cpu *cpu = this_cpu_ptr(c->cpu_slab);
	void *head;

	if (unlikely(s != cpu->slab))
		return slab_free_other(c, s, obj, fp_offset);
	head = s->cpu_freelist;
	/* Another CPU's transaction may have recorded @obj: the slow path asks it. */
	if (NR_CPUS > 1 && unlikely(mm_txn_open_anywhere()))
		return false;
	if (SLAB_CHECKS_HARDEN && unlikely(obj == head))
		return false;
	if (SLAB_CHECKS_EXACT) {
		long i = object_index(c, s, obj);

		if (unlikely(i < 0 || !inuse_test(s->inuse_map, (size_t)i)))
			return false;
		inuse_clear(s->inuse_map, (size_t)i);
	}
	set_freepointer_at(c, obj, fp_offset, head);
	s->cpu_freelist = obj;
	percpu_counter_add(cpu->frees, 1);
	return true;
}

/* Interrupts off on SMP, as slab_alloc_fast_at(). */
static __always_inline bool slab_free_fast_at(struct kmem_cache *c, struct slab *s, void *obj,
					       size_t fp_offset)
{
	unsigned long flags = irq_save();
	bool done = slab_free_fast_locked(c, s, obj, fp_offset);

	irq_restore(flags);
	return done;
}

static __always_inline bool slab_free_fast(struct kmem_cache *c, struct slab *s, void *obj)
{
	return slab_free_fast_at(c, s, obj, c->fp_offset);
}

/*
 * kmem_cache_kfree()'s common case: @objp is an object of a SLAB_KMALLOC
 * cache (at the OFF level: of any cache without a constructor) in this
 * CPU's slab.  true and *@c its cache; false, with nothing done, for
 * everything else, misuse included: kmem_cache_kfree() then does it all
 * and reports.
 */
static __always_inline bool kmem_cache_kfree_fast(const void *objp, struct kmem_cache **cp)
{
	/* The object is the caller's, writable: const only in the API. */
	void *obj = (void *)(uintptr_t)objp;
	struct kmem_cache *c;
	struct slab *s;

	if (!virt_to_kmalloc_slab(obj, &s))
		return false;
	c = s->cache;
	*cp = c;
	return slab_free_fast_at(c, s, obj, KMALLOC_FP_OFFSET);
}

#endif /* MMKIT_SLAB_DEF_H */
