/*
 * arch_host_common.c - the part of arch.h every host build implements the
 * same way: the kernel test image (arch_host.c) and the host benchmark's
 * mmkit peer (bench/arch_bench.c) differ in their console, memory map and
 * main(), not in these.
 *
 * A CPU is a thread: arch_cpu_id() is a thread-local index, 0 for the
 * main thread (the only CPU of the host benchmark, and of the test image
 * without SMP; with SMP arch_host_smp.c starts the others).  The counters
 * are the monotonic clock in nanoseconds (the host has no instruction
 * counter to offer, and nothing reports these as instructions: the host
 * benchmark times in ns).  The spin-wait hint is each program's own: the
 * test image takes emulated interrupts in it.
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

_Thread_local unsigned int host_cpu_id;

unsigned int arch_cpu_id(void)
{
	return host_cpu_id;
}

/* The C runtime has already run the constructors before main(). */
void init_array_run(void)
{
}
