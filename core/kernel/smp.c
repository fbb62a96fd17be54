/*
 * smp.c - bringing the other CPUs up, what they do once up, and stopping
 * them (core/include/smp.h).
 *
 * The boot CPU asks the arch to start the others (arch_start_cpus()); each
 * one starts its tick, marks itself online and idles with interrupts
 * enabled, waking for whatever an IPI brings: cross-CPU calls (smp_call.c,
 * run in the IPI handler), work from on_each_cpu() (run here, in thread
 * context), or a request to stop.
 *
 * The idle loop checks for work with interrupts disabled and then enables
 * them and waits as one step (arch_irq_enable_and_wait()), so an IPI sent
 * between the check and the wait is taken, not lost.
 */
#include <stdatomic.h>
#include <stdbool.h>

#include "arch.h"
#include "irq.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "smp.h"

_Static_assert(NR_CPUS <= 8 * sizeof(unsigned long), "the online mask is one word");

/* Bit n: CPU n is online (started, ticking, taking interrupts). */
static atomic_ulong online_mask;

/* on_each_cpu(): the function, its generation, the CPUs still running it. */
static smp_call_fn work_fn;
static void *work_arg;
static atomic_uint work_gen;
static atomic_uint work_left;
static atomic_uint work_busy;     /* not atomic_bool: a byte exchange is a libatomic call on rv64 */

/* The CPU (+ 1) that asked every other one to stop, and how many did. */
static atomic_uint stop_requester;
static atomic_uint cpus_stopped;

/* How long a stop may take before the requester gives up on a CPU. */
#define STOP_WAIT_NS 1000000000ull

unsigned int num_online_cpus(void)
{
	unsigned long mask = atomic_load_explicit(&online_mask, memory_order_acquire);
	unsigned int n = 0;

	/* Not __builtin_popcountl(): on rv64imac it is a libgcc call. */
	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS &&
	       (atomic_load_explicit(&online_mask, memory_order_acquire) >> cpu) & 1;
}

static void set_online(unsigned int cpu)
{
	atomic_fetch_or_explicit(&online_mask, 1ul << cpu, memory_order_release);
}

/* Run the current on_each_cpu() function if this CPU has not yet. */
static void run_work(unsigned int *seen)
{
	unsigned int gen = atomic_load_explicit(&work_gen, memory_order_acquire);

	if (gen == *seen)
		return;
	*seen = gen;
	irq_enable();
	work_fn(work_arg);
	/* Release: our reads of work_fn/work_arg come before the next call's writes. */
	atomic_fetch_sub_explicit(&work_left, 1, memory_order_release);
}

static _Noreturn void idle_loop(void)
{
	unsigned int seen = atomic_load_explicit(&work_gen, memory_order_acquire);

	for (;;) {
		irq_disable();
		if (atomic_load_explicit(&work_gen, memory_order_acquire) != seen) {
			run_work(&seen);
			continue;
		}
		arch_irq_enable_and_wait();
	}
}

static _Noreturn void secondary_entry(unsigned int cpu)
{
	BUG_ON(cpu != this_cpu());
	tick_start();
	set_online(cpu);
	idle_loop();
}

void smp_init(void)
{
	unsigned int started;

	set_online(0);
	started = arch_start_cpus(NR_CPUS, secondary_entry);
	/*
	 * Every CPU counted in @started has committed to running
	 * secondary_entry(); waiting for it to say so cannot be forever
	 * unless it crashed, which the host sees as a hang.
	 */
	while (num_online_cpus() < started)
		arch_cpu_relax();
	tick_start();
	irq_enable();
	printk("mmkit: smp: %u of %u CPUs online\n", started, (unsigned int)NR_CPUS);
}

void on_each_cpu(smp_call_fn fn, void *arg)
{
	BUG_ON(!irqs_enabled());
	if (atomic_exchange_explicit(&work_busy, 1, memory_order_acquire))
		panic("on_each_cpu() on CPU %u while another one runs: not nestable",
		      this_cpu());
	work_fn = fn;
	work_arg = arg;
	atomic_store_explicit(&work_left, num_online_cpus() - 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&work_gen, 1, memory_order_release);
	for_each_online_cpu(cpu)
		if (cpu != this_cpu())
			arch_send_ipi(cpu);     /* wakes it; its idle loop runs fn */
	fn(arg);
	while (atomic_load_explicit(&work_left, memory_order_acquire) != 0)
		arch_cpu_relax();
	atomic_store_explicit(&work_busy, 0, memory_order_release);
}

bool smp_stop_requested(void)
{
	unsigned int who = atomic_load_explicit(&stop_requester, memory_order_acquire);

	return who != 0 && who != arch_cpu_id() + 1;
}

_Noreturn void smp_stop_self(void)
{
	irq_disable();
	atomic_fetch_add_explicit(&cpus_stopped, 1, memory_order_release);
	arch_cpu_halt();
}

unsigned int smp_stop_others(bool force)
{
	unsigned int me = arch_cpu_id(), others, stopped, expected = 0;
	uint64_t deadline;

	if (force) {
		/* panic(): it has already won against any other panic. */
		atomic_store_explicit(&stop_requester, me + 1, memory_order_seq_cst);
	} else if (!atomic_compare_exchange_strong_explicit(&stop_requester, &expected, me + 1,
							    memory_order_seq_cst,
							    memory_order_acquire)) {
		if (expected != me + 1)
			smp_stop_self();
	}
	/* Counted, not num_online_cpus() - 1: a panic before smp_init() has none online. */
	others = 0;
	for_each_online_cpu(cpu) {
		if (cpu == me)
			continue;
		others++;
		if (force)
			arch_send_nmi(cpu);
		else
			arch_send_ipi(cpu);
	}
	deadline = arch_clock_ns() + STOP_WAIT_NS;
	while (atomic_load_explicit(&cpus_stopped, memory_order_acquire) < others &&
	       arch_clock_ns() < deadline) {
		/* A panic on another CPU overrides a plain stop: give way to it. */
		if (!force && smp_stop_requested())
			smp_stop_self();
		arch_cpu_relax();
	}
	stopped = atomic_load_explicit(&cpus_stopped, memory_order_acquire);
	return stopped < others ? others - stopped : 0;
}
