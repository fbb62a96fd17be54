/*
 * mm_smp_test.c - the allocators on every CPU at once (SMP): nothing is
 * lost, nothing is handed out twice, and every cross-CPU path - remote
 * frees, per-CPU list drains, cache shrinks, TLB shootdowns, interrupt-
 * context allocation, transactions - works while the other CPUs allocate.
 *
 * Each case runs its work on every online CPU at once (on_each_cpu()),
 * each CPU with a fixed seed of its own, so a run repeats its pattern.
 * Objects carry a tag naming their holder: an object handed to two
 * holders at once shows as a wrong tag.  Conservation is checked from a
 * settled state (every CPU's slabs and per-CPU lists given back): the
 * free pages, the slab objects in use and the kmalloc figures equal
 * those before the case exactly.  Counts are kept per CPU and read after
 * on_each_cpu() has returned.  Waits for another CPU have no timeout: a
 * deadlock or a lost wakeup hangs the run, which the host reports as a
 * hang (QEMU_TIMEOUT), never as a pass.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "irq.h"
#include "kernel.h"
#include "kerrno.h"
#include "kmalloc_sizes.h"
#include "ktest.h"
#include "mm.h"
#include "mm_misuse.h"
#include "mm_txn.h"
#include "page_alloc.h"
#include "percpu.h"
#include "smp.h"
#ifdef CONFIG_SLAB
#include "slab.h"
#include "slab_def.h"
#endif
#ifdef CONFIG_PCP
#include "pcp.h"
#endif

/* Never more than NR_CPUS (the loops below index NR_CPUS arrays). */
static unsigned int online(void)
{
	unsigned int n = num_online_cpus();

	return n < NR_CPUS ? n : NR_CPUS;
}

#define SKIP_UNLESS_TWO_CPUS(t)                                                   \
	do {                                                                      \
		if (online() < 2)                                                 \
			KT_SKIP(t, "needs 2 CPUs online");                        \
	} while (0)

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t seed_of(unsigned int cpu, uint64_t salt)
{
	return 0x9e3779b97f4a7c15ull * (cpu + 1) ^ salt;
}

/* A holder's tag: who holds the object, and which slot. */
static uint64_t tag_of(unsigned int cpu, size_t slot)
{
	return 0x7a90000000000000ull ^ ((uint64_t)cpu << 40) ^ slot;
}

static void tag_write(void *p, uint64_t tag)
{
	__builtin_memcpy(p, &tag, sizeof(tag));
}

static bool tag_ok(const void *p, uint64_t tag)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v == tag;
}

/* ---- settled state ---------------------------------------------------------- */

#ifdef CONFIG_SLAB
static void shrink_cache(struct kmem_cache *c, void *arg)
{
	(void)arg;
	(void)kmem_cache_shrink(c);
}
#endif

/*
 * Every CPU's slabs off the CPUs and the empty ones freed (twice: freeing
 * slabs empties off-slab descriptors' slabs), then every per-CPU list.
 */
static void settle(void)
{
#ifdef CONFIG_SLAB
	for (int i = 0; i < 2; i++)
		kmem_cache_for_each(shrink_cache, NULL);
#endif
	drain_all_pages();
}

struct snapshot {
	size_t free_pages, live_objects, bytes_granted, bytes_requested;
	size_t slab_active, slab_pages;
	uint64_t allocs, frees;
};

static void snap(struct snapshot *s)
{
	struct mm_stats st;

	settle();
	mm_get_stats(&st);
	*s = (struct snapshot){
		.free_pages = st.pages.free_pages, .live_objects = st.live_objects,
		.bytes_granted = st.bytes_granted, .bytes_requested = st.bytes_requested,
		.slab_active = st.slab_active_objects, .slab_pages = st.slab_pages,
		.allocs = st.counters.allocs, .frees = st.counters.frees,
	};
}

/* Everything is back where it was; the counters moved by @ops each way. */
static void expect_conserved(struct ktest *t, const struct snapshot *before, uint64_t ops)
{
	struct snapshot after;

	snap(&after);
	KT_EXPECT_EQ(t, after.free_pages, before->free_pages);
	KT_EXPECT_EQ(t, after.live_objects, before->live_objects);
	KT_EXPECT_EQ(t, after.bytes_granted, before->bytes_granted);
	KT_EXPECT_EQ(t, after.bytes_requested, before->bytes_requested);
	KT_EXPECT_EQ(t, after.slab_active, before->slab_active);
	KT_EXPECT_EQ(t, after.slab_pages, before->slab_pages);
	if (ops != UINT64_MAX) {
		KT_EXPECT_EQ(t, after.allocs - before->allocs, ops);
		KT_EXPECT_EQ(t, after.frees - before->frees, ops);
	}
}

/* ---- per-CPU results ------------------------------------------------------------ */

#define HOLD 64

struct cpu_result {
	void *hold[HOLD];
	uint64_t allocs, frees, failures, bad_tags, other;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct cpu_result, results);

static void reset_results(void)
{
	for_each_possible_cpu(cpu)
		*per_cpu_ptr(results, cpu) = (struct cpu_result){ 0 };
}

/* Sum the CPUs' results; every CPU had no failure and no bad tag. */
static struct cpu_result sum_results(struct ktest *t)
{
	struct cpu_result sum = { 0 };

	for_each_possible_cpu(cpu) {
		const struct cpu_result *r = per_cpu_ptr(results, cpu);

		KT_EXPECT_EQ(t, r->bad_tags, (uint64_t)0);
		KT_EXPECT_EQ(t, r->failures, (uint64_t)0);
		sum.allocs += r->allocs;
		sum.frees += r->frees;
		sum.failures += r->failures;
		sum.bad_tags += r->bad_tags;
		sum.other += r->other;
	}
	return sum;
}

