/*
 * stress.c - age the allocator, then measure how fragmented it is.
 *
 * Each pattern runs BENCH_STRESS_OPS operations over BENCH_STRESS_SLOTS
 * slots: an empty slot gets an allocation, a full one is freed, so about
 * half the slots are live and lifetimes are random.  The patterns differ in
 * the sizes asked for:
 *
 *   fixed       always BENCH_STRESS_MAX_SIZE / 2
 *   increasing  growing linearly from 16 to BENCH_STRESS_MAX_SIZE over the run
 *   random      uniform in 1 .. BENCH_STRESS_MAX_SIZE
 *   pages       alloc_pages() of a random order 0 .. 4 (the page allocator alone)
 *
 * With the live set still held, one "frag" line reports raw counts; the
 * host derives the standard figures from them (kit/bench.py):
 *
 *   - attempts, failures: allocations tried and refused during the run;
 *   - requested, granted: live bytes asked for and handed out (internal
 *     fragmentation is (granted - requested) / granted);
 *   - peak_requested: most live bytes asked for at any time;
 *   - peak_footprint: most bytes the allocators held at any time because
 *     of the pattern (mm_footprint_bytes(): every page out of the page
 *     allocator - live objects, empty slabs kept, the per-CPU lists'
 *     pages, off-slab descriptors - and a SimpleHeap region as far as its
 *     highest live block reaches), over the caches drained before it
 *     began.  Johnstone and Wilson's #4 is peak_footprint / peak_requested;
 *   - peak_slab_live, peak_slab_free, peak_slab_empty, peak_slab_tail,
 *     peak_pcp: what the footprint held at its peak, over what its base
 *     held - slab objects in use at their stride (off-slab descriptors
 *     included: they are objects of kmem_slab), free objects beside them,
 *     slabs with none in use (kept empty, or a CPU's), slab bytes no
 *     object fits in (with on-slab descriptors), pages on the per-CPU page
 *     lists; the rest of peak_footprint is pages outside slabs (large
 *     allocations, a heap region's extent);
 *   - heap_free, heap_largest: the SimpleHeap region's free bytes and
 *     largest free block (0 when the mode has no such region);
 *   - largest_kmalloc (kmalloc patterns): the largest request kmalloc()
 *     could serve, found by bisection, exact to the byte (each probe is
 *     freed at once);
 *   - page_total, page_free, page_largest_run, nr_free[order]: the page
 *     allocator's state, for Linux's unusable-free-space index U(o) and
 *     fragmentation index F(o);
 *   - page_meta, front_meta: metadata bytes of the page allocator and of
 *     the kmalloc front (overhead = metadata / managed bytes); the page
 *     allocator's, fixed at boot, is not part of the footprint;
 *   - footprint: what the allocators hold now for the live set, so that
 *     external fragmentation reads the same for every mode:
 *     (footprint - granted) / footprint, the held bytes no live
 *     allocation uses (holes in a heap, free objects in slabs).
 *
 * Every kmalloc() and kfree() of the kmalloc patterns is also counted on
 * its own, and one "worst" line per pattern and call reports the largest
 * single count (and the sum, for the mean): the worst case an allocator
 * shows over thousands of operations on an aging heap, the figure a
 * real-time allocator promises a bound for (TLSF: Masmano et al. 2004).
 * It is the whole call as a kernel caller pays it (kmalloc.c's checks
 * and counting included), less the counter's own cost.
 *
 * After the random pattern, with its live set still held, the pair and
 * batch figures are measured again at a few sizes ("pair_aged",
 * "batch_alloc_aged", "batch_free_aged"): the cost in an aged heap, where
 * a first-fit list is long and scattered.
 */
#include "arch.h"
#include "bench.h"
#include "kernel.h"
#include "kstring.h"
#include "mm.h"
#include "page_alloc.h"
#include "slab.h"

#define SLOTS CONFIG_BENCH_STRESS_SLOTS
#define MAX_SIZE ((size_t)CONFIG_BENCH_STRESS_MAX_SIZE)
#define PAGE_ORDERS 5

enum pattern { FIXED, INCREASING, RANDOM, PAGES, NR_PATTERNS };
static const char *const pattern_name[NR_PATTERNS] = { "fixed", "increasing", "random", "pages" };

static struct {
	void *ptr;
	size_t requested;
	size_t granted;   /* kmalloc: ksize(); pages: the order */
} slot[SLOTS];

/* One call's single-operation counts over a pattern. */
struct worst {
	uint64_t ops, max, total;
};
static struct worst worst_alloc, worst_free;

