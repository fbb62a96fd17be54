/*
 * mm_debug_test.c - memory debugging (core/mm/Kconfig.debug): every misuse
 * class is detected and its report names the owner's call sites.
 *
 * The call sites are the small non-inlined functions below: an owner's
 * allocation or free call site is a return address inside one of them
 * (the call is never their last instruction, so it is no tail call and
 * the return address is theirs).  Each case skips, saying why, where the
 * variant's options do not promise the detection.
 */
#include <stddef.h>
#include <stdint.h>

#include "debug_guard.h"
#include "heap.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "mm_debug.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "poison.h"
#ifdef CONFIG_SLAB
#include "slab.h"
#endif
#ifdef CONFIG_POOLS
#include "pool.h"
#endif

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)
#define NEED_OWNER(t) \
	do { if (!DEBUG_OWNER) KT_SKIP(t, "CONFIG_DEBUG_OWNER is off: no owners recorded"); } while (0)

/* A return address inside these functions is theirs: they are far smaller than this. */
#define SITE_BYTES 512

/* Keep @p in a register past the call: what follows the call is not a return. */
#define KEEP(p) __asm__ volatile("" : "+r"(p))

static __noinline void *alloc_site(size_t n)
{
	void *p = kmalloc(n, GFP_KERNEL);

	KEEP(p);
	return p;
}

static __noinline int free_site(void *p)
{
	int err = kfree_checked(p);

	KEEP(err);
	return err;
}

static __noinline void *page_alloc_site(void)
{
	void *p = alloc_pages(0, GFP_KERNEL);

	KEEP(p);
	return p;
}

static __noinline int page_free_site(void *p)
{
	int err = free_pages(p, 0);

	KEEP(err);
	return err;
}

static __noinline void *heap_alloc_site(struct heap *h, size_t n)
{
	void *p = heap_alloc(h, n, 0);

	KEEP(p);
	return p;
}

static __noinline int heap_free_site(struct heap *h, void *p)
{
	int err = heap_free(h, p);

	KEEP(err);
	return err;
}

#ifdef CONFIG_SLAB
static __noinline void *cache_alloc_site(struct kmem_cache *c)
{
	void *p = kmem_cache_alloc(c, GFP_KERNEL);

	KEEP(p);
	return p;
}

static __noinline int cache_free_site(struct kmem_cache *c, void *p)
{
	int err = kmem_cache_free_checked(c, p);

	KEEP(err);
	return err;
}
#endif

#ifdef CONFIG_POOLS
static __noinline void *pool_alloc_site(struct pool *p)
{
	void *obj = pool_alloc(p, GFP_KERNEL);

	KEEP(obj);
	return obj;
}

static __noinline int pool_free_site(struct pool *p, void *obj)
{
	int err = pool_free_checked(p, obj);

	KEEP(err);
	return err;
}
#endif

static bool in_site(uintptr_t ip, void *(*fn)(void))
{
	uintptr_t start = (uintptr_t)fn;

	return ip > start && ip < start + SITE_BYTES;
}

#define SITE(f) ((void *(*)(void))(uintptr_t)(f))

/*
 * The last report is @err about @addr and names the owner: allocated in
 * @alloc_fn and (@free_fn non-NULL) freed last in @free_fn.
 */
static void expect_report(struct ktest *t, uint64_t before, int err, const void *addr,
			  void *(*alloc_fn)(void), void *(*free_fn)(void))
{
	struct mm_misuse_record r;

	mm_misuse_last(&r);
	KT_EXPECT_EQ(t, mm_misuse_total(), before + 1);
	KT_EXPECT_EQ(t, r.err, err);
	KT_EXPECT_PTR_EQ(t, r.addr, addr);
	if (!DEBUG_OWNER)
		return;
	KT_EXPECT_TRUE(t, r.has_owner);
	if (!in_site(r.alloc_ip, alloc_fn))
		KT_FAIL(t, "allocated at %p, not in the allocating site %p", (void *)r.alloc_ip,
			(void *)(uintptr_t)alloc_fn);
	if (free_fn && !in_site(r.free_ip, free_fn))
		KT_FAIL(t, "freed at %p, not in the freeing site %p", (void *)r.free_ip,
			(void *)(uintptr_t)free_fn);
}

