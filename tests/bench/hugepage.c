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
 *   compact line (Kconfig COMPACTION): a fragmented heap - memory filled
 *       with single pages, one in 16 unmovable, every other movable one
 *       freed again - asked for COMPACT_ATTEMPTS 2 MiB blocks, first
 *       without compaction, then with compact_block() before each
 *       attempt that found none: the successes of each, and compaction's
 *       own counts; compact_block op: instructions per successful run.
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
#include "page_alloc.h"
#ifdef CONFIG_COMPACTION
#include "migrate.h"
#endif

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


#ifdef CONFIG_COMPACTION
#define COMPACT_ATTEMPTS 16u
/* The working set after the ballast: at most this plus a 4 MiB block, in pages. */
#define FRAG_KEEP ((size_t)8192)
#define FRAG_MAX (FRAG_KEEP + 2048)
#define ORDER_2M 9u

static struct movable_ref refs[FRAG_MAX];
static void *pinned[FRAG_MAX / 16 + 1];
static void *ballast[64];
static unsigned int ballast_order[64];
static void *blocks[COMPACT_ATTEMPTS];

static size_t free_now(void)
{
	struct page_alloc_stats st;

	drain_all_pages();
	page_alloc_get_stats(&st);
	return st.free_pages;
}

/* Large blocks out of the way, so that the fragmenting touches a fixed working set. */
static size_t take_ballast(void)
{
	size_t n = 0;

	for (unsigned int o = CONFIG_BUDDY_MAX_ORDER; o > ORDER_2M; o--) {
		while (n < ARRAY_SIZE(ballast) && free_now() >= FRAG_KEEP + ((size_t)1 << o)) {
			ballast[n] = alloc_pages(o, GFP_KERNEL | __GFP_NOWARN);
			if (!ballast[n])
				break;
			ballast_order[n++] = o;
		}
	}
	return n;
}

/* 2 MiB blocks asked for COMPACT_ATTEMPTS times; compacting first when @compact. */
static unsigned int attempts(bool compact, struct bench_samples *cost)
{
	unsigned int got = 0;

	for (unsigned int i = 0; i < COMPACT_ATTEMPTS; i++) {
		void *b = alloc_pages(ORDER_2M, GFP_KERNEL | __GFP_NOWARN);

		if (!b && compact) {
			uint64_t t0 = bench_now();
			bool formed = compact_block(ORDER_2M);
			uint64_t t1 = bench_now();

			if (formed) {
				bench_record(cost, t1 - t0, 1);
				b = alloc_pages(ORDER_2M, GFP_KERNEL | __GFP_NOWARN);
			} else {
				cost->failures++;
			}
		}
		blocks[i] = b;
		got += b != NULL;
	}
	for (unsigned int i = 0; i < COMPACT_ATTEMPTS; i++)
		free_pages(blocks[i], ORDER_2M);
	return got;
}

static void bench_compaction(void)
{
	struct page_alloc_tunables saved, none = { .watermark_scale_factor = 1 };
	struct compact_stats c0, c;
	struct bench_samples cost;
	struct bench_line l;
	size_t nb, n = 0, np = 0, free_before;
	unsigned int without, with;

	/* Reserves off: a 2 MiB block must not be refused for the watermark alone. */
	page_alloc_get_tunables(&saved);
	page_alloc_set_tunables(&none);
	nb = take_ballast();
	while (n < FRAG_MAX) {
		if (n % 16 == 15 && np < ARRAY_SIZE(pinned)) {
			pinned[np] = alloc_pages(0, GFP_KERNEL | __GFP_NOWARN);
			if (!pinned[np])
				break;
			np++;
		}
		refs[n] = (struct movable_ref){ 0 };
		if (alloc_movable_page(&refs[n], GFP_KERNEL | __GFP_NOWARN))
			break;
		n++;
	}
	for (size_t i = 1; i < n; i += 2)
		free_movable_page(&refs[i]);
	drain_all_pages();

	bench_samples_reset(&cost);
	free_before = free_now();
	compact_get_stats(&c0);
	without = attempts(false, &cost);
	with = attempts(true, &cost);
	compact_get_stats(&c);

	bench_line_begin(&l, "compact");
	bench_line_u64(&l, "attempts", COMPACT_ATTEMPTS);
	/* Free memory bounds the blocks any compaction could form: free_pages / 512. */
	bench_line_u64(&l, "free_pages", free_before);
	bench_line_u64(&l, "without", without);
	bench_line_u64(&l, "with", with);
	bench_line_u64(&l, "movable_pages", (n + 1) / 2);
	bench_line_u64(&l, "unmovable_pages", np);
	bench_line_u64(&l, "blocks_formed", c.blocks_formed - c0.blocks_formed);
	bench_line_u64(&l, "pages_migrated", c.pages_migrated - c0.pages_migrated);
	bench_line_u64(&l, "failures", c.failures - c0.failures);
	bench_line_end(&l);
	bench_op_begin(&l, "compact_block");
	bench_line_u64(&l, "order", ORDER_2M);
	bench_op_end(&l, &cost);

	for (size_t i = 0; i < n; i += 2)
		free_movable_page(&refs[i]);
	while (np)
		free_pages(pinned[--np], 0);
	while (nb--)
		free_pages(ballast[nb], ballast_order[nb]);
	page_alloc_set_tunables(&saved);
}
#else
static void bench_compaction(void)
{
}
#endif

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
	bench_compaction();
}
#else
void bench_hugepage(void)
{
}
#endif
