/*
 * pgtable_test.c - the kernel page-table calls of arch.h as a contract:
 * arch_map() / arch_unmap() / arch_translate() at every leaf size, the
 * errors they promise (and that a refused call changes nothing), no leaf
 * split by an unmap, page-table pages given back when their table empties,
 * a map that runs out of page-table pages part way undone, tables that
 * arch_map_prepare() keeps until released, and - on the
 * guests - the boot identity map covering all usable RAM.
 *
 * It maps in the top 4 GiB of the arch's vmap range, which nothing uses
 * while the suite runs (checked first), to physical pages of its own or
 * the aligned ranges around them; nothing is accessed through a mapping
 * whose physical side the suite does not own.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "ktest.h"
#include "page_alloc.h"
#include "smp.h"
#include "take_all.h"

#define RW (ARCH_PROT_READ | ARCH_PROT_WRITE)

static uintptr_t test_va;	/* 1 GiB aligned; [test_va, test_va + 4 GiB) is ours */

static size_t table_pages(void)
{
	struct arch_pt_stats st;

	arch_pt_get_stats(&st);
	return st.table_pages;
}

static bool unmapped(uintptr_t va)
{
	return arch_translate(va, NULL, NULL, NULL) == KERR_FAULT;
}

static void find_room(struct ktest *t)
{
	uintptr_t base;
	size_t size;

	(void)t;
	arch_vmap_range(&base, &size);
	test_va = 0;
	if (size < 8 * PAGE_SIZE_1G)
		return;
	base += size - 4 * PAGE_SIZE_1G;
	for (unsigned int g = 0; g < 4; g++) {
		if (!unmapped(base + g * PAGE_SIZE_1G) || !unmapped(base + g * PAGE_SIZE_1G + PAGE_SIZE_2M))
			return;
	}
	test_va = base;
}

#define NEED_ROOM(t) \
	do { if (!test_va) KT_SKIP(t, "the top 4 GiB of the vmap range are in use or missing"); } while (0)

static void each_leaf_size_reads_back(struct ktest *t)
{
	static const size_t sizes[] = { PAGE_SIZE_4K, PAGE_SIZE_2M, PAGE_SIZE_1G };
	unsigned int tested = 0;
	uint64_t *page;

	NEED_ROOM(t);
	page = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, page);
	page[3] = 0x1234567890abcdefull;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t ps = sizes[i], got = 0;
		uintptr_t pa0 = ALIGN_DOWN((uintptr_t)page, (uintptr_t)ps), pa = 0, off = (uintptr_t)page - pa0;
		unsigned int prot = 0;
		int err;

		if (!arch_page_size_supported(ps))
			continue;
		err = arch_map(test_va, pa0, ps, ps, RW);
		if (err == KERR_RANGE)
			continue;	/* the host maps only its arena: a GiB around a page may not fit */
		KT_EXPECT_EQ(t, err, 0);
		if (err)
			continue;
		tested++;
		KT_EXPECT_EQ(t, arch_translate(test_va + off + 24, &pa, &got, &prot), 0);
		KT_EXPECT_EQ(t, pa, (uintptr_t)page + 24);
		KT_EXPECT_EQ(t, got, ps);
		KT_EXPECT_EQ(t, prot & (ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_EXEC), RW);
		KT_EXPECT_EQ(t, *(volatile uint64_t *)(test_va + off + 24), 0x1234567890abcdefull);
		KT_EXPECT_EQ(t, arch_translate(test_va + ps - 1, &pa, &got, NULL), 0);
		KT_EXPECT_EQ(t, pa, pa0 + ps - 1);
		KT_EXPECT_EQ(t, arch_unmap(test_va, ps), 0);
		KT_EXPECT_TRUE(t, unmapped(test_va));
		KT_EXPECT_TRUE(t, unmapped(test_va + ps - PAGE_SIZE));
	}
	KT_EXPECT_GE(t, tested, 1u);
	KT_EXPECT_EQ(t, free_pages(page, 0), 0);
}

