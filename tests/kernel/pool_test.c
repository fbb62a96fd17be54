/*
 * pool_test.c - object pools (core/include/pool.h, core/mm/pool.c) and the
 * typed pools of the Kconfig menu (gen/pool_types.h).
 *
 * The typed pools are checked as boot left them (filled to their counts)
 * and through their typed API.  The other cases make pools of their own,
 * sized from the configuration: objects of TEST_SIZE bytes, counts in
 * magazines of POOL_MAG_SIZE; a case whose pool would take more than an
 * eighth of what the backing allocator serves from skips and says so.
 * After every step the statistics are checked exactly (one CPU: they are
 * exact) and pool_check() verifies the magazines, the depot, the reserve
 * and, at the exact level, every free object's state word.
 *
 * The misuse cases run one class each and expect detection exactly where
 * the configured check level promises it (pool_checks_catch(), the slab
 * levels' promises); elsewhere they skip, saying why.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug_guard.h"
#include "kerrno.h"
#include "kernel.h"
#include "kmalloc_sizes.h"
#include "kstring.h"
#include "guard_off.h"
#include "ktest.h"
#include "mm.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "pool.h"
#include "pool_types.h"
#include "show_mem.h"
#include "shrinker.h"
#include "smp.h"
#ifdef CONFIG_SLAB
#include "take_all.h"
#endif

#define M ((size_t)POOL_MAG_SIZE)
/* The test pools' objects: small, so that counts of a few magazines fit anywhere. */
#define TEST_SIZE ((size_t)48)
/* The most objects a case holds at once. */
#define MAX_HELD 2048

static void *held[MAX_HELD];

/* Skip a misuse case whose class the configured level does not catch. */
#define SKIP_UNLESS_CAUGHT(t, m)                                                  \
	do {                                                                      \
		if (MM_MISUSE_PANICS)                                             \
			KT_SKIP(t, "misuse panics (CONFIG_MM_PANIC_ON_MISUSE)");  \
		if (!pool_checks_catch(m))                                        \
			KT_SKIP(t, "not caught at this SLAB_CHECKS level");       \
	} while (0)

static struct pool_stats stats(struct pool *p)
{
	struct pool_stats st;

	pool_get_stats(p, &st);
	return st;
}

/*
 * A test pool, or NULL after a skip or failure: @count objects, @reserve
 * of them kept back, growing by @grow up to @max.  Skips when the pool
 * would take more than an eighth of the memory its objects come from.
 */
static struct pool *test_pool(struct ktest *t, const char *name, size_t count, size_t reserve,
			      size_t grow, size_t max, void (*ctor)(void *))
{
	struct pool_params pp = { .name = name, .size = TEST_SIZE, .align = 0, .ctor = ctor,
				  .count = count, .min_nr = reserve, .grow = grow, .max = max };
	size_t most = MAX(count, max) + grow;
	struct pool *p;

	if (most > MAX_HELD || most * (TEST_SIZE + 64) > test_kmalloc_arena() / 8) {
		ktest_skip(t, "the case's pool needs more than MAX_HELD objects or an eighth of "
			   "the arena");
		return NULL;
	}
	p = pool_create(&pp);
	KT_EXPECT_NOT_NULL(t, p);
	return p;
}

/* Allocate @n objects into held[@from ..]; returns how many came. */
static size_t take(struct pool *p, size_t from, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		held[from + i] = pool_alloc(p, GFP_KERNEL);
		if (!held[from + i])
			break;
	}
	return i;
}

/* Free held[@from .. @from + @n) in reverse order, each checked. */
static void give(struct ktest *t, struct pool *p, size_t from, size_t n)
{
	while (n--)
		KT_EXPECT_EQ(t, pool_free_checked(p, held[from + n]), 0);
}

/* ---- the typed pools of the configuration -------------------------------------- */

/* Filled at boot: each holds its count, its reserve full, nothing handed out. */
static void pool_typed_preallocated(struct ktest *t)
{
	if (!pool_nr_types)
		KT_SKIP(t, "no typed pool configured");
	for (const struct pool_type *ty = pool_types; ty->pool; ty++) {
		struct pool_stats st = stats(ty->pool);

		KT_EXPECT_TRUE(t, st.ready);
		KT_EXPECT_EQ(t, st.object_size, ty->params.size);
		KT_EXPECT_GE(t, st.owned, ty->params.count);
		KT_EXPECT_EQ(t, st.reserve, ty->params.min_nr);
		KT_EXPECT_EQ(t, st.count, ty->params.count);
		KT_EXPECT_EQ(t, st.failures, (uint64_t)0);
		KT_EXPECT_EQ(t, st.misuse, (uint64_t)0);
		KT_EXPECT_TRUE(t, pool_check(ty->pool));
	}
}

/*
 * One typed pool through its typed API: aligned objects of the configured
 * size, writable, distinct, counted; __GFP_ZERO zeroes.  (Unused in a
 * variant with no typed pool.)
 */
