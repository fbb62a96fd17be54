/*
 * memmap_test.c - the physical memory map builder (core/lib/memmap.c) on
 * synthetic ranges: no firmware involved, so every edge case can be set up
 * exactly.  The live map each arch built at boot is checked by the boot
 * tests; these pin the arithmetic down.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kernel.h"
#include "ktest.h"
#include "memmap.h"

#define SLOTS 8
#define NO_FLOOR 0ull
#define NO_CEILING UINT64_MAX

/* A builder with room for SLOTS ranges of each kind, and its result. */
struct fixture {
	struct memmap_range ram[SLOTS];
	struct memmap_range reserved[SLOTS];
	struct memmap map;
	struct mem_region out[MEMMAP_MAX_USABLE(SLOTS, SLOTS)];
	size_t n;
};

static void fixture_init(struct fixture *f, size_t ram_slots, size_t reserved_slots)
{
	memmap_init(&f->map, f->ram, ram_slots, f->reserved, reserved_slots);
	f->n = 0;
}

static void finalize(struct fixture *f, uint64_t floor, uint64_t ceiling)
{
	f->n = memmap_finalize(&f->map, floor, ceiling, f->out, ARRAY_SIZE(f->out));
}

/* Region @i of the result is exactly [base, end). */
static void expect_region(struct ktest *t, const struct fixture *f, size_t i,
			  uint64_t base, uint64_t end)
{
	if (i >= f->n) {
		KT_FAIL(t, "region %zu missing: only %zu regions", i, f->n);
		return;
	}
	KT_EXPECT_EQ(t, (uint64_t)f->out[i].base, base);
	KT_EXPECT_EQ(t, (uint64_t)f->out[i].size, end - base);
}

/* No usable region meets [base, end): used memory must never be handed out. */
static bool exposes(const struct fixture *f, uint64_t base, uint64_t end)
{
	for (size_t i = 0; i < f->n; i++) {
		uint64_t r_base = f->out[i].base;
		uint64_t r_end = r_base + f->out[i].size;

		if (r_base < end && base < r_end)
			return true;
	}
	return false;
}

/* Whatever the input, the result is sorted, disjoint, page aligned and not empty. */
static void expect_well_formed(struct ktest *t, const struct fixture *f)
{
	for (size_t i = 0; i < f->n; i++) {
		KT_EXPECT_TRUE(t, IS_ALIGNED(f->out[i].base, MEMMAP_PAGE_SIZE));
		KT_EXPECT_TRUE(t, IS_ALIGNED(f->out[i].size, MEMMAP_PAGE_SIZE));
		KT_EXPECT_GT(t, f->out[i].size, 0u);
		if (i > 0)
			KT_EXPECT_LT(t, f->out[i - 1].base + f->out[i - 1].size, f->out[i].base);
	}
}

/* Ranges given in any order come out sorted by base. */
static void unsorted_input_comes_out_sorted(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x9000u, 0x1000u);
	memmap_add_ram(&f.map, 0x1000u, 0x1000u);
	memmap_add_ram(&f.map, 0x5000u, 0x1000u);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 3u);
	expect_region(t, &f, 0, 0x1000u, 0x2000u);
	expect_region(t, &f, 1, 0x5000u, 0x6000u);
	expect_region(t, &f, 2, 0x9000u, 0xa000u);
	expect_well_formed(t, &f);
}

/* RAM described twice is handed out and counted once. */
static void overlapping_ram_merges(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x3000u, 0x5000u);
	memmap_add_ram(&f.map, 0x1000u, 0x4000u);
	memmap_add_ram(&f.map, 0x2000u, 0x1000u);	/* inside both */
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 1u);
	expect_region(t, &f, 0, 0x1000u, 0x8000u);
	KT_EXPECT_EQ(t, memmap_total_ram(&f.map), 0x7000ull);
}

/* Ranges that touch become one region; touching reservations both apply. */
static void touching_ranges_merge(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x2000u, 0x1000u);
	memmap_add_ram(&f.map, 0x1000u, 0x1000u);
	memmap_add_ram(&f.map, 0x3000u, 0x5000u);
	memmap_add_reserved(&f.map, 0x5000u, 0x1000u);
	memmap_add_reserved(&f.map, 0x4000u, 0x1000u);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 2u);
	expect_region(t, &f, 0, 0x1000u, 0x4000u);
	expect_region(t, &f, 1, 0x6000u, 0x8000u);
	KT_EXPECT_EQ(t, memmap_total_ram(&f.map), 0x7000ull);
}

