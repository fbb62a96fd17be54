/*
 * arch.h - the one boundary between the portable kernel (core/) and the
 * machine it runs on.
 *
 * Each of arch/riscv, arch/x86_64 and tests/host implements every function
 * declared here (those of CPUs, interrupts and arch_clock_ns() only with
 * Kconfig SMP, the only configuration that calls them); core/ includes
 * nothing else from arch/.  The arch code owns
 * the entry point: it sets up a stack, clears .bss, brings up the console and
 * then calls kmain() (core/kernel/main.c), which never returns.
 */
#ifndef MMKIT_ARCH_H
#define MMKIT_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A range of RAM that the kernel may hand to its allocators. */
struct mem_region {
	uintptr_t base;
	size_t size;
};

/* Name of the architecture, as in the banner ("riscv64", "x86_64", "host"). */
extern const char arch_name[];

/* Write one byte to the console.  Usable from the first line of kmain(). */
void arch_console_putc(char c);

/*
 * The kernel command line the boot loader passed (QEMU -append): riscv64's
 * /chosen/bootargs, x86_64's multiboot command line; "" when there is none.
 * Copied at boot, so valid for the whole run.  core/lib/cmdline.c parses it.
 */
const char *arch_cmdline(void);

/*
 * Leave the machine with a status: 0 = pass, anything else = failure.
 * The arch maps it onto QEMU's exit status (see kit/qemu.py for the mapping
 * the host applies).  Never returns.
 */
_Noreturn void arch_exit(int status);

/*
 * Fill @out with at most @max usable RAM regions, as reported by firmware
 * (the device tree on riscv64, the multiboot memory map on x86_64), with the
 * kernel image, firmware, the device tree / boot information and anything
 * else already in use removed.  Regions are page aligned (4 KiB) and sorted
 * by base.  Returns the number of regions written.
 */
size_t arch_memory_map(struct mem_region *out, size_t max);

/* Total RAM reported by firmware, in bytes, before anything is removed. */
uint64_t arch_ram_size(void);

/*
 * Virtual minus physical address of RAM, for the zone limits
 * (zone_table.h), which are physical.  0 on the guests, where RAM is
 * mapped at its physical address; on the host, the distance from the
 * arena to the arch's RAM base that the arena stands for.
 */
uintptr_t arch_zone_offset(void);

/* --- kernel page tables -------------------------------------------------
 *
 * The kernel runs on page tables it builds itself at boot: an identity map
 * (virtual address == physical address) of all RAM the firmware describes,
 * the kernel image with per-segment permissions (text R-X, rodata R--, data
 * RW-) and the devices the kernel touches.  Beyond that, one virtual range
 * is reserved for mappings made at run time (arch_vmap_range(): the vmap
 * area, core/mm/vmap.h).  Page-table pages for run-time mappings come from
 * the page allocator (alloc_pages(0, __GFP_ZERO)) and go back to it when a
 * table becomes empty; none of these calls may be used before mm_init().
 *
 * Page sizes are those of 4-level x86-64 and Sv39 paging: a leaf of level 0
 * maps 4 KiB, of level 1 2 MiB, of level 2 1 GiB.  The host has no MMU
 * levels: tests/host emulates the tables and maps with mmap().
 *
 * Errors are negative KERR_* codes (kerrno.h); a failed call changes
 * nothing.  Every mapping call is safe to make on any CPU; the tables are
 * shared by all CPUs.
 */
#define PAGE_SIZE_4K ((size_t)1 << 12)
#define PAGE_SIZE_2M ((size_t)1 << 21)
#define PAGE_SIZE_1G ((size_t)1 << 30)

/* Protection of a mapping (arch_map()'s @prot). */
#define ARCH_PROT_READ 0x1u
#define ARCH_PROT_WRITE 0x2u
#define ARCH_PROT_EXEC 0x4u
/* Device memory: uncached where the arch can say so (x86 PCD|PWT). */
#define ARCH_PROT_DEVICE 0x8u

/* Can arch_map() use leaves of @size bytes (4 KiB, 2 MiB, 1 GiB)? */
bool arch_page_size_supported(size_t size);

