/*
 * x86.h - what the pieces of the x86_64 port share with each other.
 *
 * Private to arch/x86_64: core/ sees only core/include/arch.h.  This header
 * is also included by the assembly files, so everything that is not a plain
 * #define sits behind __ASSEMBLER__.
 */
#ifndef MMKIT_X86_H
#define MMKIT_X86_H

/*
 * GDT selectors.  The table itself lives in boot.S (it must exist before
 * any C runs); tss.c fills in the TSS descriptor at run time because its
 * base address is split across the descriptor in a way the linker cannot
 * express.
 */
#define X86_KERNEL_CS 0x08	/* 64-bit code, DPL 0 */
#define X86_KERNEL_DS 0x10	/* flat data, DPL 0 */
#define X86_TSS_SEL 0x18	/* 64-bit TSS (two GDT slots) */
#define X86_GDT_TSS_SLOT 3	/* index of the TSS descriptor's low half */

/* I/O port of QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4). */
#define X86_DEBUG_EXIT_PORT 0xf4

/* IST slot the double-fault handler runs on (see tss.c). */
#define X86_IST_DOUBLE_FAULT 1

/* Number of CPU exception vectors; the IDT covers exactly these. */
#define X86_NR_EXCEPTIONS 32

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linker-script symbols (kernel.ld).  Only their addresses mean anything. */
extern char __kernel_start[], __rodata_start[], __data_start[], _end[];
extern char __bss_start[], __bss_end[];
extern char __stack_top[];

/* The GDT from boot.S, as 8-byte descriptors. */
extern uint64_t x86_gdt[];

/* Called once, in this order, by the 64-bit entry in boot.S. */
void x86_tss_init(void);
void x86_idt_init(void);
_Noreturn void arch_x86_start(uint32_t magic, uint32_t mbi_phys);

void serial_init(void);
/* Wait until every byte written so far has left the UART (bounded wait). */
void serial_drain(void);

/* Copy what the kernel needs out of the multiboot information. */
void multiboot_init(uint32_t mbi_phys);

/*
 * The firmware memory map, fed by multiboot.c and turned into the usable
 * map by memory_map.c.  Ranges are [base, base + len) in physical bytes.
 */
void mem_map_add_ram(uint64_t base, uint64_t len);
void mem_map_add_reserved(uint64_t base, uint64_t len);
/* Apply the kernel's policy (low 1 MiB, kernel image); build the result. */
void mem_map_finalize(void);

/* Every range added above, as added: RAM, or reserved (firmware, loader data). */
struct described_range {
	uint64_t base, end;
	bool ram;
};
size_t mem_map_described(const struct described_range **ranges);

/*
 * A zeroed page for the boot page tables, taken off the bottom of the
 * lowest usable region (below 4 GiB; arch_memory_map() no longer reports
 * it); 0 when there is none.  Only before kmain().
 */
uint64_t mem_map_boot_page_alloc(void);

/* Build the kernel's page tables and switch CR3 to them (paging.c). */
void x86_paging_init(void);

struct trap_frame;
/* #PF or #GP: resume at a probe's fixup, or let mm_handle_fault() resolve
 * a page fault.  true: return from the exception (the frame may have changed). */
bool x86_handle_fault(struct trap_frame *frame);

#endif /* __ASSEMBLER__ */

#endif /* MMKIT_X86_H */
