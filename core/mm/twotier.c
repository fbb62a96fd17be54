/*
 * twotier.c - TwoTier: kmalloc from slab caches of generated size classes,
 * and whole pages above the largest class (see core/include/twotier.h).
 *
 * Used by the kmalloc front of the TwoTier mode, and of the Hybrid mode as
 * its first choice.  Nothing here varies with the mode: the front
 * (kmalloc_twotier.c, kmalloc_hybrid.c) decides when to call it.
 */
#include <stdint.h>

#include "compiler.h"
#include "kerrno.h"
#include "kernel.h"
#include "kmalloc_classes.h"
#include "kmalloc_front.h"
#include "kstring.h"
#include "mm_misuse.h"
#include "mm_stats.h"
#include "page_alloc.h"
#include "printk.h"
#include "slab.h"
#include "twotier.h"
#include "twotier_fast.h"

struct kmem_cache *kmalloc_caches[KMALLOC_NR_CLASSES];
struct kmem_cache *kmalloc_cache_table[KMALLOC_MAX_CLASS_SIZE / KMALLOC_CLASS_GRANULE];

/* The stand-in for a class without a cache: no CPU slab, so never a fast hit. */
static struct kmem_cache no_cache;

/* Largest power of two dividing @size, at most a page: a class's alignment. */
static size_t class_align(size_t size)
{
	size_t align = size & -size;

	return align < PAGE_SIZE ? align : PAGE_SIZE;
}

void twotier_init(void)
{
	kmem_cache_cpu_init(&no_cache);
	for (unsigned int i = 0; i < KMALLOC_NR_CLASSES; i++) {
		size_t size = kmalloc_class_size[i];

		kmalloc_caches[i] = kmem_cache_create_flags(kmalloc_class_name[i], size,
							    class_align(size), SLAB_KMALLOC, NULL);
		/* Fallible: requests of this class will fail, the kernel goes on. */
		if (!kmalloc_caches[i])
			printk("mm: no slab cache %s; its requests will fail\n",
			       kmalloc_class_name[i]);
	}
	/* Slot k: sizes up to (k + 1) granules, lookup entry k + 1 (twotier_fast.h). */
	for (size_t k = 0; k < ARRAY_SIZE(kmalloc_cache_table); k++) {
		struct kmem_cache *c = kmalloc_caches[kmalloc_class_lookup[k + 1]];

		kmalloc_cache_table[k] = c ? c : &no_cache;
	}
}

/* The kmalloc cache @p is an object of, or NULL (not a slab, or another cache). */
static struct kmem_cache *kmalloc_cache_of(const void *p)
{
	struct kmem_cache *c = kmem_cache_of(p);

	/* Only twotier_init() makes SLAB_KMALLOC caches: the flag says "ours". */
	return c && (kmem_cache_flags(c) & SLAB_KMALLOC) ? c : NULL;
}

/* The head page of a live large allocation at @p, or NULL. */
static struct page *large_head(const void *p)
{
	struct page *pg = virt_to_page(p);

	if (!pg || !(pg->flags & PG_LARGE) || page_to_virt(pg) != p)
		return NULL;
	return pg;
}

static int large_alloc(size_t size, gfp_t flags, void **out, struct kmalloc_sizes *sz)
{
	size_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;   /* size <= KMALLOC_SIZE_MAX */
	struct page *pg;
	void *p;

	*out = NULL;
	if (npages > UINT32_MAX)
		return KERR_NOMEM;
	p = page_alloc(npages, flags);
	if (!p)
		return KERR_NOMEM;
	/* page_alloc() recorded the length in the head (npages); the size is ours. */
	pg = virt_to_page(p);
	pg->flags |= PG_LARGE;
	pg->requested = size;
	mm_front_pages_add((long)npages);
	sz->requested = size;
	sz->granted = npages << PAGE_SHIFT;
	sz->by_cache = false;
	*out = p;
	return 0;
}

int twotier_alloc(size_t size, size_t align, gfp_t flags, void **out, struct kmalloc_sizes *sz)
{
	unsigned int i;

	if (size > KMALLOC_MAX_CLASS_SIZE)
		return large_alloc(size, flags, out, sz);
	i = kmalloc_size_class(size);
	/*
	 * Every class keeps KMALLOC_MIN_ALIGN, so a plain request stops at
	 * once; a stricter one moves up to the first class aligned enough,
	 * else to whole pages.
	 */
	if (align > KMALLOC_MIN_ALIGN) {
		while (i < KMALLOC_NR_CLASSES && class_align(kmalloc_class_size[i]) < align)
			i++;
		if (i == KMALLOC_NR_CLASSES)
			return large_alloc(size, flags, out, sz);
	}
	*out = kmalloc_caches[i] ? kmem_cache_alloc(kmalloc_caches[i], flags) : NULL;
	/* Slab objects keep no requested size (mm.h): they count as their class. */
	sz->requested = sz->granted = kmalloc_class_size[i];
	sz->by_cache = true;
	return *out ? 0 : KERR_NOMEM;
}

/*
 * @p is neither a kmalloc slab object nor the head of a live large
 * allocation: report what it is.  A page sitting on a per-CPU list was
 * freed already; anything else is foreign to us.
 */
