/*
 * zstore_test.c - the compressed page store (core/mm/zstore*.c): round
 * trips, same-filled and incompressible pages, slots in zspages, a
 * damaged block refused, the store full, bad and doubly freed handles,
 * and the swappable pages: the pressure trigger, the gain, clean drops
 * and the cache, the tick's background compression.
 *
 * Page contents are generated here from a seed, and checked against the
 * same generator; what a case expects of the figures comes from the
 * configuration (the limit, the trigger) and from the counts the case
 * itself made.  Cases that fill memory hold it in held_pages records,
 * never writing into the pages they hold.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "held_pages.h"
#include "irq.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "lz4.h"
#include "mm.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "percpu.h"
#include "shrinker.h"
#include "zstore.h"

/* Blocks of 2^FILL_ORDER pages fill memory quickly; single pages finish it. */
#define FILL_ORDER 6u

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

enum kind { TEXT, SPARSE, HALF_RANDOM, RANDOM, ZERO, WORD };

/* A page of @kind from @seed: TEXT ~4x, SPARSE more, HALF_RANDOM ~1.6x, RANDOM not at all. */
static void fill_page(void *page, enum kind kind, uint64_t seed)
{
	static const char *const words[] = {
		"cold ", "pages ", "go ", "to ", "the ", "store ", "and ", "come ", "back ",
		"when ", "touched", ".\n", "zone ", "low ", "watermark ", "lz4 ",
	};
	uint8_t *p = page;
	uint64_t *w = page;
	size_t i = 0;

	rng = seed * 0x9e3779b97f4a7c15ull | 1;
	switch (kind) {
	case TEXT:
		while (i < PAGE_SIZE) {
			const char *s = words[rnd() % ARRAY_SIZE(words)];

			while (*s && i < PAGE_SIZE)
				p[i++] = (uint8_t)*s++;
		}
		break;
	case SPARSE:
		memset(p, 0, PAGE_SIZE);
		for (i = 0; i < PAGE_SIZE; i += 256)
			w[i / 8] = rnd();
		break;
	case HALF_RANDOM:
		memset(p, 0, PAGE_SIZE);
		for (i = 0; i < PAGE_SIZE * 5 / 8; i += 8)
			w[i / 8] = rnd();
		break;
	case RANDOM:
		for (i = 0; i < PAGE_SIZE / 8; i++)
			w[i] = rnd();
		break;
	case ZERO:
		memset(p, 0, PAGE_SIZE);
		break;
	case WORD:
		for (i = 0; i < PAGE_SIZE / 8; i++)
			w[i] = 0x5eed0000deadbeefull ^ seed;
		break;
	}
}

static bool page_is(const void *page, enum kind kind, uint64_t seed)
{
	static uint8_t want[PAGE_SIZE] __attribute__((aligned(8)));

	fill_page(want, kind, seed);
	return !memcmp(page, want, PAGE_SIZE);
}

static struct zstore_stats stats(void)
{
	struct zstore_stats st;

	zstore_get_stats(&st);
	return st;
}

/* Two pages of the case's own: a source and a destination. */
static void *src_page, *dst_page;

/*
 * How long the codec makes a page of @kind, at the configured
 * acceleration, given the store's room: the block's bytes, or KERR_NOSPC
 * when it would be longer than ZSTORE_MAX_OBJ (the store then rejects it).
 */
static int block_len(enum kind kind, uint64_t seed)
{
	static struct lz4_state st;
	static uint8_t blk[ZSTORE_MAX_OBJ];

	fill_page(src_page, kind, seed);
	return lz4_compress(src_page, PAGE_SIZE, blk, sizeof(blk), CONFIG_ZSTORE_ACCELERATION, &st);
}

/*
 * The kind the swap cases use: text, or where the acceleration leaves
 * text nearly uncompressed, sparse records.  Both must come out at under
 * half a page for the cases' "fewer pages" to hold; none: they skip.
 */
static enum kind compressible;
static bool have_compressible;

static void pick_compressible(void)
{
	static const enum kind order[] = { TEXT, SPARSE };

	have_compressible = false;
	for (size_t i = 0; i < ARRAY_SIZE(order) && !have_compressible; i++) {
		int len = block_len(order[i], 1000);

		if (len > 0 && (size_t)len <= PAGE_SIZE / 2) {
			compressible = order[i];
			have_compressible = true;
		}
	}
}

#define NEED_COMPRESSIBLE(t)                                                                \
	do {                                                                                 \
		if (!have_compressible)                                                      \
			KT_SKIP(t, "at this ZSTORE_ACCELERATION neither text nor sparse pages "  \
				   "compress to half a page");                                   \
	} while (0)

static void case_init(struct ktest *t)
{
	src_page = page_alloc(1, GFP_KERNEL);
	dst_page = page_alloc(1, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, src_page);
	KT_EXPECT_NOT_NULL(t, dst_page);
	if (src_page)
		pick_compressible();
}

static void case_exit(struct ktest *t)
{
	KT_EXPECT_EQ(t, page_free(src_page, 1), KERR_OK);
	KT_EXPECT_EQ(t, page_free(dst_page, 1), KERR_OK);
}

/* ---- the store ------------------------------------------------------------------ */

