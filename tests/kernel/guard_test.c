/*
 * guard_test.c - sampled guard allocations (Kconfig DEBUG_GUARD): an
 * access past either end of a guard object or after its free faults and
 * is reported with the object and its owner's call sites, then goes on;
 * canary damage, double and invalid frees are reported on free; a full
 * pool sends sampled calls the normal way; kfree(), ksize() and
 * krealloc() know guard objects.  Named slab caches and object pools
 * sample too: a cache's guard object has the cache's size, alignment and
 * constructor, is counted as the cache's, and is refused by another cache
 * or kfree(); a pool's comes from a sampled growth and goes straight back
 * to the guard pool on free, never into a magazine.
 *
 * Each case asks for its guard object with guard_sample_next(), so it
 * runs whatever DEBUG_GUARD_INTERVAL is.  Call sites are the small
 * non-inlined functions below (as in mm_debug_test.c): a report's
 * allocation or free site is a return address inside one of them.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "debug_guard.h"
#include "irq.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "mm_debug.h"
#include "mm_misuse.h"
#include "percpu.h"
#ifdef CONFIG_POOLS
#include "pool.h"
#endif
#include "slab.h"

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

/* A return address inside these functions is theirs: they are far smaller than this. */
#define SITE_BYTES 512
#define KEEP(p) __asm__ volatile("" : "+r"(p))
#define SITE(f) ((uintptr_t)(f))
/* debug_guard.c's canary byte at @a (KFENCE's 0xaa varied by the address). */
#define CANARY_OF(a) ((uint8_t)(0xaa ^ ((uintptr_t)(a) & 7)))

static __noinline void *alloc_site(size_t n)
{
	void *p;

	guard_sample_next();
	p = kmalloc(n, GFP_KERNEL);
	KEEP(p);
	return p;
}

static __noinline int free_site(void *p)
{
	int err = kfree_checked(p);

	KEEP(err);
	return err;
}

static bool in_site(uintptr_t ip, uintptr_t fn)
{
	return ip > fn && ip < fn + SITE_BYTES;
}

static bool right_aligned(const void *p, size_t n)
{
	uintptr_t end = (uintptr_t)p + n;

	return ALIGN_UP(end, (uintptr_t)PAGE_SIZE) - end < KMALLOC_MIN_ALIGN;
}

/*
 * A guard object of @n bytes placed against the end of its page (@right)
 * or its start; NULL (and the case skipped) when the pool has no free page.
 */
static uint8_t *guard_object(struct ktest *t, size_t n, bool right)
{
	/* Placement alternates: the second try has the other side. */
	for (int i = 0; i < 2; i++) {
		uint8_t *p = alloc_site(n);

		if (!p)
			return NULL;
		if (!guard_owns(p)) {
			kfree(p);
			ktest_skip(t, "the guard pool has no free page (objects live since boot)");
			return NULL;
		}
		if (right ? right_aligned(p, n) : ((uintptr_t)p & (PAGE_SIZE - 1)) == 0)
			return p;
		KT_EXPECT_EQ(t, free_site(p), KERR_OK);
	}
	KT_FAIL(t, "two guard objects in a row were placed on the same side");
	return NULL;
}

/*
 * The last report is @err at @addr, from the guard pool, naming the
 * owner (allocated in @asite, freed in @fsite unless it is 0), and the
 * guard report says @what about object @obj at @offset.
 */
static void expect_report_at(struct ktest *t, uint64_t before, int err, uintptr_t addr,
			     enum guard_finding what, const void *obj, long offset,
			     uintptr_t asite, uintptr_t fsite)
{
	struct mm_misuse_record r;
	struct guard_report g;

	mm_misuse_last(&r);
	guard_last_report(&g);
	KT_EXPECT_EQ(t, mm_misuse_total(), before + 1);
	KT_EXPECT_EQ(t, r.err, err);
	KT_EXPECT_EQ(t, (uintptr_t)r.addr, addr);
	KT_EXPECT_TRUE(t, r.layer && !strcmp(r.layer, "guard"));
	KT_EXPECT_EQ(t, (int)g.what, (int)what);
	KT_EXPECT_PTR_EQ(t, g.object, obj);
	KT_EXPECT_EQ(t, g.offset, offset);
	KT_EXPECT_EQ(t, g.cpu, this_cpu());
	if (!DEBUG_OWNER)
		return;
	KT_EXPECT_TRUE(t, r.has_owner);
	if (!in_site(r.alloc_ip, asite))
		KT_FAIL(t, "allocated at %p, not in the allocation site %p", (void *)r.alloc_ip,
			(void *)asite);
	if (fsite && !in_site(r.free_ip, fsite))
		KT_FAIL(t, "freed at %p, not in the free site %p", (void *)r.free_ip,
			(void *)fsite);
}