/* Each refusal is the documented code, and leaves no mapping and no table behind. */
static void bad_arguments_are_refused(struct ktest *t)
{
	uintptr_t pa, va = test_va;
	size_t tables = table_pages();
	void *page;

	NEED_ROOM(t);
	page = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, page);
	pa = (uintptr_t)page;
	KT_EXPECT_EQ(t, arch_map(va + 8, pa, PAGE_SIZE, PAGE_SIZE, RW), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_map(va, pa + 8, PAGE_SIZE, PAGE_SIZE, RW), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_map(va, pa, PAGE_SIZE + 8, PAGE_SIZE, RW), KERR_ALIGN);
	if (arch_page_size_supported(PAGE_SIZE_2M))
		KT_EXPECT_EQ(t, arch_map(va, ALIGN_DOWN(pa, (uintptr_t)PAGE_SIZE_2M) + PAGE_SIZE,
					 PAGE_SIZE_2M, PAGE_SIZE_2M, RW), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_map(va, pa, 2 * PAGE_SIZE, 2 * PAGE_SIZE, RW), KERR_INVAL);
	KT_EXPECT_EQ(t, arch_map(va, pa, 0, PAGE_SIZE, RW), KERR_INVAL);
	KT_EXPECT_EQ(t, arch_map(va, pa, PAGE_SIZE, PAGE_SIZE, ARCH_PROT_WRITE), KERR_INVAL);
	KT_EXPECT_EQ(t, arch_map(va, pa, PAGE_SIZE, PAGE_SIZE, RW | ARCH_PROT_EXEC), KERR_INVAL);
	KT_EXPECT_EQ(t, arch_map(va, pa, PAGE_SIZE, PAGE_SIZE, RW | 0x100u), KERR_INVAL);
	/* Not canonical on either guest; outside the host's vmap area. */
	KT_EXPECT_EQ(t, arch_map((uintptr_t)0x8000000000000000ull, pa, PAGE_SIZE, PAGE_SIZE, RW),
		     KERR_RANGE);
	/* Past the top of the address space. */
	KT_EXPECT_EQ(t, arch_map(UINTPTR_MAX - PAGE_SIZE + 1, pa, 2 * PAGE_SIZE, PAGE_SIZE, RW),
		     KERR_RANGE);
	KT_EXPECT_EQ(t, arch_unmap(va + 8, PAGE_SIZE), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_unmap(va, PAGE_SIZE + 8), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_unmap(va, PAGE_SIZE_1G), 0);	/* nothing there: nothing to do */
	KT_EXPECT_TRUE(t, unmapped(va));
	KT_EXPECT_EQ(t, table_pages(), tables);
	KT_EXPECT_EQ(t, free_pages(page, 0), 0);
}