static void every_kind_round_trips(struct ktest *t)
{
	static const enum kind kinds[] = { TEXT, SPARSE, HALF_RANDOM, ZERO, WORD, RANDOM };

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (uint64_t seed = 1; seed <= 4; seed++) {
			zs_handle_t h = 0;
			bool same = kinds[k] == ZERO || kinds[k] == WORD;
			int len = block_len(kinds[k], seed);

#ifndef CONFIG_ZSTORE_SAME_FILLED
			same = false;
#endif
			if (!same && len < 0) {
				/* Longer than the largest slot: rejected, the page kept as it is. */
				KT_EXPECT_EQ(t, zstore_store(src_page, &h), KERR_NOSPC);
				KT_EXPECT_TRUE(t, page_is(src_page, kinds[k], seed));
				continue;
			}
			KT_ASSERT_EQ(t, zstore_store(src_page, &h), KERR_OK);
			KT_EXPECT_NE(t, h, (zs_handle_t)0);
			memset(dst_page, 0xa5, PAGE_SIZE);
			KT_EXPECT_EQ(t, zstore_load(h, dst_page), KERR_OK);
			KT_EXPECT_TRUE(t, page_is(dst_page, kinds[k], seed));
			/* A second load (from the cache, for a block) gives the same page. */
			memset(dst_page, 0x5a, PAGE_SIZE);
			KT_EXPECT_EQ(t, zstore_load(h, dst_page), KERR_OK);
			KT_EXPECT_TRUE(t, page_is(dst_page, kinds[k], seed));
			KT_EXPECT_EQ(t, zstore_free(h), KERR_OK);
		}
	}
}

static void same_filled_pages_take_no_slot(struct ktest *t)
{
	struct zstore_stats s0, s1;
	struct zstore_obj obj;
	zs_handle_t h;

#ifndef CONFIG_ZSTORE_SAME_FILLED
	KT_SKIP(t, "ZSTORE_SAME_FILLED is off: same-filled pages are compressed like any");
#endif
	s0 = stats();
	fill_page(src_page, WORD, 7);
	KT_ASSERT_EQ(t, zstore_store(src_page, &h), KERR_OK);
	s1 = stats();
	KT_EXPECT_EQ(t, s1.same_filled, s0.same_filled + 1);
	KT_EXPECT_EQ(t, s1.stored, s0.stored + 1);
	KT_EXPECT_EQ(t, s1.compressed_bytes, s0.compressed_bytes);
	KT_EXPECT_EQ(t, s1.zspage_pages, s0.zspage_pages);
	KT_ASSERT_EQ(t, zstore_map(h, &obj), KERR_OK);
	zstore_unmap(h);
	KT_EXPECT_TRUE(t, obj.same_filled);
	KT_EXPECT_EQ(t, obj.fill, 0x5eed0000deadbeefull ^ 7);
	KT_EXPECT_EQ(t, obj.len, (size_t)0);
	KT_EXPECT_EQ(t, zstore_free(h), KERR_OK);
	KT_EXPECT_EQ(t, stats().same_filled, s0.same_filled);
}

static void incompressible_page_is_rejected_and_counted(struct ktest *t)
{
	struct zstore_stats s0 = stats(), s1;
	zs_handle_t h = 0;

	fill_page(src_page, RANDOM, 3);
	KT_EXPECT_EQ(t, zstore_store(src_page, &h), KERR_NOSPC);
	KT_EXPECT_EQ(t, h, (zs_handle_t)0);
	s1 = stats();
	KT_EXPECT_EQ(t, s1.rejected, s0.rejected + 1);
	KT_EXPECT_EQ(t, s1.stored, s0.stored);
	/* The page is as it was: the caller keeps it. */
	KT_EXPECT_TRUE(t, page_is(src_page, RANDOM, 3));
}

/* The mapped block is the LZ4 block of the page: it decodes to it. */
static void map_gives_the_block(struct ktest *t)
{
	static uint8_t out[PAGE_SIZE];
	struct zstore_stats s0 = stats();
	struct zstore_obj obj;
	zs_handle_t h;

	NEED_COMPRESSIBLE(t);

	fill_page(src_page, compressible, 11);
	KT_ASSERT_EQ(t, zstore_store(src_page, &h), KERR_OK);
	KT_ASSERT_EQ(t, zstore_map(h, &obj), KERR_OK);
	KT_EXPECT_FALSE(t, obj.same_filled);
	KT_EXPECT_GT(t, obj.len, (size_t)0);
	KT_EXPECT_LE(t, obj.len, (size_t)ZSTORE_MAX_OBJ);
	KT_EXPECT_EQ(t, lz4_decompress(obj.data, obj.len, out, sizeof(out)), (int)PAGE_SIZE);
	/* Nothing else of the store while mapped: it is locked. */
	zstore_unmap(h);
	KT_EXPECT_EQ(t, stats().compressed_bytes, s0.compressed_bytes + obj.len);
	KT_EXPECT_TRUE(t, page_is(out, compressible, 11));
	KT_EXPECT_EQ(t, zstore_free(h), KERR_OK);
}

