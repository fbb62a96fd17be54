/*
 * arch_host.c - arch.h for the host: the kernel as an ordinary process.
 *
 * The host is a third "arch": the same core/ code and the same test image
 * (kmain -> mm_init -> the KTAP suites) built natively under ASan/UBSan.
 * The console is stdout, exiting is exit(), RAM is one arena from the C
 * library.
 *
 * RAM: Kconfig RAM_MB MiB, the same amount the guest gets, so that tests
 * sized from the memory map behave alike.
 * The arena is reported as two regions with a 64 KiB hole between them, as
 * firmware maps usually have holes: the page allocator's handling of holes
 * (reserved, not owned, no struct page) is exercised on the host too.
 */

#include <stdio.h>
#include <stdlib.h>

#include "arch.h"
#include "kernel.h"
#include "page_alloc.h"
#include "zone_table.h"

#define HOST_RAM_BYTES ((size_t)CONFIG_RAM_MB << 20)
#define HOST_HOLE_BYTES ((size_t)64 << 10)

const char arch_name[] = "host";

static unsigned char *arena;

void arch_console_putc(char c)
{
	putchar(c);
}

_Noreturn void arch_exit(int status)
{
	fflush(stdout);
	exit(status);
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	/* A small low region, as firmware leaves below the kernel: most RAM is in one piece. */
	size_t low = HOST_RAM_BYTES / 16;

	if (!arena) {
		arena = aligned_alloc(PAGE_SIZE, HOST_RAM_BYTES);
		if (!arena) {
			fprintf(stderr, "arch_host: cannot allocate %zu MiB of RAM\n",
				HOST_RAM_BYTES >> 20);
			exit(EXIT_PANIC);
		}
	}
	if (max < 1)
		return 0;
	out[0].base = (uintptr_t)arena;
	out[0].size = low - HOST_HOLE_BYTES;
	if (max < 2)
		return 1;
	out[1].base = (uintptr_t)arena + low;
	out[1].size = HOST_RAM_BYTES - low;
	return 2;
}

uint64_t arch_ram_size(void)
{
	return HOST_RAM_BYTES;
}

/*
 * The arena stands for the arch's RAM at its physical base, so that the
 * zones of a variant (zone_table.h) cut it where they cut the guest's.
 */
uintptr_t arch_zone_offset(void)
{
	return (uintptr_t)arena - (uintptr_t)ARCH_RAM_PHYS_BASE;
}

int main(void)
{
	/*
	 * Line buffered: if a sanitizer aborts the process, everything up to
	 * the failing line is already out, next to the sanitizer's report.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	kmain();
}