/* A map over anything mapped fails whole: what it mapped before the clash is taken back. */
static void overlap_is_refused_whole(struct ktest *t)
{
	uintptr_t pa, va = test_va;
	size_t tables;
	void *page;

	NEED_ROOM(t);
	page = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, page);
	pa = (uintptr_t)page;
	KT_ASSERT_EQ(t, arch_map(va + 2 * PAGE_SIZE, pa, PAGE_SIZE, PAGE_SIZE, RW), 0);
	tables = table_pages();
	KT_EXPECT_EQ(t, arch_map(va, pa, 4 * PAGE_SIZE, PAGE_SIZE, RW), KERR_EXIST);
	KT_EXPECT_TRUE(t, unmapped(va));
	KT_EXPECT_TRUE(t, unmapped(va + PAGE_SIZE));
	KT_EXPECT_FALSE(t, unmapped(va + 2 * PAGE_SIZE));
	KT_EXPECT_TRUE(t, unmapped(va + 3 * PAGE_SIZE));
	KT_EXPECT_EQ(t, table_pages(), tables);
	if (arch_page_size_supported(PAGE_SIZE_2M)) {
		uintptr_t pa2 = ALIGN_DOWN(pa, (uintptr_t)PAGE_SIZE_2M);
		int err = arch_map(va, pa2, PAGE_SIZE_2M, PAGE_SIZE_2M, RW);

		/* A 2 MiB leaf where a 4 KiB one lives: the table is in the way. */
		KT_EXPECT_TRUE(t, err == KERR_EXIST || err == KERR_RANGE);
		KT_EXPECT_EQ(t, arch_unmap(va + 2 * PAGE_SIZE, PAGE_SIZE), 0);
		err = arch_map(va, pa2, PAGE_SIZE_2M, PAGE_SIZE_2M, RW);
		if (err != KERR_RANGE) {
			KT_EXPECT_EQ(t, err, 0);
			/* ... and a 4 KiB leaf inside a 2 MiB one. */
			KT_EXPECT_EQ(t, arch_map(va + PAGE_SIZE, pa, PAGE_SIZE, PAGE_SIZE, RW), KERR_EXIST);
			KT_EXPECT_EQ(t, arch_map(va, pa2, PAGE_SIZE_2M, PAGE_SIZE_2M, RW), KERR_EXIST);
			KT_EXPECT_EQ(t, arch_unmap(va, PAGE_SIZE_2M), 0);
		}
	} else {
		KT_EXPECT_EQ(t, arch_unmap(va + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	}
	KT_EXPECT_TRUE(t, unmapped(va));
	KT_EXPECT_EQ(t, free_pages(page, 0), 0);
}

/* An unmap that would cut a leaf changes nothing; one that covers it whole removes it. */
static void unmap_never_splits_a_leaf(struct ktest *t)
{
	uintptr_t va = test_va + PAGE_SIZE_2M;
	void *block;

	NEED_ROOM(t);
	if (!arch_page_size_supported(PAGE_SIZE_2M))
		KT_SKIP(t, "this arch maps no 2 MiB leaves");
	block = alloc_pages(9, GFP_KERNEL);
	if (!block)
		KT_SKIP(t, "no free 2 MiB block");
	KT_ASSERT_EQ(t, arch_map(va, (uintptr_t)block, PAGE_SIZE_2M, PAGE_SIZE_2M, RW), 0);
	KT_EXPECT_EQ(t, arch_unmap(va, PAGE_SIZE), KERR_INVAL);
	KT_EXPECT_EQ(t, arch_unmap(va + PAGE_SIZE, PAGE_SIZE_2M - PAGE_SIZE), KERR_INVAL);
	KT_EXPECT_EQ(t, arch_unmap(va + PAGE_SIZE, PAGE_SIZE_2M), KERR_INVAL);
	KT_EXPECT_FALSE(t, unmapped(va));
	KT_EXPECT_FALSE(t, unmapped(va + PAGE_SIZE_2M - PAGE_SIZE));
	/* Holes on either side are skipped. */
	KT_EXPECT_EQ(t, arch_unmap(va - PAGE_SIZE_2M, 3 * PAGE_SIZE_2M), 0);
	KT_EXPECT_TRUE(t, unmapped(va));
	KT_EXPECT_EQ(t, free_pages(block, 9), 0);
}

/* Tables live as long as their last entry, not longer. */
static void emptied_tables_are_freed(struct ktest *t)
{
	struct arch_pt_stats s0, s1, s2, s3;
	uintptr_t pa;
	void *page;

	NEED_ROOM(t);
	page = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, page);
	pa = (uintptr_t)page;
	arch_pt_get_stats(&s0);
	/* Two pages a GiB apart: no table below the top level shared. */
	KT_ASSERT_EQ(t, arch_map(test_va, pa, PAGE_SIZE, PAGE_SIZE, RW), 0);
	arch_pt_get_stats(&s1);
	KT_ASSERT_EQ(t, arch_map(test_va + PAGE_SIZE_1G, pa, PAGE_SIZE, PAGE_SIZE, RW), 0);
	arch_pt_get_stats(&s2);
	KT_EXPECT_GE(t, s1.table_pages - s0.table_pages, 1u);
	/* The GiB's own tables: at least the 4 KiB table and the 2 MiB one. */
	KT_EXPECT_GE(t, s2.table_pages - s1.table_pages, 2u);
	KT_EXPECT_EQ(t, arch_unmap(test_va + PAGE_SIZE_1G, PAGE_SIZE), 0);
	arch_pt_get_stats(&s3);
	KT_EXPECT_EQ(t, s3.table_pages, s1.table_pages);
	KT_EXPECT_EQ(t, arch_unmap(test_va, PAGE_SIZE), 0);
	arch_pt_get_stats(&s3);
	KT_EXPECT_EQ(t, s3.table_pages, s0.table_pages);
	KT_EXPECT_EQ(t, s3.tables_allocated - s0.tables_allocated, s3.tables_freed - s0.tables_freed);
	KT_EXPECT_EQ(t, free_pages(page, 0), 0);
}

