/*
 * mm_misuse_test.c - every kind of misuse, at the kmalloc and the page
 * level, is reported exactly once, refused, and leaves the allocators
 * whole: afterwards a burst of allocations gets distinct memory that keeps
 * what is written into it, and the misused pointers are not handed out
 * twice.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "mm_misuse.h"
#include "page_alloc.h"

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

#define BURST 96

/* A request past every size class: whole pages, checked at every slab level. */
#ifdef CONFIG_SLAB
#include "kmalloc_classes.h"
#define BIG MAX(5 * PAGE_SIZE, (size_t)KMALLOC_MAX_CLASS_SIZE + PAGE_SIZE)
#else
#define BIG (5 * PAGE_SIZE)
#endif

static char foreign[3 * 4096] __attribute__((aligned(4096)));
static void *objs[BURST];
static void *pages_held[BURST];

/* One misuse: the expected error, exactly one report. */
#define EXPECT_MISUSE(t, call, err)                                          \
	do {                                                                 \
		uint64_t r_ = mm_misuse_total();                             \
		KT_EXPECT_EQ(t, (call), (err));                              \
		KT_EXPECT_EQ(t, mm_misuse_total(), r_ + 1);                  \
	} while (0)

static uint8_t pattern(size_t i, size_t j)
{
	return (uint8_t)(i * 29 + j + 3);
}

/*
 * Allocate a burst of objects and pages, fill each with its own pattern,
 * check that none overlaps another, that none is in @avoid (still-live
 * blocks the misuse must not have released), free all.
 */
static void burst_is_sound(struct ktest *t, void *const *avoid, size_t navoid)
{
	for (size_t i = 0; i < BURST; i++) {
		size_t size = 16 + (i * 37) % 700;

		objs[i] = kmalloc(size, GFP_KERNEL);
		pages_held[i] = alloc_pages(i % 3, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, objs[i]);
		KT_ASSERT_NOT_NULL(t, pages_held[i]);
		for (size_t j = 0; j < size; j++)
			((uint8_t *)objs[i])[j] = pattern(i, j);
		memset(pages_held[i], (int)i, PAGE_SIZE << (i % 3));
		for (size_t k = 0; k < navoid; k++) {
			KT_EXPECT_PTR_NE(t, objs[i], avoid[k]);
			KT_EXPECT_PTR_NE(t, pages_held[i], avoid[k]);
		}
	}
	for (size_t i = 0; i < BURST; i++) {
		size_t size = 16 + (i * 37) % 700;
		const uint8_t *pg = pages_held[i];

		for (size_t j = 0; j < size; j++) {
			if (((uint8_t *)objs[i])[j] != pattern(i, j)) {
				KT_FAIL(t, "object %zu overwritten at byte %zu", i, j);
				break;
			}
		}
		for (size_t j = 0; j < (PAGE_SIZE << (i % 3)); j++) {
			if (pg[j] != (uint8_t)i) {
				KT_FAIL(t, "page block %zu overwritten at byte %zu", i, j);
				break;
			}
		}
		KT_EXPECT_EQ(t, kfree_checked(objs[i]), KERR_OK);
		KT_EXPECT_EQ(t, free_pages(pages_held[i], i % 3), KERR_OK);
	}
}

