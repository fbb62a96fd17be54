/*
 * kstring.h - the C library string functions the kernel provides itself
 * (core/lib/string.c).  GCC may emit calls to memset/memcpy/memmove/memcmp
 * on its own, so they keep their standard names.  The host build (tests/host)
 * uses the C library's instead and does not compile core/lib/string.c;
 * memchr_inv(), which the C library lacks, is built everywhere.
 */
#ifndef MMKIT_KSTRING_H
#define MMKIT_KSTRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/*
 * The first of the @n bytes at @s that is not (unsigned char)@c, or NULL
 * (Linux's memchr_inv; core/lib/memchr_inv.c, built for the host too).
 */
void *memchr_inv(const void *s, int c, size_t n);

#endif /* MMKIT_KSTRING_H */
