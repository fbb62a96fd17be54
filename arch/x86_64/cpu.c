/*
 * cpu.c - identity and spin-wait hint of the running CPU.
 */
#include "arch.h"

const char arch_name[] = "x86_64";

/* Only the boot CPU runs today; SMP bring-up (LAPIC) will number the others. */
unsigned int arch_cpu_id(void)
{
	return 0;
}

/* PAUSE tells the CPU this is a spin loop: less power, no memory-order mis-speculation. */
void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}
