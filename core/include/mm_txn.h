/*
 * mm_txn.h - allocation transactions: all of a group of kmalloc()s, or
 * none of them.
 *
 *     if (mm_txn_begin(MM_TXN_ABORT_ON_FAILURE))
 *             return -ENOMEM;
 *     a = kmalloc(...);  b = kzalloc(...);  c = kmalloc(...);
 *     if (mm_txn_commit())      // a failure above freed a, b and c
 *             return -ENOMEM;   // (their pointers are dangling now)
 *
 * Between mm_txn_begin() and mm_txn_commit() / mm_txn_abort(), every
 * successful allocation of the kmalloc API (kmalloc, kzalloc, kcalloc,
 * krealloc(NULL, n), kmalloc_try, kmalloc_align_try) on this CPU is
 * recorded.  Commit keeps them and forgets the records; abort kfree()s
 * every one.  Other allocators (page_alloc(), kmem_cache_alloc()) are not
 * recorded.
 *
 * Records:
 *   - kfree() inside the transaction of a recorded pointer removes its
 *     record (abort will not free it twice);
 *   - krealloc() that moves a recorded pointer updates its record; a
 *     krealloc() of a pointer from before the transaction is not part of
 *     it (abort cannot restore the old block, so it leaves it alone);
 *   - a kfree() of a pointer from before the transaction is not undone.
 *   - The open transactions of a CPU hold at most MM_TXN_MAX_RECORDS
 *     records together (Kconfig TXN_MAX_RECORDS).  An allocation that
 *     would need one more is freed again and fails with KERR_LIMIT: the
 *     transaction never loses track of memory.
 *
 * Failure policy: with MM_TXN_ABORT_ON_FAILURE, the first allocation that
 * fails inside (KERR_NOMEM, KERR_INVAL, KERR_ALIGN, KERR_LIMIT ...) rolls
 * the transaction back at once and dooms it: every later allocation in it
 * fails with that same error without being tried, mm_txn_commit() returns
 * it, mm_txn_abort() returns 0.  Without the flag a failure is only the
 * caller's to handle, as outside a transaction.
 *
 * Nesting: transactions nest up to MM_TXN_MAX_DEPTH deep (closed nesting,
 * one record list per CPU).  An inner commit hands its records to the
 * enclosing transaction (the outer abort frees them); an inner abort frees
 * only the inner records.  A failure dooms the outermost open transaction
 * that asked for MM_TXN_ABORT_ON_FAILURE, with every transaction nested in
 * it, and rolls back everything they recorded.
 *
 * "Exactly as before": after an abort, the kmalloc-level figures of
 * mm_get_stats() - live_objects, bytes_requested, bytes_granted,
 * heap_free_bytes, heap_largest_free - and the active_objects of every
 * kmalloc-<size> cache (mm_get_cache_stats()) are exactly what they were
 * at mm_txn_begin(), provided the transaction freed nothing from before
 * it.  The counters (allocs, frees, failures) and the peaks are history
 * and keep what happened.  What depends on the caches - empty slabs kept,
 * their off-slab descriptors (objects of the bootstrap cache kmem_slab,
 * so slab_active_objects), pages on the per-CPU lists - is restored too
 * when mm_drain_caches() ran right before the begin and right after the
 * abort: then pages.free_pages, pcp_pages, nr_free[], largest_free_run,
 * slab_pages and slab_active_objects match exactly as well (both page
 * allocators merge free runs canonically).
 *
 * Transactions belong to the CPU that began them: begun, committed and
 * aborted there, their state per CPU and touched only by that CPU (its IPI
 * handler included), so it needs no lock.  An object one CPU's open
 * transaction recorded may be freed on another CPU: while any CPU has a
 * transaction open every free takes the slow path, which has the other
 * CPUs forget the pointer first (mm_txn_forget_elsewhere(), a cross-CPU
 * call), so the recording CPU's abort leaves it alone.  That free must be
 * made with interrupts on.
 */
#ifndef MMKIT_MM_TXN_H
#define MMKIT_MM_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include "percpu.h"

#define MM_TXN_MAX_RECORDS ((size_t)CONFIG_TXN_MAX_RECORDS)

/* Open transactions per CPU, counting the outermost. */
#define MM_TXN_MAX_DEPTH 4

/* mm_txn_begin() flags. */
#define MM_TXN_ABORT_ON_FAILURE 0x1u

/* 0, KERR_LIMIT (MM_TXN_MAX_DEPTH open already) or KERR_INVAL (unknown flags). */
int mm_txn_begin(unsigned int flags);

/*
 * Close the innermost transaction, keeping its allocations: 0; the error
 * that doomed it (its allocations are gone); KERR_INVAL when none is open.
 */
int mm_txn_commit(void);

/* Close the innermost transaction, freeing its allocations: 0, or KERR_INVAL when none is open. */
int mm_txn_abort(void);

/* Open transactions on this CPU. */
unsigned int mm_txn_depth(void);

/* Records held by the open transactions of this CPU. */
size_t mm_txn_records(void);

/*
 * Open transactions of each CPU, kept by txn.c.  kmalloc.c reads its CPU's
 * on every call (mm_txn_active()) and calls the hooks below only inside a
 * transaction, so that outside one they cost a load and a branch.
 */
struct mm_txn_open {
	unsigned int depth;
} ____cacheline_aligned_in_smp;
DECLARE_PER_CPU(struct mm_txn_open, mm_txn_open);

/* Transactions open on this CPU: 0 outside one (a value, for folding into tests). */
static inline unsigned int mm_txn_open_depth(void)
{
	return this_cpu_ptr(mm_txn_open)->depth;
}

static inline bool mm_txn_active(void)
{
	return mm_txn_open_depth() != 0;
}

/*
 * Hooks, for core/mm/kmalloc.c only.
 * mm_txn_check_alloc(): 0, or the error dooming the innermost transaction.
 * mm_txn_record(): 0, or KERR_LIMIT (the caller frees @p and fails).
 * mm_txn_forget(): @p was freed.
 * mm_txn_moved(): a krealloc() moved @old to @new.
 * mm_txn_failed(): an allocation failed with @err; applies the policy.
 */
#if NR_CPUS > 1
/* CPUs with a transaction open now (txn.c). */
extern unsigned int mm_txn_open_cpus;
#endif

/*
 * Is a transaction open on any CPU?  Then a free anywhere may be of an
 * object some CPU recorded, and takes the slow path, which asks that CPU
 * to forget it (mm_txn_forget_elsewhere()).  With one CPU: this CPU's.
 */
static inline bool mm_txn_open_anywhere(void)
{
#if NR_CPUS > 1
	return __atomic_load_n(&mm_txn_open_cpus, __ATOMIC_RELAXED) != 0;
#else
	return mm_txn_active();
#endif
}

#if NR_CPUS > 1
/*
 * @p is being freed on this CPU: every other CPU forgets its record of
 * @p, if it has one (a cross-CPU call to each, waiting; with interrupts
 * off it cannot wait, and does nothing: free another CPU's transaction's
 * objects from thread context).  Called before the free, so that an abort
 * on the recording CPU never frees @p again.
 */
void mm_txn_forget_elsewhere(const void *p);
#endif

int mm_txn_check_alloc(void);
int mm_txn_record(void *p);
void mm_txn_forget(const void *p);
void mm_txn_moved(const void *old, void *new);
void mm_txn_failed(int err);

#endif /* MMKIT_MM_TXN_H */