/* ---- the layout ----------------------------------------------------------------- */

/* Per-CPU parts never share a cache line (no false sharing between CPUs). */
static void percpu_parts_on_own_cache_lines(struct ktest *t)
{
	if (NR_CPUS == 1)
		KT_SKIP(t, "NR_CPUS=1: no other CPU to share a line with, so no padding");
	KT_EXPECT_GE(t, _Alignof(struct cpu_result), (size_t)SMP_CACHE_BYTES);
#ifdef CONFIG_SLAB
	KT_EXPECT_GE(t, _Alignof(struct kmem_cache_cpu), (size_t)SMP_CACHE_BYTES);
	KT_EXPECT_EQ(t, sizeof(struct kmem_cache_cpu) % SMP_CACHE_BYTES, (size_t)0);
#endif
#ifdef CONFIG_PCP
	KT_EXPECT_GE(t, _Alignof(struct per_cpu_pages), (size_t)SMP_CACHE_BYTES);
	KT_EXPECT_EQ(t, sizeof(struct per_cpu_pages) % SMP_CACHE_BYTES, (size_t)0);
#endif
	KT_EXPECT_GE(t, _Alignof(struct mm_txn_open), (size_t)SMP_CACHE_BYTES);
}

/* ---- kmalloc/kfree of random sizes on every CPU ----------------------------------- */

#define RANDOM_OPS 3000

/* From the configuration: the largest request, and the largest of the common small ones. */
static size_t random_max, random_small;

static void random_work(void *arg)
{
	unsigned int cpu = this_cpu();
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	uint64_t seed = seed_of(cpu, (uintptr_t)arg);

	for (unsigned int op = 0; op < RANDOM_OPS; op++) {
		uint64_t x = xorshift(&seed);
		size_t i = (size_t)(x % HOLD);
		/* Mostly small, now and then up to random_max (whole pages). */
		size_t size = (x >> 8) % 8 ? 8 + (size_t)((x >> 16) % random_small)
					     : 8 + (size_t)((x >> 16) % random_max);

		if (r->hold[i]) {
			r->bad_tags += !tag_ok(r->hold[i], tag_of(cpu, i));
			kfree(r->hold[i]);
			r->hold[i] = NULL;
			r->frees++;
			continue;
		}
		r->hold[i] = kmalloc(size, GFP_KERNEL);
		if (!r->hold[i]) {
			r->failures++;
			continue;
		}
		tag_write(r->hold[i], tag_of(cpu, i));
		r->allocs++;
	}
	for (size_t i = 0; i < HOLD; i++) {
		if (!r->hold[i])
			continue;
		r->bad_tags += !tag_ok(r->hold[i], tag_of(cpu, i));
		kfree(r->hold[i]);
		r->hold[i] = NULL;
		r->frees++;
	}
}

/*
 * Every CPU runs RANDOM_OPS kmalloc/kfree of random sizes (a seed per
 * CPU); afterwards free pages, slab objects and kmalloc figures are what
 * they were.
 */
static void kmalloc_random_on_every_cpu_conserves(struct ktest *t)
{
	struct snapshot before;
	struct cpu_result sum;

	random_max = test_kmalloc_size(3 * PAGE_SIZE, HOLD * NR_CPUS);
	KT_ASSERT_GE(t, random_max, (size_t)16);
	/*
	 * Small ones within the arena too: 8 CPUs holding 64 objects of up to
	 * 511 bytes each, with red zones and owners, outgrew a 64 KiB
	 * SimpleHeap region (randconfig seed 1016).
	 */
	random_small = test_kmalloc_size(504, HOLD * NR_CPUS);
	snap(&before);
	reset_results();
	on_each_cpu(random_work, (void *)(uintptr_t)1);
	sum = sum_results(t);
	KT_EXPECT_EQ(t, sum.allocs, sum.frees);
	KT_EXPECT_GT(t, sum.allocs, (uint64_t)online() * RANDOM_OPS / 4);
	expect_conserved(t, &before, sum.allocs);
}

/* ---- producer / consumer ------------------------------------------------------------- */

#define RING 32
#define PRODUCE 2000

/* CPU k's objects for CPU k + 1: a single-producer, single-consumer ring. */
struct ring {
	void *slot[RING];
	atomic_uint head;       /* written by the producer */
	atomic_uint tail;       /* written by the consumer */
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct ring, rings);

static void produce_consume(void *arg)
{
	unsigned int cpu = this_cpu(), n = online();
	unsigned int from = (cpu + n - 1) % n;
	struct ring *out = per_cpu_ptr(rings, cpu), *in = per_cpu_ptr(rings, from);
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	uint64_t seed = seed_of(cpu, 2);
	unsigned int made = 0, taken = 0;

	(void)arg;
	/* Never blocks on one side: a CPU both feeds its ring and drains its neighbour's. */
	while (made < PRODUCE || taken < PRODUCE) {
		unsigned int h = atomic_load_explicit(&out->head, memory_order_relaxed);
		unsigned int tl = atomic_load_explicit(&out->tail, memory_order_acquire);

		if (made < PRODUCE && h - tl < RING) {
			void *p = kmalloc(16 + (size_t)(xorshift(&seed) % 240), GFP_KERNEL);

			if (!p) {
				r->failures++;   /* tried again: the consumer waits for all */
			} else {
				tag_write(p, tag_of(cpu, made));
				out->slot[h % RING] = p;
				atomic_store_explicit(&out->head, h + 1, memory_order_release);
				r->allocs++;
				made++;
			}
		}
		h = atomic_load_explicit(&in->head, memory_order_acquire);
		tl = atomic_load_explicit(&in->tail, memory_order_relaxed);
		if (tl != h) {
			void *p = in->slot[tl % RING];

			/* The producer's seq-th object: tags run in order. */
			r->bad_tags += !tag_ok(p, tag_of(from, r->other));
			kfree(p);
			atomic_store_explicit(&in->tail, tl + 1, memory_order_release);
			r->frees++;
			r->other++;
			taken++;
		} else {
			arch_cpu_relax();
		}
	}
}

