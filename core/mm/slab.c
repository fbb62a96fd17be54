/*
 * slab.c - slab caches (see slab.h).  struct kmem_cache, struct slab and
 * the common case of an allocation and a free are in slab_def.h, where
 * kmalloc's inline fast path reaches them too.
 *
 * A slab is 2^order pages holding `objects` objects `size` bytes apart,
 * starting at s_mem, plus a descriptor (struct slab) with the slab's
 * freelist, its count of objects in use and an in-use bitmap.  Small
 * objects keep the descriptor at the start of the slab ("on slab"); from
 * PAGE_SIZE / 8 on, where it would cost a whole object, it comes from the
 * bootstrap cache kmem_slab ("off slab"), as Linux's SLAB did.
 *
 * Where a slab is:
 *
 *     on CPU    the current slab of one CPU: allocations try it first
 *     partial   some objects free
 *     full      no object free
 *     empty     no object in use (at most SLAB_KEEP_EMPTY, CPU slabs counted)
 *
 * A CPU slab that runs out of objects moves to the full list; the next
 * allocation on that CPU takes a partial slab, else an empty one, else a
 * new one.  A free moves a full slab to partial, and a slab that becomes
 * empty to the empty list or, past the limit, back to the page allocator.
 *
 * Locking: each cache has one lock over its lists, CPU slabs and counters.
 * Pages are allocated and freed, constructors run and misuse is reported
 * with no cache lock held, so no two locks ever nest here.
 *
 * The in-use bitmap, not the freelist, is the truth about which objects
 * are free: frees are checked against it in O(1), and a freelist that a
 * write into a freed object damaged is noticed when it is popped and
 * rebuilt from the bitmap (and reported) rather than followed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_misuse.h"
#include "mm_stats.h"
#include "page_alloc.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "reciprocal.h"
#include "slab.h"
#include "slab_def.h"
#include "spinlock.h"

#define SLAB_LAYER "slab"


/* A variable, not the macro: compared with counts, 0 is a legal limit. */
static const size_t slab_keep_empty = SLAB_KEEP_EMPTY;

#ifdef CONFIG_DEBUG_POISON
#define POISON_CACHES 1
#else
#define POISON_CACHES 0
#endif
#define POISON_INUSE 0x5a   /* handed out, not yet written by its user */
#define POISON_FREE 0x6b    /* free: any other byte is a write after free */

/* Aim for at least this many objects per slab (fewer only for big objects). */
#define SLAB_MIN_OBJECTS 8u
/* Strides from here on keep the slab descriptor off the slab. */
#define OFF_SLAB_MIN_SIZE (PAGE_SIZE / 8)
#define OFF_SLAB_MAX_OBJECTS (KMEM_CACHE_MAX_SIZE / OFF_SLAB_MIN_SIZE)
/* Colouring step at least one cache line. */
#define COLOUR_UNIT 64u

/* Object offsets within a slab are divided by the stride with reciprocal.h. */
_Static_assert((PAGE_SIZE << SLAB_MAX_ORDER) < RECIPROCAL_LIMIT,
	       "a slab must be smaller than reciprocal.h's domain");

#define OFF_SLAB_DESC_SIZE \
	(sizeof(struct slab) + BITMAP_WORDS(OFF_SLAB_MAX_OBJECTS) * sizeof(unsigned long))

/* Caches' own descriptors, and off-slab slab descriptors. */
static struct kmem_cache kmem_cache_boot, kmem_slab_boot;
static spinlock_t slab_caches_lock = SPINLOCK_INIT;
static struct kmem_cache *slab_caches;
static bool slab_up;

/* ---- small helpers ---------------------------------------------------- */

/* Objects handed out and not yet freed; c->lock held. */
static inline size_t cache_active_objects(const struct kmem_cache *c)
{
	return (size_t)(c->counters.allocs - c->counters.frees);
}

static inline size_t slab_pages(const struct kmem_cache *c)
{
	return (size_t)1 << c->order;
}

static inline size_t slab_desc_size(size_t objects)
{
	return sizeof(struct slab) + BITMAP_WORDS(objects) * sizeof(unsigned long);
}

