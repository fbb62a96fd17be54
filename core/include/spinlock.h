/*
 * spinlock.h - the lock every allocator layer takes, even on one CPU.
 *
 * Taking it from day one means SMP is an addition, not a rewrite.  What a
 * lock costs depends on the build, as in Linux:
 *
 *   SMP (CONFIG_NR_CPUS > 1)   an atomic exchange to take it, a release
 *                              store to drop it.
 *   one CPU                    a compiler barrier only: nothing else can
 *                              run while the lock is held (no allocator
 *                              path runs in interrupt context), so there
 *                              is nothing to exclude.
 *   one CPU, DEBUG_SPINLOCK    a flag as well: taking a lock that is
 *                              already held can only be recursion, which
 *                              would hang an SMP kernel forever, so it
 *                              panics instead, naming the lock.
 */
#ifndef MMKIT_SPINLOCK_H
#define MMKIT_SPINLOCK_H

#include <stdint.h>
#include "arch.h"
#include "panic.h"

typedef struct {
	uint32_t locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void spin_lock_init(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELAXED);
}

#if CONFIG_NR_CPUS == 1
/*
 * One CPU.  The compiler barriers keep the critical section's accesses
 * between taking and dropping the lock.
 */
static inline void spin_lock(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	if (lock->locked)
		panic("spinlock %p: recursive lock on a single CPU", (void *)lock);
	lock->locked = 1;
#else
	(void)lock;
#endif
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#ifdef CONFIG_DEBUG_SPINLOCK
	lock->locked = 0;
#else
	(void)lock;
#endif
}
#else
static inline void spin_lock(spinlock_t *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}
#endif

#endif /* MMKIT_SPINLOCK_H */
