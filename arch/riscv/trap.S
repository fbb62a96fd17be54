/*
 * trap.S - the supervisor trap vector (stvec, direct mode).
 *
 * The kernel runs only in S-mode, so a trap always arrives on a kernel
 * stack and no stack switch through sscratch is needed.  The frame is
 * complete and the return path real, so that a handler which fixes the
 * cause (a timer tick, say) can simply return; today every trap panics.
 */
#include "trap_frame.h"

	.text
	.balign 4
	.globl riscv_trap_entry
	.type riscv_trap_entry, @function
riscv_trap_entry:
	addi	sp, sp, -TRAP_FRAME_SIZE

	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, TF_REG(\n)(sp)
	.endr
	addi	t0, sp, TRAP_FRAME_SIZE
	sd	t0, TF_REG(2)(sp)

	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)

	mv	a0, sp
	call	riscv_trap_handler

	/* The handler may have changed where to resume (e.g. skip an ecall). */
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0

	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, TF_REG(\n)(sp)
	.endr
	addi	sp, sp, TRAP_FRAME_SIZE
	sret
	.size riscv_trap_entry, . - riscv_trap_entry
