/*
 * trampoline.S - how an application processor (AP) gets from the real
 * mode it wakes in to the kernel's 64-bit C.
 *
 * A STARTUP IPI starts the AP in 16-bit real mode at CS:IP = (vector <<
 * 8):0000, i.e. the start of a page below 1 MiB.  smp.c copies the blob
 * between x86_trampoline_start and x86_trampoline_end to
 * X86_TRAMPOLINE_BASE and fills in its parameters (x86_trampoline_params:
 * the boot CPU's CR0, CR4 and EFER, the boot tables' CR3, the AP's stack,
 * where to go and with what).  The AP then goes 16-bit -> 32-bit protected mode (a GDT of
 * its own inside the blob) -> long mode on the boot page tables (boot.S:
 * they map this page executable), and jumps to x86_ap_entry64 in the
 * kernel proper, which switches to the kernel's own tables.  Inside the blob every
 * address is its copy's: X86_TRAMPOLINE_BASE + offset, or RIP-relative.
 */
#include "x86.h"

#define TRAMP(sym) (X86_TRAMPOLINE_BASE + ((sym) - x86_trampoline_start))

/* The blob's own GDT: the kernel's layout for 0x08/0x10, plus 32-bit code. */
#define TRAMP_CS64 0x08
#define TRAMP_DS 0x10
#define TRAMP_CS32 0x18

#define CR0_PE 1
#define EFER_LMA (1 << 10)
#define EFER_MSR 0xC0000080

	.section .rodata.trampoline, "a"
	.code16
	.globl x86_trampoline_start
x86_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdt_ptr - x86_trampoline_start
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $TRAMP_CS32, $TRAMP(tramp32)

	.code32
tramp32:
	movw $TRAMP_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	/* The boot CPU's paging setup: PAE (and the rest of its CR4), then
	 * its page tables, then EFER.LME; CR0.PG turns long mode on. */
	movl TRAMP(tramp_cr4), %eax
	movl %eax, %cr4
	movl TRAMP(tramp_cr3), %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	movl TRAMP(tramp_efer), %eax
	movl TRAMP(tramp_efer) + 4, %edx
	andl $~EFER_LMA, %eax		/* read-only: the CPU sets it */
	wrmsr
	movl TRAMP(tramp_cr0), %eax
	movl %eax, %cr0
	ljmpl $TRAMP_CS64, $TRAMP(tramp64)

	.code64
tramp64:
	movq tramp_stack(%rip), %rsp
	movq tramp_arg(%rip), %rdi
	movq tramp_entry(%rip), %rax
	jmpq *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF	/* 0x08: 64-bit code, as the kernel's */
	.quad 0x00CF92000000FFFF	/* 0x10: flat data, as the kernel's */
	.quad 0x00CF9A000000FFFF	/* 0x18: flat 32-bit code */
tramp_gdt_end:
	.balign 8
tramp_gdt_ptr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long TRAMP(tramp_gdt)

	/* struct x86_trampoline_params (smp.c): keep the order. */
	.balign 8
	.globl x86_trampoline_params
x86_trampoline_params:
tramp_cr0:	.quad 0
tramp_cr3:	.quad 0
tramp_cr4:	.quad 0
tramp_efer:	.quad 0
tramp_stack:	.quad 0
tramp_entry:	.quad 0
tramp_arg:	.quad 0
	.globl x86_trampoline_end
x86_trampoline_end:

/* ------------------------------------------------------------------------ */
/*
 * In the kernel proper, in long mode on the blob's GDT, with RSP the AP's
 * stack and RDI its boot slot: the kernel's GDT and segments, then C.
 * CS (0x08) means the same in both GDTs, so it needs no reload.
 */
	.section .text
	.globl x86_ap_entry64
x86_ap_entry64:
	/* Kernel text, stacks and data are mapped alike in both tables. */
	movq x86_kernel_cr3(%rip), %rax
	movq %rax, %cr3
	lgdt x86_gdt_ptr(%rip)
	movw $X86_KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	xorl %ebp, %ebp		/* ends the frame-pointer chain */
	call x86_ap_main
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
