/*
 * reciprocal_test.c - reciprocal.h against the hardware divide.
 *
 * The slab computes object indexes with it, so a wrong quotient would
 * hand out or accept the wrong object.  The proof in reciprocal.h holds
 * for x * d < 2^32; these cases check it where it is tightest (the top of
 * the domain, either side of every multiple of d near it) for every
 * divisor a slab stride can be, and over pseudo-random dividends.
 */
#include <stdint.h>

#include "kernel.h"
#include "ktest.h"
#include "reciprocal.h"

#define STRIDE_MAX (RECIPROCAL_LIMIT - 1)

/* Compare floor(@x / @d) both ways; false (and a failure named) on a mismatch. */
static bool check(struct ktest *t, uint32_t x, uint32_t d)
{
	uint32_t got = reciprocal_divide(x, reciprocal_value(d));

	if (got == x / d)
		return true;
	KT_FAIL(t, "%u / %u: reciprocal gives %u, divide gives %u", x, d, got, x / d);
	return false;
}

/* Around the largest multiples of @d in the domain, where the error is largest. */
static bool check_divisor(struct ktest *t, uint32_t d)
{
	uint32_t top = (STRIDE_MAX / d) * d;

	if (!check(t, 0, d) || !check(t, STRIDE_MAX, d) || !check(t, d - 1, d) || !check(t, d, d))
		return false;
	for (uint32_t k = 0; k < 3 && top >= k * d + 1; k++) {
		uint32_t m = top - k * d;

		if (!check(t, m, d) || !check(t, m - 1, d))
			return false;
	}
	return true;
}

static void small_divisors(struct ktest *t)
{
	for (uint32_t d = 1; d <= 4096; d++)
		if (!check_divisor(t, d))
			return;
}

/* Every stride a slab cache can have: multiples of the pointer size. */
static void slab_strides(struct ktest *t)
{
	for (uint32_t d = sizeof(void *); d <= STRIDE_MAX; d += sizeof(void *))
		if (!check_divisor(t, d))
			return;
}

static void random_dividends(struct ktest *t)
{
	uint64_t state = 0x9e3779b97f4a7c15u;

	for (unsigned int i = 0; i < 20000; i++) {
		uint32_t x, d;

		/* xorshift64: a fixed sequence, so a failure repeats. */
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		x = (uint32_t)(state % RECIPROCAL_LIMIT);
		d = (uint32_t)((state >> 32) % STRIDE_MAX) + 1;
		if (!check(t, x, d))
			return;
	}
}

static const struct ktest_case reciprocal_cases[] = {
	KTEST_CASE(small_divisors),
	KTEST_CASE(slab_strides),
	KTEST_CASE(random_dividends),
	{ 0 },
};
KTEST_SUITE(reciprocal, reciprocal_cases);