/* A reservation strictly inside a RAM range splits it in two. */
static void hole_splits_range(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x0u, 0x10000u);
	memmap_add_reserved(&f.map, 0x4000u, 0x2000u);
	memmap_add_reserved(&f.map, 0xa000u, 0x1000u);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 3u);
	expect_region(t, &f, 0, 0x0u, 0x4000u);
	expect_region(t, &f, 1, 0x6000u, 0xa000u);
	expect_region(t, &f, 2, 0xb000u, 0x10000u);
	/* Reservations cut, they do not take RAM away from the total. */
	KT_EXPECT_EQ(t, memmap_total_ram(&f.map), 0x10000ull);
}

/* A reservation covering a whole RAM range (and more) removes it. */
static void hole_covers_range(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x1000u, 0x1000u);
	memmap_add_ram(&f.map, 0x3000u, 0x1000u);
	memmap_add_ram(&f.map, 0x8000u, 0x1000u);
	memmap_add_reserved(&f.map, 0x0u, 0x5000u);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 1u);
	expect_region(t, &f, 0, 0x8000u, 0x9000u);
}

/* Partial pages at either end of a piece are dropped, never rounded outwards. */
static void unaligned_ends_shrink_inwards(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x1001u, 0x7ffeu);		/* [0x1001, 0x8fff) */
	memmap_add_reserved(&f.map, 0x3800u, 0x801u);	/* [0x3800, 0x4001) */
	memmap_add_ram(&f.map, 0x10100u, 0xe00u);		/* less than a page */
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 2u);
	expect_region(t, &f, 0, 0x2000u, 0x3000u);
	expect_region(t, &f, 1, 0x5000u, 0x8000u);
	KT_EXPECT_FALSE(t, exposes(&f, 0x3800u, 0x4001u));
	expect_well_formed(t, &f);
}

/* Only RAM within [floor, ceiling) is usable; an unaligned floor rounds up. */
static void floor_and_ceiling_clamp(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x0u, 0x9fc00u);			/* all below the floor */
	memmap_add_ram(&f.map, 0x100000u, 0x100010000ull);	/* across the ceiling */
	memmap_add_ram(&f.map, 0x200000000ull, 0x1000u);		/* all above it */
	finalize(&f, 0x100000u, 0x100000000ull);
	KT_ASSERT_EQ(t, f.n, 1u);
	expect_region(t, &f, 0, 0x100000u, 0x100000000ull);
	/* The total is the firmware's, before any policy. */
	KT_EXPECT_EQ(t, memmap_total_ram(&f.map), 0x9fc00ull + 0x100010000ull + 0x1000ull);

	finalize(&f, 0x101234u, 0x100000000ull);
	KT_ASSERT_EQ(t, f.n, 1u);
	expect_region(t, &f, 0, 0x102000u, 0x100000000ull);
}

/* base + len past 2^64 is clamped to the top of the address space, not wrapped. */
static void base_plus_len_overflow_clamps(struct ktest *t)
{
	struct fixture f;
	const uint64_t top_base = UINT64_MAX - 0x2fffu;	/* 0x...d000 */

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x1000u, 0x1000u);
	memmap_add_ram(&f.map, top_base, 0x10000u);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 2u);
	expect_region(t, &f, 0, 0x1000u, 0x2000u);
	/* The last byte of the address space is no whole page: it goes. */
	expect_region(t, &f, 1, top_base, UINT64_MAX - 0xfffu);
	KT_EXPECT_EQ(t, memmap_total_ram(&f.map), 0x1000ull + (UINT64_MAX - top_base));

	/* A wrapping reservation must reach the top, not wrap to cover nothing. */
	memmap_add_reserved(&f.map, top_base + 0x1000u, UINT64_MAX);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 2u);
	expect_region(t, &f, 1, top_base, top_base + 0x1000u);

	/* RAM starting within the last page has no page to offer. */
	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, UINT64_MAX - 0x100u, 0x1000u);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_EXPECT_EQ(t, f.n, 0u);
}

/*
 * With the reserved slots full, a new reservation widens the nearest one:
 * some free RAM is lost, no used memory is exposed.
 */