/* kmalloc()'s: allocated in alloc_site, freed in free_site when @freed. */
static void expect_report(struct ktest *t, uint64_t before, int err, uintptr_t addr,
			  enum guard_finding what, const void *obj, long offset, bool freed)
{
	expect_report_at(t, before, err, addr, what, obj, offset, SITE(alloc_site),
			 freed ? SITE(free_site) : 0);
}

static bool last_was_write(void)
{
	struct guard_report g;

	guard_last_report(&g);
	return g.write;
}

/* One byte past the end of a right-aligned object is on the guard page behind it. */
static void out_of_bounds_right(struct ktest *t)
{
	volatile uint8_t *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	p = guard_object(t, 64, true);
	if (!p)
		return;
	before = mm_misuse_total();
	p[64] = 0x41;
	expect_report(t, before, KERR_RANGE, (uintptr_t)&p[64], GUARD_OOB, (const void *)p, 64,
		      false);
	KT_EXPECT_TRUE(t, last_was_write());
	/* The write went to a spare page: the object and its canary are whole. */
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, free_site((void *)p), KERR_OK);
	KT_EXPECT_EQ(t, mm_misuse_total(), before);
}

/* One byte before a left-aligned object is on the guard page before it. */
static void out_of_bounds_left(struct ktest *t)
{
	volatile uint8_t *p;
	uint8_t v;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	p = guard_object(t, 40, false);
	if (!p)
		return;
	before = mm_misuse_total();
	v = p[-1];
	KEEP(v);
	expect_report(t, before, KERR_RANGE, (uintptr_t)p - 1, GUARD_OOB, (const void *)p, -1,
		      false);
	KT_EXPECT_FALSE(t, last_was_write());
	KT_EXPECT_EQ(t, free_site((void *)p), KERR_OK);
}

/* The freed object's page is unmapped: reading it faults and names both sites. */
static void use_after_free(struct ktest *t)
{
	volatile uint8_t *p;
	uint8_t v;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	p = guard_object(t, 100, true);
	if (!p)
		return;
	p[10] = 7;
	KT_ASSERT_EQ(t, free_site((void *)p), KERR_OK);
	before = mm_misuse_total();
	v = p[10];
	KEEP(v);
	expect_report(t, before, KERR_USE_AFTER_FREE, (uintptr_t)&p[10], GUARD_USE_AFTER_FREE,
		      (const void *)p, 10, true);
}

/*
 * With SMP a free with interrupts off cannot unmap (debug_guard.c: the
 * page-table lock): the page stays mapped and its slot waits, until the
 * next sampled allocation unmaps every waiting page - here two, freed one
 * after the other - and only then are the slots reused (the pool hands
 * out its pages round robin, so that allocation takes a third page).
 */
static void free_with_interrupts_off_unmaps_later(struct ktest *t)
{
	uint8_t *p[2];
	void *q;
	struct guard_stats st0, st1;
	unsigned long irq;

	if (!IS_ENABLED(CONFIG_SMP))
		KT_SKIP(t, "no SMP: a free unmaps at once, interrupts on or off");
	guard_get_stats(&st0);
	/* Two freed, and a third for the allocation that unmaps them. */
	if (st0.slots - st0.live < 3)
		KT_SKIP(t, "fewer than 3 free guard pages (DEBUG_GUARD_POOL_PAGES)");
	for (int i = 0; i < 2; i++) {
		p[i] = guard_object(t, 64, false);
		if (!p[i]) {
			if (i)
				kfree(p[0]);
			return;
		}
	}
	for (int i = 0; i < 2; i++) {
		irq = irq_save();
		KT_EXPECT_EQ(t, free_site(p[i]), KERR_OK);
		irq_restore(irq);
		KT_EXPECT_EQ(t, arch_translate((uintptr_t)p[i], NULL, NULL, NULL), 0);
	}
	q = alloc_site(64);
	KT_ASSERT_NOT_NULL(t, q);
	for (int i = 0; i < 2; i++) {
		KT_EXPECT_EQ(t, arch_translate((uintptr_t)p[i], NULL, NULL, NULL), KERR_FAULT);
		KT_EXPECT_TRUE(t, ((uintptr_t)q ^ (uintptr_t)p[i]) >= PAGE_SIZE);
	}
	KT_EXPECT_TRUE(t, guard_owns(q));
	KT_EXPECT_EQ(t, free_site(q), KERR_OK);
	guard_get_stats(&st1);
	KT_EXPECT_EQ(t, st1.frees - st0.frees, st1.allocs - st0.allocs);
	KT_EXPECT_EQ(t, st1.live, st0.live);
}

