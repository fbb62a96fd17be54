/*
 * hybrid_test.c - the Hybrid front: TwoTier first, the SimpleHeap region
 * when TwoTier cannot serve, routing of frees by address, and switching
 * with mm_set_mode().
 *
 * Where an allocation went is read from the outside: a slab object has a
 * cache (kmem_cache_of), a whole-page one a PG_LARGE head, a heap block
 * neither and shows in heap_free_bytes.  Every case leaves the mode at
 * MM_MODE_HYBRID (the exit hook makes sure).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug_guard.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "page_alloc.h"
#include "slab.h"
#include "take_all.h"

static void *objs[2048];

static struct mm_stats stats(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st;
}

static bool from_twotier(const void *p)
{
	const struct page *pg = virt_to_page(p);

	return kmem_cache_of(p) || (pg && (pg->flags & PG_LARGE));
}

/*
 * Take every free page, the largest blocks first, recorded outside them
 * (held_pages.h: touching every page of a large RAM costs the host dearly).
 */
static void take_all_pages(struct held_pages *held)
{
	*held = (struct held_pages){ 0 };
	for (unsigned int order = TAKE_ALL_BLOCK_ORDER + 1; order-- > 0;)
		while (held_take(held, order, GFP_KERNEL))
			;
}

static void restore_mode(struct ktest *t)
{
	(void)t;
	mm_set_mode(MM_MODE_HYBRID);
}

/* Every case asks which allocator served: a guard object is neither (DEBUG_GUARD). */
static void init_case(struct ktest *t)
{
	restore_mode(t);
	if (DEBUG_GUARD)
		guard_suspend();
}

static void exit_case(struct ktest *t)
{
	restore_mode(t);
	if (DEBUG_GUARD)
		guard_resume();
}

static void twotier_first(struct ktest *t)
{
	struct mm_stats before = stats();
	void *small, *big;

	KT_EXPECT_EQ(t, (int)mm_get_mode(), (int)MM_MODE_HYBRID);
	KT_EXPECT_EQ(t, strcmp(mm_mode_name(), "Hybrid"), 0);
	small = kmalloc(64, GFP_KERNEL);
	big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, small);
	KT_ASSERT_NOT_NULL(t, big);
	KT_EXPECT_NOT_NULL(t, kmem_cache_of(small));
	KT_EXPECT_TRUE(t, from_twotier(big));
	KT_EXPECT_EQ(t, stats().heap_free_bytes, before.heap_free_bytes);
	kfree(small);
	kfree(big);
}

static void heap_only_mode(struct ktest *t)
{
	struct mm_stats before = stats();
	uint8_t *p, *q;

	KT_ASSERT_GT(t, before.heap_free_bytes, 0u);
	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_HEAP_ONLY), KERR_OK);
	KT_EXPECT_EQ(t, (int)mm_get_mode(), (int)MM_MODE_HEAP_ONLY);
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_FALSE(t, from_twotier(p));
	KT_EXPECT_FALSE(t, from_twotier(q));
	KT_EXPECT_GE(t, ksize(p), 64u);
	KT_EXPECT_LT(t, stats().heap_free_bytes, before.heap_free_bytes - 3 * PAGE_SIZE);
	memset(p, 1, ksize(p));
	memset(q, 2, ksize(q));
	/* Frees route by address, whatever the mode is now. */
	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_TWOTIER_ONLY), KERR_OK);
	KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
	KT_EXPECT_EQ(t, kfree_checked(q), KERR_OK);
	KT_EXPECT_EQ(t, stats().heap_free_bytes, before.heap_free_bytes);
	KT_EXPECT_EQ(t, stats().heap_largest_free, before.heap_largest_free);
}

