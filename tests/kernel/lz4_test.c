/*
 * lz4_test.c - the LZ4 codec (core/lib/lz4.c) inside the kernel, on both
 * arches and natively: what the compressed page store will rely on.
 *
 * Data is generated here (zero, one repeated byte, text-like, sparse
 * records, pseudo-random); what a case expects comes from the original
 * bytes or from the block format itself, worked out by hand in the case.
 * Decoded output lands between guard bytes, so a write outside the
 * capacity shows as a failure even where no sanitizer runs.  The host
 * tests (tests/test_lz4.py) add liblz4 on the other side, ASan, UBSan and
 * the fuzz run.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "lz4.h"

#define PAGE 4096
#define GUARD 64
#define GUARD_BYTE 0xee

/* 16 KiB of hash table: static, not on the 16 KiB kernel stack. */
static struct lz4_state state;
static uint8_t src[LZ4_MAX_INPUT + 1];
static uint8_t blk[LZ4_MAX_INPUT + LZ4_MAX_INPUT / 255 + 16 + GUARD];
/* Decoded output goes to outbuf + GUARD, between guards: see out_clear(). */
static uint8_t outbuf[GUARD + LZ4_MAX_INPUT + GUARD];

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

enum pattern { ZERO, REPEATED, TEXT, SPARSE, RANDOM, NR_PATTERNS };
static const char *const pattern_name[] = { "zero", "repeated", "text", "sparse", "random" };

static void fill(uint8_t *p, size_t n, enum pattern pat, uint64_t seed)
{
	static const char *const words[] = {
		"the ", "page ", "is ", "cold ", "so ", "it ", "goes ", "to ", "the ",
		"store ", "and ", "comes ", "back ", "on ", "access", ".\n",
	};
	size_t i = 0;

	rng_state = seed | 1;
	switch (pat) {
	case ZERO:
		memset(p, 0, n);
		break;
	case REPEATED:
		memset(p, 0x5a, n);
		break;
	case TEXT:
		while (i < n)
			for (const char *w = words[rnd() % 16]; *w && i < n; w++)
				p[i++] = (uint8_t)*w;
		break;
	case SPARSE:   /* small records in zeroes, like a page of structs */
		memset(p, 0, n);
		for (i = 0; i + 8 <= n; i += 32) {
			uint64_t v = rnd() % 4 ? rnd() & 0xffff : rnd();

			for (unsigned int k = 0; k < 8; k++)
				p[i + k] = (uint8_t)(v >> (8 * k));
		}
		break;
	default:
		for (; i < n; i++)
			p[i] = (uint8_t)rnd();
		break;
	}
}

/*
 * The output area for a capacity of @cap: GUARD bytes of GUARD_BYTE on
 * each side of [out, out + cap).  Wide copies overshoot by at most 15
 * bytes, so a copy that ignored the capacity would land in a guard.  Only
 * the guards are set and checked: the kernel's memset is a byte loop, and
 * the cases decode thousands of blocks.
 */
static uint8_t *out_clear(size_t cap)
{
	memset(outbuf, GUARD_BYTE, GUARD);
	memset(outbuf + GUARD + cap, GUARD_BYTE, GUARD);
	return outbuf + GUARD;
}

/* No byte of either guard around [0, cap) was written. */
static bool guards_intact(size_t cap)
{
	for (size_t i = 0; i < GUARD; i++)
		if (outbuf[i] != GUARD_BYTE || outbuf[GUARD + cap + i] != GUARD_BYTE)
			return false;
	return true;
}

/* Compress src[0, n), decode into exactly n bytes: the same bytes, nothing outside. */
static bool round_trip(struct ktest *t, size_t n, int accel, const char *what)
{
	int r = lz4_compress(src, n, blk, sizeof(blk), accel, &state);
	uint8_t *out;
	int d;

	if (r <= 0 || (size_t)r > lz4_compress_bound(n)) {
		KT_FAIL(t, "%s, %zu bytes: compress gave %d (bound %zu)", what, n, r,
			lz4_compress_bound(n));
		return false;
	}
	out = out_clear(n);
	d = lz4_decompress(blk, (size_t)r, out, n);
	if (d != (int)n || memcmp(out, src, n) || !guards_intact(n)) {
		KT_FAIL(t, "%s, %zu bytes: decode gave %d (%s)", what, n, d,
			d != (int)n ? "wrong size" : !guards_intact(n) ? "wrote outside" :
			"wrong bytes");
		return false;
	}
	return true;
}

