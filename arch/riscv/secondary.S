/*
 * secondary.S - the first instructions of a hart the kernel started
 * (smp.c, through SBI HSM hart_start).
 *
 * OpenSBI enters here in S-mode with the MMU off, interrupts disabled,
 * a0 = hart id and a1 = the opaque argument: this hart's boot slot
 * (boot_slot.h), holding its stack and its CPU index.  As on the boot
 * hart (entry.S), tp holds the CPU index for arch_cpu_id() and every trap
 * goes to riscv_trap_entry.
 */
#include "boot_slot.h"

	.text
	.balign 4
	.globl riscv_secondary_entry
	.type riscv_secondary_entry, @function
riscv_secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero

	ld	sp, SLOT_STACK(a1)
	ld	tp, SLOT_CPU(a1)

	lla	t0, riscv_trap_entry
	csrw	stvec, t0

	/* fp = ra = 0 ends any frame-pointer walk. */
	li	s0, 0
	li	ra, 0
	call	riscv_secondary_start

	/* riscv_secondary_start() never returns; if it did, stay put. */
1:	wfi
	j	1b
	.size riscv_secondary_entry, . - riscv_secondary_entry
