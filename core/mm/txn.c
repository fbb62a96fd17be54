/*
 * txn.c - allocation transactions (see mm_txn.h).
 *
 * Each CPU has one array of records and a stack of open transactions;
 * transaction k owns the records from frames[k].start up to the next
 * transaction's start (the innermost: up to nr).  So an inner commit is
 * just popping the frame - its records become the tail of the enclosing
 * transaction's - and a rollback frees the tail of the array from a
 * frame's start.  A record is removed by shifting the ones after it,
 * O(records), which keeps every transaction's records contiguous.
 *
 * No lock: a CPU's transactions are touched only by that CPU (mm_txn.h).
 */
#include <stdbool.h>
#include <stddef.h>

#include "kerrno.h"
#include "kstring.h"
#include "mm.h"
#include "mm_txn.h"
#include "panic.h"
#include "percpu.h"
#include "slab.h"


struct txn_frame {
	size_t start;          /* first record of this transaction */
	unsigned int flags;    /* MM_TXN_* */
	int doomed;            /* 0, or the error that rolled it back */
};

struct txn_cpu {
	size_t nr;             /* records in use */
	struct txn_frame frames[MM_TXN_MAX_DEPTH];
	void *records[MM_TXN_MAX_RECORDS];
};

static struct txn_cpu txn_cpus[NR_CPUS];
DEFINE_PER_CPU(struct mm_txn_open, mm_txn_open);

/* @tc's open transactions, kept where mm_txn_active() reads them. */
#define depth_of(tc) (per_cpu_ptr(mm_txn_open, (unsigned int)((tc) - txn_cpus))->depth)

static struct txn_cpu *this_cpu_txn(void)
{
	return &txn_cpus[this_cpu()];
}

/*
 * Free every record from @from on.  The array is cut first, so the
 * kfree()s below find nothing to forget and no record is freed twice.
 */
static void rollback(struct txn_cpu *tc, size_t from)
{
	size_t end = tc->nr;

	tc->nr = from;
	while (end > from)
		kfree(tc->records[--end]);
}

int mm_txn_begin(unsigned int flags)
{
	struct txn_cpu *tc = this_cpu_txn();
	struct txn_frame *f;

	if (flags & ~MM_TXN_ABORT_ON_FAILURE)
		return KERR_INVAL;
	if (depth_of(tc) == MM_TXN_MAX_DEPTH)
		return KERR_LIMIT;
	f = &tc->frames[depth_of(tc)];
	f->start = tc->nr;
	f->flags = flags;
	/* Inside a doomed transaction nothing can succeed any more. */
	f->doomed = depth_of(tc) ? tc->frames[depth_of(tc) - 1].doomed : 0;
	depth_of(tc)++;
#ifdef CONFIG_SLAB
	/* From here on every kmalloc()/kfree() of this CPU takes the recording slow path. */
	if (depth_of(tc) == 1)
		kmem_cache_flush_kmalloc_cpu();
#endif
	return 0;
}

int mm_txn_commit(void)
{
	struct txn_cpu *tc = this_cpu_txn();
	struct txn_frame *f;

	if (!depth_of(tc))
		return KERR_INVAL;
	f = &tc->frames[--depth_of(tc)];
	if (f->doomed)
		return f->doomed;
	/* The outermost commit forgets; an inner one leaves the records to its parent. */
	if (!depth_of(tc))
		tc->nr = 0;
	return 0;
}

int mm_txn_abort(void)
{
	struct txn_cpu *tc = this_cpu_txn();

	if (!depth_of(tc))
		return KERR_INVAL;
	/* Still open while it rolls back: the frees must not touch outer records. */
	rollback(tc, tc->frames[depth_of(tc) - 1].start);
	depth_of(tc)--;
	return 0;
}

unsigned int mm_txn_depth(void)
{
	return mm_txn_open_depth();
}

size_t mm_txn_records(void)
{
	return this_cpu_txn()->nr;
}

int mm_txn_check_alloc(void)
{
	struct txn_cpu *tc = this_cpu_txn();

	return depth_of(tc) ? tc->frames[depth_of(tc) - 1].doomed : 0;
}

int mm_txn_record(void *p)
{
	struct txn_cpu *tc = this_cpu_txn();

	if (!depth_of(tc))
		return 0;
	if (tc->nr == MM_TXN_MAX_RECORDS)
		return KERR_LIMIT;
	tc->records[tc->nr++] = p;
	return 0;
}

/* Index of @p's record (the latest, should it repeat), or -1. */
static long find_record(const struct txn_cpu *tc, const void *p)
{
	for (size_t i = tc->nr; i-- > 0;) {
		if (tc->records[i] == p)
			return (long)i;
	}
	return -1;
}

void mm_txn_forget(const void *p)
{
	struct txn_cpu *tc = this_cpu_txn();
	long i;

	if (!depth_of(tc))
		return;
	i = find_record(tc, p);
	if (i < 0)
		return;
	memmove(&tc->records[i], &tc->records[i + 1],
		(tc->nr - (size_t)i - 1) * sizeof(tc->records[0]));
	tc->nr--;
	/* Transactions that started after the removed record start one earlier. */
	for (unsigned int k = 0; k < depth_of(tc); k++) {
		if (tc->frames[k].start > (size_t)i)
			tc->frames[k].start--;
	}
}

void mm_txn_moved(const void *old, void *new)
{
	struct txn_cpu *tc = this_cpu_txn();
	long i;

	if (!depth_of(tc))
		return;
	i = find_record(tc, old);
	if (i >= 0)
		tc->records[i] = new;
}

void mm_txn_failed(int err)
{
	struct txn_cpu *tc = this_cpu_txn();
	unsigned int k;

	for (k = 0; k < depth_of(tc); k++) {
		if (tc->frames[k].flags & MM_TXN_ABORT_ON_FAILURE)
			break;
	}
	if (k == depth_of(tc))
		return;
	rollback(tc, tc->frames[k].start);
	for (; k < depth_of(tc); k++) {
		if (!tc->frames[k].doomed)
			tc->frames[k].doomed = err;
	}
}
