/*
 * exception_entry.S - the first instructions of every CPU exception.
 *
 * The CPU pushes an error code for some vectors and not for others; each
 * stub evens that out (pushes a 0 where the CPU does not) and pushes its
 * vector number, so one common path can save the registers and hand C a
 * struct trap_frame (trap_frame.h) of a single layout.
 *
 * In 64-bit mode the CPU aligns RSP to 16 bytes before pushing its 5-word
 * frame; error code, vector and 15 registers make 22 words in all, so RSP
 * is 16-byte aligned at the call, as the SysV ABI requires.
 */
#include "x86.h"

	.section .text
	.code64

/* Vectors for which the CPU pushes an error code (Intel SDM vol. 3, table 6-1). */
#define HAS_ERROR_CODE(v) \
	((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || \
	 (v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

.macro exception_stub vec
	.balign 16
exception_stub_\vec:
	.if !HAS_ERROR_CODE(\vec)
	pushq $0
	.endif
	pushq $\vec
	jmp exception_common
.endm

.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	exception_stub \vec
.endr

exception_common:
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
	call x86_exception
	/* x86_exception() returns when fault.c recovered the fault (a probe, a resolved #PF). */
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

/* Entry addresses, indexed by vector, for idt.c. */
	.section .rodata
	.balign 8
	.globl x86_exception_stubs
x86_exception_stubs:
.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exception_stub_\vec
.endr
	.size x86_exception_stubs, . - x86_exception_stubs

	.section .note.GNU-stack, "", @progbits
