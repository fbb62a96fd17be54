/*
 * reciprocal.h - exact division by a divisor fixed at run time, by a
 * multiplication.
 *
 * A slab turns an object's offset into its index on every alloc and free.
 * The stride is known only when the cache is created, so the compiler
 * cannot strength-reduce the divide, and a 64-bit hardware divide costs
 * tens of cycles where a multiply costs a few.  For a divisor d let
 * m = floor(2^32 / d) + 1.  Then for every x with x * d < 2^32
 *
 *     floor(x / d) == (x * m) >> 32
 *
 * because x * m / 2^32 exceeds x / d by more than 0 and at most
 * x / 2^32 < 1 / d, and x / d sits at least 1 / d below the next integer.
 * Both x and d below 2^16 (RECIPROCAL_LIMIT) is the domain callers keep;
 * x * m then fits in 64 bits with room to spare.
 */
#ifndef MMKIT_RECIPROCAL_H
#define MMKIT_RECIPROCAL_H

#include <stdint.h>

/* Dividends and divisors must be below this. */
#define RECIPROCAL_LIMIT ((uint32_t)1 << 16)

struct reciprocal {
	uint64_t m;
};

/* @d in 1 .. RECIPROCAL_LIMIT - 1. */
static inline struct reciprocal reciprocal_value(uint32_t d)
{
	struct reciprocal r = { ((uint64_t)1 << 32) / d + 1 };

	return r;
}

/* floor(@x / d) for the d of @r, @x below RECIPROCAL_LIMIT. */
static inline uint32_t reciprocal_divide(uint32_t x, struct reciprocal r)
{
	return (uint32_t)(((uint64_t)x * r.m) >> 32);
}

#endif /* MMKIT_RECIPROCAL_H */
