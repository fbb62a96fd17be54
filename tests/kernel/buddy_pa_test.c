/*
 * buddy_pa_test.c - the buddy page allocator instance (core/mm/buddy_pa.c).
 *
 * Each case gets a private instance of 2 * 2^BT_ORDER - 1 pages over pages
 * taken from the global allocator with page_alloc(); wherever those start,
 * the range holds one naturally aligned block of 2^BT_ORDER pages
 * (e->block) and the instance's own base is generally not aligned to the
 * max order.  The instance keeps everything in the descriptors it is
 * given (a private array here, not mem_map) and never touches its pages,
 * so where the global allocator cannot give that many contiguous pages (a
 * buddy with CONFIG_BUDDY_MAX_ORDER < 7) the instance is laid over an
 * address range far above RAM instead.  The instance counts nothing
 * itself: misuse is counted from the reports (mm_misuse_total()).
 *
 * The test keeps its own model of every page (reserved, free, allocated)
 * and, after each step, derives from it what the free lists must hold: the
 * free pages cut into maximal naturally aligned blocks, the only state a
 * buddy allocator that always merges can be in.  So nr_free is checked
 * exactly for every order, independently of which block the allocator
 * chose to hand out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy_pa.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "mm_misuse.h"
#include "page_alloc.h"

#if CONFIG_BUDDY_MAX_ORDER < 1
#error "buddy_pa_test needs CONFIG_BUDDY_MAX_ORDER >= 1"
#endif

#define BT_ORDER 6u
#define BT_BLOCK ((size_t)1 << BT_ORDER)

enum bt_page { BT_RESERVED, BT_FREE, BT_USED };

struct bt_env {
	struct buddy_pa pa;
	uintptr_t base;        /* first page of the instance */
	size_t npages;
	unsigned int max_order;
	uintptr_t block;       /* a naturally aligned 2^BT_ORDER block inside */
	uint8_t *shadow;       /* the model: enum bt_page per page */
	uint64_t misuse0;      /* mm_misuse_total() when the instance was made */
	void *aux;             /* descriptors and shadow, from page_alloc() */
	size_t aux_pages;
	void *backing;         /* the instance's pages, from page_alloc() */
	size_t backing_pages;
};

static struct bt_env env, big_env;

/* ---- the model ---------------------------------------------------------- */

static size_t page_idx(const struct bt_env *e, uintptr_t addr)
{
	return (addr - e->base) / PAGE_SIZE;
}

static uintptr_t page_addr(const struct bt_env *e, size_t idx)
{
	return e->base + idx * PAGE_SIZE;
}

static void model_set(struct bt_env *e, uintptr_t addr, size_t npages, enum bt_page st)
{
	for (size_t i = 0; i < npages; i++)
		e->shadow[page_idx(e, addr) + i] = (uint8_t)st;
}

/*
 * What the free lists must hold: every maximal run of free pages cut, from
 * its start, into the largest naturally aligned blocks (in frame numbers)
 * that fit the run, up to the max order.
 */
static size_t model_nr_free(const struct bt_env *e, size_t nr_free[BUDDY_ORDER_LIMIT + 1])
{
	size_t free_pages = 0, i = 0;

	for (unsigned int o = 0; o <= BUDDY_ORDER_LIMIT; o++)
		nr_free[o] = 0;
	while (i < e->npages) {
		size_t end = i;

		if (e->shadow[i] != BT_FREE) {
			i++;
			continue;
		}
		while (end < e->npages && e->shadow[end] == BT_FREE)
			end++;
		while (i < end) {
			uintptr_t pfn = page_addr(e, i) / PAGE_SIZE;
			unsigned int o = e->max_order;

			while (pfn % ((uintptr_t)1 << o) || i + ((size_t)1 << o) > end)
				o--;
			nr_free[o]++;
			free_pages += (size_t)1 << o;
			i += (size_t)1 << o;
		}
	}
	return free_pages;
}

/* Does the allocator match the model exactly?  Reports every difference. */
static bool bt_exact(struct ktest *t, struct bt_env *e)
{
	size_t nr_free[BUDDY_ORDER_LIMIT + 1];
	unsigned int before = t->failures;
	size_t free_pages = model_nr_free(e, nr_free);
	int largest = -1;

	for (unsigned int o = 0; o <= e->max_order; o++) {
		KT_EXPECT_EQ(t, buddy_pa_nr_free(&e->pa, o), nr_free[o]);
		if (nr_free[o])
			largest = (int)o;
	}
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&e->pa, e->max_order + 1), (size_t)0);
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&e->pa), free_pages);
	KT_EXPECT_EQ(t, buddy_pa_largest_free_order(&e->pa), largest);
	KT_EXPECT_TRUE(t, buddy_pa_check(&e->pa));
	return t->failures == before;
}

