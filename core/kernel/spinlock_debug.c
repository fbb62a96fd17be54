/*
 * spinlock_debug.c - Kconfig DEBUG_SPINLOCK with more than one CPU: each
 * lock records which CPU holds it, so that recursion and a release by
 * the wrong CPU are caught, and lockdep (lockdep.c) sees every lock taken.
 *
 * Every mistake panics, naming the lock and its class: on SMP, recursion
 * would hang the CPU forever, and a release by a CPU that does not hold
 * the lock hands it to a waiter while its holder is still inside.
 * spin_check_lock() / spin_check_unlock() return the verdict without
 * panicking, for the tests.
 */
#include <stdatomic.h>

#include "lockdep.h"
#include "panic.h"
#include "percpu.h"
#include "spinlock.h"

static const char *class_name(const spinlock_t *lock)
{
	return lock->class ? lock->class->name : "(unnamed)";
}

enum spin_verdict spin_check_lock(const spinlock_t *lock)
{
	return spin_lock_holder(lock) == this_cpu() + 1 ? SPIN_RECURSION : SPIN_OK;
}

enum spin_verdict spin_check_unlock(const spinlock_t *lock)
{
	unsigned int holder = spin_lock_holder(lock);

	if (holder == 0)
		return SPIN_NOT_HELD;
	return holder == this_cpu() + 1 ? SPIN_OK : SPIN_NOT_OWNER;
}

void spin_debug_lock(spinlock_t *lock, bool trylock)
{
	/* Only this CPU ever sets holder to itself: no race in the check. */
	if (!trylock && spin_check_lock(lock) == SPIN_RECURSION)
		panic("spinlock %p (class %s): recursive lock on CPU %u",
		      (void *)lock, class_name(lock), this_cpu());
	lockdep_acquire(lock, !trylock);
}

void spin_debug_locked(spinlock_t *lock)
{
	atomic_store_explicit(&lock->holder, this_cpu() + 1, memory_order_relaxed);
}

void spin_debug_unlock(spinlock_t *lock)
{
	switch (spin_check_unlock(lock)) {
	case SPIN_OK:
		break;
	case SPIN_NOT_HELD:
		panic("spinlock %p (class %s): unlocked on CPU %u but not locked",
		      (void *)lock, class_name(lock), this_cpu());
	default:
		panic("spinlock %p (class %s): unlocked on CPU %u but held by CPU %u",
		      (void *)lock, class_name(lock), this_cpu(), spin_lock_holder(lock) - 1);
	}
	atomic_store_explicit(&lock->holder, 0, memory_order_relaxed);
	lockdep_release(lock);
}
