/*
 * boot.S - from the multiboot loader's 32-bit protected mode to C in
 * 64-bit long mode.
 *
 * QEMU's -kernel only loads 32-bit multiboot images, so this 64-bit kernel
 * is converted to elf32-i386 after linking and starts here in 32-bit code:
 * paging off, interrupts off, flat segments, EAX = multiboot magic, EBX =
 * physical address of the multiboot information, no usable stack.
 *
 * Long mode needs paging, so the 32-bit part builds an identity map of the
 * first 4 GiB with 2 MiB pages (PML4 -> one PDPT -> four page directories).
 * Identity mapping keeps every physical address the firmware hands us
 * (multiboot info, memory map, devices) usable as a pointer, and 4 GiB is
 * all a 32-bit loader can point at.  These tables only carry the kernel
 * into C: once the memory map is read, paging.c builds the kernel's own
 * tables (all RAM, above 4 GiB too, with per-segment permissions) and
 * switches CR3 to them.  The ones here then carry each AP the same way
 * (trampoline.S): they map the trampoline page executable, which the
 * kernel's tables, writable-xor-executable, do not.
 */
#include "multiboot.h"
#include "x86.h"

#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)
#define CPUID_EXT_MAX	0x80000000
#define CPUID_EXT_FEAT	0x80000001
#define CPUID_EDX_LM	(1 << 29)

/* Page-table entry bits. */
#define PTE_PRESENT	0x001
#define PTE_WRITE	0x002
#define PTE_HUGE	0x080	/* in a page directory: a 2 MiB page */

#define PAGE_SIZE	4096
#define NR_PD		4	/* page directories: one per GiB */

#define COM1		0x3F8
#define COM1_LSR	(COM1 + 5)
#define LSR_THR_EMPTY	0x20

/* The status the early failures exit with: EXIT_PANIC (core/include/kernel.h). */
#define EARLY_FAIL_STATUS 2

/* ------------------------------------------------------------------------ */
/* The header must be in the first 8 KiB; the linker script puts it first. */
	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MULTIBOOT_HEADER_FLAGS
	.long MULTIBOOT_HEADER_CHECKSUM

/* ------------------------------------------------------------------------ */
	.section .text.boot, "ax"
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	/*
	 * Save the hand-over registers in .data first: .bss is about to be
	 * cleared, and the loop below needs EAX.
	 */
	movl %eax, x86_boot_magic
	movl %ebx, x86_boot_mbi
	movl $__stack_top, %esp		/* unused until C, but never leave ESP pointing at the loader's memory */

	cmpl $MULTIBOOT_BOOTLOADER_MAGIC, %eax
	movl $msg_bad_magic, %esi
	jne early_fail

	/* Without long mode, setting EFER.LME would fault and, with no IDT, triple fault. */
	movl $CPUID_EXT_MAX, %eax
	cpuid
	cmpl $CPUID_EXT_FEAT, %eax
	movl $msg_no_long_mode, %esi
	jb early_fail
	movl $CPUID_EXT_FEAT, %eax
	cpuid
	testl $CPUID_EDX_LM, %edx
	jz early_fail

	/*
	 * Clear .bss now, before the page tables (which live there) are
	 * built: the loader need not have zeroed it.  The boot stack is
	 * outside [__bss_start, __bss_end) and the loader's information is
	 * outside the image, so neither is touched.
	 */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	/* PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3.  High halves stay 0 (below 4 GiB). */
	movl $boot_pdpt + (PTE_PRESENT | PTE_WRITE), boot_pml4
	movl $boot_pd + (PTE_PRESENT | PTE_WRITE), %eax
	xorl %ecx, %ecx
1:	movl %eax, boot_pdpt(, %ecx, 8)
	addl $PAGE_SIZE, %eax
	incl %ecx
	cmpl $NR_PD, %ecx
	jb 1b

	/* The directories are contiguous: entry i maps physical i * 2 MiB. */
	movl $(PTE_PRESENT | PTE_WRITE | PTE_HUGE), %eax
	xorl %ecx, %ecx
