/*
 * pages.c - alloc_pages() of one order for a batch of blocks, then
 * free_pages() of them in the same order, for every order from 0 up to
 * BENCH_PAGE_MAX_ORDER.  A batch never asks for more than a quarter of the
 * free pages, so the figures are the allocator's search, not exhaustion.
 *
 * Single pages go through the per-CPU lists, and a batch as long as a
 * list refills and drains it on the way, so the list's three costs are
 * also measured apart:
 *
 *   page_pair order=0   alloc_pages(0) + free_pages(0) back to back: a
 *                       pop and a push, the list neither empty nor full
 *   pcp_refill          one alloc_pages(0) that finds its list empty and
 *                       refills a batch from the zone
 *   pcp_drain           one free_pages(0) that takes its list past high
 *                       and gives a batch back
 */
#include "bench.h"
#include "kernel.h"
#include "mm.h"

static void *blocks[CONFIG_BENCH_OPS];
/* Pages held while a per-CPU list is filled to its limit. */
static void *held[CONFIG_BENCH_OPS * 4];

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

/* alloc + free of one page, back to back: the list's hit. */
static void page_pair(void)
{
	struct bench_samples s;
	struct bench_line l;
	void *keep;

	bench_samples_reset(&s);
	/* One page held, so that the list is neither empty nor refilled by the pair. */
	keep = alloc_pages(0, GFP_KERNEL);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t failed = 0, t0, t1;

		t0 = bench_now();
		for (unsigned int i = 0; i < CONFIG_BENCH_OPS; i++) {
			void *p = alloc_pages(0, GFP_KERNEL);

			failed += !p;
			free_pages(p, 0);
		}
		t1 = bench_now();
		bench_record(&s, t1 - t0, CONFIG_BENCH_OPS);
		s.failures += failed;
	}
	free_pages(keep, 0);
	bench_op_begin(&l, "page_pair");
	bench_line_u64(&l, "order", 0);
	bench_op_end(&l, &s);
}

/* One refill and one drain of this CPU's list, each timed alone. */
static void pcp_refill_and_drain(void)
{
	struct bench_samples refill, drain;
	struct page_alloc_stats ps;
	struct bench_line l;

	page_alloc_get_stats(&ps);
	if (!ps.pcp_high || ps.pcp_high + 1 > CONFIG_BENCH_OPS * 4)
		return;   /* no per-CPU lists, or more pages than the bench holds */
	bench_samples_reset(&refill);
	bench_samples_reset(&drain);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t t0, t1;
		size_t n = ps.pcp_high + 1;

		/* An empty list: the next single page refills it. */
		drain_all_pages();
		t0 = bench_now();
		held[0] = alloc_pages(0, GFP_KERNEL);
		t1 = bench_now();
		bench_record(&refill, t1 - t0, 1);
		refill.failures += !held[0];
		/* Fill the list to exactly high, then one more free drains it. */
		for (size_t i = 1; i < n; i++)
			held[i] = alloc_pages(0, GFP_KERNEL);
		drain_all_pages();
		for (size_t i = 1; i < n; i++)
			free_pages(held[i], 0);
		t0 = bench_now();
		free_pages(held[0], 0);
		t1 = bench_now();
		bench_record(&drain, t1 - t0, 1);
	}
	bench_op_begin(&l, "pcp_refill");
	bench_op_end(&l, &refill);
	bench_op_begin(&l, "pcp_drain");
	bench_op_end(&l, &drain);
}

void bench_pages(void)
{
	page_pair();
	pcp_refill_and_drain();
	for (unsigned int order = 0; order <= CONFIG_BENCH_PAGE_MAX_ORDER; order++)
		one_order(order);
}
