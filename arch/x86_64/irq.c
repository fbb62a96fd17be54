/*
 * irq.c - interrupts on x86_64: masking them (RFLAGS.IF), sending IPIs
 * through the local APIC, and the dispatch of every vector from 32 up
 * (irq_entry.S): the tick (local APIC timer), IPIs, the APIC's spurious
 * vector.  Anything else is a bug and panics, naming the vector.
 *
 * The legacy 8259 PIC, which the BIOS leaves delivering its timer on
 * vector 8 (the double fault's), is moved to 0x20..0x2F and masked before
 * interrupts are first enabled (pic_disable(), from smp.c).  Only built
 * with SMP (sources.toml): without it nothing is ever enabled.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "io.h"
#include "panic.h"
#include "trap_frame.h"
#include "x86.h"

#define RFLAGS_IF (1ul << 9)

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

/* APIC id of each online CPU (smp.c), for IPIs. */
extern uint8_t x86_cpu_apic_id[CONFIG_NR_CPUS];

void x86_irq(struct trap_frame *frame);

unsigned long arch_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq\n\tpopq %0\n\tcli" : "=r"(flags) : : "memory");
	return flags & RFLAGS_IF;
}

/* Exactly as saved, even if the caller changed it in between. */
void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
	else
		__asm__ volatile("cli" : : : "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

void arch_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

bool arch_irqs_enabled(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags) : : "memory");
	return flags & RFLAGS_IF;
}

/*
 * sti takes effect after the next instruction, so an interrupt pending at
 * the sti is taken only once hlt has begun: it wakes the hlt instead of
 * slipping in before it and leaving the CPU asleep.
 */
void arch_irq_enable_and_wait(void)
{
	__asm__ volatile("sti\n\thlt" : : : "memory");
}

void arch_send_ipi(unsigned int cpu)
{
	/* What the IPI announces must be visible before it can be taken. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send(x86_cpu_apic_id[cpu], ICR_FIXED | ICR_LEVEL_ASSERT | X86_VEC_IPI);
}

/* An NMI gets through even to a CPU spinning with interrupts disabled. */
void arch_send_nmi(unsigned int cpu)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send(x86_cpu_apic_id[cpu], ICR_NMI | ICR_LEVEL_ASSERT);
}

void pic_disable(void)
{
	/* ICW1..ICW4: initialise, vector bases, cascade on IRQ2, 8086 mode. */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, X86_VEC_PIC_BASE);
	outb(PIC2_DATA, X86_VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 0x04);
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);
	outb(PIC2_DATA, 0x01);
	/* Every line masked: the kernel uses the local APIC only. */
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
}

void x86_irq(struct trap_frame *frame)
{
	uint64_t vector = frame->vector;

	switch (vector) {
	case X86_VEC_SPURIOUS:
		return;                 /* no EOI for the spurious vector */
	case X86_VEC_TIMER:
		lapic_eoi();
		irq_handle_tick();
		return;
	case X86_VEC_IPI:
		/* EOI first: an IPI sent while we handle this one is kept. */
		lapic_eoi();
		irq_handle_ipi();
		return;
	}
	/* A masked PIC can still raise a spurious IRQ 7 or 15: ignore it. */
	if (vector == X86_VEC_PIC_BASE + 7 || vector == X86_VEC_PIC_BASE + 15)
		return;
	panic("unexpected interrupt vector %lu on CPU %u", (unsigned long)vector, arch_cpu_id());
}