/* Blocks of one class pack into zspages: many pages in few. */
static void slots_pack_into_zspages(struct ktest *t)
{
	enum { N = 64 };
	static zs_handle_t h[N];
	struct zstore_stats s0 = stats(), s1;
	size_t pages;

	NEED_COMPRESSIBLE(t);

	for (size_t i = 0; i < N; i++) {
		fill_page(src_page, compressible, 100 + i);
		KT_ASSERT_EQ(t, zstore_store(src_page, &h[i]), KERR_OK);
	}
	s1 = stats();
	pages = s1.zspage_pages - s0.zspage_pages;
	/* The generator's text compresses near 2x: 64 pages fit in under 48 pages of slots. */
	KT_EXPECT_LT(t, pages, (size_t)N * 3 / 4);
	KT_EXPECT_GE(t, pages * PAGE_SIZE, s1.slot_bytes - s0.slot_bytes);
	KT_EXPECT_GT(t, pages, (size_t)0);
	KT_EXPECT_GE(t, s1.slot_bytes - s0.slot_bytes, s1.compressed_bytes - s0.compressed_bytes);
	KT_EXPECT_LE(t, s1.slot_bytes - s0.slot_bytes, pages * PAGE_SIZE);
	KT_EXPECT_GT(t, zstore_ratio_x100(&s1), 150u);
	for (size_t i = 0; i < N; i++) {
		KT_EXPECT_EQ(t, zstore_load(h[i], dst_page), KERR_OK);
		KT_EXPECT_TRUE(t, page_is(dst_page, compressible, 100 + i));
	}
	for (size_t i = 0; i < N; i++)
		KT_EXPECT_EQ(t, zstore_free(h[i]), KERR_OK);
	/* Empty zspages go back (to the reserve first). */
	KT_EXPECT_EQ(t, stats().zspage_pages, s0.zspage_pages);
}

/*
 * Tiny blocks: a zero page but for its first byte (not same-filled)
 * compresses to under 32 bytes, the smallest class, whose zspage holds
 * ZSTORE_ZSPAGE_MAX_OBJS slots.  More than two zspages' worth, freed out
 * of order, empties them all.
 */
static void small_blocks_fill_zspages(struct ktest *t)
{
	enum { N = 2 * ZSTORE_ZSPAGE_MAX_OBJS + 17 };
	static zs_handle_t h[N];
	struct zstore_stats s0 = stats(), s1;
	uint8_t *b = src_page;
	static struct lz4_state st;
	static uint8_t blk[ZSTORE_MAX_OBJ];
	int len;

	memset(b, 0, PAGE_SIZE);
	b[0] = 1;
	len = lz4_compress(b, PAGE_SIZE, blk, sizeof(blk), CONFIG_ZSTORE_ACCELERATION, &st);
	if (len < 0 || len > (int)ZSTORE_ALIGN)
		KT_SKIP(t, "at this ZSTORE_ACCELERATION a nearly zero page takes more than the smallest slot");
	if (s0.limit_pages * ZSTORE_HANDLES_PER_PAGE < N + s0.stored)
		KT_SKIP(t, "ZSTORE_LIMIT_KB gives fewer handles than two full zspages of the smallest class");
	for (size_t i = 0; i < N; i++) {
		b[0] = (uint8_t)(1 + i % 255);
		KT_EXPECT_EQ(t, zstore_store(src_page, &h[i]), KERR_OK);
	}
	s1 = stats();
	KT_EXPECT_LE(t, (size_t)(s1.compressed_bytes - s0.compressed_bytes), (size_t)N * ZSTORE_ALIGN);
	KT_EXPECT_EQ(t, s1.zspage_pages - s0.zspage_pages, (size_t)3);
	/* Every third, then the rest: zspages leave and rejoin their class's list in the middle. */
	for (size_t start = 0; start < 3; start++) {
		for (size_t i = start; i < N; i += 3) {
			KT_EXPECT_EQ(t, zstore_load(h[i], dst_page), KERR_OK);
			KT_EXPECT_EQ(t, ((uint8_t *)dst_page)[0], (uint8_t)(1 + i % 255));
			KT_EXPECT_EQ(t, ((uint8_t *)dst_page)[PAGE_SIZE - 1], 0);
			KT_EXPECT_EQ(t, zstore_free(h[i]), KERR_OK);
		}
	}
	KT_EXPECT_EQ(t, stats().zspage_pages, s0.zspage_pages);
}

/* A damaged block never loads as a page: KERR_CORRUPT, counted. */
static void damaged_block_is_refused(struct ktest *t)
{
	struct zstore_stats s0 = stats();
	struct zstore_obj obj;
	zs_handle_t h;

	NEED_COMPRESSIBLE(t);

	fill_page(src_page, compressible, 21);
	KT_ASSERT_EQ(t, zstore_store(src_page, &h), KERR_OK);
	KT_ASSERT_EQ(t, zstore_map(h, &obj), KERR_OK);
	/*
	 * A first token announcing no literals and a 4-byte match: offset
	 * 0x0000 follows, which the decoder refuses.  The block sits in its
	 * slot (the first slot of a page never straddles), so the write lands.
	 */
	((uint8_t *)(uintptr_t)obj.data)[0] = 0x00;
	((uint8_t *)(uintptr_t)obj.data)[1] = 0x00;
	((uint8_t *)(uintptr_t)obj.data)[2] = 0x00;
	zstore_unmap(h);
	/* Not from the cache: the store was just written, nothing was loaded. */
	KT_EXPECT_EQ(t, zstore_load(h, dst_page), KERR_CORRUPT);
	KT_EXPECT_EQ(t, stats().corrupt, s0.corrupt + 1);
	KT_EXPECT_EQ(t, zstore_free(h), KERR_OK);
}