static __attribute__((unused)) void check_typed(struct ktest *t, struct pool *p, void *(*alloc)(gfp_t),
			void (*release)(void *), size_t size, size_t align)
{
	struct pool_stats before = stats(p), after;
	unsigned char *a = alloc(GFP_KERNEL), *b = alloc(__GFP_ZERO);

	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	KT_EXPECT_TRUE(t, a != b);
	KT_EXPECT_TRUE(t, IS_ALIGNED((uintptr_t)a, align) && IS_ALIGNED((uintptr_t)b, align));
	for (size_t i = 0; i < size; i++)
		KT_EXPECT_EQ(t, b[i], 0);
	memset(a, 0xa5, size);
	memset(b, 0x5a, size);
	KT_EXPECT_EQ(t, a[size - 1], 0xa5);
	after = stats(p);
	KT_EXPECT_EQ(t, after.in_use, before.in_use + 2);
	KT_EXPECT_EQ(t, after.allocs, before.allocs + 2);
	release(b);
	release(a);
	after = stats(p);
	KT_EXPECT_EQ(t, after.in_use, before.in_use);
	KT_EXPECT_EQ(t, after.frees, before.frees + 2);
	KT_EXPECT_EQ(t, after.misuse, before.misuse);
	KT_EXPECT_TRUE(t, pool_check(p));
}

/* Each pool's typed API, wrapped so that one helper checks them all. */
#define TYPED_WRAPPERS(n, type, sz, al, cnt, res)                                 \
	static void *n##_test_alloc(gfp_t flags)                                  \
	{                                                                         \
		type *obj = n##_pool_alloc(flags);                                \
		_Static_assert(sizeof(*obj) == (sz), "typed object size");        \
		return obj;                                                       \
	}                                                                         \
	static void n##_test_free(void *obj)                                      \
	{                                                                         \
		n##_pool_free(obj);                                               \
	}
POOL_TYPES(TYPED_WRAPPERS)

#define TYPED_CHECK(n, type, sz, al, cnt, res) \
	check_typed(t, &n##_pool, n##_test_alloc, n##_test_free, (sz), (al));

static void pool_typed_alloc_free(struct ktest *t)
{
	if (!pool_nr_types)
		KT_SKIP(t, "no typed pool configured");
	POOL_TYPES(TYPED_CHECK)
}

/* ---- a pool of the case's own ------------------------------------------------------ */

static void pool_create_refuses_bad_parameters(struct ktest *t)
{
	static const struct pool_params bad[] = {
		{ .name = "t-size0", .size = 0, .count = 1 },
		{ .name = "t-huge", .size = POOL_MAX_SIZE + 1, .count = 1 },
		{ .name = "t-align3", .size = 16, .align = 3, .count = 1 },
		{ .name = "t-align", .size = 16, .align = 2 * PAGE_SIZE, .count = 1 },
		{ .name = "t-reserve", .size = 16, .count = 2, .min_nr = 3 },
		{ .name = "t-max", .size = 16, .count = 5, .max = 4 },
	};
	struct pool p;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		KT_EXPECT_NULL(t, pool_create(&bad[i]));
	KT_EXPECT_EQ(t, pool_init(&p, &bad[0]), KERR_INVAL);
	KT_EXPECT_EQ(t, pool_init(&p, &bad[2]), KERR_ALIGN);
	/* A pool that could not be made is safe: allocations fail, frees are refused. */
	KT_EXPECT_NULL(t, pool_alloc(&p, __GFP_NOWARN));
	KT_EXPECT_EQ(t, stats(&p).failures, (uint64_t)1);
	if (!MM_MISUSE_PANICS)
		KT_EXPECT_EQ(t, pool_free_checked(&p, held), KERR_BAD_PTR);
	pool_free(&p, NULL);
}

/* Creation: the reserve first, the rest in magazines in the depot, CPUs empty. */
static void pool_preallocation_layout(struct ktest *t)
{
	size_t reserve = MIN(M + 1, (size_t)5), count = reserve + 2 * M + 1;
	struct pool *p = test_pool(t, "t-layout", count, reserve, 0, 0, NULL);
	struct pool_stats st;

	if (!p)
		return;
	st = stats(p);
	KT_EXPECT_TRUE(t, st.ready);
	KT_EXPECT_EQ(t, st.owned, count);
	KT_EXPECT_EQ(t, st.owned_peak, count);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_EQ(t, st.free_depot, 2 * M + 1);
	KT_EXPECT_EQ(t, st.mags_full, (size_t)3);
	KT_EXPECT_EQ(t, st.mags_empty, (size_t)0);
	KT_EXPECT_EQ(t, st.free_cpu, (size_t)0);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st.high_water, (size_t)0);
	KT_EXPECT_EQ(t, st.allocs, (uint64_t)0);
	KT_EXPECT_EQ(t, st.stride % st.align, (size_t)0);
	KT_EXPECT_GE(t, st.stride, TEST_SIZE);
	KT_EXPECT_TRUE(t, pool_check(p));
	/* The first allocation gets a full magazine: the odd one is at the bottom. */
	KT_ASSERT_EQ(t, take(p, 0, 1), (size_t)1);
	KT_EXPECT_EQ(t, stats(p).loaded_rounds, M - 1);
	give(t, p, 0, 1);
	pool_destroy(p);
}

/*
 * Bonwick's exchanges, step by step: a CPU with both magazines empty
 * trades the previous one for a full magazine of the depot; with both
 * full, the previous one for an empty magazine; in between loaded and
 * previous swap.
 */
