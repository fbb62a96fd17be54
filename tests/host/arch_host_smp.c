/*
 * arch_host_smp.c - the SMP part of arch.h on the host: each CPU is a
 * thread, and interrupts are emulated.
 *
 * CPUs: arch_start_cpus() starts one thread per CPU; arch_cpu_id() reads
 * a thread-local index (arch_host_common.c).
 *
 * Interrupts are flags a CPU polls, not signals.  Each CPU has a word of
 * pending interrupts (tick, IPI, NMI) that others set; the CPU takes them
 * whenever it could take an interrupt on a machine: when it enables
 * interrupts (arch_irq_enable(), arch_irq_restore()), while it waits
 * for one (arch_irq_enable_and_wait(), which sleeps on a condition
 * variable until one is pending) and in every spin-wait
 * (arch_cpu_relax()).  An "NMI" is taken at those points even with
 * interrupts disabled.  So a CPU running straight-line code takes its
 * interrupts late, never in the middle of it: a handler cannot interrupt
 * a critical section with interrupts enabled the way it can on a machine.
 * Signals were the other choice; they would interrupt anywhere, but a
 * handler running core code (locks, printk through stdio) is not
 * async-signal-safe, and ThreadSanitizer delivers signals only at its own
 * interception points, so a CPU spinning in plain code would never take
 * one.  Polling keeps every cross-thread access a C11 atomic or a
 * pthread primitive, which TSan checks.
 *
 * The tick: one timer thread sets every ticking CPU's tick flag each
 * period and wakes it.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"

extern _Thread_local unsigned int host_cpu_id;  /* arch_host_common.c */

uint64_t arch_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#ifdef CONFIG_SMP

#define PENDING_TICK 1u
#define PENDING_IPI 2u
#define PENDING_NMI 4u

struct host_cpu {
	atomic_uint pending;
	atomic_uint ticking;
	pthread_mutex_t lock;           /* with wake: sleeping until pending */
	pthread_cond_t wake;
};

static struct host_cpu cpus[CONFIG_NR_CPUS];
static void (*cpu_entry)(unsigned int cpu);

/* Only the thread itself touches these. */
static _Thread_local bool irqs_on;
static _Thread_local bool in_irq;

static atomic_uint timer_started;
static atomic_uint_least64_t tick_period_ns;

static void raise_irq(unsigned int cpu, unsigned int what)
{
	struct host_cpu *c = &cpus[cpu];

	atomic_fetch_or(&c->pending, what);
	pthread_mutex_lock(&c->lock);
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

/* Take what is pending, as a machine would at this point. */
static void take_interrupts(void)
{
	struct host_cpu *c = &cpus[host_cpu_id];

	if (atomic_load_explicit(&c->pending, memory_order_relaxed) & PENDING_NMI) {
		atomic_fetch_and(&c->pending, ~PENDING_NMI);
		irq_handle_nmi();
	}
	if (!irqs_on || in_irq)
		return;
	for (;;) {
		unsigned int p = atomic_exchange(&c->pending, 0);

		if (!p)
			return;
		irqs_on = false;        /* as an interrupt gate does */
		in_irq = true;
		if (p & PENDING_NMI)
			irq_handle_nmi();
		if (p & PENDING_IPI)
			irq_handle_ipi();
		if (p & PENDING_TICK)
			irq_handle_tick();
		in_irq = false;
		irqs_on = true;
	}
}

unsigned long arch_irq_save(void)
{
	bool was = irqs_on;

	irqs_on = false;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags)
		arch_irq_enable();
	else
		irqs_on = false;
}

void arch_irq_enable(void)
{
	irqs_on = true;
	take_interrupts();
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
	struct host_cpu *c = &cpus[host_cpu_id];

	/* Checked under the lock the raiser signals under: no wakeup is lost. */
	pthread_mutex_lock(&c->lock);
	while (!atomic_load(&c->pending))
		pthread_cond_wait(&c->wake, &c->lock);
	pthread_mutex_unlock(&c->lock);
	arch_irq_enable();
}

/* A spin-wait: take interrupts, and let the other CPU threads run. */
void arch_cpu_relax(void)
{
	take_interrupts();
	sched_yield();
}

void arch_send_ipi(unsigned int cpu)
{
	raise_irq(cpu, PENDING_IPI);
}

void arch_send_nmi(unsigned int cpu)
{
	raise_irq(cpu, PENDING_NMI);
}

static void *timer_thread(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t ns = atomic_load(&tick_period_ns);
		struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

		nanosleep(&ts, NULL);
		for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++)
			if (atomic_load(&cpus[cpu].ticking))
				raise_irq(cpu, PENDING_TICK);
	}
	return NULL;
}

void arch_timer_start(unsigned int hz)
{
	atomic_store(&tick_period_ns, 1000000000u / hz);
	atomic_store(&cpus[host_cpu_id].ticking, 1);
	if (!atomic_exchange(&timer_started, 1)) {
		pthread_t t;

		if (pthread_create(&t, NULL, timer_thread, NULL) != 0) {
			fprintf(stderr, "arch_host: cannot start the timer thread\n");
			arch_exit(2);
		}
		pthread_detach(t);
	}
}

void arch_timer_stop(void)
{
	atomic_store(&cpus[host_cpu_id].ticking, 0);
}

static void *cpu_thread(void *arg)
{
	host_cpu_id = (unsigned int)(uintptr_t)arg;
	irqs_on = false;
	cpu_entry(host_cpu_id);
	return NULL;
}

unsigned int arch_start_cpus(unsigned int max, void (*entry)(unsigned int cpu))
{
	unsigned int online = 1;

	for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		pthread_mutex_init(&cpus[cpu].lock, NULL);
		pthread_cond_init(&cpus[cpu].wake, NULL);
	}
	cpu_entry = entry;
	while (online < max && online < CONFIG_NR_CPUS) {
		pthread_t t;

		/* A thread that cannot be made leaves its index to the next. */
		if (pthread_create(&t, NULL, cpu_thread, (void *)(uintptr_t)online) != 0) {
			fprintf(stderr, "arch_host: cannot start CPU %u's thread\n", online);
			break;
		}
		pthread_detach(t);
		online++;
	}
	return online;
}

_Noreturn void arch_cpu_halt(void)
{
	irqs_on = false;
	for (;;)
		pause();        /* no signal ever comes: this thread is done */
}

#else /* !CONFIG_SMP: one CPU, no interrupts; only the spin-wait hint is used. */

void arch_cpu_relax(void)
{
}

#endif