static void store_full_refuses_and_recovers(struct ktest *t)
{
	struct zstore_stats s0 = stats(), s1;
	size_t cap_pages = (s0.limit_pages * ZSTORE_HANDLES_PER_PAGE * sizeof(zs_handle_t) +
			    PAGE_SIZE - 1) / PAGE_SIZE;
	zs_handle_t *h = page_alloc(cap_pages, GFP_KERNEL | __GFP_NOWARN);
	size_t n = 0;
	int err = 0;

	if (!h)
		KT_SKIP(t, "no memory for the record of the handles of a full store");
	if (block_len(HALF_RANDOM, 0) < 0) {
		page_free(h, cap_pages);
		KT_SKIP(t, "at this ZSTORE_ACCELERATION half-random pages do not fit a slot");
	}
	/* Pages of ~2.5 KiB blocks: the limit's pages run out before the handles. */
	while (n < s0.limit_pages * ZSTORE_HANDLES_PER_PAGE) {
		fill_page(src_page, HALF_RANDOM, n);
		err = zstore_store(src_page, &h[n]);
		if (err)
			break;
		n++;
	}
	s1 = stats();
	KT_EXPECT_EQ(t, err, KERR_LIMIT);
	KT_EXPECT_EQ(t, s1.full, s0.full + 1);
	KT_EXPECT_LE(t, s1.zspage_pages + s1.reserve_pages, s1.limit_pages);
	/* Full means within one zspage (4 pages) of the limit. */
	KT_EXPECT_GT(t, s1.zspage_pages + s1.reserve_pages + ZSTORE_ZSPAGE_MAX_PAGES,
		     s1.limit_pages);
	KT_EXPECT_GT(t, n, s1.zspage_pages);          /* more pages stored than taken */
	/* Full, a cold page stays where it is: the shrink gives nothing and keeps it. */
	{
		struct zswap_page cold = { 0 };
		void *p = page_alloc(1, GFP_KERNEL | __GFP_NOWARN);

		if (p) {
			fill_page(p, HALF_RANDOM, n + 1);
			KT_EXPECT_EQ(t, zswap_add(&cold, p), KERR_OK);
			KT_EXPECT_EQ(t, zswap_shrink(1), (size_t)0);
			KT_EXPECT_EQ(t, cold.state, ZSWAP_RESIDENT);
			KT_EXPECT_EQ(t, zswap_remove(&cold), KERR_OK);
		}
	}
	/* Every page stored is still right; then all go and the store takes pages again. */
	for (size_t i = 0; i < n; i += 97) {
		KT_EXPECT_EQ(t, zstore_load(h[i], dst_page), KERR_OK);
		KT_EXPECT_TRUE(t, page_is(dst_page, HALF_RANDOM, i));
	}
	for (size_t i = 0; i < n; i++)
		KT_EXPECT_EQ(t, zstore_free(h[i]), KERR_OK);
	KT_EXPECT_EQ(t, stats().zspage_pages, s0.zspage_pages);
	fill_page(src_page, HALF_RANDOM, 0);
	KT_EXPECT_EQ(t, zstore_store(src_page, &h[0]), KERR_OK);
	KT_EXPECT_EQ(t, zstore_free(h[0]), KERR_OK);
	page_free(h, cap_pages);
}

/* Same-filled pages take a handle and nothing else: the handles run out first. */
static void handles_run_out(struct ktest *t)
{
	struct zstore_stats s0 = stats(), s1;
	/*
	 * The table has limit_pages * ZSTORE_HANDLES_PER_PAGE entries rounded
	 * up to whole pages of them: when the limit is not a multiple of a
	 * page of entries (randconfig seeds 1000-1002), more than that.
	 */
	size_t max = s0.limit_pages * ZSTORE_HANDLES_PER_PAGE;
	size_t room = s0.handles - s0.stored;
	size_t cap_pages = ((room + 1) * sizeof(zs_handle_t) + PAGE_SIZE - 1) / PAGE_SIZE;
	zs_handle_t *h;
	size_t n = 0;
	int err = 0;

#ifndef CONFIG_ZSTORE_SAME_FILLED
	KT_SKIP(t, "ZSTORE_SAME_FILLED is off: every page takes a slot");
#endif
	h = page_alloc(cap_pages, GFP_KERNEL | __GFP_NOWARN);
	if (!h)
		KT_SKIP(t, "no memory for the record of every handle");
	fill_page(src_page, ZERO, 0);
	while (n < room + 1 && !(err = zstore_store(src_page, &h[n])))
		n++;
	s1 = stats();
	KT_EXPECT_EQ(t, err, KERR_LIMIT);
	KT_EXPECT_EQ(t, s1.full, s0.full + 1);
	/* Every entry of the table was taken, and the table holds at least max. */
	KT_EXPECT_EQ(t, n, room);
	KT_EXPECT_GE(t, s0.handles, max);
	KT_EXPECT_EQ(t, s1.zspage_pages, s0.zspage_pages);
	for (size_t i = 0; i < n; i++)
		KT_EXPECT_EQ(t, zstore_free(h[i]), KERR_OK);
	page_free(h, cap_pages);
}

/* Handles that name nothing are refused, reported and counted; nothing changes. */
static void bad_handles_refused(struct ktest *t)
{
	struct zstore_stats s0, s1;
	struct zstore_obj obj;
	uint64_t misuse0 = mm_misuse_total();
	zs_handle_t h;

	NEED_COMPRESSIBLE(t);

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "MM_PANIC_ON_MISUSE: a reported misuse would stop the run");
	fill_page(src_page, compressible, 31);
	KT_ASSERT_EQ(t, zstore_store(src_page, &h), KERR_OK);
	s0 = stats();
	KT_EXPECT_EQ(t, zstore_free(0), KERR_BAD_PTR);
	/* Past the table, and a live index with the wrong generation. */
	KT_EXPECT_EQ(t, zstore_free(0xffffffffull), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, zstore_free(h ^ (1ull << 40)), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, zstore_map(h + (1ull << 32), &obj), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, zstore_load(h ^ (1ull << 33), dst_page), KERR_BAD_PTR);
	s1 = stats();
	KT_EXPECT_EQ(t, s1.misuse, s0.misuse + 5);
	KT_EXPECT_EQ(t, mm_misuse_total(), misuse0 + 5);
	KT_EXPECT_EQ(t, s1.stored, s0.stored);
	/* The real handle is untouched. */
	KT_EXPECT_EQ(t, zstore_load(h, dst_page), KERR_OK);
	KT_EXPECT_TRUE(t, page_is(dst_page, compressible, 31));
	KT_EXPECT_EQ(t, zstore_free(h), KERR_OK);
	KT_EXPECT_EQ(t, zstore_store(NULL, &h), KERR_INVAL);
	KT_EXPECT_EQ(t, zstore_store((uint8_t *)src_page + 8, &h), KERR_INVAL);
}

