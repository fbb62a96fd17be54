/*
 * spinlock.h - the lock every allocator layer takes, even on one CPU.
 *
 * Taking it from day one means SMP is an addition, not a rewrite.  What a
 * lock costs depends on the build, as in Linux:
 *
 *   SMP (CONFIG_NR_CPUS > 1)   the kind Kconfig chose (arch/Kconfig.machine):
 *     SPINLOCK_TAS (default)   test and set: an atomic exchange takes a
 *                              free lock, a waiter reads it until it is
 *                              free and tries again, a release store
 *                              frees it.  Unfair, but a descheduled
 *                              waiter (a vCPU the host is not running)
 *                              holds nobody up.
 *     SPINLOCK_TICKET          a ticket lock: an atomic add takes a
 *                              ticket, the lock is yours when the ticket
 *                              being served is yours, and a release store
 *                              serves the next.  Fair: CPUs get the lock
 *                              in the order they asked.
 *                              Either way a CPU that had to wait counts
 *                              one contention against the lock's class
 *                              (below).
 *   one CPU                    a compiler barrier only: nothing else can
 *                              run while the lock is held (without SMP
 *                              nothing runs in interrupt context; with
 *                              it, a lock a handler takes too is taken
 *                              with interrupts off: spin_lock_irqsafe()),
 *                              so there is nothing to exclude.
 *   one CPU, DEBUG_SPINLOCK    a flag as well: taking a lock that is
 *                              already held can only be recursion, which
 *                              would hang an SMP kernel forever, so it
 *                              panics instead, naming the lock.
 *   SMP, DEBUG_SPINLOCK        the owner CPU is recorded: taking a lock
 *                              the CPU already holds (recursion) and
 *                              dropping one it does not hold panic, and
 *                              lockdep (core/include/lockdep.h) checks the
 *                              order in which lock classes are taken.
 *
 * A lock class names a kind of lock, for the contention figures and for
 * lockdep.  DEFINE_SPINLOCK(x), at file scope, makes a lock with a class
 * of its own named "x"; spin_lock_init(lock) gives every lock initialised
 * at that call site one class named after it (as Linux's lockdep keys
 * dynamic locks); spin_lock_init_class() and SPINLOCK_INIT_CLASS() take a
 * class made with DEFINE_LOCK_CLASS().  A lock made with plain
 * SPINLOCK_INIT has no class: its contentions count as "(unnamed)" and
 * lockdep does not order it.  On one CPU classes cost nothing (there is
 * no contention and no order to check).
 *
 * spin_lock_irqsave() also masks interrupts on this CPU (core/include/
 * irq.h): for a lock an interrupt handler takes too.
 */
#ifndef MMKIT_SPINLOCK_H
#define MMKIT_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "compiler.h"
#include "irq.h"
#include "panic.h"

#if CONFIG_NR_CPUS == 1
typedef struct {
	uint32_t locked;
#ifdef CONFIG_SMP
	unsigned long irqflags;         /* spin_lock_irqsafe()'s holder's */
#endif
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void spin_lock_init(spinlock_t *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELAXED);
}

/* One CPU: a class is only a name, and nothing keeps it. */
struct lock_class {
	const char *name;
};

/* unused: SPINLOCK_INIT_CLASS() drops the class on one CPU. */
#define DEFINE_LOCK_CLASS(var, cname) struct lock_class var __attribute__((unused)) = { cname }
#define SPINLOCK_INIT_CLASS(cls) SPINLOCK_INIT
#define DEFINE_SPINLOCK(x) spinlock_t x = SPINLOCK_INIT

static inline void spin_lock_init_class(spinlock_t *lock, struct lock_class *cls)
{
	(void)cls;
	spin_lock_init(lock);
}

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

static inline bool spin_trylock(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	if (lock->locked)
		return false;
#endif
	spin_lock(lock);
	return true;
}
#else /* CONFIG_NR_CPUS > 1 */
#include <stdatomic.h>

#include "percpu.h"

struct lock_class {
	const char *name;
	/* Acquisitions that found the lock taken and had to wait. */
	atomic_uint_least64_t contended;
	/* Listed once seen (spinlock.c): 0 new, 1 being listed, 2 listed. */
	atomic_int listed;
	struct lock_class *next;        /* in the list of classes seen */
	unsigned int id;                /* lockdep's index, 0 = untracked */
};

