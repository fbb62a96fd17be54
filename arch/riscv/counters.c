/*
 * counters.c - the cycle and retired-instruction counters.
 *
 * S-mode may read cycle and instret only where M-mode firmware set their
 * bits in mcounteren, and a read that is not allowed traps as an illegal
 * instruction.  OpenSBI 1.1 (QEMU 7.2's bundled firmware) does allow both,
 * checked by booting, so no fallback is needed on this machine.
 *
 * Under -icount shift=0 QEMU derives both from its virtual clock: they are
 * equal to each other, and a difference between two reads inside the
 * kernel repeats exactly from run to run.  The absolute values repeat only
 * with -icount shift=0,sleep=off: otherwise idle time, which QEMU lets
 * pass at host speed, creeps in before the kernel is entered.
 */
#include <stdint.h>

#include "arch.h"

uint64_t arch_cycles(void)
{
	uint64_t v;

	/* volatile: two reads must never be merged or hoisted. */
	__asm__ volatile("rdcycle %0" : "=r"(v));
	return v;
}

uint64_t arch_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}
