/*
 * string_test.c - memset, memcpy and memmove (core/lib/string.c in the
 * kernel; the C library's on the host) against byte-by-byte references,
 * at every alignment of source and destination and every length around
 * the word and unroll sizes, overlapping both ways for memmove.  The
 * bytes just outside the target must never change.  memchr_inv()
 * (core/lib/memchr_inv.c everywhere) finds the first odd byte at every
 * start alignment, length and position.
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

/* The byte-by-byte reference of memchr_inv(). */
static const unsigned char *first_other(const unsigned char *p, unsigned char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return p + i;
	return NULL;
}

static void memchr_inv_finds_the_first_other_byte(struct ktest *t)
{
	for (size_t off = 0; off < 8; off++) {
		for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
			size_t n = lengths[k];

			fill_guard(dst, BUF);
			/* All equal: none, whatever lies on either side. */
			dst[off + n] = 0;
			KT_EXPECT_PTR_EQ(t, memchr_inv(dst + off, GUARD, n), NULL);
			/* One odd byte at each position, then a second one after it. */
			for (size_t at = 0; at < n; at++) {
				fill_guard(dst, BUF);
				dst[off + at] = GUARD ^ 0x80;
				KT_EXPECT_PTR_EQ(t, memchr_inv(dst + off, GUARD, n), dst + off + at);
				dst[off + n - 1] = 1;
				KT_EXPECT_PTR_EQ(t, memchr_inv(dst + off, GUARD, n),
						 first_other(dst + off, GUARD, n));
			}
		}
	}
	/* Only the low byte of @c counts, as memset's. */
	fill_guard(dst, BUF);
	KT_EXPECT_PTR_EQ(t, memchr_inv(dst, 0x100 | GUARD, BUF), NULL);
}

static const struct ktest_case string_cases[] = {
	KTEST_CASE(memset_matches_bytes),
	KTEST_CASE(memcpy_every_alignment),
	KTEST_CASE(memmove_overlaps_both_ways),
	KTEST_CASE(memcmp_orders),
	KTEST_CASE(memchr_inv_finds_the_first_other_byte),
	{0},
};

KTEST_SUITE(string, string_cases);
