/*
 * irq.c - interrupts on riscv64: masking them (sstatus.SIE), the IPIs
 * (SBI IPI extension) and the trap handler's dispatch of the two
 * interrupts the kernel takes, the supervisor software interrupt (an IPI)
 * and the supervisor timer interrupt (timer.c).
 *
 * Which interrupts can arrive at all is sie: SSIE is set on every hart
 * that is started (smp.c), STIE while its tick runs (timer.c).  Only built
 * with SMP (sources.toml): without it nothing is ever enabled.
 */
#include <stdbool.h>

#include "arch.h"
#include "riscv.h"
#include "sbi.h"

extern unsigned long riscv_cpu_hartid[CONFIG_NR_CPUS];

unsigned long arch_irq_save(void)
{
	unsigned long old;

	__asm__ volatile("csrrc %0, sstatus, %1" : "=r"(old) : "r"(SSTATUS_SIE) : "memory");
	return old & SSTATUS_SIE;
}

/* Exactly as saved, even if the caller changed it in between. */
void arch_irq_restore(unsigned long flags)
{
	if (flags & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
	else
		csr_clear(sstatus, SSTATUS_SIE);
}

void arch_irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

void arch_irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

bool arch_irqs_enabled(void)
{
	return csr_read(sstatus) & SSTATUS_SIE;
}

/*
 * wfi returns when an interrupt enabled in sie is pending, whatever
 * sstatus.SIE says (privileged spec 3.3.3), so one that arrived after the
 * caller's last check ends the wait at once; enabling SIE then takes it.
 */
void arch_irq_enable_and_wait(void)
{
	__asm__ volatile("wfi\n\t"
			 "csrs sstatus, %0" : : "r"(SSTATUS_SIE) : "memory");
}

void arch_send_ipi(unsigned int cpu)
{
	/* What the IPI announces must be visible before it can be taken. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, riscv_cpu_hartid[cpu], 0);
}

/* S-mode has no NMI: a plain IPI, and spin-waits look for stop requests. */
void arch_send_nmi(unsigned int cpu)
{
	arch_send_ipi(cpu);
}

bool riscv_interrupt(unsigned long code)
{
	switch (code) {
	case IRQ_S_SOFT:
		/* Cleared first: an IPI sent while we handle this one is kept. */
		csr_clear(sip, SIP_SSIP);
		irq_handle_ipi();
		return true;
	case IRQ_S_TIMER:
		riscv_timer_interrupt();
		return true;
	}
	return false;
}