/* --- round trips ------------------------------------------------------------------ */

static const size_t edge_sizes[] = { 0, 1, 2, 4, 5, 11, 12, 13, 14, 15, 16, 17, 19, 31, 255,
				     256, 1000, 4095, PAGE };

static void every_pattern_round_trips_at_edge_sizes(struct ktest *t)
{
	for (int pat = 0; pat < NR_PATTERNS; pat++) {
		for (size_t i = 0; i < ARRAY_SIZE(edge_sizes); i++) {
			fill(src, edge_sizes[i], (enum pattern)pat, 7 + i);
			if (!round_trip(t, edge_sizes[i], 1, pattern_name[pat]))
				return;
		}
	}
}

/* The format: an input shorter than 13 bytes can hold no match, so the
 * block is one token and the bytes themselves. */
static void inputs_below_13_bytes_are_one_literal_run(struct ktest *t)
{
	for (size_t n = 0; n < LZ4_MIN_MATCH_INPUT; n++) {
		int r;

		memset(src, 'a', n);
		r = lz4_compress(src, n, blk, sizeof(blk), 1, &state);
		KT_ASSERT_EQ(t, r, (int)n + 1);
		KT_EXPECT_EQ(t, blk[0], (uint8_t)(n << 4));
		KT_EXPECT_EQ(t, memcmp(blk + 1, src, n), 0);
	}
	/* 13 equal bytes are the first that compress: 1 literal, a match. */
	memset(src, 'a', 13);
	KT_EXPECT_LT(t, lz4_compress(src, 13, blk, sizeof(blk), 1, &state), 14);
}

static void empty_input_is_a_zero_token(struct ktest *t)
{
	uint8_t *out;

	KT_ASSERT_EQ(t, lz4_compress(src, 0, blk, sizeof(blk), 1, &state), 1);
	KT_EXPECT_EQ(t, blk[0], 0u);
	out = out_clear(0);
	KT_EXPECT_EQ(t, lz4_decompress(blk, 1, out, 0), 0);
	KT_EXPECT_TRUE(t, guards_intact(0));
	KT_EXPECT_EQ(t, lz4_decompress(blk, 1, NULL, 0), 0);
	KT_EXPECT_EQ(t, lz4_compress(src, 0, blk, 0, 1, &state), KERR_NOSPC);
}

/* A zero page, by the format: one literal, then a match at offset 1 up to
 * the last 5 bytes: 4090 = 4 + 15 + 15 x 255 + 246, so 16 extension
 * bytes.  Token, literal, offset, 16, token, 5 literals: 26 bytes (what
 * liblz4 gives too). */
static void zero_page_is_26_bytes(struct ktest *t)
{
	uint8_t *out;

	fill(src, PAGE, ZERO, 1);
	KT_ASSERT_EQ(t, lz4_compress(src, PAGE, blk, sizeof(blk), 1, &state), 26);
	KT_EXPECT_EQ(t, blk[0], 0x1fu);
	out = out_clear(PAGE);
	KT_EXPECT_EQ(t, lz4_decompress(blk, 26, out, PAGE), PAGE);
	KT_EXPECT_EQ(t, memcmp(out, src, PAGE), 0);
}

static void incompressible_page_stays_within_bound(struct ktest *t)
{
	int r;

	fill(src, PAGE, RANDOM, 3);
	r = lz4_compress(src, PAGE, blk, sizeof(blk), 1, &state);
	KT_EXPECT_GT(t, r, PAGE);
	KT_EXPECT_LE(t, (size_t)r, lz4_compress_bound(PAGE));
	/* The store's question "does it fit in less than a page?": no. */
	KT_EXPECT_EQ(t, lz4_compress(src, PAGE, blk, PAGE, 1, &state), KERR_NOSPC);
	KT_EXPECT_TRUE(t, round_trip(t, PAGE, 1, "random"));
}

