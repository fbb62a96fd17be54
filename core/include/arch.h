/*
 * arch.h - the one boundary between the portable kernel (core/) and the
 * machine it runs on.
 *
 * Each of arch/riscv, arch/x86_64 and tests/host implements every function
 * declared here; core/ includes nothing else from arch/.  The arch code owns
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

/* Hint inside a spin-wait loop (pause / nop). */
void arch_cpu_relax(void);

#endif /* MMKIT_ARCH_H */
