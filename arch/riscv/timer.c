/*
 * timer.c - time on riscv64: the time CSR (at the device tree's
 * timebase-frequency) for arch_clock_ns(), and each hart's periodic tick
 * through the SBI TIME extension.
 *
 * sbi_set_timer() arms a one-shot supervisor timer interrupt at an
 * absolute time and clears a pending one; the tick re-arms it one period
 * after the previous deadline, so ticks do not drift, unless the hart was
 * so late that the deadline has passed (then one period from now, rather
 * than a burst of catch-up ticks).
 */
#include <stdint.h>

#include "arch.h"
#include "panic.h"
#include "riscv.h"
#include "sbi.h"

uint64_t riscv_timebase_hz;

/* Each hart touches only its own entry. */
static struct {
	uint64_t period;
	uint64_t deadline;
} ticks[CONFIG_NR_CPUS];

static uint64_t read_time(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static uint64_t timebase(void)
{
	if (!riscv_timebase_hz)
		panic("riscv64: the device tree gives no timebase-frequency");
	return riscv_timebase_hz;
}

uint64_t arch_clock_ns(void)
{
	uint64_t t = read_time(), hz = timebase();

	/* Split so that t * 1e9 cannot overflow. */
	return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
}

static void set_timer(uint64_t when)
{
	sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, when, 0, 0);
}

void arch_timer_start(unsigned int hz)
{
	unsigned int cpu = arch_cpu_id();

	ticks[cpu].period = timebase() / hz;
	ticks[cpu].deadline = read_time() + ticks[cpu].period;
	set_timer(ticks[cpu].deadline);
	csr_set(sie, SIE_STIE);
}

void arch_timer_stop(void)
{
	csr_clear(sie, SIE_STIE);
	set_timer(UINT64_MAX);
}

void riscv_timer_interrupt(void)
{
	unsigned int cpu = arch_cpu_id();
	uint64_t now = read_time();

	ticks[cpu].deadline += ticks[cpu].period;
	if (ticks[cpu].deadline <= now)
		ticks[cpu].deadline = now + ticks[cpu].period;
	set_timer(ticks[cpu].deadline);
	irq_handle_tick();
}
