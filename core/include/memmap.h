/*
 * memmap.h - build the usable physical memory map from firmware ranges.
 *
 * Each arch learns about RAM differently (the device tree, multiboot) but
 * turns it into arch_memory_map()'s answer the same way:
 *
 *     usable = (RAM within [floor, ceiling)) - reserved,
 *              each piece shrunk inwards to whole 4 KiB pages, sorted by base.
 *
 * The builder runs before anything can allocate, so it allocates nothing:
 * the caller hands it the arrays to keep ranges in and sizes them for the
 * worst case it expects.
 *
 *     static struct memmap_range ram[16], reserved[33];
 *     static struct mem_region usable[MEMMAP_MAX_USABLE(16, 33)];
 *     struct memmap map;
 *
 *     memmap_init(&map, ram, 16, reserved, 33);
 *     memmap_add_ram(&map, base, len);	     (any order, overlaps allowed)
 *     memmap_add_reserved(&map, base, len);
 *     n = memmap_finalize(&map, floor, ceiling, usable, ARRAY_SIZE(usable));
 *
 * Running out of slots never exposes memory that is in use: RAM that does
 * not fit is forgotten (it is not handed out; it still counts in
 * memmap_total_ram()), a reservation that does not fit widens the
 * reservation nearest to it so that both stay covered.
 */
#ifndef MMKIT_MEMMAP_H
#define MMKIT_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/* The granule of the result: every usable region is whole pages of this size. */
#define MEMMAP_PAGE_SIZE 4096u

/*
 * Output slots that are always enough: after merging, each reserved range
 * splits at most one RAM range in two.
 */
#define MEMMAP_MAX_USABLE(ram_slots, reserved_slots) ((ram_slots) + (reserved_slots))

/* A physical range [base, end).  base + len past 2^64 is clamped to end = UINT64_MAX. */
struct memmap_range {
	uint64_t base;
	uint64_t end;	/* exclusive */
};

/* The builder's state; fields are private to memmap.c. */
struct memmap {
	struct memmap_range *ram;
	size_t ram_slots;
	size_t nr_ram;
	struct memmap_range *reserved;
	size_t reserved_slots;
	size_t nr_reserved;
	uint64_t ram_forgotten;	/* bytes of RAM added with no slot left */
};

/* Start an empty map keeping its ranges in @ram and @reserved (at least one reserved slot). */
void memmap_init(struct memmap *map, struct memmap_range *ram, size_t ram_slots,
		 struct memmap_range *reserved, size_t reserved_slots);

/* Record [base, base + len) as RAM / as in use.  len == 0 is ignored. */
void memmap_add_ram(struct memmap *map, uint64_t base, uint64_t len);
void memmap_add_reserved(struct memmap *map, uint64_t base, uint64_t len);

/*
 * Write the usable regions within [floor, ceiling) to @out, sorted by base,
 * page aligned, none empty; returns how many.  With fewer than
 * MEMMAP_MAX_USABLE() slots in @out the highest regions may be left out.
 * May be called again after more ranges are added.
 */
size_t memmap_finalize(struct memmap *map, uint64_t floor, uint64_t ceiling,
		       struct mem_region *out, size_t max);

/*
 * Bytes of RAM described, before floor, ceiling and reservations: a byte
 * added twice counts once (RAM forgotten for want of a slot counts as
 * added).
 */
uint64_t memmap_total_ram(struct memmap *map);

/*
 * arch_memory_map()'s answer from a finalized map kept in @usable (@n
 * regions): copy up to @max of them to @out, return how many.
 */
static inline size_t memmap_copy_out(struct mem_region *out, size_t max,
				     const struct mem_region *usable, size_t n)
{
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = usable[i];
	return n;
}

#endif /* MMKIT_MEMMAP_H */
