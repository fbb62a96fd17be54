/*
 * allocator_interface_test.c - one case per function of the two allocator
 * interfaces (docs/ALLOCATOR_INTERFACE.md): the kmalloc front
 * (core/mm/kmalloc_front.h) and the page-allocator strategy
 * (core/mm/pa_strategy.h).  Each case is named after its function, calls
 * it the way the layers above do (through the public API: kmalloc.c and
 * page_alloc.c are what call a front and a strategy), and fails when the
 * function is a stub (not_implemented.h) or when what it returned shows
 * it did not do its job.  The first suite of the conformance group: a
 * variant written with `./build.py new-allocator` fails here, naming
 * every function still to write; the rest of the group tests behaviour.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "not_implemented.h"
#include "page_alloc.h"

/* What a case passes to a function when the allocator could give it nothing of its own. */
static char foreign[2 * 4096] __attribute__((aligned(4096)));

/* Fail @t, naming @fn, if @fn was called and is a stub; returns whether it was. */
static bool stub(struct ktest *t, const char *fn)
{
	if (!mm_not_implemented_seen(fn))
		return false;
	KT_FAIL(t, "%s: not implemented (the scaffold's stub returns %s): write it, see "
		"docs/ALLOCATOR_INTERFACE.md", fn, kerr_name(KERR_NOSYS));
	return true;
}

/*
 * Fail @t, naming @fn and the stubs in the way, when the page strategy's
 * boot functions are stubs: then it manages no page, and neither it nor
 * the front above it has memory to hand out.
 */
static bool boot_stubs(struct ktest *t, const char *fn)
{
	static const char *const boot[] = {
		"pa_strategy_meta_size", "pa_strategy_init", "pa_strategy_release",
		"pa_strategy_free_pages",
	};
	bool blocked = false;

	for (size_t i = 0; i < ARRAY_SIZE(boot); i++) {
		if (mm_not_implemented_seen(boot[i])) {
			KT_FAIL(t, "%s: not reached: %s is not implemented, so the page "
				"allocator has no page", fn, boot[i]);
			blocked = true;
		}
	}
	return blocked;
}

/* @fn is a stub, or what it needs below it is. */
static bool blocked(struct ktest *t, const char *fn)
{
	return stub(t, fn) || boot_stubs(t, fn);
}

/* ---- the kmalloc front (kmalloc_front.h) ------------------------------------------ */

/* A live allocation of the front, or NULL when it cannot give one. */
static void *front_object(size_t size)
{
	void *p = NULL;

	return kmalloc_try(size, GFP_KERNEL | __GFP_NOWARN, &p) ? NULL : p;
}

/* mm_init() called it at boot: the front's memory is in place. */
static void kmalloc_front_init_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_init";

	stub(t, fn);
}

static void mm_mode_name_case(struct ktest *t)
{
	const char *name = mm_mode_name();

	KT_ASSERT_NOT_NULL(t, name);
	KT_EXPECT_GT(t, strlen(name), 0u);
}

static void kmalloc_front_alloc_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_alloc";
	void *p = front_object(64);

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_GE(t, ksize(p), (size_t)64);
	memset(p, 0x5c, 64);
	kfree(p);
}

static void kmalloc_front_free_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_free";
	void *p = front_object(64);
	int err = kfree_checked(p ? p : (void *)foreign);

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, err, 0);
}

/* krealloc() asks the front for the sizes of the old block, then to resize it. */
static void *front_resize(void)
{
	void *p = front_object(64);
	void *q;

	if (!p)
		return krealloc(foreign, 2 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	memset(p, 0x3a, 64);
	q = krealloc(p, 2 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN);
	if (!q)
		kfree(p);
	return q;
}

static void kmalloc_front_realloc_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_realloc";
	void *q = front_resize();
	bool kept = true;

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, q);
	for (size_t i = 0; i < 64; i++)
		kept &= ((uint8_t *)q)[i] == 0x3a;
	KT_EXPECT_TRUE(t, kept);
	KT_EXPECT_GE(t, ksize(q), 2 * (size_t)PAGE_SIZE);
	kfree(q);
}

