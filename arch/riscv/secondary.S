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

/*
 * A hart OpenSBI 1.1 sent to the kernel's entry point instead of here
 * (boot_slot.h), from entry.S: a0 = its hart id, a1 = not its slot.  It
 * left OpenSBI's wait because the boot hart is starting it, which
 * published the slot first; the fence orders our read of it after
 * OpenSBI's read of the hart's state.
 */
	.globl riscv_late_secondary
	.type riscv_late_secondary, @function
riscv_late_secondary:
	csrw	sie, zero
	fence	rw, rw
	lla	t0, riscv_late_entries
	li	t1, 1
	amoadd.w t1, t1, (t0)
	lla	t0, riscv_pending_slot
	ld	a1, 0(t0)
	beqz	a1, 2f
	ld	t1, SLOT_HARTID(a1)
	beq	t1, a0, riscv_secondary_entry
	/* Not the hart being started: nothing is waiting for it. */
2:	wfi
	j	2b
	.size riscv_late_secondary, . - riscv_late_secondary