#define LOCK_CLASS_INIT(cname) { .name = (cname) }
#define DEFINE_LOCK_CLASS(var, cname) struct lock_class var = LOCK_CLASS_INIT(cname)

typedef struct {
#ifdef CONFIG_SPINLOCK_TICKET
	atomic_uint next;               /* the next ticket to hand out */
	atomic_uint owner;              /* the ticket being served */
#else
	atomic_uint locked;             /* 1 while held */
#endif
	struct lock_class *class;       /* NULL: "(unnamed)" */
	unsigned long irqflags;         /* spin_lock_irqsafe()'s holder's */
#ifdef CONFIG_DEBUG_SPINLOCK
	atomic_uint holder;             /* CPU + 1 holding it, 0 when free */
#endif
} spinlock_t;

#define SPINLOCK_INIT { .class = NULL }
#define SPINLOCK_INIT_CLASS(cls) { .class = (cls) }
/* File scope only: the class is a compound literal, static there. */
#define DEFINE_SPINLOCK(x) \
	spinlock_t x = SPINLOCK_INIT_CLASS(&(struct lock_class)LOCK_CLASS_INIT(#x))

static inline void spin_lock_init_class(spinlock_t *lock, struct lock_class *cls)
{
#ifdef CONFIG_SPINLOCK_TICKET
	atomic_store_explicit(&lock->next, 0, memory_order_relaxed);
	atomic_store_explicit(&lock->owner, 0, memory_order_relaxed);
#else
	atomic_store_explicit(&lock->locked, 0, memory_order_relaxed);
#endif
	lock->class = cls;
#ifdef CONFIG_DEBUG_SPINLOCK
	atomic_store_explicit(&lock->holder, 0, memory_order_relaxed);
#endif
}

/* One class per call site, named after it. */
#define spin_lock_init(lock)                                                     \
	spin_lock_init_class((lock), ({                                          \
		static struct lock_class spin_class_ =                           \
			LOCK_CLASS_INIT(#lock " (" __FILE__ ")");                \
		&spin_class_;                                                    \
	}))

/*
 * Out of line (core/kernel/spinlock.c): the wait, which counts a
 * contention; returns holding the lock.
 */
#ifdef CONFIG_SPINLOCK_TICKET
void spin_lock_wait(spinlock_t *lock, unsigned int ticket);
#else
void spin_lock_wait(spinlock_t *lock);
#endif

#ifdef CONFIG_DEBUG_SPINLOCK
/* core/kernel/spinlock_debug.c: the checks around taking and dropping. */
void spin_debug_lock(spinlock_t *lock, bool trylock);
void spin_debug_locked(spinlock_t *lock);
void spin_debug_unlock(spinlock_t *lock);

/* What spin_lock() / spin_unlock() would find wrong on this CPU, without
 * panicking: the tests ask these directly. */
enum spin_verdict {
	SPIN_OK,
	SPIN_RECURSION,         /* this CPU holds it already */
	SPIN_NOT_HELD,          /* dropping a lock nobody holds */
	SPIN_NOT_OWNER,         /* dropping a lock another CPU holds */
};
enum spin_verdict spin_check_lock(const spinlock_t *lock);
enum spin_verdict spin_check_unlock(const spinlock_t *lock);

/* The CPU holding @lock plus one, 0 when free. */
static inline unsigned int spin_lock_holder(const spinlock_t *lock)
{
	return atomic_load_explicit(&((spinlock_t *)lock)->holder, memory_order_relaxed);
}
#endif

/*
 * The lock itself, without the debug checks: take, try, drop.  One kind
 * or the other, as Kconfig chose; spin_lock() and friends below add the
 * checks around either.
 */
#ifdef CONFIG_SPINLOCK_TICKET
static inline void arch_spin_take(spinlock_t *lock)
{
	/* Relaxed: ordering comes from the acquire load that sees our turn. */
	unsigned int ticket = atomic_fetch_add_explicit(&lock->next, 1, memory_order_relaxed);

	if (unlikely(atomic_load_explicit(&lock->owner, memory_order_acquire) != ticket))
		spin_lock_wait(lock, ticket);
}

/*
 * Only when no one holds it or waits: the ticket being served is also the
 * next to hand out, and we take that one.  If next still equals the owner
 * value read (acquire, pairing with the last unlock) when the exchange
 * happens, no ticket was handed out in between, so that was the lock's
 * state all along.
 */
static inline bool arch_spin_try(spinlock_t *lock)
{
	unsigned int owner = atomic_load_explicit(&lock->owner, memory_order_acquire);
	unsigned int expected = owner;

	return atomic_compare_exchange_strong_explicit(&lock->next, &expected, owner + 1,
						       memory_order_relaxed, memory_order_relaxed);
}

static inline void arch_spin_drop(spinlock_t *lock)
{
	/* Only the holder writes owner, so a plain read of it is enough. */
	unsigned int owner = atomic_load_explicit(&lock->owner, memory_order_relaxed);

	atomic_store_explicit(&lock->owner, owner + 1, memory_order_release);
}
#else /* SPINLOCK_TAS */
static inline void arch_spin_take(spinlock_t *lock)
{
	/* Acquire: the critical section starts after the exchange that took it. */
	if (unlikely(atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire)))
		spin_lock_wait(lock);
}

/* Only when it is free; a read first, so a held lock's line is not written. */
static inline bool arch_spin_try(spinlock_t *lock)
{
	return !atomic_load_explicit(&lock->locked, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire);
}

static inline void arch_spin_drop(spinlock_t *lock)
{
	atomic_store_explicit(&lock->locked, 0, memory_order_release);
}
#endif /* SPINLOCK_TICKET */

static inline void spin_lock(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	spin_debug_lock(lock, false);
#endif
	arch_spin_take(lock);
#ifdef CONFIG_DEBUG_SPINLOCK
	spin_debug_locked(lock);
#endif
}

static inline bool spin_trylock(spinlock_t *lock)
{
	if (!arch_spin_try(lock))
		return false;
#ifdef CONFIG_DEBUG_SPINLOCK
	spin_debug_lock(lock, true);
	spin_debug_locked(lock);
#endif
	return true;
}

static inline void spin_unlock(spinlock_t *lock)
{
#ifdef CONFIG_DEBUG_SPINLOCK
	spin_debug_unlock(lock);
#endif
	arch_spin_drop(lock);
}

/* Contentions counted against @cls since boot. */
static inline uint64_t lock_class_contended(struct lock_class *cls)
{
	return atomic_load_explicit(&cls->contended, memory_order_relaxed);
}

/* Put @cls on the list lock_stats_print() walks (done on first contention). */
void lock_class_list(struct lock_class *cls);

/*
 * One console line per lock class that ever had to wait, busiest first:
 * "mmkit: lock contention: <count> <class>" (then a total line).
 */
void lock_stats_print(void);
#endif /* CONFIG_NR_CPUS */

static inline unsigned long spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = irq_save();

	spin_lock(lock);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock(lock);
	irq_restore(flags);
}

/*
 * spin_lock_irqsave() for a lock taken from interrupt context somewhere
 * (an allocator's: GFP_ATOMIC from a tick hook, a cross-CPU flush in an
 * IPI handler), whose holder keeps the interrupt state in the lock: only
 * the holder touches it, and taking and dropping may be in different
 * functions.  Every acquisition of such a lock must be one of these, or an
 * interrupt on the holder's CPU could spin on it for ever.  Without SMP
 * interrupts are never on, and these are spin_lock() and spin_unlock().
 */
static inline void spin_lock_irqsafe(spinlock_t *lock)
{
#ifdef CONFIG_SMP
	unsigned long flags = irq_save();

	spin_lock(lock);
	lock->irqflags = flags;
#else
	spin_lock(lock);
#endif
}

static inline void spin_unlock_irqsafe(spinlock_t *lock)
{
#ifdef CONFIG_SMP
	unsigned long flags = lock->irqflags;

	spin_unlock(lock);
	irq_restore(flags);
#else
	spin_unlock(lock);
#endif
}

#endif /* MMKIT_SPINLOCK_H */
