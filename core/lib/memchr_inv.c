/*
 * memchr_inv.c - the first byte of a range that is not a given value, as
 * Linux's memchr_inv(): what every poison, red-zone and page-poison check
 * asks.  Those checks read whole objects and pages on every allocation of
 * a debugging preset, so it reads a word at a time between byte-wise ends
 * (a 4 KiB object: 512 compares, not 4096).  Built for the host too: the
 * C library has no such function.
 */
#include <stdint.h>

#include "kstring.h"

typedef unsigned long __attribute__((may_alias)) word_t;
#define WORD ((uintptr_t)sizeof(word_t))

void *memchr_inv(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	const unsigned char b = (unsigned char)c;
	const word_t w = (word_t)b * (~(word_t)0 / 0xff);	/* b in every byte */

	for (; n && ((uintptr_t)p & (WORD - 1)); n--, p++)
		if (*p != b)
			return (void *)(uintptr_t)p;
	/* Four words a round; a round that differs is left to the bytes. */
	for (; n >= 4 * WORD; n -= 4 * WORD, p += 4 * WORD) {
		const word_t *q = (const word_t *)p;

		if ((q[0] ^ w) | (q[1] ^ w) | (q[2] ^ w) | (q[3] ^ w))
			break;
	}
	for (; n; n--, p++)
		if (*p != b)
			return (void *)(uintptr_t)p;
	return NULL;
}
