/*
 * slab.c - slab caches (see slab.h): the slow paths.  struct kmem_cache,
 * struct slab and the common case of an allocation and a free are in
 * slab_def.h, where kmalloc's inline fast path reaches them too.
 *
 * A slab is a run of `pages` pages (any count up to 2^SLAB_MAX_ORDER, not
 * only powers of two: 3 pages hold two 6 KiB objects exactly, where 2 or 4
 * would waste a quarter) holding `objects` objects `size` bytes apart,
 * starting at s_mem, plus a descriptor (struct slab).  Small objects keep
 * the descriptor at the start of the slab ("on slab"); from PAGE_SIZE / 8
 * on, where it would cost a whole object, it comes from the bootstrap
 * cache kmem_slab ("off slab"), as Linux's SLAB did - unless the bytes
 * the objects leave over hold it.
 *
 * Where a slab is:
 *
 *     on CPU    one CPU's slab: its free objects are on that CPU's
 *               freelist (the slab's cpu_freelist), "frozen" as in SLUB
 *     partial   some objects free, on the slab's own freelist
 *     full      no object free
 *     empty     no object in use (at most SLAB_KEEP_EMPTY; CPU slabs are
 *               not counted)
 *     trimmed   an idle cache's partly used slab that gave back the pages
 *               no live object touches (Kconfig SLAB_TRIM): it takes no
 *               new object, and frees into it give back more pages
 *
 * When a CPU's freelist runs dry, the CPU first takes what other paths
 * freed into its slab meanwhile (the slab's freelist); if there is
 * nothing, the slab leaves the CPU (to the full list) and the CPU takes a
 * partial slab, else an empty one, else a new one.  A free into a slab
 * that is not this CPU's goes to that slab's freelist under the cache
 * lock and moves it between lists: full to partial, partial to empty, or
 * back to the page allocator past the limit.  Leaving a CPU settles a
 * slab's count: what is left on the CPU's freelist goes back to the slab.
 *
 * Locking: each cache has one lock over its lists, its slabs' freelists
 * and counts, and the slow paths; the CPU freelists are their CPU's alone.
 * Pages are allocated and freed, constructors run and misuse is reported
 * with no cache lock held, so no two locks ever nest here.
 *
 * Checks (Kconfig SLAB_CHECKS_*, slab.h): at FULL the in-use bitmap, not
 * the freelists, is the truth about which objects are free - frees are
 * checked against it in O(1), and a freelist that a write into a freed
 * object damaged is noticed when it is popped, rebuilt from the bitmap and
 * reported rather than followed.  Without the bitmap the slow paths check
 * what they can: an object freed is at an object boundary and is not the
 * head of a freelist already; a freelist taken over is walked (its
 * pointers inside the slab, on boundaries, never more than the slab
 * holds) and cut at the first bad link, which is reported.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitops.h"
#include "compiler.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_misuse.h"
#include "mm_stats.h"
#include "mm_txn.h"
#include "page_alloc.h"
#include "panic.h"
#include "percpu.h"
#include "poison.h"
#include "printk.h"
#include "reciprocal.h"
#include "show_mem.h"
#include "shrinker.h"
#include "slab.h"
#include "slab_def.h"
#include "slab_guard.h"
#include "smp.h"
#include "spinlock.h"
#include "fault_inject.h"

#define SLAB_LAYER "slab"

/*
 * The debugging offsets of a cache's slot (slab_def.h), which exist only
 * when red zones or owners are built in; every read of them sits behind
 * a DEBUG_* constant, so without them it is never made.
 */
#if defined(CONFIG_DEBUG_REDZONE) || defined(CONFIG_DEBUG_OWNER)
#define DBG_FIELD(c, f) ((c)->f)
#else
#define DBG_FIELD(c, f) ((void)(c), (size_t)0)
#endif

/* Where the red zone starts in a slot, how long it is; where the owner track is. */
static inline size_t red_start(const struct kmem_cache *c)
{
	return DBG_FIELD(c, red_start);
}

static inline size_t red_len(const struct kmem_cache *c)
{
	return DBG_FIELD(c, red_end) - DBG_FIELD(c, red_start);
}

static inline size_t track_off(const struct kmem_cache *c)
{
	return DBG_FIELD(c, track_offset);
}

/* Aim for at least this many objects per slab (fewer only for big objects). */
#define SLAB_MIN_OBJECTS ((unsigned int)CONFIG_SLAB_MIN_OBJECTS)
/* Strides from here on keep the slab descriptor off the slab. */
#define OFF_SLAB_MIN_SIZE (PAGE_SIZE / 8)
#define OFF_SLAB_MAX_OBJECTS (KMEM_CACHE_MAX_SIZE / OFF_SLAB_MIN_SIZE)
/* Colouring step at least one cache line. */
#define COLOUR_UNIT 64u

/* Object offsets within a slab are divided by the stride with reciprocal.h. */
_Static_assert((PAGE_SIZE << SLAB_MAX_ORDER) < RECIPROCAL_LIMIT,
	       "a slab must be smaller than reciprocal.h's domain");

/* The descriptor: struct slab, and at SLAB_CHECKS_FULL its in-use bitmap. */
static inline size_t slab_desc_size(size_t objects)
{
	return sizeof(struct slab) +
	       (SLAB_CHECKS_EXACT ? BITMAP_WORDS(objects) * sizeof(unsigned long) : 0);
}

#define OFF_SLAB_DESC_SIZE slab_desc_size(OFF_SLAB_MAX_OBJECTS)

/* Always NULL: where a CPU with no slab finds its (empty) freelist. */
static void *slab_no_cpu_freelist;

/* Caches' own descriptors (their per-CPU slots inside), and off-slab slab descriptors. */
static struct kmem_cache kmem_cache_boot, kmem_slab_boot;
static spinlock_t slab_caches_lock = SPINLOCK_INIT;
static struct kmem_cache *slab_caches;
static bool slab_up;
/*
 * Per CPU, the cache the reaper visits next (NULL: the list's head);
 * under slab_caches_lock, and moved off a cache leaving the list.
 */
static struct kmem_cache *reap_cursor[NR_CPUS];

/* ---- small helpers ---------------------------------------------------- */

static inline size_t slab_pages(const struct kmem_cache *c)
{
	return c->pages;
}

/* Objects handed out and not yet freed, from the per-CPU counts. */
static size_t cache_active_objects(const struct kmem_cache *c)
{
	uint64_t allocs = 0, frees = 0;

	for_each_possible_cpu(cpu) {
		allocs += percpu_counter_read(per_cpu_ptr(c->cpu_slab, cpu)->allocs);
		frees += percpu_counter_read(per_cpu_ptr(c->cpu_slab, cpu)->frees);
	}
	return (size_t)(allocs - frees);
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
	else
		l->last = s;
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
	else
		l->last = s->prev;
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
	case SLAB_TRIMMED: return &c->trimmed;
	default: return NULL;
	}
}

/* The list a detached slab belongs on by its count. */
static void slab_list_by_count(struct kmem_cache *c, struct slab *s)
{
	if (s->inuse == c->objects)
		slab_list_add(&c->full, s, SLAB_ON_FULL);
	else if (s->inuse)
		slab_list_add(&c->partial, s, SLAB_ON_PARTIAL);
	else
		slab_list_add(&c->empty, s, SLAB_ON_EMPTY);
}

/* ---- geometry ---------------------------------------------------------- */