static void worst_note(struct worst *w, uint64_t start)
{
	uint64_t delta = bench_now() - start, overhead = bench_counter_overhead();

	delta = delta > overhead ? delta - overhead : 0;
	w->ops++;
	w->total += delta;
	w->max = MAX(w->max, delta);
}

static void worst_report(const char *name, const char *pattern, const struct worst *w)
{
	struct bench_line l;

	bench_line_begin(&l, "worst");
	bench_line_str(&l, "name", name);
	bench_line_str(&l, "pattern", pattern);
	bench_line_u64(&l, "ops", w->ops);
	bench_line_u64(&l, "max", w->max);
	bench_line_u64(&l, "total", w->total);
	bench_line_end(&l);
}


/* Every cache's figures, for bench_held_now(); a static: too big for the stack. */
static struct kmem_cache_stats held_caches[128];

/*
 * What the allocators hold now, by kind (struct bench_held).  Called at
 * every new peak: not mm_get_stats(), whose largest-free-run walk of the
 * page map took 5 to 7 s of QEMU per stress pattern with 6 GiB of RAM.
 */
static void bench_held_now(struct bench_held *h)
{
	size_t n = MIN(mm_get_cache_stats(held_caches, ARRAY_SIZE(held_caches)),
		       ARRAY_SIZE(held_caches));

	memset(h, 0, sizeof(*h));
	h->pcp = page_alloc_pcp_pages() * PAGE_SIZE;
	for (size_t i = 0; i < n; i++) {
		const struct kmem_cache_stats *c = &held_caches[i];
		size_t slab_bytes = (size_t)c->pages_per_slab * PAGE_SIZE;
		size_t empty_objects = c->slabs_empty * c->objects_per_slab;

		h->slab_live += c->active_objects * c->size;
		h->slab_free += (c->total_objects - c->active_objects - empty_objects) * c->size;
		h->slab_empty += c->slabs_empty * slab_bytes;
		h->slab_tail += c->pages * PAGE_SIZE - c->total_objects * c->size -
				c->slabs_empty * (slab_bytes - c->objects_per_slab * c->size);
	}
}

/* Before a workload: what the footprint's base holds, by kind. */
void bench_footprint_base(struct bench_frag_run *run)
{
	run->footprint_base = mm_footprint_bytes();
	bench_held_now(&run->base);
}

/* After an allocation: the footprint only grows there; at a new peak, what it holds. */
void bench_footprint_sample(struct bench_frag_run *run)
{
	size_t now = mm_footprint_bytes();

	if (now > run->footprint_base && now - run->footprint_base > run->peak_footprint) {
		run->peak_footprint = now - run->footprint_base;
		bench_held_now(&run->peak);
	}
}

/* @peak less @base, 0 where the base held more (what the workload added). */
static size_t held_added(size_t peak, size_t base)
{
	return peak > base ? peak - base : 0;
}

static size_t pattern_size(enum pattern p, struct bench_rng *rng, unsigned int i)
{
	switch (p) {
	case FIXED:
		return MAX(MAX_SIZE / 2, (size_t)1);
	case INCREASING:
		return 16 + (MAX(MAX_SIZE, (size_t)16) - 16) * i / CONFIG_BENCH_STRESS_OPS;
	default:
		return 1 + (size_t)bench_rng_below(rng, MAX_SIZE);
	}
}

static void take(enum pattern p, struct bench_frag_run *run, unsigned int s, size_t size)
{
	void *ptr;

	run->attempts++;
	if (p == PAGES) {
		unsigned int order = (unsigned int)size;

		ptr = alloc_pages(order, GFP_KERNEL | __GFP_NOWARN);
		size = PAGE_SIZE << order;
		slot[s].granted = order;
	} else {
		uint64_t start = bench_now();

		ptr = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		worst_note(&worst_alloc, start);
		slot[s].granted = ksize(ptr);
	}
	if (!ptr) {
		run->failures++;
		return;
	}
	slot[s].ptr = ptr;
	slot[s].requested = size;
	run->live++;
	run->requested += size;
	run->peak_requested = MAX(run->peak_requested, run->requested);
	bench_footprint_sample(run);
}

static void drop(enum pattern p, struct bench_frag_run *run, unsigned int s)
{
	if (p == PAGES) {
		free_pages(slot[s].ptr, (unsigned int)slot[s].granted);
	} else {
		uint64_t start = bench_now();

		kfree(slot[s].ptr);
		worst_note(&worst_free, start);
	}
	run->live--;
	run->requested -= slot[s].requested;
	slot[s].ptr = NULL;
}

