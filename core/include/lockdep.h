/*
 * lockdep.h - lock-order checking between lock classes (Kconfig
 * DEBUG_SPINLOCK with more than one CPU), a small version of Linux's.
 *
 * Two CPUs deadlock when one holds a lock of class A and waits for one of
 * class B while the other holds a B and waits for an A.  That needs both
 * orders to happen, though rarely at the same moment, so lockdep catches
 * the second order the first time it is used, on any CPU, hang or not:
 * every time a lock is taken, the classes the CPU already holds are
 * recorded as coming before the new one; taking a class that some held
 * class already comes after, directly or through others (A before B
 * before C, then C held while taking A), is an inversion, and spin_lock()
 * panics naming both classes.  The check happens before the wait, so the
 * report comes instead of the deadlock.
 *
 * Locks without a class (SPINLOCK_INIT) are not ordered.  Taking two locks
 * of one class nested is not checked either (it needs the nesting
 * annotations Linux has; nothing here nests them).
 */
#ifndef MMKIT_LOCKDEP_H
#define MMKIT_LOCKDEP_H

#include <stdbool.h>

#include "spinlock.h"

#if CONFIG_NR_CPUS > 1 && defined(CONFIG_DEBUG_SPINLOCK)

/* Classes lockdep can order (more are listed but not ordered), and how
 * many locks one CPU may hold at once (more is a panic). */
#define LOCKDEP_MAX_CLASSES 64
#define LOCKDEP_MAX_HELD 16

enum lockdep_verdict {
	LOCKDEP_OK,
	LOCKDEP_INVERSION,      /* @next is already known to come before @held */
	LOCKDEP_UNTRACKED,      /* no class, or past LOCKDEP_MAX_CLASSES */
};

/*
 * Would taking a lock of class @next while holding one of class @held
 * invert an order seen before?  Records nothing.
 */
enum lockdep_verdict lockdep_check_order(struct lock_class *held, struct lock_class *next);

/* Called by the spinlock debug code around taking and dropping @lock on
 * this CPU; @check is false for a trylock, which cannot deadlock. */
void lockdep_acquire(spinlock_t *lock, bool check);
void lockdep_release(spinlock_t *lock);

/* How many locks the calling CPU holds, as lockdep sees it. */
unsigned int lockdep_depth(void);

#endif

#endif /* MMKIT_LOCKDEP_H */
