/*
 * traces.c - real programs' allocation patterns, replayed: the traces
 * ./build.py realbench --record wrote into tests/bench/traces/ (kit/traces.py),
 * compiled in as a generated table (gen/bench_traces.c).
 *
 * Each trace is replayed BENCH_REPS times through kmalloc / kfree /
 * krealloc, timed as a whole: "trace pattern=<workload>" is instructions
 * per operation.  A request the variant cannot serve (a 64 MiB buffer in a
 * guest of 128 MiB) fails and is counted; later operations on its slot are
 * skipped.  Then one more, untimed, replay samples the footprint after
 * every allocation and, with the trace's live set held at its end,
 * reports a "frag" line, pattern "trace-<workload>", as the aging
 * patterns of stress.c do.  Slot storage comes from the page allocator
 * before the footprint's base is read.
 */
#include "bench.h"
#include "kernel.h"
#include "mm.h"
#include "page_alloc.h"

#define GFP (GFP_KERNEL | __GFP_NOWARN)

struct slot {
	void *ptr;
	size_t size;
};

static struct slot *slots;

/* One replay of @t; with @run (untimed), what is live and the footprint after each allocation. */
static uint64_t replay(const struct bench_trace *t, struct bench_frag_run *run)
{
	uint64_t failed = 0;

	for (size_t i = 0; i < t->nr_ops; i++) {
		const struct bench_trace_op *op = &t->ops[i];
		struct slot *s = &slots[op->slot];
		size_t before = s->ptr ? s->size : 0;
		bool had = s->ptr != NULL;
		void *p;

		switch (op->kind) {
		case TRACE_ALLOC:
			s->ptr = kmalloc(op->size ? op->size : 1, GFP);
			s->size = op->size;
			failed += !s->ptr;
			break;
		case TRACE_FREE:
			kfree(s->ptr);
			s->ptr = NULL;
			break;
		default:
			if (!s->ptr)
				break;
			p = krealloc(s->ptr, op->size ? op->size : 1, GFP);
			if (!p) {
				failed++;
				break;
			}
			s->ptr = p;
			s->size = op->size;
			break;
		}
		if (!run || op->kind == TRACE_FREE) {
			if (run && had) {
				run->live--;
				run->requested -= before;
			}
			continue;
		}
		run->attempts++;
		if (!s->ptr || (op->kind == TRACE_REALLOC && s->size != op->size)) {
			run->failures++;
			continue;
		}
		run->live += !had;
		run->requested += s->size - before;
		run->peak_requested = MAX(run->peak_requested, run->requested);
		bench_footprint_sample(run);
	}
	return failed;
}

static void release(const struct bench_trace *t)
{
	for (size_t i = 0; i < t->slots; i++) {
		kfree(slots[i].ptr);
		slots[i].ptr = NULL;
	}
}

void bench_traces(void)
{
	size_t bytes = bench_trace_max_slots * sizeof(*slots);
	unsigned int order = 0;

	if (!bench_nr_traces)
		return;
	while ((PAGE_SIZE << order) < bytes)
		order++;
	slots = alloc_pages(order, GFP | __GFP_ZERO);
	if (!slots)
		return;
	for (size_t n = 0; n < bench_nr_traces; n++) {
		const struct bench_trace *t = &bench_trace_list[n];
		struct bench_frag_run run = { 0 };
		struct bench_samples s;
		struct bench_line l;

		bench_samples_reset(&s);
		for (unsigned int r = 0; r < bench_reps(); r++) {
			uint64_t t0, t1, failed;

			t0 = bench_now();
			failed = replay(t, NULL);
			t1 = bench_now();
			bench_record(&s, t1 - t0, t->nr_ops);
			s.failures += failed;
			release(t);
		}
		bench_op_begin(&l, "trace");
		bench_line_str(&l, "pattern", t->name);
		bench_line_u64(&l, "slots", t->slots);
		bench_op_end(&l, &s);

		mm_drain_caches();
		bench_footprint_base(&run);
		replay(t, &run);
		{
			char pattern[48] = "trace-";
			size_t k = 6;

			for (const char *c = t->name; *c && k < sizeof(pattern) - 1; c++)
				pattern[k++] = *c;
			pattern[k] = 0;
			bench_frag_report(pattern, t->nr_ops, &run, false);
		}
		release(t);
	}
	free_pages(slots, order);
	slots = NULL;
}
