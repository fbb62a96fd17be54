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
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "fdt.h"
#include "kernel.h"
#include "panic.h"
#include "riscv.h"

_Static_assert(sizeof(uintptr_t) == sizeof(uint64_t), "rv64: physical = 64-bit");

/* Ranges taken out of RAM: the reserved ones plus the kernel and the blob. */
#define MAX_EXCLUDED (FDT_MAX_RESERVED + 2)
/* Each excluded range can split one RAM range in two, and no more. */
#define MAX_USABLE (FDT_MAX_RAM + MAX_EXCLUDED)

static struct fdt_memory fdt_memory;
static struct fdt_range excluded[MAX_EXCLUDED];
static size_t nr_excluded;
static struct mem_region usable[MAX_USABLE];
static size_t nr_usable;
static uint64_t ram_bytes;

/* Insertion sort by base: the lists are a handful of entries long. */
static void sort_ranges(struct fdt_range *list, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct fdt_range key = list[i];
		size_t j = i;

		while (j > 0 && list[j - 1].base > key.base) {
			list[j] = list[j - 1];
			j--;
		}
		list[j] = key;
	}
}

/* Fold overlapping or touching ranges of a sorted list together, so that
 * RAM described twice is neither counted nor handed out twice. */
static size_t merge_ranges(struct fdt_range *list, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (out > 0 && list[i].base <= list[out - 1].base + list[out - 1].size) {
			uint64_t end = list[i].base + list[i].size;
			uint64_t prev_end = list[out - 1].base + list[out - 1].size;

			if (end > prev_end)
				list[out - 1].size = end - list[out - 1].base;
		} else {
			list[out++] = list[i];
		}
	}
	return out;
}

static void exclude(uint64_t base, uint64_t end)
{
	BUG_ON(nr_excluded == MAX_EXCLUDED);
	excluded[nr_excluded].base = base;
	excluded[nr_excluded].size = end - base;
	nr_excluded++;
}

/* Add [base, end) shrunk to whole pages; a part smaller than a page is
 * dropped, since the allocators deal only in pages. */
static void add_usable(uint64_t base, uint64_t end)
{
	if (base > UINT64_MAX - (RISCV_PAGE_SIZE - 1))
		return;
	base = ALIGN_UP(base, RISCV_PAGE_SIZE);
	end = ALIGN_DOWN(end, RISCV_PAGE_SIZE);
	if (base >= end)
		return;
	BUG_ON(nr_usable == MAX_USABLE);
	usable[nr_usable].base = (uintptr_t)base;
	usable[nr_usable].size = (size_t)(end - base);
	nr_usable++;
}

/* Add what is left of RAM range [base, end) once the (sorted) excluded
 * ranges are cut out of it. */
static void carve(uint64_t base, uint64_t end)
{
	uint64_t cur = base;

	for (size_t i = 0; i < nr_excluded && cur < end; i++) {
		uint64_t ex_base = excluded[i].base;
		uint64_t ex_end = ex_base + excluded[i].size;

		if (ex_end <= cur)
			continue;
		if (ex_base >= end)
			break;
		if (ex_base > cur)
			add_usable(cur, ex_base);
		cur = ex_end;
	}
	if (cur < end)
		add_usable(cur, end);
}

void riscv_memory_init(const void *dtb)
{
	struct fdt_memory *fm = &fdt_memory;

	fdt_read_memory(dtb, fm);
	if (fm->nr_ram == 0)
		panic("fdt: the device tree describes no memory");

	sort_ranges(fm->ram, fm->nr_ram);
	fm->nr_ram = merge_ranges(fm->ram, fm->nr_ram);
	ram_bytes = 0;
	for (size_t i = 0; i < fm->nr_ram; i++)
		ram_bytes += fm->ram[i].size;

	nr_excluded = 0;
	for (size_t i = 0; i < fm->nr_reserved; i++)
		exclude(fm->reserved[i].base, fm->reserved[i].base + fm->reserved[i].size);
	exclude(0, (uintptr_t)_end);
	exclude((uintptr_t)dtb, (uintptr_t)dtb + fm->blob_size);
	sort_ranges(excluded, nr_excluded);

	/* RAM is sorted and merged, so the pieces come out sorted too. */
	nr_usable = 0;
	for (size_t i = 0; i < fm->nr_ram; i++)
		carve(fm->ram[i].base, fm->ram[i].base + fm->ram[i].size);
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	size_t n = MIN(nr_usable, max);

	for (size_t i = 0; i < n; i++)
		out[i] = usable[i];
	return n;
}

uint64_t arch_ram_size(void)
{
	return ram_bytes;
}