static void pool_magazine_exchange(struct ktest *t)
{
	struct pool *p = test_pool(t, "t-exchange", 3 * M, 0, 0, 0, NULL);
	struct pool_stats st;

	if (!p)
		return;
	/* Both empty: a full magazine from the depot, the previous one to it empty. */
	KT_ASSERT_EQ(t, take(p, 0, 1), (size_t)1);
	st = stats(p);
	KT_EXPECT_EQ(t, st.depot_gets, (uint64_t)1);
	KT_EXPECT_EQ(t, st.misses, (uint64_t)1);
	KT_EXPECT_EQ(t, st.hits, (uint64_t)0);
	KT_EXPECT_EQ(t, st.loaded_rounds, M - 1);
	KT_EXPECT_EQ(t, st.previous_rounds, (size_t)0);
	KT_EXPECT_EQ(t, st.mags_full, (size_t)2);
	KT_EXPECT_EQ(t, st.mags_empty, (size_t)1);
	/* The rest of the magazine: hits, no lock. */
	KT_ASSERT_EQ(t, take(p, 1, M - 1), M - 1);
	st = stats(p);
	KT_EXPECT_EQ(t, st.hits, (uint64_t)(M - 1));
	KT_EXPECT_EQ(t, st.loaded_rounds, (size_t)0);
	/* Twice more. */
	KT_ASSERT_EQ(t, take(p, M, 2 * M), 2 * M);
	st = stats(p);
	KT_EXPECT_EQ(t, st.depot_gets, (uint64_t)3);
	KT_EXPECT_EQ(t, st.misses, (uint64_t)3);
	KT_EXPECT_EQ(t, st.hits, (uint64_t)(3 * M - 3));
	KT_EXPECT_EQ(t, st.mags_full, (size_t)0);
	KT_EXPECT_EQ(t, st.mags_empty, (size_t)3);
	KT_EXPECT_EQ(t, st.in_use, 3 * M);
	KT_EXPECT_EQ(t, st.free_depot + st.free_cpu + st.reserve, (size_t)0);
	KT_EXPECT_TRUE(t, pool_check(p));

	/* Frees fill the loaded magazine... */
	give(t, p, 2 * M, M);
	st = stats(p);
	KT_EXPECT_EQ(t, st.loaded_rounds, M);
	KT_EXPECT_EQ(t, st.previous_rounds, (size_t)0);
	KT_EXPECT_EQ(t, st.swaps, (uint64_t)0);
	/* ...then swap with the empty previous one... */
	give(t, p, M, M);
	st = stats(p);
	KT_EXPECT_EQ(t, st.swaps, (uint64_t)1);
	KT_EXPECT_EQ(t, st.loaded_rounds, M);
	KT_EXPECT_EQ(t, st.previous_rounds, M);
	KT_EXPECT_EQ(t, st.depot_puts, (uint64_t)0);
	/* ...and with both full, the previous one goes to the depot for an empty one. */
	give(t, p, 0, M);
	st = stats(p);
	KT_EXPECT_EQ(t, st.depot_puts, (uint64_t)1);
	KT_EXPECT_EQ(t, st.mags_full, (size_t)1);
	KT_EXPECT_EQ(t, st.mags_empty, (size_t)2);
	KT_EXPECT_EQ(t, st.free_depot, M);
	KT_EXPECT_EQ(t, st.loaded_rounds, M);
	KT_EXPECT_EQ(t, st.previous_rounds, M);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st.frees, (uint64_t)(3 * M));
	/* No magazine was made after creation: the depot had every one needed. */
	KT_EXPECT_EQ(t, st.mags_made, (uint64_t)(2 * NR_CPUS + 3));
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
}

/*
 * With the pool's own objects all out and no growth allowed, allocations
 * come from the reserve, each counted, then fail - counted, no panic.
 * Frees refill the reserve before anything else, then the magazines
 * take them again.
 */
static void pool_reserve_use_and_refill(struct ktest *t)
{
	size_t reserve = 4, count = reserve + M;
	struct pool *p = test_pool(t, "t-reserve", count, reserve, 0, 0, NULL);
	uint64_t reported, held_back, reported2, held_back2;
	struct alloc_request req;
	struct pool_stats st;

	if (!p)
		return;
	KT_ASSERT_EQ(t, take(p, 0, M), M);
	st = stats(p);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_EQ(t, st.reserve_uses, (uint64_t)0);
	/* Into the reserve: every object of it is obtainable. */
	KT_ASSERT_EQ(t, take(p, M, reserve), reserve);
	st = stats(p);
	KT_EXPECT_EQ(t, st.reserve, (size_t)0);
	KT_EXPECT_EQ(t, st.reserve_uses, (uint64_t)reserve);
	KT_EXPECT_EQ(t, st.in_use, count);
	KT_EXPECT_EQ(t, st.high_water, count);
	/* Past it: NULL, counted, and reported once at this layer (show_mem.h)... */
	KT_EXPECT_NULL(t, pool_alloc(p, GFP_KERNEL));
	KT_ASSERT_TRUE(t, warn_alloc_last(&req));
	KT_EXPECT_EQ(t, strcmp(req.who, "t-reserve"), 0);
	KT_EXPECT_EQ(t, strcmp(req.why, "out of memory"), 0);
	KT_EXPECT_EQ(t, req.size, TEST_SIZE);
	/* ...unless asked not to. */
	warn_alloc_counts(&reported, &held_back);
	KT_EXPECT_NULL(t, pool_alloc(p, __GFP_ZERO | __GFP_NOWARN));
	warn_alloc_counts(&reported2, &held_back2);
	KT_EXPECT_EQ(t, reported2 + held_back2, reported + held_back);
	st = stats(p);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)2);
	KT_EXPECT_EQ(t, st.allocs, (uint64_t)count);
	KT_EXPECT_TRUE(t, pool_check(p));
	/* Frees refill the reserve first, while the magazines have room. */
	for (size_t i = 0; i < reserve; i++) {
		KT_EXPECT_EQ(t, pool_free_checked(p, held[count - 1 - i]), 0);
		st = stats(p);
		KT_EXPECT_EQ(t, st.reserve, i + 1);
		KT_EXPECT_EQ(t, st.loaded_rounds, (size_t)0);
	}
	/* Full again: the next free goes to the loaded magazine. */
	give(t, p, M - 1, 1);
	st = stats(p);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_EQ(t, st.loaded_rounds, (size_t)1);
	give(t, p, 0, M - 1);
	st = stats(p);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st.owned, count);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
}

