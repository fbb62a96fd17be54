/*
 * bench.h - the bench image's harness (core/lib/bench.c) and workloads
 * (tests/bench/).
 *
 * Figures are counter deltas: arch_instret() read before and after a run
 * of operations, less the cost of reading the counter, divided by the
 * number of operations.  Under QEMU with -icount shift=0,sleep=off the
 * counter advances by one per guest instruction on both arches (riscv64
 * instret; x86_64 rdtsc, derived from the instruction-counted virtual
 * clock), so a figure is an instruction count and repeats exactly from run
 * to run.  No wall time is measured in the guest.
 *
 * x86_64, what is and is not deterministic (checked on QEMU 7.2 TCG):
 *   - x86 has no retired-instruction counter that TCG emulates (no PMU),
 *     so arch_instret() is rdtsc.  Under -icount shift=0 QEMU derives the
 *     TSC from its instruction-counted virtual clock: one tick per guest
 *     instruction.  So a figure is an instruction count, as on riscv64,
 *     and not a cycle count of any real CPU.
 *   - Deterministic with -icount shift=0,sleep=off (what kit/bench.py
 *     uses): every figure, and absolute TSC values too.
 *   - With -icount shift=0 but sleep on: the figures (differences between
 *     two reads in the kernel, which never idles) still repeat; absolute
 *     TSC values do not, because the time the firmware spends idle before
 *     the kernel runs is added to the virtual clock.
 *   - Without -icount the TSC follows the host clock: every figure varies
 *     from run to run and means nothing.
 *
 * Each figure is one console line, "BENCH " and a JSON object, versioned:
 *
 *     BENCH {"v":1,"kind":"op","name":"pair","size":64,...,"median":93,"max":95}
 *     BENCH {"v":1,"kind":"pgtable","page_size":4096,"mapped":1073741824,...}
 *
 * kit/bench.py parses and checks these lines; it is the only reader.
 * Integers only: the host computes every ratio.
 */
#ifndef MMKIT_BENCH_H
#define MMKIT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Version of the BENCH line format; kit/bench.py refuses other versions. */
#define BENCH_FORMAT_VERSION 1

/* Most repetitions a figure keeps (the Kconfig range of BENCH_REPS). */
#define BENCH_MAX_REPS 101

/* A BENCH line longer than this is cut and reported as a harness error. */
#define BENCH_LINE_MAX 768

/* --- measuring ----------------------------------------------------------- */

/* Per-operation counts of each repetition of one figure. */
struct bench_samples {
	uint64_t per_op[BENCH_MAX_REPS];
	unsigned int reps;
	uint64_t ops;        /* operations in the last repetition */
	uint64_t failures;   /* operations that could not be done (NULL returned) */
};

/* Measure the counter's own cost; call once before any figure. */
void bench_init(void);

/* The counter (arch_instret()). */
uint64_t bench_now(void);

/* Counter units one bench_now() pair costs; subtracted from every delta. */
uint64_t bench_counter_overhead(void);

void bench_samples_reset(struct bench_samples *s);
/* Record a repetition of @ops operations that took @delta counter units. */
void bench_record(struct bench_samples *s, uint64_t delta, uint64_t ops);
uint64_t bench_median(const struct bench_samples *s);
uint64_t bench_min(const struct bench_samples *s);
uint64_t bench_max(const struct bench_samples *s);

/* Repetitions per figure (Kconfig BENCH_REPS, capped at BENCH_MAX_REPS). */
unsigned int bench_reps(void);

/* --- BENCH lines ---------------------------------------------------------- */

struct bench_line {
	char buf[BENCH_LINE_MAX];
	size_t len;
	bool cut;            /* did not fit: printed with "cut":1 */
};

/* Start a line: {"v":1,"kind":"<kind>" */
void bench_line_begin(struct bench_line *l, const char *kind);
/* Keys and string values must be plain (letters, digits, _-./ and space). */
void bench_line_str(struct bench_line *l, const char *key, const char *val);
void bench_line_u64(struct bench_line *l, const char *key, uint64_t val);
void bench_line_array(struct bench_line *l, const char *key, const size_t *v, size_t n);
/* Close the object and print "BENCH {...}"; counts the figure. */
void bench_line_end(struct bench_line *l);

/* An "op" figure: begin with its name, add parameters, end with its samples. */
void bench_op_begin(struct bench_line *l, const char *name);
void bench_op_end(struct bench_line *l, const struct bench_samples *s);

