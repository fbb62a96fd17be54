/*
 * memory_map.c - turn the firmware's view of RAM into the regions the
 * kernel may allocate from (arch_memory_map() in core/include/arch.h).
 *
 * usable = (available RAM from 1 MiB up)
 *          - everything the firmware marks as not available
 *          - the kernel image and the loader's information
 *          - the pages the boot page tables took (below),
 * each region shrunk inwards to whole 4 KiB pages, sorted by base.
 *
 * Below 1 MiB live the BIOS data area, the EBDA, option ROMs and the
 * loader's own structures; it is little memory and not worth telling apart.
 * RAM above 4 GiB (QEMU's pc machine puts what does not fit below the PCI
 * hole there) is usable too: the kernel's own page tables (paging.c) map
 * all of it.
 *
 * Every range the firmware describes, available or not, is also kept as
 * it came (mem_map_described()), for the page tables: firmware tables the
 * kernel may read later (ACPI, the MP table) sit in reserved ranges.
 *
 * The boot page tables are built before the page allocator exists; their
 * pages are taken from the bottom of the lowest usable region, just above
 * the kernel image, which is below 4 GiB: boot.S's identity map, which the
 * tables are written through, covers only that much.
 *
 * The arithmetic is core/'s memory map builder (core/include/memmap.h); the
 * result is computed once at boot (mem_map_finalize()) into static arrays,
 * so arch_memory_map() only copies it out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch.h"
#include "kernel.h"
#include "kstring.h"
#include "memmap.h"
#include "x86.h"

#define USABLE_FLOOR 0x100000ull		/* 1 MiB */
#define USABLE_CEILING UINT64_MAX
#define BOOT_MAP_LIMIT 0x100000000ull	/* 4 GiB: the end of boot.S's identity map */
#define PAGE 4096u

#define MAX_RAM_RANGES 64
/* The firmware's and the loader's reservations, plus the kernel image. */
#define MAX_RESERVED_RANGES (128 + 1)
#define MAX_USABLE_RANGES MEMMAP_MAX_USABLE(MAX_RAM_RANGES, MAX_RESERVED_RANGES)
#define MAX_DESCRIBED (MAX_RAM_RANGES + MAX_RESERVED_RANGES)

static struct memmap_range ram_slots[MAX_RAM_RANGES];
static struct memmap_range reserved_slots[MAX_RESERVED_RANGES];
static struct memmap map;
static bool map_started;
static struct mem_region usable[MAX_USABLE_RANGES];
static size_t nr_usable;
static uint64_t total_ram;
static struct described_range described[MAX_DESCRIBED];
static size_t nr_described;

/* Ranges past the last slot are dropped: paging.c maps the usable regions in any case. */
static void describe(uint64_t base, uint64_t len, bool ram)
{
	if (len && nr_described < MAX_DESCRIBED)
		described[nr_described++] = (struct described_range){ base, base + len, ram };
}

/* multiboot.c adds ranges before anything else runs; start the builder on the first. */
static struct memmap *builder(void)
{
	if (!map_started) {
		memmap_init(&map, ram_slots, ARRAY_SIZE(ram_slots),
			    reserved_slots, ARRAY_SIZE(reserved_slots));
		map_started = true;
	}
	return &map;
}

void mem_map_add_ram(uint64_t base, uint64_t len)
{
	memmap_add_ram(builder(), base, len);
	describe(base, len, true);
}

void mem_map_add_reserved(uint64_t base, uint64_t len)
{
	memmap_add_reserved(builder(), base, len);
	describe(base, len, false);
}

size_t mem_map_described(const struct described_range **ranges)
{
	*ranges = described;
	return nr_described;
}

uint64_t mem_map_boot_page_alloc(void)
{
	struct mem_region *r = &usable[0];
	uint64_t page = r->base;

	/* Regions are whole pages and never empty: the lowest one has a page. */
	if (nr_usable == 0 || page + PAGE > BOOT_MAP_LIMIT)
		return 0;
	r->base += PAGE;
	r->size -= PAGE;
	if (r->size == 0)
		memmove(usable, usable + 1, --nr_usable * sizeof(usable[0]));
	memset((void *)(uintptr_t)page, 0, PAGE);
	return page;
}

void mem_map_finalize(void)
{
	struct memmap *m = builder();

	memmap_add_reserved(m, (uintptr_t)__kernel_start,
			    (uintptr_t)_end - (uintptr_t)__kernel_start);
	total_ram = memmap_total_ram(m);
	nr_usable = memmap_finalize(m, USABLE_FLOOR, USABLE_CEILING,
				    usable, ARRAY_SIZE(usable));
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	return memmap_copy_out(out, max, usable, nr_usable);
}

uint64_t arch_ram_size(void)
{
	return total_ram;
}

/* RAM is mapped at its physical address. */
uintptr_t arch_zone_offset(void)
{
	return 0;
}