static void largest_input_and_one_past_it(struct ktest *t)
{
	fill(src, LZ4_MAX_INPUT, TEXT, 5);
	KT_EXPECT_TRUE(t, round_trip(t, LZ4_MAX_INPUT, 1, "text"));
	KT_EXPECT_EQ(t, lz4_compress(src, LZ4_MAX_INPUT + 1, blk, sizeof(blk), 1, &state),
		     KERR_INVAL);
	KT_EXPECT_EQ(t, lz4_compress_bound(LZ4_MAX_INPUT + 1), 0u);
}

/* --- compressor options and limits ---------------------------------------------------- */

static void destination_one_byte_short_fails_cleanly(struct ktest *t)
{
	int r;

	fill(src, PAGE, TEXT, 11);
	r = lz4_compress(src, PAGE, blk, sizeof(blk), 1, &state);
	KT_ASSERT_GT(t, r, 0);
	/* Exactly r bytes of room: the same block.  r - 1: refused, and
	 * nothing written past r - 1 (the compressor writes into outbuf
	 * between guards here). */
	memcpy(src + PAGE, blk, (size_t)r);         /* keep the block */
	KT_EXPECT_EQ(t, lz4_compress(src, PAGE, out_clear((size_t)r), (size_t)r, 1, &state),
		     r);
	KT_EXPECT_EQ(t, memcmp(outbuf + GUARD, src + PAGE, (size_t)r), 0);
	KT_EXPECT_TRUE(t, guards_intact((size_t)r));
	KT_EXPECT_EQ(t, lz4_compress(src, PAGE, out_clear((size_t)r - 1), (size_t)r - 1, 1,
				     &state), KERR_NOSPC);
	KT_EXPECT_TRUE(t, guards_intact((size_t)r - 1));
	/* And the decoder given one byte less than the page. */
	KT_EXPECT_EQ(t, lz4_decompress(src + PAGE, (size_t)r, out_clear(PAGE - 1), PAGE - 1),
		     KERR_NOSPC);
	KT_EXPECT_TRUE(t, guards_intact(PAGE - 1));
}

/* Below 1 means 1, above the maximum the maximum; every value round-trips. */
static void acceleration_values(struct ktest *t)
{
	static const int accels[] = { 1, 2, 3, 8, 64, 1000, LZ4_ACCELERATION_MAX };
	static uint8_t first[PAGE + PAGE / 255 + 16];
	int r1, r;

	fill(src, PAGE, TEXT, 13);
	for (size_t i = 0; i < ARRAY_SIZE(accels); i++)
		if (!round_trip(t, PAGE, accels[i], "text, acceleration"))
			return;
	r1 = lz4_compress(src, PAGE, first, sizeof(first), 1, &state);
	for (int a = -3; a <= 0; a++) {
		r = lz4_compress(src, PAGE, blk, sizeof(blk), a, &state);
		KT_EXPECT_EQ(t, r, r1);
		KT_EXPECT_EQ(t, memcmp(blk, first, (size_t)r1), 0);
	}
	r1 = lz4_compress(src, PAGE, first, sizeof(first), LZ4_ACCELERATION_MAX, &state);
	r = lz4_compress(src, PAGE, blk, sizeof(blk), __INT_MAX__, &state);
	KT_EXPECT_EQ(t, r, r1);
	KT_EXPECT_EQ(t, memcmp(blk, first, (size_t)r1), 0);
	/* Acceleration skips positions: it never finds a better parse here. */
	KT_EXPECT_GE(t, r1, lz4_compress(src, PAGE, blk, sizeof(blk), 1, &state));
}

/* The output is a function of the input alone: a dirty state changes nothing. */
static void state_contents_do_not_matter(struct ktest *t)
{
	static uint8_t first[PAGE + PAGE / 255 + 16];
	int r1, r2;

	fill(src, PAGE, SPARSE, 17);
	r1 = lz4_compress(src, PAGE, first, sizeof(first), 1, &state);
	memset(&state, 0xff, sizeof(state));
	r2 = lz4_compress(src, PAGE, blk, sizeof(blk), 1, &state);
	KT_ASSERT_EQ(t, r1, r2);
	KT_EXPECT_EQ(t, memcmp(first, blk, (size_t)r1), 0);
}

