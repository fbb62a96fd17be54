/*
 * arch_preload.c - arch.h for libmmkit.so: the kernel's allocators inside
 * an ordinary process, as its malloc (malloc.c).
 *
 * RAM is one arena of Kconfig RAM_MB MiB, reserved with mmap and
 * MAP_NORESERVE: the kernel commits a page only when it is first
 * touched, so a large RAM_MB costs address space, not memory.  (What
 * page_alloc_init() writes at boot - mem_map, 16 bytes per 4 KiB page,
 * and the strategy's metadata - is touched at once: RAM_MB / 256 of it.)
 * The arena is aligned to the largest block the page allocator hands
 * out, so that no block is lost to a misaligned start.
 *
 * The console is stderr, written with write(2) a line at a time: stdio
 * would allocate, and this code runs inside malloc.  Every caller of the
 * console holds the allocator lock (preload_lock.h), so the line buffer
 * needs no lock of its own; a panic writes what it has and aborts.  During
 * bring-up the console is a boot log instead (preload.h): the kernel's
 * boot messages are not the program's, and a panic writes the log out.
 *
 * Nothing here may call malloc: it runs inside it, and before the C
 * library has finished starting.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "kernel.h"
#include "kerrno.h"
#include "page_alloc.h"
#include "preload.h"
#include "zone_table.h"

#define ARENA_BYTES ((size_t)CONFIG_RAM_MB << 20)

#ifdef CONFIG_PAGE_ALLOC_BUDDY
#define ARENA_ALIGN (PAGE_SIZE << CONFIG_BUDDY_MAX_ORDER)
#else
#define ARENA_ALIGN PAGE_SIZE
#endif

const char arch_name[] = "host";

uintptr_t preload_arena_base, preload_arena_end;

static char line[256];
static size_t line_len;

/* Bring-up's messages: kept, not printed, unless bring-up panics. */
static char boot_log[4096];
static size_t boot_log_len;
static bool booting;

static void write_all(const char *buf, size_t len)
{
	int saved = errno;

	while (len) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf += n;
		len -= (size_t)n;
	}
	errno = saved;
}

void preload_boot_log_begin(void)
{
	booting = true;
}

void preload_boot_log_end(void)
{
	booting = false;
}

void arch_console_putc(char c)
{
	if (booting) {
		if (boot_log_len < sizeof(boot_log))
			boot_log[boot_log_len++] = c;
		return;
	}
	line[line_len++] = c;
	if (c == '\n' || line_len == sizeof(line)) {
		write_all(line, line_len);
		line_len = 0;
	}
}

/*
 * Only a panic leaves through here (kernel_exit() below is never
 * reached): the allocator's state can no longer be trusted, so the
 * process ends as glibc ends it on heap corruption, with SIGABRT.
 */
_Noreturn void arch_exit(int status)
{
	if (booting)
		write_all(boot_log, boot_log_len);
	write_all(line, line_len);
	line_len = 0;
	if (status == EXIT_PASS)
		_exit(0);
	abort();
}

_Noreturn void kernel_exit(int status)
{
	arch_exit(status);
}

/* Reserve the arena, aligned to ARENA_ALIGN: over-reserve, then trim both ends. */
static void reserve_arena(void)
{
	size_t span = ARENA_BYTES + ARENA_ALIGN;
	uintptr_t raw, base;
	void *m = mmap(NULL, span, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED) {
		static const char msg[] = "mmkit: cannot reserve the arena (Kconfig RAM_MB)\n";

		write_all(msg, sizeof(msg) - 1);
		abort();
	}
	raw = (uintptr_t)m;
	base = ALIGN_UP(raw, (uintptr_t)ARENA_ALIGN);
	if (base > raw)
		munmap(m, base - raw);
	if (raw + span > base + ARENA_BYTES)
		munmap((void *)(base + ARENA_BYTES), raw + span - (base + ARENA_BYTES));
	preload_arena_base = base;
	preload_arena_end = base + ARENA_BYTES;
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	if (!preload_arena_base)
		reserve_arena();
	if (max < 1)
		return 0;
	out[0].base = preload_arena_base;
	out[0].size = ARENA_BYTES;
	return 1;
}

uint64_t arch_ram_size(void)
{
	return ARENA_BYTES;
}

/* The arena stands for the arch's RAM at its physical base, as on the host test build. */
uintptr_t arch_zone_offset(void)
{
	return preload_arena_base - (uintptr_t)ARCH_RAM_PHYS_BASE;
}

_Noreturn void preload_fatal(const char *msg)
{
	size_t len = 0;

	while (msg[len])
		len++;
	if (booting)
		write_all(boot_log, boot_log_len);
	write_all(line, line_len);
	line_len = 0;
	write_all(msg, len);
	abort();
}
