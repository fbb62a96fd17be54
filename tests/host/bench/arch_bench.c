/*
 * arch_bench.c - arch.h for the host benchmark's mmkit peer.
 *
 * Like tests/host/arch_host.c, but built to be timed: no sanitizers, no
 * main() (the driver has it), one contiguous arena of Kconfig RAM_MB MiB.
 * The console is stderr, so that kernel messages never mix with the
 * HOSTBENCH lines on stdout.
 */

#include <stdio.h>
#include <stdlib.h>

#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "page_alloc.h"
#include "zone_table.h"

#define ARENA_BYTES ((size_t)CONFIG_RAM_MB << 20)

const char arch_name[] = "host";

static unsigned char *arena;

void arch_console_putc(char c)
{
	fputc(c, stderr);
}

_Noreturn void arch_exit(int status)
{
	fflush(stdout);
	exit(status);
}

/* One CPU, nothing to wait for. */
void arch_cpu_relax(void)
{
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	if (!arena)
		arena = aligned_alloc(PAGE_SIZE, ARENA_BYTES);
	if (!arena) {
		fprintf(stderr, "hostbench: cannot allocate %zu MiB of RAM\n", ARENA_BYTES >> 20);
		exit(2);
	}
	if (max < 1)
		return 0;
	out[0].base = (uintptr_t)arena;
	out[0].size = ARENA_BYTES;
	return 1;
}

uint64_t arch_ram_size(void)
{
	return ARENA_BYTES;
}

/* As in arch_host.c: the arena stands for the arch's RAM at its physical base. */
uintptr_t arch_zone_offset(void)
{
	return (uintptr_t)arena - (uintptr_t)ARCH_RAM_PHYS_BASE;
}

_Noreturn void kernel_exit(int status)
{
	fprintf(stderr, EXIT_MARKER "%d\n", status);
	arch_exit(status);
}