static void null_arguments_refused(struct ktest *t)
{
	KT_EXPECT_EQ(t, lz4_compress(NULL, 1, blk, 16, 1, &state), KERR_INVAL);
	KT_EXPECT_EQ(t, lz4_compress(src, 1, NULL, 16, 1, &state), KERR_INVAL);
	KT_EXPECT_EQ(t, lz4_compress(src, 1, blk, 16, 1, NULL), KERR_INVAL);
	KT_EXPECT_EQ(t, lz4_decompress(NULL, 1, outbuf, 16), KERR_INVAL);
	KT_EXPECT_EQ(t, lz4_decompress(blk, 1, NULL, 16), KERR_INVAL);
}

/* --- the decoder on hand-made blocks ------------------------------------------------------ */

/*
 * A well-formed block of 34 bytes decoding to 48:
 *   [0] 0xff: 15+ literals, match 19+    [1] 1: 16 literals
 *   [2..17] "ABCDEFGHIJKLMNOP"           [18..19] offset 16
 *   [20] 1: match of 20                  [21] 0xc0: 12 literals, last
 *   [22..33] "abcdefghijkl"
 */
enum { OFF_LO = 18, OFF_HI = 19, ML_EXT = 20, LAST = 21, GOOD_LEN = 34, GOOD_OUT = 48 };

static size_t good_block(uint8_t *b, uint8_t *expect)
{
	size_t i = 0;

	b[i++] = 0xff;
	b[i++] = 1;
	for (int k = 0; k < 16; k++)
		b[i++] = (uint8_t)('A' + k);
	b[i++] = 16;
	b[i++] = 0;
	b[i++] = 1;
	b[i++] = 0xc0;
	for (int k = 0; k < 12; k++)
		b[i++] = (uint8_t)('a' + k);
	for (int k = 0; k < 36; k++)
		expect[k] = (uint8_t)('A' + k % 16);
	for (int k = 0; k < 12; k++)
		expect[36 + k] = (uint8_t)('a' + k);
	return i;
}

/* lz4_decompress() of @b into @cap guarded bytes; the guards must hold. */
static int decode(struct ktest *t, const uint8_t *b, size_t n, size_t cap)
{
	int r = lz4_decompress(b, n, out_clear(cap), cap);

	KT_EXPECT_TRUE(t, guards_intact(cap));
	return r;
}

static void good_block_decodes(struct ktest *t)
{
	uint8_t b[64], expect[GOOD_OUT];

	KT_ASSERT_EQ(t, good_block(b, expect), (size_t)GOOD_LEN);
	KT_EXPECT_EQ(t, decode(t, b, GOOD_LEN, GOOD_OUT), GOOD_OUT);
	KT_EXPECT_EQ(t, memcmp(outbuf + GUARD, expect, GOOD_OUT), 0);
	KT_EXPECT_EQ(t, decode(t, b, GOOD_LEN, 1000), GOOD_OUT);
	KT_EXPECT_EQ(t, memcmp(outbuf + GUARD, expect, GOOD_OUT), 0);
}

/* Offset 1 with a long match: the last byte repeated (a run). */
static void overlapping_match_offset_one(struct ktest *t)
{
	/* 'x', match offset 1 of 4 + 15 + 81 = 100, then 5 literals. */
	static const uint8_t b[] = { 0x1f, 'x', 1, 0, 81, 0x50, '1', '2', '3', '4', '5' };
	uint8_t *out;

	KT_ASSERT_EQ(t, decode(t, b, sizeof(b), 106), 106);
	out = outbuf + GUARD;
	for (int i = 0; i < 101; i++)
		KT_ASSERT_EQ(t, out[i], 'x');
	KT_EXPECT_EQ(t, memcmp(out + 101, "12345", 5), 0);
}

/* Every offset 1 .. 20 under every length 4 .. 40 (offset < length is an
 * overlap), with exactly the room needed and with room to spare: the
 * output repeats the first @off bytes with period @off. */