/* Can @obj be the next object on @s's freelist? */
static bool is_free_object(const struct kmem_cache *c, const struct slab *s, const void *obj)
{
	long i = object_index(c, s, obj);

	return i >= 0 && !test_bit(s->inuse_map, (size_t)i);
}

static void report(int err, const void *addr)
{
	/* Always called with no lock held: the report prints, may panic. */
	mm_report_misuse(SLAB_LAYER, err, addr);
}

static void slab_list_add(struct slab_list *l, struct slab *s, unsigned int where)
{
	s->where = where;
	s->prev = NULL;
	s->next = l->first;
	if (l->first)
		l->first->prev = s;
	l->first = s;
	l->nr++;
}

static void slab_list_del(struct slab_list *l, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		l->first = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	s->where = SLAB_DETACHED;
	l->nr--;
}

static struct slab_list *list_of(struct kmem_cache *c, unsigned int where)
{
	switch (where) {
	case SLAB_ON_PARTIAL: return &c->partial;
	case SLAB_ON_FULL: return &c->full;
	case SLAB_ON_EMPTY: return &c->empty;
	default: return NULL;
	}
}

/* ---- geometry ---------------------------------------------------------- */

/* Objects of @c that fit a slab of @order; *obj_offset: where they start. */
static unsigned int objects_fit(const struct kmem_cache *c, unsigned int order,
				size_t *obj_offset)
{
	size_t bytes = PAGE_SIZE << order;
	size_t n = bytes / c->size;

	if (c->off_slab) {
		*obj_offset = 0;
		return (unsigned int)MIN(n, OFF_SLAB_MAX_OBJECTS);
	}
	/* The descriptor's bitmap grows with n: shrink n until both fit. */
	while (n > 0 && ALIGN_UP(slab_desc_size(n), c->align) + n * c->size > bytes)
		n--;
	*obj_offset = ALIGN_UP(slab_desc_size(n), c->align);
	return (unsigned int)n;
}

static void set_order(struct kmem_cache *c, unsigned int order, unsigned int objects,
		      size_t obj_offset)
{
	size_t slack = (PAGE_SIZE << order) - obj_offset - (size_t)objects * c->size;

	c->order = order;
	c->objects = objects;
	c->objects_span = (size_t)objects * c->size;
	c->obj_offset = obj_offset;
	c->desc_size = c->off_slab ? OFF_SLAB_DESC_SIZE : slab_desc_size(objects);
#ifdef CONFIG_SLAB_COLOURING
	c->colour_off = MAX(c->align, (size_t)COLOUR_UNIT);
	c->colour_count = (unsigned int)(slack / c->colour_off + 1);
#else
	(void)slack;
	c->colour_off = 0;
	c->colour_count = 1;
#endif
	c->colour_next = 0;
}

/*
 * Pick the smallest order that holds enough objects with little waste, as
 * SLUB's calculate_order() does: first at least SLAB_MIN_OBJECTS objects
 * and at most 1/16 of the slab wasted, then relaxing the waste to 1/8 and
 * 1/4, then asking for fewer objects.  The descriptor is metadata, not
 * waste.
 */
static bool calculate_order(struct kmem_cache *c)
{
	static const unsigned int fraction[] = { 16, 8, 4 };
	size_t off;
	unsigned int n;

	for (unsigned int min = SLAB_MIN_OBJECTS; min >= 1; min /= 2) {
		for (size_t f = 0; f < ARRAY_SIZE(fraction); f++) {
			for (unsigned int order = 0; order <= SLAB_MAX_ORDER; order++) {
				size_t bytes = PAGE_SIZE << order;

				n = objects_fit(c, order, &off);
				if (n < min)
					continue;
				if ((bytes - off - (size_t)n * c->size) * fraction[f] <= bytes) {
					set_order(c, order, n, off);
					return true;
				}
			}
		}
	}
	n = objects_fit(c, SLAB_MAX_ORDER, &off);
	if (n == 0)
		return false;
	set_order(c, SLAB_MAX_ORDER, n, off);
	return true;
}

