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
#define X86_TSS_SEL 0x18	/* CPU 0's 64-bit TSS (two GDT slots); one per CPU */
#define X86_GDT_TSS_SLOT 3	/* index of CPU 0's TSS descriptor's low half */
#define X86_TSS_SEL_CPU(cpu) (X86_TSS_SEL + 16 * (cpu))
#define X86_GDT_TSS_SLOT_CPU(cpu) (X86_GDT_TSS_SLOT + 2 * (cpu))

/* I/O port of QEMU's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4). */
#define X86_DEBUG_EXIT_PORT 0xf4

/* IST slot the double-fault handler runs on (see tss.c). */
#define X86_IST_DOUBLE_FAULT 1

/* Number of CPU exception vectors. */
#define X86_NR_EXCEPTIONS 32
/*
 * With SMP the IDT covers every vector: 32..255 go to irq_entry.S's stubs.
 * Without, nothing raises an interrupt and it covers the exceptions only
 * (any other vector lies beyond its limit: a #GP, reported), so a
 * uniprocessor kernel's image and memory map stay as they were.
 */
#define X86_NR_VECTORS 256
#ifdef CONFIG_SMP
#define X86_IDT_VECTORS X86_NR_VECTORS
#else
#define X86_IDT_VECTORS X86_NR_EXCEPTIONS
#endif
#define X86_IRQ_STUB_SIZE 16	/* bytes per stub in irq_entry.S */

/* Interrupt vectors (irq.c).  The legacy PIC is moved out of the
 * exception range to 0x20..0x2F and masked. */
#define X86_VEC_PIC_BASE 0x20
#define X86_VEC_TIMER 0xF0	/* local APIC timer: the tick */
#define X86_VEC_IPI 0xF1	/* IPI: cross-CPU calls, stop, wake up */
#define X86_VEC_SPURIOUS 0xFF	/* local APIC spurious interrupt */

/* Where the application processors' real-mode start code is copied
 * (smp.c): page-aligned, below 1 MiB; the SIPI vector is its page number. */
#define X86_TRAMPOLINE_BASE 0x8000

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

/* Called once, in this order, by the 64-bit entry in boot.S (tss for CPU 0);
 * an application processor calls x86_tss_init() and x86_idt_load(). */
void x86_tss_init(unsigned int cpu);
void x86_idt_init(void);
void x86_idt_load(void);
_Noreturn void arch_x86_start(uint32_t magic, uint32_t mbi_phys);

/* Make arch_cpu_id() answer @cpu on this CPU (GS base, cpu.c). */
void x86_cpu_local_init(unsigned int cpu);

/*
 * A pointer to physical address @pa, which the identity map covers.  The
 * empty asm hides the constant from GCC, which otherwise takes a fixed
 * address such as 0x40E for an object of size 0 and warns about any
 * access (-Warray-bounds).
 */
static inline void *x86_phys(uint64_t pa)
{
	uintptr_t p = (uintptr_t)pa;

	__asm__("" : "+r"(p));
	return (void *)p;
}

#define RFLAGS_IF (1ul << 9)		/* interrupts enabled */

#define MSR_APIC_BASE 0x1B
#define MSR_EFER 0xC0000080
#define MSR_GS_BASE 0xC0000101

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* time.c: the TSC's rate, measured against the PIT, and a busy wait. */
void x86_time_init(void);
void x86_delay_us(uint64_t us);

/* lapic.c: this CPU's local APIC. */
void lapic_init(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send(uint32_t apic_id, uint32_t icr_low);
void lapic_timer_calibrate(void);
void lapic_timer_start(unsigned int hz);
void lapic_timer_stop(void);

/* ICR low word (Intel SDM vol. 3, 11.6.1). */
#define ICR_FIXED 0x00000
#define ICR_NMI 0x00400
#define ICR_INIT 0x00500
#define ICR_STARTUP 0x00600
#define ICR_LEVEL_ASSERT 0x04000

/* acpi.c: the local APIC ids of the enabled CPUs in the MADT.  Writes at
 * most @max, returns how many there are (0: no usable MADT). */
unsigned int acpi_cpu_apic_ids(uint8_t *ids, unsigned int max);

/* irq.c: the legacy 8259 PIC out of the way; the interrupt dispatch. */
void pic_disable(void);

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
