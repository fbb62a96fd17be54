/*
 * fuzz_ops.h - the operations of the allocator fuzz harness (mmkit-fuzz).
 *
 * An operation names a slot (the harness's handle on one live allocation
 * of any kind) and up to two arguments.  Operations are drawn from a
 * seed without looking at the allocator's state (fuzz_gen.c), so that
 * "the first K operations of seed S" is a list that replays exactly, and
 * every operation means something whatever ran before it (an allocation
 * into an occupied slot frees the occupant first, a free of an empty
 * slot does nothing): any sub-list of a failing list is a valid list,
 * which is what lets kit/fuzz.py minimise one by deleting operations.
 *
 * Text form, one operation a line: "<name> <slot> <a> <b>"; '#' starts a
 * comment (the regression cases in tests/fuzz/ are such lists).
 */
#ifndef MMKIT_FUZZ_OPS_H
#define MMKIT_FUZZ_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define FUZZ_SLOTS 1024u

enum fuzz_op_kind {
	OP_KMALLOC,        /* slot, a = size */
	OP_KZALLOC,        /* slot, a = size (zeroed) */
	OP_KCALLOC,        /* slot, a = n (2^31 and up: a * 2^32, to overflow), b = size (zeroed) */
	OP_KMALLOC_TRY,    /* slot, a = size (0: KERR_INVAL) */
	OP_KMALLOC_ALIGN,  /* slot, a = size, b = alignment (any value: bad ones are KERR_ALIGN) */
	OP_KREALLOC,       /* slot, a = new size (0 frees), b = 1: __GFP_ZERO */
	OP_FREE,           /* slot, a = 1: the checked free of its kind */
	OP_PAGES,          /* slot, a = order, b = 1: __GFP_ZERO */
	OP_PAGE_ALLOC,     /* slot, a = pages */
	OP_CACHE_ALLOC,    /* slot, a = cache, b = 1: __GFP_ZERO (variants with slabs) */
	OP_CACHE_REMAKE,   /* a = cache, b = new object size: destroyed and made again if empty */
	OP_POOL_ALLOC,     /* slot, a = pool (variants with pools) */
	OP_POOL_REMAKE,    /* a = pool, b = parameters' seed: destroyed and made again if empty */
	OP_POOL_SHRINK,    /* a = pool */
	OP_TXN_BEGIN,      /* a = flags (any value: unknown ones are KERR_INVAL) */
	OP_TXN_COMMIT,
	OP_TXN_ABORT,
	OP_SET_MODE,       /* a = mode (Hybrid; others ignore it) */
	OP_DRAIN,          /* mm_drain_caches() */
	OP_CHECK,          /* every live allocation's contents, and the live counts */
	OP_KINDS
};

struct fuzz_op {
	uint8_t kind;
	uint16_t slot;
	uint32_t a, b;
};

extern const char *const fuzz_op_names[OP_KINDS];

/* One operation as a line of text (no newline). */
void fuzz_op_print(FILE *f, const struct fuzz_op *op);

/*
 * Parse a line: 1 and *op set, 0 for a blank or comment line, -1 (and a
 * message in @err) for anything else.
 */
int fuzz_op_parse(const char *line, struct fuzz_op *op, char *err, size_t errlen);

/* The seeded generator (fuzz_gen.c): the next operation of the stream. */
void fuzz_gen_init(uint64_t seed);
void fuzz_gen_next(struct fuzz_op *op);

/*
 * The harness (fuzz_model.c): bring the allocators up and record the
 * starting figures; run one operation against the shadow model; put
 * everything back and compare the figures with the start.  A finding
 * calls fuzz_fail() (fuzz_main.c), which does not return.
 */
void fuzz_model_init(void);
void fuzz_model_run(const struct fuzz_op *op);
void fuzz_model_finish(void);

/* What the run did, for the last line. */
struct fuzz_totals {
	uint64_t ops, allocs, frees, failures_expected, txns, bytes_checked;
	uint64_t live_peak;
};
extern struct fuzz_totals fuzz_totals;

/* A defect planted in the harness on purpose (fuzz_main.c's plant=), to prove it is caught. */
enum fuzz_plant { PLANT_NONE, PLANT_LEAK, PLANT_STRAY };
extern enum fuzz_plant fuzz_plant;

__attribute__((format(printf, 1, 2))) _Noreturn void fuzz_fail(const char *fmt, ...);

#endif /* MMKIT_FUZZ_OPS_H */
