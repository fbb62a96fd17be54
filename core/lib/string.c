/*
 * string.c - the C library string functions a freestanding kernel must
 * provide itself; GCC emits calls to memset/memcpy/memmove/memcmp on its
 * own (struct copies, zeroing), so they keep their standard names.
 *
 * memset, memcpy and memmove work a word at a time once the destination
 * is word aligned (__GFP_ZERO of a 2 MiB block is 256 Ki stores, not
 * 2 Mi).  Words are only read and written where both sides are aligned,
 * because rv64imac traps (or emulates slowly) misaligned accesses;
 * otherwise they fall back to bytes.  Word accesses go through a
 * may_alias type, so they are defined whatever the memory's other uses.
 *
 * GCC may recognise a copy loop and turn it into a call to memcpy - from
 * inside memcpy itself.  These functions ask it not to (clang: no_builtin,
 * which turns off its loop idiom pass for the function).
 */
#include <stdint.h>

#include "kstring.h"

typedef unsigned long __attribute__((may_alias)) word_t;
#define WORD ((uintptr_t)sizeof(word_t))

#ifdef __clang__
#define NO_LOOP_TO_CALL __attribute__((no_builtin))
#else
#define NO_LOOP_TO_CALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

static inline int aligned(uintptr_t a)
{
	return (a & (WORD - 1)) == 0;
}

NO_LOOP_TO_CALL void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t w = (unsigned char)c;

	while (n && !aligned((uintptr_t)d)) {
		*d++ = (unsigned char)c;
		n--;
	}
	w |= w << 8;
	w |= w << 16;
	w |= w << 32;
	/* Four words a round: fewer branches per byte on the big clears. */
	for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD) {
		((word_t *)d)[0] = w;
		((word_t *)d)[1] = w;
		((word_t *)d)[2] = w;
		((word_t *)d)[3] = w;
	}
	for (; n >= WORD; n -= WORD, d += WORD)
		*(word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

/* Forward copy, words where @d and @s can both be word aligned. */
static NO_LOOP_TO_CALL void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1))
		goto bytes;
	while (n && !aligned((uintptr_t)d)) {
		*d++ = *s++;
		n--;
	}
	for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD, s += 4 * WORD) {
		word_t a = ((const word_t *)s)[0], b = ((const word_t *)s)[1];
		word_t x = ((const word_t *)s)[2], y = ((const word_t *)s)[3];

		((word_t *)d)[0] = a;
		((word_t *)d)[1] = b;
		((word_t *)d)[2] = x;
		((word_t *)d)[3] = y;
	}
	for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
		*(word_t *)d = *(const word_t *)s;
bytes:
	while (n--)
		*d++ = *s++;
}

/* Backward copy of [s, s + n) to [d, d + n), the ends first. */
static NO_LOOP_TO_CALL void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1))
		goto bytes;
	while (n && !aligned((uintptr_t)d)) {
		*--d = *--s;
		n--;
	}
	for (; n >= WORD; n -= WORD) {
		d -= WORD;
		s -= WORD;
		*(word_t *)d = *(const word_t *)s;
	}
bytes:
	while (n--)
		*--d = *--s;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	/* Copy backwards when the destination overlaps the source's tail. */
	if ((uintptr_t)dst > (uintptr_t)src && (uintptr_t)dst < (uintptr_t)src + n)
		copy_backward(dst, src, n);
	else
		copy_forward(dst, src, n);
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}