static int cache_setup(struct kmem_cache *c, const char *name, size_t size,
		       size_t align, unsigned int flags, void (*ctor)(void *),
		       bool may_go_off_slab)
{
	size_t i, stride;

	if (size == 0 || size > KMEM_CACHE_MAX_SIZE)
		return KERR_INVAL;
	if (align == 0)
		align = sizeof(void *);
	if (align & (align - 1) || align > PAGE_SIZE)
		return KERR_ALIGN;
	if (flags & ~SLAB_KMALLOC)
		return KERR_INVAL;

	memset(c, 0, sizeof(*c));
	c->flags = flags;
	spin_lock_init(&c->lock);
	for (i = 0; name && name[i] && i < KMEM_CACHE_NAME_LEN - 1; i++)
		c->name[i] = name[i];
	c->name[i] = '\0';
	c->object_size = size;
	/* The freelist pointer is stored aligned inside free objects. */
	c->align = MAX(align, sizeof(void *));
	c->ctor = ctor;
	if (POISON_CACHES && !ctor)
		c->flags |= SLAB_POISON;
	if (ctor) {
		/* Keep constructed state intact: the pointer goes after the object. */
		c->fp_offset = ALIGN_UP(size, sizeof(void *));
		stride = c->fp_offset + sizeof(void *);
	} else {
		/*
		 * In the first word, even when poisoning: the geometry stays the
		 * same with and without debugging, and the word is checked
		 * anyway when the freelist is popped.
		 */
		c->fp_offset = 0;
		stride = MAX(size, sizeof(void *));
	}
	c->size = ALIGN_UP(stride, c->align);
	if (c->size > KMEM_CACHE_MAX_SIZE)
		return KERR_INVAL;
	c->size_recip = reciprocal_value((uint32_t)c->size);
	c->off_slab = may_go_off_slab && c->size >= OFF_SLAB_MIN_SIZE;
	if (!calculate_order(c))
		return KERR_INVAL;
	return KERR_OK;
}

/* ---- making and releasing slabs ---------------------------------------- */

/* Fill a free object with POISON_FREE, all but the free pointer's word. */
static void poison_free_object(const struct kmem_cache *c, void *obj)
{
	if (c->object_size > sizeof(void *))
		memset((char *)obj + sizeof(void *), POISON_FREE,
		       c->object_size - sizeof(void *));
}

/* Called with c->lock held: each new slab gets the next colour. */
static unsigned int next_colour(struct kmem_cache *c)
{
	unsigned int colour = c->colour_next;

	c->colour_next = (colour + 1) % c->colour_count;
	return colour;
}

/* A new slab, all objects constructed and free; no lock held.  NULL when
 * the page allocator (or kmem_slab, for the descriptor) is out of memory. */
static struct slab *allocate_slab(struct kmem_cache *c, unsigned int colour)
{
	char *pages = alloc_pages(c->order, 0);
	struct slab *s;
	void *next = NULL;

	if (!pages)
		return NULL;
	if (c->off_slab) {
		s = kmem_cache_alloc(&kmem_slab_boot, 0);
		if (!s) {
			free_pages(pages, c->order);
			return NULL;
		}
	} else {
		s = (struct slab *)(void *)pages;
	}
	memset(s, 0, c->desc_size);
	s->cache = c;
	s->pages = pages;
	s->s_mem = pages + c->obj_offset + (size_t)colour * c->colour_off;
	s->where = SLAB_DETACHED;

	/* Carve backwards so that the freelist runs in address order. */
	for (size_t i = c->objects; i-- > 0;) {
		char *obj = s->s_mem + i * c->size;

		if (c->ctor)
			c->ctor(obj);
		else if (cache_poisons(c))
			poison_free_object(c, obj);
		set_freepointer(c, obj, next);
		next = obj;
	}
	s->freelist = next;

	for (size_t i = 0; i < slab_pages(c); i++) {
		struct page *pg = virt_to_page(pages + i * PAGE_SIZE);

		BUG_ON(!pg);
		pg->flags |= PG_SLAB;
		pg->owner = s;
	}
	mm_front_pages_add((long)slab_pages(c));
	return s;
}