/*
 * With one free page left (the allocator's reserves off: take_all.h), a
 * map that needs two new tables gets the first and fails on the second:
 * KERR_NOMEM, the first table given back, the page free again.
 */
static void running_out_of_table_pages_undoes_the_map(struct ktest *t)
{
	struct page_alloc_stats st;
	struct take_all ta;
	void *chain = NULL, *p, *spare;
	size_t tables = table_pages();
	uintptr_t va = test_va + 2 * PAGE_SIZE_1G;
	int err;

	NEED_ROOM(t);
	take_all_begin(t, &ta);
	while ((p = alloc_pages(0, GFP_KERNEL))) {
		*(void **)p = chain;
		chain = p;
	}
	KT_EXPECT_NOT_NULL(t, chain);
	if (!chain) {
		take_all_end(t, &ta);
		return;
	}
	spare = chain;
	chain = *(void **)chain;
	KT_EXPECT_EQ(t, free_pages(spare, 0), 0);
	err = arch_map(va, (uintptr_t)spare, PAGE_SIZE, PAGE_SIZE, RW);
	page_alloc_get_stats(&st);
	KT_EXPECT_EQ(t, err, KERR_NOMEM);
	KT_EXPECT_TRUE(t, unmapped(va));
	KT_EXPECT_EQ(t, table_pages(), tables);
	KT_EXPECT_EQ(t, st.free_pages, 1u);
	while (chain) {
		p = chain;
		chain = *(void **)p;
		KT_EXPECT_EQ(t, free_pages(p, 0), 0);
	}
	take_all_end(t, &ta);
	/* With pages again, the same map works. */
	spare = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, spare);
	KT_EXPECT_EQ(t, arch_map(va, (uintptr_t)spare, PAGE_SIZE, PAGE_SIZE, RW), 0);
	KT_EXPECT_EQ(t, arch_unmap(va, PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, free_pages(spare, 0), 0);
}

/*
 * A prepared range keeps its tables while it is empty: mapping and
 * unmapping its pages makes and frees none, and releasing it gives them
 * back.  The range crosses a 2 MiB boundary: two 4 KiB tables.
 */
static void prepared_tables_stay_until_released(struct ktest *t)
{
	struct arch_pt_stats s0, s1, s2;
	uintptr_t va = test_va + 3 * PAGE_SIZE_1G + PAGE_SIZE_2M - PAGE_SIZE;
	void *page;

	NEED_ROOM(t);
	page = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, page);
	arch_pt_get_stats(&s0);
	KT_ASSERT_EQ(t, arch_map_prepare(va, 2 * PAGE_SIZE), 0);
	arch_pt_get_stats(&s1);
	/* The two 4 KiB tables and, the GiB being empty, the 2 MiB one above them. */
	KT_EXPECT_GE(t, s1.table_pages - s0.table_pages, 3u);
	KT_EXPECT_TRUE(t, unmapped(va));
	KT_EXPECT_TRUE(t, unmapped(va + PAGE_SIZE));
	for (unsigned int round = 0; round < 2; round++) {
		for (uintptr_t a = va; a < va + 2 * PAGE_SIZE; a += PAGE_SIZE) {
			KT_EXPECT_EQ(t, arch_map(a, (uintptr_t)page, PAGE_SIZE, PAGE_SIZE, RW), 0);
			KT_EXPECT_FALSE(t, unmapped(a));
			KT_EXPECT_EQ(t, arch_unmap(a, PAGE_SIZE), 0);
			KT_EXPECT_TRUE(t, unmapped(a));
		}
	}
	arch_pt_get_stats(&s2);
	KT_EXPECT_EQ(t, s2.table_pages, s1.table_pages);
	KT_EXPECT_EQ(t, s2.tables_allocated, s1.tables_allocated);
	KT_EXPECT_EQ(t, s2.tables_freed, s1.tables_freed);
	KT_EXPECT_EQ(t, arch_map_release(va, 2 * PAGE_SIZE), 0);
	arch_pt_get_stats(&s2);
	KT_EXPECT_EQ(t, s2.table_pages, s0.table_pages);
	KT_EXPECT_EQ(t, free_pages(page, 0), 0);
}

