/*
 * tss.c - the 64-bit task-state segment.
 *
 * Long mode has no hardware task switching; the TSS is only where the CPU
 * finds stacks.  We use it for one thing: an interrupt stack (IST) for the
 * double fault.  A double fault often means the current stack is unusable
 * (a corrupt RSP, an overflow into unmapped memory); delivering it on that
 * same stack would fault again, and a third fault resets the machine,
 * which QEMU with -no-reboot reports as a clean exit (rc 0).  On its own
 * stack the handler can still print a panic.
 *
 * Each CPU has a TSS of its own (ltr marks its descriptor busy, so two
 * CPUs cannot share one) and its own double-fault stack, in the GDT slots
 * boot.S reserves for NR_CPUS.
 */
#include <stdint.h>
#include "x86.h"

#define DOUBLE_FAULT_STACK_SIZE 4096
#define TSS_TYPE_AVAILABLE_64 0x9
#define DESC_PRESENT (1ull << 47)

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];		/* stacks for privilege changes: unused (ring 0 only) */
	uint64_t reserved1;
	uint64_t ist[7];		/* ist[0] is IST1 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "TSS layout (Intel SDM vol. 3, 8.7)");

static struct tss64 tss[CONFIG_NR_CPUS];
static _Alignas(16) uint8_t double_fault_stack[CONFIG_NR_CPUS][DOUBLE_FAULT_STACK_SIZE];

void x86_tss_init(unsigned int cpu)
{
	struct tss64 *t = &tss[cpu];
	uint64_t base = (uint64_t)(uintptr_t)t;
	uint64_t limit = sizeof(*t) - 1;

	t->ist[X86_IST_DOUBLE_FAULT - 1] =
		(uint64_t)(uintptr_t)(double_fault_stack[cpu] + DOUBLE_FAULT_STACK_SIZE);
	/* An I/O map base beyond the limit means "no I/O permission bitmap". */
	t->iomap_base = sizeof(*t);

	/* A system descriptor is 16 bytes: base bits 63..32 fill the second slot. */
	x86_gdt[X86_GDT_TSS_SLOT_CPU(cpu)] = (limit & 0xFFFF) |
				    ((base & 0xFFFFFF) << 16) |
				    ((uint64_t)TSS_TYPE_AVAILABLE_64 << 40) |
				    DESC_PRESENT |
				    (((limit >> 16) & 0xF) << 48) |
				    (((base >> 24) & 0xFF) << 56);
	x86_gdt[X86_GDT_TSS_SLOT_CPU(cpu) + 1] = base >> 32;

	__asm__ volatile("ltr %w0" : : "r"((uint16_t)X86_TSS_SEL_CPU(cpu)) : "memory");
}