/* Objects of @c that fit a slab of @pages pages; *obj_offset: where they start. */
static unsigned int objects_fit(const struct kmem_cache *c, size_t pages, size_t *obj_offset)
{
	size_t bytes = PAGE_SIZE * pages;
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

static void set_geometry(struct kmem_cache *c, size_t pages, unsigned int objects,
			 size_t obj_offset)
{
	size_t slack = PAGE_SIZE * pages - obj_offset - (size_t)objects * c->size;

	c->pages = (unsigned int)pages;
	c->order = 0;
	while (((size_t)1 << c->order) < pages)
		c->order++;
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
 * Objects of more than a page and a half, in a cache whose slabs trim
 * (Kconfig SLAB_TRIM; no debugging flags): one alone in 2 pages leaves
 * up to a quarter of its slab unused (7 KiB: 1 KiB), so they ask for
 * slabs they fill exactly - four 7 KiB objects in 7 pages - and keep no
 * empty slab of several objects (one is up to 7 pages).  A slab of
 * several such objects pins at most the pages its survivors touch once
 * its cache is idle, so the survivors of a program that moved on cost
 * little more than in a one-object slab.  The stress bench's random
 * pattern, when this was measured: 1.241 times its peak live bytes with
 * the 1/8 rule, 1.206 so.  Smaller objects keep
 * the 1/8 rule: four 5 KiB objects in 5 pages (not three in 4) gave the
 * random pattern 0.017 more but cost sqlite3 under the preload library
 * 1 MiB of peak RSS (14.6 -> 15.6 MiB, where its target is 1.2 times
 * glibc's 12.6).
 */
static bool fits_exactly_first(const struct kmem_cache *c)
{
	return c->size > 3 * PAGE_SIZE / 2 && IS_ENABLED(CONFIG_SLAB_TRIM) &&
	       !(c->flags & SLAB_DEBUG_FLAGS);
}

/*
 * Pick the fewest pages that hold enough objects with little waste, as
 * SLUB's calculate_order() does but over every page count, not only powers
 * of two (as jemalloc sizes its slabs): first at least SLAB_MIN_OBJECTS
 * objects and at most 1/8 of the slab wasted, then relaxing the waste to
 * 1/4, then asking for fewer objects.  The descriptor is metadata, not
 * waste.  Small slabs matter for the footprint: a slab stays while any
 * one of its objects lives, so the more objects it holds, the more memory
 * a few survivors pin.  (Asking for 1/16 first, as SLUB does, puts four
 * 7 KiB objects in 7 pages rather than one in 2: without trimming, the
 * stress bench's increasing pattern then holds 1.5x its live bytes, not
 * 1.2x.)  Objects of more than a page and a half in caches that trim
 * ask for at most 1/32 first (fits_exactly_first()).
 */
static bool calculate_geometry(struct kmem_cache *c)
{
	static const unsigned int fraction[] = { 32, 8, 4 };
	const size_t max_pages = (size_t)1 << SLAB_MAX_ORDER;
	size_t off;
	unsigned int n = objects_fit(c, max_pages, &off);

	if (n == 0)
		return false;
	/* Never ask for more than the largest slab holds. */
	for (unsigned int min = MIN(SLAB_MIN_OBJECTS, n); min >= 1; min /= 2) {
		for (size_t f = fits_exactly_first(c) ? 0 : 1; f < ARRAY_SIZE(fraction); f++) {
			for (size_t pages = 1; pages <= max_pages; pages++) {
				size_t bytes = PAGE_SIZE * pages;

				n = objects_fit(c, pages, &off);
				if (n < min)
					continue;
				if ((bytes - off - (size_t)n * c->size) * fraction[f] <= bytes) {
					set_geometry(c, pages, n, off);
					return true;
				}
			}
		}
	}
	/* Nothing wastes little enough: the largest slab, as full as it gets. */
	n = objects_fit(c, max_pages, &off);
	set_geometry(c, max_pages, n, off);
	return true;
}

/*
 * The key free pointers are encoded with (SLAB_CHECKS_HARDENED): Kconfig
 * SLAB_FREELIST_SEED when set, else mixed from the cycle counter at the
 * cache's creation (under -icount the counter is deterministic, so bench
 * figures repeat either way).  splitmix64's finaliser spreads it over
 * every bit; it is never 0, so a zeroed word never decodes to NULL.
 */
static uintptr_t freelist_key(const struct kmem_cache *c)
{
#ifdef CONFIG_SLAB_CHECKS_HARDENED
	uint64_t x = CONFIG_SLAB_FREELIST_SEED ? (uint64_t)CONFIG_SLAB_FREELIST_SEED :
						 arch_cycles();

	x += (uint64_t)(uintptr_t)c + 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (uintptr_t)(x | 1);
#else
	(void)c;
	return 0;   /* free pointers are stored plain */
#endif
}

void kmem_cache_cpu_init(struct kmem_cache *c)
{
	for_each_possible_cpu(cpu)
		per_cpu_ptr(c->cpu_slab, cpu)->freelist_at = &slab_no_cpu_freelist;
}

static int cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align,
		       unsigned int flags, void (*ctor)(void *), bool may_go_off_slab)
{
	size_t i, stride;

	if (size == 0 || size > KMEM_CACHE_MAX_SIZE)
		return KERR_INVAL;
	if (align == 0)
		align = sizeof(void *);
	if (align & (align - 1) || align > PAGE_SIZE)
		return KERR_ALIGN;
	if (flags & ~(SLAB_KMALLOC | SLAB_SKIP_GUARD))
		return KERR_INVAL;
	/* A kmalloc cache's free pointer must be first (KMALLOC_FP_OFFSET): no constructor. */
	if ((flags & SLAB_KMALLOC) && ctor)
		return KERR_INVAL;

	memset(c, 0, sizeof(*c));   /* the per-CPU slots too: no CPU slab yet */
	kmem_cache_cpu_init(c);
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
	if (DEBUG_REDZONE)
		c->flags |= SLAB_RED_ZONE;
	if (DEBUG_OWNER)
		c->flags |= SLAB_STORE_USER;
	if (ctor) {
		/* Keep constructed state intact: the pointer goes after the object. */
		c->fp_offset = ALIGN_UP(size, sizeof(void *));
		stride = c->fp_offset + sizeof(void *);
	} else {
		/*
		 * In the first word, even when poisoning: the geometry stays the
		 * same with poisoning and without, and the word is checked
		 * anyway when the freelist is popped.
		 */
		c->fp_offset = 0;
		stride = MAX(size, sizeof(void *));
	}
#ifdef CONFIG_DEBUG_REDZONE
	/*
	 * Right after the object (after the free pointer's word of a tiny
	 * one), RED_ZONE_BYTES at least; a constructor's free pointer moves
	 * past it.
	 */
	c->red_start = ctor ? size : MAX(size, sizeof(void *));
	c->red_end = ALIGN_UP(c->red_start, sizeof(void *)) + RED_ZONE_BYTES;
	if (ctor)
		c->fp_offset = c->red_end;
	stride = c->fp_offset + (ctor ? sizeof(void *) : 0);
	stride = MAX(stride, c->red_end);
#endif
#ifdef CONFIG_DEBUG_OWNER
	c->track_offset = ALIGN_UP(stride, sizeof(void *));
	stride = c->track_offset + sizeof(struct mm_track);
#endif
	c->size = ALIGN_UP(stride, c->align);
	if (c->size > KMEM_CACHE_MAX_SIZE)
		return KERR_INVAL;
	c->size_recip = reciprocal_value((uint32_t)c->size);
	c->off_slab = may_go_off_slab && c->size >= OFF_SLAB_MIN_SIZE;
	if (!calculate_geometry(c))
		return KERR_INVAL;
	/*
	 * The descriptor comes back on the slab when the bytes no object
	 * fits in hold it (as Linux's SLAB decides): one 7 KiB object in 2
	 * pages leaves 1 KiB, and an off-slab descriptor would be a
	 * kmem_slab object besides.  Not when colouring, whose offsets are
	 * made of those bytes.
	 */
	if (c->off_slab && !IS_ENABLED(CONFIG_SLAB_COLOURING)) {
		size_t off = ALIGN_UP(slab_desc_size(c->objects), c->align);

		if (off + c->objects_span <= PAGE_SIZE * c->pages) {
			c->off_slab = false;
			set_geometry(c, c->pages, c->objects, off);
		}
	}
	/*
	 * Trimming tracks objects and pages in a word each (struct slab's
	 * live and kept), and leaves debugging caches alone: their checks
	 * walk every object of a slab.
	 */
	c->trimmable = IS_ENABLED(CONFIG_SLAB_TRIM) && c->pages >= 2 &&
		       c->objects <= BITS_PER_LONG && !(c->flags & SLAB_DEBUG_FLAGS);
	/*
	 * A one-object slab is kept as any other: a second free of its
	 * object still finds it and is named a double free.
	 */
	c->keep_empty = fits_exactly_first(c) && c->objects > 1 ? 0 : SLAB_KEEP_EMPTY;
	c->random = freelist_key(c);
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

/*
 * A new slab, all objects constructed and free; no lock held.  NULL when
 * the page allocator (or kmem_slab, for the descriptor) is out of memory.
 * @flags: the request's (__GFP_ATOMIC, __GFP_HIGH); the cache reports a
 * failure itself, so the layers below stay quiet.
 */
static struct slab *allocate_slab(struct kmem_cache *c, unsigned int colour, gfp_t flags)
{
	gfp_t page_flags = (flags & (__GFP_ATOMIC | __GFP_HIGH)) | __GFP_NOWARN;
	char *pages = page_alloc(c->pages, page_flags);
	struct slab *s;
	void *next = NULL;

	if (!pages)
		return NULL;
	if (c->off_slab) {
		s = kmem_cache_alloc(&kmem_slab_boot, page_flags);
		if (!s) {
			page_free(pages, c->pages);
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
#if NR_CPUS > 1
	s->remote = SLAB_REMOTE_CLOSED;
#endif

	/* Carve backwards so that the freelist runs in address order. */
	for (size_t i = c->objects; i-- > 0;) {
		char *obj = s->s_mem + i * c->size;

		if (c->ctor)
			c->ctor(obj);
		else if (c->flags & SLAB_POISON)
			poison_free_object(c, obj);
		if (DEBUG_REDZONE)
			memset(obj + red_start(c), RED_INACTIVE, red_len(c));
		if (DEBUG_OWNER)
			memset(obj + track_off(c), 0, sizeof(struct mm_track));
		set_freepointer(c, obj, next);
		next = obj;
	}
	s->freelist = next;
	/* The slab's pages are the slab layer's, never a caller's leak. */
	if (DEBUG_LEAK)
		debug_page_internal(pages);

	for (size_t i = 0; i < slab_pages(c); i++) {
		struct page *pg = virt_to_page(pages + i * PAGE_SIZE);

		BUG_ON(!pg);
		pg->flags |= PG_SLAB | ((c->flags & SLAB_KMALLOC) ? PG_KMALLOC : 0);
		pg->owner = s;
	}
	mm_front_pages_add((long)slab_pages(c));
	return s;
}

/* The page at @page is no slab's any more: kfree() and lookups stop finding one there. */
static __always_inline void unmark_slab_page(char *page)
{
	struct page *pg = virt_to_page(page);

	pg->flags &= (uint8_t)~(PG_SLAB | PG_KMALLOC);
	pg->owner = NULL;
}

/* Give a detached slab's pages (and descriptor) back; no lock held. */
static void discard_slab(struct kmem_cache *c, struct slab *s)
{
	char *pages = s->pages;

	for (size_t i = 0; i < slab_pages(c); i++)
		unmark_slab_page(pages + i * PAGE_SIZE);
	if (c->off_slab)
		kmem_cache_free(&kmem_slab_boot, s);
	page_free(pages, c->pages);
	mm_front_pages_add(-(long)slab_pages(c));
}

/* ---- freelists ---------------------------------------------------------- */

/* Rebuild @s's freelist from its bitmap (address order): FULL only. */
static void rebuild_freelist(struct kmem_cache *c, struct slab *s)
{
	void *next = NULL;

	for (size_t i = c->objects; i-- > 0;) {
		char *obj = s->s_mem + i * c->size;

		if (!inuse_test(s->inuse_map, i)) {
			set_freepointer(c, obj, next);
			next = obj;
		}
	}
	s->freelist = next;
}

/*
 * Walk the freelist starting at @head, which belongs to @s: every link
 * inside the slab, at an object boundary, free by the bitmap (FULL), and
 * no more links than the slab has free objects.  Returns how many objects
 * it holds; on a bad link *@bad is the object whose pointer was damaged
 * (the list then holds only what came before it).  c->lock held.
 */
static size_t walk_freelist(struct kmem_cache *c, struct slab *s, void *head, size_t limit,
			    void **bad)
{
	size_t n = 0;

	*bad = NULL;
	for (void *p = head, *prev = NULL; p; prev = p, p = get_freepointer(c, p)) {
		long i = object_index(c, s, p);

		if (n == limit || i < 0 || (SLAB_CHECKS_EXACT && inuse_test(s->inuse_map, (size_t)i))) {
			*bad = prev ? prev : head;
			return n;
		}
		n++;
	}
	return n;
}

/*
 * The freelist *@head of @s was damaged (a write after free) at @bad, the
 * last sound object before the bad link (@kept objects sound; 0 when the
 * head itself is bad).  Without the bitmap the list is cut there: the
 * @lost objects after it stay counted in use, so the slab is never
 * released - a leak, never a wild pointer.  Returns the object to report.
 * c->lock held.
 */
static void *cut_freelist(struct kmem_cache *c, struct slab *s, void **head, void *bad,
			  size_t kept, size_t lost)
{
	s->damaged = 1;
	s->inuse += (unsigned int)lost;
	if (kept == 0)
		*head = NULL;
	else
		set_freepointer(c, bad, NULL);
	return bad;
}

/* ---- the CPU slab ------------------------------------------------------- */

/* Make @s (detached) this CPU's slab: its freelist moves to the CPU.  Lock held. */
static void freeze_slab(struct kmem_cache *c, struct kmem_cache_cpu *cpu, struct slab *s,
			unsigned int cpuid)
{
	s->where = SLAB_ON_CPU;
	s->cpu = cpuid;
	cpu->slab = s;
	cpu->freelist_at = &s->cpu_freelist;
	cpu->s_mem = (uintptr_t)s->s_mem;
	cpu->s_end = cpu->s_mem + c->objects_span;
	s->cpu_freelist = s->freelist;   /* detached: the list links it overlays are free */
	s->freelist = NULL;
	s->inuse = c->objects;
#if NR_CPUS > 1
	/* Other CPUs' frees may take the remote list from now on. */
	__atomic_store_n(&s->remote, NULL, __ATOMIC_RELAXED);
#endif
}

#if NR_CPUS > 1
/*
 * Take @s's remote list (slab_def.h), leaving it @then (NULL: open, the
 * slab stays on its CPU; SLAB_REMOTE_CLOSED: it leaves).  Lock held.
 */
static void *take_remote(struct slab *s, void *then)
{
	/* Acquire: the pushers' free pointers are seen. */
	void *list = __atomic_exchange_n(&s->remote, then, __ATOMIC_ACQUIRE);

	return list == SLAB_REMOTE_CLOSED ? NULL : list;
}
#endif

/*
 * Take @cpu's slab off the CPU: what is left on the CPU's freelist goes
 * back to the slab, whose count is settled, and the slab is detached.
 * Returns it.  Lock held.
 */
/* Move the free objects of list @p onto @s's own freelist, settling its count. */
static void settle_list(struct kmem_cache *c, struct slab *s, void *p)
{
	while (p) {
		void *next = get_freepointer(c, p);

		set_freepointer(c, p, s->freelist);
		s->freelist = p;
		s->inuse--;
		p = next;
	}
}

static struct slab *unfreeze_slab(struct kmem_cache *c, struct kmem_cache_cpu *cpu)
{
	struct slab *s = cpu->slab;
	void *p = s->cpu_freelist;

	cpu->slab = NULL;
	cpu->freelist_at = &slab_no_cpu_freelist;
	cpu->s_mem = cpu->s_end = 0;
	s->cpu_freelist = NULL;   /* back to a NULL list link (prev) */
	/* The CPU's objects, then (SMP) the remote list, onto the slab's own. */
	settle_list(c, s, p);
#if NR_CPUS > 1
	settle_list(c, s, take_remote(s, SLAB_REMOTE_CLOSED));
#endif
	s->where = SLAB_DETACHED;
	return s;
}

/*
 * Put a slab that just left a CPU or lost an object where it belongs by
 * its count.  Returns it, detached, when it is empty and the cache keeps
 * enough empty slabs already: the caller releases it.  Lock held.
 */
static struct slab *relist(struct kmem_cache *c, struct slab *s)
{
	if (s->inuse == 0 && c->empty.nr >= c->keep_empty)
		return s;
	slab_list_by_count(c, s);
	return NULL;
}

/* ---- allocation --------------------------------------------------------- */

static void slab_reap(gfp_t flags);

/*
 * Poison check and fill of a handed-out object; true if it was intact.
 * The first word held the free pointer, checked when it was popped.
 */
static bool unpoison_object(const struct kmem_cache *c, void *obj)
{
	bool intact = c->object_size <= sizeof(void *) ||
		      !memchr_inv((char *)obj + sizeof(void *), POISON_FREE,
				  c->object_size - sizeof(void *));

	memset(obj, POISON_INUSE, c->object_size);
	return intact;
}

/*
 * Pop the first object of @s's own freelist (a poisoning cache, whose
 * slabs never give their objects to a CPU).  The head and its link are
 * checked as the fast path would; a damaged list is rebuilt (FULL) or cut
 * (the others) and *@corrupt names the object to report.  NULL if the
 * slab has no free object left.  Lock held.
 */
static void *pop_slab_object(struct kmem_cache *c, struct slab *s, void **corrupt)
{
	void *obj = s->freelist, *next, *bad;
	long i;

	if (!obj)
		return NULL;
	next = get_freepointer(c, obj);
	i = object_index(c, s, obj);
	if (i < 0 || (next && object_index(c, s, next) < 0) ||
	    (SLAB_CHECKS_EXACT && inuse_test(s->inuse_map, (size_t)i))) {
		size_t n = walk_freelist(c, s, obj, c->objects - s->inuse, &bad);

		if (SLAB_CHECKS_EXACT) {
			rebuild_freelist(c, s);
			*corrupt = bad ? bad : obj;
		} else {
			*corrupt = cut_freelist(c, s, &s->freelist, bad ? bad : obj, n,
						c->objects - s->inuse - n);
		}
		obj = s->freelist;
		if (!obj)
			return NULL;
		next = get_freepointer(c, obj);
		i = object_index(c, s, obj);
	}
	s->freelist = next;
	s->inuse++;
	if (SLAB_CHECKS_EXACT)
		inuse_set(s->inuse_map, (size_t)i);
	return obj;
}

/*
 * The fast path declined this CPU's non-empty freelist: a link is damaged
 * (a write after free).  FULL rebuilds the slab's free objects from the
 * bitmap onto the CPU's list; the other levels cut the list at the bad
 * link.  Returns the object to report.  Lock held.
 */
static void *repair_cpu_freelist(struct kmem_cache *c, struct kmem_cache_cpu *cpu)
{
	struct slab *s = cpu->slab;
	void *bad, *head = s->cpu_freelist;
	size_t n = walk_freelist(c, s, head, c->objects, &bad);

	/* Every link sound (the head too: at FULL a head in use is a bad link): nothing to do. */
	if (!bad)
		return NULL;
	if (SLAB_CHECKS_EXACT) {
		rebuild_freelist(c, s);
		s->cpu_freelist = s->freelist;
		s->freelist = NULL;
		s->inuse = c->objects;
		return bad;
	}
	/* A frozen slab counts every object in use already: nothing to add. */
	return cut_freelist(c, s, &s->cpu_freelist, bad, n, 0);
}

/*
 * Refill this CPU's freelist, which is empty: from what was freed into
 * its slab meanwhile, else from a partial, an empty slab; false when a new
 * slab is needed.  Lock held.
 */
static bool refill_cpu(struct kmem_cache *c, struct kmem_cache_cpu *cpu, unsigned int cpuid)
{
	struct slab *s = cpu->slab;

	if (s && s->freelist) {
		s->cpu_freelist = s->freelist;
		s->freelist = NULL;
		s->inuse = c->objects;
		return true;
	}
#if NR_CPUS > 1
	/* Other CPUs' lock-free frees: counted in use already, so just taken. */
	if (s && (s->cpu_freelist = take_remote(s, NULL)))
		return true;
#endif
	if (s) {
		/* Used up: retire it; frees will bring it back. */
		s = unfreeze_slab(c, cpu);
		slab_list_by_count(c, s);
	}
	/* Partial slabs before empty ones: fill what is in use first. */
	s = c->partial.first ? c->partial.first : c->empty.first;
	if (!s)
		return false;
	slab_list_del(list_of(c, s->where), s);
	freeze_slab(c, cpu, s, cpuid);
	return true;
}

/* An object straight from a slab's list (poisoning caches); lock held. */
static void *alloc_from_lists(struct kmem_cache *c, void **corrupt)
{
	for (;;) {
		struct slab *s = c->partial.first ? c->partial.first : c->empty.first;
		void *obj;

		if (!s)
			return NULL;
		obj = pop_slab_object(c, s, corrupt);
		slab_list_del(list_of(c, s->where), s);
		slab_list_by_count(c, s);
		if (obj)
			return obj;
	}
}

/*
 * The allocation itself, lock held: NULL when a new slab is needed.
 * *@corrupt names the object whose damaged link was repaired, if any.
 * The object is counted by the caller.
 */
static void *alloc_locked(struct kmem_cache *c, struct kmem_cache_cpu *cpu, unsigned int cpuid,
			  void **corrupt)
{
	/*
	 * No CPU slab for a debugging cache (every object is checked and
	 * filled here), nor for a kmalloc cache while this CPU is inside a
	 * transaction (kmem_cache_flush_kmalloc_cpu()).
	 */
	if ((c->flags & SLAB_DEBUG_FLAGS) || ((c->flags & SLAB_KMALLOC) && mm_txn_active()))
		return alloc_from_lists(c, corrupt);
	/*
	 * A pop first: the CPU's list may be sound and full again, refilled
	 * by an interrupt's allocation while alloc_slow() had the lock
	 * dropped for a new slab (a tick hook's GFP_ATOMIC kmalloc: repairing
	 * that list cut it and reported a write after free that never
	 * happened, the coverage run's mm_smp.gfp_atomic_from_tick_hook).
	 * Only a pop that declines a non-empty list means a damaged link.
	 * Each round refills or repairs: three suffice.
	 */
	for (int round = 0; round < 3; round++) {
		void *obj, *bad;

		if (!*cpu->freelist_at && !refill_cpu(c, cpu, cpuid))
			return NULL;
		obj = slab_alloc_fast(c);
		if (obj) {
			percpu_counter_add(cpu->allocs, -1);
			return obj;
		}
		bad = repair_cpu_freelist(c, cpu);
		if (bad)
			*corrupt = bad;
	}
	panic("slab %s: freelist of slab %p cannot be repaired", c->name, (void *)cpu->slab);
}

/* A request the cache cannot serve: counted by the caller, reported here. */
static void alloc_failed(struct kmem_cache *c, gfp_t flags, const char *why, uintptr_t caller)
{
	struct alloc_request req = {
		.who = c->name, .why = why, .size = c->object_size, .order = (int)c->order,
		.flags = flags, .caller = caller,
	};

	warn_alloc(&req);
}

/*
 * Flags no cache request may carry (zone modifiers: a cache's slabs come
 * from any zone).  Tail-called, as alloc_slow(): _RET_IP_ is the caller's.
 */
static __noinline void *alloc_refused(struct kmem_cache *c, gfp_t flags)
{
	uintptr_t caller = _RET_IP_;

	spin_lock_irqsafe(&c->lock);
	c->failures++;
	spin_unlock_irqsafe(&c->lock);
	alloc_failed(c, flags, "invalid gfp flags", caller);
	return NULL;
}

/* ---- debugging caches: red zones and owners (mm_debug.h) ------------------ */

/* The owner track of @obj (SLAB_STORE_USER). */
static inline struct mm_track *obj_track(const struct kmem_cache *c, const void *obj)
{
	return (struct mm_track *)(void *)((char *)(uintptr_t)obj + track_off(c));
}

/* Count a misuse found outside the lock (poison, a red zone). */
static void count_misuse(struct kmem_cache *c)
{
	spin_lock_irqsafe(&c->lock);
	c->misuse++;
	spin_unlock_irqsafe(&c->lock);
}

/*
 * @obj was just handed out (no lock held): its red zone must still say
 * free (a write past the end of a free object), then says live; its
 * owner is the caller.
 */
static inline void debug_alloc(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	if (DEBUG_REDZONE) {
		uint8_t *rz = (uint8_t *)obj + red_start(c);
		size_t n = red_len(c);

		if (!redzone_check(SLAB_LAYER, obj, c->name, rz, red_start(c), n, RED_INACTIVE,
				   DEBUG_OWNER ? obj_track(c, obj) : NULL))
			count_misuse(c);
		memset(rz, RED_ACTIVE, n);
	}
	if (DEBUG_OWNER)
		mm_track_alloc(obj_track(c, obj), caller);
}

/* What debug_free_locked() saw, for the report made after the lock is dropped. */
struct free_debug {
	uint8_t rz[RED_ZONE_BYTES + sizeof(void *)];
	struct mm_track owner;
};

/*
 * @obj passed the free checks (lock held): keep a copy of its red zone
 * and owner for debug_free_report(), mark the zone free and the owner
 * freed.
 */
static inline void debug_free_locked(struct kmem_cache *c, void *obj, struct free_debug *d,
				     uintptr_t caller)
{
	if (DEBUG_REDZONE) {
		uint8_t *rz = (uint8_t *)obj + red_start(c);

		memcpy(d->rz, rz, red_len(c));
		memset(rz, RED_INACTIVE, red_len(c));
	}
	if (DEBUG_OWNER) {
		d->owner = *obj_track(c, obj);
		mm_track_free(obj_track(c, obj), caller);
	}
}

/* A live object's red zone was broken: report it (the free went ahead). */
static inline void debug_free_report(struct kmem_cache *c, const void *obj,
				     const struct free_debug *d)
{
	if (DEBUG_REDZONE &&
	    !redzone_check(SLAB_LAYER, obj, c->name, d->rz, red_start(c), red_len(c),
			   RED_ACTIVE, DEBUG_OWNER ? &d->owner : NULL))
		count_misuse(c);
}

/*
 * Everything but a sound CPU freelist: refill, a new slab, damage,
 * poison, debugging caches.  Tail-called by
 * kmem_cache_alloc(): _RET_IP_ is its caller (compiler.h).
 */
static __noinline void *alloc_slow(struct kmem_cache *c, gfp_t flags)
{
	uintptr_t caller = _RET_IP_;
	void *corrupt = NULL, *obj;
	unsigned int cpuid = this_cpu();
	struct kmem_cache_cpu *cpu = per_cpu_ptr(c->cpu_slab, cpuid);
	struct slab *fresh;

	spin_lock_irqsafe(&c->lock);
	obj = alloc_locked(c, cpu, cpuid, &corrupt);
	if (!obj) {
		unsigned int colour = next_colour(c);

		spin_unlock_irqsafe(&c->lock);
		slab_reap(flags);
		fresh = allocate_slab(c, colour, flags);
		spin_lock_irqsafe(&c->lock);
		if (fresh) {
			c->nr_slabs++;
			slab_list_add(&c->empty, fresh, SLAB_ON_EMPTY);
			obj = alloc_locked(c, cpu, cpuid, &corrupt);
		}
	}
	if (obj)
		percpu_counter_add(cpu->allocs, 1);
	else if (!mm_failure_injected())   /* a page injected below: not a real failure */
		c->failures++;
	if (corrupt)
		c->misuse++;
	spin_unlock_irqsafe(&c->lock);

	/* One report per alloc: a damaged freelist usually means damaged poison. */
	if (corrupt)
		report(KERR_USE_AFTER_FREE, corrupt);
	if (!obj) {
		if (!mm_failure_injected())
			alloc_failed(c, flags, "out of memory", caller);
		return NULL;
	}
	if ((c->flags & SLAB_POISON) && !unpoison_object(c, obj) && !corrupt) {
		count_misuse(c);
		report(KERR_USE_AFTER_FREE, obj);
	}
	if ((DEBUG_REDZONE || DEBUG_OWNER) && (c->flags & (SLAB_RED_ZONE | SLAB_STORE_USER)))
		debug_alloc(c, obj, caller);
	if (flags & __GFP_ZERO)
		memset(obj, 0, c->object_size);
	return obj;
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t flags)
{
	void *obj;

	MM_DEBUG_ENTRY(void *, kmem_cache_alloc(c, flags));
	if (!c)
		return NULL;
	if (unlikely(flags & ~(__GFP_FAST_OK | __GFP_ZERO)))
		return alloc_refused(c, flags);
	/*
	 * An armed slab fault class decides first (counted by fault_inject.c
	 * alone, reported by no one): the slow path takes a non-empty CPU
	 * freelist for a damaged one.
	 */
	if (fault_should_fail(FAULT_SLAB, mm_api_caller(_RET_IP_)))
		return NULL;
	if (DEBUG_GUARD && (obj = slab_guard_alloc(c, flags)))
		return obj;
	obj = slab_alloc_fast(c);
	if (unlikely(!obj))
		return alloc_slow(c, flags);
	if (unlikely(flags & __GFP_ZERO))
		memset(obj, 0, c->object_size);
	return obj;
}

/* ---- free --------------------------------------------------------------- */

/*
 * May @obj of @s be freed?  0, or what is wrong: not at an object
 * boundary (KERR_BAD_PTR), already free (KERR_DOUBLE_FREE: by the bitmap
 * at FULL; at the other levels only when it heads the freelist it would
 * join, the naive check).  *@index: its place.  Lock held.
 */
static int check_free(struct kmem_cache *c, struct slab *s, const void *obj, size_t *index)
{
	long i = object_index(c, s, obj);

	if (i < 0)
		return KERR_BAD_PTR;
	*index = (size_t)i;
	if (SLAB_CHECKS_EXACT)
		return inuse_test(s->inuse_map, (size_t)i) ? KERR_OK : KERR_DOUBLE_FREE;
	if (!SLAB_CHECKS_HARDEN)
		return KERR_OK;
	if (obj == s->freelist)
		return KERR_DOUBLE_FREE;
	if (s->where == SLAB_ON_CPU && obj == s->cpu_freelist)
		return KERR_DOUBLE_FREE;
	/* Nothing handed out: whatever this is, it is not in use. */
	return s->inuse ? KERR_OK : KERR_DOUBLE_FREE;
}

/* A refused free: counted and reported; c->lock held on entry, released. */
static __noinline int free_refused(struct kmem_cache *c, const void *obj, int err)
{
	c->misuse++;
	spin_unlock_irqsafe(&c->lock);
	report(err, obj);
	return err;
}

/* ---- trimmed slabs (Kconfig SLAB_TRIM) ------------------------------------ */

/* Every object of a slab of @c, bit i for object i (a trimmed slab's live word). */
static unsigned long all_objects(const struct kmem_cache *c)
{
	return c->objects == BITS_PER_LONG ? ~0ul : (1ul << c->objects) - 1;
}

/*
 * The pages of @s its objects in @live touch, bit i for page i; an
 * on-slab descriptor keeps the first page.
 */
static unsigned int touched_pages(const struct kmem_cache *c, const struct slab *s,
				  unsigned long live)
{
	unsigned int pages = c->off_slab ? 0 : 1u;

	for (size_t i = 0; live; i++, live >>= 1) {
		size_t start, end;

		if (!(live & 1ul))
			continue;
		start = (size_t)(s->s_mem - s->pages) + i * c->size;
		end = start + c->size - 1;
		for (size_t p = start / PAGE_SIZE; p <= end / PAGE_SIZE; p++)
			pages |= 1u << p;
	}
	return pages;
}

/*
 * Give back the pages in @pages (bit i: page i of the slab at @base):
 * unmarked here (lock held), chained through their first word onto
 * @chain for free_page_chain() once the lock is dropped.  The slab's
 * descriptor may be in one of them: nothing of it is read here.
 */
static void *release_pages(char *base, unsigned int pages, void *chain)
{
	for (unsigned int p = 0; pages >> p; p++) {
		char *page = base + (size_t)p * PAGE_SIZE;

		if (!((pages >> p) & 1u))
			continue;
		unmark_slab_page(page);
		*(void **)(void *)page = chain;
		chain = page;
	}
	return chain;
}

/* The pages release_pages() chained, back to the page allocator; no lock held. */
static size_t free_page_chain(void *chain)
{
	size_t n = 0;

	while (chain) {
		void *next = *(void **)chain;

		BUG_ON(page_free(chain, 1) != 0);
		chain = next;
		n++;
	}
	mm_front_pages_add(-(long)n);
	return n;
}

/*
 * Is @obj a live object of trimmed slab @s?  A trimmed slab knows its
 * live objects, so this is exact at every check level.  *@index: its
 * place.  Lock held.
 */
static int check_free_trimmed(const struct kmem_cache *c, const struct slab *s,
			      const void *obj, size_t *index)
{
	long i = object_index(c, s, obj);

	if (i < 0)
		return KERR_BAD_PTR;
	*index = (size_t)i;
	return (s->live >> i) & 1ul ? KERR_OK : KERR_DOUBLE_FREE;
}

/*
 * Free @obj of trimmed slab @s (lock held, released here): checked, then
 * the pages no live object touches any more go back, and with the last
 * object the slab.
 */
static int free_trimmed(struct kmem_cache *c, struct slab *s, void *obj,
			struct kmem_cache_cpu *cpu)
{
	unsigned int unused;
	size_t i = 0;
	void *chain;
	bool last;
	int err = check_free_trimmed(c, s, obj, &i);

	if (err)
		return free_refused(c, obj, err);
	if (SLAB_CHECKS_EXACT)
		inuse_clear(s->inuse_map, i);
	s->live &= ~(1ul << i);
	s->inuse--;
	percpu_counter_add(cpu->frees, 1);
	last = !s->live;
	/* The last object: every page, the descriptor's first page too. */
	unused = last ? s->kept : s->kept & ~touched_pages(c, s, s->live);
	s->kept &= ~unused;
	if (last) {
		slab_list_del(&c->trimmed, s);
		c->nr_slabs--;
	}
	chain = release_pages(s->pages, unused, NULL);   /* s is not read past this */
	spin_unlock_irqsafe(&c->lock);
	if (last && c->off_slab)
		kmem_cache_free(&kmem_slab_boot, s);
	free_page_chain(chain);
	return KERR_OK;
}

/*
 * The objects of @s in use, bit i for object i: all but those on its
 * freelist.  false when the list does not add up (damaged).
 */
static bool live_objects(const struct kmem_cache *c, const struct slab *s, unsigned long *live)
{
	unsigned long all = all_objects(c);
	unsigned long free = 0;
	size_t n = 0;

	for (void *p = s->freelist; p; p = get_freepointer(c, p)) {
		long i = object_index(c, s, p);

		if (i < 0 || n++ >= c->objects || ((free >> i) & 1ul))
			return false;
		free |= 1ul << i;
	}
	*live = all & ~free;
	return hweight64(*live) == s->inuse;
}

/*
 * Partial slab @s gives back the pages no live object touches and
 * becomes trimmed (lock held); nothing when its freelist is damaged,
 * every page has a live object or the page allocator cannot split.
 * Returns @chain with the pages for free_page_chain().
 */
static void *trim_slab(struct kmem_cache *c, struct slab *s, void *chain)
{
	unsigned int all = (1u << c->pages) - 1;
	unsigned long live;
	unsigned int keep;

	if (s->damaged || !live_objects(c, s, &live))
		return chain;
	keep = touched_pages(c, s, live);
	/* A strategy that cannot split (KERR_NOSYS) leaves the slab whole. */
	if (keep == all || page_split(s->pages, c->pages) != 0)
		return chain;
	slab_list_del(&c->partial, s);
	s->live = live;   /* the freelist goes: its objects are never handed out again */
	s->kept = keep;
	slab_list_add(&c->trimmed, s, SLAB_TRIMMED);
	return release_pages(s->pages, all & ~keep, chain);
}

/*
 * Partial slabs the reaper looks at in one visit to an idle cache, at
 * most: a bound on what one allocation pays for it (a slab that trims
 * walks its freelist and frees its pages one by one: the increasing
 * pattern's worst single kmalloc() went from 6,478 to 10,543 instructions
 * on x86_64, 82,963 with no bound).  A visit that trimmed and found
 * the batch too small keeps the reaper on the cache, so the next new
 * slab goes on where it stopped: an idle cache's slabs go back within a
 * few allocations, not one round of every cache later (the bench's
 * increasing pattern's survivors pinned whole slabs in between: 1.26
 * times its peak live bytes at four slabs a visit and no staying, 1.07
 * with no bound).
 */
#define TRIM_BATCH 8

/*
 * The reaper found @c idle: its partial slabs trim, TRIM_BATCH at most
 * (lock held); one that cannot moves to the tail.  *@more: the batch
 * ran out after trimming some, and slabs are left to look at.  Returns
 * the pages for free_page_chain().
 */
static void *trim_partial_slabs(struct kmem_cache *c, bool *more)
{
	size_t n = MIN(c->partial.nr, (size_t)TRIM_BATCH), trimmed = 0;
	void *chain = NULL;

	for (size_t k = 0; k < n; k++) {
		struct slab *s = c->partial.first;

		chain = trim_slab(c, s, chain);
		if (s->where == SLAB_TRIMMED)
			trimmed++;
		else
			slab_list_move_tail(&c->partial, s);
	}
	*more = n == TRIM_BATCH && trimmed && c->partial.nr;
	return chain;
}

/*
 * Free @obj of @s past the fast path: into this CPU's freelist when @s is
 * this CPU's slab, else into the slab's own freelist, moving the slab
 * between lists.  Checked first, at the configured level.
 */
static __noinline int free_slow(struct kmem_cache *c, struct slab *s, void *obj)
{
	unsigned int cpuid = this_cpu();
	struct kmem_cache_cpu *cpu = per_cpu_ptr(c->cpu_slab, cpuid);
	struct slab *discard = NULL;
	struct free_debug dbg;
	size_t i = 0;
	int err;

	spin_lock_irqsafe(&c->lock);
	if (unlikely(s->where == SLAB_TRIMMED))
		return free_trimmed(c, s, obj, cpu);
	err = check_free(c, s, obj, &i);
	if (unlikely(err))
		return free_refused(c, obj, err);
	if (SLAB_CHECKS_EXACT)
		inuse_clear(s->inuse_map, i);
	if ((DEBUG_REDZONE || DEBUG_OWNER) && (c->flags & (SLAB_RED_ZONE | SLAB_STORE_USER)))
		debug_free_locked(c, obj, &dbg, _RET_IP_);
	if (c->flags & SLAB_POISON)
		poison_free_object(c, obj);
	if (s == cpu->slab) {
		set_freepointer(c, obj, s->cpu_freelist);
		s->cpu_freelist = obj;
	} else {
		set_freepointer(c, obj, s->freelist);
		s->freelist = obj;
		s->inuse--;
		if (s->where != SLAB_ON_CPU) {
			unsigned int was = s->where;

			/* A full slab becomes partial; a partial one may become empty. */
			if (was == SLAB_ON_FULL || s->inuse == 0) {
				slab_list_del(list_of(c, was), s);
				discard = relist(c, s);
			} else {
				slab_list_move_tail(&c->partial, s);
			}
		}
	}
	percpu_counter_add(cpu->frees, 1);
	if (discard)
		c->nr_slabs--;
	spin_unlock_irqsafe(&c->lock);
	if (DEBUG_REDZONE && (c->flags & SLAB_RED_ZONE))
		debug_free_report(c, obj, &dbg);
	if (discard)
		discard_slab(c, discard);
	return KERR_OK;
}

/* Free @obj, which lies in slab @s of @c. */
static __always_inline int free_object(struct kmem_cache *c, struct slab *s, void *obj)
{
	if (likely(slab_free_fast(c, s, obj)))
		return KERR_OK;
	return free_slow(c, s, obj);
}

int kmem_cache_free_checked(struct kmem_cache *c, const void *objp)
{
	/* The object is the caller's, writable: const only in the API. */
	void *obj = (void *)(uintptr_t)objp;
	struct slab *s;

	MM_DEBUG_ENTRY(int, kmem_cache_free_checked(c, objp));
	if (!obj)
		return KERR_OK;
	if (!c)
		return KERR_INVAL;
	if (DEBUG_GUARD && guard_owns(obj))
		return slab_guard_free(c, obj);
	s = virt_to_slab(obj);
	if (!s || s->cache != c) {
		spin_lock_irqsafe(&c->lock);
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
	/* At SLAB_CHECKS_OFF the lookup is the only check: any cache's object goes. */
	if ((SLAB_CHECKS_EXACT || SLAB_CHECKS_HARDEN) && !(c->flags & SLAB_KMALLOC))
		return KMEM_NOT_KMALLOC;
	*size = c->object_size;
	return free_object(c, s, obj);
}

int kmem_cache_check_live(struct kmem_cache *c, const void *obj)
{
	struct slab *s = virt_to_slab(obj);
	size_t i;
	int err = KERR_BAD_PTR;

	spin_lock_irqsafe(&c->lock);
	if (s && s->cache == c)
		err = s->where == SLAB_TRIMMED ? check_free_trimmed(c, s, obj, &i) :
						 check_free(c, s, obj, &i);
	if (err)
		return free_refused(c, obj, err);
	spin_unlock_irqsafe(&c->lock);
	return 0;
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	MM_DEBUG_ENTRY_VOID(kmem_cache_free(c, obj));
	(void)kmem_cache_free_checked(c, obj);
}

/* ---- caches ------------------------------------------------------------- */

/*
 * Take CPU slabs off their CPUs (settling their counts) onto the lists
 * their counts say.  A CPU's freelist is that CPU's alone: another CPU's
 * is flushed only when @every says nobody uses the cache any more (its
 * destruction); a shrink flushes the caller's, and other CPUs keep theirs
 * until they flush themselves.  Lock held.
 */
static void flush_cpu_slabs(struct kmem_cache *c, bool every)
{
	for_each_possible_cpu(cpu) {
		struct kmem_cache_cpu *kc = per_cpu_ptr(c->cpu_slab, cpu);

		if (!every && cpu != this_cpu())
			continue;
		if (kc->slab)
			slab_list_by_count(c, unfreeze_slab(c, kc));
	}
}

static void flush_kmalloc_cpu(struct kmem_cache *c, void *arg)
{
	(void)arg;
	if (!(c->flags & SLAB_KMALLOC))
		return;
	spin_lock_irqsafe(&c->lock);
	flush_cpu_slabs(c, false);
	spin_unlock_irqsafe(&c->lock);
}

void kmem_cache_flush_kmalloc_cpu(void)
{
	kmem_cache_for_each(flush_kmalloc_cpu, NULL);
}

/* Detach the empty slabs (all slabs if @all) onto a chain; c->lock held. */
static struct slab *detach_slabs(struct kmem_cache *c, bool all, size_t *count)
{
	struct slab *chain = NULL;
	struct slab_list *lists[] = { &c->empty, &c->partial, &c->full };
	size_t nlists = all ? ARRAY_SIZE(lists) : 1;

	flush_cpu_slabs(c, all);
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
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (reap_cursor[cpu] == c)
			reap_cursor[cpu] = c->list_next;
	}
	if (c->list_prev)
		c->list_prev->list_next = c->list_next;
	else
		slab_caches = c->list_next;
	if (c->list_next)
		c->list_next->list_prev = c->list_prev;
}

static struct shrinker slab_shrinker;

/* Set up the two static caches the others are made from, once. */
static void slab_bootstrap(void)
{
	bool first = false;

	spin_lock(&slab_caches_lock);
	if (!slab_up) {
		int err;

		/* kmem_slab must be on slab, or its slabs would need itself. */
		err = cache_setup(&kmem_slab_boot, "kmem_slab", OFF_SLAB_DESC_SIZE, 0, 0, NULL,
				  false);
		BUG_ON(err != KERR_OK);
		err = cache_setup(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache),
				  _Alignof(struct kmem_cache), 0, NULL, true);
		BUG_ON(err != KERR_OK);
		kmem_slab_boot.bootstrap = true;
		kmem_cache_boot.bootstrap = true;
		cache_list_add(&kmem_slab_boot);
		cache_list_add(&kmem_cache_boot);
		slab_up = true;
		first = true;
	}
	spin_unlock(&slab_caches_lock);
	/* Outside slab_caches_lock: a reclaim takes the shrinkers' lock, then that one. */
	if (first)
		register_shrinker(&slab_shrinker);
}

struct kmem_cache *kmem_cache_create_flags(const char *name, size_t size, size_t align,
					   unsigned int flags, void (*ctor)(void *))
{
	struct kmem_cache *c;

	MM_DEBUG_ENTRY(struct kmem_cache *, kmem_cache_create_flags(name, size, align, flags, ctor));
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
	spin_lock_irqsafe(&c->lock);
	if (cache_active_objects(c) || c->bootstrap) {
		c->misuse++;
		spin_unlock_irqsafe(&c->lock);
		report(KERR_INVAL, c);
		return;
	}
	chain = detach_slabs(c, true, &count);
	spin_unlock_irqsafe(&c->lock);
	discard_chain(c, chain);

	spin_lock(&slab_caches_lock);
	cache_list_del(c);
	spin_unlock(&slab_caches_lock);
	kmem_cache_free(&kmem_cache_boot, c);
}

#if NR_CPUS > 1
/*
 * kmem_cache_shrink() on another CPU, in its IPI handler: only a CPU
 * touches its own CPU slab's freelist, so each takes its own slab off.
 */
static void flush_cpu_slab_here(void *arg)
{
	struct kmem_cache *c = arg;
	struct kmem_cache_cpu *kc = this_cpu_ptr(c->cpu_slab);

	spin_lock_irqsafe(&c->lock);
	if (kc->slab)
		slab_list_by_count(c, unfreeze_slab(c, kc));
	spin_unlock_irqsafe(&c->lock);
}

#endif

size_t kmem_cache_shrink(struct kmem_cache *c)
{
	struct slab *chain;
	size_t count;

	if (!c)
		return 0;
	/*
	 * Every other CPU's slab first, through a cross-CPU call (which needs
	 * interrupts on, smp.h: without, only this CPU's goes).
	 */
#if NR_CPUS > 1
	if (irqs_enabled())
		smp_call_function_all(flush_cpu_slab_here, c, true);
#endif
	spin_lock_irqsafe(&c->lock);
	chain = detach_slabs(c, false, &count);
	spin_unlock_irqsafe(&c->lock);
	discard_chain(c, chain);
	return count * slab_pages(c);
}

size_t kmem_cache_trim(struct kmem_cache *c)
{
	void *chain = NULL;
	struct slab *next;

	if (!c || !c->trimmable)
		return 0;
	spin_lock_irqsafe(&c->lock);
	for (struct slab *s = c->partial.first; s; s = next) {
		next = s->next;
		chain = trim_slab(c, s, chain);
	}
	spin_unlock_irqsafe(&c->lock);
	return free_page_chain(chain);
}

/* ---- the reaper: what idle caches keep goes back as others grow -------- */

/*
 * A cache is about to take a new slab (no lock held): first visit the
 * next cache in turn, as Linux's SLAB reaped its caches on a timer.  If
 * this CPU allocated nothing from it since the last visit, it is idle
 * here: its CPU slab (this CPU's; the others are theirs) goes back to
 * the lists and its empty slabs, kept or the CPU's, to the page
 * allocator - kmem_cache_shrink() for this CPU alone.  If no CPU
 * allocated from it either, its partly used slabs give back the pages
 * no live object touches (SLAB_TRIM: trim_partial_slabs(); those slabs
 * are every CPU's to refill from).  One cache per new slab keeps the
 * cost flat and bounded; a visit that trimmed a full batch stays on the
 * cache for the next one.  A list that is busy (another CPU reaping, a
 * walk for statistics, this CPU's own walk interrupted) is skipped, not
 * waited for; __GFP_ATOMIC requests do no reaping.
 */
/* Objects every CPU allocated from @c so far. */
static uint64_t all_allocs(const struct kmem_cache *c)
{
	uint64_t n = 0;

	for_each_possible_cpu(cpu)
		n += percpu_counter_read(per_cpu_ptr(c->cpu_slab, cpu)->allocs);
	return n;
}

static void slab_reap(gfp_t flags)
{
	unsigned int cpuid = this_cpu();
	struct kmem_cache *c;
	struct slab *chain = NULL;
	void *trimmed = NULL;
	size_t count = 0;
	bool more = false;

	if (!IS_ENABLED(CONFIG_SLAB_REAP) || (flags & __GFP_ATOMIC) ||
	    !spin_trylock(&slab_caches_lock))
		return;
	c = reap_cursor[cpuid] ? reap_cursor[cpuid] : slab_caches;
	if (c) {
		struct kmem_cache_cpu *kc = per_cpu_ptr(c->cpu_slab, cpuid);
		uint64_t allocs, every;

		reap_cursor[cpuid] = c->list_next;
		spin_lock_irqsafe(&c->lock);
		allocs = percpu_counter_read(kc->allocs);
		every = all_allocs(c);
		if (allocs == kc->reap_allocs) {
			chain = detach_slabs(c, false, &count);
			if (c->trimmable && every == c->trim_allocs)
				trimmed = trim_partial_slabs(c, &more);
		}
		kc->reap_allocs = allocs;
		c->trim_allocs = every;
		if (more)   /* the next new slab goes on trimming here */
			reap_cursor[cpuid] = c;
		spin_unlock_irqsafe(&c->lock);
		discard_chain(c, chain);
		if (trimmed)
			free_page_chain(trimmed);
	}
	spin_unlock(&slab_caches_lock);
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

/* Length of the freelist at @p (bounded by @limit, in case it is damaged). */
static size_t freelist_length(const struct kmem_cache *c, const void *p, size_t limit)
{
	size_t n = 0;

	for (; p && n < limit; p = get_freepointer(c, p))
		n++;
	return n;
}

/*
 * Objects on CPU slab @s's remote list.  Pushers only put objects on top
 * and the owner takes the list under the lock, which is held: the list
 * under the head read here stays as it is.
 */
static size_t remote_length(const struct kmem_cache *c, const struct slab *s)
{
#if NR_CPUS > 1
	/* Acquire: the free pointers were written before the push. */
	const void *head = __atomic_load_n(&s->remote, __ATOMIC_ACQUIRE);

	return head == SLAB_REMOTE_CLOSED ? 0 : freelist_length(c, head, s->inuse);
#else
	(void)c;
	(void)s;
	return 0;
#endif
}

/*
 * Objects of CPU slab @s handed out: neither on its CPU's list, nor its
 * remote list, nor its own.  Lock held, and the calling CPU owns @s: another
 * CPU's freelist changes under it without the lock.
 */
static size_t cpu_slab_inuse(const struct kmem_cache *c, const struct slab *s)
{
	size_t free = freelist_length(c, s->cpu_freelist, s->inuse) + remote_length(c, s);

	return s->inuse > free ? s->inuse - free : 0;
}

void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	spin_lock_irqsafe(&c->lock);
	st->name = c->name;
	st->object_size = c->object_size;
	st->size = c->size;
	st->align = c->align;
	st->order = c->order;
	st->pages_per_slab = c->pages;
	st->objects_per_slab = c->objects;
	st->off_slab = c->off_slab;
	st->active_objects = cache_active_objects(c);
	st->total_objects = c->nr_slabs * c->objects;
	if (DEBUG_GUARD)   /* slab_guard.c: counted as active, so as objects */
		st->total_objects += guard_live_of(c);
	st->slabs_full = c->full.nr;
	st->slabs_partial = c->partial.nr;
	st->slabs_empty = c->empty.nr;
	for_each_possible_cpu(cpu) {
		const struct slab *s = per_cpu_ptr(c->cpu_slab, cpu)->slab;
		size_t inuse;

		if (!s)
			continue;
#if NR_CPUS > 1
		/* Another CPU's slab: in use as far as this CPU can tell. */
		if (cpu != this_cpu()) {
			st->slabs_partial++;
			continue;
		}
#endif
		inuse = cpu_slab_inuse(c, s);
		if (inuse == 0)
			st->slabs_empty++;
		else if (inuse == c->objects)
			st->slabs_full++;
		else
			st->slabs_partial++;
	}
	st->pages = c->nr_slabs * slab_pages(c);
	st->meta_bytes = c->nr_slabs * c->desc_size;
	/* A trimmed slab holds its kept pages and its live objects, no free one. */
	st->slabs_trimmed = c->trimmed.nr;
	for (const struct slab *s = c->trimmed.first; s; s = s->next) {
		st->pages -= c->pages - hweight64(s->kept);
		st->total_objects -= c->objects - s->inuse;
	}
	for_each_possible_cpu(cpu) {
		const struct kmem_cache_cpu *kc = per_cpu_ptr(c->cpu_slab, cpu);

		st->counters.allocs += percpu_counter_read(kc->allocs);
		st->counters.frees += percpu_counter_read(kc->frees);
#if NR_CPUS > 1
		st->remote_frees += percpu_counter_read(kc->remote_frees);
#endif
	}
	st->counters.failures = c->failures;
	st->counters.misuse = c->misuse;
	spin_unlock_irqsafe(&c->lock);
}

void kmem_cache_for_each(void (*fn)(struct kmem_cache *c, void *arg), void *arg)
{
	spin_lock(&slab_caches_lock);
	for (struct kmem_cache *c = slab_caches; c; c = c->list_next)
		fn(c, arg);
	spin_unlock(&slab_caches_lock);
}

/* ---- the shrinker: empty slabs back to the page allocator under pressure ---- */

static void count_empty(struct kmem_cache *c, void *arg)
{
	spin_lock_irqsafe(&c->lock);
	*(size_t *)arg += c->empty.nr * slab_pages(c);
	spin_unlock_irqsafe(&c->lock);
}

static size_t slab_shrinker_count(void)
{
	size_t pages = 0;

	kmem_cache_for_each(count_empty, &pages);
	return pages;
}

static void shrink_one(struct kmem_cache *c, void *arg)
{
	*(size_t *)arg += kmem_cache_shrink(c);
}

/* Every cache's empty slabs (SLAB_KEEP_EMPTY kept them for reuse), whatever is asked. */
static size_t slab_shrinker_scan(size_t nr)
{
	size_t pages = 0;

	(void)nr;
	kmem_cache_for_each(shrink_one, &pages);
	return pages;
}

static struct shrinker slab_shrinker = {
	.name = "slab",
	.count = slab_shrinker_count,
	.scan = slab_shrinker_scan,
};

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

#if NR_CPUS > 1
static void print_remote(struct kmem_cache *c, void *arg)
{
	uint64_t n = 0;

	for_each_possible_cpu(cpu)
		n += percpu_counter_read(per_cpu_ptr(c->cpu_slab, cpu)->remote_frees);
	if (!n)
		return;
	printk("mmkit: remote frees: %llu %s\n", (unsigned long long)n, c->name);
	*(uint64_t *)arg += n;
}

void kmem_cache_print_remote_frees(void)
{
	uint64_t total = 0;

	kmem_cache_for_each(print_remote, &total);
	printk("mmkit: remote frees: %llu in all\n", (unsigned long long)total);
}
#endif

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

/*
 * Every link of the list at @head is a free object of @s (inside, on a
 * boundary, free by the bitmap at FULL), and there are exactly @expect of
 * them; with the bitmap also no object twice.
 */
static bool check_freelist(struct kmem_cache *c, struct slab *s, void *head, size_t expect,
			   const char *which)
{
	size_t n = 0;

	for (void *p = head; p; p = get_freepointer(c, p)) {
		long i = object_index(c, s, p);

		CHECK(n < expect, "slab %p: %s freelist longer than %zu", (void *)s, which, expect);
		CHECK(i >= 0, "slab %p: %s freelist holds %p", (void *)s, which, p);
		if (SLAB_CHECKS_EXACT)
			CHECK(!inuse_test(s->inuse_map, (size_t)i),
			      "slab %p: %s freelist holds %p, in use", (void *)s, which, p);
		n++;
	}
	CHECK(n == expect, "slab %p: %zu on the %s freelist, %zu free", (void *)s, n, which,
	      expect);
	return true;
}

/*
 * The first object whose red zone is broken, copied for the report after
 * the lock: per CPU, since checks of different caches run at once.
 */
struct rz_damage {
	const void *obj;
	uint8_t rz[RED_ZONE_BYTES + sizeof(void *)];
	uint8_t expect;
	struct mm_track owner;
} ____cacheline_aligned_in_smp;
static DEFINE_PER_CPU(struct rz_damage, rz_damage);

/*
 * Every object's red zone reads one byte throughout: RED_ACTIVE or
 * RED_INACTIVE (with owners, the one its track says).  The first that
 * does not is kept in rz_damage for kmem_cache_check() to report.
 */
static inline bool check_redzones(struct kmem_cache *c, struct slab *s)
{
	size_t n = red_len(c);

	for (size_t i = 0; i < c->objects; i++) {
		const char *obj = s->s_mem + i * c->size;
		const uint8_t *rz = (const uint8_t *)obj + red_start(c);
		uint8_t expect = rz[0] == RED_ACTIVE ? RED_ACTIVE : RED_INACTIVE;

		if (DEBUG_OWNER)
			expect = obj_track(c, obj)->live ? RED_ACTIVE : RED_INACTIVE;
		for (size_t j = 0; j < n; j++) {
			if (rz[j] != expect) {
				struct rz_damage *d = this_cpu_ptr(rz_damage);

				d->obj = obj;
				memcpy(d->rz, rz, n);
				d->expect = expect;
				if (DEBUG_OWNER)
					d->owner = *obj_track(c, obj);
				return false;
			}
		}
	}
	return true;
}

/*
 * One slab: its count, freelists (the CPU's too, for a CPU slab), bitmap,
 * page marks and red zones agree.  Returns its objects in use in *@inuse.
 */
static bool check_slab(struct kmem_cache *c, struct slab *s, unsigned int where, size_t *inuse)
{
	size_t on_cpu = 0;

	CHECK(s->cache == c, "slab %p: cache %p", (void *)s, (void *)s->cache);
	CHECK(s->where == where, "slab %p: where %u, expected %u", (void *)s, s->where, where);
	CHECK(s->inuse <= c->objects, "slab %p: inuse %u of %u", (void *)s, s->inuse, c->objects);
	if (where == SLAB_ON_CPU) {
		size_t remote = remote_length(c, s);

		on_cpu = freelist_length(c, s->cpu_freelist, c->objects + 1);
		if (!check_freelist(c, s, s->cpu_freelist, on_cpu, "CPU"))
			return false;
#if NR_CPUS > 1
		if (remote && !check_freelist(c, s, __atomic_load_n(&s->remote, __ATOMIC_ACQUIRE),
					      remote, "remote"))
			return false;
#endif
		on_cpu += remote;
		CHECK(on_cpu <= s->inuse, "slab %p: %zu on the CPU freelist, inuse %u", (void *)s,
		      on_cpu, s->inuse);
	}
	if (!check_freelist(c, s, s->freelist, c->objects - s->inuse, "slab"))
		return false;
	*inuse = s->inuse - on_cpu;
	if (SLAB_CHECKS_EXACT) {
		size_t used = 0;

		for (size_t i = 0; i < c->objects; i++)
			used += inuse_test(s->inuse_map, i);
		CHECK(used == *inuse, "slab %p: %zu in use, bitmap %zu", (void *)s, *inuse, used);
	}
	for (size_t i = 0; i < slab_pages(c); i++) {
		const struct page *pg = virt_to_page(s->pages + i * PAGE_SIZE);

		CHECK(pg && (pg->flags & PG_SLAB) && pg->owner == s,
		      "slab %p: page %zu not marked", (void *)s, i);
	}
	if (DEBUG_REDZONE && (c->flags & SLAB_RED_ZONE) && !check_redzones(c, s))
		return false;
	if (where == SLAB_ON_FULL)
		CHECK(s->inuse == c->objects, "slab %p on full list: inuse %u", (void *)s, s->inuse);
	if (where == SLAB_ON_PARTIAL)
		CHECK(s->inuse > 0 && s->inuse < c->objects,
		      "slab %p on partial list: inuse %u", (void *)s, s->inuse);
	if (where == SLAB_ON_EMPTY)
		CHECK(s->inuse == 0, "slab %p on empty list: inuse %u", (void *)s, s->inuse);
	return true;
}

/*
 * A trimmed slab: its count and live objects agree (with the bitmap at
 * FULL), its live objects lie in pages it kept, and exactly its kept
 * pages are marked as its own.
 */
static bool check_trimmed(struct kmem_cache *c, struct slab *s)
{
	unsigned long all = all_objects(c);

	CHECK(s->cache == c, "slab %p: cache %p", (void *)s, (void *)s->cache);
	CHECK(s->where == SLAB_TRIMMED, "slab %p: where %u on the trimmed list", (void *)s,
	      s->where);
	CHECK(s->live && !(s->live & ~all) && hweight64(s->live) == s->inuse,
	      "trimmed slab %p: live 0x%lx, inuse %u", (void *)s, s->live, s->inuse);
	CHECK(!(touched_pages(c, s, s->live) & ~s->kept),
	      "trimmed slab %p: live objects in pages given back (kept 0x%x)", (void *)s, s->kept);
	if (SLAB_CHECKS_EXACT) {
		for (size_t i = 0; i < c->objects; i++)
			CHECK(inuse_test(s->inuse_map, i) == ((s->live >> i) & 1ul),
			      "trimmed slab %p: object %zu in the bitmap, not in live", (void *)s, i);
	}
	for (unsigned int p = 0; p < c->pages; p++) {
		const struct page *pg = virt_to_page(s->pages + (size_t)p * PAGE_SIZE);
		bool mine = pg && (pg->flags & PG_SLAB) && pg->owner == s;

		CHECK(mine == ((s->kept >> p) & 1u), "trimmed slab %p: page %u %s", (void *)s, p,
		      mine ? "given back but marked" : "kept but not marked");
	}
	return true;
}

static bool check_locked(struct kmem_cache *c)
{
	const struct slab_list *lists[] = { &c->partial, &c->full, &c->empty };
	const unsigned int wheres[] = { SLAB_ON_PARTIAL, SLAB_ON_FULL, SLAB_ON_EMPTY };
	size_t slabs = 0, active = 0, inuse;
	bool damaged = false;

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		size_t n = 0;
		struct slab *prev = NULL;

		for (struct slab *s = lists[l]->first; s; s = s->next) {
			CHECK(n < lists[l]->nr, "list %u longer than %zu", wheres[l], lists[l]->nr);
			CHECK(s->prev == prev, "slab %p: bad back link", (void *)s);
			if (!check_slab(c, s, wheres[l], &inuse))
				return false;
			active += inuse;
			damaged |= s->damaged;
			prev = s;
			n++;
		}
		CHECK(n == lists[l]->nr, "list %u: %zu slabs, nr %zu", wheres[l], n, lists[l]->nr);
		slabs += n;
	}
	{
		size_t n = 0;

		for (struct slab *s = c->trimmed.first; s; s = s->next, n++) {
			CHECK(n < c->trimmed.nr, "trimmed list longer than %zu", c->trimmed.nr);
			if (!check_trimmed(c, s))
				return false;
			active += s->inuse;
		}
		CHECK(n == c->trimmed.nr, "trimmed list: %zu slabs, nr %zu", n, c->trimmed.nr);
		CHECK(!n || c->trimmable, "%zu trimmed slabs in a cache that does not trim", n);
		slabs += n;
	}
	CHECK(!slab_no_cpu_freelist, "the no-slab freelist holds %p", slab_no_cpu_freelist);
	for_each_possible_cpu(cpu) {
		const struct kmem_cache_cpu *kc = per_cpu_ptr(c->cpu_slab, cpu);
		struct slab *s = kc->slab;

		CHECK(kc->freelist_at == (s ? &s->cpu_freelist : &slab_no_cpu_freelist),
		      "CPU %u: freelist at %p, slab %p", cpu, (void *)kc->freelist_at, (void *)s);
		if (!s)
			continue;
		CHECK(s->cpu == cpu, "CPU %u slab %p says CPU %u", cpu, (void *)s, s->cpu);
		if (!check_slab(c, s, SLAB_ON_CPU, &inuse))
			return false;
		active += inuse;
		damaged |= s->damaged;
		slabs++;
	}
	CHECK(slabs == c->nr_slabs, "%zu slabs found, nr_slabs %zu", slabs, c->nr_slabs);
	/* Guard objects (slab_guard.c) are counted and live outside the slabs. */
	if (DEBUG_GUARD)
		active += guard_live_of(c);
	/* Objects lost past a cut count as in use: then only a bound holds. */
	CHECK(active == cache_active_objects(c) || (damaged && active > cache_active_objects(c)),
	      "%zu objects in use, active %zu", active, cache_active_objects(c));
	CHECK(c->empty.nr <= c->keep_empty, "%zu empty slabs kept, limit %zu", c->empty.nr,
	      c->keep_empty);
	return true;
}

bool kmem_cache_check(struct kmem_cache *c)
{
	struct rz_damage *d = this_cpu_ptr(rz_damage);
	bool ok;

	spin_lock_irqsafe(&c->lock);
	d->obj = NULL;
	ok = check_locked(c);
	spin_unlock_irqsafe(&c->lock);
	if (DEBUG_GUARD && !guard_check_of(c))
		ok = false;
	if (DEBUG_REDZONE && d->obj) {
		(void)redzone_check(SLAB_LAYER, d->obj, c->name, d->rz, red_start(c),
				    red_len(c), d->expect,
				    DEBUG_OWNER ? &d->owner : NULL);
		count_misuse(c);
	}
	return ok;
}

/* ---- owners and leaks (DEBUG_OWNER, DEBUG_LEAK) ---------------------------- */

#ifdef CONFIG_DEBUG_OWNER
bool slab_owner_of(const void *addr, struct mm_track *t, const void **base)
{
	const struct slab *s = virt_to_slab(addr);
	const struct kmem_cache *c;
	uintptr_t off;

	if (!DEBUG_OWNER || !s || !(s->cache->flags & SLAB_STORE_USER))
		return false;
	c = s->cache;
	off = (uintptr_t)addr - (uintptr_t)s->s_mem;
	if ((uintptr_t)addr < (uintptr_t)s->s_mem || off >= c->objects_span)
		return false;
	*base = s->s_mem + off / c->size * c->size;
	*t = *obj_track(c, *base);
	return true;
}

struct mm_track *slab_track_of(const void *obj)
{
	const struct slab *s = virt_to_slab(obj);

	if (!DEBUG_OWNER || !s || !(s->cache->flags & SLAB_STORE_USER) ||
	    object_index(s->cache, s, obj) < 0)
		return NULL;
	return obj_track(s->cache, obj);
}

#endif /* CONFIG_DEBUG_OWNER */

#ifdef CONFIG_DEBUG_LEAK
/* Live objects of @s numbered after the mark; lock held. */
static size_t slab_leaks_in(struct kmem_cache *c, const struct slab *s, uint64_t mark)
{
	size_t n = 0;

	for (size_t i = 0; i < c->objects; i++) {
		const char *obj = s->s_mem + i * c->size;
		const struct mm_track *t = obj_track(c, obj);

		if (t->live && !t->held && t->seq > mark) {
			char what[KMEM_CACHE_NAME_LEN + 8] = "object of ";

			memcpy(what + 10, c->name, KMEM_CACHE_NAME_LEN - 2);
			what[sizeof(what) - 1] = '\0';
			mm_leak_print(what, obj, c->object_size, t);
			n++;
		}
	}
	return n;
}

struct leak_walk {
	uint64_t mark;
	size_t n;
};

static void cache_leaks(struct kmem_cache *c, void *arg)
{
	struct leak_walk *w = arg;
	const struct slab_list *lists[] = { &c->partial, &c->full, &c->empty };

	/* Off-slab descriptors are the slab layer's own, held for its slabs. */
	if (c == &kmem_slab_boot || !(c->flags & SLAB_STORE_USER))
		return;
	spin_lock_irqsafe(&c->lock);
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		for (const struct slab *s = lists[l]->first; s; s = s->next)
			w->n += slab_leaks_in(c, s, w->mark);
	}
	for_each_possible_cpu(cpu) {
		const struct slab *s = per_cpu_ptr(c->cpu_slab, cpu)->slab;

		if (s)
			w->n += slab_leaks_in(c, s, w->mark);
	}
	spin_unlock_irqsafe(&c->lock);
}

size_t slab_leaks(uint64_t mark)
{
	struct leak_walk w = { .mark = mark };

	if (!DEBUG_LEAK)
		return 0;
	kmem_cache_for_each(cache_leaks, &w);
	return w.n;
}
#endif /* CONFIG_DEBUG_LEAK */