/* A second free of a handle is a double free; once its entry is reused, a stale handle. */
static void double_free_refused(struct ktest *t)
{
	struct zstore_stats s0;
	zs_handle_t h, again;

	NEED_COMPRESSIBLE(t);

	if (MM_MISUSE_PANICS)
		KT_SKIP(t, "MM_PANIC_ON_MISUSE: a reported misuse would stop the run");
	fill_page(src_page, compressible, 41);
	KT_ASSERT_EQ(t, zstore_store(src_page, &h), KERR_OK);
	KT_EXPECT_EQ(t, zstore_free(h), KERR_OK);
	s0 = stats();
	KT_EXPECT_EQ(t, zstore_free(h), KERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, zstore_load(h, dst_page), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, stats().misuse, s0.misuse + 2);
	KT_EXPECT_EQ(t, stats().stored, s0.stored);
	/* The entry is reused (last freed, first taken) under a new generation. */
	KT_ASSERT_EQ(t, zstore_store(src_page, &again), KERR_OK);
	KT_EXPECT_EQ(t, again & 0xffffffffu, h & 0xffffffffu);
	KT_EXPECT_NE(t, again, h);
	KT_EXPECT_EQ(t, zstore_free(h), KERR_BAD_PTR);
	KT_EXPECT_EQ(t, zstore_load(again, dst_page), KERR_OK);
	KT_EXPECT_TRUE(t, page_is(dst_page, compressible, 41));
	KT_EXPECT_EQ(t, zstore_free(again), KERR_OK);
}

/* ---- swappable pages -------------------------------------------------------------- */

/*
 * Swappable pages a case makes: 64, or as many pages as the store's limit
 * when that is fewer, so that they all fit at the generator's ~2x.
 */
#define NSWAP_MAX 64
static struct zswap_page zp[NSWAP_MAX];
static size_t nswap;

/* Register nswap pages of @kind (seeded by index); false if memory ran out. */
static bool make_swappable(struct ktest *t, enum kind kind)
{
	nswap = MIN((size_t)NSWAP_MAX, stats().limit_pages);
	for (size_t i = 0; i < nswap; i++) {
		void *p = page_alloc(1, GFP_KERNEL | __GFP_NOWARN);

		if (!p)
			return false;
		fill_page(p, kind, 1000 + i);
		zp[i] = (struct zswap_page){ 0 };
		KT_EXPECT_EQ(t, zswap_add(&zp[i], p), KERR_OK);
	}
	return true;
}

/* Every page is what it was made as (brought back if out), then unregistered. */
static void check_and_remove(struct ktest *t, enum kind kind)
{
	for (size_t i = 0; i < nswap; i++) {
		void *p = NULL;

		if (zp[i].state == ZSWAP_UNREGISTERED)
			continue;
		KT_EXPECT_EQ(t, zswap_get(&zp[i], false, &p), KERR_OK);
		if (p)
			KT_EXPECT_TRUE(t, page_is(p, kind, 1000 + i));
		KT_EXPECT_EQ(t, zswap_put(&zp[i]), KERR_OK);
		KT_EXPECT_EQ(t, zswap_remove(&zp[i]), KERR_OK);
	}
}

static void swap_api_misuse_refused(struct ktest *t)
{
	struct zswap_page a = { 0 };
	void *p = page_alloc(1, GFP_KERNEL), *addr;

	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, zswap_get(&a, false, &addr), KERR_INVAL);    /* not registered */
	KT_EXPECT_EQ(t, zswap_add(&a, (uint8_t *)p + 64), KERR_INVAL);
	KT_EXPECT_EQ(t, zswap_add(&a, p), KERR_OK);
	KT_EXPECT_EQ(t, zswap_add(&a, p), KERR_INVAL);                /* twice */
	KT_EXPECT_EQ(t, zswap_put(&a), KERR_INVAL);                   /* not held */
	KT_EXPECT_EQ(t, zswap_get(&a, true, &addr), KERR_OK);
	KT_EXPECT_PTR_EQ(t, addr, p);
	KT_EXPECT_EQ(t, zswap_remove(&a), KERR_INVAL);                /* held */
	KT_EXPECT_EQ(t, zswap_put(&a), KERR_OK);
	KT_EXPECT_EQ(t, zswap_remove(&a), KERR_OK);
	KT_EXPECT_EQ(t, zswap_remove(&a), KERR_INVAL);
}

/* Swap every registered page out; each must go. */
static void swap_all_out(struct ktest *t)
{
	zswap_shrink(nswap);
	for (size_t i = 0; i < nswap; i++)
		KT_EXPECT_EQ(t, zp[i].state, ZSWAP_OUT);
}

/*
 * Swapping out nswap text pages: the allocator's free pages rise by what
 * the shrink says went back, and that is nswap less what the store took
 * into its zspages and reserve.  The gain the store reports moves by
 * the same count.
 */
