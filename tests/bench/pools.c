/*
 * pools.c - the typed object pools (Kconfig POOLS) next to kmalloc() of
 * the same size, in the same variant: an allocation and a free back to
 * back, and a batch allocated then freed in LIFO and in random order.
 *
 *     pool_pair pool=NAME size=N          NAME_pool_alloc() + NAME_pool_free()
 *     kmalloc_pair pool=NAME size=N       kmalloc(N) + kfree()
 *     pool_batch_alloc / pool_batch_free pool=NAME pattern=lifo|random size=N
 *     kmalloc_batch_alloc / kmalloc_batch_free   the same with kmalloc
 *
 * The pool loops use each pool's typed API, made from its row of
 * gen/pool_types.h, as a caller would: inline, the pool's address and its
 * state word's offset constants.  The host divides the pool figure by the
 * kmalloc one (kit/bench.py: the pool target).  A batch larger than a
 * pool's count makes it grow; pool_shrink() gives the growth back at the
 * end, so the bench leaves every pool as boot left it.
 *
 * Every bench workload is built into every variant's bench image: without
 * Kconfig POOLS this file is empty, and image_bench.c does not call it.
 */
#ifdef CONFIG_POOLS
#include "bench.h"
#include "kernel.h"
#include "mm.h"
#include "pool.h"
#include "pool_types.h"

#define BATCH CONFIG_BENCH_BATCH

enum order { LIFO, RANDOM, NR_ORDERS };
static const char *const order_name[NR_ORDERS] = { "lifo", "random" };

static void *objs[BATCH];
static unsigned int free_seq[BATCH];

/* The loops of one typed pool, one repetition each; they return the failures. */
#define POOL_LOOPS(n, type, sz, al, cnt, res)                                     \
	static uint64_t n##_pairs(void)                                           \
	{                                                                         \
		uint64_t failed = 0;                                              \
                                                                                  \
		for (unsigned int i = 0; i < CONFIG_BENCH_OPS; i++) {             \
			type *o = n##_pool_alloc(GFP_KERNEL);                     \
                                                                                  \
			failed += !o;                                             \
			n##_pool_free(o);                                         \
		}                                                                 \
		return failed;                                                    \
	}                                                                         \
	static uint64_t n##_batch_alloc(void)                                     \
	{                                                                         \
		uint64_t failed = 0;                                              \
                                                                                  \
		for (unsigned int i = 0; i < BATCH; i++) {                        \
			objs[i] = n##_pool_alloc(GFP_KERNEL);                     \
			failed += !objs[i];                                       \
		}                                                                 \
		return failed;                                                    \
	}                                                                         \
	static uint64_t n##_batch_free(void)                                      \
	{                                                                         \
		for (unsigned int i = 0; i < BATCH; i++)                          \
			n##_pool_free(objs[free_seq[i]]);                         \
		return 0;                                                         \
	}
POOL_TYPES(POOL_LOOPS)

struct pool_bench {
	const char *name;
	size_t size;
	struct pool *pool;
	uint64_t (*pairs)(void);
	uint64_t (*batch_alloc)(void);
	uint64_t (*batch_free)(void);
};

#define POOL_BENCH_ROW(n, type, sz, al, cnt, res) \
	{ #n, sz, &n##_pool, n##_pairs, n##_batch_alloc, n##_batch_free },
static const struct pool_bench pool_benches[POOL_NR_TYPES + 1] = {
	POOL_TYPES(POOL_BENCH_ROW)
	{ .name = NULL },
};

/* The kmalloc loops, for the same sizes. */
static size_t kmalloc_size;

static uint64_t kmalloc_pairs(void)
{
	uint64_t failed = 0;

	for (unsigned int i = 0; i < CONFIG_BENCH_OPS; i++) {
		void *p = kmalloc(kmalloc_size, GFP_KERNEL);

		failed += !p;
		kfree(p);
	}
	return failed;
}

static uint64_t kmalloc_batch_alloc(void)
{
	uint64_t failed = 0;

	for (unsigned int i = 0; i < BATCH; i++) {
		objs[i] = kmalloc(kmalloc_size, GFP_KERNEL);
		failed += !objs[i];
	}
	return failed;
}

static uint64_t kmalloc_batch_free(void)
{
	for (unsigned int i = 0; i < BATCH; i++)
		kfree(objs[free_seq[i]]);
	return 0;
}

/* The order in which a batch is freed, decided before timing starts. */
static void free_order(enum order o, struct bench_rng *rng)
{
	for (unsigned int i = 0; i < BATCH; i++)
		free_seq[i] = BATCH - 1 - i;
	if (o != RANDOM)
		return;
	for (unsigned int i = BATCH - 1; i > 0; i--) {   /* Fisher-Yates */
		unsigned int j = (unsigned int)bench_rng_below(rng, i + 1);
		unsigned int t = free_seq[i];

		free_seq[i] = free_seq[j];
		free_seq[j] = t;
	}
}

/* Time @fn once per repetition, @ops operations each, into @s. */
static void time_reps(struct bench_samples *s, uint64_t (*fn)(void), unsigned int ops)
{
	bench_samples_reset(s);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t t0 = bench_now(), failed = fn(), t1 = bench_now();

		bench_record(s, t1 - t0, ops);
		s->failures += failed;
	}
}

static void emit(const char *op, const struct pool_bench *b, const char *pattern,
		 const struct bench_samples *s)
{
	struct bench_line l;

	bench_op_begin(&l, op);
	bench_line_str(&l, "pool", b->name);
	if (pattern)
		bench_line_str(&l, "pattern", pattern);
	bench_line_u64(&l, "size", b->size);
	bench_op_end(&l, s);
}

/* A batch: allocate, then free in order @o, each timed over the repetitions. */
static void time_batch(const struct pool_bench *b, bool pool, enum order o, struct bench_rng *rng)
{
	struct bench_samples a, f;

	bench_samples_reset(&a);
	bench_samples_reset(&f);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t t0, t1, failed;

		free_order(o, rng);
		t0 = bench_now();
		failed = pool ? b->batch_alloc() : kmalloc_batch_alloc();
		t1 = bench_now();
		bench_record(&a, t1 - t0, BATCH);
		a.failures += failed;
		t0 = bench_now();
		(void)(pool ? b->batch_free() : kmalloc_batch_free());
		t1 = bench_now();
		bench_record(&f, t1 - t0, BATCH);
	}
	emit(pool ? "pool_batch_alloc" : "kmalloc_batch_alloc", b, order_name[o], &a);
	emit(pool ? "pool_batch_free" : "kmalloc_batch_free", b, order_name[o], &f);
}

void bench_pools(void)
{
	struct bench_rng rng;

	bench_rng_seed(&rng, (uint64_t)CONFIG_BENCH_SEED ^ 0x9001);
	for (const struct pool_bench *b = pool_benches; b->name; b++) {
		struct bench_samples s;

		kmalloc_size = b->size;
		time_reps(&s, b->pairs, CONFIG_BENCH_OPS);
		emit("pool_pair", b, NULL, &s);
		time_reps(&s, kmalloc_pairs, CONFIG_BENCH_OPS);
		emit("kmalloc_pair", b, NULL, &s);
		for (int o = 0; o < NR_ORDERS; o++) {
			time_batch(b, true, (enum order)o, &rng);
			time_batch(b, false, (enum order)o, &rng);
		}
		/* Give back what the batches made the pool grow by. */
		(void)pool_shrink(b->pool);
	}
}
#endif /* CONFIG_POOLS */
