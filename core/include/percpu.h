/*
 * percpu.h - per-CPU data: how many CPUs there are, which one is running,
 * and storage that keeps each CPU's copy on cache lines of its own.
 *
 * NR_CPUS is Kconfig NR_CPUS.  With one CPU, this_cpu() is the constant 0
 * and every per-CPU access compiles to a plain access; with more it asks
 * the arch (arch.h numbers CPUs densely from 0) and checks the answer,
 * since it indexes arrays of NR_CPUS.
 *
 * Per-CPU data is an array of NR_CPUS slots of a type declared
 * ____cacheline_aligned_in_smp, so that two CPUs writing their own slots
 * never share a cache line (false sharing would turn every per-CPU
 * counter into a contended one):
 *
 *     struct pcp_lists { ... } ____cacheline_aligned_in_smp;
 *     static DEFINE_PER_CPU(struct pcp_lists, pcp);
 *     struct pcp_lists *mine = this_cpu_ptr(pcp);
 *
 * Per-CPU parts of objects made at run time (a slab cache's
 * struct kmem_cache_cpu) are such arrays too, reached through a pointer:
 * this_cpu_ptr(c->cpu_slab).
 */
#ifndef MMKIT_PERCPU_H
#define MMKIT_PERCPU_H

#include "arch.h"
#include "panic.h"

#define NR_CPUS CONFIG_NR_CPUS

/* Cache-line size the per-CPU layout assumes (both arches' QEMU CPUs: 64). */
#define SMP_CACHE_BYTES 64

#define ____cacheline_aligned __attribute__((aligned(SMP_CACHE_BYTES)))
/* On one CPU there is no one to share a line with: no padding. */
#if NR_CPUS > 1
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#else
#define ____cacheline_aligned_in_smp
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

/* @type must be declared ____cacheline_aligned_in_smp (checked). */
#define DEFINE_PER_CPU(type, name)                                           \
	type name[NR_CPUS];                                                  \
	_Static_assert(NR_CPUS == 1 || _Alignof(type) >= SMP_CACHE_BYTES,    \
		       "per-CPU type " #type " must be ____cacheline_aligned_in_smp")
#define DECLARE_PER_CPU(type, name) extern type name[NR_CPUS]

/* CPU @cpu's slot of per-CPU array @ptr, and the calling CPU's. */
#define per_cpu_ptr(ptr, cpu) (&(ptr)[(cpu)])
#define this_cpu_ptr(ptr) per_cpu_ptr(ptr, this_cpu())

#define for_each_possible_cpu(cpu) for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)

#endif /* MMKIT_PERCPU_H */
