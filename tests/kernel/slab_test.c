/*
 * slab_test.c - slab caches (core/mm/slab.c) over the global page allocator.
 *
 * Every case makes its own caches and destroys them.  The cache's own
 * statistics are checked exactly after each step, kmem_cache_check()
 * verifies lists, bitmaps and freelists, and where pages come and go the
 * global free-page count is checked as well.
 *
 * Empty slabs: the cache keeps up to KEEP_EMPTY on its empty list; a CPU
 * slab stays with its CPU, empty or not, until the CPU moves on or a
 * shrink takes it (as SLUB's frozen slabs), and statistics count it by
 * its state.  The misuse cases run one class each and expect detection
 * exactly where the configured check level promises it
 * (slab_checks_catch()); elsewhere they skip, saying so.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitops.h"
#include "cache_stats_of.h"
#include "debug_guard.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "guard_off.h"
#include "ktest.h"
#include "mm.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "poison.h"
#include "slab.h"
#include "take_all.h"

#define KEEP_EMPTY ((size_t)CONFIG_SLAB_KEEP_EMPTY)
/* Empty slabs on the list, from @n that became empty there. */
#define KEPT(n) MIN(KEEP_EMPTY, (size_t)(n))

/* Skip a misuse case whose class the configured level does not catch. */
#define SKIP_UNLESS_CAUGHT(t, m)                                                  \
	do {                                                                      \
		if (MM_MISUSE_PANICS)                                             \
			KT_SKIP(t, "misuse panics (CONFIG_MM_PANIC_ON_MISUSE)");  \
		if (!slab_checks_catch(m))                                        \
			KT_SKIP(t, "not caught at this SLAB_CHECKS level");       \
	} while (0)

/*
 * Enough for SLAB_KEEP_EMPTY plus three slabs of the cases' caches: a
 * 128-byte cache's slab holds at most 63 objects (two pages, when
 * SLAB_MIN_OBJECTS asks for 32), so 64 a slab (randconfig seed 1010:
 * KEEP_EMPTY=64 with SLAB_MIN_OBJECTS=32 wanted 67 x 63), and never
 * fewer than the other cases use.
 */
#define OBJS_MAX MAX((size_t)4096, (KEEP_EMPTY + 3) * 64)
static void *objs[OBJS_MAX];

/*
 * Free pages now.  Cases that count pages across new slabs read it first
 * after settled_free_pages(): a new slab may have the reaper (SLAB_REAP)
 * give back another cache's idle slab in the middle of the count.
 */
static size_t global_free_pages(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st.free_pages;
}

/* Free pages with every cache emptied first: nothing idle left to reap. */
static size_t settled_free_pages(void)
{
	mm_drain_caches();
	return global_free_pages();
}

/* CPU slabs @c can hold on this CPU: none when it poisons (every call is slow). */
static size_t cpu_slabs(const struct kmem_cache *c)
{
	return kmem_cache_flags(c) & SLAB_DEBUG_FLAGS ? 0 : 1;
}

static struct kmem_cache_stats cache_stats(struct kmem_cache *c)
{
	struct kmem_cache_stats st;

	kmem_cache_get_stats(c, &st);
	return st;
}

static uint8_t pattern(size_t i, size_t j)
{
	return (uint8_t)(i * 131 + j * 7 + 1);
}

/* Allocate @n objects into objs[], fill each with its own pattern. */
static size_t alloc_filled(struct ktest *t, struct kmem_cache *c, size_t n)
{
	size_t size = kmem_cache_size(c), i;

	for (i = 0; i < n; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!objs[i])
			break;
		KT_EXPECT_PTR_EQ(t, kmem_cache_of(objs[i]), c);
		for (size_t j = 0; j < size; j++)
			((uint8_t *)objs[i])[j] = pattern(i, j);
	}
	return i;
}

/* Every object still holds its pattern: none overlaps another. */
static bool patterns_intact(struct ktest *t, struct kmem_cache *c, size_t n)
{
	size_t size = kmem_cache_size(c);
	unsigned int before = t->failures;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < size; j++) {
			if (((uint8_t *)objs[i])[j] != pattern(i, j)) {
				KT_FAIL(t, "%s: object %zu byte %zu overwritten", kmem_cache_name(c), i, j);
				return false;
			}
		}
	}
	return t->failures == before;
}

static void free_all(struct ktest *t, struct kmem_cache *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		KT_EXPECT_EQ(t, kmem_cache_free_checked(c, objs[i]), 0);
}

/* Objects of many sizes, odd ones included: distinct, writable, in slabs of
 * a sensible order, and all back after the frees. */
static void slab_object_sizes(struct ktest *t)
{
	static const size_t sizes[] = { 8, 16, 24, 32, 64, 96, 128, 200, 256, 500,
					512, 1000, 1024, 2048, 3000, 4096, 5000, 20000 };

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct kmem_cache *c;
		struct kmem_cache_stats st;
		size_t n, got;

		if (sizes[k] > KMEM_CACHE_MAX_OBJECT)
			continue;
		c = kmem_cache_create("test-size", sizes[k], 0, NULL);
		KT_ASSERT_NOT_NULL(t, c);
		KT_EXPECT_EQ(t, kmem_cache_size(c), sizes[k]);
		st = cache_stats(c);
		/* At least SLAB_MIN_OBJECTS per slab, as far as the largest slab allows. */
		KT_EXPECT_GE(t, (size_t)st.objects_per_slab,
			     MIN((size_t)CONFIG_SLAB_MIN_OBJECTS, KMEM_CACHE_MAX_SIZE / st.size));
		KT_EXPECT_LE(t, st.order, (unsigned int)SLAB_MAX_ORDER);
		/* A run of any page count; order is the smallest holding it. */
		KT_EXPECT_LE(t, (size_t)st.pages_per_slab, (size_t)1 << st.order);
		KT_EXPECT_GT(t, (size_t)st.pages_per_slab * 2, (size_t)1 << st.order);
		KT_EXPECT_GE(t, st.size, sizes[k]);
		KT_EXPECT_LE(t, st.objects_per_slab * st.size, PAGE_SIZE * st.pages_per_slab);
#if SLAB_MAX_ORDER >= 3
		/* Little waste: objects use at least 3/4 of the slab. */
		if (sizes[k] <= PAGE_SIZE)
			KT_EXPECT_GE(t, 4 * st.objects_per_slab * st.size,
				     3 * (PAGE_SIZE * st.pages_per_slab));
#endif
		n = MIN(2 * (size_t)st.objects_per_slab + 1, ARRAY_SIZE(objs));
		got = alloc_filled(t, c, n);
		KT_ASSERT_EQ(t, got, n);
		for (size_t i = 0; i < n; i++)
			KT_EXPECT_TRUE(t, IS_ALIGNED((uintptr_t)objs[i], sizeof(void *)));
		KT_EXPECT_TRUE(t, patterns_intact(t, c, n));
		st = cache_stats(c);
		KT_EXPECT_EQ(t, st.active_objects, n);
		KT_EXPECT_EQ(t, st.total_objects,
			     (st.slabs_full + st.slabs_partial + st.slabs_empty) * st.objects_per_slab);
		KT_EXPECT_EQ(t, st.pages,
			     (st.slabs_full + st.slabs_partial + st.slabs_empty) * st.pages_per_slab);
		KT_EXPECT_EQ(t, st.counters.allocs, (uint64_t)n);
		KT_EXPECT_TRUE(t, kmem_cache_check(c));
		free_all(t, c, n);
		st = cache_stats(c);
		KT_EXPECT_EQ(t, st.active_objects, (size_t)0);
		KT_EXPECT_EQ(t, st.counters.frees, (uint64_t)n);
		KT_EXPECT_EQ(t, st.counters.misuse, (uint64_t)0);
		KT_EXPECT_TRUE(t, kmem_cache_check(c));
		kmem_cache_destroy(c);
	}
}