static void swap_out_gains_pages(struct ktest *t)
{
	struct zstore_stats s0, s1;
	struct page_alloc_stats p0, p1;
	size_t got;
	long took;

	NEED_COMPRESSIBLE(t);
	if (!make_swappable(t, compressible))
		KT_SKIP(t, "no memory for the swappable pages");
	s0 = stats();
	page_alloc_get_stats(&p0);
	got = zswap_shrink(nswap);
	page_alloc_get_stats(&p1);
	s1 = stats();
	took = (long)(s1.zspage_pages + s1.reserve_pages) - (long)(s0.zspage_pages + s0.reserve_pages);
	KT_EXPECT_EQ(t, s1.swapped_out, s0.swapped_out + nswap);
	KT_EXPECT_EQ(t, s1.swap_outs, s0.swap_outs + nswap);
	KT_EXPECT_EQ(t, s1.pages_freed, s0.pages_freed + got);
	KT_EXPECT_EQ(t, p1.free_pages, p0.free_pages + got);
	KT_EXPECT_EQ(t, (long)got, (long)nswap - took);
	/* Near 2x: the store took well under half of what went. */
	KT_EXPECT_LT(t, took, (long)nswap * 3 / 4);
	KT_EXPECT_GT(t, got, (size_t)0);
	KT_EXPECT_EQ(t, zstore_gain_pages(&s1) - zstore_gain_pages(&s0), (long)got);
	for (size_t i = 0; i < nswap; i++)
		KT_EXPECT_EQ(t, zp[i].state, ZSWAP_OUT);
	/* The last one goes while out: its copy with it, no fault. */
	KT_EXPECT_EQ(t, zswap_remove(&zp[nswap - 1]), KERR_OK);
	check_and_remove(t, compressible);
	s1 = stats();
	KT_EXPECT_EQ(t, s1.faults, s0.faults + nswap - 1);
	KT_EXPECT_EQ(t, s1.swapped_out, s0.swapped_out);
	KT_EXPECT_EQ(t, s1.swappable, s0.swappable - nswap);
}

/* Read, let go, swapped again: no new compression, and the next fault is a cache hit. */
static void clean_page_goes_again_for_nothing(struct ktest *t)
{
	struct zstore_stats s0, s1;
	void *p;

	NEED_COMPRESSIBLE(t);
	if (!make_swappable(t, compressible))
		KT_SKIP(t, "no memory for the swappable pages");
	swap_all_out(t);
	KT_ASSERT_EQ(t, zswap_get(&zp[0], false, &p), KERR_OK);      /* a fault: decompressed */
	KT_EXPECT_TRUE(t, page_is(p, compressible, 1000));
	KT_EXPECT_EQ(t, zswap_put(&zp[0]), KERR_OK);
	s0 = stats();
	zswap_shrink(1);
	s1 = stats();
	KT_EXPECT_EQ(t, zp[0].state, ZSWAP_OUT);
	KT_EXPECT_EQ(t, s1.stores, s0.stores);
	KT_EXPECT_EQ(t, s1.clean_drops, s0.clean_drops + 1);
	KT_ASSERT_EQ(t, zswap_get(&zp[0], false, &p), KERR_OK);
	KT_EXPECT_TRUE(t, page_is(p, compressible, 1000));
	s1 = stats();
	if (s0.cache_pages || s1.cache_pages)
		KT_EXPECT_EQ(t, s1.cache_hits, s0.cache_hits + 1);
	KT_EXPECT_EQ(t, zswap_put(&zp[0]), KERR_OK);
	check_and_remove(t, compressible);
}

/* A write drops the copy: the page is compressed again, with what was written. */
static void written_page_is_compressed_again(struct ktest *t)
{
	struct zstore_stats s0, s1;
	void *p;

	NEED_COMPRESSIBLE(t);
	if (!make_swappable(t, compressible))
		KT_SKIP(t, "no memory for the swappable pages");
	swap_all_out(t);
	KT_ASSERT_EQ(t, zswap_get(&zp[0], true, &p), KERR_OK);
	KT_EXPECT_EQ(t, zp[0].handle, (zs_handle_t)0);
	fill_page(p, SPARSE, 1000);
	KT_EXPECT_EQ(t, zswap_put(&zp[0]), KERR_OK);
	s0 = stats();
	zswap_shrink(1);
	s1 = stats();
	KT_EXPECT_EQ(t, zp[0].state, ZSWAP_OUT);
	KT_EXPECT_EQ(t, s1.stores, s0.stores + 1);
	KT_ASSERT_EQ(t, zswap_get(&zp[0], false, &p), KERR_OK);
	KT_EXPECT_TRUE(t, page_is(p, SPARSE, 1000));
	KT_EXPECT_EQ(t, zswap_put(&zp[0]), KERR_OK);
	/* zp[0] holds SPARSE now: check it apart. */
	KT_EXPECT_EQ(t, zswap_remove(&zp[0]), KERR_OK);
	check_and_remove(t, compressible);
}

/* Incompressible pages stay in memory, counted, and are not tried again until written. */
static void incompressible_pages_stay(struct ktest *t)
{
	struct zstore_stats s0, s1;

	if (!make_swappable(t, RANDOM))
		KT_SKIP(t, "no memory for the swappable pages");
	s0 = stats();
	KT_EXPECT_EQ(t, zswap_shrink(nswap), (size_t)0);
	s1 = stats();
	KT_EXPECT_EQ(t, s1.rejected, s0.rejected + nswap);
	KT_EXPECT_EQ(t, zswap_shrink(nswap), (size_t)0);
	KT_EXPECT_EQ(t, stats().rejected, s1.rejected);
	for (size_t i = 0; i < nswap; i++)
		KT_EXPECT_EQ(t, zp[i].state, ZSWAP_RESIDENT);
	check_and_remove(t, RANDOM);
}