/*
 * Growth: objects beyond the count come from the backing allocator a step
 * at a time, up to the maximum; past it the reserve, then failure.  A
 * shrink gives back what growth added, keeping the count and the reserve.
 */
static void pool_growth_and_shrink(struct ktest *t)
{
	size_t reserve = 2, count = reserve + M, step = M + 3, max = count + 2 * step;
	struct pool *p = test_pool(t, "t-grow", count, reserve, step, max, NULL);
	struct pool_stats st;
	size_t n;

	if (!p)
		return;
	/* The depot's objects, then two growth steps (a step fills the loaded
	 * magazine and leaves the rest in the depot). */
	n = take(p, 0, max - reserve);
	KT_ASSERT_EQ(t, n, max - reserve);
	st = stats(p);
	KT_EXPECT_EQ(t, st.grows, (uint64_t)2);
	KT_EXPECT_EQ(t, st.owned, max);
	KT_EXPECT_EQ(t, st.owned_peak, max);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_EQ(t, st.reserve_uses, (uint64_t)0);
	/* At the maximum: the reserve serves, then nothing. */
	KT_ASSERT_EQ(t, take(p, n, reserve), reserve);
	KT_EXPECT_NULL(t, pool_alloc(p, __GFP_NOWARN));
	st = stats(p);
	KT_EXPECT_EQ(t, st.grows, (uint64_t)2);
	KT_EXPECT_EQ(t, st.reserve_uses, (uint64_t)reserve);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)1);
	KT_EXPECT_EQ(t, st.high_water, max);
	KT_EXPECT_TRUE(t, pool_check(p));
	give(t, p, 0, max);
	st = stats(p);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st.owned, max);
	/* Shrink: back to the count; the reserve stays full. */
	KT_EXPECT_EQ(t, pool_shrink(p), max - count);
	st = stats(p);
	KT_EXPECT_EQ(t, st.owned, count);
	KT_EXPECT_EQ(t, st.released, (uint64_t)(max - count));
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_EQ(t, st.mags_empty, (size_t)0);
	KT_EXPECT_EQ(t, pool_shrink(p), (size_t)0);
	KT_EXPECT_TRUE(t, pool_check(p));
	/* It grows again on demand. */
	KT_ASSERT_EQ(t, take(p, 0, count + 1), count + 1);
	KT_EXPECT_EQ(t, stats(p).grows, (uint64_t)3);
	give(t, p, 0, count + 1);
	pool_destroy(p);
}

/* ---- the backing allocator out of memory ------------------------------------------ */

/*
 * Hold everything the pools' backing allocator has.  With slabs: the page
 * allocator's reserves off and all of memory held (take_all.h, then the
 * rest in ever smaller blocks, recorded outside them: held_pages.h).  In
 * SimpleHeap: the heap region's blocks, largest first, chained through
 * their first words (the region is the kernel's own, touched anyway).
 */
struct hog {
#ifdef CONFIG_SLAB
	struct take_all ta;
	struct held_pages rest;
#else
	void *chain;
#endif
};

static void hog_backing(struct ktest *t, struct hog *h)
{
#ifdef CONFIG_SLAB
	take_all_begin(t, &h->ta);
	h->rest = (struct held_pages){ 0 };
	for (int order = (int)TAKE_ALL_BLOCK_ORDER; order >= 0; order--)
		while (held_take(&h->rest, (unsigned int)order, GFP_KERNEL))
			;
#else
	void **block;

	(void)t;
	h->chain = NULL;
	for (size_t size = test_kmalloc_arena(); size >= sizeof(void *); size /= 2) {
		while ((block = kmalloc(size, __GFP_NOWARN))) {
			*block = h->chain;
			h->chain = block;
		}
	}
#endif
}

static void unhog(struct ktest *t, struct hog *h)
{
#ifdef CONFIG_SLAB
	held_release(t, &h->rest);
	take_all_end(t, &h->ta);
#else
	(void)t;
	while (h->chain) {
		void *next = *(void **)h->chain;

		kfree(h->chain);
		h->chain = next;
	}
#endif
}

/*
 * The guarantee: when the backing allocator can serve nothing, the reserve
 * serves min_nr more objects; then NULL, counted.  Memory back, the pool
 * grows again.
 */