static void kmalloc_front_sizes_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_sizes";
	void *q = front_resize();
	struct mm_stats before, after;
	size_t usable;

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, q);
	usable = ksize(q);
	/*
	 * The booked sizes are what kfree() takes off: at least the bytes
	 * asked for (a slab object books its whole class), at most the usable.
	 */
	mm_get_stats(&before);
	kfree(q);
	mm_get_stats(&after);
	KT_EXPECT_GE(t, before.bytes_requested - after.bytes_requested, 2 * (size_t)PAGE_SIZE);
	KT_EXPECT_LE(t, before.bytes_requested - after.bytes_requested, usable);
}

static void kmalloc_front_usable_size_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_usable_size";
	void *p = front_object(100);
	size_t usable = ksize(p ? p : (void *)foreign);

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_GE(t, usable, (size_t)100);
	KT_EXPECT_EQ(t, ksize(foreign), (size_t)0);
	kfree(p);
}

static void kmalloc_front_stats_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_stats";
	struct mm_stats st;
	void *p = front_object(64);

	mm_get_stats(&st);
	if (blocked(t, fn))
		goto out;
	KT_EXPECT_NOT_NULL(t, p);
	/* With an object live, the front holds metadata, slab objects or a heap region. */
	KT_EXPECT_GT(t, st.front_meta_bytes + st.slab_total_objects + st.heap_free_bytes, 0u);
out:
	kfree(p);
}

static void kmalloc_front_shrink_case(struct ktest *t)
{
	const char *fn = "kmalloc_front_shrink";
	struct page_alloc_stats before, after;

	page_alloc_get_stats(&before);
	(void)mm_drain_caches();
	page_alloc_get_stats(&after);
	if (stub(t, fn))
		return;
	/* Shrinking gives pages back: never fewer free after it. */
	KT_EXPECT_GE(t, after.free_pages, before.free_pages);
}

/* ---- the page-allocator strategy (pa_strategy.h) ---------------------------------- */

/*
 * The boot-time functions: page_alloc_init() sized the metadata, built a
 * strategy per zone, released the free frames and read back how many
 * there are (managed pages).
 */
static void pa_strategy_meta_size_case(struct ktest *t)
{
	const char *fn = "pa_strategy_meta_size";

	stub(t, fn);
}

static void pa_strategy_init_case(struct ktest *t)
{
	const char *fn = "pa_strategy_init";

	stub(t, fn);
}

static void pa_strategy_release_case(struct ktest *t)
{
	const char *fn = "pa_strategy_release";
	struct page_alloc_stats st;

	if (stub(t, fn))
		return;
	page_alloc_get_stats(&st);
	KT_EXPECT_GT(t, st.total_pages, 0u);
}

static void pa_strategy_alloc_case(struct ktest *t)
{
	const char *fn = "pa_strategy_alloc";

	/* Three pages: not a power of two, so a run rather than a block. */
	void *p = page_alloc(3, GFP_KERNEL | __GFP_NOWARN);

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, (uintptr_t)p % PAGE_SIZE, 0u);
	memset(p, 0x11, 3 * PAGE_SIZE);
	KT_EXPECT_EQ(t, page_free(p, 3), 0);
}

static void pa_strategy_alloc_order_case(struct ktest *t)
{
	const char *fn = "pa_strategy_alloc_order";
	void *p = alloc_pages(2, GFP_KERNEL | __GFP_NOWARN);

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, (uintptr_t)p % (4 * PAGE_SIZE), 0u);
	KT_EXPECT_EQ(t, free_pages(p, 2), 0);
}

