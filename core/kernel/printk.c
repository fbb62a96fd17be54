/*
 * printk.c - console output and bounded string formatting.
 *
 * The console is arch_console_putc(); a lock keeps lines whole once there
 * is more than one CPU.  It is taken with interrupts masked, so that an
 * interrupt handler printing on a CPU that holds it (a failed check in a
 * cross-CPU call) cannot deadlock, and so that a CPU is never stopped by
 * a plain IPI with the lock held.  panic() does not take it.
 */
#include "arch.h"
#include "format.h"
#include "printk.h"
#include "spinlock.h"

static DEFINE_SPINLOCK(console_lock);

static void console_put(struct format_sink *sink, char c)
{
	(void)sink;
	arch_console_putc(c);
}

int vprintk(const char *fmt, va_list ap)
{
	struct format_sink sink = { console_put };
	unsigned long flags;
	size_t n;

	flags = spin_lock_irqsave(&console_lock);
	n = format(&sink, fmt, ap);
	spin_unlock_irqrestore(&console_lock, flags);
	return (int)n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void console_puts(const char *s)
{
	unsigned long flags = spin_lock_irqsave(&console_lock);

	while (*s)
		arch_console_putc(*s++);
	spin_unlock_irqrestore(&console_lock, flags);
}

struct buffer_sink {
	struct format_sink sink;
	char *buf;
	size_t size;
	size_t len;
};

static void buffer_put(struct format_sink *sink, char c)
{
	struct buffer_sink *b = (struct buffer_sink *)sink;

	/* Keep the last byte for the terminator; count what did not fit. */
	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer_sink b = { { buffer_put }, buf, size, 0 };

	format(&b.sink, fmt, ap);
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return (int)b.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