/* Allocate through the allocator and the model; NULL if it refused. */
static void *bt_alloc(struct ktest *t, struct bt_env *e, unsigned int order)
{
	uintptr_t p = (uintptr_t)buddy_pa_alloc(&e->pa, order);
	size_t n = (size_t)1 << order;

	if (!p)
		return NULL;
	KT_EXPECT_TRUE(t, IS_ALIGNED(p / PAGE_SIZE, (uintptr_t)n));
	KT_EXPECT_TRUE(t, p >= e->base && page_idx(e, p) + n <= e->npages);
	for (size_t i = 0; i < n && p >= e->base && page_idx(e, p) + n <= e->npages; i++)
		KT_EXPECT_EQ(t, e->shadow[page_idx(e, p) + i], (uint8_t)BT_FREE);
	if (p >= e->base && page_idx(e, p) + n <= e->npages)
		model_set(e, p, n, BT_USED);
	return (void *)p;
}

static void bt_free(struct ktest *t, struct bt_env *e, void *p, unsigned int order)
{
	KT_EXPECT_EQ(t, buddy_pa_free(&e->pa, p, order), 0);
	model_set(e, (uintptr_t)p, (size_t)1 << order, BT_FREE);
}

static void bt_release(struct ktest *t, struct bt_env *e, uintptr_t addr, size_t npages)
{
	KT_EXPECT_EQ(t, buddy_pa_release(&e->pa, addr, npages), 0);
	model_set(e, addr, npages, BT_FREE);
	/* Never page 0, whatever was asked. */
	if (addr == 0 && npages)
		e->shadow[page_idx(e, 0)] = BT_RESERVED;
}

/* Misuse the instance reported since it was made. */
static uint64_t bt_misuses(const struct bt_env *e)
{
	return mm_misuse_total() - e->misuse0;
}

/* A free that must be refused with @err, reported once, and change nothing. */
static void bt_misuse(struct ktest *t, struct bt_env *e, void *p, unsigned int order, int err)
{
	uint64_t misuse = bt_misuses(e);

	KT_EXPECT_EQ(t, buddy_pa_free(&e->pa, p, order), err);
	KT_EXPECT_EQ(t, bt_misuses(e), misuse + 1);
	bt_exact(t, e);
}

/* ---- set-up --------------------------------------------------------------- */

/* An instance over [base, base + npages) whose descriptors and model come
 * from page_alloc().  False if memory ran out. */
static bool bt_setup(struct bt_env *e, uintptr_t base, size_t npages, unsigned int max_order)
{
	size_t meta = npages * sizeof(struct page);

	e->aux_pages = (meta + npages + PAGE_SIZE - 1) / PAGE_SIZE;
	e->aux = page_alloc(e->aux_pages, __GFP_ZERO);	/* struct page flags start clear */
	if (!e->aux)
		return false;
	e->base = base;
	e->npages = npages;
	e->max_order = max_order;
	e->shadow = (uint8_t *)e->aux + meta;
	memset(e->shadow, BT_RESERVED, npages);
	e->block = ALIGN_UP(base / PAGE_SIZE, (uintptr_t)1 << BT_ORDER) * PAGE_SIZE;
	buddy_pa_init(&e->pa, base, npages, max_order, e->aux);
	e->misuse0 = mm_misuse_total();
	return true;
}

static void bt_teardown(struct bt_env *e)
{
	if (e->aux)
		page_free(e->aux, e->aux_pages);
	if (e->backing)
		page_free(e->backing, e->backing_pages);
	memset(e, 0, sizeof(*e));
}

static void bt_init(struct ktest *t)
{
	uintptr_t base;

	memset(&env, 0, sizeof(env));
	memset(&big_env, 0, sizeof(big_env));
	env.backing_pages = 2 * BT_BLOCK - 1;
	env.backing = page_alloc(env.backing_pages, 0);
	/* Five pages past an aligned frame: unaligned for every order. */
	base = env.backing ? (uintptr_t)env.backing : ((uintptr_t)1 << 39) + 5 * PAGE_SIZE;
	if (!bt_setup(&env, base, 2 * BT_BLOCK - 1, BT_ORDER)) {
		bt_teardown(&env);
		KT_SKIP(t, "page_alloc() cannot provide the test instance's metadata");
	}
}

