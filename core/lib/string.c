/*
 * string.c - the C library string functions a freestanding kernel must
 * provide itself; GCC emits calls to memset/memcpy/memmove/memcmp on its
 * own (struct copies, zeroing), so they keep their standard names.
 * Plain byte loops: clear, and not on any path the benchmarks care about.
 */
#include <stdint.h>

#include "kstring.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copy backwards when the destination overlaps the source's tail. */
	if ((uintptr_t)d > (uintptr_t)s && (uintptr_t)d < (uintptr_t)s + n) {
		while (n--)
			d[n] = s[n];
	} else {
		while (n--)
			*d++ = *s++;
	}
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
