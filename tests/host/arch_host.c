/*
 * arch_host.c - arch.h for the host: the kernel as an ordinary process.
 *
 * The host is a third "arch": the same core/ code and the same test image
 * (kmain -> mm_init -> the KTAP suites) built natively under ASan/UBSan.
 * The console is stdout, exiting is exit(), RAM is one arena.
 *
 * RAM: Kconfig RAM_MB MiB, the same amount the guest gets, so that tests
 * sized from the memory map behave alike.
 * The arena is reported as two regions with a 64 KiB hole between them, as
 * firmware maps usually have holes: the page allocator's handling of holes
 * (reserved, not owned, no struct page) is exercised on the host too.
 *
 * The arena is a memfd mapped shared, not malloc'd memory, so that
 * paging_host.c can map any page of it a second time, at another address
 * in the vmap area, as the guests' page tables do ("physical" addresses
 * are arena addresses; the arena's own mapping is the identity map).  It
 * sits at a 1 GiB-aligned address, so that the page allocator's naturally
 * aligned blocks are aligned in the emulated physical space too and 1 GiB
 * leaves are possible.  ASan does not track mmap'd memory: it is never
 * poisoned, and the allocators' own checks are what the tests exercise.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "host.h"
#include "kernel.h"
#include "page_alloc.h"
#include "zone_table.h"

#define HOST_RAM_BYTES ((size_t)CONFIG_RAM_MB << 20)
#define HOST_HOLE_BYTES ((size_t)64 << 10)
#define ARENA_ALIGN PAGE_SIZE_1G

const char arch_name[] = "host";

static unsigned char *arena;
static int arena_fd = -1;

static _Noreturn void no_ram(const char *what)
{
	fprintf(stderr, "arch_host: cannot %s %zu MiB of RAM\n", what, HOST_RAM_BYTES >> 20);
	exit(EXIT_PANIC);
}

void *host_reserve_aligned(size_t size, size_t align)
{
	size_t span = size + align;
	unsigned char *raw = mmap(NULL, span, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned char *start;
	size_t head;

	if (raw == MAP_FAILED)
		return NULL;
	start = (unsigned char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	head = (size_t)(start - raw);
	if (head)
		munmap(raw, head);
	munmap(start + size, span - head - size);
	return start;
}

static void arena_init(void)
{
	void *at = host_reserve_aligned(HOST_RAM_BYTES, ARENA_ALIGN);

	arena_fd = memfd_create("mmkit-ram", MFD_CLOEXEC);
	if (arena_fd < 0 || !at)
		no_ram("reserve");
	if (ftruncate(arena_fd, (off_t)HOST_RAM_BYTES) != 0)
		no_ram("size");
	arena = mmap(at, HOST_RAM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		     arena_fd, 0);
	if (arena == MAP_FAILED)
		no_ram("map");
}

int host_arena(uintptr_t *base, size_t *size)
{
	*base = (uintptr_t)arena;
	*size = HOST_RAM_BYTES;
	return arena_fd;
}

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

	if (!arena)
		arena_init();
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
	host_fault_init();
	kmain();
}