static void bt_exit(struct ktest *t)
{
	(void)t;
	bt_teardown(&env);
	bt_teardown(&big_env);
}

/* ---- cases ---------------------------------------------------------------- */

/* All pages start reserved: nothing to allocate, nothing to free. */
static void buddy_starts_reserved(struct ktest *t)
{
	struct buddy_pa *pa = &env.pa;

	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, buddy_pa_free_pages(pa), (size_t)0);
	KT_EXPECT_EQ(t, buddy_pa_largest_free_order(pa), -1);
	KT_EXPECT_NULL(t, buddy_pa_alloc(pa, 0));
	KT_EXPECT_TRUE(t, buddy_pa_owns(pa, (void *)env.base));
	KT_EXPECT_TRUE(t, buddy_pa_owns(pa, (void *)(env.base + env.npages * PAGE_SIZE - 1)));
	KT_EXPECT_FALSE(t, buddy_pa_owns(pa, (void *)(env.base + env.npages * PAGE_SIZE)));
	KT_EXPECT_FALSE(t, buddy_pa_owns(pa, (void *)(env.base - 1)));
}

/* An aligned range of 2^max_order pages becomes one block. */
static void buddy_release_aligned_block(struct ktest *t)
{
	bt_release(t, &env, env.block, BT_BLOCK);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)1);
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&env.pa), BT_BLOCK);
	KT_EXPECT_EQ(t, buddy_pa_largest_free_order(&env.pa), (int)BT_ORDER);
}

/* Splitting to each order leaves one free block at every order above it;
 * freeing merges all the way back. */
static void buddy_split_merge_every_order(struct ktest *t)
{
	bt_release(t, &env, env.block, BT_BLOCK);
	for (unsigned int o = 0; o <= BT_ORDER; o++) {
		void *p = bt_alloc(t, &env, o);

		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_TRUE(t, (uintptr_t)p >= env.block &&
				  (uintptr_t)p < env.block + BT_BLOCK * PAGE_SIZE);
		for (unsigned int k = 0; k <= BT_ORDER; k++)
			KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, k),
				     (size_t)(k >= o && k < BT_ORDER));
		KT_ASSERT_TRUE(t, bt_exact(t, &env));
		bt_free(t, &env, p, o);
		KT_ASSERT_TRUE(t, bt_exact(t, &env));
		KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)1);
	}
}

/* Fill the block with blocks of one order, then free them out of order;
 * the lists are exact after every step. */
static void buddy_fill_and_drain_each_order(struct ktest *t)
{
	void *blocks[BT_BLOCK];

	bt_release(t, &env, env.block, BT_BLOCK);
	for (unsigned int o = 0; o <= BT_ORDER; o++) {
		size_t n = BT_BLOCK >> o;

		for (size_t i = 0; i < n; i++) {
			blocks[i] = bt_alloc(t, &env, o);
			KT_ASSERT_NOT_NULL(t, blocks[i]);
			KT_ASSERT_TRUE(t, bt_exact(t, &env));
		}
		KT_EXPECT_NULL(t, buddy_pa_alloc(&env.pa, o));
		/* Odd ones first: nothing can merge until the even ones go. */
		for (size_t i = 1; i < n; i += 2) {
			bt_free(t, &env, blocks[i], o);
			KT_ASSERT_TRUE(t, bt_exact(t, &env));
		}
		for (size_t i = 0; i < n; i += 2) {
			bt_free(t, &env, blocks[i], o);
			KT_ASSERT_TRUE(t, bt_exact(t, &env));
		}
		KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)1);
	}
}

