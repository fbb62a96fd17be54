/*
 * memmap.c - the physical memory map builder (see memmap.h): portable
 * range arithmetic shared by every arch's arch_memory_map().
 *
 * The lists are a few dozen entries at most and are built once at boot, so
 * the algorithms are the simple quadratic ones.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kernel.h"
#include "memmap.h"
#include "panic.h"

static struct memmap_range make_range(uint64_t base, uint64_t len)
{
	struct memmap_range r = { .base = base, .end = base + len };

	if (r.end < r.base)	/* wrapped past 2^64: clamp */
		r.end = UINT64_MAX;
	return r;
}

/* Insertion sort by base. */
static void sort_by_base(struct memmap_range *list, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct memmap_range key = list[i];
		size_t j = i;

		while (j > 0 && list[j - 1].base > key.base) {
			list[j] = list[j - 1];
			j--;
		}
		list[j] = key;
	}
}

/*
 * Sort @list and fold overlapping or touching ranges together, so that
 * memory described twice is neither counted nor handed out twice, and
 * slots are freed for more ranges.  Returns the new count.
 */
static size_t sort_and_merge(struct memmap_range *list, size_t n)
{
	size_t out = 0;

	sort_by_base(list, n);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && list[i].base <= list[out - 1].end)
			list[out - 1].end = MAX(list[out - 1].end, list[i].end);
		else
			list[out++] = list[i];
	}
	return out;
}

/* Bytes between two ranges, 0 if they meet. */
static uint64_t gap_between(struct memmap_range a, struct memmap_range b)
{
	if (a.end < b.base)
		return b.base - a.end;
	if (b.end < a.base)
		return a.base - b.end;
	return 0;
}

/*
 * Fold @r into a range of @list it overlaps or touches; false if none.
 * What is folded may now meet a neighbour: the next sort_and_merge() joins them.
 */
static bool absorb(struct memmap_range *list, size_t n, struct memmap_range r)
{
	for (size_t i = 0; i < n; i++) {
		if (r.base <= list[i].end && list[i].base <= r.end) {
			list[i].base = MIN(list[i].base, r.base);
			list[i].end = MAX(list[i].end, r.end);
			return true;
		}
	}
	return false;
}

void memmap_init(struct memmap *map, struct memmap_range *ram, size_t ram_slots,
		 struct memmap_range *reserved, size_t reserved_slots)
{
	/* Without a reserved slot there would be nothing to widen. */
	BUG_ON(reserved_slots == 0);
	*map = (struct memmap){
		.ram = ram,
		.ram_slots = ram_slots,
		.reserved = reserved,
		.reserved_slots = reserved_slots,
	};
}

/* Put @r in a free slot of @list (*@n of @slots used), compacting it first if full. */
static bool store(struct memmap_range *list, size_t *n, size_t slots, struct memmap_range r)
{
	if (*n == slots)
		*n = sort_and_merge(list, *n);
	if (*n == slots)
		return false;
	list[(*n)++] = r;
	return true;
}

void memmap_add_ram(struct memmap *map, uint64_t base, uint64_t len)
{
	struct memmap_range r;

	if (len == 0)
		return;
	r = make_range(base, len);
	/* Out of slots, it may still extend a range already held. */
	if (store(map->ram, &map->nr_ram, map->ram_slots, r) ||
	    absorb(map->ram, map->nr_ram, r))
		return;
	/* Forgetting RAM is safe: it is only never handed out. */
	map->ram_forgotten += MIN(r.end - r.base, UINT64_MAX - map->ram_forgotten);
}

void memmap_add_reserved(struct memmap *map, uint64_t base, uint64_t len)
{
	struct memmap_range r;
	struct memmap_range *nearest;

	if (len == 0)
		return;
	r = make_range(base, len);
	if (store(map->reserved, &map->nr_reserved, map->reserved_slots, r))
		return;
	/*
	 * Out of slots: forgetting a reservation is not safe, so widen the
	 * one nearest to it to cover both.  That may hide some free RAM (the
	 * least we can), never expose used memory.
	 */
	nearest = &map->reserved[0];
	for (size_t i = 1; i < map->nr_reserved; i++) {
		if (gap_between(map->reserved[i], r) < gap_between(*nearest, r))
			nearest = &map->reserved[i];
	}
	nearest->base = MIN(nearest->base, r.base);
	nearest->end = MAX(nearest->end, r.end);
}

/* Append [base, end) shrunk inwards to whole pages, unless nothing is left of it. */
static size_t emit_pages(uint64_t base, uint64_t end, struct mem_region *out,
			 size_t n, size_t max)
{
	if (base > UINT64_MAX - (MEMMAP_PAGE_SIZE - 1))
		return n;	/* no whole page starts at or after base */
	base = ALIGN_UP(base, (uint64_t)MEMMAP_PAGE_SIZE);
	end = ALIGN_DOWN(end, (uint64_t)MEMMAP_PAGE_SIZE);
	if (base >= end || n == max)
		return n;	/* a full @out drops the region: safe, see memmap.h */
	out[n].base = (uintptr_t)base;
	out[n].size = (size_t)(end - base);
	return n + 1;
}

size_t memmap_finalize(struct memmap *map, uint64_t floor, uint64_t ceiling,
		       struct mem_region *out, size_t max)
{
	size_t n = 0;

#if UINTPTR_MAX < UINT64_MAX
	/* A region must be addressable by struct mem_region. */
	ceiling = MIN(ceiling, (uint64_t)UINTPTR_MAX);
#endif
	map->nr_ram = sort_and_merge(map->ram, map->nr_ram);
	map->nr_reserved = sort_and_merge(map->reserved, map->nr_reserved);

	/* RAM and reservations are sorted and disjoint: the pieces come out sorted. */
	for (size_t i = 0; i < map->nr_ram; i++) {
		uint64_t cur = MAX(map->ram[i].base, floor);
		uint64_t end = MIN(map->ram[i].end, ceiling);

		for (size_t j = 0; j < map->nr_reserved && cur < end; j++) {
			const struct memmap_range *hole = &map->reserved[j];

			if (hole->end <= cur)
				continue;
			if (hole->base >= end)
				break;
			if (hole->base > cur)
				n = emit_pages(cur, hole->base, out, n, max);
			cur = hole->end;
		}
		if (cur < end)
			n = emit_pages(cur, end, out, n, max);
	}
	return n;
}

uint64_t memmap_total_ram(struct memmap *map)
{
	uint64_t total = map->ram_forgotten;

	map->nr_ram = sort_and_merge(map->ram, map->nr_ram);
	for (size_t i = 0; i < map->nr_ram; i++)
		total += MIN(map->ram[i].end - map->ram[i].base, UINT64_MAX - total);
	return total;
}
