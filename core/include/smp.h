/*
 * smp.h - several CPUs: which are online, running a function on another
 * CPU or on all of them, and stopping them.
 *
 * With Kconfig SMP, kmain() calls smp_init() once memory management is up:
 * it starts the other CPUs (at most NR_CPUS in all; fewer if the machine
 * has fewer, as the one-CPU bench boot does), starts every CPU's tick and
 * enables interrupts.  The boot CPU (0) goes on to run the image; every
 * other CPU idles with interrupts enabled, running what it is sent:
 *
 *   smp_call_function_single(cpu, fn, arg, wait)
 *       fn(arg) on @cpu, in its IPI handler (interrupts disabled: keep it
 *       short, never wait for another CPU in it).  On the calling CPU it is
 *       a plain call with interrupts disabled.  With @wait, returns once
 *       fn has returned; without, once the request is queued (a later call
 *       to the same CPU waits for it to have started).  KERR_INVAL if @cpu
 *       is not online.
 *   smp_call_function_all(fn, arg, wait)
 *       the same on every online CPU EXCEPT the caller.
 *   on_each_cpu(fn, arg)
 *       fn(arg) on every online CPU INCLUDING the caller, all at the same
 *       time, each in thread context with interrupts enabled (so fn may
 *       itself make cross-CPU calls, allocate, take locks); returns when
 *       every CPU has returned.  Meant for concurrency tests.  Called from
 *       the boot CPU's thread context, one at a time (not nestable).
 *
 * The first two must be called with interrupts enabled: a CPU waiting for
 * another with its own interrupts off would deadlock against one doing the
 * same to it.  Both panic when that is not so.
 *
 * Without SMP there is one CPU and these are trivial: the calls run fn on
 * the calling CPU (or nowhere, for the "others" of smp_call_function_all).
 */
#ifndef MMKIT_SMP_H
#define MMKIT_SMP_H

#include <stdbool.h>

#include "kerrno.h"
#include "percpu.h"

typedef void (*smp_call_fn)(void *arg);

#ifdef CONFIG_SMP

void smp_init(void);

unsigned int num_online_cpus(void);
bool cpu_online(unsigned int cpu);

int smp_call_function_single(unsigned int cpu, smp_call_fn fn, void *arg, bool wait);
void smp_call_function_all(smp_call_fn fn, void *arg, bool wait);
void on_each_cpu(smp_call_fn fn, void *arg);

/*
 * Stop every other online CPU and wait for them (bounded: about a second).
 * @force: where the machine can, interrupt even CPUs that have interrupts
 * disabled (x86_64: NMI), for panic(); otherwise a normal IPI, which never
 * stops a CPU inside an irq-safe critical section (such as holding the
 * console lock), for the end of a run.  Returns how many did not stop.
 * If another CPU is already stopping everyone, the caller stops instead.
 */
unsigned int smp_stop_others(bool force);

/* For core/kernel only: the IPI and NMI handlers' and spin-waits' part. */
bool smp_stop_requested(void);          /* by another CPU, of this one */
_Noreturn void smp_stop_self(void);
void smp_call_run_queue(void);          /* run what other CPUs sent here */

#else /* !CONFIG_SMP */

static inline void smp_init(void)
{
}

static inline unsigned int num_online_cpus(void)
{
	return 1;
}

static inline bool cpu_online(unsigned int cpu)
{
	return cpu == 0;
}

static inline int smp_call_function_single(unsigned int cpu, smp_call_fn fn, void *arg,
					   bool wait)
{
	(void)wait;
	if (cpu != 0)
		return KERR_INVAL;
	fn(arg);
	return KERR_OK;
}

static inline void smp_call_function_all(smp_call_fn fn, void *arg, bool wait)
{
	(void)fn;
	(void)arg;
	(void)wait;
}

static inline void on_each_cpu(smp_call_fn fn, void *arg)
{
	fn(arg);
}

static inline unsigned int smp_stop_others(bool force)
{
	(void)force;
	return 0;
}

#endif /* CONFIG_SMP */

#define for_each_online_cpu(cpu)                                   \
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)           \
		if (!cpu_online(cpu)) {                            \
		} else

#endif /* MMKIT_SMP_H */