/* Objects allocated on one CPU are freed on the next: remote frees, nothing lost. */
static void producer_consumer_across_cpus(struct ktest *t)
{
	struct snapshot before;
	struct cpu_result sum;
#ifdef CONFIG_SLAB
	uint64_t remote = 0;
	/* Static: 64 of them are 9.6 KiB, most of the 16 KiB boot stack. */
	static struct kmem_cache_stats st[64];
	size_t n;
	bool cpu_slabs;
	void *probe;
#endif

	SKIP_UNLESS_TWO_CPUS(t);
#ifdef CONFIG_SLAB
	/*
	 * A debugging cache (poison, red zones, owners: SLAB_DEBUG_FLAGS)
	 * keeps no CPU slab, so nothing is freed onto a remote list: every
	 * free checks the object under the lock (randconfig seed 1004 on
	 * x86_64: red zones and poison at the HARDENED level).
	 */
	probe = kmalloc(64, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, probe);
	cpu_slabs = !(kmem_cache_flags(kmem_cache_of(probe)) & SLAB_DEBUG_FLAGS);
	kfree(probe);
#endif
	snap(&before);
	reset_results();
	for_each_possible_cpu(cpu) {
		struct ring *rg = per_cpu_ptr(rings, cpu);

		atomic_store(&rg->head, 0);
		atomic_store(&rg->tail, 0);
	}
	on_each_cpu(produce_consume, NULL);
	sum = sum_results(t);
	KT_EXPECT_EQ(t, sum.allocs, (uint64_t)online() * PRODUCE);
	KT_EXPECT_EQ(t, sum.frees, sum.allocs);
#ifdef CONFIG_SLAB
	/* Most frees land in the producer's CPU slab: its remote list, no lock. */
	n = kmem_cache_stats_all(st, ARRAY_SIZE(st));
	for (size_t i = 0; i < MIN(n, ARRAY_SIZE(st)); i++)
		remote += st[i].remote_frees;
	if (!SLAB_CHECKS_EXACT && cpu_slabs)
		KT_EXPECT_GT(t, remote, (uint64_t)0);
	else   /* the exact level and debugging caches free under the lock */
		KT_EXPECT_EQ(t, remote, (uint64_t)0);
#endif
	expect_conserved(t, &before, sum.allocs);
}

/* ---- pages of every order ------------------------------------------------------------ */

#define PAGE_OPS 600
#define PAGE_HOLD 8

static unsigned int max_order_tested;

static void pages_work(void *arg)
{
	unsigned int cpu = this_cpu();
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	uint64_t seed = seed_of(cpu, 3);
	unsigned int orders[PAGE_HOLD] = { 0 };

	(void)arg;
	for (unsigned int op = 0; op < PAGE_OPS; op++) {
		uint64_t x = xorshift(&seed);
		size_t i = (size_t)(x % PAGE_HOLD);
		unsigned int order = (unsigned int)((x >> 8) % (max_order_tested + 1));

		if (r->hold[i]) {
			size_t last = (PAGE_SIZE << orders[i]) - sizeof(uint64_t);

			r->bad_tags += !tag_ok(r->hold[i], tag_of(cpu, i));
			r->bad_tags += !tag_ok((char *)r->hold[i] + last, tag_of(cpu, i));
			free_pages(r->hold[i], orders[i]);
			r->hold[i] = NULL;
			r->frees++;
			continue;
		}
		r->hold[i] = alloc_pages(order, GFP_KERNEL | __GFP_NOWARN);
		if (!r->hold[i]) {
			r->other++;     /* memory short for a moment: allowed, counted */
			continue;
		}
		orders[i] = order;
		tag_write(r->hold[i], tag_of(cpu, i));
		tag_write((char *)r->hold[i] + (PAGE_SIZE << order) - sizeof(uint64_t),
			  tag_of(cpu, i));
		r->allocs++;
	}
	for (size_t i = 0; i < PAGE_HOLD; i++) {
		if (r->hold[i]) {
			free_pages(r->hold[i], orders[i]);
			r->hold[i] = NULL;
			r->frees++;
		}
	}
}

/* Every CPU allocates and frees blocks of every order at once: each block has one holder. */
static void page_allocation_races_every_order(struct ktest *t)
{
	struct snapshot before;
	struct cpu_result sum;
	size_t cap = test_kmalloc_size(PAGE_SIZE << 10, PAGE_HOLD * NR_CPUS);

	max_order_tested = 0;
	while (max_order_tested < 10 && (PAGE_SIZE << (max_order_tested + 1)) <= cap)
		max_order_tested++;
	snap(&before);
	reset_results();
	on_each_cpu(pages_work, NULL);
	sum = sum_results(t);
	KT_EXPECT_EQ(t, sum.allocs, sum.frees);
	KT_EXPECT_GT(t, sum.allocs, (uint64_t)online() * PAGE_OPS / 4);
	expect_conserved(t, &before, UINT64_MAX);
}

/* ---- per-CPU list drains while the others allocate --------------------------------- */

static atomic_uint drainer_done;

