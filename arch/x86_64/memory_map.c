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
 * The result is computed once at boot (mem_map_finalize()) into static
 * arrays, so arch_memory_map() only copies it out.
 */
#include <stddef.h>
#include <stdint.h>
#include "arch.h"
#include "kernel.h"
#include "x86.h"

#define MAP_PAGE_SIZE 4096u
#define USABLE_FLOOR 0x100000ull		/* 1 MiB */
#define USABLE_CEILING 0x100000000ull	/* 4 GiB: the end of the identity map */

#define MAX_RAM_RANGES 64
#define MAX_RESERVED_RANGES 128
/*
 * Each subtraction (the reserved ranges and the kernel image) splits at
 * most one range in two, so this cannot overflow.
 */
#define MAX_USABLE_RANGES (MAX_RAM_RANGES + MAX_RESERVED_RANGES + 1)

struct range {
	uint64_t start;
	uint64_t end;	/* exclusive */
};

static struct range ram[MAX_RAM_RANGES];
static size_t nr_ram;
static struct range reserved[MAX_RESERVED_RANGES];
static size_t nr_reserved;
static struct range usable[MAX_USABLE_RANGES];
static size_t nr_usable;
static uint64_t total_ram;

static struct range make_range(uint64_t base, uint64_t len)
{
	struct range r = { .start = base, .end = base + len };

	if (r.end < r.start)	/* wrapped past 2^64: clamp */
		r.end = UINT64_MAX;
	return r;
}

void mem_map_add_ram(uint64_t base, uint64_t len)
{
	if (len == 0)
		return;
	total_ram += len;
	/* Out of slots: forgetting some RAM is safe. */
	if (nr_ram < MAX_RAM_RANGES)
		ram[nr_ram++] = make_range(base, len);
}

void mem_map_add_reserved(uint64_t base, uint64_t len)
{
	struct range r;

	if (len == 0)
		return;
	r = make_range(base, len);
	if (nr_reserved < MAX_RESERVED_RANGES) {
		reserved[nr_reserved++] = r;
		return;
	}
	/*
	 * Out of slots: forgetting a reservation is not safe, so widen the
	 * last one to cover both.  That may hide some free RAM, never expose
	 * used memory.
	 */
	struct range *last = &reserved[MAX_RESERVED_RANGES - 1];
	last->start = MIN(last->start, r.start);
	last->end = MAX(last->end, r.end);
}

static void sort_by_start(struct range *r, size_t n)
{
	/* Insertion sort: a few dozen entries at most, and done once. */
	for (size_t i = 1; i < n; i++) {
		struct range key = r[i];
		size_t j = i;

		while (j > 0 && r[j - 1].start > key.start) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = key;
	}
}

/* Merge overlapping or touching ranges of a sorted array; returns the new count. */
static size_t merge_sorted(struct range *r, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (out > 0 && r[i].start <= r[out - 1].end)
			r[out - 1].end = MAX(r[out - 1].end, r[i].end);
		else
			r[out++] = r[i];
	}
	return out;
}

static void remove_at(size_t i)
{
	for (size_t j = i + 1; j < nr_usable; j++)
		usable[j - 1] = usable[j];
	nr_usable--;
}

/* Take @hole out of the sorted, disjoint usable ranges, keeping them sorted. */
static void subtract(struct range hole)
{
	size_t i = 0;

	while (i < nr_usable) {
		struct range *u = &usable[i];

		if (hole.end <= u->start || hole.start >= u->end) {
			i++;
		} else if (hole.start <= u->start && hole.end >= u->end) {
			remove_at(i);	/* the next range moves into slot i */
		} else if (hole.start <= u->start) {
			u->start = hole.end;
			i++;
		} else if (hole.end >= u->end) {
			u->end = hole.start;
			i++;
		} else {
			/* The hole is strictly inside: split in two. */
			struct range upper = { .start = hole.end, .end = u->end };

			u->end = hole.start;
			/* Cannot be full (see MAX_USABLE_RANGES); if it were, dropping @upper is safe. */
			if (nr_usable < MAX_USABLE_RANGES) {
				for (size_t j = nr_usable; j > i + 1; j--)
					usable[j] = usable[j - 1];
				usable[i + 1] = upper;
				nr_usable++;
			}
			return;	/* the hole lay inside this range: no other range meets it */
		}
	}
}

void mem_map_finalize(void)
{
	size_t n = 0;

	for (size_t i = 0; i < nr_ram; i++) {
		uint64_t start = MAX(ram[i].start, USABLE_FLOOR);
		uint64_t end = MIN(ram[i].end, USABLE_CEILING);

		if (start < end)
			usable[n++] = (struct range){ .start = start, .end = end };
	}
	sort_by_start(usable, n);
	nr_usable = merge_sorted(usable, n);

	/* Directly, not through reserved[]: it must never be widened into a larger range. */
	subtract((struct range){ .start = (uintptr_t)__kernel_start, .end = (uintptr_t)_end });
	for (size_t i = 0; i < nr_reserved; i++)
		subtract(reserved[i]);

	/* Whole pages only: shrink each range inwards, drop what vanishes. */
	n = 0;
	for (size_t i = 0; i < nr_usable; i++) {
		uint64_t start = ALIGN_UP(usable[i].start, (uint64_t)MAP_PAGE_SIZE);
		uint64_t end = ALIGN_DOWN(usable[i].end, (uint64_t)MAP_PAGE_SIZE);

		if (start < end)
			usable[n++] = (struct range){ .start = start, .end = end };
	}
	nr_usable = n;
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	size_t n = MIN(nr_usable, max);

	for (size_t i = 0; i < n; i++) {
		out[i].base = (uintptr_t)usable[i].start;
		out[i].size = (size_t)(usable[i].end - usable[i].start);
	}
	return n;
}

uint64_t arch_ram_size(void)
{
	return total_ram;
}
