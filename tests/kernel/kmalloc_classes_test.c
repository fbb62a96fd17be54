/*
 * kmalloc_classes_test.c - the TwoTier kmalloc (TwoTier mode, and Hybrid,
 * whose first choice it is): size classes, whole-page allocations, their
 * alignment, empty-slab reclaim and misuse.
 *
 * The expected classes are parsed here from CONFIG_KMALLOC_CLASSES, the
 * Kconfig string, independently of the table the generator made from it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "cache_stats_of.h"
#include "debug_guard.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "printk.h"
#include "slab.h"

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

/* At most one class per 8 bytes of a page. */
#define MAX_CLASSES (PAGE_SIZE / 8)

static size_t classes[MAX_CLASSES];
static size_t nr_classes;
static void *objs[1024];
static char unmanaged_object[64] __attribute__((aligned(16)));

static void parse_classes(void)
{
	const char *s = CONFIG_KMALLOC_CLASSES;

	nr_classes = 0;
	while (*s && nr_classes < MAX_CLASSES) {
		size_t v = 0;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if (!*s)
			break;
		while (*s >= '0' && *s <= '9')
			v = v * 10 + (size_t)(*s++ - '0');
		classes[nr_classes++] = v;
	}
}

static size_t largest_class(void)
{
	return classes[nr_classes - 1];
}

/* The smallest class holding @size, or 0 above the largest. */
static size_t expected_class(size_t size)
{
	for (size_t i = 0; i < nr_classes; i++) {
		if (classes[i] >= size)
			return classes[i];
	}
	return 0;
}

/* The class these cases exercise: the one serving 64 bytes, or the largest if none does. */
static size_t test_class(void)
{
	size_t cls = expected_class(64);

	return cls ? cls : largest_class();
}

static size_t lowest_bit(size_t x)
{
	return x & -x;
}

static struct mm_stats stats(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st;
}

static void init_classes(struct ktest *t)
{
	(void)t;
	parse_classes();
	/* Every case is about the size classes: a guard object is in none. */
	if (DEBUG_GUARD)
		guard_suspend();
}

static void exit_classes(struct ktest *t)
{
	(void)t;
	if (DEBUG_GUARD)
		guard_resume();
}

/* kmalloc_size_roundup() (the generated lookup) agrees with Kconfig for every size. */
static void lookup_matches_kconfig(struct ktest *t)
{
	size_t wrong = 0, first_wrong = 0;

	KT_ASSERT_GT(t, nr_classes, 0u);
	for (size_t i = 0; i < nr_classes; i++) {
		KT_EXPECT_EQ(t, classes[i] % KMALLOC_MIN_ALIGN, 0u);
		if (i)
			KT_EXPECT_GT(t, classes[i], classes[i - 1]);
	}
	KT_EXPECT_LE(t, largest_class(), KMEM_CACHE_MAX_SIZE);
	for (size_t size = 1; size <= largest_class(); size++) {
		if (kmalloc_size_roundup(size) != expected_class(size) && !wrong++)
			first_wrong = size;
	}
	KT_EXPECT_EQ(t, wrong, 0u);
	KT_EXPECT_EQ(t, first_wrong, 0u);
	KT_EXPECT_EQ(t, kmalloc_size_roundup(0), 0u);
	KT_EXPECT_EQ(t, kmalloc_size_roundup(largest_class() + 1),
		     ALIGN_UP(largest_class() + 1, PAGE_SIZE));
	KT_EXPECT_EQ(t, kmalloc_size_roundup(5 * PAGE_SIZE + 1),
		     5 * PAGE_SIZE + 1 <= largest_class() ? expected_class(5 * PAGE_SIZE + 1)
						       : 6 * PAGE_SIZE);
	KT_EXPECT_EQ(t, kmalloc_size_roundup(KMALLOC_SIZE_MAX + 1), 0u);
}