/* The trigger: its watermark, from the configuration. */
static size_t trigger_mark(const struct zone_stats *z)
{
#if defined(CONFIG_ZSTORE_TRIGGER_MIN)
	return z->min;
#elif defined(CONFIG_ZSTORE_TRIGGER_HIGH)
	return z->high;
#else
	return z->low;
#endif
}

/*
 * Is any zone at or below a nonzero trigger now (from the zone figures)?
 * At the mark counts, as for the store (a one-page request must leave
 * the mark free): a min of one page is never gone below (seed 20).
 */
static bool below_trigger(void)
{
	struct zone_stats zs[MAX_ZONES];
	size_t n = page_alloc_get_zone_stats(zs, MAX_ZONES);

	for (size_t i = 0; i < n; i++) {
		size_t mark = trigger_mark(&zs[i]);

		if (zs[i].managed && mark && zs[i].free_pages <= mark)
			return true;
	}
	return false;
}

/* The gfp modifier that makes zone @z a request's highest. */
static gfp_t zone_gfp(const struct zone_stats *z)
{
	if (!strcmp(z->name, "DMA"))
		return GFP_DMA;
	if (!strcmp(z->name, "DMA32"))
		return GFP_DMA32;
	return GFP_KERNEL;
}

/* How far under a zone's mark the fill goes: less than one swap-out of nswap frees. */
#define FILL_UNDER 8u

/*
 * Every zone taken down to FILL_UNDER pages below the trigger, but not
 * below min when the trigger is above it: an ordinary request can then be
 * served once reclaim has run.  Atomic requests, which never reclaim; the
 * per-CPU lists end empty, so the next single page goes to the zone.
 */
static void fill_memory(struct held_pages *h)
{
	struct zone_stats zs[MAX_ZONES];
	size_t n = page_alloc_get_zone_stats(zs, MAX_ZONES);

	for (size_t i = 0; i < n; i++) {
		/* Below low too: the allocator reclaims only there. */
		size_t mark = MIN(trigger_mark(&zs[i]), zs[i].low), target;

		if (!zs[i].managed)
			continue;
		target = mark - MIN((size_t)FILL_UNDER, mark);
		if (mark > zs[i].min && target < zs[i].min)
			target = zs[i].min;
		for (unsigned int order = FILL_ORDER + 1; order-- > 0;) {
			for (;;) {
				/*
				 * Single pages come through per-CPU lists, out of the
				 * count: empty them (only then: a drain is an IPI to
				 * every CPU, and large blocks are thousands at 6 GiB).
				 */
				if (!order)
					drain_all_pages();
				page_alloc_get_zone_stats(zs, MAX_ZONES);
				if (zs[i].free_pages < target + ((size_t)1 << order) ||
				    !held_take(h, order, zone_gfp(&zs[i]) | GFP_ATOMIC))
					break;
			}
		}
	}
}

/*
 * Give the cache's pages back before a fill: reclaim frees them first,
 * and when the fill can only reach the mark (the trigger at a min that
 * no request goes below), that alone lifts the zone over it and nothing
 * cold is looked at.  No zone is at its mark yet, so nothing is swapped.
 */
static void empty_cache(struct ktest *t)
{
	shrink_memory(ZSTORE_CACHE_PAGES);
	KT_EXPECT_EQ(t, stats().cache_pages, (size_t)0);
}

/*
 * An ordinary request for a page, which finds the zones below low and
 * reclaims.  Above the min watermark (trigger low or high) it is served
 * from what reclaim freed; with the trigger at min the fill went below
 * min, and what a store as small as ZSTORE_LIMIT_KB allows may not lift
 * the zone back over it, so only the reclaim is certain.
 */
static void reclaim_and_take(struct ktest *t, struct held_pages *held)
{
	bool served = held_take(held, 0, GFP_KERNEL);

#ifndef CONFIG_ZSTORE_TRIGGER_MIN
	KT_EXPECT_TRUE(t, served);
#else
	(void)t;
	(void)served;
#endif
}

/*
 * The pressure path: memory filled below every watermark by atomic
 * requests (which never reclaim) leaves the pages in place; the next
 * ordinary request runs the shrinkers, and the store's swaps cold pages
 * out and frees them.  They come back intact once memory is free again.
 */
static void pressure_swaps_cold_pages_out(struct ktest *t)
{
	struct held_pages held = { 0 };
	struct zstore_stats s0, s1;

	NEED_COMPRESSIBLE(t);
	if (!make_swappable(t, compressible))
		KT_SKIP(t, "no memory for the swappable pages");
	empty_cache(t);
	s0 = stats();
	fill_memory(&held);
	KT_EXPECT_TRUE(t, below_trigger());
	KT_EXPECT_TRUE(t, zswap_under_pressure());
	/* An ordinary request: it reclaims, and is served from what the store freed. */
	reclaim_and_take(t, &held);
	s1 = stats();
	KT_EXPECT_GT(t, s1.swap_outs, s0.swap_outs);
	KT_EXPECT_GT(t, s1.pages_freed, s0.pages_freed);
	KT_EXPECT_GT(t, s1.swapped_out, s0.swapped_out);
	held_release(t, &held);
	KT_EXPECT_FALSE(t, zswap_under_pressure());
	check_and_remove(t, compressible);
	s1 = stats();
	KT_EXPECT_EQ(t, s1.swapped_out, s0.swapped_out);
	KT_EXPECT_GT(t, s1.faults, s0.faults);
}