/* Running out is a counted failure, never a panic, and fully recoverable. */
static void buddy_exhaustion_and_recovery(struct ktest *t)
{
	void *pages[BT_BLOCK];
	size_t n = 0;
	void *p;

	bt_release(t, &env, env.block, BT_BLOCK);
	while (n < BT_BLOCK && (p = bt_alloc(t, &env, 0)) != NULL)
		pages[n++] = p;
	KT_ASSERT_EQ(t, n, BT_BLOCK);
	KT_EXPECT_NULL(t, buddy_pa_alloc(&env.pa, 0));
	KT_EXPECT_NULL(t, buddy_pa_alloc(&env.pa, 1));
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&env.pa), (size_t)0);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));

	/* Free from both ends towards the middle. */
	for (size_t i = 0; i < n / 2; i++) {
		bt_free(t, &env, pages[i], 0);
		bt_free(t, &env, pages[n - 1 - i], 0);
	}
	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)1);

	/* Above the max order never succeeds; at the max order exactly once. */
	KT_EXPECT_NULL(t, buddy_pa_alloc(&env.pa, BT_ORDER + 1));
	p = bt_alloc(t, &env, BT_ORDER);
	KT_ASSERT_PTR_EQ(t, p, (void *)env.block);
	KT_EXPECT_NULL(t, buddy_pa_alloc(&env.pa, 0));
	bt_free(t, &env, p, BT_ORDER);
	KT_EXPECT_TRUE(t, bt_exact(t, &env));
}

/* Ranges that are not aligned to anything are cut into aligned blocks and
 * merge as their neighbours arrive. */
static void buddy_release_unaligned_ranges(struct ktest *t)
{
	uintptr_t end = env.base + env.npages * PAGE_SIZE;

	bt_release(t, &env, env.block + PAGE_SIZE, BT_BLOCK - 4);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	/* Page 0 of the block was missing: only order-0 pieces at the left. */
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)0);
	bt_release(t, &env, env.block + (BT_BLOCK - 3) * PAGE_SIZE, 3);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	bt_release(t, &env, env.block, 1);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)1);

	/* What lies before and after the block, whatever its alignment. */
	if (env.block > env.base) {
		bt_release(t, &env, env.base, page_idx(&env, env.block));
		KT_ASSERT_TRUE(t, bt_exact(t, &env));
	}
	if (env.block + BT_BLOCK * PAGE_SIZE < end) {
		uintptr_t tail = env.block + BT_BLOCK * PAGE_SIZE;

		bt_release(t, &env, tail, (end - tail) / PAGE_SIZE);
		KT_ASSERT_TRUE(t, bt_exact(t, &env));
	}
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&env.pa), env.npages);

	KT_EXPECT_EQ(t, buddy_pa_largest_free_run(&env.pa), env.npages);
}

/* A release that is not page aligned, not inside the instance, or covers a
 * page released already is refused whole. */
static void buddy_release_is_checked(struct ktest *t)
{
	uintptr_t end = env.base + env.npages * PAGE_SIZE;
	uint64_t misuse = bt_misuses(&env);

	KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, env.block + PAGE_SIZE / 2, 2), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, env.base - 4 * PAGE_SIZE, 5), KERR_RANGE);
	KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, env.base, env.npages + 1), KERR_RANGE);
	KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, end - PAGE_SIZE, 2), KERR_RANGE);
	KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, end, 1), KERR_RANGE);
	KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, end + 8 * PAGE_SIZE, 8), KERR_RANGE);
	KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, env.block, 0), 0);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&env.pa), (size_t)0);
	KT_EXPECT_EQ(t, bt_misuses(&env), misuse);

	bt_release(t, &env, end - PAGE_SIZE, 1);
	bt_release(t, &env, env.block + PAGE_SIZE, 1);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));
	if (!MM_MISUSE_PANICS) {
		/* Overlaps a released page: none of the four is released. */
		KT_EXPECT_EQ(t, buddy_pa_release(&env.pa, env.block, 4), KERR_DOUBLE_FREE);
		KT_EXPECT_EQ(t, bt_misuses(&env), misuse + 1);
		KT_EXPECT_TRUE(t, bt_exact(t, &env));
	}
	bt_release(t, &env, env.block, 1);
	bt_release(t, &env, env.block + 2 * PAGE_SIZE, 2);
	KT_EXPECT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, 2), (size_t)1);
}

/* NULL means failure, so the page at address 0 is never handed out.  (The
 * instance never touches its pages: a range at 0 is only numbers.) */
static void buddy_never_hands_out_page_zero(struct ktest *t)
{
	size_t n = 0;

	if (!bt_setup(&big_env, 0, 16, 3))
		KT_SKIP(t, "no memory for the instance's metadata");
	bt_release(t, &big_env, 0, 16);
	KT_ASSERT_TRUE(t, bt_exact(t, &big_env));
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&big_env.pa), (size_t)15);
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&big_env.pa, 3), (size_t)1);
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&big_env.pa, 0), (size_t)1);
	while (n < 16 && bt_alloc(t, &big_env, 0))
		n++;
	KT_EXPECT_EQ(t, n, (size_t)15);
	KT_EXPECT_TRUE(t, bt_exact(t, &big_env));
}


