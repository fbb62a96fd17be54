/*
 * panic.c - stop because the kernel's state can no longer be trusted.
 *
 * Output bypasses the console lock: the panic may come from inside
 * printk() (a recursive lock, a fault while printing), and the message
 * matters more than tidy interleaving.
 */
#include "arch.h"
#include "kernel.h"
#include "panic.h"
#include "printk.h"

static int panicking;

static void raw_puts(const char *s)
{
	while (*s)
		arch_console_putc(*s++);
}

_Noreturn void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	/* A panic while panicking: report nothing more, just leave. */
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_exit(EXIT_PANIC);

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	raw_puts("\n" PANIC_PREFIX);
	raw_puts(msg);
	raw_puts("\n" EXIT_MARKER "2 (panic)\n");
	arch_exit(EXIT_PANIC);
}
