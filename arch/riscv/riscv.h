/*
 * riscv.h - what the riscv64 arch files share with each other, and nothing
 * that core/ may see (core/ only knows core/include/arch.h).
 *
 * The machine is QEMU's "virt" board entered in S-mode by OpenSBI.  Device
 * addresses are those of that board; the RAM layout is not fixed and comes
 * from the device tree.
 */
#ifndef MMKIT_ARCH_RISCV_H
#define MMKIT_ARCH_RISCV_H

#include <stdbool.h>
#include <stdint.h>

#define RISCV_PAGE_SIZE 4096UL

/* QEMU virt devices (hw/riscv/virt.c memory map). */
#define RISCV_UART0_BASE 0x10000000UL   /* NS16550A, registers 1 byte apart */
#define RISCV_TEST_BASE 0x00100000UL    /* sifive_test finisher */

/* CSR bits (privileged spec, supervisor level). */
#define SSTATUS_SIE (1UL << 1)          /* interrupts enabled in S-mode */
#define SSTATUS_SPIE (1UL << 5)         /* ... before the trap */
#define SIE_SSIE (1UL << 1)             /* software interrupt: IPIs */
#define SIE_STIE (1UL << 5)             /* timer interrupt */
#define SIP_SSIP (1UL << 1)
#define IRQ_S_SOFT 1                    /* scause codes of interrupts */
#define IRQ_S_TIMER 5

#define csr_read(csr)                                                   \
	({                                                              \
		unsigned long v_;                                       \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_) : : "memory"); \
		v_;                                                     \
	})
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" : : "r"(bits) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" : : "r"(bits) : "memory")

/* Hart id OpenSBI entered the kernel on: any hart, not necessarily 0. */
extern unsigned long riscv_boot_hartid;

/* Rate of the time CSR, from the device tree (riscv_cpus_init()). */
extern uint64_t riscv_timebase_hz;

/* The kernel image's segments (kernel.ld); only their addresses mean
 * anything.  _end is the end of the image, boot stack included. */
extern char __kernel_start[], __rodata_start[], __data_start[], _end[];

_Noreturn void arch_riscv_start(unsigned long hartid, const void *dtb);

void riscv_uart_init(void);
void riscv_uart_flush(void);

/* Parse the device tree once, before kmain(); arch_memory_map() and
 * arch_ram_size() answer from what it recorded. */
void riscv_memory_init(const void *dtb);

/* Read the harts and the timebase from the device tree, before kmain(). */
void riscv_cpus_init(const void *dtb);

/* The trap handler's part for an interrupt (scause code @code, the
 * interrupt bit cleared): true if it was one the kernel takes. */
bool riscv_interrupt(unsigned long code);
void riscv_timer_interrupt(void);

struct fdt_memory;
/* What the device tree said about RAM (after riscv_memory_init()). */
const struct fdt_memory *riscv_fdt_memory(void);

/*
 * A zeroed page for the boot page tables, taken off the bottom of the
 * lowest usable region (so arch_memory_map() no longer reports it); 0 when
 * there is none.  Only before kmain().
 */
uintptr_t riscv_boot_page_alloc(void);

/* Build the kernel's Sv39 tables and turn paging on (paging.c). */
void riscv_paging_init(void);

/*
 * Turn paging on, on the calling hart, with the kernel's tables (which
 * riscv_paging_init() built).  A hart started later enters with
 * translation off (OpenSBI's HSM hart_start), so it calls this before it
 * runs anything but its entry code: until then it sees no vmap mapping
 * and no page permission.
 */
void riscv_paging_enable(void);

struct trap_frame;
/*
 * A load/store/instruction page fault or access fault: resume at a probe's
 * fixup, or let mm_handle_fault() resolve it.  true: return from the trap
 * (the frame may have been changed); false: the trap is unhandled.
 */
bool riscv_handle_fault(struct trap_frame *tf);

#endif /* MMKIT_ARCH_RISCV_H */