static void pool_backing_exhausted(struct ktest *t)
{
	size_t reserve = 3, count = reserve + M, n = M;
	struct pool *p = test_pool(t, "t-oom", count, reserve, M, 0, NULL);
	struct pool_stats st;
	struct hog hog;

	if (!p)
		return;
	KT_ASSERT_EQ(t, take(p, 0, M), M);
	hog_backing(t, &hog);
	/* What the backing still had in hand (a slab's last objects) comes first. */
	while (n < MAX_HELD - reserve && stats(p).reserve_uses == 0) {
		held[n] = pool_alloc(p, __GFP_NOWARN);
		if (!held[n])
			break;
		n++;
	}
	st = stats(p);
	KT_EXPECT_EQ(t, st.reserve_uses, (uint64_t)1);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)0);
	/* The rest of the reserve, then nothing. */
	KT_EXPECT_EQ(t, take(p, n, reserve - 1), reserve - 1);
	n += reserve - 1;
	KT_EXPECT_NULL(t, pool_alloc(p, __GFP_NOWARN));
	st = stats(p);
	KT_EXPECT_EQ(t, st.reserve_uses, (uint64_t)reserve);
	KT_EXPECT_EQ(t, st.reserve, (size_t)0);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)1);
	KT_EXPECT_EQ(t, st.in_use, n);
	KT_EXPECT_TRUE(t, pool_check(p));
	unhog(t, &hog);
	/* Memory again: growth serves, and frees refill the reserve first. */
	KT_EXPECT_NOT_NULL(t, held[n] = pool_alloc(p, GFP_KERNEL));
	if (held[n])
		n++;
	give(t, p, 0, n);
	st = stats(p);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
}

/*
 * Under memory pressure the pools' shrinker gives back what growth added
 * and no one uses, as pool_shrink() would, and the slabs it emptied.
 */
static void pool_shrinker_gives_growth_back(struct ktest *t)
{
#ifdef CONFIG_SLAB
	size_t count = M, grown = 4 * M;
	struct pool *p = test_pool(t, "t-shrinker", count, 1, grown, 0, NULL);
	struct pool_stats st;

	if (!p)
		return;
	KT_ASSERT_EQ(t, take(p, 0, count + grown - 1), count + grown - 1);
	give(t, p, 0, count + grown - 1);
	st = stats(p);
	KT_EXPECT_EQ(t, st.owned, count + grown);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	(void)shrink_memory(1);
	st = stats(p);
	KT_EXPECT_EQ(t, st.owned, count);
	KT_EXPECT_EQ(t, st.released, (uint64_t)grown);
	KT_EXPECT_EQ(t, st.reserve, (size_t)1);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
#else
	KT_SKIP(t, "the heap region's memory never goes back to the page allocator");
#endif
}

/* ---- constructor, flags, statistics ---------------------------------------------- */

static unsigned int ctor_calls;

static void test_ctor(void *obj)
{
	ctor_calls++;
	memset(obj, 0xc7, TEST_SIZE);
}

/* The constructor runs once per object as it joins the pool, never on reuse. */
static void pool_constructor_runs_once(struct ktest *t)
{
	size_t count = 2 * M;
	struct pool *p;
	unsigned char *obj;

	ctor_calls = 0;
	p = test_pool(t, "t-ctor", count, 1, M, 0, test_ctor);
	if (!p)
		return;
	KT_EXPECT_EQ(t, ctor_calls, (unsigned int)count);
	obj = pool_alloc(p, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, obj);
	for (size_t i = 0; i < TEST_SIZE; i++)
		KT_EXPECT_EQ(t, obj[i], 0xc7);
	obj[0] = 0xc7;   /* given back constructed */
	pool_free(p, obj);
	/* All but the reserved one, then one more: a growth step, each new object constructed. */
	KT_ASSERT_EQ(t, take(p, 0, count - 1), count - 1);
	KT_EXPECT_EQ(t, ctor_calls, (unsigned int)count);
	KT_ASSERT_EQ(t, take(p, count - 1, 1), (size_t)1);
	KT_EXPECT_EQ(t, ctor_calls, (unsigned int)(count + M));
	KT_EXPECT_EQ(t, stats(p).grows, (uint64_t)1);
	give(t, p, 0, count);
	pool_destroy(p);
}

static void pool_zeroed_allocation(struct ktest *t)
{
	struct pool *p = test_pool(t, "t-zero", M, 0, M, 0, test_ctor);
	unsigned char *obj;

	if (!p)
		return;
	obj = pool_alloc(p, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, obj);
	for (size_t i = 0; i < TEST_SIZE; i++)
		KT_EXPECT_EQ(t, obj[i], 0);
	memset(obj, 0xc7, TEST_SIZE);
	pool_free(p, obj);
	pool_destroy(p);
}

/*
 * Flags: what may take the fast path does (an object at hand needs no
 * reclaim); zone modifiers and unknown bits are refused, counted.
 */
static void pool_gfp_flags(struct ktest *t)
{
	struct pool *p = test_pool(t, "t-flags", M, 0, M, 0, NULL);
	void *a, *b;
	struct pool_stats st;

	if (!p)
		return;
	a = pool_alloc(p, GFP_ATOMIC | __GFP_HIGH);
	b = pool_alloc(p, __GFP_NOWARN);
	KT_EXPECT_NOT_NULL(t, a);
	KT_EXPECT_NOT_NULL(t, b);
	KT_EXPECT_NULL(t, pool_alloc(p, GFP_DMA | __GFP_NOWARN));
	KT_EXPECT_NULL(t, pool_alloc(p, __GFP_NOFAIL | __GFP_NOWARN));
	st = stats(p);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)2);
	KT_EXPECT_EQ(t, st.allocs, (uint64_t)2);
	KT_EXPECT_EQ(t, st.in_use, (size_t)2);
	pool_free(p, b);
	pool_free(p, a);
	pool_destroy(p);
}

/*
 * The figures after a scripted run: allocations are hits or misses,
 * frees the rest; the high-water mark is exact, also when it is reached
 * and left between two depot visits.
 */