static int not_ours(const void *p)
{
	struct page *pg = virt_to_page(p);
	int err = pg && (pg->flags & PG_PCP) ? KERR_DOUBLE_FREE : KERR_BAD_PTR;

	mm_report_misuse("kmalloc", err, p);
	return err;
}

/* twotier_free() of what is not a kmalloc slab object: whole pages, or misuse. */
static __noinline int free_not_slab(const void *p, struct kmalloc_sizes *sz)
{
	struct page *pg = large_head(p);
	struct kmalloc_sizes had;
	int err;

	if (!pg)
		return not_ours(p);
	had.requested = pg->requested;
	had.granted = (size_t)pg->npages << PAGE_SHIFT;
	had.by_cache = false;
	err = page_free((void *)(uintptr_t)p, pg->npages);
	if (!err) {
		*sz = had;
		mm_front_pages_add(-(long)(had.granted >> PAGE_SHIFT));
	}
	return err;
}

int twotier_free(const void *p, struct kmalloc_sizes *sz)
{
	size_t size;
	int err = kmem_cache_kfree(p, &size);

	if (unlikely(err == KMEM_NOT_KMALLOC))
		return free_not_slab(p, sz);
	if (likely(!err)) {
		sz->requested = sz->granted = size;
		sz->by_cache = true;
	}
	return err;
}

size_t twotier_usable_size(const void *p)
{
	struct kmem_cache *c = kmalloc_cache_of(p);
	struct page *pg;

	if (c)
		return kmem_cache_size(c);
	pg = large_head(p);
	return pg ? (size_t)pg->npages << PAGE_SHIFT : 0;
}

void twotier_sizes(const void *p, struct kmalloc_sizes *sz)
{
	struct page *pg = large_head(p);

	sz->granted = twotier_usable_size(p);
	/* Slab objects keep no requested size (mm.h): they count as their class. */
	sz->requested = pg ? pg->requested : sz->granted;
	sz->by_cache = !pg && sz->granted;
}

int twotier_resize_in_place(void *p, size_t size)
{
	struct kmem_cache *c = kmalloc_cache_of(p);
	struct page *pg;
	int err;

	if (c) {
		/* A freed object's class still matches: liveness first. */
		err = kmem_cache_check_live(c, p);
		if (err)
			return err;
		return size <= KMALLOC_MAX_CLASS_SIZE &&
		       kmalloc_caches[kmalloc_size_class(size)] == c ? 0 : 1;
	}
	pg = large_head(p);
	if (!pg)
		return not_ours(p);
	if (size <= KMALLOC_MAX_CLASS_SIZE || (size + PAGE_SIZE - 1) / PAGE_SIZE != pg->npages)
		return 1;
	pg->requested = size;
	return 0;
}

size_t kmalloc_size_roundup(size_t size)
{
	if (!size || size > KMALLOC_SIZE_MAX)
		return 0;
	if (size <= KMALLOC_MAX_CLASS_SIZE)
		return kmalloc_class_size[kmalloc_size_class(size)];
	return ALIGN_UP(size, PAGE_SIZE);
}

/* ---- figures over every slab cache --------------------------------------- */

static void add_cache(struct kmem_cache *c, void *arg)
{
	struct mm_stats *st = arg;
	struct kmem_cache_stats cs;

	kmem_cache_get_stats(c, &cs);
	st->slab_caches++;
	st->slab_active_objects += cs.active_objects;
	st->slab_total_objects += cs.total_objects;
	st->slab_pages += cs.pages;
	st->front_meta_bytes += cs.meta_bytes;
	/* kmalloc's objects are counted by their caches, not by kmalloc.c. */
	if (kmem_cache_flags(c) & SLAB_KMALLOC) {
		st->counters.allocs += cs.counters.allocs;
		st->counters.frees += cs.counters.frees;
		st->live_objects += cs.active_objects;
		st->bytes_granted += cs.active_objects * cs.object_size;
		st->bytes_requested += cs.active_objects * cs.object_size;
	}
}

/*
 * Add every slab cache's figures to @st (the bootstrap caches included),
 * and the kmalloc caches' objects to the kmalloc figures.
 */
void twotier_stats(struct mm_stats *st)
{
	kmem_cache_for_each(add_cache, st);
}

static void shrink_cache(struct kmem_cache *c, void *arg)
{
	*(size_t *)arg += kmem_cache_shrink(c) + kmem_cache_trim(c);
}

/*
 * Every cache, in list order: the bootstrap caches come last, after the
 * caches whose off-slab descriptors they hold have given theirs back.
 */
size_t twotier_shrink(void)
{
	size_t pages = 0;

	kmem_cache_for_each(shrink_cache, &pages);
	return pages;
}

int kmalloc_front_move(void *p, size_t old_usable, size_t size, gfp_t flags,
		       int (*alloc)(size_t size, size_t align, gfp_t flags, void **out,
				    struct kmalloc_sizes *sz),
		       void **out)
{
	struct kmalloc_sizes sz;
	void *q;
	int err = alloc(size, KMALLOC_MIN_ALIGN, flags, &q, &sz);

	if (err) {
		*out = NULL;
		return err;
	}
	memcpy(q, p, MIN(old_usable, size));
	err = kmalloc_front_free(p, &sz);
	if (err) {
		(void)kmalloc_front_free(q, &sz);
		*out = NULL;
		return err;
	}
	*out = q;
	return 0;
}