/*
 * Map [@va, @va + @size) to [@pa, @pa + @size) with leaves of @page_size.
 * @va, @pa and @size must be multiples of @page_size, @size > 0; @prot
 * must include ARCH_PROT_READ and must not be both writable and
 * executable.  The mapping is usable on the calling CPU on return.
 *   KERR_ALIGN   an address or the size is not a multiple of @page_size
 *   KERR_INVAL   @page_size not supported, bad @prot, size 0
 *   KERR_RANGE   outside what the arch lets run-time code map (x86-64 and
 *                riscv64: the canonical address space; host: the vmap area
 *                to the arena)
 *   KERR_EXIST   some page of the range is mapped already
 *   KERR_NOMEM   a page-table page could not be allocated
 */
int arch_map(uintptr_t va, uintptr_t pa, size_t size, size_t page_size, unsigned int prot);

/*
 * Remove every leaf inside [@va, @va + @size) (page aligned; holes are
 * skipped) and free the page-table pages that become empty.  On return no
 * CPU translates the range any more: the TLB is flushed through
 * flush_tlb_kernel_range() (tlbflush.h) before a table page is freed.
 *   KERR_ALIGN   @va or @size not page aligned
 *   KERR_INVAL   a leaf straddles either end of the range (nothing is
 *                split; nothing is changed)
 *   KERR_RANGE   (host) outside the vmap area, the only part it maps
 */
int arch_unmap(uintptr_t va, size_t size);

/*
 * Make now the page-table pages that 4 KiB leaves in [@va, @va + @size)
 * need, and keep them while the range is empty: arch_map() of 4 KiB pages
 * there allocates no table and arch_unmap() frees none, until
 * arch_map_release() of the same range.  For a pool that maps and unmaps
 * single pages on a hot path (DEBUG_GUARD's).  On failure nothing is kept.
 *   KERR_ALIGN   @va or @size not page aligned
 *   KERR_INVAL   size 0
 *   KERR_RANGE   as arch_map()
 *   KERR_EXIST   a 2 MiB or 1 GiB leaf covers part of the range
 *   KERR_NOMEM   a page-table page could not be allocated
 */
int arch_map_prepare(uintptr_t va, size_t size);

/*
 * Undo arch_map_prepare(@va, @size): tables left empty are freed (after
 * the flush, as arch_unmap()).  KERR_INVAL where no table was prepared.
 */
int arch_map_release(uintptr_t va, size_t size);

/*
 * Read the tables back: the physical address @va maps to, the size of the
 * leaf that maps it (which says at which level the leaf sits) and its
 * ARCH_PROT_* bits (any out-pointer may be NULL).  KERR_FAULT when @va is
 * not mapped.  The host answers only for the vmap area (its identity map
 * is the process's own).
 */
int arch_translate(uintptr_t va, uintptr_t *pa, size_t *page_size, unsigned int *prot);

/*
 * Forget the calling CPU's cached translations of [@va, @va + @size).
 * Only the local CPU: flush_tlb_kernel_range() is what reaches every CPU.
 */
void arch_flush_tlb_range(uintptr_t va, size_t size);

/*
 * The virtual range reserved for run-time mappings (the vmap area): never
 * part of the identity map, aligned to 1 GiB.
 */
void arch_vmap_range(uintptr_t *base, size_t *size);

/* Page-table pages the kernel's tables use. */
struct arch_pt_stats {
	size_t table_pages;      /* from the page allocator, in use now */
	size_t boot_pages;       /* taken at boot for the identity map; never freed */
	uint64_t tables_allocated; /* page-table pages taken from the page allocator */
	uint64_t tables_freed;     /* ... and given back when they became empty */
};
void arch_pt_get_stats(struct arch_pt_stats *st);

/* --- recoverable faults ---------------------------------------------------
 *
 * Read or write one aligned word, and learn whether the access faulted
 * instead of taking the kernel down: 0, or KERR_FAULT when it faulted
 * (nothing is written to *@val then), KERR_ALIGN when @addr is not aligned
 * to sizeof(unsigned long).  A fault at any other instruction is offered to
 * mm_handle_fault() (mm_fault.h) and, if nobody resolves it, panics with the
 * address and the cause.
 */