static void overlapping_matches_every_small_offset(struct ktest *t)
{
	uint8_t b[64];

	for (size_t off = 1; off <= 20; off++) {
		for (size_t ml = 4; ml <= 40; ml++) {
			size_t i = 0, total = off + ml + 12;
			const uint8_t *out = outbuf + GUARD;

			b[i++] = (uint8_t)((off < 15 ? off : 15) << 4 | (ml - 4 < 15 ? ml - 4 : 15));
			if (off >= 15)
				b[i++] = (uint8_t)(off - 15);
			for (size_t k = 0; k < off; k++)
				b[i++] = (uint8_t)(k * 7 + 1);
			b[i++] = (uint8_t)off;
			b[i++] = 0;
			if (ml - 4 >= 15)
				b[i++] = (uint8_t)(ml - 4 - 15);
			b[i++] = 0xc0;
			for (size_t k = 0; k < 12; k++)
				b[i++] = (uint8_t)(200 + k);
			for (size_t cap = total; cap <= total + 32; cap += 32) {
				KT_ASSERT_EQ(t, decode(t, b, i, cap), (int)total);
				for (size_t k = 0; k < off + ml; k++)
					if (out[k] != (uint8_t)(k % off * 7 + 1)) {
						KT_FAIL(t, "offset %zu length %zu: byte %zu is %u", off,
							ml, k, out[k]);
						return;
					}
				KT_EXPECT_EQ(t, out[off + ml + 11], 211u);
			}
		}
	}
}

static void offset_zero_refused(struct ktest *t)
{
	uint8_t b[64], expect[GOOD_OUT];

	good_block(b, expect);
	b[OFF_LO] = 0;
	KT_EXPECT_EQ(t, decode(t, b, GOOD_LEN, GOOD_OUT), KERR_CORRUPT);
}

static void offset_before_output_refused(struct ktest *t)
{
	uint8_t b[64], expect[GOOD_OUT];

	good_block(b, expect);
	b[OFF_LO] = 17;        /* 16 bytes written so far */
	KT_EXPECT_EQ(t, decode(t, b, GOOD_LEN, GOOD_OUT), KERR_CORRUPT);
	b[OFF_LO] = 0xff;
	b[OFF_HI] = 0xff;
	KT_EXPECT_EQ(t, decode(t, b, GOOD_LEN, GOOD_OUT), KERR_CORRUPT);
}

/* Cut anywhere: refused, or (cut right after a literal run, which leaves
 * a well-formed shorter block) a strict prefix of the page.  A page's
 * worth of text. */
static void truncated_block_never_gives_the_page(struct ktest *t)
{
	unsigned int refused = 0;
	int r;

	fill(src, PAGE, TEXT, 19);
	r = lz4_compress(src, PAGE, blk, sizeof(blk), 1, &state);
	KT_ASSERT_GT(t, r, 0);
	for (int cut = 0; cut < r; cut++) {
		int d = decode(t, blk, (size_t)cut, PAGE);

		if (d < 0) {
			KT_EXPECT_EQ(t, d, KERR_CORRUPT);
			refused++;
		} else if (d >= PAGE || memcmp(outbuf + GUARD, src, (size_t)d)) {
			KT_FAIL(t, "cut at %d of %d: decoded %d bytes", cut, r, d);
			return;
		}
	}
	/* Only cuts at the ends of literal runs are blocks: most are refused. */
	KT_EXPECT_GT(t, refused, (unsigned int)r / 2);
}

static void lengths_past_either_buffer_refused(struct ktest *t)
{
	uint8_t b[300], expect[GOOD_OUT];

	good_block(b, expect);
	/* 16 literals announced, 5 present. */
	KT_EXPECT_EQ(t, decode(t, b, 7, GOOD_OUT), KERR_CORRUPT);
	/* 16 literals into 10 bytes. */
	KT_EXPECT_EQ(t, decode(t, b, GOOD_LEN, 10), KERR_NOSPC);
	/* 16 literals and a 20-byte match into 35. */
	KT_EXPECT_EQ(t, decode(t, b, GOOD_LEN, 35), KERR_NOSPC);
	/* A match length extension cut short. */
	b[ML_EXT] = 255;
	KT_EXPECT_EQ(t, decode(t, b, ML_EXT + 1, 1000), KERR_CORRUPT);
	/* Length extensions of 255 to the end of the input: no overflow, no
	 * hang; refused when the sum passes the room, or else when the input
	 * runs out (200 bytes of 255s announce about 50000). */
	memset(b, 0xff, sizeof(b));
	b[0] = 0xf0;
	KT_EXPECT_EQ(t, decode(t, b, 200, 256), KERR_NOSPC);
	KT_EXPECT_EQ(t, decode(t, b, 200, LZ4_MAX_INPUT), KERR_CORRUPT);
	KT_EXPECT_EQ(t, decode(t, b, 300, LZ4_MAX_INPUT), KERR_NOSPC);
	good_block(b, expect);
	memset(b + ML_EXT, 0xff, sizeof(b) - ML_EXT);
	KT_EXPECT_EQ(t, decode(t, b, 200, LZ4_MAX_INPUT), KERR_CORRUPT);
	KT_EXPECT_EQ(t, decode(t, b, 300, 1000), KERR_NOSPC);
}

