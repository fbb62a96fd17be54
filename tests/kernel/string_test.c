/*
 * string_test.c - memset, memcpy and memmove (core/lib/string.c in the
 * kernel; the C library's on the host) against byte-by-byte references,
 * at every alignment of source and destination and every length around
 * the word and unroll sizes, overlapping both ways for memmove.  The
 * bytes just outside the target must never change.
 */
#include <stddef.h>
#include <stdint.h>

#include "kstring.h"
#include "ktest.h"

#define BUF 160
#define GUARD 0xe7

static unsigned char src[BUF], dst[BUF], ref[BUF];

static void fill_pattern(unsigned char *b, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 37 + seed * 11 + 1);
}

static void fill_guard(unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = GUARD;
}

/* Lengths that cross every boundary the word loops have (8 and 32). */
static const size_t lengths[] = { 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100 };

static void memset_matches_bytes(struct ktest *t)
{
	for (size_t off = 0; off < 8; off++) {
		for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
			size_t n = lengths[k];

			fill_guard(dst, BUF);
			fill_guard(ref, BUF);
			memset(dst + off, 0x5c, n);
			for (size_t i = 0; i < n; i++)
				ref[off + i] = 0x5c;
			KT_ASSERT_EQ(t, memcmp(dst, ref, BUF), 0);
		}
	}
	/* The fill byte is the low byte of the int. */
	memset(dst, 0x1ff, 16);
	KT_EXPECT_EQ(t, dst[15], 0xffu);
}

static void memcpy_every_alignment(struct ktest *t)
{
	fill_pattern(src, BUF, 3);
	for (size_t so = 0; so < 8; so++) {
		for (size_t d_o = 0; d_o < 8; d_o++) {
			for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
				size_t n = lengths[k];

				fill_guard(dst, BUF);
				fill_guard(ref, BUF);
				KT_ASSERT_TRUE(t, memcpy(dst + d_o, src + so, n) == dst + d_o);
				for (size_t i = 0; i < n; i++)
					ref[d_o + i] = src[so + i];
				KT_ASSERT_EQ(t, memcmp(dst, ref, BUF), 0);
			}
		}
	}
}

/* Overlapping moves, forwards and backwards, against a reference copy. */
static void memmove_overlaps_both_ways(struct ktest *t)
{
	for (size_t from = 0; from < 24; from++) {
		for (size_t to = 0; to < 24; to++) {
			for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
				size_t n = lengths[k];
				unsigned char tmp[BUF];

				if (from + n > BUF || to + n > BUF)
					continue;
				fill_pattern(dst, BUF, (unsigned int)(from + to));
				for (size_t i = 0; i < BUF; i++)
					ref[i] = dst[i];
				for (size_t i = 0; i < n; i++)
					tmp[i] = ref[from + i];
				for (size_t i = 0; i < n; i++)
					ref[to + i] = tmp[i];
				KT_ASSERT_TRUE(t, memmove(dst + to, dst + from, n) == dst + to);
				KT_ASSERT_EQ(t, memcmp(dst, ref, BUF), 0);
			}
		}
	}
}

static void memcmp_orders(struct ktest *t)
{
	unsigned char a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 9, 0 };

	KT_EXPECT_EQ(t, memcmp(a, b, 2), 0);
	KT_EXPECT_LT(t, memcmp(a, b, 4), 0);
	KT_EXPECT_GT(t, memcmp(b, a, 4), 0);
	KT_EXPECT_EQ(t, memcmp(a, b, 0), 0);
}

static const struct ktest_case string_cases[] = {
	KTEST_CASE(memset_matches_bytes),
	KTEST_CASE(memcpy_every_alignment),
	KTEST_CASE(memmove_overlaps_both_ways),
	KTEST_CASE(memcmp_orders),
	{0},
};

KTEST_SUITE(string, string_cases);