/* Every object honours the cache's alignment, up to a page. */
static void slab_alignment(struct ktest *t)
{
	static const size_t sizes[] = { 24, 100, 3000 };

	for (size_t align = 8; align <= PAGE_SIZE; align <<= 1) {
		for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
			struct kmem_cache *c = kmem_cache_create("test-align", sizes[k], align, NULL);
			size_t n;

			KT_ASSERT_NOT_NULL(t, c);
			KT_EXPECT_EQ(t, cache_stats(c).align, align);
			n = MIN(2 * (size_t)cache_stats(c).objects_per_slab + 1, (size_t)40);
			KT_ASSERT_EQ(t, alloc_filled(t, c, n), n);
			for (size_t i = 0; i < n; i++)
				KT_EXPECT_TRUE(t, IS_ALIGNED((uintptr_t)objs[i], align));
			KT_EXPECT_TRUE(t, patterns_intact(t, c, n));
			KT_EXPECT_TRUE(t, kmem_cache_check(c));
			free_all(t, c, n);
			kmem_cache_destroy(c);
		}
	}
}

#define CTOR_MAGIC 0x5eed5eedu
static unsigned int ctor_calls;

struct ctor_obj {
	uint32_t magic;
	uint32_t uses;
	char payload[33];
};

static void ctor_obj_init(void *p)
{
	struct ctor_obj *o = p;

	o->magic = CTOR_MAGIC;
	o->uses = 0;
	ctor_calls++;
}

/* The constructor runs on every object of a new slab, once; objects keep
 * their constructed state across free and alloc. */
static void slab_constructor(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test-ctor", sizeof(struct ctor_obj), 0,
						 ctor_obj_init);
	struct ctor_obj *o, *pin;
	unsigned int per_slab;

	KT_ASSERT_NOT_NULL(t, c);
	per_slab = cache_stats(c).objects_per_slab;
	ctor_calls = 0;
	/* Keeps the slab in use, whatever CONFIG_SLAB_KEEP_EMPTY says. */
	pin = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, pin);
	KT_EXPECT_EQ(t, ctor_calls, per_slab);
	KT_EXPECT_EQ(t, pin->magic, CTOR_MAGIC);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, o);
	KT_EXPECT_EQ(t, o->magic, CTOR_MAGIC);
	o->uses = 7;
	kmem_cache_free(c, o);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, o);
	/* Not constructed again, and the free pointer did not land in it. */
	KT_EXPECT_EQ(t, ctor_calls, per_slab);
	KT_EXPECT_EQ(t, o->magic, CTOR_MAGIC);
	KT_EXPECT_EQ(t, o->uses, 7u);
	kmem_cache_free(c, pin);
	objs[0] = o;
	for (size_t i = 1; i <= per_slab; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, objs[i]);
		KT_EXPECT_EQ(t, ((struct ctor_obj *)objs[i])->magic, CTOR_MAGIC);
	}
	/* One more than a slab holds: a second slab, constructed whole. */
	KT_EXPECT_EQ(t, ctor_calls, 2 * per_slab);
	free_all(t, c, per_slab + 1);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_destroy(c);
}

/* A slab moves full -> partial -> empty as its objects come and go. */
static void slab_list_transitions(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test-lists", 256, 0, NULL);
	struct kmem_cache_stats st;
	size_t n, cpu_slab;
	void *extra;

	KT_ASSERT_NOT_NULL(t, c);
	cpu_slab = cpu_slabs(c);
	n = cache_stats(c).objects_per_slab;
	KT_ASSERT_LE(t, n + 1, ARRAY_SIZE(objs));

	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, objs[0]);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_partial, (size_t)1);
	KT_EXPECT_EQ(t, st.slabs_full + st.slabs_empty, (size_t)0);
	for (size_t i = 1; i < n; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, objs[i]);
	}
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_full, (size_t)1);
	KT_EXPECT_EQ(t, st.slabs_partial + st.slabs_empty, (size_t)0);
	KT_EXPECT_EQ(t, st.total_objects, n);

	extra = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, extra);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_full, (size_t)1);
	KT_EXPECT_EQ(t, st.slabs_partial, (size_t)1);
	KT_EXPECT_EQ(t, st.pages, (size_t)2 * st.pages_per_slab);

	/* full -> partial */
	kmem_cache_free(c, objs[n / 2]);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_full, (size_t)0);
	KT_EXPECT_EQ(t, st.slabs_partial, (size_t)2);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));

	/* partial -> empty (kept, or released when KEEP_EMPTY is 0) */
	for (size_t i = 0; i < n; i++)
		if (i != n / 2)
			kmem_cache_free(c, objs[i]);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_partial, (size_t)1);
	KT_EXPECT_EQ(t, st.slabs_empty, MIN(KEEP_EMPTY, (size_t)1));
	KT_EXPECT_EQ(t, st.active_objects, (size_t)1);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));

	/* The last object: the CPU slab empties too, and stays with its CPU. */
	kmem_cache_free(c, extra);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_partial + st.slabs_full, (size_t)0);
	KT_EXPECT_EQ(t, st.slabs_empty, cpu_slab ? KEPT(1) + 1 : KEPT(2));
	KT_EXPECT_EQ(t, st.pages, (cpu_slab ? KEPT(1) + 1 : KEPT(2)) * st.pages_per_slab);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));

	/* The empty slab is reused before any new page is taken. */
	if (KEEP_EMPTY) {
		size_t pages = global_free_pages();

		objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
		KT_EXPECT_NOT_NULL(t, objs[0]);
		KT_EXPECT_EQ(t, global_free_pages(), pages);
		kmem_cache_free(c, objs[0]);
	}
	/* A CPU slab that empties is kept: it is its CPU's. */
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, objs[0]);
	kmem_cache_free(c, objs[0]);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_empty, cpu_slab ? KEPT(1) + 1 : KEPT(2));
	KT_EXPECT_EQ(t, st.pages, (cpu_slab ? KEPT(1) + 1 : KEPT(2)) * st.pages_per_slab);
	/* A shrink takes every empty slab, the CPU's too. */
	KT_EXPECT_EQ(t, kmem_cache_shrink(c), (cpu_slab ? KEPT(1) + 1 : KEPT(2)) * st.pages_per_slab);
	KT_EXPECT_EQ(t, cache_stats(c).pages, (size_t)0);
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, objs[0]);
	kmem_cache_free(c, objs[0]);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_empty, cpu_slab ? 1 : KEPT(1));
	KT_EXPECT_EQ(t, st.pages, (cpu_slab ? 1 : KEPT(1)) * st.pages_per_slab);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_destroy(c);
}

/* When the CPU slab runs out, a partial slab is refilled before an empty
 * one is touched: memory in use stays packed. */
static void slab_prefers_partial(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test-partial", 256, 0, NULL);
	size_t n;
	void *p;

	KT_ASSERT_NOT_NULL(t, c);
	n = cache_stats(c).objects_per_slab;
	KT_ASSERT_LE(t, 3 * n, ARRAY_SIZE(objs));
	/* Three full slabs, the last one the CPU slab. */
	KT_ASSERT_EQ(t, alloc_filled(t, c, 3 * n), 3 * n);
	KT_EXPECT_EQ(t, cache_stats(c).slabs_full, (size_t)3);
	/* Empty the first, take one object out of the second. */
	for (size_t i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_free(c, objs[n + 1]);
	KT_EXPECT_EQ(t, cache_stats(c).slabs_partial, (size_t)1);
	KT_EXPECT_EQ(t, cache_stats(c).slabs_empty, KEPT(1));
	/* The only free object of the partial slab comes back first. */
	p = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT_PTR_EQ(t, p, objs[n + 1]);
	KT_EXPECT_EQ(t, cache_stats(c).slabs_empty, KEPT(1));
	objs[n + 1] = p;
	for (size_t i = n; i < 3 * n; i++)
		kmem_cache_free(c, objs[i]);
	KT_EXPECT_EQ(t, cache_stats(c).active_objects, (size_t)0);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_destroy(c);
}

/* At most KEEP_EMPTY empty slabs stay on the list (the CPU's slab besides);
 * shrink gives back the rest, and the global allocator sees every page
 * come back. */
static void slab_reclaim_and_shrink(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test-reclaim", 128, 0, NULL);
	struct kmem_cache_stats st;
	size_t per_slab, slabs = KEEP_EMPTY + 3, n, before, slab_pages, kept;

	KT_ASSERT_NOT_NULL(t, c);
	st = cache_stats(c);
	KT_ASSERT_FALSE(t, st.off_slab);
	per_slab = st.objects_per_slab;
	slab_pages = st.pages_per_slab;
	n = slabs * per_slab;
	KT_ASSERT_LE(t, n, ARRAY_SIZE(objs));

	before = settled_free_pages();
	KT_ASSERT_EQ(t, alloc_filled(t, c, n), n);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_full, slabs);
	KT_EXPECT_EQ(t, st.pages, slabs * slab_pages);
	KT_EXPECT_EQ(t, global_free_pages(), before - slabs * slab_pages);
	KT_EXPECT_TRUE(t, patterns_intact(t, c, n));

	free_all(t, c, n);
	st = cache_stats(c);
	kept = KEEP_EMPTY + cpu_slabs(c);
	KT_EXPECT_EQ(t, st.active_objects, (size_t)0);
	KT_EXPECT_EQ(t, st.slabs_empty, kept);
	KT_EXPECT_EQ(t, st.slabs_full + st.slabs_partial, (size_t)0);
	KT_EXPECT_EQ(t, st.pages, kept * slab_pages);
	KT_EXPECT_EQ(t, global_free_pages(), before - kept * slab_pages);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));

	KT_EXPECT_EQ(t, kmem_cache_shrink(c), kept * slab_pages);
	KT_EXPECT_EQ(t, cache_stats(c).pages, (size_t)0);
	KT_EXPECT_EQ(t, global_free_pages(), before);
	KT_EXPECT_EQ(t, kmem_cache_shrink(c), (size_t)0);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));

	/* Still works after shrinking to nothing. */
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, objs[0]);
	KT_EXPECT_EQ(t, cache_stats(c).pages, slab_pages);
	kmem_cache_free(c, objs[0]);
	kmem_cache_destroy(c);
}