static void block_ending_with_a_match_refused(struct ktest *t)
{
	uint8_t b[64], expect[GOOD_OUT];

	good_block(b, expect);
	KT_EXPECT_EQ(t, decode(t, b, LAST, 1000), KERR_CORRUPT);
	KT_EXPECT_EQ(t, decode(t, b, 0, 1000), KERR_CORRUPT);   /* not even a token */
}

static void end_of_block_rules_enforced(struct ktest *t)
{
	uint8_t b[64], expect[GOOD_OUT];

	/* 4 final literals: the last 5 bytes must be literals. */
	good_block(b, expect);
	b[LAST] = 0x40;
	KT_EXPECT_EQ(t, decode(t, b, LAST + 1 + 4, 100), KERR_CORRUPT);
	/* A 4-byte match then 5 literals starts 9 bytes before the end (< 12);
	 * with 8 literals, 12 before: fine. */
	b[0] = 0xf0;
	b[ML_EXT] = 0x50;
	KT_EXPECT_EQ(t, decode(t, b, ML_EXT + 1 + 5, 100), KERR_CORRUPT);
	b[ML_EXT] = 0x80;
	KT_EXPECT_EQ(t, decode(t, b, ML_EXT + 1 + 8, 28), 28);
	/* The last token announcing a match that is not there. */
	b[ML_EXT] = 0x81;
	KT_EXPECT_EQ(t, decode(t, b, ML_EXT + 1 + 8, 100), KERR_CORRUPT);
}

/* Garbage of every length: an error or a size within the capacity, and
 * never a byte written outside it. */
static void garbage_never_writes_outside(struct ktest *t)
{
	uint8_t b[96];

	rng_state = 23;
	for (unsigned int round = 0; round < 3000; round++) {
		size_t n = rnd() % sizeof(b), cap = rnd() % 200;
		int d;

		for (size_t k = 0; k < n; k++)
			b[k] = (uint8_t)rnd();
		if (round % 3 == 0)
			b[0] &= 0x3f;   /* short literal runs: get further into the block */
		d = lz4_decompress(b, n, out_clear(cap), cap);
		if (!guards_intact(cap) || (d >= 0 && (size_t)d > cap) ||
		    (d < 0 && d != KERR_CORRUPT && d != KERR_NOSPC)) {
			KT_FAIL(t, "round %u: %zu bytes into %zu gave %d", round, n, cap, d);
			return;
		}
	}
}

static const struct ktest_case lz4_cases[] = {
	KTEST_CASE(every_pattern_round_trips_at_edge_sizes),
	KTEST_CASE(inputs_below_13_bytes_are_one_literal_run),
	KTEST_CASE(empty_input_is_a_zero_token),
	KTEST_CASE(zero_page_is_26_bytes),
	KTEST_CASE(incompressible_page_stays_within_bound),
	KTEST_CASE(largest_input_and_one_past_it),
	KTEST_CASE(destination_one_byte_short_fails_cleanly),
	KTEST_CASE(acceleration_values),
	KTEST_CASE(state_contents_do_not_matter),
	KTEST_CASE(null_arguments_refused),
	KTEST_CASE(good_block_decodes),
	KTEST_CASE(overlapping_match_offset_one),
	KTEST_CASE(overlapping_matches_every_small_offset),
	KTEST_CASE(offset_zero_refused),
	KTEST_CASE(offset_before_output_refused),
	KTEST_CASE(truncated_block_never_gives_the_page),
	KTEST_CASE(lengths_past_either_buffer_refused),
	KTEST_CASE(block_ending_with_a_match_refused),
	KTEST_CASE(end_of_block_rules_enforced),
	KTEST_CASE(garbage_never_writes_outside),
	{0},
};
KTEST_SUITE(lz4, lz4_cases);