/* Give a detached slab's pages (and descriptor) back; no lock held. */
static void discard_slab(struct kmem_cache *c, struct slab *s)
{
	char *pages = s->pages;

	for (size_t i = 0; i < slab_pages(c); i++) {
		struct page *pg = virt_to_page(pages + i * PAGE_SIZE);

		pg->flags &= (uint8_t)~PG_SLAB;
		pg->owner = NULL;
	}
	if (c->off_slab)
		kmem_cache_free(&kmem_slab_boot, s);
	free_pages(pages, c->order);
	mm_front_pages_add(-(long)slab_pages(c));
}

/* Empty slabs of @c other than @s, CPU slabs included. */
static size_t other_empty_slabs(const struct kmem_cache *c, const struct slab *s)
{
	size_t n = c->empty.nr;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct slab *cs = c->cpu_slab[cpu];

		if (cs && cs != s && cs->inuse == 0)
			n++;
	}
	return n;
}

/* ---- allocation --------------------------------------------------------- */

/* Rebuild @s's freelist from its bitmap (address order). */
static void rebuild_freelist(struct kmem_cache *c, struct slab *s)
{
	void *next = NULL;

	for (size_t i = c->objects; i-- > 0;) {
		char *obj = s->s_mem + i * c->size;

		if (!test_bit(s->inuse_map, i)) {
			set_freepointer(c, obj, next);
			next = obj;
		}
	}
	s->freelist = next;
}

/*
 * Pop an object from @s's freelist, or NULL if the slab is full.  A
 * freelist that is not sound can only come from a write into a freed
 * object: the list is rebuilt from the bitmap and *corrupt names the slab
 * so that the caller reports it.
 */
static void *slab_take_object(struct kmem_cache *c, struct slab *s, const void **corrupt)
{
	void *obj;

	if (s->inuse == c->objects)
		return NULL;
	obj = take_sound_object(c, s);
	if (obj)
		return obj;
	*corrupt = s->pages;
	rebuild_freelist(c, s);
	obj = take_sound_object(c, s);
	/* inuse says an object is free; the bitmap disagrees. */
	if (!obj)
		panic("slab %s: slab %p: in-use count and bitmap disagree", c->name, (void *)s);
	return obj;
}

/* Fast path and refill from the lists, c->lock held.  NULL: need a new slab. */
static void *alloc_from_slabs(struct kmem_cache *c, unsigned int cpu, const void **corrupt)
{
	for (;;) {
		struct slab *s = c->cpu_slab[cpu];
		void *obj;

		if (s) {
			obj = slab_take_object(c, s, corrupt);
			if (obj)
				return obj;
			/* Used up: retire it; frees will bring it back. */
			c->cpu_slab[cpu] = NULL;
			slab_list_add(&c->full, s, SLAB_ON_FULL);
		}
		/* Partial slabs before empty ones: fill what is in use first. */
		s = c->partial.first ? c->partial.first : c->empty.first;
		if (!s)
			return NULL;
		slab_list_del(list_of(c, s->where), s);
		s->where = SLAB_ON_CPU;
		s->cpu = cpu;
		c->cpu_slab[cpu] = s;
	}
}

/* Make @s the CPU slab, retiring a slab another path installed meanwhile. */
static void install_cpu_slab(struct kmem_cache *c, unsigned int cpu, struct slab *s)
{
	struct slab *old = c->cpu_slab[cpu];

	if (old) {
		if (old->inuse == c->objects)
			slab_list_add(&c->full, old, SLAB_ON_FULL);
		else if (old->inuse == 0)
			slab_list_add(&c->empty, old, SLAB_ON_EMPTY);
		else
			slab_list_add(&c->partial, old, SLAB_ON_PARTIAL);
	}
	s->where = SLAB_ON_CPU;
	s->cpu = cpu;
	c->cpu_slab[cpu] = s;
}

/*
 * Poison check and fill of a handed-out object; true if it was intact.
 * The first word held the free pointer, checked when it was popped.
 */
static bool unpoison_object(const struct kmem_cache *c, void *obj)
{
	const unsigned char *p = obj;
	bool intact = true;

	for (size_t i = sizeof(void *); i < c->object_size; i++) {
		if (p[i] != POISON_FREE) {
			intact = false;
			break;
		}
	}
	memset(obj, POISON_INUSE, c->object_size);
	return intact;
}