/* One round of create, use, free, destroy, for small and large objects. */
static void destroy_round(struct ktest *t, size_t size)
{
	struct kmem_cache *c = kmem_cache_create("test-destroy", size, 0, NULL);
	size_t n;

	KT_ASSERT_NOT_NULL(t, c);
	n = MIN(3 * (size_t)cache_stats(c).objects_per_slab + 2, ARRAY_SIZE(objs));
	KT_EXPECT_EQ(t, alloc_filled(t, c, n), n);
	free_all(t, c, n);
	kmem_cache_destroy(c);
}

/* Destroy gives every page back: a round ends with the free-page count
 * where it started, both read with the caches emptied (the bootstrap
 * caches keep empty slabs, and the reaper may give back idle ones, at
 * their own pace). */
static void slab_destroy_returns_pages(struct ktest *t)
{
	static const size_t sizes[] = { 64, 2048 };

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t before = settled_free_pages();

		destroy_round(t, sizes[k]);
		KT_EXPECT_EQ(t, settled_free_pages(), before);
	}
}

/* A misused free, checked after the fact: refused with @err, counted,
 * nothing else changed. */
static void expect_misuse(struct ktest *t, struct kmem_cache *c, const void *p, int err)
{
	struct kmem_cache_stats before = cache_stats(c), after;

	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, p), err);
	after = cache_stats(c);
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + 1);
	KT_EXPECT_EQ(t, after.counters.frees, before.counters.frees);
	KT_EXPECT_EQ(t, after.active_objects, before.active_objects);
	KT_EXPECT_EQ(t, after.pages, before.pages);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
}

/*
 * What the misuse cases free, rightly and wrongly: @p of @a, with @pin
 * keeping its slab in use when @p is freed (whatever KEEP_EMPTY says), @q
 * of @b, and @page, a page that is no slab.  False if any is missing.
 */
struct misuse_objects {
	struct kmem_cache *a, *b;
	char *pin, *p, *q, *page;
};

static bool misuse_setup(struct ktest *t, struct misuse_objects *m)
{
	m->a = kmem_cache_create("test-misuse-a", 64, 0, NULL);
	m->b = kmem_cache_create("test-misuse-b", 64, 0, NULL);
	if (!m->a || !m->b)
		return ktest_check(t, false, __FILE__, __LINE__, true, "both caches made");
	m->pin = kmem_cache_alloc(m->a, GFP_KERNEL);
	m->p = kmem_cache_alloc(m->a, GFP_KERNEL);
	m->q = kmem_cache_alloc(m->b, GFP_KERNEL);
	m->page = alloc_pages(0, 0);
	return ktest_check(t, m->pin && m->p && m->q && m->page, __FILE__, __LINE__, true,
			   "misuse objects allocated");
}

/* Free what is live and destroy both caches: they end exact and empty. */
static void misuse_teardown(struct ktest *t, struct misuse_objects *m, bool p_live)
{
	if (p_live)
		KT_EXPECT_EQ(t, kmem_cache_free_checked(m->a, m->p), 0);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(m->a, m->pin), 0);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(m->b, m->q), 0);
	free_pages(m->page, 0);
	KT_EXPECT_EQ(t, cache_stats(m->a).active_objects, (size_t)0);
	KT_EXPECT_TRUE(t, kmem_cache_check(m->a));
	KT_EXPECT_TRUE(t, kmem_cache_check(m->b));
	kmem_cache_destroy(m->a);
	kmem_cache_destroy(m->b);
}

#define MISUSE_SETUP(t, m) do { if (!misuse_setup(t, m)) return; } while (0)

/* Pointers into no slab: static data, a page that is not a slab. */
static void slab_misuse_foreign(struct ktest *t)
{
	static char not_heap[64];
	struct misuse_objects m;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_FOREIGN);
	MISUSE_SETUP(t, &m);
	expect_misuse(t, m.a, m.page, KERR_BAD_PTR);
	expect_misuse(t, m.a, not_heap, KERR_BAD_PTR);
	KT_EXPECT_PTR_EQ(t, kmem_cache_of(m.page), NULL);
	KT_EXPECT_PTR_EQ(t, kmem_cache_of(not_heap), NULL);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(NULL, m.q), KERR_INVAL);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(m.b, NULL), 0);
	misuse_teardown(t, &m, true);
}

/* Another cache's object, both ways. */
static void slab_misuse_other_cache(struct ktest *t)
{
	struct misuse_objects m;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_OTHER_CACHE);
	MISUSE_SETUP(t, &m);
	expect_misuse(t, m.a, m.q, KERR_BAD_PTR);
	expect_misuse(t, m.b, m.p, KERR_BAD_PTR);
	/* Destroying a cache with live objects is refused too. */
	kmem_cache_destroy(m.b);
	KT_EXPECT_EQ(t, cache_stats(m.b).counters.misuse, (uint64_t)2);
	KT_EXPECT_EQ(t, cache_stats(m.b).active_objects, (size_t)1);
	misuse_teardown(t, &m, true);
}

/* Inside an object, not at its start: the slab's first bytes hold its descriptor. */
static void slab_misuse_interior(struct ktest *t)
{
	struct misuse_objects m;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_INTERIOR);
	MISUSE_SETUP(t, &m);
	expect_misuse(t, m.a, m.p + 1, KERR_BAD_PTR);
	expect_misuse(t, m.a, m.p + 32, KERR_BAD_PTR);
	/* One-page slab with its descriptor first: the page start is no object. */
	KT_ASSERT_EQ(t, cache_stats(m.a).order, 0u);
	KT_ASSERT_FALSE(t, cache_stats(m.a).off_slab);
	expect_misuse(t, m.a, (void *)ALIGN_DOWN((uintptr_t)m.p, PAGE_SIZE), KERR_BAD_PTR);
	KT_EXPECT_PTR_EQ(t, kmem_cache_of(m.p + 1), m.a);
	misuse_teardown(t, &m, true);
}

/* The same object twice in a row, in the CPU slab and in another slab. */
static void slab_misuse_double_free(struct ktest *t)
{
	struct misuse_objects m;
	size_t n;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_DOUBLE_FREE);
	MISUSE_SETUP(t, &m);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(m.a, m.p), 0);
	expect_misuse(t, m.a, m.p, KERR_DOUBLE_FREE);
	/* Fill a few slabs, so that objs[1]'s slab is not the CPU's any more. */
	n = 3 * (size_t)cache_stats(m.a).objects_per_slab;
	KT_ASSERT_LE(t, n, ARRAY_SIZE(objs));
	KT_ASSERT_EQ(t, alloc_filled(t, m.a, n), n);
	KT_EXPECT_TRUE(t, patterns_intact(t, m.a, n));
	KT_EXPECT_EQ(t, kmem_cache_free_checked(m.a, objs[1]), 0);
	expect_misuse(t, m.a, objs[1], KERR_DOUBLE_FREE);
	objs[1] = kmem_cache_alloc(m.a, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, objs[1]);
	free_all(t, m.a, n);
	misuse_teardown(t, &m, false);
}

