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
