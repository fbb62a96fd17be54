/*
 * idt.c - the interrupt descriptor table, one for all CPUs.
 *
 * The 32 CPU exception vectors go to exception_entry.S; with Kconfig SMP
 * every other vector to a stub in irq_entry.S, whose dispatch (irq.c)
 * takes the tick and IPIs and reports any other vector as unexpected
 * rather than losing it (x86.h: X86_IDT_VECTORS).
 */
#include <stdint.h>
#include "x86.h"

#define GATE_TYPE_INTERRUPT 0xE	/* clears IF on entry */
#define GATE_PRESENT 0x80

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;		/* bits 2..0: IST slot, 0 = current stack */
	uint8_t type_attr;	/* P, DPL, type */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate layout");

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t x86_exception_stubs[X86_NR_EXCEPTIONS];
extern const char x86_irq_stubs[];	/* X86_IRQ_STUB_SIZE bytes per vector from 32 */

static _Alignas(16) struct idt_gate idt[X86_IDT_VECTORS];

static void set_gate(unsigned int vector, uint64_t handler, uint8_t ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_low = handler & 0xFFFF;
	g->selector = X86_KERNEL_CS;
	g->ist = ist;
	g->type_attr = GATE_PRESENT | GATE_TYPE_INTERRUPT;	/* DPL 0 */
	g->offset_mid = (handler >> 16) & 0xFFFF;
	g->offset_high = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

void x86_idt_load(void)
{
	struct idt_pointer ptr = {
		.limit = sizeof(idt) - 1,
		.base = (uint64_t)(uintptr_t)idt,
	};

	__asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}

void x86_idt_init(void)
{
	for (unsigned int v = 0; v < X86_NR_EXCEPTIONS; v++)
		set_gate(v, x86_exception_stubs[v], 0);
	/* The double fault runs on its own stack (tss.c says why). */
	set_gate(8, x86_exception_stubs[8], X86_IST_DOUBLE_FAULT);
#ifdef CONFIG_SMP
	for (unsigned int v = X86_NR_EXCEPTIONS; v < X86_IDT_VECTORS; v++)
		set_gate(v, (uint64_t)(uintptr_t)(x86_irq_stubs +
						  (v - X86_NR_EXCEPTIONS) * X86_IRQ_STUB_SIZE), 0);
#endif
	x86_idt_load();
}