static bool bt_flagged_movable(const struct page *head)
{
	return head->flags & PG_MOVABLE;
}

static size_t pageblock_at(uintptr_t a)
{
	return (a / PAGE_SIZE) >> 3;
}

/*
 * Migrate types: with max order 3 a pageblock is 8 pages.  Over 32 pages
 * at 0, page 0 is never managed, so pageblock 0 is unmovable fragments and
 * pageblocks 1-3 are whole.  Movable pages take a whole pageblock of their
 * own and stay in it; unmovable ones stay in pageblock 0 while it has
 * room, then take whole pageblocks, and steal from the movable pageblock
 * only when nothing else is left.  The range query counts the movable
 * pages of a pageblock and refuses one holding anything else.
 */
static void buddy_migrate_types_group_pages(struct ktest *t)
{
	static uint8_t types[8];
	struct buddy_pa *pa = &big_env.pa;
	uintptr_t u, m, m2, x;
	size_t mb;

	if (!bt_setup(&big_env, 0, 32, 3))
		KT_SKIP(t, "no memory for the instance's metadata");
	KT_ASSERT_LE(t, buddy_pa_types_size(32, 3), sizeof(types));
	buddy_pa_set_types(pa, types);
	bt_release(t, &big_env, 0, 32);
	KT_EXPECT_EQ(t, buddy_pa_nr_free(pa, 3), (size_t)3);

	u = (uintptr_t)buddy_pa_alloc_type(pa, 0, BUDDY_UNMOVABLE);
	KT_EXPECT_EQ(t, pageblock_at(u), 0u);
	m = (uintptr_t)buddy_pa_alloc_type(pa, 0, BUDDY_MOVABLE);
	KT_ASSERT_TRUE(t, m != 0);
	mb = pageblock_at(m);
	KT_EXPECT_NE(t, mb, 0u);
	KT_EXPECT_EQ(t, buddy_pa_nr_free(pa, 3), (size_t)2);
	m2 = (uintptr_t)buddy_pa_alloc_type(pa, 0, BUDDY_MOVABLE);
	KT_EXPECT_EQ(t, pageblock_at(m2), mb);
	x = (uintptr_t)buddy_pa_alloc_type(pa, 0, BUDDY_UNMOVABLE);
	KT_EXPECT_EQ(t, pageblock_at(x), 0u);
	KT_EXPECT_TRUE(t, buddy_pa_check(pa));

	/* The movable pageblock: two pages to move, once they are marked movable. */
	KT_EXPECT_EQ(t, buddy_pa_range_movable(pa, mb * 8 * PAGE_SIZE, 8, bt_flagged_movable),
		     SIZE_MAX);
	pa->map[m / PAGE_SIZE].flags |= PG_MOVABLE;
	pa->map[m2 / PAGE_SIZE].flags |= PG_MOVABLE;
	KT_EXPECT_EQ(t, buddy_pa_range_movable(pa, mb * 8 * PAGE_SIZE, 8, bt_flagged_movable),
		     (size_t)2);
	KT_EXPECT_EQ(t, buddy_pa_range_movable(pa, 0, 8, bt_flagged_movable), SIZE_MAX);

	/* Unmovable pages fill pageblock 0 and the whole ones, then steal. */
	for (unsigned int i = 0; i < 5 + 16; i++)
		KT_EXPECT_TRUE(t, buddy_pa_alloc_type(pa, 0, BUDDY_UNMOVABLE) != NULL);
	KT_EXPECT_EQ(t, buddy_pa_nr_free(pa, 3), (size_t)0);
	x = (uintptr_t)buddy_pa_alloc_type(pa, 0, BUDDY_UNMOVABLE);
	KT_EXPECT_EQ(t, pageblock_at(x), mb);
	KT_EXPECT_EQ(t, buddy_pa_range_movable(pa, mb * 8 * PAGE_SIZE, 8, bt_flagged_movable),
		     SIZE_MAX);
	KT_EXPECT_TRUE(t, buddy_pa_check(pa));
	pa->map[m / PAGE_SIZE].flags = 0;
	pa->map[m2 / PAGE_SIZE].flags = 0;
}

