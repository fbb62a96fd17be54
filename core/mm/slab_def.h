/*
 * slab_def.h - the layout of slab caches, and the common case of an
 * allocation and a free, inline (as Linux's slub_def.h exposes struct
 * kmem_cache).
 *
 * Only core/mm/slab.c and the kmalloc fast path (twotier_fast.h) include
 * this; everyone else uses slab.h.  The fast paths here do the whole job
 * or nothing: they return "not done" whenever the slab needs a list move,
 * a refill, a poison check or a report, and the out-of-line calls of
 * slab.h take over from an untouched state.  So the checks that make a
 * free exact (the object's page, its slab, its index, its in-use bit) run
 * on every call, inline or not.
 */
#ifndef MMKIT_SLAB_DEF_H
#define MMKIT_SLAB_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bitops.h"
#include "compiler.h"
#include "kerrno.h"
#include "page_alloc.h"
#include "percpu.h"
#include "reciprocal.h"
#include "slab.h"
#include "spinlock.h"

/* Empty slabs a cache keeps, its CPU slabs included (Kconfig SLAB_KEEP_EMPTY). */
#define SLAB_KEEP_EMPTY CONFIG_SLAB_KEEP_EMPTY

enum slab_where {
	SLAB_DETACHED,   /* on no list: being made or being released */
	SLAB_ON_CPU,
	SLAB_ON_PARTIAL,
	SLAB_ON_FULL,
	SLAB_ON_EMPTY,
};

struct slab {
	struct kmem_cache *cache;
	struct slab *prev, *next;    /* on the list named by `where` */
	void *freelist;              /* first free object, NULL if none */
	char *pages;                 /* first byte of the slab's pages */
	char *s_mem;                 /* first object */
	unsigned int inuse;          /* objects handed out */
	unsigned int where;          /* enum slab_where */
	unsigned int cpu;            /* owner while SLAB_ON_CPU */
	unsigned long inuse_map[];   /* bit i set: object i is handed out */
};

struct slab_list {
	struct slab *first;
	size_t nr;
};

struct kmem_cache {
	/* What the fast paths read first. */
	spinlock_t lock;
	unsigned int flags;          /* SLAB_* of slab.h */
	size_t object_size;          /* as asked */
	size_t size;                 /* stride */
	struct reciprocal size_recip;   /* divides by the stride */
	size_t objects_span;         /* objects * size: bytes from s_mem to the last object's end */
	size_t fp_offset;            /* where a free object keeps the next pointer */
	struct slab *cpu_slab[NR_CPUS];
	struct slab_list partial, full, empty;
	/* Objects handed out are allocs - frees: no separate count to keep. */
	struct alloc_counters counters;

	char name[KMEM_CACHE_NAME_LEN];
	size_t align;
	size_t desc_size;            /* struct slab plus its bitmap */
	size_t obj_offset;           /* first object in the slab, before colour */
	unsigned int order;
	unsigned int objects;        /* per slab */
	bool off_slab;
	bool bootstrap;              /* static; never destroyed */
	size_t colour_off;           /* colouring step, bytes */
	unsigned int colour_count;   /* distinct colours (1: no colouring) */
	unsigned int colour_next;
	void (*ctor)(void *);
	size_t nr_slabs;             /* all slabs, CPU slabs included */
	struct kmem_cache *list_prev, *list_next;   /* all caches */
};

/* ---- small helpers ---------------------------------------------------- */

/* Are @c's free objects poisoned (SLAB_POISON)?  The free pointer is at offset 0 then. */
static inline bool cache_poisons(const struct kmem_cache *c)
{
	return (c->flags & SLAB_POISON) != 0;
}

/*
 * The free pointer may sit at any multiple of a pointer's size inside an
 * object: copied, not dereferenced.  The builtin, because -ffreestanding
 * would otherwise make every copy of one word a call.
 */
static inline void *get_freepointer(const struct kmem_cache *c, const void *obj)
{
	void *p;

	__builtin_memcpy(&p, (const char *)obj + c->fp_offset, sizeof(p));
	return p;
}