static void pool_statistics(struct ktest *t)
{
	size_t count = 4 * M;
	struct pool *p = test_pool(t, "t-stats", count, 0, 0, 0, NULL);
	struct pool_stats st;
	size_t peak = M + (M + 1) / 2;

	if (!p)
		return;
	/* Up to the peak (inside the second magazine), down, and up again less far. */
	KT_ASSERT_EQ(t, take(p, 0, peak), peak);
	give(t, p, M, peak - M);
	KT_ASSERT_EQ(t, take(p, M, 1), (size_t)1);
	give(t, p, M, 1);
	st = stats(p);
	KT_EXPECT_EQ(t, st.high_water, peak);
	KT_EXPECT_EQ(t, st.in_use, M);
	KT_EXPECT_EQ(t, st.allocs, (uint64_t)(peak + 1));
	KT_EXPECT_EQ(t, st.frees, (uint64_t)(peak + 1 - M));
	KT_EXPECT_EQ(t, st.hits + st.misses - st.failures, st.allocs);
	KT_EXPECT_EQ(t, st.misses, (uint64_t)2);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)0);
	KT_EXPECT_EQ(t, st.owned, count);
	KT_EXPECT_EQ(t, st.in_use + st.free_cpu + st.free_depot + st.reserve, st.owned);
	give(t, p, 0, M);
	st = stats(p);
	KT_EXPECT_EQ(t, st.high_water, peak);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	pool_destroy(p);
}

/* ---- misuse ------------------------------------------------------------------------- */

/* A misused free: refused with @err, reported once, counted; the pool intact. */
static void expect_misuse(struct ktest *t, struct pool *p, void *obj, int err)
{
	struct pool_stats before = stats(p), after;
	uint64_t reports = mm_misuse_total();

	KT_EXPECT_EQ(t, pool_free_checked(p, obj), err);
	after = stats(p);
	KT_EXPECT_EQ(t, after.misuse, before.misuse + 1);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	KT_EXPECT_EQ(t, after.in_use, before.in_use);
	KT_EXPECT_EQ(t, after.loaded_rounds, before.loaded_rounds);
	KT_EXPECT_TRUE(t, pool_check(p));
}

static void pool_misuse_double_free(struct ktest *t)
{
	struct pool *p;
	void *a;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_DOUBLE_FREE);
	p = test_pool(t, "t-df", 2 * M, 1, 0, 0, NULL);
	if (!p)
		return;
	a = pool_alloc(p, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, a);
	KT_EXPECT_EQ(t, pool_free_checked(p, a), 0);
	/* Into the magazine the first time, refused the second. */
	expect_misuse(t, p, a, KERR_DOUBLE_FREE);
	pool_destroy(p);
}

static void pool_misuse_double_free_later(struct ktest *t)
{
	struct pool *p;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_DOUBLE_FREE_LATER);
	p = test_pool(t, "t-dfl", MAX(2 * M, (size_t)4), 1, 0, 0, NULL);
	if (!p)
		return;
	KT_ASSERT_EQ(t, take(p, 0, 3), (size_t)3);
	give(t, p, 0, 3);
	/* Freed with frees in between: the state word knows. */
	expect_misuse(t, p, held[1], KERR_DOUBLE_FREE);
	expect_misuse(t, p, held[0], KERR_DOUBLE_FREE);
	pool_destroy(p);
}

static unsigned char not_pool[256] __attribute__((aligned(64)));

static void pool_misuse_foreign(struct ktest *t)
{
	struct pool *p;
	void *k, *page;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_FOREIGN);
	p = test_pool(t, "t-foreign", M, 0, 0, 0, NULL);
	if (!p)
		return;
	k = kmalloc(TEST_SIZE, GFP_KERNEL);
	page = alloc_pages(0, GFP_KERNEL);
	expect_misuse(t, p, not_pool, KERR_BAD_PTR);
	if (k)
		expect_misuse(t, p, k, KERR_BAD_PTR);
	if (page)
		expect_misuse(t, p, page, KERR_BAD_PTR);
	kfree(k);
	if (page)
		free_pages(page, 0);
	pool_destroy(p);
}

static void pool_misuse_other_pool(struct ktest *t)
{
	struct pool *a, *b;
	void *x, *y;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_OTHER_CACHE);
	a = test_pool(t, "t-other-a", M, 0, 0, 0, NULL);
	b = a ? test_pool(t, "t-other-b", M, 0, 0, 0, NULL) : NULL;
	if (!b) {
		pool_destroy(a);
		return;
	}
	x = pool_alloc(a, GFP_KERNEL);
	y = pool_alloc(b, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, x);
	KT_ASSERT_NOT_NULL(t, y);
	expect_misuse(t, b, x, KERR_BAD_PTR);
	expect_misuse(t, a, y, KERR_BAD_PTR);
	KT_EXPECT_EQ(t, pool_free_checked(a, x), 0);
	KT_EXPECT_EQ(t, pool_free_checked(b, y), 0);
	pool_destroy(a);
	pool_destroy(b);
}

static void pool_misuse_interior(struct ktest *t)
{
	struct pool *p;
	unsigned char *x;

	SKIP_UNLESS_CAUGHT(t, SLAB_MISUSE_INTERIOR);
	p = test_pool(t, "t-interior", M, 0, 0, 0, NULL);
	if (!p)
		return;
	x = pool_alloc(p, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, x);
	expect_misuse(t, p, x + 8, KERR_BAD_PTR);
	expect_misuse(t, p, x + TEST_SIZE - 1, KERR_BAD_PTR);
	KT_EXPECT_EQ(t, pool_free_checked(p, x), 0);
	pool_destroy(p);
}

/*
 * At the exact level a free object's state word is checked when it is
 * handed out again: an overrun of the object before it that reached the
 * word is reported once, and the object handed out with a sound state.
 */
