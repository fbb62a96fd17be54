/*
 * percpu.h - how many CPUs the allocators keep per-CPU state for, and which
 * one is running.
 *
 * No Kconfig option sets CONFIG_NR_CPUS yet, so every build is
 * uniprocessor: NR_CPUS is 1 and this_cpu() is the constant 0, which lets
 * the compiler drop the per-CPU indexing from the fast paths.  With more
 * CPUs it asks the arch (arch.h numbers them densely from 0) and checks
 * the answer, since it indexes arrays of NR_CPUS.
 */
#ifndef MMKIT_PERCPU_H
#define MMKIT_PERCPU_H

#include "arch.h"
#include "panic.h"

#ifdef CONFIG_NR_CPUS
#define NR_CPUS CONFIG_NR_CPUS
#else
#define NR_CPUS 1
#endif

static inline unsigned int this_cpu(void)
{
#if NR_CPUS == 1
	return 0;
#else
	unsigned int cpu = arch_cpu_id();

	BUG_ON(cpu >= NR_CPUS);
	return cpu;
#endif
}

#endif /* MMKIT_PERCPU_H */
