/*
 * arch_preload_smp.c - arch.h's CPU and interrupt calls for libmmkit.so
 * built from an SMP preset (Kconfig SMP; core/ calls them only then).
 *
 * The library runs the kernel's allocators on one CPU, CPU 0, whatever
 * thread calls (preload.h: one lock around everything), and never runs
 * the boot flow: no other CPU is started, no timer ticks, nothing sends
 * an interrupt.  So the interrupt state is a per-thread flag that spinlocks
 * save and restore, and a call that needs a second CPU or an interrupt
 * (which only the boot flow's SMP runtime would make) ends the process.
 */
#define _POSIX_C_SOURCE 200809L

#ifdef CONFIG_SMP

#include <time.h>

#include "arch.h"
#include "preload.h"

static __thread bool irqs_on;

void arch_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

uint64_t arch_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned int arch_start_cpus(unsigned int max, void (*entry)(unsigned int cpu))
{
	(void)max, (void)entry;
	return 1;   /* the calling CPU only */
}

_Noreturn void arch_cpu_halt(void)
{
	preload_fatal("mmkit: a CPU halted (the kernel's SMP runtime does not run in libmmkit.so)\n");
}

unsigned long arch_irq_save(void)
{
	unsigned long was = irqs_on;

	irqs_on = false;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	irqs_on = flags != 0;
}

void arch_irq_enable(void)
{
	irqs_on = true;
}

void arch_irq_disable(void)
{
	irqs_on = false;
}

bool arch_irqs_enabled(void)
{
	return irqs_on;
}

void arch_irq_enable_and_wait(void)
{
	preload_fatal("mmkit: waiting for an interrupt, which never comes in libmmkit.so\n");
}

void arch_timer_start(unsigned int hz)
{
	(void)hz;
}

void arch_timer_stop(void)
{
}

void arch_send_ipi(unsigned int cpu)
{
	(void)cpu;
	preload_fatal("mmkit: an IPI to another CPU (libmmkit.so runs one)\n");
}

void arch_send_nmi(unsigned int cpu)
{
	(void)cpu;
	preload_fatal("mmkit: an NMI to another CPU (libmmkit.so runs one)\n");
}

#endif /* CONFIG_SMP */