/* A write into the rest of the page, short of the guard page: the free finds it. */
static void canary_corruption(struct ktest *t)
{
	uint8_t *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	/* 30 bytes end 2 short of the 8-aligned end of the page: canary. */
	p = guard_object(t, 30, true);
	if (!p)
		return;
	p[31] = 0;
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, free_site(p), KERR_OK);   /* freed all the same */
	expect_report(t, before, KERR_REDZONE, (uintptr_t)p, GUARD_CANARY, p, 31, false);
}

static void double_and_invalid_free(struct ktest *t)
{
	uint8_t *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	p = guard_object(t, 48, false);
	if (!p)
		return;
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, free_site(p + 8), KERR_BAD_PTR);
	expect_report(t, before, KERR_BAD_PTR, (uintptr_t)p + 8, GUARD_INVALID_FREE, p, 8, false);
	KT_EXPECT_EQ(t, ksize(p), (size_t)48);          /* still live */
	KT_ASSERT_EQ(t, free_site(p), KERR_OK);
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, free_site(p), KERR_DOUBLE_FREE);
	expect_report(t, before, KERR_DOUBLE_FREE, (uintptr_t)p, GUARD_DOUBLE_FREE, p, 0, true);
}

/* ksize() is the size asked for; krealloc() copies to a new object and frees the old. */
static void ksize_and_krealloc(struct ktest *t)
{
	uint8_t *p, *q;
	uint64_t before = mm_misuse_total();

	p = guard_object(t, 24, true);
	if (!p)
		return;
	KT_EXPECT_EQ(t, ksize(p), (size_t)24);
	for (int i = 0; i < 24; i++)
		p[i] = (uint8_t)i;
	guard_sample_next();
	q = krealloc(p, 200, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_TRUE(t, q != p);
	KT_EXPECT_EQ(t, ksize(q), guard_owns(q) ? (size_t)200 : ksize(q));
	KT_EXPECT_GE(t, ksize(q), (size_t)200);
	for (int i = 0; i < 24; i++)
		KT_EXPECT_EQ(t, q[i], (uint8_t)i);
	KT_EXPECT_EQ(t, ksize(p), (size_t)0);           /* no live guard object there */
	KT_EXPECT_EQ(t, free_site(q), KERR_OK);
	KT_EXPECT_EQ(t, mm_misuse_total(), before);
}

/* A sample the pool cannot take is served the normal way, and counted. */
static void pool_exhaustion_falls_back(struct ktest *t)
{
	static void *held[CONFIG_DEBUG_GUARD_POOL_PAGES + 1];
	struct guard_stats st0, st1;
	size_t n = 0;
	void *p = NULL;

	guard_get_stats(&st0);
	KT_ASSERT_GT(t, st0.slots, (size_t)0);
	while (n < ARRAY_SIZE(held)) {
		p = alloc_site(32);
		KT_ASSERT_NOT_NULL(t, p);
		if (!guard_owns(p))
			break;
		held[n++] = p;
	}
	guard_get_stats(&st1);
	/* Every free page was taken, then the pool said no. */
	KT_EXPECT_FALSE(t, guard_owns(p));
	KT_EXPECT_EQ(t, st1.live, st0.slots);
	KT_EXPECT_EQ(t, st1.pool_full, st0.pool_full + 1);
	KT_EXPECT_GE(t, ksize(p), (size_t)32);
	memset(p, 0x5a, 32);
	KT_EXPECT_EQ(t, kfree_checked(p), KERR_OK);
	while (n)
		KT_EXPECT_EQ(t, free_site(held[--n]), KERR_OK);
	guard_get_stats(&st1);
	KT_EXPECT_EQ(t, st1.live, st0.live);
}

/* ---- named slab caches --------------------------------------------------- */

#ifdef CONFIG_SLAB
#define CACHE_OBJ 56            /* not a kmalloc class size: the cache's own geometry */
#define CACHE_ALIGN 16
#define CTOR_BYTE 0xc7

static void ctor_fill(void *p)
{
	memset(p, CTOR_BYTE, CACHE_OBJ);
}

static __noinline void *cache_alloc_site(struct kmem_cache *c)
{
	void *p;

	guard_sample_next();
	p = kmem_cache_alloc(c, GFP_KERNEL);
	KEEP(p);
	return p;
}

static __noinline int cache_free_site(struct kmem_cache *c, void *p)
{
	int err = kmem_cache_free_checked(c, p);

	KEEP(err);
	return err;
}

/*
 * A guard object of @c placed against the end of its page (@right) or its
 * start, constructed; NULL (the case skipped) when the pool has no page.
 */
static uint8_t *cache_guard_object(struct ktest *t, struct kmem_cache *c, bool right)
{
	for (int i = 0; i < 2; i++) {
		uint8_t *p = cache_alloc_site(c);
		uintptr_t off;

		if (!p)
			return NULL;
		if (!guard_owns(p)) {
			KT_EXPECT_EQ(t, cache_free_site(c, p), KERR_OK);
			ktest_skip(t, "the guard pool has no free page (objects live since boot)");
			return NULL;
		}
		off = (uintptr_t)p & (PAGE_SIZE - 1);
		KT_EXPECT_EQ(t, (uintptr_t)p % CACHE_ALIGN, (uintptr_t)0);
		for (int j = 0; j < CACHE_OBJ; j++)
			if (p[j] != CTOR_BYTE) {
				KT_FAIL(t, "byte %d is %#x: the constructor did not run", j, p[j]);
				break;
			}
		if (right ? off == PAGE_SIZE - ALIGN_UP(CACHE_OBJ, CACHE_ALIGN) : off == 0)
			return p;
		KT_EXPECT_EQ(t, cache_free_site(c, p), KERR_OK);
	}
	KT_FAIL(t, "two guard objects in a row were placed on the same side");
	return NULL;
}

static struct kmem_cache *test_cache(struct ktest *t, const char *name)
{
	struct kmem_cache *c = kmem_cache_create(name, CACHE_OBJ, CACHE_ALIGN, ctor_fill);

	if (!c)
		KT_FAIL(t, "kmem_cache_create(%s) failed", name);
	return c;
}

/* Past the end of a cache's right-aligned guard object: the guard page behind. */
static void cache_out_of_bounds_right(struct ktest *t)
{
	struct kmem_cache_stats st;
	struct kmem_cache *c;
	volatile uint8_t *p;
	uint64_t before;
	size_t over = ALIGN_UP(CACHE_OBJ, CACHE_ALIGN);

	SKIP_IF_MISUSE_PANICS(t);
	c = test_cache(t, "guard-right");
	if (!c)
		return;
	p = cache_guard_object(t, c, true);
	if (p) {
		kmem_cache_get_stats(c, &st);
		KT_EXPECT_EQ(t, st.active_objects, (size_t)1);   /* the cache's object */
		before = mm_misuse_total();
		p[over] = 0x41;
		expect_report_at(t, before, KERR_RANGE, (uintptr_t)&p[over], GUARD_OOB,
				 (const void *)p, (long)over, SITE(cache_alloc_site), 0);
		KT_EXPECT_TRUE(t, last_was_write());
		before = mm_misuse_total();
		KT_EXPECT_EQ(t, cache_free_site(c, (void *)p), KERR_OK);
		KT_EXPECT_EQ(t, mm_misuse_total(), before);
		kmem_cache_get_stats(c, &st);
		KT_EXPECT_EQ(t, st.active_objects, (size_t)0);
		KT_EXPECT_EQ(t, st.counters.allocs, st.counters.frees);
	}
	kmem_cache_destroy(c);
}

/* Before a cache's left-aligned guard object: the guard page before it. */
static void cache_out_of_bounds_left(struct ktest *t)
{
	struct kmem_cache *c;
	volatile uint8_t *p;
	uint8_t *z;
	uint8_t v;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	c = test_cache(t, "guard-left");
	if (!c)
		return;
	p = cache_guard_object(t, c, false);
	if (p) {
		before = mm_misuse_total();
		v = p[-1];
		KEEP(v);
		expect_report_at(t, before, KERR_RANGE, (uintptr_t)p - 1, GUARD_OOB,
				 (const void *)p, -1, SITE(cache_alloc_site), 0);
		KT_EXPECT_FALSE(t, last_was_write());
		KT_EXPECT_EQ(t, cache_free_site(c, (void *)p), KERR_OK);
		/* __GFP_ZERO zeroes a guard object after its constructor, as a slab's. */
		guard_sample_next();
		z = kmem_cache_alloc(c, GFP_KERNEL | __GFP_ZERO);
		KT_ASSERT_NOT_NULL(t, z);
		KT_EXPECT_TRUE(t, guard_owns(z));
		for (int i = 0; i < CACHE_OBJ; i++)
			if (z[i]) {
				KT_FAIL(t, "byte %d of a zeroed guard object is %#x", i, z[i]);
				break;
			}
		KT_EXPECT_EQ(t, kmem_cache_free_checked(c, z), KERR_OK);
	}
	kmem_cache_destroy(c);
}

/* A cache's freed guard object: its page is unmapped, a read faults. */
static void cache_use_after_free(struct ktest *t)
{
	struct kmem_cache *c;
	volatile uint8_t *p;
	uint8_t v;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	c = test_cache(t, "guard-uaf");
	if (!c)
		return;
	p = cache_guard_object(t, c, true);
	if (p) {
		KT_ASSERT_EQ(t, cache_free_site(c, (void *)p), KERR_OK);
		before = mm_misuse_total();
		v = p[10];
		KEEP(v);
		expect_report_at(t, before, KERR_USE_AFTER_FREE, (uintptr_t)&p[10],
				 GUARD_USE_AFTER_FREE, (const void *)p, 10,
				 SITE(cache_alloc_site), SITE(cache_free_site));
	}
	kmem_cache_destroy(c);
}

/*
 * Freed to another cache or by kfree(): refused, reported, still live.
 * While it lives its cache will not be destroyed (as with a slab object),
 * a shrink leaves it alone, and kmem_cache_check() finds canary damage.
 */
static void cache_wrong_cache_free(struct ktest *t)
{
	struct kmem_cache_stats st;
	struct kmem_cache *a, *b;
	uint8_t *p;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	a = test_cache(t, "guard-a");
	b = test_cache(t, "guard-b");
	if (!a || !b)
		goto out;
	p = cache_guard_object(t, a, true);
	if (!p)
		goto out;
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, cache_free_site(b, p), KERR_BAD_PTR);
	expect_report_at(t, before, KERR_BAD_PTR, (uintptr_t)p, GUARD_WRONG_OWNER, p, 0,
			 SITE(cache_alloc_site), 0);
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, kfree_checked(p), KERR_BAD_PTR);
	expect_report_at(t, before, KERR_BAD_PTR, (uintptr_t)p, GUARD_WRONG_OWNER, p, 0,
			 SITE(cache_alloc_site), 0);
	KT_EXPECT_TRUE(t, guard_owns(p) && p[0] == CTOR_BYTE);   /* still live */
	kmem_cache_get_stats(b, &st);
	KT_EXPECT_EQ(t, st.active_objects, (size_t)0);

	(void)kmem_cache_shrink(a);
	KT_EXPECT_TRUE(t, kmem_cache_check(a));
	before = mm_misuse_total();
	kmem_cache_destroy(a);                 /* a live object: refused */
	KT_EXPECT_EQ(t, mm_misuse_total(), before + 1);
	kmem_cache_get_stats(a, &st);
	KT_EXPECT_EQ(t, st.active_objects, (size_t)1);

	/* The 4 bytes between the object's end and its 16-aligned slot are canary. */
	p[CACHE_OBJ + 1] = 0;
	before = mm_misuse_total();
	KT_EXPECT_FALSE(t, kmem_cache_check(a));
	expect_report_at(t, before, KERR_REDZONE, (uintptr_t)p, GUARD_CANARY, p, CACHE_OBJ + 1,
			 SITE(cache_alloc_site), 0);
	p[CACHE_OBJ + 1] = CANARY_OF(&p[CACHE_OBJ + 1]);
	KT_EXPECT_TRUE(t, kmem_cache_check(a));
	KT_EXPECT_EQ(t, cache_free_site(a, p), KERR_OK);
	before = mm_misuse_total();
	kmem_cache_destroy(a);
	a = NULL;
	KT_EXPECT_EQ(t, mm_misuse_total(), before);