static void kmalloc_misuse(struct ktest *t)
{
	struct mm_stats before, after;
	uint8_t *dead, *live, *big;
	void *avoid[2];
	uint64_t expected = 0;
	int err;

	SKIP_IF_MISUSE_PANICS(t);
	dead = kmalloc(48, GFP_KERNEL);
	live = kmalloc(48, GFP_KERNEL);
	/* Served by whole pages: past every size class there is. */
	big = kmalloc(BIG, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, dead);
	KT_ASSERT_NOT_NULL(t, live);
	KT_ASSERT_NOT_NULL(t, big);
	memset(live, 0x77, 48);
	KT_ASSERT_EQ(t, kfree_checked(dead), KERR_OK);

	mm_get_stats(&before);
	/* Each class only where this variant's checks promise it (kmalloc_catches()). */
	if (kmalloc_catches(SLAB_MISUSE_DOUBLE_FREE)) {
		EXPECT_MISUSE(t, kfree_checked(dead), KERR_DOUBLE_FREE);
		KT_EXPECT_NULL(t, krealloc(dead, 100, GFP_KERNEL));
		expected += 2;
	}
	if (kmalloc_catches(SLAB_MISUSE_INTERIOR)) {
		EXPECT_MISUSE(t, kfree_checked(live + 8), KERR_BAD_PTR);
		expected++;
	}
	err = kfree_checked(foreign + 16);
	KT_EXPECT_TRUE(t, err == KERR_BAD_PTR || err == KERR_RANGE);
	/* Inside a page-served allocation: no slab, checked at every level. */
	err = kfree_checked(big + PAGE_SIZE);
	KT_EXPECT_TRUE(t, err == KERR_BAD_PTR || err == KERR_RANGE);
	expected += 2;
	mm_get_stats(&after);
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + expected);
	KT_EXPECT_EQ(t, after.live_objects, before.live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before.bytes_granted);

	avoid[0] = live;
	avoid[1] = big;
	burst_is_sound(t, avoid, 2);
	for (size_t j = 0; j < 48; j++)
		KT_EXPECT_EQ(t, live[j], 0x77u);
	KT_EXPECT_EQ(t, kfree_checked(live), KERR_OK);
	KT_EXPECT_EQ(t, kfree_checked(big), KERR_OK);
}

static void page_misuse(struct ktest *t)
{
	struct page_alloc_stats before, after;
	char *block, *single, *freed;
	void *avoid[2];
	int err;

	SKIP_IF_MISUSE_PANICS(t);
	block = alloc_pages(2, GFP_KERNEL);
	single = page_alloc(1, GFP_KERNEL);
	freed = alloc_pages(1, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, block);
	KT_ASSERT_NOT_NULL(t, single);
	KT_ASSERT_NOT_NULL(t, freed);
	KT_ASSERT_EQ(t, free_pages(freed, 1), KERR_OK);

	page_alloc_get_stats(&before);
	EXPECT_MISUSE(t, free_pages(freed, 1), KERR_DOUBLE_FREE);       /* double free */
	EXPECT_MISUSE(t, free_pages(block, 1), KERR_WRONG_SIZE);        /* order too small */
	EXPECT_MISUSE(t, free_pages(block, 3), KERR_WRONG_SIZE);        /* order too large */
	EXPECT_MISUSE(t, page_free(block, 3), KERR_WRONG_SIZE);         /* wrong page count */
	EXPECT_MISUSE(t, free_pages(block + PAGE_SIZE, 0), KERR_BAD_PTR); /* inside a block */
	{
		struct mm_misuse_record r;

		/* The last report is this one, as it was printed. */
		mm_misuse_last(&r);
		KT_EXPECT_EQ(t, r.err, KERR_BAD_PTR);
		KT_EXPECT_PTR_EQ(t, r.addr, block + PAGE_SIZE);
	}
	EXPECT_MISUSE(t, free_pages(single, 1), KERR_WRONG_SIZE);       /* a single page as a pair */
	err = page_free(foreign + PAGE_SIZE, 1);                        /* not managed */
	KT_EXPECT_TRUE(t, err == KERR_RANGE || err == KERR_BAD_PTR);
	page_alloc_get_stats(&after);
	KT_EXPECT_EQ(t, after.counters.misuse, before.counters.misuse + 7);
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);

	avoid[0] = block;
	avoid[1] = single;
	burst_is_sound(t, avoid, 2);
	KT_EXPECT_EQ(t, free_pages(block, 2), KERR_OK);
	KT_EXPECT_EQ(t, free_pages(single, 0), KERR_OK);
	KT_EXPECT_EQ(t, page_alloc_owns(foreign), false);
}

static const struct ktest_case mm_misuse_cases[] = {
	KTEST_CASE(kmalloc_misuse),
	KTEST_CASE(page_misuse),
	{ 0 },
};
KTEST_SUITE(mm_misuse, mm_misuse_cases);
