/*
 * panic.c - stop because the kernel's state can no longer be trusted.
 *
 * Output bypasses the console lock: the panic may come from inside
 * printk() (a recursive lock, a fault while printing), and the message
 * matters more than tidy interleaving.
 *
 * With SMP, every other CPU is stopped first (smp_stop_others(): an NMI
 * where the machine has one), so that none prints over the report or
 * changes memory while it and the coverage counters are read.  The first
 * CPU to panic reports; another CPU panicking meanwhile stops quietly, and
 * a panic while panicking on the same CPU just leaves.
 */
#include "arch.h"
#ifdef MMKIT_COVERAGE_IMAGE
#include "gcov.h"
#endif
#include "kernel.h"
#include "panic.h"
#include "printk.h"
#include "smp.h"

/* 0, or (with SMP) the CPU + 1 that is panicking. */
static unsigned int panicking;

static void raw_puts(const char *s)
{
	while (*s)
		arch_console_putc(*s++);
}

_Noreturn void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
#ifdef CONFIG_SMP
	/* Not this_cpu(): its check could panic again. */
	unsigned int me = arch_cpu_id() + 1, first;

	first = __atomic_exchange_n(&panicking, me, __ATOMIC_ACQ_REL);
	if (first == me)
		arch_exit(EXIT_PANIC);          /* a panic while panicking */
	if (first)
		smp_stop_self();                /* the first panic reports */
#else
	/* A panic while panicking: report nothing more, just leave. */
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_exit(EXIT_PANIC);
#endif

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

#ifdef CONFIG_SMP
	{
		/* riscv64 has no NMI: a CPU spinning with interrupts off goes on. */
		unsigned int running = smp_stop_others(true);
		char note[64];

		if (running) {
			ksnprintf(note, sizeof(note), "\nmmkit: panic: %u CPU(s) did not stop\n",
				  running);
			raw_puts(note);
		}
	}
#endif
	raw_puts("\n" PANIC_PREFIX);
	raw_puts(msg);
	raw_puts("\n");
#ifdef MMKIT_COVERAGE_IMAGE
	/* The coverage image sends what ran up to the panic (the other CPUs
	 * are stopped); a panic inside the dump itself ends above instead. */
	gcov_dump();
#endif
	raw_puts(EXIT_MARKER "2 (panic)\n");
	arch_exit(EXIT_PANIC);
}
