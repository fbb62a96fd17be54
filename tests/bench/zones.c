/*
 * zones.c - what a zone costs a request: an alloc + free pair of one page
 * and of an order-3 block from each zone that has pages, asked for by
 * its gfp modifier; then the same pairs as GFP_KERNEL once the preferred
 * zone is full, so that each falls back to the zone below.
 *
 *   zone_pair zone=Z order=o      alloc_pages(o, modifier of Z) + free
 *   fallback_pair from=P to=Z     alloc_pages(o, GFP_KERNEL) + free, with
 *                 order=o         P (the preferred zone) at its floor
 *
 * A GFP_KERNEL single page of the preferred zone is page_pair order=0
 * (pages.c): the inline per-CPU pop.  A zone modifier always takes the
 * slow path, so zone_pair of a low zone is that path plus the pop from
 * the low zone's list.  Filling the preferred zone takes its pages in
 * blocks, then single pages, recorded here and never touched.  Without a second zone with pages
 * there is nothing to fall back to and no fallback figure.
 */
#include "bench.h"
#include "kernel.h"
#include "mm.h"

#define ZONE_BENCH_FILL_ORDER 9u
/* Blocks of 2 MiB over 8 GiB of RAM (the most RAM_MB allows), then single pages. */
#define ZONE_BENCH_MAX_HELD 8192

static struct {
	void *addr;
	unsigned int order;
} held[ZONE_BENCH_MAX_HELD];
static size_t nr_held;

static const unsigned int pair_orders[] = { 0, 3 };

static gfp_t modifier_of(const char *zone)
{
	if (zone[0] == 'D' && zone[1] == 'M' && zone[2] == 'A')
		return zone[3] == '3' ? GFP_DMA32 : GFP_DMA;
	return GFP_KERNEL;
}

static void pair(const char *name, const char *key, const char *zone, const char *from,
		 unsigned int order, gfp_t flags)
{
	struct bench_samples s;
	struct bench_line l;

	bench_samples_reset(&s);
	for (unsigned int r = 0; r < bench_reps(); r++) {
		uint64_t failed = 0, t0, t1;

		t0 = bench_now();
		for (unsigned int i = 0; i < CONFIG_BENCH_OPS; i++) {
			void *p = alloc_pages(order, flags);

			failed += !p;
			free_pages(p, order);
		}
		t1 = bench_now();
		bench_record(&s, t1 - t0, CONFIG_BENCH_OPS);
		s.failures += failed;
	}
	bench_op_begin(&l, name);
	if (from)
		bench_line_str(&l, "from", from);
	bench_line_str(&l, key, zone);
	bench_line_u64(&l, "order", order);
	bench_op_end(&l, &s);
}

/*
 * Take blocks of 2^@order pages from the preferred zone @pref (its span)
 * until one would come from below it.
 */
static void fill_preferred(const struct zone_stats *pref, unsigned int order)
{
	while (nr_held < ZONE_BENCH_MAX_HELD) {
		void *b = alloc_pages(order, GFP_KERNEL | __GFP_NOWARN);
		uintptr_t pa;

		if (!b)
			return;
		pa = (uintptr_t)b - arch_zone_offset();
		if (pa < pref->start || pa >= pref->end) {
			free_pages(b, order);
			return;
		}
		held[nr_held].addr = b;
		held[nr_held++].order = order;
	}
}

void bench_zones(void)
{
	struct zone_stats zs[MAX_ZONES];
	size_t n = page_alloc_get_zone_stats(zs, MAX_ZONES), top = 0, populated = 0;

	for (size_t i = 0; i < n; i++) {
		if (!zs[i].managed)
			continue;
		populated++;
		top = i;
		for (size_t o = 0; o < ARRAY_SIZE(pair_orders); o++)
			pair("zone_pair", "zone", zs[i].name, NULL, pair_orders[o],
			     modifier_of(zs[i].name));
	}
	if (populated < 2)
		return;
	/* Blocks first, then single pages: the zone down to its floor. */
	nr_held = 0;
	fill_preferred(&zs[top], ZONE_BENCH_FILL_ORDER);
	fill_preferred(&zs[top], 0);
	for (size_t i = top; i-- > 0;) {
		if (!zs[i].managed)
			continue;
		/* The first zone below with pages is where GFP_KERNEL now lands. */
		for (size_t o = 0; o < ARRAY_SIZE(pair_orders); o++)
			pair("fallback_pair", "to", zs[i].name, zs[top].name, pair_orders[o],
			     GFP_KERNEL);
		break;
	}
	while (nr_held) {
		nr_held--;
		free_pages(held[nr_held].addr, held[nr_held].order);
	}
}
