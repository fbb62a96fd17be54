/*
 * irq_entry.S - the first instructions of every interrupt vector from 32
 * to 255 (the local APIC timer, IPIs, the spurious vector and anything
 * unexpected).
 *
 * One stub per vector, X86_IRQ_STUB_SIZE bytes apart so that idt.c can
 * compute each address: it pushes a zero in the error code's place and the
 * vector, then shares one path that saves the registers and hands C the
 * same struct trap_frame as an exception (trap_frame.h), and returns with
 * iretq once x86_irq() (irq.c) is done.  Interrupt gates clear IF, so
 * handlers do not nest.
 */
#include "x86.h"

	.section .text
	.code64

	.balign X86_IRQ_STUB_SIZE
	.globl x86_irq_stubs
x86_irq_stubs:
	vector = X86_NR_EXCEPTIONS
	.rept X86_IDT_VECTORS - X86_NR_EXCEPTIONS	/* none without SMP */
1:	pushq $0
	pushq $vector
	jmp irq_common
	/* Pads the stub to its size; an assembler error if it is larger. */
	.org 1b + X86_IRQ_STUB_SIZE, 0xcc
	vector = vector + 1
	.endr

irq_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld			/* the ABI assumes DF = 0 on entry to C */
	call x86_irq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
