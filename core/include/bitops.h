/*
 * bitops.h - bitmaps of unsigned long words, for the page and slab
 * allocators: one definition of each operation.
 *
 * Bit i of a bitmap is bit (i % BITS_PER_LONG) of word i / BITS_PER_LONG.
 * Searches go a word at a time: a word with nothing of interest is skipped
 * whole, and inside a word the lowest interesting bit is found by
 * arithmetic (lowest_bit()) instead of a bit-by-bit loop.
 */
#ifndef MMKIT_BITOPS_H
#define MMKIT_BITOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITS_PER_LONG (8 * sizeof(unsigned long))
#define BITMAP_WORDS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

_Static_assert(sizeof(unsigned long) == 8, "bitops.h assumes 64-bit words (LP64)");

static inline bool test_bit(const unsigned long *map, size_t i)
{
	return (map[i / BITS_PER_LONG] >> (i % BITS_PER_LONG)) & 1ul;
}

static inline void set_bit(unsigned long *map, size_t i)
{
	map[i / BITS_PER_LONG] |= 1ul << (i % BITS_PER_LONG);
}

static inline void clear_bit(unsigned long *map, size_t i)
{
	map[i / BITS_PER_LONG] &= ~(1ul << (i % BITS_PER_LONG));
}

/*
 * Index of the lowest set bit of @w, which must not be 0.  Not
 * __builtin_ctzl(): on riscv64 without the Zbb extension GCC turns it into
 * a call to libgcc's __ctzdi2.  w & -w keeps only the lowest set bit;
 * multiplying that power of two by a de Bruijn constant leaves a distinct
 * pattern in the top six bits for each of the 64 positions, which the
 * table maps back to the position.
 */
static inline unsigned int lowest_bit(unsigned long w)
{
	static const uint8_t debruijn_position[64] = {
		0, 1, 2, 53, 3, 7, 54, 27, 4, 38, 41, 8, 34, 55, 48, 28,
		62, 5, 39, 46, 44, 42, 22, 9, 24, 35, 59, 56, 49, 18, 29, 11,
		63, 52, 6, 26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
		51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
	};

	return debruijn_position[((w & -w) * 0x022fdd63cc95386dUL) >> 58];
}

/*
 * Set bits in @w.  Not __builtin_popcountll(), for the reason above
 * (__popcountdi2); the parallel sum of the usual bit trick.
 */
static inline unsigned int hweight64(uint64_t w)
{
	w = w - ((w >> 1) & 0x5555555555555555ull);
	w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned int)((w * 0x0101010101010101ull) >> 56);
}

/* Set (@set) or clear bits [@start, @start + @n), a word at a time. */
static inline void bitmap_fill(unsigned long *map, size_t start, size_t n, bool set)
{
	while (n) {
		size_t off = start % BITS_PER_LONG;
		size_t k = n < BITS_PER_LONG - off ? n : BITS_PER_LONG - off;
		unsigned long mask = (k == BITS_PER_LONG ? ~0ul : ((1ul << k) - 1)) << off;

		if (set)
			map[start / BITS_PER_LONG] |= mask;
		else
			map[start / BITS_PER_LONG] &= ~mask;
		start += k;
		n -= k;
	}
}

/* First index in [@from, @limit) whose bit is @set, or @limit if none. */
static inline size_t bitmap_find_next(const unsigned long *map, size_t from, size_t limit,
				      bool set)
{
	while (from < limit) {
		size_t w = from / BITS_PER_LONG;
		unsigned long word = set ? map[w] : ~map[w];

		word &= ~0ul << (from % BITS_PER_LONG);
		if (word) {
			size_t i = w * BITS_PER_LONG + lowest_bit(word);

			return i < limit ? i : limit;
		}
		from = (w + 1) * BITS_PER_LONG;
	}
	return limit;
}

#endif /* MMKIT_BITOPS_H */