/* With no page left, TwoTier-only fails and Hybrid falls back to the region. */
static void fallback_when_twotier_cannot_serve(struct ktest *t)
{
	struct mm_stats before = stats(), st;
	struct held_pages held;
	void *p;
	size_t n = 0, in_heap = 0;
	int err;

	take_all_pages(&held);
	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_TWOTIER_ONLY), KERR_OK);
	KT_EXPECT_EQ(t, kmalloc_try(2 * PAGE_SIZE, GFP_KERNEL, &p), KERR_NOMEM);
	KT_EXPECT_NULL(t, p);
	KT_EXPECT_EQ(t, stats().heap_free_bytes, before.heap_free_bytes);

	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_HYBRID), KERR_OK);
	err = kmalloc_try(2 * PAGE_SIZE, GFP_KERNEL, &p);
	KT_EXPECT_EQ(t, err, KERR_OK);
	if (!err) {
		KT_EXPECT_FALSE(t, from_twotier(p));
		KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
	}
	/* Small requests: slab objects while the slabs have room, then the heap. */
	while (n < ARRAY_SIZE(objs) && in_heap < 4 && (objs[n] = kmalloc(200, GFP_KERNEL))) {
		in_heap += !from_twotier(objs[n]);
		n++;
	}
	KT_EXPECT_EQ(t, in_heap, 4u);
	st = stats();
	KT_EXPECT_LT(t, st.heap_free_bytes, before.heap_free_bytes);
	KT_EXPECT_EQ(t, st.counters.failures, before.counters.failures + 1);
	while (n)
		KT_EXPECT_EQ(t, kfree_checked(objs[--n]), KERR_OK);
	held_release(t, &held);
	KT_EXPECT_EQ(t, stats().heap_free_bytes, before.heap_free_bytes);
}

/* krealloc moves a block between the allocators when the mode says so. */
static void realloc_crosses_allocators(struct ktest *t)
{
	struct mm_stats before = stats();
	uint8_t *p, *q, *r;

	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_HEAP_ONLY), KERR_OK);
	p = kmalloc(1000, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	for (size_t i = 0; i < 1000; i++)
		p[i] = (uint8_t)(i * 7);

	/* Shrinking stays in place even when the region is closed to new memory. */
	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_TWOTIER_ONLY), KERR_OK);
	q = krealloc(p, 500, GFP_KERNEL);
	KT_EXPECT_PTR_EQ(t, q, p);
	/* Growing has to leave the region. */
	r = krealloc(q, 5000, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, r);
	KT_EXPECT_TRUE(t, from_twotier(r));
	for (size_t i = 0; i < 500; i++) {
		if (r[i] != (uint8_t)(i * 7)) {
			KT_FAIL(t, "byte %zu lost in the move", i);
			break;
		}
	}
	KT_EXPECT_EQ(t, stats().heap_free_bytes, before.heap_free_bytes);
	/* And back into it. */
	KT_ASSERT_EQ(t, mm_set_mode(MM_MODE_HEAP_ONLY), KERR_OK);
	p = krealloc(r, 6 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_FALSE(t, from_twotier(p));
	KT_EXPECT_EQ(t, p[499], (uint8_t)(499 * 7));
	kfree(p);
	KT_EXPECT_EQ(t, stats().heap_free_bytes, before.heap_free_bytes);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
}

static void unknown_mode_is_refused(struct ktest *t)
{
	KT_EXPECT_EQ(t, mm_set_mode((enum mm_hybrid_mode)42), KERR_INVAL);
	KT_EXPECT_EQ(t, mm_set_mode((enum mm_hybrid_mode)-1), KERR_INVAL);
	KT_EXPECT_EQ(t, (int)mm_get_mode(), (int)MM_MODE_HYBRID);
}

static const struct ktest_case hybrid_cases[] = {
	KTEST_CASE(twotier_first),
	KTEST_CASE(heap_only_mode),
	KTEST_CASE(fallback_when_twotier_cannot_serve),
	KTEST_CASE(realloc_crosses_allocators),
	KTEST_CASE(unknown_mode_is_refused),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(hybrid, hybrid_cases, init_case, exit_case);