static void out_of_reserved_slots_widens(struct ktest *t)
{
	static const struct memmap_range holes[] = {
		{ 0x10000u, 0x11000u },
		{ 0x50000u, 0x51000u },
		{ 0x20000u, 0x21000u },	/* no slot left: nearest is the first */
	};
	struct fixture f;

	fixture_init(&f, SLOTS, 2);
	memmap_add_ram(&f.map, 0x0u, 0x100000u);
	for (size_t i = 0; i < ARRAY_SIZE(holes); i++)
		memmap_add_reserved(&f.map, holes[i].base, holes[i].end - holes[i].base);
	finalize(&f, NO_FLOOR, NO_CEILING);
	for (size_t i = 0; i < ARRAY_SIZE(holes); i++)
		KT_EXPECT_FALSE(t, exposes(&f, holes[i].base, holes[i].end));
	KT_ASSERT_EQ(t, f.n, 3u);
	expect_region(t, &f, 0, 0x0u, 0x10000u);
	expect_region(t, &f, 1, 0x21000u, 0x50000u);
	expect_region(t, &f, 2, 0x51000u, 0x100000u);
	expect_well_formed(t, &f);
}

/* Before widening anything, touching reservations are merged to free a slot. */
static void full_reserved_slots_compact_first(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, 2);
	memmap_add_ram(&f.map, 0x0u, 0x10000u);
	memmap_add_reserved(&f.map, 0x2000u, 0x1000u);
	memmap_add_reserved(&f.map, 0x1000u, 0x1000u);
	memmap_add_reserved(&f.map, 0x8000u, 0x1000u);	/* fits once the two merge */
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 3u);
	expect_region(t, &f, 0, 0x0u, 0x1000u);
	expect_region(t, &f, 1, 0x3000u, 0x8000u);
	expect_region(t, &f, 2, 0x9000u, 0x10000u);
}

/* RAM without a slot is never handed out, but it still counts as RAM. */
static void out_of_ram_slots_forgets_ram(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, 1, SLOTS);
	memmap_add_ram(&f.map, 0x1000u, 0x1000u);
	memmap_add_ram(&f.map, 0x2000u, 0x1000u);	/* merges into the first */
	memmap_add_ram(&f.map, 0x8000u, 0x1000u);	/* no slot: forgotten */
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_ASSERT_EQ(t, f.n, 1u);
	expect_region(t, &f, 0, 0x1000u, 0x3000u);
	KT_EXPECT_EQ(t, memmap_total_ram(&f.map), 0x3000ull);
}

/* A short output array keeps the lowest regions. */
static void short_output_keeps_lowest(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x5000u, 0x1000u);
	memmap_add_ram(&f.map, 0x1000u, 0x1000u);
	f.n = memmap_finalize(&f.map, NO_FLOOR, NO_CEILING, f.out, 1);
	KT_ASSERT_EQ(t, f.n, 1u);
	expect_region(t, &f, 0, 0x1000u, 0x2000u);
}

/* Empty ranges are ignored; no RAM means no regions. */
static void empty_ranges_ignored(struct ktest *t)
{
	struct fixture f;

	fixture_init(&f, SLOTS, SLOTS);
	memmap_add_ram(&f.map, 0x1000u, 0u);
	memmap_add_reserved(&f.map, 0x1000u, 0u);
	finalize(&f, NO_FLOOR, NO_CEILING);
	KT_EXPECT_EQ(t, f.n, 0u);
	KT_EXPECT_EQ(t, memmap_total_ram(&f.map), 0ull);

	memmap_add_ram(&f.map, 0x1000u, 0x1000u);
	finalize(&f, 0x2000u, 0x1000u);	/* floor above ceiling */
	KT_EXPECT_EQ(t, f.n, 0u);
}

static const struct ktest_case memmap_cases[] = {
	KTEST_CASE(unsorted_input_comes_out_sorted),
	KTEST_CASE(overlapping_ram_merges),
	KTEST_CASE(touching_ranges_merge),
	KTEST_CASE(hole_splits_range),
	KTEST_CASE(hole_covers_range),
	KTEST_CASE(unaligned_ends_shrink_inwards),
	KTEST_CASE(floor_and_ceiling_clamp),
	KTEST_CASE(base_plus_len_overflow_clamps),
	KTEST_CASE(out_of_reserved_slots_widens),
	KTEST_CASE(full_reserved_slots_compact_first),
	KTEST_CASE(out_of_ram_slots_forgets_ram),
	KTEST_CASE(short_output_keeps_lowest),
	KTEST_CASE(empty_ranges_ignored),
	{0},
};
KTEST_SUITE(memmap, memmap_cases);
