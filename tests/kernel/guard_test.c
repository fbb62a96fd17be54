/*
 * guard_test.c - sampled guard allocations (Kconfig DEBUG_GUARD): an
 * access past either end of a guard object or after its free faults and
 * is reported with the object and its owner's call sites, then goes on;
 * canary damage, double and invalid frees are reported on free; a full
 * pool sends sampled calls the normal way; kfree(), ksize() and
 * krealloc() know guard objects.
 *
 * Each case asks for its guard object with guard_sample_next(), so it
 * runs whatever DEBUG_GUARD_INTERVAL is.  Call sites are the small
 * non-inlined functions below (as in mm_debug_test.c): a report's
 * allocation or free site is a return address inside one of them.
 */
#include <stddef.h>
#include <stdint.h>

#include "debug_guard.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm.h"
#include "mm_debug.h"
#include "mm_misuse.h"
#include "percpu.h"

#define SKIP_IF_MISUSE_PANICS(t) \
	do { if (MM_MISUSE_PANICS) KT_SKIP(t, "CONFIG_MM_PANIC_ON_MISUSE: misuse would panic"); } while (0)

/* A return address inside these functions is theirs: they are far smaller than this. */
#define SITE_BYTES 512
#define KEEP(p) __asm__ volatile("" : "+r"(p))
#define SITE(f) ((uintptr_t)(f))

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
 * owner (allocated in alloc_site, freed in free_site when @freed), and
 * the guard report says @what about object @obj at @offset.
 */
static void expect_report(struct ktest *t, uint64_t before, int err, uintptr_t addr,
			  enum guard_finding what, const void *obj, long offset, bool freed)
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
	if (!in_site(r.alloc_ip, SITE(alloc_site)))
		KT_FAIL(t, "allocated at %p, not in alloc_site %p", (void *)r.alloc_ip,
			(void *)SITE(alloc_site));
	if (freed && !in_site(r.free_ip, SITE(free_site)))
		KT_FAIL(t, "freed at %p, not in free_site %p", (void *)r.free_ip,
			(void *)SITE(free_site));
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

static const struct ktest_case guard_cases[] = {
	KTEST_CASE(out_of_bounds_right),
	KTEST_CASE(out_of_bounds_left),
	KTEST_CASE(use_after_free),
	KTEST_CASE(canary_corruption),
	KTEST_CASE(double_and_invalid_free),
	KTEST_CASE(ksize_and_krealloc),
	KTEST_CASE(pool_exhaustion_falls_back),
	{ 0 },
};

KTEST_SUITE(guard, guard_cases);