/* Freed, something else freed, freed again: only the bitmap knows. */
static void slab_misuse_double_free_later(struct ktest *t)
{
	struct misuse_objects m;
	void *r;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_DOUBLE_FREE_LATER);
	MISUSE_SETUP(t, &m);
	r = kmem_cache_alloc(m.a, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, r);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(m.a, m.p), 0);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(m.a, r), 0);
	expect_misuse(t, m.a, m.p, KERR_DOUBLE_FREE);
	misuse_teardown(t, &m, false);
}

/*
 * A write into a freed object that breaks its free pointer is caught when
 * the object is handed out again: by the poison check, or because the
 * pointer left the slab (HARDENED cuts the list there, FULL rebuilds it
 * from the bitmap).  The cache stays sound either way.
 */
static void slab_write_after_free(struct ktest *t)
{
	struct kmem_cache *c;
	uint64_t misuse;
	char *x, *y, *pin;
	size_t n;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_FREELIST_WRITE);
	c = kmem_cache_create("test-uaf", 48, 0, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	/* Keeps the slab (and so x's memory) in the cache while x is free. */
	pin = kmem_cache_alloc(c, GFP_KERNEL);
	x = kmem_cache_alloc(c, GFP_KERNEL);
	y = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_TRUE(t, pin && x && y);
	kmem_cache_free(c, y);
	kmem_cache_free(c, x);
	misuse = cache_stats(c).counters.misuse;
	memset(x, 0x11, 16);   /* the bug under test */
	x = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, x);
	KT_EXPECT_EQ(t, cache_stats(c).counters.misuse, misuse + 1);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_free(c, x);
	kmem_cache_free(c, pin);

	/* Everything still comes out once and only once. */
	n = 2 * (size_t)cache_stats(c).objects_per_slab;
	KT_ASSERT_LE(t, n, ARRAY_SIZE(objs));
	KT_ASSERT_EQ(t, alloc_filled(t, c, n), n);
	KT_EXPECT_TRUE(t, patterns_intact(t, c, n));
	free_all(t, c, n);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_destroy(c);
}

/*
 * With poisoning, every free fills the object, also one into a partial
 * slab that stays where it is (the inline path under the cache lock), so
 * handing it out again finds its poison intact and reports nothing.
 */
static void slab_poison_on_every_free(struct ktest *t)
{
	struct kmem_cache *c;
	uint64_t reports;
	unsigned char *pin, *x, *y;
	bool poisoned = true;

	if (!POISON_CACHES)
		KT_SKIP(t, "no poisoning without CONFIG_DEBUG_POISON");
	c = kmem_cache_create("test-poison", 48, 0, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	pin = kmem_cache_alloc(c, GFP_KERNEL);
	x = kmem_cache_alloc(c, GFP_KERNEL);
	y = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_TRUE(t, pin && x && y);
	reports = mm_misuse_total();
	kmem_cache_free(c, x);   /* its slab keeps pin and y: it stays partial */
	for (size_t i = sizeof(void *); i < 48; i++)
		poisoned &= x[i] == POISON_FREE;
	KT_EXPECT_TRUE(t, poisoned);
	KT_EXPECT_PTR_EQ(t, kmem_cache_alloc(c, GFP_KERNEL), x);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports);
	KT_EXPECT_EQ(t, cache_stats(c).counters.misuse, (uint64_t)0);
	kmem_cache_free(c, x);
	kmem_cache_free(c, y);
	kmem_cache_free(c, pin);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_destroy(c);
}

/* __GFP_ZERO zeroes a recycled object. */
/*
 * The CPU's freelist filled again while alloc_slow() had the lock dropped
 * for a new slab - what a tick hook's GFP_ATOMIC kmalloc does on SMP.  On
 * one CPU a constructor stands in for the interrupt: the first object's
 * constructor allocates from the same cache (a slab of its own, made the
 * CPU's) and frees the object back onto the CPU's list.  The outer
 * allocation must then take that sound list as it is: once it was taken
 * for a damaged one, cut after its head and reported as a write after
 * free (mm_smp.gfp_atomic_from_tick_hook in a coverage run).
 */
static struct kmem_cache *reentrant_cache;
static int reentered;

static void reentrant_ctor(void *obj)
{
	(void)obj;
	if (reentered++ == 0)
		kmem_cache_free(reentrant_cache, kmem_cache_alloc(reentrant_cache, GFP_KERNEL));
}

static void slab_refilled_while_unlocked(struct ktest *t)
{
	uint64_t misuse = mm_misuse_total();
	struct kmem_cache_stats st;
	void *p;

	reentrant_cache = kmem_cache_create_flags("test-reenter", 64, 0, SLAB_SKIP_GUARD,
						  reentrant_ctor);
	KT_ASSERT_NOT_NULL(t, reentrant_cache);
	if (kmem_cache_flags(reentrant_cache) & SLAB_DEBUG_FLAGS) {
		kmem_cache_destroy(reentrant_cache);
		KT_SKIP(t, "a debugging cache (red zones, owners) keeps no CPU slab: no such window");
	}
	reentered = 0;
	p = kmem_cache_alloc(reentrant_cache, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, reentered > 1, true);            /* the constructor did allocate */
	KT_EXPECT_EQ(t, mm_misuse_total(), misuse);      /* no write after free reported */
	kmem_cache_get_stats(reentrant_cache, &st);
	KT_EXPECT_EQ(t, st.active_objects, (size_t)1);
	KT_EXPECT_EQ(t, st.pages, 2 * st.pages_per_slab); /* the inner slab and the outer's */
	kmem_cache_free(reentrant_cache, p);
	/* Both slabs empty again: nothing was cut off a list and lost. */
	KT_EXPECT_EQ(t, kmem_cache_shrink(reentrant_cache), 2 * (size_t)st.pages_per_slab);
	KT_EXPECT_TRUE(t, kmem_cache_check(reentrant_cache));
	kmem_cache_destroy(reentrant_cache);
	KT_EXPECT_EQ(t, mm_misuse_total(), misuse);
}

static void slab_gfp_zero(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test-zero", 200, 0, NULL);
	unsigned char *p;
	bool zero = true;

	KT_ASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	memset(p, 0xff, 200);
	kmem_cache_free(c, p);
	p = kmem_cache_alloc(c, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, p);
	for (size_t i = 0; i < 200; i++)
		zero &= p[i] == 0;
	KT_EXPECT_TRUE(t, zero);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
}

/*
 * kmem_cache_kfree() frees objects of SLAB_KMALLOC caches only, with the
 * checks of kmem_cache_free_checked(); anything else is left to its caller.
 */