static void drain_or_churn(void *arg)
{
	unsigned int cpu = this_cpu();
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	uint64_t seed = seed_of(cpu, 4);

	(void)arg;
	if (cpu == 0) {
		for (unsigned int i = 0; i < 200; i++)
			r->other += drain_all_pages();
		atomic_store_explicit(&drainer_done, 1, memory_order_release);
		return;
	}
	while (!atomic_load_explicit(&drainer_done, memory_order_acquire)) {
		size_t i = (size_t)(xorshift(&seed) % HOLD);

		if (r->hold[i]) {
			r->bad_tags += !tag_ok(r->hold[i], tag_of(cpu, i));
			free_pages(r->hold[i], 0);
			r->hold[i] = NULL;
			r->frees++;
			continue;
		}
		r->hold[i] = alloc_pages(0, GFP_KERNEL);
		if (!r->hold[i]) {
			r->failures++;
			continue;
		}
		tag_write(r->hold[i], tag_of(cpu, i));
		r->allocs++;
	}
	for (size_t i = 0; i < HOLD; i++) {
		if (r->hold[i]) {
			free_pages(r->hold[i], 0);
			r->hold[i] = NULL;
			r->frees++;
		}
	}
}

/*
 * drain_all_pages() reaches every CPU's lists (an IPI each) while those
 * CPUs push and pop them; afterwards the lists are empty and no page is lost.
 */
static void pcp_drain_while_others_allocate(struct ktest *t)
{
	struct snapshot before;
	struct cpu_result sum;

	SKIP_UNLESS_TWO_CPUS(t);
	/*
	 * Without the lists drain_all_pages() returns at once: the drainer
	 * would be done before the others start, and nothing run (randconfig
	 * seed 1014: TLSF, which has no per-CPU lists).
	 */
	if (!IS_ENABLED(CONFIG_PCP))
		KT_SKIP(t, "no per-CPU page lists (PCP=n): nothing for drain_all_pages() to reach");
	snap(&before);
	reset_results();
	atomic_store(&drainer_done, 0);
	on_each_cpu(drain_or_churn, NULL);
	sum = sum_results(t);
	KT_EXPECT_EQ(t, sum.allocs, sum.frees);
	KT_EXPECT_GT(t, sum.allocs, (uint64_t)0);
	/* Every CPU's list, whoever filled it, goes back: none is left listed. */
	(void)drain_all_pages();
#ifdef CONFIG_PCP
	KT_EXPECT_EQ(t, pcp_count(), (size_t)0);
#endif
	expect_conserved(t, &before, UINT64_MAX);
}

#ifdef CONFIG_PCP
static void free_pages_here(void *arg)
{
	struct cpu_result *r = this_cpu_ptr(results);
	size_t n = (size_t)(uintptr_t)arg;

	for (size_t i = 0; i < n; i++)
		r->hold[i] = alloc_pages(0, GFP_KERNEL);
	for (size_t i = 0; i < n; i++) {
		if (r->hold[i]) {
			free_pages(r->hold[i], 0);
			r->allocs++;
		}
		r->hold[i] = NULL;
	}
}
#endif

/* Pages each CPU listed come back through one drain_all_pages() call, and are counted. */
static void drain_all_pages_reaches_every_cpu(struct ktest *t)
{
#ifdef CONFIG_PCP
	size_t n = MIN((size_t)PCP_HIGH, (size_t)HOLD), drained;

	SKIP_UNLESS_TWO_CPUS(t);
	(void)drain_all_pages();
	reset_results();
	on_each_cpu(free_pages_here, (void *)(uintptr_t)n);
	for (unsigned int cpu = 0; cpu < online(); cpu++)
		KT_EXPECT_EQ(t, per_cpu_ptr(results, cpu)->allocs, (uint64_t)n);
	KT_EXPECT_GE(t, pcp_count(), (size_t)online());
	drained = drain_all_pages();
	KT_EXPECT_GE(t, drained, (size_t)online());
	KT_EXPECT_EQ(t, pcp_count(), (size_t)0);
#else
	KT_SKIP(t, "no per-CPU page lists (PCP=n)");
#endif
}

/* ---- kmem_cache_shrink() reaches every CPU ------------------------------------------- */

#ifdef CONFIG_SLAB
static void use_cache_here(void *arg)
{
	struct kmem_cache *c = arg;
	struct cpu_result *r = this_cpu_ptr(results);

	for (size_t i = 0; i < 4; i++)
		r->hold[i] = kmem_cache_alloc(c, 0);
	for (size_t i = 0; i < 4; i++) {
		if (r->hold[i]) {
			kmem_cache_free(c, r->hold[i]);
			r->allocs++;
		}
		r->hold[i] = NULL;
	}
}
#endif

/*
 * Every CPU leaves a CPU slab of a cache; one kmem_cache_shrink() on CPU 0
 * takes every CPU's off (an IPI each) and frees them all.
 */
