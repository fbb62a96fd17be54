/*
 * entry.S - the first instructions of the kernel.
 *
 * OpenSBI jumps here in S-mode, at the load address, with the MMU off,
 * a0 = hart id and a1 = physical address of the flattened device tree
 * (the RISC-V SBI boot protocol).  Only one hart arrives; the others stay
 * parked in OpenSBI until someone asks for them through the HSM extension.
 * Which hart arrives is up to OpenSBI's boot lottery, so its id is passed
 * on rather than assumed to be 0.  A second hart can arrive here too,
 * through OpenSBI 1.1's hart_start race (boot_slot.h): only the first one
 * to claim the boot boots.
 */

	.section .text.entry, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
#ifdef CONFIG_SMP
	lla	t0, riscv_boot_claimed
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, riscv_late_secondary
#endif

	/* No interrupt source is wanted before the kernel asks for one. */
	csrw	sie, zero
	csrw	sscratch, zero

	lla	sp, __stack_top

	/* s1/s2 are callee-saved: they survive into the C call below. */
	mv	s1, a0
	mv	s2, a1

	/*
	 * Zero .bss before any C runs: C assumes static storage starts at
	 * zero, and coverage counters live there.  The linker script aligns
	 * both ends to 8 bytes, so whole doublewords can be stored.
	 */
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	/*
	 * A trap with no vector installed spins forever inside OpenSBI's
	 * leftovers; from here on every trap is reported instead.  Direct
	 * mode (low bits 0) needs a 4-byte aligned handler.
	 */
	lla	t0, riscv_trap_entry
	csrw	stvec, t0

	/*
	 * tp holds the logical CPU index (arch_cpu_id()); the boot CPU is 0
	 * whatever its hart id.  fp = ra = 0 ends any frame-pointer walk.
	 */
	li	tp, 0
	li	s0, 0
	li	ra, 0

	mv	a0, s1
	mv	a1, s2
	call	arch_riscv_start

	/* arch_riscv_start() never returns; if it did, stay put. */
3:	wfi
	j	3b
	.size _start, . - _start

#ifdef CONFIG_SMP
	/* In .data: set before .bss is cleared, and never cleared. */
	.section .data
	.balign 4
	.globl riscv_boot_claimed
riscv_boot_claimed:
	.word 0
	.globl riscv_late_entries
riscv_late_entries:
	.word 0
#endif