static void slab_kmalloc_flag(struct ktest *t)
{
	struct kmem_cache *k = kmem_cache_create_flags("test-kmalloc", 64, 0, SLAB_KMALLOC, NULL);
	struct kmem_cache *plain = kmem_cache_create("test-plain", 64, 0, NULL);
	static char not_heap[64];
	char *pin, *p, *q, *page;
	size_t size = 0;

	/* The debug flags a cache sets itself, from Kconfig. */
	const unsigned int poison = (POISON_CACHES ? SLAB_POISON : 0) |
				    (DEBUG_REDZONE ? SLAB_RED_ZONE : 0) |
				    (DEBUG_OWNER ? SLAB_STORE_USER : 0);

	KT_EXPECT_NULL(t, kmem_cache_create_flags("bad", 64, 0, 0x80u, NULL));
	/* SLAB_POISON is the cache's to set, from Kconfig: never asked for. */
	KT_EXPECT_NULL(t, kmem_cache_create_flags("bad", 64, 0, SLAB_POISON, NULL));
	KT_ASSERT_TRUE(t, k && plain);
	pin = kmem_cache_alloc(k, GFP_KERNEL);
	p = kmem_cache_alloc(k, GFP_KERNEL);
	q = kmem_cache_alloc(plain, GFP_KERNEL);
	page = alloc_pages(0, 0);
	KT_ASSERT_TRUE(t, pin && p && q && page);
	KT_EXPECT_EQ(t, kmem_cache_flags(k), SLAB_KMALLOC | poison);
	KT_EXPECT_EQ(t, kmem_cache_flags(plain), poison);

	/* Not a slab object at all: nothing freed, nothing counted. */
	KT_EXPECT_EQ(t, kmem_cache_kfree(page, &size), KMEM_NOT_KMALLOC);
	KT_EXPECT_EQ(t, kmem_cache_kfree(not_heap, &size), KMEM_NOT_KMALLOC);
	free_pages(page, 0);
	/* Another cache's object: left alone where the level checks the flag. */
	if (slab_checks_catch(SLAB_MISUSE_NOT_KMALLOC)) {
		KT_EXPECT_EQ(t, kmem_cache_kfree(q, &size), KMEM_NOT_KMALLOC);
		KT_EXPECT_EQ(t, cache_stats(plain).active_objects, (size_t)1);
		KT_EXPECT_EQ(t, cache_stats(plain).counters.misuse, (uint64_t)0);
	}

	KT_EXPECT_EQ(t, kmem_cache_kfree(p, &size), 0);
	KT_EXPECT_EQ(t, size, (size_t)64);
	KT_EXPECT_EQ(t, cache_stats(k).active_objects, (size_t)1);
	if (!MM_MISUSE_PANICS && slab_checks_catch(SLAB_MISUSE_DOUBLE_FREE))
		KT_EXPECT_EQ(t, kmem_cache_kfree(p, &size), KERR_DOUBLE_FREE);
	if (!MM_MISUSE_PANICS && slab_checks_catch(SLAB_MISUSE_INTERIOR))
		KT_EXPECT_EQ(t, kmem_cache_kfree(pin + 1, &size), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, cache_stats(k).counters.misuse,
		     (uint64_t)(!MM_MISUSE_PANICS && slab_checks_catch(SLAB_MISUSE_DOUBLE_FREE)) +
		     (uint64_t)(!MM_MISUSE_PANICS && slab_checks_catch(SLAB_MISUSE_INTERIOR)));
	KT_EXPECT_EQ(t, kmem_cache_kfree(pin, &size), 0);
	KT_EXPECT_EQ(t, cache_stats(k).active_objects, (size_t)0);
	KT_EXPECT_TRUE(t, kmem_cache_check(k));
	if (slab_checks_catch(SLAB_MISUSE_NOT_KMALLOC))
		KT_EXPECT_EQ(t, kmem_cache_free_checked(plain, q), 0);
	else
		KT_EXPECT_EQ(t, kmem_cache_kfree(q, &size), 0);   /* OFF: any cache's object */
	kmem_cache_destroy(k);
	kmem_cache_destroy(plain);
}

/* Bad arguments give NULL; the largest object still works. */
static void slab_create_arguments(struct ktest *t)
{
	struct kmem_cache *c;

	KT_EXPECT_NULL(t, kmem_cache_create("bad", 0, 0, NULL));
	KT_EXPECT_NULL(t, kmem_cache_create("bad", 64, 3, NULL));
	KT_EXPECT_NULL(t, kmem_cache_create("bad", 64, 2 * PAGE_SIZE, NULL));
	KT_EXPECT_NULL(t, kmem_cache_create("bad", KMEM_CACHE_MAX_SIZE + 1, 0, NULL));

	c = kmem_cache_create("a-rather-long-cache-name-that-is-cut", KMEM_CACHE_MAX_OBJECT, 0, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	KT_EXPECT_EQ(t, strlen(kmem_cache_name(c)), (size_t)KMEM_CACHE_NAME_LEN - 1);
	KT_EXPECT_EQ(t, strncmp(kmem_cache_name(c), "a-rather-long", 13), 0);
	KT_EXPECT_EQ(t, cache_stats(c).objects_per_slab, 1u);
	KT_EXPECT_EQ(t, cache_stats(c).order, (unsigned int)SLAB_MAX_ORDER);
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, objs[0]);
	memset(objs[0], 0xa5, KMEM_CACHE_MAX_OBJECT);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, objs[0]), 0);
	kmem_cache_destroy(c);
}

/* Running the page allocator dry is a counted failure, not a panic. */
static void slab_exhaustion_is_a_failure(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test-exhaust", KMEM_CACHE_MAX_OBJECT, 0, NULL);
	struct page_alloc_stats st;
	struct take_all ta;
	void *chain = NULL, *p;
	size_t n = 0, limit;

	KT_ASSERT_NOT_NULL(t, c);
	take_all_begin(t, &ta);
	/* More objects than all free memory holds: the loop must end in a failure. */
	page_alloc_get_stats(&st);
	limit = st.free_pages * PAGE_SIZE / KMEM_CACHE_MAX_SIZE + 2;
	/* The objects themselves hold the list of what to free. */
	while (n < limit && (p = kmem_cache_alloc(c, GFP_KERNEL)) != NULL) {
		*(void **)p = chain;
		chain = p;
		n++;
	}
	if (n == limit)
		KT_FAIL(t, "more slabs than free memory and no failure");
	KT_EXPECT_GT(t, n, (size_t)0);
	KT_EXPECT_EQ(t, cache_stats(c).counters.failures, (uint64_t)1);
	KT_EXPECT_EQ(t, cache_stats(c).active_objects, n);
	while (chain) {
		p = chain;
		chain = *(void **)p;
		KT_EXPECT_EQ(t, kmem_cache_free_checked(c, p), 0);
	}
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_shrink(c);
	KT_EXPECT_EQ(t, cache_stats(c).pages, (size_t)0);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, p);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	take_all_end(t, &ta);
}

/* Successive slabs start their objects at successive colours (a multiple
 * of 64 bytes, cycling) with CONFIG_SLAB_COLOURING, all at 0 without. */
static void slab_colouring(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("test-colour", 1000, 0, NULL);
	struct kmem_cache_stats st;
	const size_t slabs = 5;
	size_t colours = 1, per;

	KT_ASSERT_NOT_NULL(t, c);
	st = cache_stats(c);
	per = st.objects_per_slab;
	/*
	 * Off slab when colouring, so the spare bytes are all at the end (a
	 * descriptor that fits there comes on the slab only without
	 * colouring); the geometry follows Kconfig SLAB_MIN_OBJECTS.
	 */
	KT_ASSERT_TRUE(t, st.off_slab || !IS_ENABLED(CONFIG_SLAB_COLOURING));
	KT_ASSERT_GE(t, per, (size_t)2);
	KT_ASSERT_LE(t, slabs * per, ARRAY_SIZE(objs));
#ifdef CONFIG_SLAB_COLOURING
	colours = (PAGE_SIZE * st.pages_per_slab - per * st.size) / 64 + 1;
	if (colours < 2)
		KT_SKIP(t, "this geometry leaves no spare cache line to colour with");
#endif
	KT_ASSERT_EQ(t, alloc_filled(t, c, slabs * per), slabs * per);
	for (size_t s = 0; s < slabs; s++) {
		/* A new slab's freelist runs in address order from s_mem; a slab
		 * starts on a page boundary (a run of pages, not an aligned block),
		 * its objects after an on-slab descriptor (as the first slab's). */
		KT_EXPECT_EQ(t, (uintptr_t)objs[s * per] % PAGE_SIZE,
			     (uintptr_t)objs[0] % PAGE_SIZE + (uintptr_t)((s % colours) * 64));
		KT_EXPECT_EQ(t, (uintptr_t)objs[s * per + per - 1] - (uintptr_t)objs[s * per],
			     (uintptr_t)((per - 1) * st.size));
	}
	KT_EXPECT_TRUE(t, patterns_intact(t, c, slabs * per));
	free_all(t, c, slabs * per);
	kmem_cache_destroy(c);
}

static void count_cache(struct kmem_cache *c, void *arg)
{
	(void)c;
	(*(size_t *)arg)++;
}

static void count_partial(struct kmem_cache *c, void *arg)
{
	struct kmem_cache_stats st;

	kmem_cache_get_stats(c, &st);
	*(size_t *)arg += st.slabs_partial;
}

/*
 * Partial slabs over every cache: with SLAB_TRIM each may keep the
 * reaper on its idle cache for one visit more (slab.c's TRIM_BATCH).
 */
static size_t partial_slabs_listed(void)
{
	size_t n = 0;

	if (IS_ENABLED(CONFIG_SLAB_TRIM))
		kmem_cache_for_each(count_partial, &n);
	return n;
}

/* Caches are listed while they exist; the bootstrap ones always. */
static void slab_cache_list(struct ktest *t)
{
	size_t during = 0, after = 0;
	struct kmem_cache *c = kmem_cache_create("test-list", 32, 0, NULL);

	KT_ASSERT_NOT_NULL(t, c);
	kmem_cache_for_each(count_cache, &during);
	kmem_cache_destroy(c);
	kmem_cache_for_each(count_cache, &after);
	KT_EXPECT_EQ(t, during, after + 1);
	KT_EXPECT_GE(t, after, (size_t)2);
}