static void cache_shrink_reaches_every_cpu(struct ktest *t)
{
#ifdef CONFIG_SLAB
	struct kmem_cache *c;
	struct kmem_cache_stats st;

	SKIP_UNLESS_TWO_CPUS(t);
	c = kmem_cache_create("smp-shrink", 200, 0, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	/* Randconfig seed 1011: red zones and owners, and no kept empty slab, left no page. */
	if (kmem_cache_flags(c) & SLAB_DEBUG_FLAGS) {
		kmem_cache_destroy(c);
		KT_SKIP(t, "a debugging cache (poison, red zones, owners) keeps no CPU slab "
			   "for the shrink to take");
	}
	reset_results();
	on_each_cpu(use_cache_here, c);
	for (unsigned int cpu = 0; cpu < online(); cpu++)
		KT_EXPECT_EQ(t, per_cpu_ptr(results, cpu)->allocs, (uint64_t)4);
	kmem_cache_get_stats(c, &st);
	KT_EXPECT_EQ(t, st.active_objects, (size_t)0);
	KT_EXPECT_GT(t, st.pages, (size_t)0);
	(void)kmem_cache_shrink(c);
	kmem_cache_get_stats(c, &st);
	KT_EXPECT_EQ(t, st.pages, (size_t)0);
	KT_EXPECT_EQ(t, st.slabs_partial + st.slabs_full + st.slabs_empty, (size_t)0);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	kmem_cache_destroy(c);
#else
	KT_SKIP(t, "no slab caches (SimpleHeap)");
#endif
}

/* ---- trimming waits for every CPU (SLAB_TRIM) ------------------------------------------ */

#ifdef CONFIG_SLAB
/* What the other CPU does with the cache: keep an object (its CPU slab), use one, give it back. */
struct trim_busy {
	struct kmem_cache *c;
	void *kept;
};

static void trim_keep_here(void *arg)
{
	struct trim_busy *b = arg;

	b->kept = kmem_cache_alloc(b->c, GFP_KERNEL);
}

static void trim_use_here(void *arg)
{
	struct trim_busy *b = arg;

	kmem_cache_free(b->c, kmem_cache_alloc(b->c, GFP_KERNEL));
}

static void trim_release_here(void *arg)
{
	struct trim_busy *b = arg;

	kmem_cache_free(b->c, b->kept);
}

/* Caches, and partial slabs over them: new slabs enough for two reaper rounds. */
static void count_for_rounds(struct kmem_cache *c, void *arg)
{
	struct kmem_cache_stats st;

	kmem_cache_get_stats(c, &st);
	*(size_t *)arg += 2 + st.slabs_partial;
}

static void *trim_objs[64 + 1];
static void *trim_grow[4096];
#endif

/*
 * SLAB_TRIM: a cache another CPU allocates from between this CPU's
 * reaper visits is not idle, though this CPU allocates nothing from it:
 * its partly used slab - every CPU's to refill from - stays whole.
 */
static void trim_waits_for_every_cpu(struct ktest *t)
{
#ifdef CONFIG_SLAB
	struct kmem_cache *c, *grow;
	struct kmem_cache_stats st, before;
	struct trim_busy b = { 0 };
	unsigned int other = this_cpu() == 0 ? 1 : 0;
	size_t per, per_grow, want = 1;

	SKIP_UNLESS_TWO_CPUS(t);
	if (!IS_ENABLED(CONFIG_SLAB_TRIM))
		KT_SKIP(t, "trimming is off (CONFIG_SLAB_TRIM=n)");
	if (!cpu_online(other))
		KT_SKIP(t, "CPU 0 or 1 is not online");
	c = kmem_cache_create("smp-trim", 7 * PAGE_SIZE / 4, 0, NULL);
	grow = kmem_cache_create("smp-trim-grow", PAGE_SIZE, 0, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	KT_ASSERT_NOT_NULL(t, grow);
	kmem_cache_get_stats(c, &st);
	per = st.objects_per_slab;
	kmem_cache_get_stats(grow, &st);
	per_grow = st.objects_per_slab;
	kmem_cache_for_each(count_for_rounds, &want);
	if ((kmem_cache_flags(c) & SLAB_DEBUG_FLAGS) || per < 3 || per + 1 > ARRAY_SIZE(trim_objs) ||
	    want * per_grow > ARRAY_SIZE(trim_grow)) {
		kmem_cache_destroy(c);
		kmem_cache_destroy(grow);
		KT_SKIP(t, "no trimmable geometry with a middle object here, or too many caches");
	}
	b.c = c;
	/* The other CPU's own slab first, so that its later allocations leave ours alone. */
	KT_ASSERT_EQ(t, smp_call_function_single(other, trim_keep_here, &b, true), 0);
	KT_ASSERT_NOT_NULL(t, b.kept);
	/* A full slab, then this CPU's; the first loses its middle objects off every CPU. */
	for (size_t i = 0; i <= per; i++) {
		trim_objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, trim_objs[i]);
	}
	for (size_t i = 1; i + 1 < per; i++)
		kmem_cache_free(c, trim_objs[i]);
	kmem_cache_get_stats(c, &before);
	/* New slabs here drive this CPU's reaper; the other CPU allocates between them. */
	for (size_t n = 0; n < want * per_grow; n++) {
		trim_grow[n] = kmem_cache_alloc(grow, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, trim_grow[n]);
		if (n % per_grow == 0)
			KT_EXPECT_EQ(t, smp_call_function_single(other, trim_use_here, &b, true), 0);
	}
	kmem_cache_get_stats(c, &st);
	KT_EXPECT_EQ(t, st.slabs_trimmed, (size_t)0);
	KT_EXPECT_EQ(t, st.pages, before.pages);
	KT_EXPECT_TRUE(t, kmem_cache_check(c));
	for (size_t n = 0; n < want * per_grow; n++)
		kmem_cache_free(grow, trim_grow[n]);
	kmem_cache_free(c, trim_objs[0]);
	kmem_cache_free(c, trim_objs[per - 1]);
	kmem_cache_free(c, trim_objs[per]);
	KT_EXPECT_EQ(t, smp_call_function_single(other, trim_release_here, &b, true), 0);
	(void)kmem_cache_shrink(c);
	kmem_cache_destroy(c);
	kmem_cache_destroy(grow);
#else
	KT_SKIP(t, "no slab caches (SimpleHeap)");
#endif
}

/* ---- allocation from interrupt context ------------------------------------------------ */

struct irq_counts {
	atomic_uint_least64_t ok, failed, bad;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct irq_counts, irq_counts);

/* On every tick of every CPU: a small kmalloc and a page, GFP_ATOMIC, and back. */
static void atomic_alloc_hook(unsigned int cpu)
{
	struct irq_counts *ic = per_cpu_ptr(irq_counts, cpu);
	uint64_t n = atomic_load_explicit(&ic->ok, memory_order_relaxed);
	void *p = kmalloc(8 + (size_t)(n % 200), GFP_ATOMIC);
	void *pg = alloc_pages(0, GFP_ATOMIC);

	if (!p || !pg) {
		atomic_fetch_add_explicit(&ic->failed, 1, memory_order_relaxed);
	} else {
		tag_write(p, tag_of(cpu, 999));
		tag_write(pg, tag_of(cpu, 998));
		if (!tag_ok(p, tag_of(cpu, 999)) || !tag_ok(pg, tag_of(cpu, 998)))
			atomic_fetch_add_explicit(&ic->bad, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&ic->ok, 1, memory_order_relaxed);
	}
	kfree(p);
	if (pg)
		free_pages(pg, 0);
}

/* Thread context on every CPU meanwhile, on the same caches and lists. */
static void churn_until_ticked(void *arg)
{
	unsigned int cpu = this_cpu();
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	struct irq_counts *ic = per_cpu_ptr(irq_counts, cpu);
	uint64_t seed = seed_of(cpu, 5), want = (uint64_t)(uintptr_t)arg;

	while (atomic_load_explicit(&ic->ok, memory_order_relaxed) +
	       atomic_load_explicit(&ic->failed, memory_order_relaxed) < want) {
		size_t i = (size_t)(xorshift(&seed) % HOLD);

		if (r->hold[i]) {
			r->bad_tags += !tag_ok(r->hold[i], tag_of(cpu, i));
			if (i & 1)
				free_pages(r->hold[i], 0);
			else
				kfree(r->hold[i]);
			r->hold[i] = NULL;
			r->frees++;
			continue;
		}
		r->hold[i] = i & 1 ? alloc_pages(0, GFP_KERNEL) : kmalloc(8 + i * 3, GFP_KERNEL);
		if (!r->hold[i]) {
			r->failures++;
			continue;
		}
		tag_write(r->hold[i], tag_of(cpu, i));
		r->allocs++;
	}
	for (size_t i = 0; i < HOLD; i++) {
		if (!r->hold[i])
			continue;
		if (i & 1)
			free_pages(r->hold[i], 0);
		else
			kfree(r->hold[i]);
		r->hold[i] = NULL;
		r->frees++;
	}
}

/*
 * GFP_ATOMIC allocation in interrupt context (a tick hook on every CPU)
 * while every CPU allocates the same sizes in thread context: each
 * interrupted fast path is left whole, nothing is lost or handed out twice.
 */
static void gfp_atomic_from_tick_hook(struct ktest *t)
{
	enum { TICKS = 20 };
	struct snapshot before;
	struct cpu_result sum;
	uint64_t misuse = mm_misuse_total();

	snap(&before);
	reset_results();
	for_each_possible_cpu(cpu) {
		struct irq_counts *ic = per_cpu_ptr(irq_counts, cpu);

		atomic_store(&ic->ok, 0);
		atomic_store(&ic->failed, 0);
		atomic_store(&ic->bad, 0);
	}
	KT_ASSERT_EQ(t, tick_hook_register(atomic_alloc_hook), KERR_OK);
	on_each_cpu(churn_until_ticked, (void *)(uintptr_t)TICKS);
	tick_hook_unregister(atomic_alloc_hook);
	sum = sum_results(t);
	for (unsigned int cpu = 0; cpu < online(); cpu++) {
		struct irq_counts *ic = per_cpu_ptr(irq_counts, cpu);

		KT_EXPECT_GE(t, atomic_load(&ic->ok), (uint64_t)TICKS);
		KT_EXPECT_EQ(t, atomic_load(&ic->failed), (uint64_t)0);
		KT_EXPECT_EQ(t, atomic_load(&ic->bad), (uint64_t)0);
	}
	KT_EXPECT_EQ(t, sum.allocs, sum.frees);
	/* Nothing reported: an interrupted slow path is no write after free. */
	KT_EXPECT_EQ(t, mm_misuse_total(), misuse);
	expect_conserved(t, &before, UINT64_MAX);
}

/* ---- TLB shootdown under load ---------------------------------------------------------- */

static uintptr_t shoot_va;
static atomic_uint shoot_gen, shoot_acks, shoot_stop;
static uint64_t *shoot_pages[2];

#define SHOOT_ROUNDS 40

/* CPU 0 remaps shoot_va between two pages; the others read it each round, and churn. */
static void shoot_work(void *arg)
{
	unsigned int cpu = this_cpu(), seen = 0;
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	uint64_t seed = seed_of(cpu, 6);
	unsigned int others = online() - 1;

	(void)arg;
	if (cpu == 0) {
		for (unsigned int round = 1; round <= SHOOT_ROUNDS; round++) {
			uint64_t *pg = shoot_pages[round & 1];

			/* The page's contents say which round mapped it. */
			pg[0] = round;
			if (arch_map(shoot_va, (uintptr_t)pg, PAGE_SIZE, PAGE_SIZE,
				     ARCH_PROT_READ | ARCH_PROT_WRITE) != KERR_OK) {
				r->failures++;
				break;
			}
			atomic_store_explicit(&shoot_acks, 0, memory_order_relaxed);
			atomic_store_explicit(&shoot_gen, round, memory_order_release);
			while (atomic_load_explicit(&shoot_acks, memory_order_acquire) < others)
				arch_cpu_relax();
			/* Every CPU has the old translation cached: the unmap must reach them. */
			if (arch_unmap(shoot_va, PAGE_SIZE) != KERR_OK)
				r->failures++;
			r->allocs++;
			r->frees++;
		}
		atomic_store_explicit(&shoot_stop, 1, memory_order_release);
		return;
	}
	while (!atomic_load_explicit(&shoot_stop, memory_order_acquire)) {
		unsigned int gen = atomic_load_explicit(&shoot_gen, memory_order_acquire);
		void *p;

		if (gen != seen) {
			/* Mapped for this round until every reader acks. */
			uint64_t v = *(volatile uint64_t *)shoot_va;

			if (v != gen)
				r->bad_tags++;
			seen = gen;
			atomic_fetch_add_explicit(&shoot_acks, 1, memory_order_acq_rel);
		}
		/* Load: allocations between rounds. */
		p = kmalloc(16 + (size_t)(xorshift(&seed) % 128), GFP_KERNEL);
		kfree(p);
	}
}

/*
 * The same virtual page remapped round after round to another frame
 * while every other CPU reads it and allocates: a CPU that kept a stale
 * translation would read the previous round's number.
 */
static void tlb_shootdown_under_load(struct ktest *t)
{
	uintptr_t base;
	size_t size;
	struct cpu_result sum;

	SKIP_UNLESS_TWO_CPUS(t);
	arch_vmap_range(&base, &size);
	if (size < 2 * PAGE_SIZE_1G)
		KT_SKIP(t, "no vmap range to map a test page in");
	/* The range's last page but one: the vmap area allocates from the bottom. */
	shoot_va = base + size - 2 * PAGE_SIZE;
	if (arch_translate(shoot_va, NULL, NULL, NULL) != KERR_FAULT)
		KT_SKIP(t, "the test page's address is mapped already");
	shoot_pages[0] = alloc_pages(0, GFP_KERNEL);
	shoot_pages[1] = alloc_pages(0, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, shoot_pages[0]);
	KT_ASSERT_NOT_NULL(t, shoot_pages[1]);
	reset_results();
	atomic_store(&shoot_gen, 0);
	atomic_store(&shoot_stop, 0);
	on_each_cpu(shoot_work, NULL);
	sum = sum_results(t);
	KT_EXPECT_EQ(t, per_cpu_ptr(results, 0)->allocs, (uint64_t)SHOOT_ROUNDS);
	KT_EXPECT_EQ(t, arch_translate(shoot_va, NULL, NULL, NULL), KERR_FAULT);
	(void)sum;
	free_pages(shoot_pages[0], 0);
	free_pages(shoot_pages[1], 0);
}

/* ---- transactions on several CPUs ------------------------------------------------------ */

/* Each transaction's objects: no more than one CPU's records (Kconfig TXN_MAX_RECORDS, 16 up). */
#define TXN_OBJECTS MIN((size_t)24, MM_TXN_MAX_RECORDS)

static void *txn_objs[NR_CPUS][TXN_OBJECTS];

/* Each CPU: a transaction it aborts, then one it commits; its own records only. */
static void txn_work(void *arg)
{
	unsigned int cpu = this_cpu();
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	uint64_t seed = seed_of(cpu, 7);

	(void)arg;
	for (unsigned int round = 0; round < 20; round++) {
		if (mm_txn_begin(0) != 0) {
			r->failures++;
			return;
		}
		for (size_t i = 0; i < TXN_OBJECTS; i++) {
			void *p = kmalloc(8 + (size_t)(xorshift(&seed) % 300), GFP_KERNEL);

			if (!p)
				r->failures++;
			else
				tag_write(p, tag_of(cpu, i));
		}
		if (mm_txn_records() != TXN_OBJECTS)
			r->bad_tags++;
		if (mm_txn_abort() != 0)
			r->failures++;
	}
	if (mm_txn_begin(0) != 0) {
		r->failures++;
		return;
	}
	for (size_t i = 0; i < TXN_OBJECTS; i++) {
		txn_objs[cpu][i] = kmalloc(8 + (size_t)(xorshift(&seed) % 300), GFP_KERNEL);
		if (!txn_objs[cpu][i])
			r->failures++;
		else
			tag_write(txn_objs[cpu][i], tag_of(cpu, i));
	}
	if (mm_txn_commit() != 0)
		r->failures++;
	r->allocs += TXN_OBJECTS;
}

/* Each CPU frees what the previous CPU's committed transaction allocated. */
static void free_neighbours(void *arg)
{
	unsigned int cpu = this_cpu(), n = online(), from = (cpu + n - 1) % n;
	struct cpu_result *r = per_cpu_ptr(results, cpu);

	(void)arg;
	for (size_t i = 0; i < TXN_OBJECTS; i++) {
		r->bad_tags += !tag_ok(txn_objs[from][i], tag_of(from, i));
		kfree(txn_objs[from][i]);
		r->frees++;
	}
}

/*
 * Transactions open, abort and commit on every CPU at once, each with its
 * own records; what the committed ones allocated is freed on other CPUs.
 */
static void transactions_on_several_cpus(struct ktest *t)
{
	struct snapshot before;
	struct cpu_result sum;

	snap(&before);
	reset_results();
	on_each_cpu(txn_work, NULL);
	on_each_cpu(free_neighbours, NULL);
	sum = sum_results(t);
	KT_EXPECT_EQ(t, sum.allocs, (uint64_t)online() * TXN_OBJECTS);
	KT_EXPECT_EQ(t, sum.frees, sum.allocs);
	KT_EXPECT_EQ(t, mm_txn_depth(), 0u);
	expect_conserved(t, &before, UINT64_MAX);
}

/* CPU 1, inside a transaction, records objects; CPU 0 frees one of them meanwhile. */
static atomic_uint txn_step;
static void *txn_shared[4];

static void txn_record_then_wait(void *arg)
{
	unsigned int cpu = this_cpu();
	struct cpu_result *r = per_cpu_ptr(results, cpu);

	(void)arg;
	if (cpu != 1)
		return;
	if (mm_txn_begin(0) != 0) {
		r->failures++;
		atomic_store_explicit(&txn_step, 9, memory_order_release);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(txn_shared); i++)
		txn_shared[i] = kmalloc(64, GFP_KERNEL);
	r->other = mm_txn_records();
	atomic_store_explicit(&txn_step, 1, memory_order_release);
	/* CPU 0 frees txn_shared[0] now, from thread context. */
	while (atomic_load_explicit(&txn_step, memory_order_acquire) != 2)
		arch_cpu_relax();
	r->allocs = mm_txn_records();
	if (mm_txn_abort() != 0)
		r->failures++;
}

static void txn_free_on_cpu0(void *arg)
{
	(void)arg;
	if (this_cpu() != 0)
		return;
	while (atomic_load_explicit(&txn_step, memory_order_acquire) == 0)
		arch_cpu_relax();
	if (atomic_load_explicit(&txn_step, memory_order_acquire) == 1)
		kfree(txn_shared[0]);
	atomic_store_explicit(&txn_step, 2, memory_order_release);
}

static void both(void *arg)
{
	txn_record_then_wait(arg);
	txn_free_on_cpu0(arg);
}

/*
 * An object CPU 1's open transaction allocated is freed on CPU 0: CPU 1
 * forgets its record first, so its abort frees only the other objects -
 * nothing twice, nothing left over.
 */
static void txn_object_freed_on_another_cpu(struct ktest *t)
{
	struct snapshot before;
	uint64_t misuse;

	SKIP_UNLESS_TWO_CPUS(t);
	snap(&before);
	reset_results();
	atomic_store(&txn_step, 0);
	misuse = mm_misuse_total();
	on_each_cpu(both, NULL);
	KT_EXPECT_EQ(t, per_cpu_ptr(results, 1)->failures, (uint64_t)0);
	KT_EXPECT_EQ(t, per_cpu_ptr(results, 1)->other, (uint64_t)ARRAY_SIZE(txn_shared));
	KT_EXPECT_EQ(t, per_cpu_ptr(results, 1)->allocs, (uint64_t)ARRAY_SIZE(txn_shared) - 1);
	KT_EXPECT_EQ(t, mm_misuse_total(), misuse);
	expect_conserved(t, &before, UINT64_MAX);
}

/*
 * An abort frees only what its own transaction allocated, which no other
 * CPU's transaction can have recorded, so it asks no other CPU to forget
 * anything.  CPU 1 holds a transaction open with interrupts off while
 * CPU 0 aborts one: a cross-CPU call from the abort would wait for CPU 1,
 * which gives up after ABORT_WAIT_SPINS and says so.
 */
#define ABORT_WAIT_SPINS 200000000ul
static atomic_uint abort_step;
static bool abort_waited_out;

static void abort_while_another_cpu_has_irqs_off(void *arg)
{
	unsigned int cpu = this_cpu();
	struct cpu_result *r = per_cpu_ptr(results, cpu);
	void *objs[8];

	(void)arg;
	if (cpu == 1) {
		unsigned long irq;

		if (mm_txn_begin(0) != 0) {
			r->failures++;
			atomic_store_explicit(&abort_step, 9, memory_order_release);
			return;
		}
		irq = irq_save();
		atomic_store_explicit(&abort_step, 1, memory_order_release);
		for (unsigned long spins = 0;
		     atomic_load_explicit(&abort_step, memory_order_acquire) != 2; spins++) {
			if (spins == ABORT_WAIT_SPINS) {
				abort_waited_out = true;
				break;
			}
			arch_cpu_relax();
		}
		irq_restore(irq);
		if (mm_txn_abort() != 0)
			r->failures++;
	} else if (cpu == 0) {
		while (atomic_load_explicit(&abort_step, memory_order_acquire) == 0)
			arch_cpu_relax();
		if (atomic_load_explicit(&abort_step, memory_order_acquire) == 1) {
			if (mm_txn_begin(0) != 0) {
				r->failures++;
			} else {
				for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
					r->allocs += (objs[i] = kmalloc(64, GFP_KERNEL)) != NULL;
				r->other = mm_txn_records();
				if (mm_txn_abort() != 0)
					r->failures++;
			}
		}
		atomic_store_explicit(&abort_step, 2, memory_order_release);
	}
}

static void abort_asks_no_other_cpu(struct ktest *t)
{
	struct snapshot before;

	SKIP_UNLESS_TWO_CPUS(t);
	snap(&before);
	reset_results();
	atomic_store(&abort_step, 0);
	abort_waited_out = false;
	on_each_cpu(abort_while_another_cpu_has_irqs_off, NULL);
	KT_EXPECT_EQ(t, per_cpu_ptr(results, 0)->failures + per_cpu_ptr(results, 1)->failures,
		     (uint64_t)0);
	KT_EXPECT_EQ(t, per_cpu_ptr(results, 0)->allocs, (uint64_t)8);
	KT_EXPECT_EQ(t, per_cpu_ptr(results, 0)->other, (uint64_t)8);
	KT_EXPECT_FALSE(t, abort_waited_out);
	KT_EXPECT_EQ(t, mm_txn_depth(), 0u);
	expect_conserved(t, &before, UINT64_MAX);
}

static const struct ktest_case mm_smp_cases[] = {
	KTEST_CASE(percpu_parts_on_own_cache_lines),
	KTEST_CASE(kmalloc_random_on_every_cpu_conserves),
	KTEST_CASE(producer_consumer_across_cpus),
	KTEST_CASE(page_allocation_races_every_order),
	KTEST_CASE(pcp_drain_while_others_allocate),
	KTEST_CASE(drain_all_pages_reaches_every_cpu),
	KTEST_CASE(cache_shrink_reaches_every_cpu),
	KTEST_CASE(trim_waits_for_every_cpu),
	KTEST_CASE(gfp_atomic_from_tick_hook),
	KTEST_CASE(tlb_shootdown_under_load),
	KTEST_CASE(transactions_on_several_cpus),
	KTEST_CASE(txn_object_freed_on_another_cpu),
	KTEST_CASE(abort_asks_no_other_cpu),
	{0},
};
KTEST_SUITE(mm_smp, mm_smp_cases);