static void pool_state_word_damage(struct ktest *t)
{
	struct pool *p;
	unsigned char *x, *y;
	uint64_t reports;

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "misuse panics (CONFIG_MM_PANIC_ON_MISUSE)");
	if (!POOL_CHECKS_EXACT)
		KT_SKIP(t, "no state words at this SLAB_CHECKS level");
	p = test_pool(t, "t-state", M, 0, 0, 0, NULL);
	if (!p)
		return;
	x = pool_alloc(p, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, x);
	pool_free(p, x);
	memset(x + POOL_STATE_OFF(TEST_SIZE), 0x41, sizeof(uintptr_t));
	reports = mm_misuse_total();
	y = pool_alloc(p, GFP_KERNEL);
	KT_EXPECT_PTR_EQ(t, y, x);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	KT_EXPECT_EQ(t, stats(p).misuse, (uint64_t)1);
	KT_EXPECT_EQ(t, pool_free_checked(p, y), 0);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
}

/* A pool with objects out is not destroyed: reported, left alone. */
static void pool_destroy_refused_while_in_use(struct ktest *t)
{
	struct pool *p;
	void *x;
	uint64_t reports;

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "misuse panics (CONFIG_MM_PANIC_ON_MISUSE)");
	p = test_pool(t, "t-destroy", M, 0, 0, 0, NULL);
	if (!p)
		return;
	x = pool_alloc(p, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, x);
	reports = mm_misuse_total();
	pool_destroy(p);
	KT_EXPECT_EQ(t, mm_misuse_total(), reports + 1);
	KT_EXPECT_TRUE(t, stats(p).ready);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_free(p, x);
	pool_destroy(p);
}

/* ---- several CPUs ------------------------------------------------------------------- */

#define SKIP_UNLESS_TWO_CPUS(t)                                                   \
	do {                                                                      \
		if (num_online_cpus() < 2)                                        \
			KT_SKIP(t, "needs 2 CPUs online (SMP)");                 \
	} while (0)

/* What CPU 1 does for the cases below, in on_each_cpu()'s thread context. */
struct on_cpu1 {
	struct pool *p;
	size_t n;           /* objects to take, then give back */
	size_t got;         /* how many came */
};

/* CPU 1 takes @n objects and gives them back: they stay in its magazines (and the depot). */
static void park_on_cpu1(void *arg)
{
	struct on_cpu1 *a = arg;
	void **mine = held + MAX_HELD / 2;

	if (this_cpu() != 1)
		return;
	for (a->got = 0; a->got < a->n; a->got++) {
		mine[a->got] = pool_alloc(a->p, GFP_KERNEL);
		if (!mine[a->got])
			break;
	}
	for (size_t i = a->got; i--;)
		pool_free(a->p, mine[i]);
}

/*
 * Objects parked in another CPU's magazines are not lost to this one: when
 * the reserve runs dry the pull (a cross-CPU call) brings them back, so
 * every object the pool holds can be had from CPU 0.
 */
static void pool_pull_from_other_cpus(struct ktest *t)
{
	size_t reserve = M, count = 2 * M + reserve;
	struct on_cpu1 a;
	struct pool_stats st;
	struct pool *p;

	SKIP_UNLESS_TWO_CPUS(t);
	p = test_pool(t, "t-pull", count, reserve, 0, count, NULL);
	if (!p)
		return;
	a = (struct on_cpu1){ .p = p, .n = 2 * M };
	on_each_cpu(park_on_cpu1, &a);
	KT_ASSERT_EQ(t, a.got, 2 * M);
	st = stats(p);
	KT_EXPECT_EQ(t, st.free_cpu, 2 * M);
	KT_EXPECT_EQ(t, st.free_depot, (size_t)0);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	/* The reserve, then CPU 1's magazines through the reserve, then nothing. */
	KT_ASSERT_EQ(t, take(p, 0, count), count);
	KT_EXPECT_NULL(t, pool_alloc(p, __GFP_NOWARN));
	st = stats(p);
	KT_EXPECT_EQ(t, st.in_use, count);
	KT_EXPECT_EQ(t, st.free_cpu, (size_t)0);
	KT_EXPECT_EQ(t, st.reserve_uses, (uint64_t)count);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)1);
	KT_EXPECT_EQ(t, st.owned, count);
	KT_EXPECT_EQ(t, st.high_water, count);
	KT_EXPECT_TRUE(t, pool_check(p));
	give(t, p, 0, count);
	st = stats(p);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
}

/* A shrink on CPU 0 gives back the growth parked in CPU 1's magazines too. */
static void pool_shrink_reaches_other_cpus(struct ktest *t)
{
	size_t count = M, step = M, most = count + 3 * step;
	struct on_cpu1 a;
	struct pool_stats st;
	struct pool *p;

	SKIP_UNLESS_TWO_CPUS(t);
	p = test_pool(t, "t-shrink-smp", count, 0, step, 0, NULL);
	if (!p)
		return;
	a = (struct on_cpu1){ .p = p, .n = most };
	on_each_cpu(park_on_cpu1, &a);
	KT_ASSERT_EQ(t, a.got, most);
	st = stats(p);
	KT_EXPECT_EQ(t, st.owned, most);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_GT(t, st.free_cpu, (size_t)0);
	KT_EXPECT_EQ(t, pool_shrink(p), most - count);
	st = stats(p);
	KT_EXPECT_EQ(t, st.owned, count);
	KT_EXPECT_EQ(t, st.released, (uint64_t)(most - count));
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st.mags_empty, (size_t)0);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
}