/* Caches on the list now. */
static size_t caches_listed(void)
{
	size_t n = 0;

	kmem_cache_for_each(count_cache, &n);
	return n;
}

/*
 * What the reaper cases use: @idle and @busy, one object in and out of
 * each (an empty slab each, the CPU's or kept), and @grow, whose new
 * slabs drive the reaper: one visit per new slab, round robin.  @grow's
 * objects are a page each, so that few objects make a slab whatever
 * SLAB_MIN_OBJECTS asks, and two rounds fit objs[] however many caches
 * there are.
 */
struct reap_caches {
	struct kmem_cache *idle, *busy, *grow;
	void *idle_obj;   /* the object @idle had, freed */
	size_t n;         /* objects of @grow in objs[] */
};

static bool reap_setup(struct ktest *t, struct reap_caches *r)
{
	r->idle = kmem_cache_create("test-reap-idle", 256, 0, NULL);
	r->busy = kmem_cache_create("test-reap-busy", 256, 0, NULL);
	r->grow = kmem_cache_create("test-reap-grow", PAGE_SIZE, 0, NULL);
	r->n = 0;
	if (!r->idle || !r->busy || !r->grow)
		return ktest_check(t, false, __FILE__, __LINE__, true, "three caches made");
	r->idle_obj = kmem_cache_alloc(r->idle, GFP_KERNEL);
	if (!r->idle_obj)
		return ktest_check(t, false, __FILE__, __LINE__, true, "an object of idle");
	kmem_cache_free(r->idle, r->idle_obj);
	kmem_cache_free(r->busy, kmem_cache_alloc(r->busy, GFP_KERNEL));
	return true;
}

/*
 * New slabs of @grow for two rounds of the reaper over every cache and
 * one visit more (a first visit notes a cache's allocations, the next
 * finds them unchanged), and a visit more for each partial slab that
 * could hold the reaper on its cache; @busy allocated from after each:
 * it is never idle.  False if @grow ran out.
 */
static bool reap_two_rounds(struct ktest *t, struct reap_caches *r)
{
	size_t per = cache_stats(r->grow).objects_per_slab;
	size_t want = (2 * caches_listed() + 1 + partial_slabs_listed()) * per;

	if (!ktest_check(t, want <= ARRAY_SIZE(objs), __FILE__, __LINE__, true,
			 "objs[] holds two rounds of slabs"))
		return false;
	for (r->n = 0; r->n < want; r->n++) {
		objs[r->n] = kmem_cache_alloc(r->grow, GFP_KERNEL);
		if (!objs[r->n])
			return ktest_check(t, false, __FILE__, __LINE__, true, "grow's objects");
		if (r->n % per == 0)
			kmem_cache_free(r->busy, kmem_cache_alloc(r->busy, GFP_KERNEL));
	}
	return true;
}

static void reap_teardown(struct ktest *t, struct reap_caches *r)
{
	free_all(t, r->grow, r->n);
	kmem_cache_destroy(r->idle);
	kmem_cache_destroy(r->busy);
	kmem_cache_destroy(r->grow);
}

#define REAP_SETUP(t, r)                                                          \
	do {                                                                      \
		if (!IS_ENABLED(CONFIG_SLAB_REAP))                                \
			KT_SKIP(t, "the reaper is off (CONFIG_SLAB_REAP=n)");     \
		if (!reap_setup(t, r))                                            \
			return;                                                   \
	} while (0)

/*
 * Kconfig SLAB_REAP: a cache this CPU left idle while others took new
 * slabs gives back its empty slab (its CPU's, or kept); a cache
 * allocated from between the reaper's visits keeps its own.
 */
static void slab_reap_idle_cache(struct ktest *t)
{
	struct reap_caches r;
	size_t busy_pages;

	REAP_SETUP(t, &r);
	if (cache_stats(r.idle).pages == 0) {
		reap_teardown(t, &r);
		KT_SKIP(t, "no CPU slab (a debugging cache) and SLAB_KEEP_EMPTY=0: nothing to reap");
	}
	busy_pages = cache_stats(r.busy).pages;
	if (reap_two_rounds(t, &r)) {
		KT_EXPECT_EQ(t, cache_stats(r.idle).pages, (size_t)0);
		KT_EXPECT_EQ(t, cache_stats(r.idle).slabs_empty, (size_t)0);
		KT_EXPECT_EQ(t, cache_stats(r.busy).pages, busy_pages);
		/* Every slab of grow is full: nothing of it went. */
		KT_EXPECT_EQ(t, cache_stats(r.grow).active_objects, r.n);
		KT_EXPECT_TRUE(t, kmem_cache_check(r.idle));
		KT_EXPECT_TRUE(t, kmem_cache_check(r.busy));
	}
	/* The reaped cache still works: a new slab. */
	r.idle_obj = kmem_cache_alloc(r.idle, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, r.idle_obj);
	kmem_cache_free(r.idle, r.idle_obj);
	reap_teardown(t, &r);
}

/*
 * A free into a slab the reaper gave back is refused as a pointer into
 * no slab of the cache (the page is another cache's or none's by then),
 * counted, and changes nothing: the misuse a double free becomes once
 * the slab is gone, at every check level that catches foreign pointers.
 */
static void slab_reap_then_free_is_refused(struct ktest *t)
{
	struct reap_caches r;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_FOREIGN);
	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_OTHER_CACHE);
	REAP_SETUP(t, &r);
	if (reap_two_rounds(t, &r)) {
		KT_EXPECT_PTR_NE(t, kmem_cache_of(r.idle_obj), r.idle);
		expect_misuse(t, r.idle, r.idle_obj, KERR_BAD_PTR);
	}
	reap_teardown(t, &r);
}

/* ---- trimming (Kconfig SLAB_TRIM) ----------------------------------------- */

/* REAP_SETUP() for the trim cases, which skip without SLAB_TRIM. */
#define TRIM_SETUP(t, r)                                                          \
	do {                                                                      \
		if (!IS_ENABLED(CONFIG_SLAB_TRIM))                                \
			KT_SKIP(t, "trimming is off (CONFIG_SLAB_TRIM=n)");       \
		REAP_SETUP(t, r);                                                 \
	} while (0)

/* The trim cases' objects: objs[] is the reaper's @grow's. */
static void *trim_objs[BITS_PER_LONG + 1];

/* Page addresses, a set. */
struct page_set {
	uintptr_t page[2 * (1 << SLAB_MAX_ORDER)];
	size_t n;
};

/* Add the pages [@p, @p + @size) touches. */
static void page_set_add(struct page_set *ps, const void *p, size_t size)
{
	for (uintptr_t pg = (uintptr_t)p & ~(PAGE_SIZE - 1); pg < (uintptr_t)p + size;
	     pg += PAGE_SIZE) {
		size_t i = 0;

		while (i < ps->n && ps->page[i] != pg)
			i++;
		if (i == ps->n && ps->n < ARRAY_SIZE(ps->page))
			ps->page[ps->n++] = pg;
	}
}

/* Is @p in a page of @ps? */
static bool page_set_has(const struct page_set *ps, const void *p)
{
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->page[i] == ((uintptr_t)p & ~(PAGE_SIZE - 1)))
			return true;
	}
	return false;
}

/*
 * The pages the slab of trim_objs[0] (its first object) keeps while the
 * objects trim_objs[@a] and, unless negative, trim_objs[@b] live: the
 * pages they touch, and the first page when the descriptor is on it.
 */
static struct page_set kept_pages(struct kmem_cache *c, int a, int b)
{
	struct page_set ps = { .n = 0 };

	if (!cache_stats(c).off_slab)
		page_set_add(&ps, trim_objs[0], 1);
	page_set_add(&ps, trim_objs[a], kmem_cache_size(c));
	if (b >= 0)
		page_set_add(&ps, trim_objs[b], kmem_cache_size(c));
	return ps;
}

/*
 * A cache of @size-byte objects whose slabs trim (the rule of slab.c's
 * cache_setup(): no debugging flags, two pages or more, at most a word's
 * bits of objects) with three objects or more a slab: NULL, the cache
 * destroyed, when its geometry cannot show trimming (*@why says why).
 */
