/*
 * cpu.c - identity and spin-wait hint of the running CPU.
 *
 * Each CPU's GS base points at its own struct x86_cpu_local, whose first
 * field is the CPU's index, so arch_cpu_id() is one load through %gs: no
 * MSR read and no APIC id lookup per call.  Nothing else uses GS (no
 * thread-local storage, no stack protector).  The boot CPU sets it first
 * thing in arch_x86_start(), an application processor in smp.c before it
 * runs any core code.
 */
#include <stdint.h>

#include "arch.h"
#include "x86.h"

const char arch_name[] = "x86_64";

struct x86_cpu_local {
	unsigned int cpu;       /* must stay first: arch_cpu_id() reads %gs:0 */
} __attribute__((aligned(64)));

static struct x86_cpu_local cpu_local[CONFIG_NR_CPUS];

void x86_cpu_local_init(unsigned int cpu)
{
	cpu_local[cpu].cpu = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&cpu_local[cpu]);
}

unsigned int arch_cpu_id(void)
{
	unsigned int cpu;

	/* Not volatile: on one CPU the answer never changes. */
	__asm__("movl %%gs:0, %0" : "=r"(cpu));
	return cpu;
}

/* PAUSE tells the CPU this is a spin loop: less power, no memory-order mis-speculation. */
void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}
