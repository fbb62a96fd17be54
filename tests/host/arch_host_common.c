/*
 * arch_host_common.c - the part of arch.h every host build implements the
 * same way: the kernel test image (arch_host.c) and the host benchmark's
 * mmkit peer (bench/arch_bench.c) differ in their console, memory map and
 * main(), not in these.
 *
 * One process is one CPU; the counters are the monotonic clock in
 * nanoseconds (the host has no instruction counter to offer, and nothing
 * reports these as instructions: the host benchmark times in ns).
 */
#define _POSIX_C_SOURCE 200809L

#include <time.h>

#include "arch.h"

uint64_t arch_cycles(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t arch_instret(void)
{
	return arch_cycles();
}

unsigned int arch_cpu_id(void)
{
	return 0;
}

void arch_cpu_relax(void)
{
}

/* The C runtime has already run the constructors before main(). */
void init_array_run(void)
{
}
