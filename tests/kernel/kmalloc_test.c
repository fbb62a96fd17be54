/*
 * kmalloc_test.c - the kmalloc API, in whatever mode was configured.
 *
 * Only what mm.h promises is checked here, so the suite holds for every
 * mode; how a particular allocator splits, coalesces or poisons is tested
 * in its own suite.  Cases measure against the statistics they find and
 * free what they allocate.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "mm_misuse.h"
#include "kmalloc_sizes.h"
#include "take_all.h"

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

static char unmanaged_object[64] __attribute__((aligned(16)));

/*
 * What bytes_requested books for @p, asked for as @size: the size itself,
 * but a slab object keeps no requested size and counts as its class (mm.h).
 */
static size_t booked_request(const void *p, size_t size)
{
#ifdef CONFIG_SLAB
	if (kmem_cache_of(p))
		return ksize(p);
#endif
	(void)p;
	return size;
}

static struct mm_stats stats(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st;
}

static bool all_bytes(const void *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (((const uint8_t *)p)[i] != v)
			return false;
	}
	return true;
}

static void fill(void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(seed + i * 13);
}

static bool holds(const void *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		if (((const uint8_t *)p)[i] != (uint8_t)(seed + i * 13))
			return false;
	}
	return true;
}

static void alloc_and_free(struct ktest *t)
{
	void *p = kmalloc(32, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, (uintptr_t)p % KMALLOC_MIN_ALIGN, 0u);
	KT_EXPECT_GE(t, ksize(p), 32u);
	memset(p, 0x33, ksize(p));
	KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
	KT_EXPECT_EQ(t, ksize(NULL), 0u);
	KT_EXPECT_EQ(t, kfree_checked(NULL), KERR_OK);
	kfree(NULL);
	KT_EXPECT_NOT_NULL(t, mm_mode_name());
}

static void size_zero_is_invalid(struct ktest *t)
{
	struct mm_stats before = stats();
	void *out = unmanaged_object;

	KT_EXPECT_NULL(t, kmalloc(0, GFP_KERNEL));
	KT_EXPECT_NULL(t, kzalloc(0, GFP_KERNEL));
	KT_EXPECT_EQ(t, kmalloc_try(0, GFP_KERNEL, &out), KERR_INVAL);
	KT_EXPECT_NULL(t, out);
	KT_EXPECT_EQ(t, stats().counters.failures, before.counters.failures + 3);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
}

static void huge_sizes_fail_cleanly(struct ktest *t)
{
	struct mm_stats before = stats(), after;
	size_t beyond_ram = (size_t)arch_ram_size() + PAGE_SIZE;
	void *out = unmanaged_object;

	KT_EXPECT_NULL(t, kmalloc(SIZE_MAX, GFP_KERNEL));
	KT_EXPECT_EQ(t, kmalloc_try(SIZE_MAX, GFP_KERNEL, &out), KERR_INVAL);
	KT_EXPECT_NULL(t, out);
	KT_EXPECT_EQ(t, kmalloc_try(KMALLOC_SIZE_MAX + 1, GFP_KERNEL, &out), KERR_INVAL);
	KT_EXPECT_EQ(t, kmalloc_try(SIZE_MAX - KMALLOC_MIN_ALIGN + 1, GFP_KERNEL, &out), KERR_INVAL);
	/* Plausible sizes that cannot be served are out of memory, not invalid. */
	KT_EXPECT_EQ(t, kmalloc_try(KMALLOC_SIZE_MAX, GFP_KERNEL, &out), KERR_NOMEM);
	KT_EXPECT_EQ(t, kmalloc_try(beyond_ram, GFP_KERNEL, &out), KERR_NOMEM);
	KT_EXPECT_EQ(t, kmalloc_align_try(beyond_ram, PAGE_SIZE, GFP_KERNEL, &out), KERR_NOMEM);
	KT_EXPECT_NULL(t, out);
	KT_EXPECT_NULL(t, kzalloc(beyond_ram, GFP_KERNEL));
	after = stats();
	KT_EXPECT_EQ(t, after.counters.failures, before.counters.failures + 8);
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);
}