/* Each misuse is reported with its own error and leaves the allocator
 * exact and usable. */
static void buddy_misuse_is_refused(struct ktest *t)
{
	uintptr_t reserved = env.block > env.base ? env.base : env.block + BT_BLOCK * PAGE_SIZE;
	char *p, *q, *r;

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "misuse panics (CONFIG_MM_PANIC_ON_MISUSE)");
	bt_release(t, &env, env.block, BT_BLOCK);
	p = bt_alloc(t, &env, 2);
	q = bt_alloc(t, &env, 0);
	r = bt_alloc(t, &env, 1);
	KT_ASSERT_TRUE(t, p && q && r);
	KT_ASSERT_TRUE(t, bt_exact(t, &env));

	bt_misuse(t, &env, p, 1, KERR_WRONG_SIZE);
	bt_misuse(t, &env, p, 3, KERR_WRONG_SIZE);
	bt_misuse(t, &env, p, BT_ORDER + 5, KERR_WRONG_SIZE);
	bt_misuse(t, &env, p + PAGE_SIZE, 2, KERR_BAD_PTR);      /* interior */
	bt_misuse(t, &env, p + PAGE_SIZE, 0, KERR_BAD_PTR);
	bt_misuse(t, &env, p + 8, 2, KERR_BAD_PTR);              /* misaligned */
	bt_misuse(t, &env, (char *)env.base - PAGE_SIZE, 0, KERR_RANGE);
	bt_misuse(t, &env, (char *)(env.base + env.npages * PAGE_SIZE), 0, KERR_RANGE);
	bt_misuse(t, &env, (char *)&env, 0, KERR_RANGE);          /* foreign */
	bt_misuse(t, &env, NULL, 0, KERR_RANGE);
	bt_misuse(t, &env, (char *)reserved, 0, KERR_RANGE);     /* never released */

	bt_free(t, &env, q, 0);
	bt_misuse(t, &env, q, 0, KERR_DOUBLE_FREE);
	bt_free(t, &env, r, 1);
	bt_misuse(t, &env, r, 1, KERR_DOUBLE_FREE);
	bt_free(t, &env, p, 2);
	/* Merged into one block by now: its pages are tails of a free block. */
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)1);
	bt_misuse(t, &env, p, 2, KERR_DOUBLE_FREE);
	bt_misuse(t, &env, r, 1, KERR_DOUBLE_FREE);
	bt_misuse(t, &env, (char *)env.block + 3 * PAGE_SIZE, 0, KERR_DOUBLE_FREE);

	/* Still fully usable. */
	p = bt_alloc(t, &env, BT_ORDER);
	KT_EXPECT_PTR_EQ(t, p, (char *)env.block);
	if (p)
		bt_free(t, &env, p, BT_ORDER);
	KT_EXPECT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, bt_misuses(&env), (uint64_t)16);
}

/* Any number of pages: taken from the next power of two, the rest given
 * back at once; freed with the same count. */
static void buddy_alloc_exact_sizes(struct ktest *t)
{
	bt_release(t, &env, env.block, BT_BLOCK);
	KT_EXPECT_NULL(t, buddy_pa_alloc_exact(&env.pa, 0));
	KT_EXPECT_NULL(t, buddy_pa_alloc_exact(&env.pa, BT_BLOCK + 1));
	for (size_t n = 1; n <= BT_BLOCK; n++) {
		size_t pow2 = 1;
		uint64_t misuse = bt_misuses(&env);
		char *p = buddy_pa_alloc_exact(&env.pa, n);

		while (pow2 < n)
			pow2 <<= 1;
		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_TRUE(t, IS_ALIGNED((uintptr_t)p / PAGE_SIZE, (uintptr_t)pow2));
		model_set(&env, (uintptr_t)p, n, BT_USED);
		KT_ASSERT_TRUE(t, bt_exact(t, &env));
		KT_EXPECT_EQ(t, buddy_pa_free_pages(&env.pa), BT_BLOCK - n);
		if (!MM_MISUSE_PANICS && n < BT_BLOCK) {
			KT_EXPECT_EQ(t, buddy_pa_free_exact(&env.pa, p, n + 1), KERR_WRONG_SIZE);
			KT_EXPECT_EQ(t, bt_misuses(&env), misuse + 1);
		}
		if (!MM_MISUSE_PANICS && n > 1) {
			KT_EXPECT_EQ(t, buddy_pa_free_exact(&env.pa, p + PAGE_SIZE, n - 1),
				     KERR_BAD_PTR);
		}
		KT_ASSERT_TRUE(t, bt_exact(t, &env));
		KT_EXPECT_EQ(t, buddy_pa_free_exact(&env.pa, p, n), 0);
		model_set(&env, (uintptr_t)p, n, BT_FREE);
		KT_ASSERT_TRUE(t, bt_exact(t, &env));
		if (!MM_MISUSE_PANICS)
			KT_EXPECT_EQ(t, buddy_pa_free_exact(&env.pa, p, n), KERR_DOUBLE_FREE);
	}
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, BT_ORDER), (size_t)1);
}