static struct kmem_cache *trim_cache(const char *name, size_t size, size_t *per,
				     const char **why)
{
	struct kmem_cache *c = kmem_cache_create(name, size, 0, NULL);
	struct kmem_cache_stats st;

	if (!c) {
		*why = "no memory for the cache";
		return NULL;
	}
	st = cache_stats(c);
	*per = st.objects_per_slab;
	if (kmem_cache_flags(c) & SLAB_DEBUG_FLAGS)
		*why = "a debugging cache: its slabs are never trimmed";
	else if (st.pages_per_slab < 2 || *per < 3 || *per > BITS_PER_LONG)
		*why = "this geometry has no trimmable slab with a middle object";
	else
		return c;
	kmem_cache_destroy(c);
	return NULL;
}

/* trim_objs[@from, @to) of @c, each filled with its pattern. */
static bool trim_alloc(struct ktest *t, struct kmem_cache *c, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		trim_objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!ktest_check(t, trim_objs[i] != NULL, __FILE__, __LINE__, true, "an object"))
			return false;
		memset(trim_objs[i], (int)pattern(i, 0), kmem_cache_size(c));
	}
	return true;
}

/* Free the middle objects of the first slab, trim_objs[1, @per - 1). */
static void trim_free_middle(struct ktest *t, struct kmem_cache *c, size_t per)
{
	for (size_t i = 1; i + 1 < per; i++)
		KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[i]), 0);
}

/* trim_objs[@i] still holds its pattern. */
static bool trim_obj_intact(struct kmem_cache *c, size_t i)
{
	return !memchr_inv(trim_objs[i], (int)pattern(i, 0), kmem_cache_size(c));
}

/*
 * One cache of @size-byte objects through trimming (@r's caches drive
 * the reaper); false when it cannot apply (*@why says why).
 */
static bool trim_idle_cache(struct ktest *t, struct reap_caches *r, size_t size,
			    const char **why)
{
	struct kmem_cache *c;
	struct kmem_cache_stats st;
	struct page_set both, last;
	size_t per = 0;

	c = trim_cache("test-trim", size, &per, why);
	if (!c)
		return false;
	if (!trim_alloc(t, c, 0, per))
		goto out;
	both = kept_pages(c, 0, (int)per - 1);
	last = kept_pages(c, (int)per - 1, -1);
	if (both.n == cache_stats(c).pages_per_slab) {
		*why = "the first and last objects touch every page of this geometry";
		for (size_t i = 0; i < per; i++)
			kmem_cache_free(c, trim_objs[i]);
		kmem_cache_destroy(c);
		return false;
	}
	trim_free_middle(t, c, per);
	if (!reap_two_rounds(t, r))
		goto out;
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_trimmed, (size_t)1);
	KT_EXPECT_EQ(t, st.pages, both.n);
	KT_EXPECT_LT(t, st.pages, (size_t)st.pages_per_slab);
	KT_EXPECT_EQ(t, st.active_objects, (size_t)2);
	KT_EXPECT_EQ(t, st.total_objects, (size_t)2);
	KT_EXPECT_TRUE(t, trim_obj_intact(c, 0));
	KT_EXPECT_TRUE(t, trim_obj_intact(c, per - 1));
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	/* A freed object is handed out no more: a new one comes from a new slab. */
	trim_objs[per] = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, trim_objs[per]);
	KT_EXPECT_EQ(t, cache_stats(c).slabs_trimmed, (size_t)1);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[per]), 0);
	/* That slab goes back (it may hold pages the trim gave back): only the trimmed one stays. */
	kmem_cache_shrink(c);
	KT_EXPECT_EQ(t, cache_stats(c).pages, both.n);
	if (!MM_MISUSE_PANICS) {
		for (size_t i = 1; i + 1 < per; i++) {
			if (page_set_has(&both, trim_objs[i]))
				expect_misuse(t, c, trim_objs[i], KERR_DOUBLE_FREE);
			else if (slab_checks_catch(SLAB_MISUSE_FOREIGN) &&
				 slab_checks_catch(SLAB_MISUSE_OTHER_CACHE))
				expect_misuse(t, c, trim_objs[i], KERR_BAD_PTR);
		}
	}
	/* The first object's own pages go with it; the slab stays for the last. */
	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[0]), 0);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_trimmed, (size_t)1);
	KT_EXPECT_EQ(t, st.pages, last.n);
	KT_EXPECT_TRUE(t, trim_obj_intact(c, per - 1));
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	if (!MM_MISUSE_PANICS && page_set_has(&last, trim_objs[0]))
		expect_misuse(t, c, trim_objs[0], KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[per - 1]), 0);
	st = cache_stats(c);
	KT_EXPECT_EQ(t, st.slabs_trimmed, (size_t)0);
	KT_EXPECT_EQ(t, st.pages, (size_t)0);
	KT_EXPECT_EQ(t, st.active_objects, (size_t)0);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	/* The cache still works. */
	trim_objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, trim_objs[0]);
	kmem_cache_free(c, trim_objs[0]);
out:
	kmem_cache_destroy(c);
	/* The next rounds must take new slabs: grow keeps none empty. */
	free_all(t, r->grow, r->n);
	kmem_cache_shrink(r->grow);
	r->n = 0;
	return true;
}

/*
 * Kconfig SLAB_TRIM: the reaper finds a cache idle with a partly used
 * slab, its first and last objects live.  The pages only free objects
 * touch (and no on-slab descriptor) go back and the live objects keep
 * every byte.  Each free into the trimmed slab gives back the pages it
 * leaves untouched, the last free the rest.  A second free of an object
 * whose first page stayed is a double free at every level (a trimmed
 * slab knows its live objects); of one whose page went, a pointer into
 * no slab of the cache.  Two geometries: 7/4-page objects, four in seven
 * pages with the descriptor off the slab, and 13/8-page objects, three
 * in five pages with it on the first page.
 */
static void slab_trim_idle_partial_slab(struct ktest *t)
{
	static const size_t sizes[] = { 7 * PAGE_SIZE / 4, 13 * PAGE_SIZE / 8 };
	struct reap_caches r;
	const char *why = "";
	size_t tried = 0;

	TRIM_SETUP(t, &r);
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++)
		tried += trim_idle_cache(t, &r, sizes[k], &why);
	reap_teardown(t, &r);
	if (!tried)
		KT_SKIP(t, why);
}

/*
 * An idle cache with more partly used slabs than one visit looks at
 * (slab.c's TRIM_BATCH, 8) has them all trimmed within the rounds: the
 * reaper stays on it while a visit trims and finds more.
 */
static void slab_trim_goes_on_past_a_batch(struct ktest *t)
{
	const size_t slabs = 12;
	struct reap_caches r;
	struct kmem_cache *c;
	struct kmem_cache_stats st;
	const char *why = "";
	size_t per = 0;

	TRIM_SETUP(t, &r);
	c = trim_cache("test-trim-many", 7 * PAGE_SIZE / 4, &per, &why);
	if (!c || slabs * per > ARRAY_SIZE(trim_objs)) {
		kmem_cache_destroy(c);
		reap_teardown(t, &r);
		KT_SKIP(t, c ? "more objects a slab than the case holds" : why);
	}
	/* Each slab keeps its first and last object (objects go out in address order). */
	if (trim_alloc(t, c, 0, slabs * per)) {
		for (size_t s = 0; s < slabs; s++) {
			for (size_t i = 1; i + 1 < per; i++)
				KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[s * per + i]), 0);
		}
		if (reap_two_rounds(t, &r)) {
			st = cache_stats(c);
			KT_EXPECT_EQ(t, st.slabs_trimmed, slabs);
			KT_EXPECT_EQ(t, st.slabs_partial, (size_t)0);
			KT_EXPECT_EQ(t, st.active_objects, 2 * slabs);
			KT_EXPECT_TRUE(t, kmem_cache_check(c));
		}
		for (size_t s = 0; s < slabs; s++) {
			KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[s * per]), 0);
			KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[s * per + per - 1]), 0);
		}
		KT_EXPECT_EQ(t, cache_stats(c).pages, (size_t)0);
	}
	kmem_cache_destroy(c);
	reap_teardown(t, &r);
}

/*
 * kmem_cache_trim() (what mm_drain_caches() asks of every cache) trims
 * a cache's partly used slab whether the cache is busy or not, and
 * reports the pages; a cache that does not trim, or none, gives none.
 */
