/*
 * image_bench.c - the bench image: what `./build.py bench` boots.
 *
 * Prints one "meta" line saying what was measured and how, runs the
 * workloads of tests/bench/ in a fixed order, and ends with an "end" line
 * carrying the number of lines printed, so the host can tell a complete
 * run from one cut short.  See bench.h for the line format.
 */
#include "arch.h"
#include "bench.h"
#include "irq.h"
#include "kernel.h"
#include "mm.h"

static void print_meta(void)
{
	struct page_alloc_stats ps;
	struct bench_line l;

	page_alloc_get_stats(&ps);
	bench_line_begin(&l, "meta");
	bench_line_str(&l, "arch", arch_name);
	bench_line_str(&l, "mode", mm_mode_name());
	bench_line_str(&l, "page_alloc", ps.strategy);
	bench_line_u64(&l, "reps", bench_reps());
	bench_line_u64(&l, "seed", (uint64_t)CONFIG_BENCH_SEED);
	bench_line_u64(&l, "counter_overhead", bench_counter_overhead());
	bench_line_str(&l, "sizes", bench_sizes_source);
	bench_line_u64(&l, "page_size", PAGE_SIZE);
	bench_line_u64(&l, "managed_pages", ps.total_pages);
	bench_line_end(&l);
}

int image_main(void)
{
	struct mm_stats before, after;
	struct bench_line l;

	/*
	 * The bench boots one CPU (kit/bench.py).  Its tick stops here: a
	 * tick inside a timed window would add the handler's instructions
	 * to the figure.  Without SMP there is no tick: this is nothing.
	 */
	tick_stop();
	irq_disable();
	bench_init();
	print_meta();
	mm_get_stats(&before);
	bench_pairs();
#ifdef CONFIG_POOLS
	bench_pools();
#endif
	bench_batches();
	bench_pages();
	bench_zones();
	bench_mixed();
	bench_stress();
	bench_traces();
	bench_lz4();
	/* Last, so that they move no figure above: they add kinds of figure, not load. */
	bench_mapping();
	bench_vmap();
	bench_zstore();
	bench_hugepage();
	mm_get_stats(&after);

	/* Every workload frees what it allocates: a live object left is a leak. */
	bench_line_begin(&l, "end");
	bench_line_u64(&l, "lines", bench_lines() + 1);
	bench_line_u64(&l, "leaked_objects", after.live_objects - before.live_objects);
	/* Pages a front keeps cached (empty slabs) are not a leak: informational. */
	bench_line_u64(&l, "pages_retained", before.pages.free_pages > after.pages.free_pages ?
		       before.pages.free_pages - after.pages.free_pages : 0);
	bench_line_u64(&l, "misuse", after.counters.misuse);
	bench_line_end(&l);
	return after.live_objects == before.live_objects && !after.counters.misuse ?
	       EXIT_PASS : EXIT_FAIL;
}