/* The largest size kmalloc() serves now, exact to the byte. */
static size_t largest_kmalloc(const struct mm_stats *st)
{
	size_t lo = 0, hi = st->pages.free_pages * PAGE_SIZE + st->heap_free_bytes + 1;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		void *p = kmalloc(mid, GFP_KERNEL | __GFP_NOWARN);

		if (p)
			lo = mid;
		else
			hi = mid;
		kfree(p);
	}
	return lo;
}

void bench_frag_report(const char *pattern, uint64_t ops, const struct bench_frag_run *run,
		       bool pages)
{
	struct bench_line l;
	struct mm_stats st;

	mm_get_stats(&st);
	bench_line_begin(&l, "frag");
	bench_line_str(&l, "pattern", pattern);
	bench_line_u64(&l, "ops", ops);
	bench_line_u64(&l, "attempts", run->attempts);
	bench_line_u64(&l, "failures", run->failures);
	bench_line_u64(&l, "live", run->live);
	bench_line_u64(&l, "requested", run->requested);
	bench_line_u64(&l, "granted", pages ? run->requested : st.bytes_granted);
	bench_line_u64(&l, "peak_requested", run->peak_requested);
	bench_line_u64(&l, "peak_footprint", run->peak_footprint);
	bench_line_u64(&l, "peak_slab_live", held_added(run->peak.slab_live, run->base.slab_live));
	bench_line_u64(&l, "peak_slab_free", held_added(run->peak.slab_free, run->base.slab_free));
	bench_line_u64(&l, "peak_slab_empty",
		       held_added(run->peak.slab_empty, run->base.slab_empty));
	bench_line_u64(&l, "peak_slab_tail", held_added(run->peak.slab_tail, run->base.slab_tail));
	bench_line_u64(&l, "peak_pcp", held_added(run->peak.pcp, run->base.pcp));
	bench_line_u64(&l, "footprint", mm_footprint_bytes() - run->footprint_base);
	bench_line_u64(&l, "heap_free", st.heap_free_bytes);
	bench_line_u64(&l, "heap_largest", st.heap_largest_free);
	bench_line_u64(&l, "page_total", st.pages.total_pages);
	bench_line_u64(&l, "page_free", st.pages.free_pages);
	bench_line_u64(&l, "page_largest_run", st.pages.largest_free_run);
	bench_line_u64(&l, "page_meta", st.pages.meta_bytes);
	bench_line_u64(&l, "front_meta", st.front_meta_bytes);
	bench_line_array(&l, "nr_free", st.pages.nr_free, PAGE_STATS_MAX_ORDER + 1);
	if (!pages)   /* the pages pattern leaves kmalloc alone */
		bench_line_u64(&l, "largest_kmalloc", largest_kmalloc(&st));
	bench_line_end(&l);
}

/* Pair and batch figures in the heap the random pattern aged (its live set held). */
static void measure_aged(void)
{
	static const size_t sizes[] = { 64, 1024, 4096 };
	struct bench_rng rng;

	bench_rng_seed(&rng, (uint64_t)CONFIG_BENCH_SEED ^ 0xa9ed);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		bench_pair_size("pair_aged", sizes[i], false);
	bench_batch_size("_aged", 64, &rng);
	bench_batch_size("_aged", 4096, &rng);
}

static void run_pattern(enum pattern p)
{
	struct bench_frag_run run = { 0 };
	struct bench_rng rng;

	/* What earlier patterns left cached is not this one's footprint. */
	mm_drain_caches();
	bench_footprint_base(&run);
	worst_alloc = worst_free = (struct worst){ 0 };
	bench_rng_seed(&rng, (uint64_t)CONFIG_BENCH_SEED * 31 + p);
	for (unsigned int i = 0; i < CONFIG_BENCH_STRESS_OPS; i++) {
		unsigned int s = (unsigned int)bench_rng_below(&rng, SLOTS);

		if (slot[s].ptr)
			drop(p, &run, s);
		else if (p == PAGES)
			take(p, &run, s, (size_t)bench_rng_below(&rng, PAGE_ORDERS));
		else
			take(p, &run, s, pattern_size(p, &rng, i));
	}
	bench_frag_report(pattern_name[p], CONFIG_BENCH_STRESS_OPS, &run, p == PAGES);
	if (p != PAGES) {
		worst_report("kmalloc", pattern_name[p], &worst_alloc);
		worst_report("kfree", pattern_name[p], &worst_free);
	}
	if (p == RANDOM)
		measure_aged();
	for (unsigned int s = 0; s < SLOTS; s++) {
		if (slot[s].ptr)
			drop(p, &run, s);
	}
}

void bench_stress(void)
{
	for (int p = 0; p < NR_PATTERNS; p++)
		run_pattern((enum pattern)p);
}