/* The queries say what the model says; allocation heads record their length. */
static void buddy_stats_match(struct ktest *t)
{
	size_t nr_free[BUDDY_ORDER_LIMIT + 1], run = 0, longest = 0;
	unsigned int big = 3 < BT_ORDER ? 3 : 0;
	void *a, *b, *c;

	bt_release(t, &env, env.base, env.npages);
	a = bt_alloc(t, &env, big);
	b = bt_alloc(t, &env, 0);
	c = buddy_pa_alloc_exact(&env.pa, 3);
	KT_ASSERT_TRUE(t, a && b && c);
	model_set(&env, (uintptr_t)c, 3, BT_USED);
	bt_free(t, &env, b, 0);
	for (size_t i = 0; i < env.npages; i++) {
		run = env.shadow[i] == BT_FREE ? run + 1 : 0;
		longest = MAX(longest, run);
	}
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&env.pa), model_nr_free(&env, nr_free));
	for (unsigned int o = 0; o <= BT_ORDER; o++)
		KT_EXPECT_EQ(t, buddy_pa_nr_free(&env.pa, o), nr_free[o]);
	KT_EXPECT_EQ(t, env.pa.managed_pages, env.npages);
	KT_EXPECT_EQ(t, buddy_pa_largest_free_run(&env.pa), longest);
	/* The heads say how long each allocation is; its other blocks say 0. */
	KT_EXPECT_EQ(t, env.pa.map[page_idx(&env, (uintptr_t)a)].npages, (uint32_t)1 << big);
	KT_EXPECT_EQ(t, env.pa.map[page_idx(&env, (uintptr_t)c)].npages, 3u);
	KT_EXPECT_EQ(t, env.pa.map[page_idx(&env, (uintptr_t)c) + 2].npages, 0u);
	KT_EXPECT_EQ(t, env.pa.map[page_idx(&env, (uintptr_t)c) + 2].pa_state, PA_ALLOC);
	/* A later block's head is inside the allocation, not a block of its own to free. */
	if (!MM_MISUSE_PANICS)
		bt_misuse(t, &env, (char *)c + 2 * PAGE_SIZE, 0, KERR_BAD_PTR);
	KT_EXPECT_EQ(t, buddy_pa_free_exact(&env.pa, c, 3), 0);
	model_set(&env, (uintptr_t)c, 3, BT_FREE);
	bt_free(t, &env, a, big);
	KT_EXPECT_TRUE(t, bt_exact(t, &env));
}