/* What every allocation does after the cache lock: the poison check, __GFP_ZERO. */
static __noinline void *finish_alloc(struct kmem_cache *c, void *obj, gfp_t flags)
{
	if (cache_poisons(c) && !unpoison_object(c, obj)) {
		spin_lock(&c->lock);
		c->counters.misuse++;
		spin_unlock(&c->lock);
		report(KERR_USE_AFTER_FREE, obj);
	}
	if (flags & __GFP_ZERO)
		memset(obj, 0, c->object_size);
	return obj;
}

/* Everything but a sound CPU slab: refill, a new slab, a damaged freelist. */
static __noinline void *alloc_slow(struct kmem_cache *c, gfp_t flags)
{
	const void *corrupt = NULL;
	unsigned int cpu, colour;
	struct slab *fresh;
	void *obj;

	cpu = this_cpu();
	spin_lock(&c->lock);
	obj = alloc_from_slabs(c, cpu, &corrupt);
	if (!obj) {
		colour = next_colour(c);
		spin_unlock(&c->lock);
		fresh = allocate_slab(c, colour);
		cpu = this_cpu();
		spin_lock(&c->lock);
		if (fresh) {
			c->nr_slabs++;
			install_cpu_slab(c, cpu, fresh);
			obj = alloc_from_slabs(c, cpu, &corrupt);
		}
	}
	if (obj)
		c->counters.allocs++;
	else
		c->counters.failures++;
	if (corrupt)
		c->counters.misuse++;
	spin_unlock(&c->lock);

	if (!obj)
		return NULL;
	/* One report per alloc: a damaged freelist usually means damaged poison. */
	if (corrupt) {
		report(KERR_USE_AFTER_FREE, corrupt);
		if (flags & __GFP_ZERO)
			memset(obj, 0, c->object_size);
		return obj;
	}
	return finish_alloc(c, obj, flags);
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t flags)
{
	void *obj;

	if (!c)
		return NULL;
	obj = kmem_cache_alloc_fast(c);
	if (unlikely(!obj))
		return alloc_slow(c, flags);
	if (unlikely(flags & __GFP_ZERO))
		return finish_alloc(c, obj, flags);
	return obj;
}

/* ---- free --------------------------------------------------------------- */

/*
 * @s just had an object freed: move it between lists.  Returns @s,
 * detached, when it became empty and the cache already keeps enough empty
 * slabs; the caller then releases it.  c->lock held.
 */
static struct slab *slab_freed_into(struct kmem_cache *c, struct slab *s)
{
	switch (s->where) {
	case SLAB_ON_CPU:
		if (s->inuse || other_empty_slabs(c, s) < slab_keep_empty)
			return NULL;
		c->cpu_slab[s->cpu] = NULL;
		s->where = SLAB_DETACHED;
		return s;
	case SLAB_ON_FULL:
		slab_list_del(&c->full, s);
		if (s->inuse) {
			slab_list_add(&c->partial, s, SLAB_ON_PARTIAL);
			return NULL;
		}
		break;
	case SLAB_ON_PARTIAL:
		if (s->inuse)
			return NULL;
		slab_list_del(&c->partial, s);
		break;
	default:
		panic("slab %s: slab %p freed into while on list %u", c->name,
		      (void *)s, s->where);
	}
	if (other_empty_slabs(c, s) >= slab_keep_empty)
		return s;
	slab_list_add(&c->empty, s, SLAB_ON_EMPTY);
	return NULL;
}

/* A refused free: counted and reported; c->lock held on entry, released. */
static __noinline int free_refused(struct kmem_cache *c, const void *obj, int err)
{
	c->counters.misuse++;
	spin_unlock(&c->lock);
	report(err, obj);
	return err;
}

/* After a free that may move @s between lists; c->lock held on entry, released. */
static __noinline int free_relist(struct kmem_cache *c, struct slab *s)
{
	struct slab *discard = slab_freed_into(c, s);

	if (discard)
		c->nr_slabs--;
	spin_unlock(&c->lock);
	if (discard)
		discard_slab(c, discard);
	return KERR_OK;
}

