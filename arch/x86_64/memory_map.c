/*
 * memory_map.c - turn the firmware's view of RAM into the regions the
 * kernel may allocate from (arch_memory_map() in core/include/arch.h).
 *
 * usable = (available RAM within [1 MiB, 4 GiB))
 *          - everything the firmware marks as not available
 *          - the kernel image and the loader's information,
 * each region shrunk inwards to whole 4 KiB pages, sorted by base.
 *
 * Below 1 MiB live the BIOS data area, the EBDA, option ROMs and the
 * loader's own structures; it is little memory and not worth telling apart.
 * Above 4 GiB nothing is mapped (boot.S maps only the first 4 GiB).
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
#include "memmap.h"
#include "x86.h"

#define USABLE_FLOOR 0x100000ull		/* 1 MiB */
#define USABLE_CEILING 0x100000000ull	/* 4 GiB: the end of the identity map */

#define MAX_RAM_RANGES 64
/* The firmware's and the loader's reservations, plus the kernel image. */
#define MAX_RESERVED_RANGES (128 + 1)
#define MAX_USABLE_RANGES MEMMAP_MAX_USABLE(MAX_RAM_RANGES, MAX_RESERVED_RANGES)

static struct memmap_range ram_slots[MAX_RAM_RANGES];
static struct memmap_range reserved_slots[MAX_RESERVED_RANGES];
static struct memmap map;
static bool map_started;
static struct mem_region usable[MAX_USABLE_RANGES];
static size_t nr_usable;
static uint64_t total_ram;

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
}

void mem_map_add_reserved(uint64_t base, uint64_t len)
{
	memmap_add_reserved(builder(), base, len);
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
