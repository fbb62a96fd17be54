/*
 * batches.c - allocate a batch of N objects of one size, then free them
 * last-in first-out, first-in first-out, or in a random order.  The free
 * order decides how a free list or a slab's freelist is walked and how
 * often neighbours coalesce.  Three sizes from the generated list: the
 * smallest, the middle and the largest class up to a page.
 */
#include "bench.h"
#include "kernel.h"
#include "mm.h"
#include "printk.h"

#define BATCH CONFIG_BENCH_BATCH

enum order { LIFO, FIFO, RANDOM, NR_ORDERS };
static const char *const order_name[NR_ORDERS] = { "lifo", "fifo", "random" };

static void *objs[BATCH];
static unsigned int free_seq[BATCH];

/* The order in which the batch is freed, decided before timing starts. */
static void free_order(enum order o, struct bench_rng *rng)
{
	for (unsigned int i = 0; i < BATCH; i++)
		free_seq[i] = o == LIFO ? BATCH - 1 - i : i;
	if (o != RANDOM)
		return;
	for (unsigned int i = BATCH - 1; i > 0; i--) {   /* Fisher-Yates */
		unsigned int j = (unsigned int)bench_rng_below(rng, i + 1);
		unsigned int t = free_seq[i];

		free_seq[i] = free_seq[j];
		free_seq[j] = t;
	}
}

void bench_batch_size(const char *suffix, size_t size, struct bench_rng *rng)
{
	char alloc_name[32], free_name[32];
	struct bench_samples alloc[NR_ORDERS], release[NR_ORDERS];
	struct bench_line l;

	ksnprintf(alloc_name, sizeof(alloc_name), "batch_alloc%s", suffix);
	ksnprintf(free_name, sizeof(free_name), "batch_free%s", suffix);
	for (int o = 0; o < NR_ORDERS; o++) {
		bench_samples_reset(&alloc[o]);
		bench_samples_reset(&release[o]);
	}
	for (unsigned int r = 0; r < bench_reps(); r++) {
		for (int o = 0; o < NR_ORDERS; o++) {
			uint64_t failed = 0, t0, t1;

			free_order((enum order)o, rng);
			t0 = bench_now();
			for (unsigned int i = 0; i < BATCH; i++) {
				objs[i] = kmalloc(size, GFP_KERNEL);
				failed += !objs[i];
			}
			t1 = bench_now();
			bench_record(&alloc[o], t1 - t0, BATCH);
			alloc[o].failures += failed;

			t0 = bench_now();
			for (unsigned int i = 0; i < BATCH; i++)
				kfree(objs[free_seq[i]]);
			t1 = bench_now();
			bench_record(&release[o], t1 - t0, BATCH);
		}
	}
	for (int o = 0; o < NR_ORDERS; o++) {
		bench_op_begin(&l, alloc_name);
		bench_line_str(&l, "pattern", order_name[o]);
		bench_line_u64(&l, "size", size);
		bench_op_end(&l, &alloc[o]);
		bench_op_begin(&l, free_name);
		bench_line_str(&l, "pattern", order_name[o]);
		bench_line_u64(&l, "size", size);
		bench_op_end(&l, &release[o]);
	}
}

void bench_batches(void)
{
	size_t classes[64], n = 0;
	struct bench_rng rng;

	bench_rng_seed(&rng, (uint64_t)CONFIG_BENCH_SEED ^ 0xba7c4);
	/* Classes up to a page: a batch of larger ones measures exhaustion. */
	for (size_t i = 0; i < bench_nr_sizes && n < ARRAY_SIZE(classes); i++) {
		if (bench_sizes[i].is_class && bench_sizes[i].size <= PAGE_SIZE)
			classes[n++] = bench_sizes[i].size;
	}
	if (!n)
		return;
	/* Smallest, middle and largest (fewer when they coincide). */
	bench_batch_size("", classes[0], &rng);
	if (n > 2)
		bench_batch_size("", classes[n / 2], &rng);
	if (n > 1)
		bench_batch_size("", classes[n - 1], &rng);
}