static void slab_trim_on_request(struct ktest *t)
{
	struct kmem_cache *c, *small;
	struct page_set both;
	const char *why = "";
	size_t per = 0, pages;

	if (!IS_ENABLED(CONFIG_SLAB_TRIM))
		KT_SKIP(t, "trimming is off (CONFIG_SLAB_TRIM=n)");
	KT_EXPECT_EQ(t, kmem_cache_trim(NULL), (size_t)0);
	small = kmem_cache_create("test-trim-small", 64, 0, NULL);
	KT_ASSERT_NOT_NULL(t, small);
	/* One page a slab: nothing to trim. */
	if (cache_stats(small).pages_per_slab == 1)
		KT_EXPECT_EQ(t, kmem_cache_trim(small), (size_t)0);
	kmem_cache_destroy(small);
	c = trim_cache("test-trim-now", 7 * PAGE_SIZE / 4, &per, &why);
	if (!c)
		KT_SKIP(t, why);
	/* A full slab, then a CPU slab; the first becomes partial off the CPU. */
	if (trim_alloc(t, c, 0, per + 1)) {
		trim_free_middle(t, c, per);
		both = kept_pages(c, 0, (int)per - 1);
		pages = cache_stats(c).pages;
		KT_EXPECT_EQ(t, kmem_cache_trim(c), (size_t)cache_stats(c).pages_per_slab - both.n);
		KT_EXPECT_EQ(t, cache_stats(c).slabs_trimmed, (size_t)1);
		KT_EXPECT_EQ(t, cache_stats(c).pages, pages - (cache_stats(c).pages_per_slab - both.n));
		KT_EXPECT_TRUE(t, kmem_cache_check(c));
		/* Nothing left to trim: the CPU's slab is not on a list. */
		KT_EXPECT_EQ(t, kmem_cache_trim(c), (size_t)0);
		KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[0]), 0);
		KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[per - 1]), 0);
		KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[per]), 0);
	}
	kmem_cache_destroy(c);
}

/*
 * A cache allocated from between the reaper's visits keeps its partly
 * used slab whole: only idle caches trim.
 */
static void slab_trim_leaves_busy_cache_whole(struct ktest *t)
{
	struct reap_caches r;
	struct kmem_cache *c;
	struct kmem_cache_stats before, after;
	const char *why = "";
	size_t per = 0;

	TRIM_SETUP(t, &r);
	c = trim_cache("test-trim-busy", 7 * PAGE_SIZE / 4, &per, &why);
	if (!c) {
		reap_teardown(t, &r);
		KT_SKIP(t, why);
	}
	/*
	 * A full slab, then a CPU slab with room for the busy cache's
	 * allocations; the first slab becomes partial off the CPU.
	 */
	if (!trim_alloc(t, c, 0, per + 1))
		goto out;
	trim_free_middle(t, c, per);
	kmem_cache_destroy(r.busy);
	r.busy = c;
	before = cache_stats(c);
	if (reap_two_rounds(t, &r)) {
		after = cache_stats(c);
		KT_EXPECT_EQ(t, after.slabs_trimmed, (size_t)0);
		KT_EXPECT_EQ(t, after.pages, before.pages);
		KT_EXPECT_TRUE(t, kmem_cache_check(c));
	}
	r.busy = NULL;   /* c is destroyed below, once */
	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[per]), 0);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[0]), 0);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(c, trim_objs[per - 1]), 0);
out:
	kmem_cache_destroy(c);
	reap_teardown(t, &r);
}

/* Bytes a slab of @st leaves over after its objects. */
static size_t spare_bytes(const struct kmem_cache_stats *st)
{
	return PAGE_SIZE * st->pages_per_slab - st->objects_per_slab * st->size;
}

/*
 * A cache of objects large enough to go off slab keeps its descriptor
 * on the slab when the bytes its objects leave over hold it (and no
 * colouring wants them): its new slabs take no kmem_slab object.  A
 * page-sized stride leaves nothing: off slab (with red zones or owners
 * the stride is larger, and the slab may have bytes to spare).  13/8 of
 * a page: three in five pages leave 512 bytes, with exact geometries
 * first (SLAB_TRIM) or not.
 */
static void slab_descriptor_in_spare_bytes(struct ktest *t)
{
	struct kmem_cache *whole = kmem_cache_create("test-desc-page", PAGE_SIZE, 0, NULL);
	struct kmem_cache *spare = kmem_cache_create("test-desc-spare", 13 * PAGE_SIZE / 8, 0, NULL);
	struct kmem_cache_stats st;
	size_t slabs = 4;

	KT_ASSERT_NOT_NULL(t, whole);
	KT_ASSERT_NOT_NULL(t, spare);
	st = cache_stats(whole);
	if (spare_bytes(&st) == 0)
		KT_EXPECT_TRUE(t, st.off_slab);
	st = cache_stats(spare);
	if (IS_ENABLED(CONFIG_SLAB_COLOURING)) {
		KT_EXPECT_TRUE(t, st.off_slab);
	} else if (spare_bytes(&st) < 256) {
		kmem_cache_destroy(whole);
		kmem_cache_destroy(spare);
		KT_SKIP(t, "this geometry leaves under 256 spare bytes (SLAB_MIN_OBJECTS)");
	} else {
		size_t per = st.objects_per_slab;
		struct kmem_cache_stats descriptors, now;

		/* Off-slab descriptors are kmem_slab's objects. */
		KT_ASSERT_TRUE(t, cache_stats_of("kmem_slab", &descriptors));
		KT_EXPECT_FALSE(t, st.off_slab);
		KT_ASSERT_LE(t, slabs * per, ARRAY_SIZE(objs));
		KT_ASSERT_EQ(t, alloc_filled(t, spare, slabs * per), slabs * per);
		KT_EXPECT_TRUE(t, patterns_intact(t, spare, slabs * per));
		st = cache_stats(spare);
		KT_EXPECT_EQ(t, st.pages, slabs * st.pages_per_slab);
		/* Each slab's objects start past its descriptor and end inside it. */
		for (size_t s = 0; s < slabs; s++) {
			uintptr_t first = (uintptr_t)objs[s * per] % PAGE_SIZE;

			KT_EXPECT_GT(t, first, (uintptr_t)0);
			KT_EXPECT_LE(t, first + per * st.size, PAGE_SIZE * st.pages_per_slab);
		}
		KT_ASSERT_TRUE(t, cache_stats_of("kmem_slab", &now));
		KT_EXPECT_EQ(t, now.active_objects, descriptors.active_objects);
		KT_EXPECT_TRUE(t, kmem_cache_check(spare));
		free_all(t, spare, slabs * per);
	}
	kmem_cache_destroy(whole);
	kmem_cache_destroy(spare);
}

static const struct ktest_case slab_cases[] = {
	KTEST_CASE(slab_object_sizes),
	KTEST_CASE(slab_alignment),
	KTEST_CASE(slab_constructor),
	KTEST_CASE(slab_list_transitions),
	KTEST_CASE(slab_prefers_partial),
	KTEST_CASE(slab_reclaim_and_shrink),
	KTEST_CASE(slab_destroy_returns_pages),
	KTEST_CASE(slab_misuse_foreign),
	KTEST_CASE(slab_misuse_other_cache),
	KTEST_CASE(slab_misuse_interior),
	KTEST_CASE(slab_misuse_double_free),
	KTEST_CASE(slab_misuse_double_free_later),
	KTEST_CASE(slab_kmalloc_flag),
	KTEST_CASE(slab_write_after_free),
	KTEST_CASE(slab_poison_on_every_free),
	KTEST_CASE(slab_refilled_while_unlocked),
	KTEST_CASE(slab_gfp_zero),
	KTEST_CASE(slab_create_arguments),
	KTEST_CASE(slab_exhaustion_is_a_failure),
	KTEST_CASE(slab_colouring),
	KTEST_CASE(slab_cache_list),
	KTEST_CASE(slab_reap_idle_cache),
	KTEST_CASE(slab_reap_then_free_is_refused),
	KTEST_CASE(slab_trim_idle_partial_slab),
	KTEST_CASE(slab_trim_goes_on_past_a_batch),
	KTEST_CASE(slab_trim_on_request),
	KTEST_CASE(slab_trim_leaves_busy_cache_whole),
	KTEST_CASE(slab_descriptor_in_spare_bytes),
	{0},
};

/* Every case is about slabs: a guard object (DEBUG_GUARD) lies in none. */
KTEST_SUITE_WITH_HOOKS(slab, slab_cases, guard_off_init, guard_off_exit);
