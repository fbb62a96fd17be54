/*
 * vmap.c - vmap_alloc() + vmap_free() of one region (core/mm/vmap.h), in
 * the vmap area's own terms: 4 KiB (one page, one leaf), 2 MiB (one
 * order-9 block, one 2 MiB leaf) and 1 GiB (one order-18 block, one leaf)
 * where the page allocator has such a block free.  The memory is not
 * zeroed (zeroing is the page allocator's, and its own cost); what is
 * measured is taking the blocks, the address space and the mapping, and
 * giving them back, TLB flush included.
 *
 * Only with Kconfig VMAP; an empty function otherwise, so that the bench
 * image's sequence does not depend on it.
 */
#include "bench.h"

#ifdef CONFIG_VMAP
#include "arch.h"
#include "kernel.h"
#include "page_alloc.h"
#include "vmap.h"

static void one_size(size_t size)
{
	struct bench_samples alloc, release;
	struct bench_line l;

	bench_samples_reset(&alloc);
	bench_samples_reset(&release);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t t0, t1;
		void *p;

		t0 = bench_now();
		p = vmap_alloc(size, GFP_KERNEL);
		t1 = bench_now();
		bench_record(&alloc, t1 - t0, 1);
		alloc.failures += !p;
		t0 = bench_now();
		vmap_free(p);
		t1 = bench_now();
		bench_record(&release, t1 - t0, 1);
	}
	bench_op_begin(&l, "vmap_alloc");
	bench_line_u64(&l, "size", size);
	bench_op_end(&l, &alloc);
	bench_op_begin(&l, "vmap_free");
	bench_line_u64(&l, "size", size);
	bench_op_end(&l, &release);
}

/* Is a block of @order free now (so the figure is one block, not a fallback)? */
static bool block_free(unsigned int order)
{
	struct page_alloc_stats st;

	drain_all_pages();
	page_alloc_get_stats(&st);
	for (unsigned int o = order; o <= PAGE_STATS_MAX_ORDER; o++) {
		if (st.nr_free[o])
			return true;
	}
	return false;
}

void bench_vmap(void)
{
	one_size(PAGE_SIZE_4K);
	if (block_free(9))
		one_size(PAGE_SIZE_2M);
	if (arch_page_size_supported(PAGE_SIZE_1G) && block_free(18))
		one_size(PAGE_SIZE_1G);
}
#else
void bench_vmap(void)
{
}
#endif