static inline void set_freepointer(const struct kmem_cache *c, void *obj, void *next)
{
	__builtin_memcpy((char *)obj + c->fp_offset, &next, sizeof(next));
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
 * Pop the first object of @s's freelist if the list looks sound there: the
 * object is a free object of @s, and the free pointer it holds is NULL or
 * lies among @s's objects.  NULL otherwise, the slab untouched: it is
 * full, or a write into a freed object damaged the list.  The next pointer
 * is only range-checked here (it is checked in full when it is popped in
 * turn), which is enough to notice most damage at the allocation right
 * after the write, before anything follows the pointer.  c->lock held.
 */
static inline void *take_sound_object(struct kmem_cache *c, struct slab *s)
{
	void *obj = s->freelist, *next;
	long i;

	if (!obj)
		return NULL;
	/*
	 * The next pointer first: the slab's bounds are then no longer
	 * needed by the time the index is, which keeps the inlined path
	 * within the scratch registers.
	 */
	if ((uintptr_t)obj - (uintptr_t)s->s_mem >= c->objects_span)
		return NULL;
	next = get_freepointer(c, obj);
	if (next && (uintptr_t)next - (uintptr_t)s->s_mem >= c->objects_span)
		return NULL;
	i = object_index(c, s, obj);
	if (i < 0 || test_bit(s->inuse_map, (size_t)i))
		return NULL;
	s->freelist = next;
	set_bit(s->inuse_map, (size_t)i);
	s->inuse++;
	return obj;
}

/*
 * kmem_cache_alloc(c, 0)'s common case: a sound object from this CPU's
 * slab of a cache that does not poison.  NULL, with nothing done, for
 * everything else; kmem_cache_alloc() then does it all.
 */
static __always_inline void *kmem_cache_alloc_fast(struct kmem_cache *c)
{
	struct slab *s;
	void *obj = NULL;

	if (unlikely(cache_poisons(c)))
		return NULL;
	spin_lock(&c->lock);
	s = c->cpu_slab[this_cpu()];
	if (likely(s))
		obj = take_sound_object(c, s);
	if (likely(obj))
		c->counters.allocs++;
	spin_unlock(&c->lock);
	return obj;
}

/* ---- free --------------------------------------------------------------- */

/* Is @obj an object of slab @s that is handed out?  *index: its place there. */
static __always_inline int check_object(const struct kmem_cache *c, const struct slab *s,
					const void *obj, size_t *index)
{
	long i = object_index(c, s, obj);

	if (i < 0)
		return KERR_BAD_PTR;
	if (!test_bit(s->inuse_map, (size_t)i))
		return KERR_DOUBLE_FREE;
	*index = (size_t)i;
	return KERR_OK;
}

/* Put checked object @obj, number @i of @s, back on its freelist; c->lock held. */
static __always_inline void slab_put_object(struct kmem_cache *c, struct slab *s,
					    void *obj, size_t i)
{
	clear_bit(s->inuse_map, i);
	set_freepointer(c, obj, s->freelist);
	s->freelist = obj;
	s->inuse--;
	c->counters.frees++;
}

/*
 * Does @s stay where it is when one more of its objects is freed?  On a
 * partial slab or the CPU slab with other objects in use, yes; on the CPU
 * slab's last object, while the cache keeps fewer empty slabs than
 * SLAB_KEEP_EMPTY (on one CPU there is no other CPU slab to count).  The
 * rest needs a list move: kmem_cache_kfree().  c->lock held.
 */
static __always_inline bool slab_free_stays(const struct kmem_cache *c, const struct slab *s)
{
	if (s->inuse > 1)
		return s->where == SLAB_ON_CPU || s->where == SLAB_ON_PARTIAL;
	return NR_CPUS == 1 && s->where == SLAB_ON_CPU && c->empty.nr + 1 <= (size_t)SLAB_KEEP_EMPTY;
}

/*
 * kmem_cache_kfree()'s common case: @objp is a handed-out object of a
 * SLAB_KMALLOC cache that does not poison, and its slab stays where it is
 * (slab_free_stays()).  Returns the cache's object size; 0, with nothing
 * done, for everything else, misuse included: kmem_cache_kfree() then
 * does it all and reports.
 */
static __always_inline size_t kmem_cache_kfree_fast(const void *objp)
{
	/* The object is the caller's, writable: const only in the API. */
	void *obj = (void *)(uintptr_t)objp;
	struct slab *s = virt_to_slab(obj);
	struct kmem_cache *c;
	size_t i = 0;
	bool done = false;

	if (unlikely(!s))
		return 0;
	c = s->cache;
	/* One test for both: a kmalloc cache, and no poison to write. */
	if (unlikely((c->flags & (SLAB_KMALLOC | SLAB_POISON)) != SLAB_KMALLOC))
		return 0;
	spin_lock(&c->lock);
	if (likely(check_object(c, s, obj, &i) == KERR_OK && slab_free_stays(c, s))) {
		slab_put_object(c, s, obj, i);
		done = true;
	}
	spin_unlock(&c->lock);
	return done ? c->object_size : 0;
}

#endif /* MMKIT_SLAB_DEF_H */