out:
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}
#endif /* CONFIG_SLAB */

/* ---- object pools --------------------------------------------------------- */

#ifdef CONFIG_POOLS
#define POOL_OBJ 72

static __noinline void *pool_alloc_site(struct pool *p)
{
	void *obj;

	guard_sample_next();
	obj = pool_alloc(p, GFP_KERNEL);
	KEEP(obj);
	return obj;
}

static __noinline int pool_free_site(struct pool *p, void *obj)
{
	int err = pool_free_checked(p, obj);

	KEEP(err);
	return err;
}

/*
 * A pool samples where it grows: the object growth hands the caller is a
 * guard object, the rest of the growth real memory in the magazine.  Its
 * free goes back to the guard pool (no magazine gains a round) and a read
 * after it faults; another pool refuses it; a pool with it live is not
 * destroyed.
 */
static void pool_guard_object(struct ktest *t)
{
	struct pool_params pp = { .name = "guard-pool", .size = POOL_OBJ, .grow = 4 };
	struct pool_params other = { .name = "guard-other", .size = POOL_OBJ, .grow = 4 };
	struct pool *p, *q = NULL;
	struct pool_stats st0, st1;
	struct guard_stats g0, g1;
	volatile uint8_t *obj;
	uint8_t v;
	uint64_t before;

	SKIP_IF_MISUSE_PANICS(t);
	p = pool_create(&pp);
	KT_ASSERT_NOT_NULL(t, p);
	guard_get_stats(&g0);
	obj = pool_alloc_site(p);             /* an empty pool: this call grows it */
	if (!obj)
		KT_FAIL(t, "pool_alloc() failed");
	else if (!guard_owns((void *)obj))
		ktest_skip(t, "the guard pool has no free page (objects live since boot)");
	if (!obj || !guard_owns((void *)obj)) {
		if (obj)
			KT_EXPECT_EQ(t, pool_free_site(p, (void *)obj), KERR_OK);
		pool_destroy(p);
		return;
	}
	pool_get_stats(p, &st0);
	KT_EXPECT_EQ(t, st0.in_use, (size_t)1);
	KT_EXPECT_EQ(t, st0.owned, (size_t)4);    /* the growth: 1 handed out, 3 in the magazine */
	KT_EXPECT_TRUE(t, pool_check(p));
	memset((void *)obj, 0x33, POOL_OBJ);

	q = pool_create(&other);
	KT_ASSERT_NOT_NULL(t, q);
	before = mm_misuse_total();
	KT_EXPECT_EQ(t, pool_free_site(q, (void *)obj), KERR_BAD_PTR);
	expect_report_at(t, before, KERR_BAD_PTR, (uintptr_t)obj, GUARD_WRONG_OWNER,
			 (const void *)obj, 0, SITE(pool_alloc_site), 0);
	before = mm_misuse_total();
	pool_destroy(p);                      /* a live object: refused */
	KT_EXPECT_EQ(t, mm_misuse_total(), before + 1);

	KT_ASSERT_EQ(t, pool_free_site(p, (void *)obj), KERR_OK);
	pool_get_stats(p, &st1);
	guard_get_stats(&g1);
	KT_EXPECT_EQ(t, st1.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st1.owned, st0.owned - 1);           /* left the pool */
	KT_EXPECT_EQ(t, st1.loaded_rounds, st0.loaded_rounds);   /* no magazine took it */
	KT_EXPECT_EQ(t, g1.frees, g0.frees + 1);
	KT_EXPECT_EQ(t, guard_size((void *)obj), (size_t)0);   /* no live object there */
	before = mm_misuse_total();
	v = obj[8];
	KEEP(v);
	expect_report_at(t, before, KERR_USE_AFTER_FREE, (uintptr_t)&obj[8],
			 GUARD_USE_AFTER_FREE, (const void *)obj, 8, SITE(pool_alloc_site),
			 SITE(pool_free_site));
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
	pool_destroy(q);
}
#endif /* CONFIG_POOLS */

static const struct ktest_case guard_cases[] = {
	KTEST_CASE(out_of_bounds_right),
	KTEST_CASE(out_of_bounds_left),
	KTEST_CASE(use_after_free),
	KTEST_CASE(free_with_interrupts_off_unmaps_later),
	KTEST_CASE(canary_corruption),
	KTEST_CASE(double_and_invalid_free),
	KTEST_CASE(ksize_and_krealloc),
	KTEST_CASE(pool_exhaustion_falls_back),
#ifdef CONFIG_SLAB
	KTEST_CASE(cache_out_of_bounds_right),
	KTEST_CASE(cache_out_of_bounds_left),
	KTEST_CASE(cache_use_after_free),
	KTEST_CASE(cache_wrong_cache_free),
#endif
#ifdef CONFIG_POOLS
	KTEST_CASE(pool_guard_object),
#endif
	{ 0 },
};

KTEST_SUITE(guard, guard_cases);
