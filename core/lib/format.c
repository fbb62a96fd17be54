/*
 * format.c - the printf-style formatter behind printk() and ksnprintf().
 *
 * One formatter, two sinks: the console and a bounded buffer.  It knows the
 * conversions a kernel needs and nothing else (no floating point: the
 * kernel never touches the FPU).
 */
#include <stdbool.h>
#include <stdint.h>

#include "format.h"

struct spec {
	bool left;       /* '-' flag */
	bool zero;       /* '0' flag */
	int width;
	int precision;   /* -1 = none */
	int length;      /* 'H' hh, 'h', 'l', 'L' ll/j/z/t (all 64-bit here) */
};

static size_t emit_padding(struct format_sink *sink, char c, int n)
{
	size_t written = 0;

	for (; n > 0; n--, written++)
		sink->put(sink, c);
	return written;
}

static size_t emit_field(struct format_sink *sink, const struct spec *sp,
			 const char *prefix, const char *digits, size_t ndigits)
{
	size_t plen = 0, written = 0;
	int pad;

	while (prefix[plen])
		plen++;
	pad = sp->width - (int)(plen + ndigits);
	if (!sp->left && !sp->zero)
		written += emit_padding(sink, ' ', pad);
	for (size_t i = 0; i < plen; i++, written++)
		sink->put(sink, prefix[i]);
	if (!sp->left && sp->zero)
		written += emit_padding(sink, '0', pad);
	for (size_t i = 0; i < ndigits; i++, written++)
		sink->put(sink, digits[i]);
	if (sp->left)
		written += emit_padding(sink, ' ', pad);
	return written;
}

static size_t emit_unsigned(struct format_sink *sink, const struct spec *sp,
			    uint64_t v, unsigned int base, bool upper,
			    const char *prefix)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	size_t n = 0;

	/* Digits come out least significant first; fill from the end. */
	do {
		buf[sizeof(buf) - 1 - n++] = set[v % base];
		v /= base;
	} while (v);
	while (sp->precision > 0 && n < (size_t)sp->precision && n < sizeof(buf))
		buf[sizeof(buf) - 1 - n++] = '0';
	return emit_field(sink, sp, prefix, buf + sizeof(buf) - n, n);
}

static uint64_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	default:  return va_arg(*ap, unsigned int);
	}
}

static int64_t fetch_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	default:  return va_arg(*ap, int);
	}
}

size_t format(struct format_sink *sink, const char *fmt, va_list ap_in)
{
	size_t written = 0;
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		struct spec sp = { .precision = -1 };

		if (*p != '%') {
			sink->put(sink, *p);
			written++;
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				sp.left = true;
			else if (*p == '0')
				sp.zero = true;
			else
				break;
		}
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			p++;
		}
		while (*p >= '0' && *p <= '9')
			sp.width = sp.width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			sp.precision = 0;
			if (*p == '*') {
				sp.precision = va_arg(ap, int);
				p++;
			}
			while (*p >= '0' && *p <= '9')
				sp.precision = sp.precision * 10 + (*p++ - '0');
		}
		/* Every 64-bit length (ll, j, z, t) reads the same on LP64. */
		if (*p == 'h') {
			sp.length = 'h';
			if (*++p == 'h') {
				sp.length = 'H';
				p++;
			}
		} else if (*p == 'l') {
			sp.length = 'l';
			if (*++p == 'l') {
				sp.length = 'L';
				p++;
			}
		} else if (*p == 'z' || *p == 'j' || *p == 't') {
			sp.length = 'L';
			p++;
		}

		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = fetch_signed(&sp, &ap);
			/* Negate in unsigned arithmetic: -INT64_MIN overflows. */
			uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
			written += emit_unsigned(sink, &sp, mag, 10, false, v < 0 ? "-" : "");
			break;
		}
		case 'u':
			written += emit_unsigned(sink, &sp, fetch_unsigned(&sp, &ap), 10, false, "");
			break;
		case 'x':
		case 'X':
			written += emit_unsigned(sink, &sp, fetch_unsigned(&sp, &ap), 16, *p == 'X', "");
			break;
		case 'o':
			written += emit_unsigned(sink, &sp, fetch_unsigned(&sp, &ap), 8, false, "");
			break;
		case 'p':
			sp.length = 0;
			written += emit_unsigned(sink, &sp, (uintptr_t)va_arg(ap, void *), 16, false, "0x");
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			written += emit_field(sink, &sp, "", &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			if (!s)
				s = "(null)";
			while (s[n] && (sp.precision < 0 || n < (size_t)sp.precision))
				n++;
			written += emit_field(sink, &sp, "", s, n);
			break;
		}
		case '%':
			sink->put(sink, '%');
			written++;
			break;
		case '\0':
			/* A lone '%' at the end: print it and stop. */
			sink->put(sink, '%');
			written++;
			p--;
			break;
		default:
			/* Unknown conversion: show it rather than guess. */
			sink->put(sink, '%');
			sink->put(sink, *p);
			written += 2;
			break;
		}
	}
	va_end(ap);
	return written;
}