/* Each refusal is the documented code and keeps no table. */
static void prepare_refuses_bad_ranges(struct ktest *t)
{
	uintptr_t va = test_va + 3 * PAGE_SIZE_1G;
	size_t tables = table_pages();
	void *block;

	NEED_ROOM(t);
	KT_EXPECT_EQ(t, arch_map_prepare(va + 8, PAGE_SIZE), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_map_prepare(va, PAGE_SIZE + 8), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_map_prepare(va, 0), KERR_INVAL);
	KT_EXPECT_EQ(t, arch_map_prepare((uintptr_t)0x8000000000000000ull, PAGE_SIZE), KERR_RANGE);
	KT_EXPECT_EQ(t, arch_map_release(va + 8, PAGE_SIZE), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_map_release(va, 0), KERR_INVAL);
	/* Nothing prepared there: nothing to release. */
	KT_EXPECT_EQ(t, arch_map_release(va, PAGE_SIZE), KERR_INVAL);
	KT_EXPECT_EQ(t, table_pages(), tables);
	if (!arch_page_size_supported(PAGE_SIZE_2M))
		KT_SKIP(t, "this arch maps no 2 MiB leaves: the large-leaf refusal cannot apply");
	block = alloc_pages(9, GFP_KERNEL);
	if (!block)
		KT_SKIP(t, "no free 2 MiB block for the large-leaf refusal");
	KT_ASSERT_EQ(t, arch_map(va, (uintptr_t)block, PAGE_SIZE_2M, PAGE_SIZE_2M, RW), 0);
	tables = table_pages();
	/* Under a 2 MiB leaf there is no 4 KiB table to keep. */
	KT_EXPECT_EQ(t, arch_map_prepare(va + PAGE_SIZE, PAGE_SIZE), KERR_EXIST);
	KT_EXPECT_EQ(t, arch_map_release(va + PAGE_SIZE, PAGE_SIZE), KERR_INVAL);
	KT_EXPECT_EQ(t, table_pages(), tables);
	KT_EXPECT_EQ(t, arch_unmap(va, PAGE_SIZE_2M), 0);
	KT_EXPECT_EQ(t, free_pages(block, 9), 0);
}

/*
 * With 1, 2, 3 ... free pages (reserves off: take_all.h), preparing a
 * range of two 2 MiB spans in an empty GiB fails with KERR_NOMEM until
 * there are pages for every table it needs: at the first span's tables
 * or at the second's, after the first was pinned.  Each failure keeps
 * nothing: no table, every page free again.
 */
