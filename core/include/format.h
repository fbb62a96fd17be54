/*
 * format.h - the formatter shared by printk() and ksnprintf(): it writes
 * characters into a sink, one at a time, and returns how many it wrote.
 */
#ifndef MMKIT_FORMAT_H
#define MMKIT_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

struct format_sink {
	void (*put)(struct format_sink *sink, char c);
};

size_t format(struct format_sink *sink, const char *fmt, va_list ap);

#endif /* MMKIT_FORMAT_H */