static void kcalloc_checks_overflow(struct ktest *t)
{
	struct mm_stats before = stats();
	uint8_t *p;

	KT_EXPECT_NULL(t, kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	KT_EXPECT_NULL(t, kcalloc(2, SIZE_MAX, GFP_KERNEL));
	KT_EXPECT_NULL(t, kcalloc((size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4),
				  GFP_KERNEL));
	/* Wraps to a small, servable product: only the overflow check refuses it. */
	KT_EXPECT_NULL(t, kcalloc(SIZE_MAX / 8 + 2, 8, GFP_KERNEL));
	KT_EXPECT_NULL(t, kcalloc(0, 8, GFP_KERNEL));
	KT_EXPECT_EQ(t, stats().counters.failures, before.counters.failures + 5);

	/* Dirty some memory first, so that zeroes are not an accident. */
	p = kmalloc(240, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	memset(p, 0xa5, ksize(p));
	kfree(p);
	p = kcalloc(10, 24, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_GE(t, ksize(p), 240u);
	KT_EXPECT_TRUE(t, all_bytes(p, ksize(p), 0));
	kfree(p);
}

static void kzalloc_zeroes(struct ktest *t)
{
	uint8_t *p = kmalloc(500, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	memset(p, 0xa5, ksize(p));
	kfree(p);
	p = kzalloc(500, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_TRUE(t, all_bytes(p, ksize(p), 0));
	kfree(p);
}

static void alignment_every_power_of_two(struct ktest *t)
{
	void *out = unmanaged_object;

	for (size_t align = 16; align <= PAGE_SIZE; align <<= 1) {
		void *p;

		KT_ASSERT_EQ(t, kmalloc_align_try(100, align, GFP_KERNEL, &p), KERR_OK);
		KT_EXPECT_EQ(t, (uintptr_t)p % align, 0u);
		KT_EXPECT_GE(t, ksize(p), 100u);
		memset(p, 0x77, ksize(p));
		KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
	}
	/* 0 and anything below the minimum mean the minimum. */
	for (size_t align = 0; align <= KMALLOC_MIN_ALIGN; align = align ? align << 1 : 1) {
		void *p;

		KT_ASSERT_EQ(t, kmalloc_align_try(24, align, GFP_KERNEL, &p), KERR_OK);
		KT_EXPECT_EQ(t, (uintptr_t)p % KMALLOC_MIN_ALIGN, 0u);
		kfree(p);
	}
	KT_EXPECT_EQ(t, kmalloc_align_try(100, 24, GFP_KERNEL, &out), KERR_ALIGN);
	KT_EXPECT_NULL(t, out);
	KT_EXPECT_EQ(t, kmalloc_align_try(100, 2 * PAGE_SIZE, GFP_KERNEL, &out), KERR_ALIGN);
	KT_EXPECT_EQ(t, kmalloc_align_try(100, SIZE_MAX, GFP_KERNEL, &out), KERR_ALIGN);
}

static void krealloc_keeps_contents(struct ktest *t)
{
	uint8_t *p, *q, *r;

	p = kmalloc(40, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	fill(p, 40, 5);
	q = krealloc(p, 4000, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_GE(t, ksize(q), 4000u);
	KT_EXPECT_TRUE(t, holds(q, 40, 5));
	fill(q, 4000, 6);
	r = krealloc(q, 20, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, r);
	KT_EXPECT_GE(t, ksize(r), 20u);
	KT_EXPECT_TRUE(t, holds(r, 20, 6));
	kfree(r);
}

static void krealloc_edges(struct ktest *t)
{
	struct mm_stats before = stats();
	uint8_t *p, *q;

	/* NULL allocates, size 0 frees. */
	p = krealloc(NULL, 64, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects + 1);
	KT_EXPECT_NULL(t, krealloc(p, 0, GFP_KERNEL));
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);

	/* A failed krealloc leaves the block as it was. */
	p = kmalloc(64, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	fill(p, 64, 7);
	KT_EXPECT_NULL(t, krealloc(p, SIZE_MAX, GFP_KERNEL));
	KT_EXPECT_NULL(t, krealloc(p, (size_t)arch_ram_size() + PAGE_SIZE, GFP_KERNEL));
	KT_EXPECT_TRUE(t, holds(p, 64, 7));
	KT_EXPECT_GE(t, ksize(p), 64u);

	/* __GFP_ZERO zeroes what a krealloc adds. */
	memset(p, 0, ksize(p));
	q = krealloc(p, 3000, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_TRUE(t, all_bytes(q, ksize(q), 0));
	kfree(q);
	KT_EXPECT_EQ(t, stats().live_objects, before.live_objects);
	KT_EXPECT_EQ(t, stats().bytes_granted, before.bytes_granted);
}

static void invalid_frees_refused(struct ktest *t)
{
	struct mm_stats before, after;
	uint64_t reports, expected = 0;
	uint8_t *p, *q;
	int err;

	SKIP_IF_MISUSE_PANICS(t);
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_NOT_NULL(t, q);
	KT_ASSERT_EQ(t, kfree_checked(p), KERR_OK);

	before = stats();
	reports = mm_misuse_total();
	/* Each class only where this variant's checks promise it (kmalloc_catches()). */
	if (kmalloc_catches(SLAB_MISUSE_DOUBLE_FREE)) {
		KT_EXPECT_EQ(t, kfree_checked(p), KERR_DOUBLE_FREE);
		KT_EXPECT_NULL(t, krealloc(p, 128, GFP_KERNEL));   /* realloc of freed memory */
		kfree(p);                                          /* the quiet kfree() reports too */
		expected += 3;
	}
	if (kmalloc_catches(SLAB_MISUSE_INTERIOR)) {
		KT_EXPECT_EQ(t, kfree_checked(q + 16), KERR_BAD_PTR);
		expected++;
	}
	err = kfree_checked(unmanaged_object);
	KT_EXPECT_TRUE(t, err == KERR_BAD_PTR || err == KERR_RANGE);
	expected++;
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + expected);
	after = stats();
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + expected);
	KT_EXPECT_EQ(t, after.counters.frees, before.counters.frees);
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);

	KT_EXPECT_EQ(t, kfree_checked(q), KERR_OK);
}

/*
 * Allocations are counted exactly, and freeing them all returns every
 * figure; page figures once the caches are drained on both sides.
 */
static void stats_return_to_baseline(struct ktest *t)
{
	struct mm_stats before, during, after;
	void *p[20], *moved;
	size_t requested = 0, granted = 0, booked;
	uint64_t moved_frees;

	mm_drain_caches();
	before = stats();
	KT_EXPECT_EQ(t, before.counters.allocs - before.counters.frees, (uint64_t)before.live_objects);
	for (unsigned int i = 0; i < 20; i++) {
		size_t size = 1 + i * 97;

		p[i] = kmalloc(size, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p[i]);
		requested += booked_request(p[i], size);
		granted += ksize(p[i]);
	}
	during = stats();
	KT_EXPECT_EQ(t, during.counters.allocs, before.counters.allocs + 20);
	KT_EXPECT_EQ(t, during.live_objects, before.live_objects + 20);
	KT_EXPECT_EQ(t, during.counters.allocs - during.counters.frees, (uint64_t)during.live_objects);
	KT_EXPECT_EQ(t, during.bytes_requested, before.bytes_requested + requested);
	KT_EXPECT_EQ(t, during.bytes_granted, before.bytes_granted + granted);
	KT_EXPECT_GE(t, during.bytes_granted, during.bytes_requested);
	KT_EXPECT_GE(t, during.front_peak_pages * PAGE_SIZE, during.bytes_granted);
	KT_EXPECT_PTR_EQ(t, during.mode, mm_mode_name());

	/*
	 * A krealloc changes the bytes held, not the number of objects; one
	 * that moves counts as a free and an allocation.
	 */
	booked = booked_request(p[0], 1);
	moved = p[0];
	p[0] = krealloc(p[0], 1000, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p[0]);
	moved_frees = p[0] != moved;
	KT_EXPECT_EQ(t, stats().bytes_requested,
		     during.bytes_requested - booked + booked_request(p[0], 1000));
	KT_EXPECT_EQ(t, stats().live_objects, during.live_objects);

	for (unsigned int i = 0; i < 20; i++)
		kfree(p[i]);
	mm_drain_caches();
	after = stats();
	KT_EXPECT_EQ(t, after.counters.frees, before.counters.frees + 20 + moved_frees);
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_requested, before.bytes_requested);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);
	KT_EXPECT_EQ(t, after.heap_free_bytes, before.heap_free_bytes);
	KT_EXPECT_EQ(t, after.pages.free_pages, before.pages.free_pages);
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse);
}

/* Allocate until nothing is left: NULL, counted, no panic; then all of it comes back. */
static void exhaustion_and_recovery(struct ktest *t)
{
	struct take_all ta;
	struct mm_stats before, after;
	/* Sized so that a few fit whatever the region or the largest block. */
	const size_t chunk = test_kmalloc_size(64 * 1024, 4);
	void *chain = NULL, *p;
	size_t n = 0;

	take_all_begin(t, &ta);
	before = stats();
	while (n < (1u << 20) && (p = kmalloc(chunk, GFP_KERNEL))) {
		*(void **)p = chain;
		chain = p;
		n++;
	}
	KT_EXPECT_GT(t, n, 0u);
	KT_EXPECT_EQ(t, stats().counters.failures, before.counters.failures + 1);
	KT_EXPECT_NULL(t, kmalloc(chunk, GFP_KERNEL));
	while (chain) {
		p = chain;
		chain = *(void **)p;
		KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
	}
	after = stats();
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);
	KT_EXPECT_EQ(t, after.heap_largest_free, before.heap_largest_free);
	p = kmalloc(chunk, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, p);
	kfree(p);
	take_all_end(t, &ta);
}

static const struct ktest_case kmalloc_cases[] = {
	KTEST_CASE(alloc_and_free),
	KTEST_CASE(size_zero_is_invalid),
	KTEST_CASE(huge_sizes_fail_cleanly),
	KTEST_CASE(kcalloc_checks_overflow),
	KTEST_CASE(kzalloc_zeroes),
	KTEST_CASE(alignment_every_power_of_two),
	KTEST_CASE(krealloc_keeps_contents),
	KTEST_CASE(krealloc_edges),
	KTEST_CASE(invalid_frees_refused),
	KTEST_CASE(stats_return_to_baseline),
	KTEST_CASE(exhaustion_and_recovery),
	{ 0 },
};
KTEST_SUITE(kmalloc, kmalloc_cases);