/* Free @obj, which lies in slab @s of @c. */
static __always_inline int free_object(struct kmem_cache *c, struct slab *s, void *obj)
{
	size_t i = 0;
	int err;

	spin_lock(&c->lock);
	err = check_object(c, s, obj, &i);
	if (unlikely(err))
		return free_refused(c, obj, err);
	if (unlikely(cache_poisons(c)))
		poison_free_object(c, obj);
	slab_put_object(c, s, obj, i);
	/* The common case: back into a CPU slab that still has objects out. */
	if (unlikely(s->where != SLAB_ON_CPU || !s->inuse))
		return free_relist(c, s);
	spin_unlock(&c->lock);
	return KERR_OK;
}

int kmem_cache_free_checked(struct kmem_cache *c, const void *objp)
{
	/* The object is the caller's, writable: const only in the API. */
	void *obj = (void *)(uintptr_t)objp;
	struct slab *s;

	if (!obj)
		return KERR_OK;
	if (!c)
		return KERR_INVAL;
	s = virt_to_slab(obj);
	if (!s || s->cache != c) {
		spin_lock(&c->lock);
		return free_refused(c, obj, KERR_BAD_PTR);
	}
	return free_object(c, s, obj);
}

int kmem_cache_kfree(const void *objp, size_t *size)
{
	void *obj = (void *)(uintptr_t)objp;
	struct slab *s = virt_to_slab(obj);
	struct kmem_cache *c;

	if (!s)
		return KMEM_NOT_KMALLOC;
	c = s->cache;
	if (!(c->flags & SLAB_KMALLOC))
		return KMEM_NOT_KMALLOC;
	*size = c->object_size;
	return free_object(c, s, obj);
}

int kmem_cache_check_live(struct kmem_cache *c, const void *obj)
{
	struct slab *s = virt_to_slab(obj);
	size_t i;
	int err = KERR_BAD_PTR;

	spin_lock(&c->lock);
	if (s && s->cache == c)
		err = check_object(c, s, obj, &i);
	if (err)
		return free_refused(c, obj, err);
	spin_unlock(&c->lock);
	return 0;
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	(void)kmem_cache_free_checked(c, obj);
}

/* ---- caches ------------------------------------------------------------- */

/* Detach the empty slabs (all slabs if @all) onto a chain; c->lock held. */
static struct slab *detach_slabs(struct kmem_cache *c, bool all, size_t *count)
{
	struct slab *chain = NULL;
	struct slab_list *lists[] = { &c->empty, &c->partial, &c->full };
	size_t nlists = all ? ARRAY_SIZE(lists) : 1;

	*count = 0;
	for (size_t l = 0; l < nlists; l++) {
		while (lists[l]->first) {
			struct slab *s = lists[l]->first;

			slab_list_del(lists[l], s);
			s->next = chain;
			chain = s;
			(*count)++;
		}
	}
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct slab *s = c->cpu_slab[cpu];

		if (s && (all || s->inuse == 0)) {
			c->cpu_slab[cpu] = NULL;
			s->where = SLAB_DETACHED;
			s->next = chain;
			chain = s;
			(*count)++;
		}
	}
	c->nr_slabs -= *count;
	return chain;
}

static void discard_chain(struct kmem_cache *c, struct slab *chain)
{
	while (chain) {
		struct slab *next = chain->next;

		discard_slab(c, chain);
		chain = next;
	}
}

static void cache_list_add(struct kmem_cache *c)
{
	c->list_prev = NULL;
	c->list_next = slab_caches;
	if (slab_caches)
		slab_caches->list_prev = c;
	slab_caches = c;
}

static void cache_list_del(struct kmem_cache *c)
{
	if (c->list_prev)
		c->list_prev->list_next = c->list_next;
	else
		slab_caches = c->list_next;
	if (c->list_next)
		c->list_next->list_prev = c->list_prev;
}

/* Set up the two static caches the others are made from, once. */
static void slab_bootstrap(void)
{
	spin_lock(&slab_caches_lock);
	if (!slab_up) {
		int err;

		/* kmem_slab must be on slab, or its slabs would need itself. */
		err = cache_setup(&kmem_slab_boot, "kmem_slab", OFF_SLAB_DESC_SIZE, 0,
				  0, NULL, false);
		BUG_ON(err != KERR_OK);
		err = cache_setup(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache),
				  0, 0, NULL, true);
		BUG_ON(err != KERR_OK);
		kmem_slab_boot.bootstrap = true;
		kmem_cache_boot.bootstrap = true;
		cache_list_add(&kmem_slab_boot);
		cache_list_add(&kmem_cache_boot);
		slab_up = true;
	}
	spin_unlock(&slab_caches_lock);
}

