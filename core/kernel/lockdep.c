/*
 * lockdep.c - the lock-order graph between lock classes and the locks
 * each CPU holds (core/include/lockdep.h says what is checked and why).
 *
 * The graph is a bit matrix: bit j of row i says "class j has been taken
 * while class i was held".  Rows only ever gain bits, with atomic ORs, so
 * CPUs record orders without a lock of their own (lockdep must not need
 * the locks it checks).  An inversion is a path in the graph from the
 * class being taken back to one already held: a breadth-first walk over at
 * most LOCKDEP_MAX_CLASSES rows.
 *
 * Each CPU's held locks are a small stack that only that CPU touches; an
 * interrupt handler may take locks too, so it is changed with interrupts
 * masked.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "irq.h"
#include "kernel.h"
#include "lockdep.h"
#include "panic.h"
#include "percpu.h"

_Static_assert(LOCKDEP_MAX_CLASSES <= 64, "one row of the graph is a 64-bit word");

struct held_locks {
	spinlock_t *lock[LOCKDEP_MAX_HELD];
	unsigned int depth;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct held_locks, held);
static atomic_uint_least64_t after[LOCKDEP_MAX_CLASSES];

/* Row index of a class, or -1 when lockdep cannot order it. */
static int class_index(struct lock_class *cls)
{
	if (!cls)
		return -1;
	lock_class_list(cls);
	return cls->id >= 1 && cls->id <= LOCKDEP_MAX_CLASSES ? (int)cls->id - 1 : -1;
}

/* Is there a path from class @from to class @to in the graph? */
static bool reaches(int from, int to)
{
	uint64_t seen = 0, todo = (uint64_t)1 << from;

	while (todo) {
		int i = 0;

		/* Lowest set bit; not __builtin_ctzll(), a libgcc call on rv64imac. */
		while (!(todo >> i & 1))
			i++;
		seen |= (uint64_t)1 << i;
		todo |= atomic_load_explicit(&after[i], memory_order_relaxed);
		todo &= ~seen;
	}
	return seen & ((uint64_t)1 << to);
}

enum lockdep_verdict lockdep_check_order(struct lock_class *held_cls, struct lock_class *next)
{
	int h = class_index(held_cls), n = class_index(next);

	if (h < 0 || n < 0)
		return LOCKDEP_UNTRACKED;
	if (h == n)
		return LOCKDEP_OK;
	return reaches(n, h) ? LOCKDEP_INVERSION : LOCKDEP_OK;
}

void lockdep_acquire(spinlock_t *lock, bool check)
{
	unsigned long flags = irq_save();
	struct held_locks *mine = this_cpu_ptr(held);
	int n = class_index(lock->class);

	for (unsigned int i = 0; n >= 0 && i < mine->depth; i++) {
		struct lock_class *h = mine->lock[i]->class;
		int hi = class_index(h);

		if (hi < 0 || hi == n || !check)
			continue;
		if (lockdep_check_order(h, lock->class) == LOCKDEP_INVERSION)
			panic("lock order inversion on CPU %u: taking '%s' while holding '%s', "
			      "but '%s' has been taken before '%s'",
			      this_cpu(), lock->class->name, h->name, lock->class->name,
			      h->name);
		atomic_fetch_or_explicit(&after[hi], (uint64_t)1 << n, memory_order_relaxed);
	}
	if (mine->depth == LOCKDEP_MAX_HELD)
		panic("lockdep: CPU %u holds %u locks already; raise LOCKDEP_MAX_HELD",
		      this_cpu(), mine->depth);
	mine->lock[mine->depth++] = lock;
	irq_restore(flags);
}

void lockdep_release(spinlock_t *lock)
{
	unsigned long flags = irq_save();
	struct held_locks *mine = this_cpu_ptr(held);
	unsigned int i = mine->depth;

	/* Usually the last one taken, but locks need not be dropped in order. */
	while (i > 0 && mine->lock[i - 1] != lock)
		i--;
	if (i == 0)
		panic("lockdep: CPU %u drops lock %p (class %s), which it did not take",
		      this_cpu(), (void *)lock, lock->class ? lock->class->name : "(unnamed)");
	for (; i < mine->depth; i++)
		mine->lock[i - 1] = mine->lock[i];
	mine->depth--;
	irq_restore(flags);
}

unsigned int lockdep_depth(void)
{
	return this_cpu_ptr(held)->depth;
}
