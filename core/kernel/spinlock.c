/*
 * spinlock.c - the slow half of the SMP spinlock (core/include/spinlock.h):
 * waiting for the lock (for a free lock, or for one's ticket), and the
 * contention figures per lock class.
 *
 * Only built with more than one CPU.  The fast path is inline; a CPU gets
 * here only when the lock was taken, so this is where a contention is
 * counted, and where a CPU that another one asked to stop (panic, end of
 * run) stops even with interrupts disabled.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "arch.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"

/* Contentions of locks made with plain SPINLOCK_INIT. */
static struct lock_class unnamed_class = LOCK_CLASS_INIT("(unnamed)");

/* Every class seen, newest first; entries are never removed. */
static _Atomic(struct lock_class *) classes;
/* Ids handed out so far (lockdep orders classes by id). */
static atomic_uint nr_ids;

void lock_class_list(struct lock_class *cls)
{
	int state = 0;

	if (atomic_load_explicit(&cls->listed, memory_order_acquire) == 2)
		return;
	if (!atomic_compare_exchange_strong_explicit(&cls->listed, &state, 1,
						     memory_order_acquire,
						     memory_order_acquire)) {
		/* Another CPU is listing it; its id is usable once it is done. */
		while (atomic_load_explicit(&cls->listed, memory_order_acquire) != 2)
			arch_cpu_relax();
		return;
	}
	cls->id = atomic_fetch_add_explicit(&nr_ids, 1, memory_order_relaxed) + 1;
	cls->next = atomic_load_explicit(&classes, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&classes, &cls->next, cls,
						      memory_order_release,
						      memory_order_relaxed))
		;
	atomic_store_explicit(&cls->listed, 2, memory_order_release);
}

/* One contention against @lock's class. */
static void count_contention(spinlock_t *lock)
{
	struct lock_class *cls = lock->class ? lock->class : &unnamed_class;

	lock_class_list(cls);
	atomic_fetch_add_explicit(&cls->contended, 1, memory_order_relaxed);
}

/*
 * A CPU asked to stop while spinning with interrupts disabled would never
 * take the IPI (riscv64 has no NMI): it stops here.  It does not hold the
 * lock (nor, with tickets, the turn), so nobody waits for it.
 */
static void stop_if_asked(void)
{
	if (unlikely(smp_stop_requested()))
		smp_stop_self();
}

#ifdef CONFIG_SPINLOCK_TICKET
void spin_lock_wait(spinlock_t *lock, unsigned int ticket)
{
	count_contention(lock);
	while (atomic_load_explicit(&lock->owner, memory_order_acquire) != ticket) {
		stop_if_asked();
		arch_cpu_relax();
	}
}
#else
void spin_lock_wait(spinlock_t *lock)
{
	count_contention(lock);
	for (;;) {
		/* Read until free, then one exchange: a held lock's line stays shared. */
		while (atomic_load_explicit(&lock->locked, memory_order_relaxed)) {
			stop_if_asked();
			arch_cpu_relax();
		}
		if (!atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire))
			return;
	}
}
#endif

void lock_stats_print(void)
{
	struct lock_class *sorted[64];
	unsigned int n = 0;
	uint64_t total = 0;

	for (struct lock_class *c = atomic_load_explicit(&classes, memory_order_acquire);
	     c && n < 64; c = c->next) {
		uint64_t mine = lock_class_contended(c);
		unsigned int i = n++;

		if (!mine) {
			n--;
			continue;
		}
		/* Insertion sort, busiest first: there are few classes. */
		while (i > 0 && lock_class_contended(sorted[i - 1]) < mine) {
			sorted[i] = sorted[i - 1];
			i--;
		}
		sorted[i] = c;
		total += mine;
	}
	for (unsigned int i = 0; i < n; i++)
		printk("mmkit: lock contention: %llu %s\n",
		       (unsigned long long)lock_class_contended(sorted[i]), sorted[i]->name);
	printk("mmkit: lock contention: %llu in all, %u contended class(es)\n",
	       (unsigned long long)total, n);
}