2:	movl %eax, boot_pd(, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $(NR_PD * 512), %ecx
	jb 2b

	/* The order is architectural: PAE, CR3, EFER.LME, then CR0.PG activates long mode. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0

	/* Now in compatibility mode; loading a 64-bit CS enters 64-bit mode. */
	lgdt x86_gdt_ptr
	ljmp $X86_KERNEL_CS, $long_mode_entry

/*
 * Report a boot failure on COM1 and leave through isa-debug-exit.  ESI =
 * NUL-terminated message.  The UART is used without initialising it: this
 * is a last word, and QEMU's COM1 accepts bytes as it comes out of reset.
 * No end-of-run marker is printed: the kernel never ran, and the host must
 * not mistake this for a kernel's verdict.
 */
early_fail:
	movw $COM1_LSR, %dx
	inb %dx, %al
	testb $LSR_THR_EMPTY, %al
	jz early_fail
	lodsb
	testb %al, %al
	jz 3f
	movw $COM1, %dx
	outb %al, %dx
	jmp early_fail
3:	movw $X86_DEBUG_EXIT_PORT, %dx
	movl $EARLY_FAIL_STATUS, %eax
	outl %eax, %dx
	/* No isa-debug-exit device: stop here rather than fault. */
4:	cli
	hlt
	jmp 4b
	.size _start, . - _start

/* ------------------------------------------------------------------------ */
	.code64
long_mode_entry:
	/* Data segments are ignored for addressing in 64-bit mode, but SS must hold a valid selector. */
	movw $X86_KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs

	/* The GDTR still holds a 32-bit base from the lgdt above; reload it in 64-bit form. */
	lgdt x86_gdt_ptr(%rip)

	movq $__stack_top, %rsp
	xorl %ebp, %ebp		/* ends the frame-pointer chain for backtraces */

	xorl %edi, %edi		/* CPU 0 */
	call x86_tss_init
	call x86_idt_init

	movl x86_boot_magic(%rip), %edi
	movl x86_boot_mbi(%rip), %esi
	call arch_x86_start
	/* arch_x86_start() does not return; if it did, stop quietly. */
5:	cli
	hlt
	jmp 5b

/* ------------------------------------------------------------------------ */
	.section .rodata
msg_bad_magic:
	.asciz "mmkit: x86_64 boot: not started by a multiboot loader (EAX != 0x2BADB002)\n"
msg_no_long_mode:
	.asciz "mmkit: x86_64 boot: this CPU has no long mode (CPUID 0x80000001 EDX.LM = 0)\n"

/* ------------------------------------------------------------------------ */
	/* In .data, not .bss: written before .bss is cleared. */
	.section .data
	.balign 4
	.globl x86_boot_magic, x86_boot_mbi
x86_boot_magic:
	.long 0
x86_boot_mbi:
	.long 0

	/*
	 * Flat segments; in 64-bit mode only CS's L bit and the TSS really
	 * matter.  Descriptor fields: limit 0xFFFFF, granularity 4 KiB.
	 */
	.balign 16
	.globl x86_gdt
x86_gdt:
	.quad 0				/* 0x00: null */
	.quad 0x00AF9A000000FFFF	/* 0x08: code, present, DPL 0, L = 1 (64-bit) */
	.quad 0x00CF92000000FFFF	/* 0x10: data, present, DPL 0, writable */
	.fill 2 * CONFIG_NR_CPUS, 8, 0	/* 0x18: a 64-bit TSS per CPU, filled in by tss.c */
x86_gdt_end:

	/*
	 * Pseudo-descriptor: 16-bit limit, then the base.  32-bit lgdt reads
	 * the low 4 bytes of the base, 64-bit lgdt all 8: one copy serves both.
	 */
	.balign 8
	.skip 6				/* puts the base on an 8-byte boundary */
	.globl x86_gdt_ptr		/* application processors load it too (trampoline.S) */
x86_gdt_ptr:
	.word x86_gdt_end - x86_gdt - 1
	.quad x86_gdt

/* ------------------------------------------------------------------------ */
	.section .bss
	.balign PAGE_SIZE
	.globl boot_pml4
boot_pml4:
	.skip PAGE_SIZE
boot_pdpt:
	.skip PAGE_SIZE
boot_pd:
	.skip NR_PD * PAGE_SIZE

	.section .note.GNU-stack, "", @progbits
