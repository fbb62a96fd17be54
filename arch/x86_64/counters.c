/*
 * counters.c - the clocks behind measurements.
 *
 * x86 has no architectural retired-instruction counter outside the PMU,
 * and QEMU's TCG does not emulate a PMU, so both counters read the TSC.
 * Under -icount shift=0 QEMU advances the virtual clock by one nanosecond
 * per guest instruction and derives the TSC from it, which makes the TSC a
 * deterministic instruction count; without -icount it follows the host
 * clock and varies from run to run.
 */
#include <stdint.h>
#include "arch.h"
#include "x86.h"

uint64_t arch_cycles(void)
{
	return rdtsc();
}

uint64_t arch_instret(void)
{
	return rdtsc();
}
