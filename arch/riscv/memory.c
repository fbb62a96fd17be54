/*
 * memory.c - the physical memory map handed to core/: RAM from the device
 * tree minus everything already in use.
 *
 * Removed from RAM: all of it below the end of the kernel image (OpenSBI
 * sits below the kernel's load address and guards itself with PMP, so
 * touching it faults), the device tree blob itself (which QEMU places
 * near the top of RAM), the header's reservation block and the ranges
 * under /reserved-memory.  The result is computed once at boot into static
 * storage: nothing can allocate yet.
 *
 * The boot page tables (paging.c) are built before the page allocator
 * exists; their pages are taken from the bottom of the lowest usable
 * region, right after the kernel image, and that region shrinks by as
 * much before anyone reads the map.  The bottom rather than the top: the
 * top of RAM is where the largest free blocks (1 GiB) can form.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "fdt.h"
#include "kernel.h"
#include "kstring.h"
#include "memmap.h"
#include "panic.h"
#include "riscv.h"

_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "rv64: physical = 64-bit");

/* Reserved ranges: the device tree's plus the blob itself. */
#define MAX_RESERVED (FDT_MAX_RESERVED + 1)
#define MAX_USABLE MEMMAP_MAX_USABLE(FDT_MAX_RAM, MAX_RESERVED)

static struct fdt_memory fdt_memory;
static struct memmap_range ram_slots[FDT_MAX_RAM];
static struct memmap_range reserved_slots[MAX_RESERVED];
static struct mem_region usable[MAX_USABLE];
static size_t nr_usable;
static uint64_t ram_bytes;

void riscv_memory_init(const void *dtb)
{
	struct fdt_memory *fm = &fdt_memory;
	struct memmap map;

	fdt_read_memory(dtb, fm);
	if (fm->nr_ram == 0)
		panic("fdt: the device tree describes no memory");

	memmap_init(&map, ram_slots, ARRAY_SIZE(ram_slots),
		    reserved_slots, ARRAY_SIZE(reserved_slots));
	for (size_t i = 0; i < fm->nr_ram; i++)
		memmap_add_ram(&map, fm->ram[i].base, fm->ram[i].size);
	for (size_t i = 0; i < fm->nr_reserved; i++)
		memmap_add_reserved(&map, fm->reserved[i].base, fm->reserved[i].size);
	memmap_add_reserved(&map, (uintptr_t)dtb, fm->blob_size);
	ram_bytes = memmap_total_ram(&map);

	/* The floor takes out OpenSBI and the kernel image in one go. */
	nr_usable = memmap_finalize(&map, (uintptr_t)_end, UINT64_MAX,
				    usable, ARRAY_SIZE(usable));
}

uintptr_t riscv_boot_page_alloc(void)
{
	struct mem_region *r = &usable[0];
	uintptr_t page = r->base;

	/* Regions are whole pages and never empty: the lowest one has a page. */
	if (nr_usable == 0)
		return 0;
	r->base += RISCV_PAGE_SIZE;
	r->size -= RISCV_PAGE_SIZE;
	if (r->size == 0)
		memmove(usable, usable + 1, --nr_usable * sizeof(usable[0]));
	memset((void *)page, 0, RISCV_PAGE_SIZE);
	return page;
}

const struct fdt_memory *riscv_fdt_memory(void)
{
	return &fdt_memory;
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	return memmap_copy_out(out, max, usable, nr_usable);
}

uint64_t arch_ram_size(void)
{
	return ram_bytes;
}

/* RAM is mapped at its physical address. */
uintptr_t arch_zone_offset(void)
{
	return 0;
}
