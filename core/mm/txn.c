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
 * With SMP, "by that CPU" includes its IPI handler: a free on another CPU
 * of an object recorded here asks this CPU to forget it (forget_here()),
 * so every change to the records is made with interrupts off.
 */
#include <stdbool.h>
#include <stddef.h>

#include "irq.h"
#include "kerrno.h"
#include "kstring.h"
#include "mm.h"
#include "mm_txn.h"
#include "panic.h"
#include "percpu.h"
#include "slab.h"
#include "smp.h"


struct txn_frame {
	size_t start;          /* first record of this transaction */
	unsigned int flags;    /* MM_TXN_* */
	int doomed;            /* 0, or the error that rolled it back */
};

struct txn_cpu {
	size_t nr;             /* records in use */
	bool rolling_back;     /* rollback() is freeing records past its cut */
	struct txn_frame frames[MM_TXN_MAX_DEPTH];
	void *records[MM_TXN_MAX_RECORDS];
};

static struct txn_cpu txn_cpus[NR_CPUS];
DEFINE_PER_CPU(struct mm_txn_open, mm_txn_open);
#if NR_CPUS > 1
unsigned int mm_txn_open_cpus;
#endif

/* This CPU opened its first transaction (+1) or closed its last (-1). */
static void count_open(int delta)
{
#if NR_CPUS > 1
	__atomic_fetch_add(&mm_txn_open_cpus, (unsigned int)delta, __ATOMIC_SEQ_CST);
#else
	(void)delta;
#endif
}

/* @tc's open transactions, kept where mm_txn_active() reads them. */
#define depth_of(tc) (per_cpu_ptr(mm_txn_open, (unsigned int)((tc) - txn_cpus))->depth)

static struct txn_cpu *this_cpu_txn(void)
{
	return &txn_cpus[this_cpu()];
}

/*
 * Free every record from @from on.  The array is cut first, so the
 * kfree()s below find nothing to forget and no record is freed twice.
 * Transactions nested in the one rolled back (a failure's rollback from
 * an outer transaction) now start at the cut: their records are gone,
 * and a later abort of one must not take the array back past it, to
 * records already freed.
 */
static void rollback(struct txn_cpu *tc, size_t from)
{
	unsigned long irq = irq_save();
	size_t end = tc->nr;

	tc->nr = from;
	for (unsigned int k = 0; k < depth_of(tc); k++) {
		if (tc->frames[k].start > from)
			tc->frames[k].start = from;
	}
	irq_restore(irq);
	/* Past the cut: no one else reads these records any more. */
	tc->rolling_back = true;
	while (end > from)
		kfree(tc->records[--end]);
	tc->rolling_back = false;
}

int mm_txn_begin(unsigned int flags)
{
	struct txn_cpu *tc = this_cpu_txn();
	struct txn_frame *f;

	unsigned long irq;

	if (flags & ~MM_TXN_ABORT_ON_FAILURE)
		return KERR_INVAL;
	if (depth_of(tc) == MM_TXN_MAX_DEPTH)
		return KERR_LIMIT;
	irq = irq_save();
	f = &tc->frames[depth_of(tc)];
	f->start = tc->nr;
	f->flags = flags;
	/* Inside a doomed transaction nothing can succeed any more. */
	f->doomed = depth_of(tc) ? tc->frames[depth_of(tc) - 1].doomed : 0;
	depth_of(tc)++;
	irq_restore(irq);
	if (depth_of(tc) == 1)
		count_open(1);
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

	unsigned long irq;
	int doomed;

	if (!depth_of(tc))
		return KERR_INVAL;
	irq = irq_save();
	f = &tc->frames[--depth_of(tc)];
	doomed = f->doomed;
	/* The outermost commit forgets; an inner one leaves the records to its parent. */
	if (!doomed && !depth_of(tc))
		tc->nr = 0;
	irq_restore(irq);
	if (!depth_of(tc))
		count_open(-1);
	return doomed;
}

int mm_txn_abort(void)
{
	struct txn_cpu *tc = this_cpu_txn();

	if (!depth_of(tc))
		return KERR_INVAL;
	/* Still open while it rolls back: the frees must not touch outer records. */
	rollback(tc, tc->frames[depth_of(tc) - 1].start);
	depth_of(tc)--;
	if (!depth_of(tc))
		count_open(-1);
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

	unsigned long irq;
	int err = 0;

	if (!depth_of(tc))
		return 0;
	irq = irq_save();
	if (tc->nr == MM_TXN_MAX_RECORDS)
		err = KERR_LIMIT;
	else
		tc->records[tc->nr++] = p;
	irq_restore(irq);
	return err;
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

/* Remove @p's record from @tc, if it has one.  Interrupts off. */
static void forget_in(struct txn_cpu *tc, const void *p)
{
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

void mm_txn_forget(const void *p)
{
	unsigned long irq = irq_save();

	forget_in(this_cpu_txn(), p);
	irq_restore(irq);
}

#if NR_CPUS > 1
/* mm_txn_forget_elsewhere() on one CPU, in its IPI handler. */
static void forget_here(void *p)
{
	forget_in(this_cpu_txn(), p);
}

void mm_txn_forget_elsewhere(const void *p)
{
	unsigned int me = this_cpu();

	/* A cross-CPU wait needs interrupts on (smp.h): see mm_txn.h. */
	if (!irqs_enabled())
		return;
	/*
	 * A rollback frees what its own transaction allocated, all of it live
	 * until now (a free anywhere would have removed its record); another
	 * CPU records only what it allocates, so none has these.  Asking
	 * would cost a round of IPIs per object: an abort of 24 objects with
	 * transactions open on 4 vCPUs took 7 s of a test run.
	 */
	if (this_cpu_txn()->rolling_back)
		return;
	for_each_online_cpu(cpu)
		if (cpu != me)
			(void)smp_call_function_single(cpu, forget_here, (void *)(uintptr_t)p, true);
}
#endif

void mm_txn_moved(const void *old, void *new)
{
	struct txn_cpu *tc = this_cpu_txn();
	long i;

	unsigned long irq;

	if (!depth_of(tc))
		return;
	irq = irq_save();
	i = find_record(tc, old);
	if (i >= 0)
		tc->records[i] = new;
	irq_restore(irq);
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
