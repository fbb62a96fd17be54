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
 * Per-CPU parts of objects made at run time are such arrays too, kept
 * inside the object (a slab cache's struct kmem_cache_cpu cpu_slab[]):
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

/*
 * Per-CPU counters: a CPU adds to its own only, any CPU may read anyone's
 * (statistics summed on read).  With several CPUs the store is a relaxed
 * atomic - the load, add and store it would be anyway, but a reader on
 * another CPU makes no data race of it (the host's ThreadSanitizer run
 * checks); with one CPU it is a plain add, which x86 does in memory in
 * one instruction.  A sum read while CPUs count is a moment's estimate;
 * read after they are done (on_each_cpu() has returned) it is exact.
 */
/*
 * A word written under a lock and read without it (a zone's free-page
 * count, which every watermark check reads): with several CPUs the store
 * and the lockless loads are relaxed atomics, so the readers race with
 * nothing; with one CPU, plain accesses.
 */
#if NR_CPUS > 1
#define WRITE_ONCE(var, val) __atomic_store_n(&(var), (val), __ATOMIC_RELAXED)
#define READ_ONCE(var) __atomic_load_n(&(var), __ATOMIC_RELAXED)
#else
#define WRITE_ONCE(var, val) ((var) = (val))
#define READ_ONCE(var) (var)
#endif

#if NR_CPUS > 1
#define percpu_counter_add(var, n) __atomic_store_n(&(var), (var) + (n), __ATOMIC_RELAXED)
#define percpu_counter_read(var) __atomic_load_n(&(var), __ATOMIC_RELAXED)
#else
#define percpu_counter_add(var, n) ((var) += (n))
#define percpu_counter_read(var) (var)
#endif

#endif /* MMKIT_PERCPU_H */