struct kmem_cache *kmem_cache_create_flags(const char *name, size_t size, size_t align,
					   unsigned int flags, void (*ctor)(void *))
{
	struct kmem_cache *c;

	slab_bootstrap();
	c = kmem_cache_alloc(&kmem_cache_boot, 0);
	if (!c)
		return NULL;
	if (cache_setup(c, name, size, align, flags, ctor, true) != KERR_OK) {
		kmem_cache_free(&kmem_cache_boot, c);
		return NULL;
	}
	spin_lock(&slab_caches_lock);
	cache_list_add(c);
	spin_unlock(&slab_caches_lock);
	return c;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *))
{
	return kmem_cache_create_flags(name, size, align, 0, ctor);
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	struct slab *chain;
	size_t count;

	if (!c)
		return;
	spin_lock(&c->lock);
	if (cache_active_objects(c) || c->bootstrap) {
		c->counters.misuse++;
		spin_unlock(&c->lock);
		report(KERR_INVAL, c);
		return;
	}
	chain = detach_slabs(c, true, &count);
	spin_unlock(&c->lock);
	discard_chain(c, chain);

	spin_lock(&slab_caches_lock);
	cache_list_del(c);
	spin_unlock(&slab_caches_lock);
	kmem_cache_free(&kmem_cache_boot, c);
}

size_t kmem_cache_shrink(struct kmem_cache *c)
{
	struct slab *chain;
	size_t count;

	if (!c)
		return 0;
	spin_lock(&c->lock);
	chain = detach_slabs(c, false, &count);
	spin_unlock(&c->lock);
	discard_chain(c, chain);
	return count * slab_pages(c);
}

size_t kmem_cache_size(const struct kmem_cache *c)
{
	return c->object_size;
}

unsigned int kmem_cache_flags(const struct kmem_cache *c)
{
	return c->flags;
}

const char *kmem_cache_name(const struct kmem_cache *c)
{
	return c->name;
}

struct kmem_cache *kmem_cache_of(const void *obj)
{
	const struct slab *s = virt_to_slab(obj);

	return s ? s->cache : NULL;
}

void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	spin_lock(&c->lock);
	st->name = c->name;
	st->object_size = c->object_size;
	st->size = c->size;
	st->align = c->align;
	st->order = c->order;
	st->objects_per_slab = c->objects;
	st->off_slab = c->off_slab;
	st->active_objects = cache_active_objects(c);
	st->total_objects = c->nr_slabs * c->objects;
	st->slabs_full = c->full.nr;
	st->slabs_partial = c->partial.nr;
	st->slabs_empty = c->empty.nr;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct slab *s = c->cpu_slab[cpu];

		if (!s)
			continue;
		if (s->inuse == 0)
			st->slabs_empty++;
		else if (s->inuse == c->objects)
			st->slabs_full++;
		else
			st->slabs_partial++;
	}
	st->pages = c->nr_slabs * slab_pages(c);
	st->meta_bytes = c->nr_slabs * c->desc_size;
	st->counters = c->counters;
	spin_unlock(&c->lock);
}

void kmem_cache_for_each(void (*fn)(struct kmem_cache *c, void *arg), void *arg)
{
	spin_lock(&slab_caches_lock);
	for (struct kmem_cache *c = slab_caches; c; c = c->list_next)
		fn(c, arg);
	spin_unlock(&slab_caches_lock);
}

struct stats_walk {
	struct kmem_cache_stats *out;
	size_t max, n;
};

static void stats_into(struct kmem_cache *c, void *arg)
{
	struct stats_walk *w = arg;

	if (w->n < w->max)
		kmem_cache_get_stats(c, &w->out[w->n]);
	w->n++;
}

size_t kmem_cache_stats_all(struct kmem_cache_stats *out, size_t max)
{
	struct stats_walk w = { .out = out, .max = out ? max : 0 };

	kmem_cache_for_each(stats_into, &w);
	return w.n;
}