/* Lines printed so far (the "end" line reports it, so none can go missing). */
unsigned int bench_lines(void);

/* --- deterministic random numbers (xorshift64*, seeded from BENCH_SEED) --- */

struct bench_rng {
	uint64_t state;
};

void bench_rng_seed(struct bench_rng *r, uint64_t seed);
uint64_t bench_rng_next(struct bench_rng *r);
/* Uniform in [0, @n); @n > 0. */
uint64_t bench_rng_below(struct bench_rng *r, uint64_t n);

/* --- request sizes (generated: gen/bench_sizes.c) ------------------------ */

struct bench_size {
	size_t size;
	bool is_class;       /* a size class (or list entry); false: just above one */
};

extern const struct bench_size bench_sizes[];
extern const size_t bench_nr_sizes;
/* Where the list came from: "classes", "kconfig" or "fixed". */
extern const char bench_sizes_source[];

/* --- workloads (tests/bench/, one per file), run in this order ----------- */

void bench_pairs(void);    /* kmalloc+kfree pairs per size */
void bench_pools(void);    /* typed pool pairs and batches next to kmalloc (Kconfig POOLS) */
/* One pair figure called @name for @size (the workloads above share them). */
void bench_pair_size(const char *name, size_t size, bool is_class);
/* One size's batch figures, named "batch_alloc" / "batch_free" + @suffix. */
void bench_batch_size(const char *suffix, size_t size, struct bench_rng *rng);
void bench_batches(void);  /* allocate N, free LIFO / FIFO / random */
void bench_pages(void);    /* alloc_pages / free_pages per order */
void bench_zones(void);    /* a page pair per zone; a pair that falls back a zone */
void bench_mixed(void);    /* random sizes and lifetimes, fixed seed */
void bench_stress(void);   /* aging patterns, then fragmentation figures */
void bench_lz4(void);      /* LZ4 compress / decompress of a page, per byte */
void bench_mapping(void);  /* kernel page tables: map/unmap per leaf size, tables per GiB */
void bench_vmap(void);     /* vmap_alloc / vmap_free per size (Kconfig VMAP; else nothing) */
void bench_zstore(void);   /* the compressed page store: store / load of a page (ZSTORE) */

void bench_traces(void);   /* real programs' allocation traces, replayed */
void bench_hugepage(void); /* hugepage pool alloc / free, fallback, zeroing (Kconfig HUGEPAGES) */

/* --- fragmentation figures (tests/bench/stress.c) ------------------------ */

/* What a workload that holds a live set counts for its "frag" line. */
struct bench_frag_run {
	uint64_t attempts, failures;
	size_t live, requested, peak_requested;
	size_t footprint_base, peak_footprint;   /* mm_footprint_bytes(), less the base */
	/* What the footprint held at its peak, less the same at the base (struct bench_held). */
	struct bench_held {
		size_t slab_live;    /* slab objects in use, at their stride */
		size_t slab_free;    /* free objects in slabs with objects in use */
		size_t slab_empty;   /* pages of slabs with no object in use (kept, or a CPU's) */
		size_t slab_tail;    /* slab bytes no object fits in, and on-slab descriptors */
		size_t pcp;          /* pages on the per-CPU page lists */
	} base, peak;
};

/* Before a workload: its footprint's base (mm_footprint_bytes()) and what that holds. */
void bench_footprint_base(struct bench_frag_run *run);
/* After an allocation: raise peak_footprint to the footprint now. */
void bench_footprint_sample(struct bench_frag_run *run);
/* One "frag" line for @pattern, with the live set still held; @pages: page allocations. */
void bench_frag_report(const char *pattern, uint64_t ops, const struct bench_frag_run *run,
		       bool pages);

/* --- real programs' allocation traces (generated: gen/bench_traces.c) ---- */

enum bench_trace_kind { TRACE_ALLOC, TRACE_FREE, TRACE_REALLOC };

struct bench_trace_op {
	uint8_t kind;        /* enum bench_trace_kind */
	uint32_t slot;       /* the block: a number below the trace's slots */
	uint32_t size;       /* bytes asked (TRACE_ALLOC, TRACE_REALLOC) */
};

struct bench_trace {
	const char *name;    /* the workload (kit/workloads.py) */
	const struct bench_trace_op *ops;
	size_t nr_ops;
	size_t slots;
};

extern const struct bench_trace bench_trace_list[];
extern const size_t bench_nr_traces;
extern const size_t bench_trace_max_slots;

#endif /* MMKIT_BENCH_H */