/*
 * Every CPU allocates and frees from one pool at once, a pattern of its
 * own (a fixed seed per CPU), tagging each object it holds with its CPU
 * and slot: an object handed to two CPUs at once shows as a wrong tag.
 * Afterwards nothing is in use, nothing failed, and the pool is sound.
 */
#define CONC_OPS 3000
#define CONC_HOLD (3 * M)

struct conc_cpu {
	void *hold[CONC_HOLD];
	uint64_t allocs, frees, failures, bad_tags;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct conc_cpu, conc);

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uintptr_t conc_tag(unsigned int cpu, size_t slot)
{
	return ((uintptr_t)cpu << 32) ^ slot ^ 0x5a5a0000u;
}

static void conc_release(struct pool *p, struct conc_cpu *me, unsigned int cpu, size_t i)
{
	uintptr_t tag;

	__builtin_memcpy(&tag, me->hold[i], sizeof(tag));
	if (tag != conc_tag(cpu, i))
		me->bad_tags++;
	pool_free(p, me->hold[i]);
	me->hold[i] = NULL;
	me->frees++;
}

static void conc_work(void *arg)
{
	struct pool *p = arg;
	unsigned int cpu = this_cpu();
	struct conc_cpu *me = per_cpu_ptr(conc, cpu);
	uint64_t seed = 0x9e3779b97f4a7c15ull * (cpu + 1);

	for (unsigned int op = 0; op < CONC_OPS; op++) {
		size_t i = (size_t)(xorshift(&seed) % CONC_HOLD);

		if (me->hold[i]) {
			conc_release(p, me, cpu, i);
			continue;
		}
		me->hold[i] = pool_alloc(p, GFP_KERNEL);
		if (!me->hold[i]) {
			me->failures++;
			continue;
		}
		me->allocs++;
		{
			uintptr_t tag = conc_tag(cpu, i);

			__builtin_memcpy(me->hold[i], &tag, sizeof(tag));
		}
	}
	for (size_t i = 0; i < CONC_HOLD; i++)
		if (me->hold[i])
			conc_release(p, me, cpu, i);
}

static void pool_several_cpus_at_once(struct ktest *t)
{
	size_t count = 4 * M, reserve = M;
	uint64_t allocs = 0, frees = 0;
	struct pool_stats st;
	struct pool *p;

	SKIP_UNLESS_TWO_CPUS(t);
	p = test_pool(t, "t-conc", count, reserve, M, 0, NULL);
	if (!p)
		return;
	for_each_possible_cpu(cpu)
		*per_cpu_ptr(conc, cpu) = (struct conc_cpu){ 0 };
	on_each_cpu(conc_work, p);
	for_each_possible_cpu(cpu) {
		const struct conc_cpu *c = per_cpu_ptr(conc, cpu);

		KT_EXPECT_EQ(t, c->failures, (uint64_t)0);
		KT_EXPECT_EQ(t, c->bad_tags, (uint64_t)0);
		KT_EXPECT_EQ(t, c->allocs, c->frees);
		if (cpu < num_online_cpus())
			KT_EXPECT_GT(t, c->allocs, (uint64_t)0);
		allocs += c->allocs;
		frees += c->frees;
	}
	st = stats(p);
	KT_EXPECT_EQ(t, st.in_use, (size_t)0);
	KT_EXPECT_EQ(t, st.failures, (uint64_t)0);
	KT_EXPECT_EQ(t, st.allocs, allocs);
	KT_EXPECT_EQ(t, st.frees, frees);
	KT_EXPECT_EQ(t, st.reserve, reserve);
	KT_EXPECT_GE(t, st.owned, count);
	KT_EXPECT_TRUE(t, pool_check(p));
	pool_destroy(p);
}

static const struct ktest_case pool_cases[] = {
	KTEST_CASE(pool_typed_preallocated),
	KTEST_CASE(pool_typed_alloc_free),
	KTEST_CASE(pool_create_refuses_bad_parameters),
	KTEST_CASE(pool_preallocation_layout),
	KTEST_CASE(pool_magazine_exchange),
	KTEST_CASE(pool_reserve_use_and_refill),
	KTEST_CASE(pool_growth_and_shrink),
	KTEST_CASE(pool_backing_exhausted),
	KTEST_CASE(pool_shrinker_gives_growth_back),
	KTEST_CASE(pool_constructor_runs_once),
	KTEST_CASE(pool_zeroed_allocation),
	KTEST_CASE(pool_gfp_flags),
	KTEST_CASE(pool_statistics),
	KTEST_CASE(pool_misuse_double_free),
	KTEST_CASE(pool_misuse_double_free_later),
	KTEST_CASE(pool_misuse_foreign),
	KTEST_CASE(pool_misuse_other_pool),
	KTEST_CASE(pool_misuse_interior),
	KTEST_CASE(pool_state_word_damage),
	KTEST_CASE(pool_destroy_refused_while_in_use),
	KTEST_CASE(pool_pull_from_other_cpus),
	KTEST_CASE(pool_shrink_reaches_other_cpus),
	KTEST_CASE(pool_several_cpus_at_once),
	{0},
};
/*
 * Every case is about the magazine layer's counts (growth, shrink, the
 * reserve): a guard object (DEBUG_GUARD) leaves the pool on its free, so
 * none is sampled here; the guard suite covers a pool's guard objects.
 */
KTEST_SUITE_WITH_HOOKS(pool, pool_cases, guard_off_init, guard_off_exit);
