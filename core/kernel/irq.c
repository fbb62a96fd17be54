/*
 * irq.c - what the core does with an interrupt (core/include/irq.h): the
 * arch's handlers call irq_handle_tick(), irq_handle_ipi() and
 * irq_handle_nmi() (core/include/arch.h) on the CPU that took it, with
 * interrupts disabled.
 *
 * A tick counts and runs the tick hooks.  An IPI means "look at what other
 * CPUs left for you": a stop request first, then the queue of cross-CPU
 * calls (smp_call.c); an IPI that only woke an idle CPU finds nothing, and
 * the idle loop (smp.c) looks for work itself.  An NMI is only ever a stop
 * request.
 *
 * Only built with Kconfig SMP: without it nothing takes interrupts.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "arch.h"
#include "irq.h"
#include "kerrno.h"
#include "panic.h"
#include "percpu.h"
#include "smp.h"

struct irq_counts {
	/* Written by their own CPU only, read by any: atomics, relaxed. */
	atomic_uint_least64_t ticks;
	atomic_uint_least64_t ipis;
	atomic_uint_least64_t nmis;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct irq_counts, irq_counts);
static _Atomic(tick_hook_fn) tick_hooks[TICK_HOOKS_MAX];

static void count(atomic_uint_least64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

void irq_handle_tick(void)
{
	unsigned int cpu = this_cpu();

	count(&this_cpu_ptr(irq_counts)->ticks);
	for (unsigned int i = 0; i < TICK_HOOKS_MAX; i++) {
		tick_hook_fn fn = atomic_load_explicit(&tick_hooks[i], memory_order_acquire);

		if (fn)
			fn(cpu);
	}
}

void irq_handle_ipi(void)
{
	count(&this_cpu_ptr(irq_counts)->ipis);
	if (smp_stop_requested())
		smp_stop_self();
	smp_call_run_queue();
}

void irq_handle_nmi(void)
{
	count(&this_cpu_ptr(irq_counts)->nmis);
	if (smp_stop_requested())
		smp_stop_self();
	panic("unexpected NMI on CPU %u", this_cpu());
}

int tick_hook_register(tick_hook_fn fn)
{
	for (unsigned int i = 0; i < TICK_HOOKS_MAX; i++) {
		tick_hook_fn empty = NULL;

		if (atomic_compare_exchange_strong_explicit(&tick_hooks[i], &empty, fn,
							    memory_order_release,
							    memory_order_relaxed))
			return KERR_OK;
	}
	return KERR_LIMIT;
}

static void nothing(void *arg)
{
	(void)arg;
}

void tick_hook_unregister(tick_hook_fn fn)
{
	for (unsigned int i = 0; i < TICK_HOOKS_MAX; i++) {
		tick_hook_fn mine = fn;

		atomic_compare_exchange_strong_explicit(&tick_hooks[i], &mine, NULL,
							memory_order_relaxed,
							memory_order_relaxed);
	}
	/*
	 * A CPU may be inside the hook right now, in its tick handler with
	 * interrupts disabled.  Once every other CPU has run an IPI call it
	 * has had interrupts enabled since, so it has left the handler.
	 */
	if (irqs_enabled())
		smp_call_function_all(nothing, NULL, true);
}

void tick_start(void)
{
	arch_timer_start(TICK_HZ);
}

void tick_stop(void)
{
	arch_timer_stop();
}

uint64_t irq_count_ticks(unsigned int cpu)
{
	BUG_ON(cpu >= NR_CPUS);
	return atomic_load_explicit(&per_cpu_ptr(irq_counts, cpu)->ticks, memory_order_relaxed);
}

uint64_t irq_count_ipis(unsigned int cpu)
{
	BUG_ON(cpu >= NR_CPUS);
	return atomic_load_explicit(&per_cpu_ptr(irq_counts, cpu)->ipis, memory_order_relaxed);
}

uint64_t irq_count_nmis(unsigned int cpu)
{
	BUG_ON(cpu >= NR_CPUS);
	return atomic_load_explicit(&per_cpu_ptr(irq_counts, cpu)->nmis, memory_order_relaxed);
}