/* Without pressure the shrinker leaves swappable pages alone. */
static void no_pressure_no_swap(struct ktest *t)
{
	struct zstore_stats s0;

	NEED_COMPRESSIBLE(t);
	if (!make_swappable(t, compressible))
		KT_SKIP(t, "no memory for the swappable pages");
	KT_ASSERT_FALSE(t, below_trigger());
	s0 = stats();
	shrink_memory(nswap);
	KT_EXPECT_EQ(t, stats().swap_outs, s0.swap_outs);
	check_and_remove(t, compressible);
}

/* Ticks on every CPU since boot. */
static uint64_t ticks(void)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		n += irq_count_ticks(cpu);
	return n;
}

/*
 * Below the trigger, the ticks compress cold pages ahead, leaving them in
 * memory; the reclaim that follows drops them without compressing.
 */
static void ticks_compress_ahead(struct ktest *t)
{
	struct held_pages held = { 0 };
	struct zstore_stats s0, s1;
	uint64_t t0;
	size_t ahead = 0;

#ifndef CONFIG_SMP
	KT_SKIP(t, "no SMP: no timer tick, so no background compression");
#endif
	if (!irqs_enabled())
		KT_SKIP(t, "interrupts are off here: no tick reaches this CPU");
	NEED_COMPRESSIBLE(t);
	if (!make_swappable(t, compressible))
		KT_SKIP(t, "no memory for the swappable pages");
	empty_cache(t);
	s0 = stats();
	fill_memory(&held);
	KT_EXPECT_TRUE(t, below_trigger());
	/*
	 * The ticks compress until every page has its copy or the store's
	 * reserve (which they cannot refill) runs dry; wait until the count
	 * has not moved for 20 ticks, or 400 ticks went by.
	 */
	t0 = ticks();
	{
		uint64_t last = s0.bg_compressed, still = t0;

		while (ticks() - t0 < 400 && ticks() - still < 20) {
			uint64_t now = stats().bg_compressed;

			if (now != last) {
				last = now;
				still = ticks();
			}
			arch_cpu_relax();
		}
	}
	for (size_t i = 0; i < nswap; i++)
		ahead += __atomic_load_n(&zp[i].handle, __ATOMIC_RELAXED) != 0;
	if (ticks() == t0) {
		held_release(t, &held);
		check_and_remove(t, compressible);
		KT_SKIP(t, "no tick arrived while waiting");
	}
	s1 = stats();
	KT_EXPECT_GT(t, ahead, (size_t)0);
	KT_EXPECT_EQ(t, s1.bg_compressed, s0.bg_compressed + ahead);
	KT_EXPECT_EQ(t, s1.stores, s0.stores + ahead);
	KT_EXPECT_EQ(t, s1.swapped_out, s0.swapped_out);        /* still in memory */
	/* Reclaim now drops those without compressing them again. */
	reclaim_and_take(t, &held);
	s1 = stats();
	KT_EXPECT_GT(t, s1.clean_drops, s0.clean_drops);
	held_release(t, &held);
	check_and_remove(t, compressible);
}

static void figures_add_up(struct ktest *t)
{
	struct zstore_stats st = stats();

	KT_EXPECT_EQ(t, st.limit_pages, (size_t)CONFIG_ZSTORE_LIMIT_KB * 1024 / PAGE_SIZE);
	KT_EXPECT_GT(t, st.meta_bytes, (size_t)0);
	KT_EXPECT_EQ(t, st.used_bytes, (st.zspage_pages + st.reserve_pages + st.cache_pages) *
					       PAGE_SIZE + st.meta_bytes);
	KT_EXPECT_LE(t, st.zspage_pages + st.reserve_pages, st.limit_pages);
	KT_EXPECT_LE(t, st.reserve_pages, (size_t)2 * ZSTORE_RESERVE_PAGES);
	KT_EXPECT_LE(t, st.cache_pages, (size_t)ZSTORE_CACHE_PAGES);
	KT_EXPECT_EQ(t, st.stored, st.stores - st.frees);
	KT_EXPECT_LE(t, st.cache_hits, st.loads);
	zstore_print_stats("zstore suite");
}

static const struct ktest_case zstore_cases[] = {
	KTEST_CASE(every_kind_round_trips),
	KTEST_CASE(same_filled_pages_take_no_slot),
	KTEST_CASE(incompressible_page_is_rejected_and_counted),
	KTEST_CASE(map_gives_the_block),
	KTEST_CASE(slots_pack_into_zspages),
	KTEST_CASE(small_blocks_fill_zspages),
	KTEST_CASE(damaged_block_is_refused),
	KTEST_CASE(store_full_refuses_and_recovers),
	KTEST_CASE(handles_run_out),
	KTEST_CASE(bad_handles_refused),
	KTEST_CASE(double_free_refused),
	KTEST_CASE(swap_api_misuse_refused),
	KTEST_CASE(swap_out_gains_pages),
	KTEST_CASE(clean_page_goes_again_for_nothing),
	KTEST_CASE(written_page_is_compressed_again),
	KTEST_CASE(incompressible_pages_stay),
	KTEST_CASE(no_pressure_no_swap),
	KTEST_CASE(pressure_swaps_cold_pages_out),
	KTEST_CASE(ticks_compress_ahead),
	KTEST_CASE(figures_add_up),
	{0},
};
KTEST_SUITE_WITH_HOOKS(zstore, zstore_cases, case_init, case_exit);
