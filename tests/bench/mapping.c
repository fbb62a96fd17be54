/*
 * mapping.c - what the kernel page tables cost (arch.h: arch_map(),
 * arch_unmap()), at each leaf size the arch has: 4 KiB, 2 MiB, 1 GiB.
 *
 *   map / unmap, pattern "empty"      one leaf where no table exists yet:
 *                                      the map makes the tables below the
 *                                      root, the unmap frees them (and
 *                                      flushes first, as it must);
 *   map / unmap, pattern "populated"  one leaf beside a live neighbour:
 *                                      only the leaf entry and its flush;
 *   map_gib                            one arch_map() of 1 GiB, per leaf;
 *   pgtable lines                      page-table pages for the first GiB
 *                                      mapped at that size into an empty
 *                                      slot, and for the next GiB beside it
 *                                      (the marginal cost: per GiB).
 *
 * Everything is mapped in the top 4 GiB of the arch's vmap range, which
 * nothing else uses while this runs: the vmap area (VMAP) starts at the
 * bottom, and with DEBUG_GUARD holds the guard pool, whose objects may be
 * live and mapped (at the bottom, twotier-debug's 4 KiB GiB failed with
 * KERR_EXIST).  The workload checks that each GiB is unmapped and
 * reports an error line otherwise.  The physical side is any suitably
 * aligned address: nothing is ever read or written through these
 * mappings.
 */
#include "arch.h"
#include "bench.h"
#include "kernel.h"
#include "page_alloc.h"

#define PROT_RW (ARCH_PROT_READ | ARCH_PROT_WRITE)

static const size_t leaf_sizes[] = { PAGE_SIZE_4K, PAGE_SIZE_2M, PAGE_SIZE_1G };

static size_t table_pages(void)
{
	struct arch_pt_stats st;

	arch_pt_get_stats(&st);
	return st.table_pages;
}

static void emit(const char *name, size_t ps, const char *pattern, const struct bench_samples *s)
{
	struct bench_line l;

	bench_op_begin(&l, name);
	bench_line_u64(&l, "page_size", ps);
	if (pattern)
		bench_line_str(&l, "pattern", pattern);
	bench_op_end(&l, s);
}

/* map + unmap of one leaf of @ps at @va, @neighbour another leaf beside it or 0. */
static void one_leaf(uintptr_t va, uintptr_t pa, size_t ps, uintptr_t neighbour)
{
	struct bench_samples map, unmap;

	bench_samples_reset(&map);
	bench_samples_reset(&unmap);
	if (neighbour && arch_map(neighbour, pa, ps, ps, PROT_RW)) {
		map.failures = unmap.failures = 1;
		neighbour = 0;
	}
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t t0, t1;
		int err;

		t0 = bench_now();
		err = arch_map(va, pa, ps, ps, PROT_RW);
		t1 = bench_now();
		bench_record(&map, t1 - t0, 1);
		map.failures += err != 0;
		t0 = bench_now();
		err = arch_unmap(va, ps);
		t1 = bench_now();
		bench_record(&unmap, t1 - t0, 1);
		unmap.failures += err != 0;
	}
	if (neighbour)
		arch_unmap(neighbour, ps);
	emit("map", ps, neighbour ? "populated" : "empty", &map);
	emit("unmap", ps, neighbour ? "populated" : "empty", &unmap);
}

/* Map 1 GiB at @va with leaves of @ps, then the GiB beside it: tables and time. */
static void per_gib(uintptr_t va, uintptr_t pa, size_t ps)
{
	struct bench_samples s;
	struct bench_line l;
	size_t t0_pages = table_pages(), first, next;
	uint64_t t0, t1;
	int err;

	bench_samples_reset(&s);
	t0 = bench_now();
	err = arch_map(va, pa, PAGE_SIZE_1G, ps, PROT_RW);
	t1 = bench_now();
	bench_record(&s, t1 - t0, PAGE_SIZE_1G / ps);
	s.failures = err != 0;
	first = table_pages() - t0_pages;
	if (!err)
		err = arch_map(va + PAGE_SIZE_1G, pa, PAGE_SIZE_1G, ps, PROT_RW);
	next = table_pages() - t0_pages - first;
	emit("map_gib", ps, NULL, &s);
	if (err) {
		bench_line_begin(&l, "error");
		bench_line_str(&l, "message", "mapping 2 GiB for the page-table figures failed");
		bench_line_end(&l);
	} else {
		bench_line_begin(&l, "pgtable");
		bench_line_u64(&l, "page_size", ps);
		bench_line_u64(&l, "mapped", PAGE_SIZE_1G);
		bench_line_u64(&l, "table_pages", next);
		bench_line_u64(&l, "first_table_pages", first);
		bench_line_end(&l);
	}
	arch_unmap(va, 2 * PAGE_SIZE_1G);
}

void bench_mapping(void)
{
	struct mem_region ram;
	struct bench_line l;
	uintptr_t va;
	size_t size;
	bool room;

	arch_vmap_range(&va, &size);
	va = ALIGN_DOWN(va + size - 4 * PAGE_SIZE_1G, (uintptr_t)PAGE_SIZE_1G);
	room = arch_memory_map(&ram, 1) == 1 && size >= 8 * PAGE_SIZE_1G;
	for (unsigned int g = 0; room && g < 4; g++)
		room = arch_translate(va + g * PAGE_SIZE_1G, NULL, NULL, NULL) != 0 &&
		       arch_translate(va + g * PAGE_SIZE_1G + PAGE_SIZE_2M, NULL, NULL, NULL) != 0;
	if (!room) {
		bench_line_begin(&l, "error");
		bench_line_str(&l, "message", "no free 4 GiB at the top of the vmap range");
		bench_line_end(&l);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(leaf_sizes); i++) {
		size_t ps = leaf_sizes[i];
		/* Aligned for every leaf size; never accessed. */
		uintptr_t pa = ALIGN_DOWN(ram.base, (uintptr_t)PAGE_SIZE_1G);

		if (!arch_page_size_supported(ps))
			continue;
		one_leaf(va, pa, ps, 0);
		one_leaf(va, pa, ps, va + 2 * ps);
		per_gib(va, pa, ps);
	}
}
