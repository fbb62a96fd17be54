/*
 * preload_lock.c - the lock around the allocator, and what fork() needs.
 *
 * A futex mutex (Drepper, "Futexes Are Tricky", mutex 2): 0 free, 1 held,
 * 2 held with waiters.  Uncontended, taking and dropping it is one atomic
 * each and no system call; a waiter spins briefly, then sleeps in the
 * kernel.  Not pthread_mutex: that is fine too in glibc 2.34 and later,
 * but a lock of our own has no initialisation to get wrong before the C
 * library has started.
 *
 * fork(): the child has one thread, a copy of the caller.  If another
 * thread held the lock at the time, the child's copy of the allocator is
 * in the middle of a change it can never finish.  So the prepare handler
 * takes the lock (the allocator is consistent while it is held) and both
 * sides drop it after; the child also forgets any waiters, which are not
 * in it.  The handlers are registered by a constructor: pthread_atfork()
 * may allocate, so it cannot run inside malloc() under the lock.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

#define SPINS 100

static int lock_word;

/* Is this thread inside the allocator?  Catches re-entry (a signal handler's malloc). */
static __thread int inside __attribute__((tls_model("initial-exec")));

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void futex(int op, int val)
{
	int saved = errno;

	syscall(SYS_futex, &lock_word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
	errno = saved;
}

static int cas(int expect, int desired)
{
	__atomic_compare_exchange_n(&lock_word, &expect, desired, false, __ATOMIC_ACQUIRE,
				    __ATOMIC_RELAXED);
	return expect;
}

static __attribute__((noinline)) void lock_slow(void)
{
	int c;

	for (int i = 0; i < SPINS; i++) {
		if (__atomic_load_n(&lock_word, __ATOMIC_RELAXED) == 0 && cas(0, 1) == 0)
			return;
		relax();
	}
	c = cas(0, 2);
	while (c != 0) {
		futex(FUTEX_WAIT, 2);
		c = __atomic_exchange_n(&lock_word, 2, __ATOMIC_ACQUIRE);
	}
}

void preload_lock(void)
{
	if (__builtin_expect(inside, 0))
		preload_fatal("mmkit: malloc re-entered from inside the allocator "
			      "(from a signal handler?)\n");
	if (__builtin_expect(cas(0, 1) != 0, 0))
		lock_slow();
	inside = 1;
}

void preload_unlock(void)
{
	inside = 0;
	if (__builtin_expect(__atomic_exchange_n(&lock_word, 0, __ATOMIC_RELEASE) == 2, 0))
		futex(FUTEX_WAKE, 1);
}

static void before_fork(void)
{
	preload_lock();
}

static void after_fork_parent(void)
{
	preload_unlock();
}

static void after_fork_child(void)
{
	inside = 0;
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void register_fork_handlers(void)
{
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