/* ---- self-check ---------------------------------------------------------- */

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			printk("slab %s: check failed: ", c->name);         \
			printk(__VA_ARGS__);                                \
			printk("\n");                                       \
			return false;                                       \
		}                                                           \
	} while (0)

/* One slab: bitmap, count, freelist and page marks agree. */
static bool check_slab(struct kmem_cache *c, struct slab *s, unsigned int where)
{
	size_t used = 0, nfree = 0;

	CHECK(s->cache == c, "slab %p: cache %p", (void *)s, (void *)s->cache);
	CHECK(s->where == where, "slab %p: where %u, expected %u", (void *)s, s->where, where);
	for (size_t i = 0; i < c->objects; i++)
		used += test_bit(s->inuse_map, i);
	CHECK(used == s->inuse, "slab %p: inuse %u, bitmap %zu", (void *)s, s->inuse, used);
	for (void *p = s->freelist; p; p = get_freepointer(c, p)) {
		CHECK(nfree < c->objects - used, "slab %p: freelist too long", (void *)s);
		CHECK(is_free_object(c, s, p), "slab %p: freelist holds %p", (void *)s, p);
		nfree++;
	}
	CHECK(nfree == c->objects - used, "slab %p: %zu on freelist, %zu free",
	      (void *)s, nfree, c->objects - used);
	for (size_t i = 0; i < slab_pages(c); i++) {
		const struct page *pg = virt_to_page(s->pages + i * PAGE_SIZE);

		CHECK(pg && (pg->flags & PG_SLAB) && pg->owner == s,
		      "slab %p: page %zu not marked", (void *)s, i);
	}
	if (where == SLAB_ON_FULL)
		CHECK(s->inuse == c->objects, "slab %p on full list: inuse %u", (void *)s, s->inuse);
	if (where == SLAB_ON_PARTIAL)
		CHECK(s->inuse > 0 && s->inuse < c->objects,
		      "slab %p on partial list: inuse %u", (void *)s, s->inuse);
	if (where == SLAB_ON_EMPTY)
		CHECK(s->inuse == 0, "slab %p on empty list: inuse %u", (void *)s, s->inuse);
	return true;
}

static bool check_locked(struct kmem_cache *c)
{
	const struct slab_list *lists[] = { &c->partial, &c->full, &c->empty };
	const unsigned int wheres[] = { SLAB_ON_PARTIAL, SLAB_ON_FULL, SLAB_ON_EMPTY };
	size_t slabs = 0, active = 0, empty = 0;

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		size_t n = 0;
		struct slab *prev = NULL;

		for (struct slab *s = lists[l]->first; s; s = s->next) {
			CHECK(n < lists[l]->nr, "list %u longer than %zu", wheres[l], lists[l]->nr);
			CHECK(s->prev == prev, "slab %p: bad back link", (void *)s);
			if (!check_slab(c, s, wheres[l]))
				return false;
			active += s->inuse;
			prev = s;
			n++;
		}
		CHECK(n == lists[l]->nr, "list %u: %zu slabs, nr %zu", wheres[l], n, lists[l]->nr);
		slabs += n;
	}
	empty = c->empty.nr;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct slab *s = c->cpu_slab[cpu];

		if (!s)
			continue;
		CHECK(s->cpu == cpu, "CPU %u slab %p says CPU %u", cpu, (void *)s, s->cpu);
		if (!check_slab(c, s, SLAB_ON_CPU))
			return false;
		active += s->inuse;
		empty += s->inuse == 0;
		slabs++;
	}
	CHECK(slabs == c->nr_slabs, "%zu slabs found, nr_slabs %zu", slabs, c->nr_slabs);
	CHECK(active == cache_active_objects(c), "%zu objects in use, active %zu", active,
	      cache_active_objects(c));
	CHECK(empty <= slab_keep_empty, "%zu empty slabs kept, limit %zu", empty,
	      slab_keep_empty);
	return true;
}

bool kmem_cache_check(struct kmem_cache *c)
{
	bool ok;

	spin_lock(&c->lock);
	ok = check_locked(c);
	spin_unlock(&c->lock);
	return ok;
}
