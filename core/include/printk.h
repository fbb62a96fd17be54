/*
 * printk.h - formatted console output.
 *
 * Supports the conversions the kernel needs: %d %i %u %x %X %o %c %s %p %%,
 * the length modifiers hh h l ll z j t, a width, '-' and '0' flags and a
 * precision for %s.  Floating point is deliberately absent (no FPU use in
 * the kernel).
 */
#ifndef MMKIT_PRINTK_H
#define MMKIT_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 1, 2))) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);

/* Like the C library's: always NUL-terminates when @size > 0; returns the
 * length the full output would have had. */
__attribute__((format(printf, 3, 4))) int ksnprintf(char *buf, size_t size, const char *fmt, ...);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Write a string to the console with no formatting. */
void console_puts(const char *s);

#endif /* MMKIT_PRINTK_H */
