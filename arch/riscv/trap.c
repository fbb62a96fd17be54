/*
 * trap.c - what to do with a trap: take the interrupts the kernel asked
 * for (the tick and IPIs, irq.c), report anything else and stop.
 *
 * The kernel expects no exception but a page fault that fault.c can
 * recover from (a probe, or one that mm resolves), so any other trap means
 * something went wrong: panic() names it for the person reading the log
 * and exits with EXIT_PANIC.
 */
#include <stddef.h>

#include "arch.h"
#include "kernel.h"
#include "panic.h"
#include "riscv.h"
#include "trap_frame.h"

_Static_assert(offsetof(struct trap_frame, sepc) == TF_SEPC, "trap frame: sepc");
_Static_assert(offsetof(struct trap_frame, sstatus) == TF_SSTATUS, "trap frame: sstatus");
_Static_assert(offsetof(struct trap_frame, scause) == TF_SCAUSE, "trap frame: scause");
_Static_assert(offsetof(struct trap_frame, stval) == TF_STVAL, "trap frame: stval");
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "trap frame: size");

#define SCAUSE_INTERRUPT (1UL << 63)

/* Privileged spec, table "Supervisor cause register (scause) values". */
static const char *const exception_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store/AMO address misaligned",
	[7] = "store/AMO access fault",
	[8] = "environment call from U-mode",
	[9] = "environment call from S-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store/AMO page fault",
};

static const char *const interrupt_names[] = {
	[1] = "supervisor software interrupt",
	[5] = "supervisor timer interrupt",
	[9] = "supervisor external interrupt",
	[13] = "counter overflow interrupt",
};

static const char *trap_cause_name(unsigned long scause)
{
	unsigned long code = scause & ~SCAUSE_INTERRUPT;
	const char *name = NULL;

	if (scause & SCAUSE_INTERRUPT) {
		if (code < ARRAY_SIZE(interrupt_names))
			name = interrupt_names[code];
		return name ? name : "unknown interrupt";
	}
	if (code < ARRAY_SIZE(exception_names))
		name = exception_names[code];
	return name ? name : "unknown exception";
}

/* Minimal output for a trap taken while reporting a trap: printk() and
 * panic() may be what faulted, so use nothing but the UART. */
static void raw_puts(const char *s)
{
	while (*s)
		arch_console_putc(*s++);
}

static void raw_puthex(unsigned long v)
{
	static const char digits[] = "0123456789abcdef";

	raw_puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		arch_console_putc(digits[(v >> shift) & 0xf]);
}

void riscv_trap_handler(struct trap_frame *tf)
{
	static int reporting;

#ifdef CONFIG_SMP
	/* The timer tick and IPIs (irq.c); anything else is reported. */
	if ((tf->scause & SCAUSE_INTERRUPT) && riscv_interrupt(tf->scause & ~SCAUSE_INTERRUPT))
		return;
#endif
	if (riscv_handle_fault(tf))
		return;

	/*
	 * A second trap while the first is being reported would recurse
	 * through panic() forever (or until the stack runs into .bss).
	 * The flag is taken atomically so that it stays right once several
	 * CPUs run.
	 */
	if (__atomic_exchange_n(&reporting, 1, __ATOMIC_ACQ_REL)) {
		raw_puts("\nPANIC: trap while handling a trap: scause=");
		raw_puthex(tf->scause);
		raw_puts(" sepc=");
		raw_puthex(tf->sepc);
		raw_puts(" stval=");
		raw_puthex(tf->stval);
		raw_puts("\n" EXIT_MARKER "2 (panic)\n");
		arch_exit(EXIT_PANIC);
	}

	panic("unhandled trap: scause=0x%lx sepc=0x%lx stval=0x%lx (%s)",
	      tf->scause, tf->sepc, tf->stval, trap_cause_name(tf->scause));
}
