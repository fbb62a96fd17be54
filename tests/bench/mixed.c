/*
 * mixed.c - a mixed workload: random sizes with random lifetimes, from a
 * fixed seed.  Each operation picks one of SLOTS slots: an empty slot gets
 * a new allocation, a full one is freed, so about half the slots are live
 * and objects die in no particular order.  A size is drawn by picking an
 * entry of the generated size list, then a size between the entry below
 * it (exclusive) and it.  The sequence is drawn before the counter is
 * read; repetition r uses seed BENCH_SEED + r.
 */
#include "bench.h"
#include "kernel.h"
#include "mm.h"

#define SLOTS 128
#define OPS CONFIG_BENCH_MIXED_OPS

static void *slot[SLOTS];
static uint8_t seq_slot[OPS];
static size_t seq_size[OPS];

static size_t random_size(struct bench_rng *rng)
{
	size_t i = (size_t)bench_rng_below(rng, bench_nr_sizes);
	size_t lo = i ? bench_sizes[i - 1].size : 0;
	size_t hi = bench_sizes[i].size;

	return lo + 1 + (size_t)bench_rng_below(rng, hi - lo);
}

void bench_mixed(void)
{
	struct bench_samples s;
	struct bench_line l;

	if (!bench_nr_sizes)
		return;
	bench_samples_reset(&s);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		struct bench_rng rng;
		uint64_t failed = 0, t0, t1;

		bench_rng_seed(&rng, (uint64_t)CONFIG_BENCH_SEED + r);
		for (unsigned int i = 0; i < OPS; i++) {
			seq_slot[i] = (uint8_t)bench_rng_below(&rng, SLOTS);
			seq_size[i] = random_size(&rng);
		}
		t0 = bench_now();
		for (unsigned int i = 0; i < OPS; i++) {
			void **p = &slot[seq_slot[i]];

			if (*p) {
				kfree(*p);
				*p = NULL;
			} else {
				*p = kmalloc(seq_size[i], GFP_KERNEL);
				failed += !*p;
			}
		}
		t1 = bench_now();
		bench_record(&s, t1 - t0, OPS);
		s.failures += failed;
		for (unsigned int i = 0; i < SLOTS; i++) {
			kfree(slot[i]);
			slot[i] = NULL;
		}
	}
	bench_op_begin(&l, "mixed");
	bench_line_u64(&l, "seed", (uint64_t)CONFIG_BENCH_SEED);
	bench_line_u64(&l, "slots", SLOTS);
	bench_line_u64(&l, "max_size", bench_sizes[bench_nr_sizes - 1].size);
	bench_op_end(&l, &s);
}