static void running_out_of_table_pages_keeps_nothing(struct ktest *t)
{
	uintptr_t va = test_va + 3 * PAGE_SIZE_1G + PAGE_SIZE_2M - PAGE_SIZE;
	unsigned int failures = 0;
	size_t tables = table_pages(), keep = 0;
	struct take_all ta;
	void *chain = NULL, *p;
	int err = KERR_NOMEM;

	NEED_ROOM(t);
	take_all_begin(t, &ta);
	while ((p = alloc_pages(0, GFP_KERNEL))) {
		*(void **)p = chain;
		chain = p;
	}
	/* At most: the tables of three levels below a four-level root, and the second 4 KiB table. */
	while (err == KERR_NOMEM && keep < 4 && chain) {
		struct page_alloc_stats st;

		p = chain;
		chain = *(void **)p;
		KT_EXPECT_EQ(t, free_pages(p, 0), 0);
		keep++;
		err = arch_map_prepare(va, 2 * PAGE_SIZE);
		page_alloc_get_stats(&st);
		if (err == KERR_NOMEM) {
			failures++;
			KT_EXPECT_EQ(t, table_pages(), tables);
			KT_EXPECT_EQ(t, st.free_pages, keep);
		}
	}
	while (chain) {
		p = chain;
		chain = *(void **)p;
		KT_EXPECT_EQ(t, free_pages(p, 0), 0);
	}
	take_all_end(t, &ta);
	/* Two 4 KiB tables and a 2 MiB one at least: the first two tries fail. */
	KT_EXPECT_GE(t, failures, 2u);
	KT_EXPECT_EQ(t, err, 0);
	if (!err)
		KT_EXPECT_EQ(t, arch_map_release(va, 2 * PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, table_pages(), tables);
}

/* Every usable page the allocators hand out is mapped to itself, writable, not executable. */
static void identity_map_covers_usable_ram(struct ktest *t)
{
	struct mem_region r[MEM_REGIONS_MAX];
	size_t n = arch_memory_map(r, MEM_REGIONS_MAX);
	uintptr_t pa;
	unsigned int prot;

	if (arch_translate(r[0].base, &pa, NULL, NULL) != 0)
		KT_SKIP(t, "the tables do not cover RAM (host: only the vmap area is emulated)");
	for (size_t i = 0; i < n; i++) {
		uintptr_t ends[] = { r[i].base, r[i].base + r[i].size / 2, r[i].base + r[i].size - 8 };

		for (size_t j = 0; j < ARRAY_SIZE(ends); j++) {
			KT_ASSERT_EQ(t, arch_translate(ends[j], &pa, NULL, &prot), 0);
			KT_EXPECT_EQ(t, pa, ends[j]);
			KT_EXPECT_EQ(t, prot & (ARCH_PROT_WRITE | ARCH_PROT_EXEC), ARCH_PROT_WRITE);
		}
	}
}

struct remote_read {
	uintptr_t va;
	int err;
	unsigned long val;
};

static void read_here(void *arg)
{
	struct remote_read *r = arg;

	r->err = arch_probe_read((const void *)r->va, &r->val);
}

/*
 * An unmap reaches every CPU's TLB: another CPU that has just used the
 * mapping faults on it after arch_unmap() returns.  (QEMU keeps a TLB
 * per CPU, so a translation no one shot down would still be used.)
 */
static void unmap_reaches_every_cpu(struct ktest *t)
{
	struct remote_read r = { 0 };
	unsigned int other = NR_CPUS;
	uint64_t *page;

	NEED_ROOM(t);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu != this_cpu() && cpu_online(cpu) && other == NR_CPUS)
			other = cpu;
	if (other == NR_CPUS)
		KT_SKIP(t, "one CPU online: no other TLB to shoot down");
	page = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, page);
	page[0] = 0x5eedull;
	KT_ASSERT_EQ(t, arch_map(test_va, (uintptr_t)page, PAGE_SIZE, PAGE_SIZE, RW), 0);
	r.va = test_va;
	KT_EXPECT_EQ(t, smp_call_function_single(other, read_here, &r, true), 0);
	KT_EXPECT_EQ(t, r.err, 0);
	KT_EXPECT_EQ(t, r.val, 0x5eedul);
	KT_EXPECT_EQ(t, arch_unmap(test_va, PAGE_SIZE), 0);
	r.val = 0;
	KT_EXPECT_EQ(t, smp_call_function_single(other, read_here, &r, true), 0);
	KT_EXPECT_EQ(t, r.err, KERR_FAULT);
	KT_EXPECT_EQ(t, free_pages(page, 0), 0);
}

static const struct ktest_case pgtable_cases[] = {
	KTEST_CASE(each_leaf_size_reads_back),
	KTEST_CASE(bad_arguments_are_refused),
	KTEST_CASE(overlap_is_refused_whole),
	KTEST_CASE(unmap_never_splits_a_leaf),
	KTEST_CASE(emptied_tables_are_freed),
	KTEST_CASE(running_out_of_table_pages_undoes_the_map),
	KTEST_CASE(prepared_tables_stay_until_released),
	KTEST_CASE(prepare_refuses_bad_ranges),
	KTEST_CASE(running_out_of_table_pages_keeps_nothing),
	KTEST_CASE(identity_map_covers_usable_ram),
	KTEST_CASE(unmap_reaches_every_cpu),
	{ 0 },
};
KTEST_SUITE_WITH_HOOKS(pgtable, pgtable_cases, find_room, NULL);
