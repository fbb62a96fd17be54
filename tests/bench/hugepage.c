/*
 * hugepage.c - the hugepage pool (core/include/hugetlb.h) in instructions:
 *
 *   hugepage_alloc / hugepage_free / hugepage_pair, pattern "pool":
 *       a pool page taken and mapped with one leaf, then unmapped
 *       (TLB flush included) and put back; another pool page of the size
 *       stays mapped meanwhile, so the table the leaf goes into exists,
 *       as it does while the pool is in use.  No zeroing.  The issue's
 *       target is the 2 MiB alloc (and pair) at most 500 instructions.
 *   ... pattern "pool_cold": the only pool page mapped: the alloc also
 *       makes (and zeroes) the table page, the free gives it back.
 *   ... pattern "fallback_block": the pool of that size emptied first;
 *       a buddy block of the size mapped with vmap_phys(), and back.
 *   hugepage_zero, pattern "pool": __GFP_ZERO's own cost, the memset of
 *       a mapped 2 MiB pool page (per page, not per byte).
 *   hugepage lines: the pool's statistics per size after the workload
 *       (configured, reserved, free, in use, fallbacks, failures).
 *
 * The cost of one leaf in the tables alone is bench_mapping()'s "map" /
 * "unmap" figures per page size.  Only with Kconfig HUGEPAGES.
 */
#include "bench.h"

#ifdef CONFIG_HUGEPAGES
#include "arch.h"
#include "hugetlb.h"
#include "kernel.h"
#include "kstring.h"

static void emit(const char *name, size_t size, const char *pattern, const struct bench_samples *s)
{
	struct bench_line l;

	bench_op_begin(&l, name);
	bench_line_u64(&l, "page_size", size);
	bench_line_str(&l, "pattern", pattern);
	bench_op_end(&l, s);
}

/* alloc, free, and the pair of one hugepage of @size; whatever path the pool's state gives. */
static void measure(size_t size, const char *pattern)
{
	struct bench_samples alloc, release, pair;

	bench_samples_reset(&alloc);
	bench_samples_reset(&release);
	bench_samples_reset(&pair);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t t0, t1, t2;
		void *p;

		t0 = bench_now();
		p = alloc_huge_page(size, GFP_KERNEL);
		t1 = bench_now();
		free_huge_page(p);
		t2 = bench_now();
		bench_record(&alloc, t1 - t0, 1);
		bench_record(&release, t2 - t1, 1);
		bench_record(&pair, t2 - t0, 1);
		alloc.failures += !p;
		pair.failures += !p;
	}
	emit("hugepage_alloc", size, pattern, &alloc);
	emit("hugepage_free", size, pattern, &release);
	emit("hugepage_pair", size, pattern, &pair);
}

static void zeroing(size_t size)
{
	struct bench_samples s;
	void *p = alloc_huge_page(size, GFP_KERNEL);

	bench_samples_reset(&s);
	for (unsigned int r = 0; r < bench_reps() && p; r++) {
		uint64_t t0 = bench_now();

		memset(p, 0, size);
		bench_record(&s, bench_now() - t0, 1);
	}
	s.failures = !p;
	free_huge_page(p);
	emit("hugepage_zero", size, "pool", &s);
}

static void one_size(unsigned int i, size_t size)
{
	struct hugepage_stats st;
	static void *held[CONFIG_HUGEPAGES_2M + CONFIG_HUGEPAGES_1G + 1];
	size_t n = 0;

	hugepage_get_stats(&st);
	if (st.size[i].free >= 1)
		measure(size, "pool_cold");
	if (st.size[i].free >= 2) {
		held[n++] = alloc_huge_page(size, GFP_KERNEL);
		measure(size, "pool");
	}
	/* Empty the pool of this size: what follows is the fallback. */
	hugepage_get_stats(&st);
	while (st.size[i].free-- && n < ARRAY_SIZE(held))
		held[n++] = alloc_huge_page(size, GFP_KERNEL);
	if (size == HUGE_SIZE_2M)	/* a spare GiB is not there to take on the presets */
		measure(size, "fallback_block");
	while (n)
		free_huge_page(held[--n]);
}

static void stats_lines(void)
{
	struct hugepage_stats st;
	struct bench_line l;

	hugepage_get_stats(&st);
	for (unsigned int i = 0; i < HUGE_NR_SIZES; i++) {
		const struct hugepage_size_stats *s = &st.size[i];

		bench_line_begin(&l, "hugepage");
		bench_line_u64(&l, "page_size", s->size);
		bench_line_u64(&l, "configured", s->configured);
		bench_line_u64(&l, "reserved", s->reserved);
		bench_line_u64(&l, "free", s->free);
		bench_line_u64(&l, "in_use", s->in_use);
		bench_line_u64(&l, "allocs", s->allocs);
		bench_line_u64(&l, "fallback_block", s->fallback_block);
		bench_line_u64(&l, "fallback_small", s->fallback_small);
		bench_line_u64(&l, "failures", s->failures);
		bench_line_u64(&l, "auto_served", s->auto_served);
		bench_line_u64(&l, "auto_missed", s->auto_missed);
		bench_line_end(&l);
	}
}

void bench_hugepage(void)
{
	struct hugepage_stats st;

	hugepage_get_stats(&st);
	if (st.size[0].free)
		zeroing(HUGE_SIZE_2M);
	one_size(0, HUGE_SIZE_2M);
	if (st.size[1].reserved)
		one_size(1, HUGE_SIZE_1G);
	stats_lines();
}
#else
void bench_hugepage(void)
{
}
#endif