static void pa_strategy_alloc_movable_case(struct ktest *t)
{
	const char *fn = "pa_strategy_alloc_movable";
	void *p = alloc_pages(0, GFP_KERNEL | __GFP_MOVABLE | __GFP_NOWARN);

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, free_pages(p, 0), 0);
}

static void pa_strategy_free_case(struct ktest *t)
{
	const char *fn = "pa_strategy_free";

	/* Two pages: past the per-CPU lists, which take single pages only. */
	void *p = page_alloc(2, GFP_KERNEL | __GFP_NOWARN);
	int err = p ? page_free(p, 2) : 0;

	if (blocked(t, fn))
		return;
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, err, 0);
}

static void pa_strategy_split_case(struct ktest *t)
{
	const char *fn = "pa_strategy_split";
	char *p = page_alloc(2, GFP_KERNEL | __GFP_NOWARN);
	int err = p ? page_split(p, 2) : 0;

	if (blocked(t, fn)) {
		if (p)
			(void)page_free(p, 2);
		return;
	}
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, err, 0);
	KT_EXPECT_EQ(t, page_free(p + PAGE_SIZE, 1), 0);
	KT_EXPECT_EQ(t, page_free(p, 1), 0);
}

/* The figures behind page_alloc_get_stats(): free pages, the largest run, free blocks per order. */
static void pa_strategy_free_pages_case(struct ktest *t)
{
	const char *fn = "pa_strategy_free_pages";
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	if (stub(t, fn))
		return;
	KT_EXPECT_GT(t, st.free_pages, 0u);
	KT_EXPECT_LE(t, st.free_pages, st.total_pages);
}

static void pa_strategy_largest_free_run_case(struct ktest *t)
{
	const char *fn = "pa_strategy_largest_free_run";
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	if (blocked(t, fn))
		return;
	KT_EXPECT_GT(t, st.largest_free_run, 0u);
	KT_EXPECT_LE(t, st.largest_free_run, st.free_pages);
}

static void pa_strategy_nr_free_case(struct ktest *t)
{
	const char *fn = "pa_strategy_nr_free";
	struct page_alloc_stats st;
	size_t counted = 0;

	(void)drain_all_pages();
	page_alloc_get_stats(&st);
	if (blocked(t, fn))
		return;
	/* Blocks of order 0 .. PAGE_STATS_MAX_ORDER hold at most the free pages. */
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		counted += st.nr_free[o] << o;
	KT_EXPECT_GT(t, counted, 0u);
	KT_EXPECT_LE(t, counted, st.free_pages);
}

/* A case is named after the interface function it tests. */
#define INTERFACE_CASE(fn) { #fn, fn##_case }

static const struct ktest_case allocator_interface_cases[] = {
	INTERFACE_CASE(kmalloc_front_init),
	INTERFACE_CASE(mm_mode_name),
	INTERFACE_CASE(kmalloc_front_alloc),
	INTERFACE_CASE(kmalloc_front_free),
	INTERFACE_CASE(kmalloc_front_realloc),
	INTERFACE_CASE(kmalloc_front_sizes),
	INTERFACE_CASE(kmalloc_front_usable_size),
	INTERFACE_CASE(kmalloc_front_stats),
	INTERFACE_CASE(kmalloc_front_shrink),
	INTERFACE_CASE(pa_strategy_meta_size),
	INTERFACE_CASE(pa_strategy_init),
	INTERFACE_CASE(pa_strategy_release),
	INTERFACE_CASE(pa_strategy_alloc),
	INTERFACE_CASE(pa_strategy_alloc_order),
	INTERFACE_CASE(pa_strategy_alloc_movable),
	INTERFACE_CASE(pa_strategy_free),
	INTERFACE_CASE(pa_strategy_split),
	INTERFACE_CASE(pa_strategy_free_pages),
	INTERFACE_CASE(pa_strategy_largest_free_run),
	INTERFACE_CASE(pa_strategy_nr_free),
	{0},
};
KTEST_SUITE(allocator_interface, allocator_interface_cases);
