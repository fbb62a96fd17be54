/*
 * pairs.c - kmalloc() then kfree() of the same size, back to back: the cost
 * of the fast path, at every size of the generated list (each size class,
 * and one byte above it, where rounding up costs most).
 */
#include "bench.h"
#include "mm.h"

void bench_pair_size(const char *name, size_t size, bool is_class)
{
	struct bench_samples s;
	struct bench_line l;
	size_t granted;
	void *p;

	bench_samples_reset(&s);
	p = kmalloc(size, GFP_KERNEL);   /* untimed: what the size is rounded to */
	granted = ksize(p);
	kfree(p);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t failed = 0, t0, t1;

		t0 = bench_now();
		for (unsigned int i = 0; i < CONFIG_BENCH_OPS; i++) {
			p = kmalloc(size, GFP_KERNEL);
			failed += !p;
			kfree(p);
		}
		t1 = bench_now();
		bench_record(&s, t1 - t0, CONFIG_BENCH_OPS);
		s.failures += failed;
	}
	bench_op_begin(&l, name);
	bench_line_u64(&l, "size", size);
	bench_line_u64(&l, "class", is_class);
	bench_line_u64(&l, "granted", granted);
	bench_op_end(&l, &s);
}

void bench_pairs(void)
{
	for (size_t i = 0; i < bench_nr_sizes; i++)
		bench_pair_size("pair", bench_sizes[i].size, bench_sizes[i].is_class);
}