int arch_probe_read(const void *addr, unsigned long *val);
int arch_probe_write(void *addr, unsigned long val);

/*
 * Counters for measurements.  Under QEMU with -icount shift=0 they are
 * deterministic; arch_instret() is the retired-instruction count where the
 * machine has one (riscv64 instret) and otherwise the same as arch_cycles().
 */
uint64_t arch_cycles(void);
uint64_t arch_instret(void);

/* Index of the calling CPU (0 .. NR_CPUS-1, not the firmware hart id). */
unsigned int arch_cpu_id(void);

/*
 * Hint inside a spin-wait loop (pause / nop).  Every wait loop calls it;
 * the host arch also takes pending interrupts here (tests/host/).
 */
void arch_cpu_relax(void);

/*
 * Monotonic nanoseconds since some point at boot, for bounded waits (a CPU
 * that does not start, one that does not stop).  Wall-clock time under
 * TCG: never a measurement.
 */
uint64_t arch_clock_ns(void);

/* --- CPUs ---------------------------------------------------------------
 *
 * The boot CPU is 0.  arch_start_cpus() finds the others in the firmware's
 * tables (riscv64: the device tree's cpus node; x86_64: the ACPI MADT) and
 * starts up to @max - 1 of them, one at a time, each on a stack of its own
 * and numbered densely from 1 in the order they came up (whatever their
 * hart or APIC ids).  Each new CPU runs @entry(cpu) with interrupts
 * disabled and never returns from it.  A CPU that does not come up within
 * a bounded wait is reported on the console and never runs @entry.  It
 * also prepares the calling (boot) CPU to take interrupts.  Call it once,
 * from the boot CPU.  Returns the number of CPUs online, the caller's
 * included: they are 0 .. n-1.
 */
unsigned int arch_start_cpus(unsigned int max, void (*entry)(unsigned int cpu));

/* Stop the calling CPU for good: interrupts off, wait forever. */
_Noreturn void arch_cpu_halt(void);

/* --- Interrupts on the calling CPU ---------------------------------------
 *
 * Only the timer tick and IPIs exist; nothing is enabled until the core
 * asks (core/include/irq.h wraps these, and compiles them away without
 * Kconfig SMP, where interrupts stay off for good).
 */
unsigned long arch_irq_save(void);      /* disable; return the previous state */
void arch_irq_restore(unsigned long flags); /* back to what arch_irq_save() saw */
void arch_irq_enable(void);
void arch_irq_disable(void);
bool arch_irqs_enabled(void);

/*
 * Called with interrupts disabled: enable them and wait for one, as one
 * step, so that an interrupt arriving between a check and the wait is not
 * missed (x86: sti; hlt; riscv64: wfi, then enable).  Returns with
 * interrupts enabled, after the interrupt's handler has run.
 */
void arch_irq_enable_and_wait(void);

/*
 * This CPU's periodic timer tick at about @hz per second: each tick calls
 * irq_handle_tick() on it with interrupts disabled.  arch_timer_stop()
 * stops it.
 */
void arch_timer_start(unsigned int hz);
void arch_timer_stop(void);

/*
 * Inter-processor interrupts to an online CPU other than the caller.
 * arch_send_ipi(): @cpu calls irq_handle_ipi() once its interrupts are
 * enabled (several sends before it gets there may arrive as one).
 * arch_send_nmi(): @cpu calls irq_handle_nmi() even with interrupts
 * disabled, where the machine has such an interrupt (x86_64: NMI; the
 * host: at its next poll point, tests/host/arch_host_smp.c); on riscv64,
 * whose S-mode has none, it is arch_send_ipi().  Usable from any context.
 */
void arch_send_ipi(unsigned int cpu);
void arch_send_nmi(unsigned int cpu);

/* Defined by core/kernel/irq.c, called by the arch's interrupt handlers. */
void irq_handle_tick(void);
void irq_handle_ipi(void);
void irq_handle_nmi(void);

#endif /* MMKIT_ARCH_H */
