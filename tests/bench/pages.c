/*
 * pages.c - alloc_pages() of one order for a batch of blocks, then
 * free_pages() of them in the same order, for every order from 0 up to
 * BENCH_PAGE_MAX_ORDER.  A batch never asks for more than a quarter of the
 * free pages, so the figures are the allocator's search, not exhaustion.
 */
#include "bench.h"
#include "kernel.h"
#include "mm.h"

static void *blocks[CONFIG_BENCH_OPS];

static void one_order(unsigned int order)
{
	struct bench_samples alloc, release;
	struct page_alloc_stats ps;
	struct bench_line l;
	size_t n;

	page_alloc_get_stats(&ps);
	n = MIN((size_t)CONFIG_BENCH_OPS, ps.free_pages >> (order + 2));
	if (!n)
		n = 1;
	bench_samples_reset(&alloc);
	bench_samples_reset(&release);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t failed = 0, t0, t1;

		t0 = bench_now();
		for (size_t i = 0; i < n; i++) {
			blocks[i] = alloc_pages(order, GFP_KERNEL);
			failed += !blocks[i];
		}
		t1 = bench_now();
		bench_record(&alloc, t1 - t0, n);
		alloc.failures += failed;

		t0 = bench_now();
		for (size_t i = 0; i < n; i++)
			free_pages(blocks[i], order);
		t1 = bench_now();
		bench_record(&release, t1 - t0, n);
	}
	bench_op_begin(&l, "page_alloc");
	bench_line_u64(&l, "order", order);
	bench_op_end(&l, &alloc);
	bench_op_begin(&l, "page_free");
	bench_line_u64(&l, "order", order);
	bench_op_end(&l, &release);
}

void bench_pages(void)
{
	for (unsigned int order = 0; order <= CONFIG_BENCH_PAGE_MAX_ORDER; order++)
		one_order(order);
}