/* One allocation of @size: the right cache (or whole pages), usable to the end. */
static void expect_served(struct ktest *t, size_t size)
{
	size_t cls = expected_class(size);
	uint8_t *p = kmalloc(size, GFP_KERNEL);
	struct kmem_cache *c;

	KT_ASSERT_NOT_NULL(t, p);
	c = kmem_cache_of(p);
	if (cls) {
		char name[24];

		KT_EXPECT_EQ(t, ksize(p), cls);
		KT_ASSERT_NOT_NULL(t, c);
		ksnprintf(name, sizeof(name), "kmalloc-%zu", cls);
		KT_EXPECT_EQ(t, strcmp(kmem_cache_name(c), name), 0);
		KT_EXPECT_EQ(t, kmem_cache_size(c), cls);
	} else {
		struct page *pg = virt_to_page(p);

		KT_EXPECT_NULL(t, c);
		KT_EXPECT_EQ(t, ksize(p), ALIGN_UP(size, PAGE_SIZE));
		KT_EXPECT_EQ(t, (uintptr_t)p % PAGE_SIZE, 0u);
		KT_ASSERT_NOT_NULL(t, pg);
		KT_EXPECT_TRUE(t, pg->flags & PG_LARGE);
		KT_EXPECT_EQ(t, (size_t)pg->npages, ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
	}
	memset(p, 0x5c, ksize(p));
	KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
}

/* Size 0, 1, every class edge and one past it, the largest, huge. */
static void class_boundaries(struct ktest *t)
{
	size_t beyond_ram = (size_t)arch_ram_size() + PAGE_SIZE;
	void *out = unmanaged_object;

	KT_EXPECT_NULL(t, kmalloc(0, GFP_KERNEL));
	KT_EXPECT_EQ(t, kmalloc_try(0, GFP_KERNEL, &out), KERR_INVAL);
	KT_EXPECT_NULL(t, out);
	expect_served(t, 1);
	for (size_t i = 0; i < nr_classes; i++) {
		expect_served(t, classes[i]);
		expect_served(t, classes[i] + 1);
		if (classes[i] > 1)
			expect_served(t, classes[i] - 1);
	}
	expect_served(t, 3 * PAGE_SIZE);
	expect_served(t, 3 * PAGE_SIZE + 1);
	KT_EXPECT_EQ(t, kmalloc_try(beyond_ram, GFP_KERNEL, &out), KERR_NOMEM);
	KT_EXPECT_EQ(t, kmalloc_try(SIZE_MAX, GFP_KERNEL, &out), KERR_INVAL);
}

/* Whole-page allocations: exact requested size, resized in place while the page count holds. */
static void large_allocations(struct ktest *t)
{
	struct mm_stats before = stats(), during;
	size_t size = largest_class() + PAGE_SIZE + 1;   /* two or more pages */
	size_t npages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	uint8_t *p, *q;

	p = kmalloc(size, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	during = stats();
	KT_EXPECT_EQ(t, during.bytes_requested, before.bytes_requested + size);
	KT_EXPECT_EQ(t, during.bytes_granted, before.bytes_granted + npages * PAGE_SIZE);
	KT_EXPECT_EQ(t, during.pages.free_pages, before.pages.free_pages - npages);
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)i;

	/* The same number of pages: in place, the request re-booked. */
	q = krealloc(p, npages * PAGE_SIZE, GFP_KERNEL);
	KT_EXPECT_PTR_EQ(t, q, p);
	KT_EXPECT_EQ(t, stats().bytes_requested, before.bytes_requested + npages * PAGE_SIZE);
	/* One page more: moved, contents kept. */
	q = krealloc(p, npages * PAGE_SIZE + 1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_EQ(t, ksize(q), (npages + 1) * PAGE_SIZE);
	for (size_t i = 0; i < size; i++) {
		if (q[i] != (uint8_t)i) {
			KT_FAIL(t, "byte %zu lost in the move", i);
			break;
		}
	}
	/* Down to a class: into a slab. */
	p = krealloc(q, 8, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_NOT_NULL(t, kmem_cache_of(p));
	KT_EXPECT_EQ(t, p[0], 0u);
	KT_EXPECT_EQ(t, p[7], 7u);
	kfree(p);
	KT_EXPECT_EQ(t, stats().bytes_requested, before.bytes_requested);
	KT_EXPECT_EQ(t, stats().pages.free_pages + stats().slab_pages,
		     before.pages.free_pages + before.slab_pages);
}

/* Every class's objects keep the alignment of the class; stricter requests are met. */
static void alignment_by_class(struct ktest *t)
{
	for (size_t i = 0; i < nr_classes; i++) {
		size_t align = MIN(lowest_bit(classes[i]), PAGE_SIZE);

		for (unsigned int k = 0; k < 3; k++) {
			objs[k] = kmalloc(classes[i], GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, objs[k]);
			KT_EXPECT_EQ(t, (uintptr_t)objs[k] % align, 0u);
			KT_EXPECT_EQ(t, (uintptr_t)objs[k] % KMALLOC_MIN_ALIGN, 0u);
		}
		for (unsigned int k = 0; k < 3; k++)
			kfree(objs[k]);
	}
	for (size_t align = KMALLOC_MIN_ALIGN; align <= PAGE_SIZE; align <<= 1) {
		size_t sizes[] = { 1, 24, 100, largest_class(), largest_class() + 1 };

		for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
			void *p;

			KT_ASSERT_EQ(t, kmalloc_align_try(sizes[k], align, GFP_KERNEL, &p), KERR_OK);
			KT_EXPECT_EQ(t, (uintptr_t)p % align, 0u);
			KT_EXPECT_GE(t, ksize(p), sizes[k]);
			memset(p, 0x11, ksize(p));
			KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
		}
	}
}

/* Slabs that empty go back beyond SLAB_KEEP_EMPTY; a drain returns the rest. */
static void empty_slab_reclaim(struct ktest *t)
{
	size_t cls = test_class();
	struct kmem_cache_stats cs0, cs;
	size_t free0, n;
	char name[24];

	ksnprintf(name, sizeof(name), "kmalloc-%zu", cls);
	mm_drain_caches();
	KT_ASSERT_TRUE(t, cache_stats_of(name, &cs0));
	free0 = stats().pages.free_pages;
	n = 3 * (size_t)cs0.objects_per_slab + 1;
	if (n > ARRAY_SIZE(objs))
		KT_SKIP(t, "too many objects per slab for this test");
	for (size_t i = 0; i < n; i++) {
		objs[i] = kmalloc(cls, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, objs[i]);
	}
	KT_ASSERT_TRUE(t, cache_stats_of(name, &cs));
	KT_EXPECT_EQ(t, cs.active_objects, cs0.active_objects + n);
	KT_EXPECT_GE(t, cs.pages, cs0.pages + 3 * (size_t)cs.pages_per_slab);
	for (size_t i = 0; i < n; i++)
		kfree(objs[i]);
	KT_ASSERT_TRUE(t, cache_stats_of(name, &cs));
	KT_EXPECT_EQ(t, cs.active_objects, cs0.active_objects);
	/* The empty list's limit, and the CPU's own slab besides. */
	KT_EXPECT_LE(t, cs.slabs_empty, (size_t)CONFIG_SLAB_KEEP_EMPTY + 1);
	KT_EXPECT_LE(t, cs.pages,
		     cs0.pages + ((size_t)CONFIG_SLAB_KEEP_EMPTY + 1) * cs.pages_per_slab);
	mm_drain_caches();
	KT_ASSERT_TRUE(t, cache_stats_of(name, &cs));
	KT_EXPECT_EQ(t, cs.pages, cs0.pages);
	KT_EXPECT_EQ(t, stats().pages.free_pages, free0);
}

/*
 * kfree() frees most objects inline (core/include/slab_def.h) and leaves
 * every list move to slab.c.  Whichever way each free goes, the cache must
 * stay consistent: freed in address order, in reverse, and every other
 * object first, so that full slabs turn partial, partial ones empty and
 * the CPU slab gives back its last object.
 */
static void kfree_keeps_slab_lists(struct ktest *t)
{
	size_t cls = test_class();
	struct kmem_cache_stats cs0, cs;
	struct kmem_cache *c;
	size_t n, half;
	char name[24];

	ksnprintf(name, sizeof(name), "kmalloc-%zu", cls);
	mm_drain_caches();
	KT_ASSERT_TRUE(t, cache_stats_of(name, &cs0));
	n = 3 * (size_t)cs0.objects_per_slab + 1;
	half = (n + 1) / 2;
	if (n > ARRAY_SIZE(objs))
		KT_SKIP(t, "too many objects per slab for this test");
	for (unsigned int order = 0; order < 3; order++) {
		for (size_t i = 0; i < n; i++) {
			objs[i] = kmalloc(cls, GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, objs[i]);
		}
		c = kmem_cache_of(objs[0]);
		KT_ASSERT_NOT_NULL(t, c);
		for (size_t k = 0; k < n; k++) {
			size_t i = order == 0 ? k : order == 1 ? n - 1 - k :
				   k < half ? 2 * k : 2 * (k - half) + 1;

			KT_ASSERT_EQ(t, kfree_checked(objs[i]), 0);
			KT_ASSERT_TRUE(t, kmem_cache_check(c));
		}
		KT_ASSERT_TRUE(t, cache_stats_of(name, &cs));
		KT_EXPECT_EQ(t, cs.active_objects, cs0.active_objects);
		KT_EXPECT_EQ(t, cs.counters.allocs - cs0.counters.allocs, (uint64_t)(order + 1) * n);
		/* The empty list's limit, and the CPU's own slab besides. */
		KT_EXPECT_LE(t, cs.slabs_empty, (size_t)CONFIG_SLAB_KEEP_EMPTY + 1);
	}
}

/* Each misuse is reported once and refused; what follows is undisturbed. */
static void misuse_reported_once(struct ktest *t)
{
	struct mm_stats before, after;
	struct kmem_cache *private;
	uint64_t reports, expected = 0;
	uint8_t *a, *b, *big, *page, *obj;
	int err;

	SKIP_IF_MISUSE_PANICS(t);
	a = kmalloc(64, GFP_KERNEL);
	b = kmalloc(64, GFP_KERNEL);
	big = kmalloc(largest_class() + 1, GFP_KERNEL);
	page = page_alloc(1, GFP_KERNEL);
	private = kmem_cache_create("kmalloc_test_private", 64, 0, NULL);
	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	KT_ASSERT_NOT_NULL(t, big);
	KT_ASSERT_NOT_NULL(t, page);
	KT_ASSERT_NOT_NULL(t, private);
	obj = kmem_cache_alloc(private, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, obj);
	KT_ASSERT_EQ(t, kfree_checked(a), KERR_OK);
	KT_ASSERT_EQ(t, kfree_checked(big), KERR_OK);

	before = stats();
	reports = mm_misuse_total();
	/* Slab classes only where the level promises them (slab_checks_catch()). */
	if (slab_checks_catch(SLAB_MISUSE_DOUBLE_FREE)) {
		KT_EXPECT_EQ(t, kfree_checked(a), KERR_DOUBLE_FREE);     /* slab double free */
		expected++;
	}
	if (slab_checks_catch(SLAB_MISUSE_INTERIOR)) {
		KT_EXPECT_EQ(t, kfree_checked(b + 8), KERR_BAD_PTR);     /* inside an object */
		expected++;
	}
	if (slab_checks_catch(SLAB_MISUSE_NOT_KMALLOC)) {
		KT_EXPECT_EQ(t, kfree_checked(obj), KERR_BAD_PTR);       /* another cache's object */
		expected++;
	}
	KT_EXPECT_EQ(t, kfree_checked(unmanaged_object), KERR_BAD_PTR);  /* not managed memory */
	KT_EXPECT_EQ(t, kfree_checked(page), KERR_BAD_PTR);              /* someone's page */
	err = kfree_checked(big);                                        /* large, again */
	KT_EXPECT_TRUE(t, err == KERR_DOUBLE_FREE || err == KERR_BAD_PTR);
	KT_EXPECT_EQ(t, kfree_checked(page + PAGE_SIZE / 2), KERR_BAD_PTR);
	expected += 4;
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + expected);
	after = stats();
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + expected);
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);

	/* Nothing was taken: the page, the private object and b are still theirs. */
	KT_EXPECT_EQ(t, page_free(page, 1), KERR_OK);
	KT_EXPECT_EQ(t, kmem_cache_free_checked(private, obj), KERR_OK);
	kmem_cache_destroy(private);
	KT_EXPECT_EQ(t, kfree_checked(b), KERR_OK);
	/* And a was not put on the freelist twice: 64 fresh objects, all distinct. */
	for (size_t i = 0; i < 64; i++) {
		objs[i] = kmalloc(64, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, objs[i]);
		memset(objs[i], (int)i, 64);
	}
	for (size_t i = 0; i < 64; i++) {
		for (size_t j = 0; j < 64; j++) {
			if (((uint8_t *)objs[i])[j] != (uint8_t)i) {
				KT_FAIL(t, "object %zu overwritten at byte %zu", i, j);
				break;
			}
		}
		kfree(objs[i]);
	}
}

static const struct ktest_case kmalloc_classes_cases[] = {
	KTEST_CASE(lookup_matches_kconfig),
	KTEST_CASE(class_boundaries),
	KTEST_CASE(large_allocations),
	KTEST_CASE(alignment_by_class),
	KTEST_CASE(empty_slab_reclaim),
	KTEST_CASE(kfree_keeps_slab_lists),
	KTEST_CASE(misuse_reported_once),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(kmalloc_classes, kmalloc_classes_cases, init_classes, exit_classes);
