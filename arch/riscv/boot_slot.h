/*
 * boot_slot.h - what the boot hart hands a hart it starts (through SBI HSM
 * hart_start's opaque argument, which arrives in a1), shared by the
 * assembly that reads the stack and CPU index (secondary.S) and the C on
 * both sides (smp.c).
 *
 * The slot's state settles who wins when a hart is slow: the new hart
 * moves it from STARTING to RUNNING, the boot hart, when it gives up
 * waiting, from STARTING to ABANDONED.  Only one of the two exchanges can
 * succeed; an abandoned hart parks without touching anything but its own
 * stack, and its slot (and stack) is never reused.
 *
 * OpenSBI 1.1 (QEMU 7.2's) has a race in hart_start: it marks the hart
 * START_PENDING before it stores the start address and argument, and the
 * hart, which may leave its wfi loop at any time, can go with the old ones:
 * the kernel's entry point, with the device tree in a1 (fixed in OpenSBI
 * 1.3, commit e8e9ed37).  So entry.S lets only the first hart boot; one
 * arriving later goes to secondary.S's riscv_late_secondary, which takes
 * the slot the boot hart is starting right now (riscv_pending_slot, one
 * at a time) if the hart ids match, and parks otherwise.
 */
#ifndef MMKIT_ARCH_RISCV_BOOT_SLOT_H
#define MMKIT_ARCH_RISCV_BOOT_SLOT_H

#define SLOT_STACK 0            /* top of the hart's stack */
#define SLOT_CPU 8              /* its CPU index, for tp */
#define SLOT_HARTID 16          /* the hart it is for */

#define SLOT_STARTING 1
#define SLOT_RUNNING 2
#define SLOT_ABANDONED 3

#ifndef __ASSEMBLER__

#include <stdatomic.h>
#include <stdint.h>

struct riscv_boot_slot {
	uintptr_t stack_top;
	unsigned long cpu;
	unsigned long hartid;
	void (*entry)(unsigned int cpu);
	atomic_uint state;
};

_Noreturn void riscv_secondary_start(unsigned long hartid, struct riscv_boot_slot *slot);

/* The slot of the hart being started now, NULL between starts. */
extern struct riscv_boot_slot *_Atomic riscv_pending_slot;
/* Harts that came in through the kernel's entry point (entry.S). */
extern atomic_uint riscv_late_entries;
void riscv_secondary_entry(void);       /* secondary.S: where a started hart begins */

#endif /* __ASSEMBLER__ */

#endif /* MMKIT_ARCH_RISCV_BOOT_SLOT_H */