/* kmalloc(), freed twice: the second is refused and names both call sites. */
static void double_free_names_owner(struct ktest *t)
{
	void *guard, *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	NEED_OWNER(t);
	if (!kmalloc_catches(SLAB_MISUSE_DOUBLE_FREE_LATER))
		KT_SKIP(t, "this slab check level does not catch every double free");
	p = alloc_site(40);
	guard = alloc_site(40);   /* a live neighbour: the heap cannot merge p away */
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_NOT_NULL(t, guard);
	KT_ASSERT_EQ(t, free_site(p), KERR_OK);
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, free_site(p), KERR_DOUBLE_FREE);
	expect_report(t, before, KERR_DOUBLE_FREE, p, SITE(alloc_site), SITE(free_site));
	KT_EXPECT_EQ(t, free_site(guard), KERR_OK);
}

/* A pointer inside a live allocation: refused, and the owner is that allocation's. */
static void invalid_free_names_owner(struct ktest *t)
{
	char *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	NEED_OWNER(t);
	if (!kmalloc_catches(SLAB_MISUSE_INTERIOR))
		KT_SKIP(t, "this slab check level does not catch interior pointers");
	p = alloc_site(96);
	KT_ASSERT_NOT_NULL(t, p);
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, free_site(p + 16), KERR_BAD_PTR);
	expect_report(t, before, KERR_BAD_PTR, p + 16, SITE(alloc_site), NULL);
	KT_EXPECT_EQ(t, free_site(p), KERR_OK);
}

/* A byte written just past what ksize() allows: the free reports the red zone. */
static void redzone_overflow_on_free(struct ktest *t)
{
	static const size_t sizes[] = { 8, 24, 64, 100, 1000 };

	SKIP_IF_MISUSE_PANICS(t);
	if (!DEBUG_REDZONE)
		KT_SKIP(t, "CONFIG_DEBUG_REDZONE is off");
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint8_t *p;
		size_t usable;
		uint64_t before;

		/* Red zones are the slab's and the heap's: a guard object has canary bytes. */
		if (DEBUG_GUARD)
			guard_suspend();
		p = alloc_site(sizes[i]);
		if (DEBUG_GUARD)
			guard_resume();

		KT_ASSERT_NOT_NULL(t, p);
		usable = ksize(p);
		memset(p, 0x11, usable);          /* every usable byte is the caller's */
		p[usable] = 0x41;                 /* one byte too far */
		before = mm_misuse_total();
		/* The free goes ahead (the object is whole); the overflow is reported. */
		KT_EXPECT_EQ(t, free_site(p), KERR_OK);
		expect_report(t, before, KERR_REDZONE, p, SITE(alloc_site), NULL);
	}
}