/* A long random mix of allocations and frees against the model. */
static void buddy_random_against_model(struct ktest *t)
{
	struct { void *p; size_t n; bool exact; unsigned int order; } live[48];
	uint32_t rng = 12345;
	size_t nlive = 0;

	bt_release(t, &env, env.base, env.npages);
	for (unsigned int step = 0; step < 4000; step++) {
		rng = rng * 1103515245u + 12345u;
		if (nlive < ARRAY_SIZE(live) && ((rng >> 16) % 3 != 0 || nlive == 0)) {
			unsigned int order = (rng >> 20) % (BT_ORDER + 1);
			bool exact = (rng >> 8) & 1;
			size_t n = exact ? 1 + (rng >> 24) % ((size_t)1 << order) : (size_t)1 << order;
			void *p = exact ? buddy_pa_alloc_exact(&env.pa, n) : bt_alloc(t, &env, order);

			if (!p)
				continue;
			if (exact) {
				for (size_t i = 0; i < n; i++)
					KT_EXPECT_EQ(t, env.shadow[page_idx(&env, (uintptr_t)p) + i],
						     (uint8_t)BT_FREE);
				model_set(&env, (uintptr_t)p, n, BT_USED);
			}
			live[nlive].p = p;
			live[nlive].n = n;
			live[nlive].exact = exact;
			live[nlive].order = order;
			nlive++;
		} else {
			size_t k = (rng >> 12) % nlive;

			if (live[k].exact) {
				KT_EXPECT_EQ(t, buddy_pa_free_exact(&env.pa, live[k].p, live[k].n), 0);
				model_set(&env, (uintptr_t)live[k].p, live[k].n, BT_FREE);
			} else {
				bt_free(t, &env, live[k].p, live[k].order);
			}
			live[k] = live[--nlive];
		}
		if (step % 8 == 0)
			KT_ASSERT_TRUE(t, bt_exact(t, &env));
	}
	while (nlive) {
		nlive--;
		if (live[nlive].exact) {
			KT_EXPECT_EQ(t, buddy_pa_free_exact(&env.pa, live[nlive].p, live[nlive].n), 0);
			model_set(&env, (uintptr_t)live[nlive].p, live[nlive].n, BT_FREE);
		} else {
			bt_free(t, &env, live[nlive].p, live[nlive].order);
		}
	}
	KT_EXPECT_TRUE(t, bt_exact(t, &env));
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&env.pa), env.npages);
	KT_EXPECT_EQ(t, bt_misuses(&env), (uint64_t)0);
}

/*
 * The kernel's own max order, on an instance whose pages are never touched:
 * the allocator keeps everything in its metadata, so the range only has to
 * be addresses (here, far above RAM).  Starts three pages past an aligned
 * frame, so the edges are unaligned.
 */
static void buddy_kernel_max_order(struct ktest *t)
{
	size_t max_block = (size_t)1 << CONFIG_BUDDY_MAX_ORDER;
	uintptr_t base = ((uintptr_t)1 << 38) + 3 * PAGE_SIZE;
	void *p;

	if (!bt_setup(&big_env, base, 3 * max_block, CONFIG_BUDDY_MAX_ORDER))
		KT_SKIP(t, "no memory for the metadata of a max-order instance");
	bt_release(t, &big_env, base, big_env.npages);
	KT_ASSERT_TRUE(t, bt_exact(t, &big_env));
	KT_EXPECT_EQ(t, buddy_pa_nr_free(&big_env.pa, CONFIG_BUDDY_MAX_ORDER), (size_t)2);

	/* Splitting a max-order block for one page leaves one block per order. */
	p = bt_alloc(t, &big_env, 0);
	KT_ASSERT_NOT_NULL(t, p);
	KT_ASSERT_TRUE(t, bt_exact(t, &big_env));
	for (unsigned int o = 0; o <= CONFIG_BUDDY_MAX_ORDER; o++) {
		void *q = bt_alloc(t, &big_env, o);

		KT_ASSERT_NOT_NULL(t, q);
		KT_ASSERT_TRUE(t, bt_exact(t, &big_env));
		bt_free(t, &big_env, q, o);
		KT_ASSERT_TRUE(t, bt_exact(t, &big_env));
	}
	bt_free(t, &big_env, p, 0);
	KT_EXPECT_TRUE(t, bt_exact(t, &big_env));
	KT_EXPECT_EQ(t, buddy_pa_free_pages(&big_env.pa), big_env.npages);
	KT_EXPECT_NULL(t, buddy_pa_alloc(&big_env.pa, CONFIG_BUDDY_MAX_ORDER + 1));
}

static const struct ktest_case buddy_pa_cases[] = {
	KTEST_CASE(buddy_starts_reserved),
	KTEST_CASE(buddy_release_aligned_block),
	KTEST_CASE(buddy_split_merge_every_order),
	KTEST_CASE(buddy_fill_and_drain_each_order),
	KTEST_CASE(buddy_exhaustion_and_recovery),
	KTEST_CASE(buddy_release_unaligned_ranges),
	KTEST_CASE(buddy_release_is_checked),
	KTEST_CASE(buddy_never_hands_out_page_zero),
	KTEST_CASE(buddy_migrate_types_group_pages),
	KTEST_CASE(buddy_misuse_is_refused),
	KTEST_CASE(buddy_alloc_exact_sizes),
	KTEST_CASE(buddy_stats_match),
	KTEST_CASE(buddy_random_against_model),
	KTEST_CASE(buddy_kernel_max_order),
	{0},
};

KTEST_SUITE_WITH_HOOKS(buddy_pa, buddy_pa_cases, bt_init, bt_exit);
