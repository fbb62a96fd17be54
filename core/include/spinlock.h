/*
 * spinlock.h - the lock every allocator layer takes, even on one CPU.
 *
 * Taking it from day one means SMP is an addition, not a rewrite.  On a
 * uniprocessor build (CONFIG_NR_CPUS == 1, or unset) a lock that is already
 * held can only mean recursion, which would hang forever, so it panics
 * instead.
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

#if !defined(CONFIG_NR_CPUS) || CONFIG_NR_CPUS == 1
/*
 * One CPU: nothing else can run while the lock is held (no allocator
 * path runs in interrupt context), so the lock is a plain flag and needs
 * no atomic instruction, as on a uniprocessor Linux.  The compiler
 * barriers keep the critical section's accesses between the two stores.
 */
static inline void spin_lock(spinlock_t *lock)
{
	if (lock->locked)
		panic("spinlock %p: recursive lock on a single CPU", (void *)lock);
	lock->locked = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	lock->locked = 0;
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

static inline int spin_is_locked(spinlock_t *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) != 0;
}

#endif /* MMKIT_SPINLOCK_H */