#ifdef CONFIG_SLAB
/* kmem_cache_check() finds a red zone broken under a live object. */
static void redzone_found_by_cache_check(struct ktest *t)
{
	struct kmem_cache *c;
	uint8_t *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	if (!DEBUG_REDZONE)
		KT_SKIP(t, "CONFIG_DEBUG_REDZONE is off");
	/* Red zones are the slab's: a guard object has canary bytes (guard suite). */
	c = kmem_cache_create_flags("test-redzone", 40, 0, SLAB_SKIP_GUARD, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	p = cache_alloc_site(c);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	p[41] = 0;
	before = mm_misuse_total();
	KT_EXPECT_FALSE(t, kmem_cache_check(c));
	expect_report(t, before, KERR_REDZONE, p, SITE(cache_alloc_site), NULL);
	p[41] = RED_ACTIVE;               /* repaired: the free finds nothing */
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	before = mm_misuse_total();
	kmem_cache_free(c, p);
	KT_EXPECT_EQ(t, mm_misuse_total(), before);
	kmem_cache_destroy(c);
}

/* A freed object written and handed out again: its poison tells, naming its owner. */
static void slab_write_after_free(struct ktest *t)
{
	struct kmem_cache *c;
	uint8_t *a, *b;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	if (!IS_ENABLED(CONFIG_DEBUG_POISON))
		KT_SKIP(t, "CONFIG_DEBUG_POISON is off");
	/* Poison is the slab's: a freed guard object's page is unmapped (guard suite). */
	c = kmem_cache_create_flags("test-uaf", 64, 0, SLAB_SKIP_GUARD, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	a = cache_alloc_site(c);
	b = cache_alloc_site(c);   /* keeps the slab in use: its pages stay */
	KT_ASSERT_TRUE(t, a && b);
	KT_ASSERT_EQ(t, cache_free_site(c, a), KERR_OK);
	a[32] = 0x55;
	before = mm_misuse_total();
	KT_EXPECT_PTR_EQ(t, cache_alloc_site(c), a);   /* the freelist's head */
	expect_report(t, before, KERR_USE_AFTER_FREE, a, SITE(cache_alloc_site),
		      SITE(cache_free_site));
	KT_EXPECT_EQ(t, cache_free_site(c, a), KERR_OK);
	KT_EXPECT_EQ(t, cache_free_site(c, b), KERR_OK);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_destroy(c);
}
#endif

/* A private heap over one page allocation, so that first fit is predictable. */
static void heap_write_after_free(struct ktest *t)
{
	struct heap h;
	void *region;
	char *a, *b;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	if (!IS_ENABLED(CONFIG_DEBUG_POISON))
		KT_SKIP(t, "CONFIG_DEBUG_POISON is off");
	if (!IS_ENABLED(CONFIG_HEAP_REGION))
		KT_SKIP(t, "no SimpleHeap in this variant");
	region = page_alloc(2, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, region);
	heap_init(&h, region, 2 * PAGE_SIZE);
	a = heap_alloc_site(&h, 200);
	b = heap_alloc_site(&h, 200);   /* keeps a from merging with the rest */
	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	KT_ASSERT_EQ(t, heap_free_site(&h, a), KERR_OK);
	a[100] = 0x33;                   /* write after free */
	before = mm_misuse_total();
	KT_EXPECT_PTR_EQ(t, heap_alloc(&h, 200, 0), a);   /* first fit: the same block */
	expect_report(t, before, KERR_USE_AFTER_FREE, a + 100, SITE(heap_alloc_site),
		      SITE(heap_free_site));
	KT_EXPECT_EQ(t, heap_free(&h, a), KERR_OK);
	KT_EXPECT_EQ(t, heap_free(&h, b), KERR_OK);
	KT_EXPECT_TRUE(t, heap_check(&h));
	KT_EXPECT_EQ(t, page_free(region, 2), KERR_OK);
}

/* A freed page written and handed out again: its poison tells. */
static void page_write_after_free(struct ktest *t)
{
	uint8_t *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	if (!DEBUG_PAGE_POISON)
		KT_SKIP(t, "CONFIG_DEBUG_PAGE_POISON is off");
	p = page_alloc_site();
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_EQ(t, page_free_site(p), KERR_OK);
	p[123] = 0x44;
	before = mm_misuse_total();
	/* The per-CPU list is LIFO: the next single page is the same one. */
	KT_EXPECT_PTR_EQ(t, page_alloc_site(), p);
	expect_report(t, before, KERR_USE_AFTER_FREE, p + 123, SITE(page_alloc_site),
		      SITE(page_free_site));
	KT_EXPECT_EQ(t, page_free_site(p), KERR_OK);
}

/* A page freed twice: the report names who allocated and who freed it. */
static void page_double_free_names_owner(struct ktest *t)
{
	void *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	NEED_OWNER(t);
	p = page_alloc_site();
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_EQ(t, page_free_site(p), KERR_OK);
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, page_free_site(p), KERR_DOUBLE_FREE);
	expect_report(t, before, KERR_DOUBLE_FREE, p, SITE(page_alloc_site),
		      SITE(page_free_site));
}

/* The leak report counts exactly what is live and newer than the mark. */
static void leak_report_is_exact(struct ktest *t)
{
	uint64_t mark;
	void *obj, *page, *big;

	if (!DEBUG_LEAK)
		KT_SKIP(t, "CONFIG_DEBUG_LEAK is off");
	/* Caches warmed first: slabs and per-CPU pages are the allocators', not leaks. */
	kfree(alloc_site(48));
	mark = mm_leak_mark();
	KT_EXPECT_EQ(t, mm_leak_report(mark), (size_t)0);
	obj = alloc_site(48);
	page = page_alloc_site();
	big = kmalloc(3 * PAGE_SIZE + 1, GFP_KERNEL);
	KT_ASSERT_TRUE(t, obj && page && big);
	KT_EXPECT_EQ(t, mm_leak_report(mark), (size_t)3);
	kfree(obj);
	KT_EXPECT_EQ(t, mm_leak_report(mark), (size_t)2);
	page_free_site(page);
	kfree(big);
	KT_EXPECT_EQ(t, mm_leak_report(mark), (size_t)0);
	/* Older allocations are not the newer mark's. */
	obj = alloc_site(48);
	KT_ASSERT_NOT_NULL(t, obj);
	KT_EXPECT_EQ(t, mm_leak_report(mm_leak_mark()), (size_t)0);
	kfree(obj);
}

#ifdef CONFIG_POOLS
/*
 * A pool's objects: what its magazines hold is the pool's, never a leak;
 * one handed out is its caller's, and a double free names both sites.
 */
static void pool_owners_and_leaks(struct ktest *t)
{
	struct pool_params pp = { .name = "test-owner", .size = 48, .count = 4, .min_nr = 2,
				  .grow = 4, .max = 16 };
	struct pool *p;
	uint64_t mark, before;
	void *obj;

	NEED_OWNER(t);
	p = pool_create(&pp);
	KT_ASSERT_NOT_NULL(t, p);
	mark = mm_leak_mark();
	obj = pool_alloc_site(p);
	KT_ASSERT_NOT_NULL(t, obj);
	if (DEBUG_LEAK)
		KT_EXPECT_EQ(t, mm_leak_report(mark), (size_t)1);
	KT_EXPECT_EQ(t, pool_free_site(p, obj), KERR_OK);
	if (DEBUG_LEAK)
		KT_EXPECT_EQ(t, mm_leak_report(mark), (size_t)0);
	if (!MM_MISUSE_PANICS && pool_checks_catch(SLAB_MISUSE_DOUBLE_FREE_LATER)) {
		before = mm_misuse_total();
		KT_EXPECT_EQ(t, pool_free_site(p, obj), KERR_DOUBLE_FREE);
		expect_report(t, before, KERR_DOUBLE_FREE, obj, SITE(pool_alloc_site),
			      SITE(pool_free_site));
	}
	pool_destroy(p);
}
#endif

static const struct ktest_case mm_debug_cases[] = {
	KTEST_CASE(double_free_names_owner),
	KTEST_CASE(invalid_free_names_owner),
	KTEST_CASE(redzone_overflow_on_free),
#ifdef CONFIG_SLAB
	KTEST_CASE(redzone_found_by_cache_check),
	KTEST_CASE(slab_write_after_free),
#endif
	KTEST_CASE(heap_write_after_free),
	KTEST_CASE(page_write_after_free),
	KTEST_CASE(page_double_free_names_owner),
	KTEST_CASE(leak_report_is_exact),
#ifdef CONFIG_POOLS
	KTEST_CASE(pool_owners_and_leaks),
#endif
	{ 0 },
};
KTEST_SUITE(mm_debug, mm_debug_cases);
