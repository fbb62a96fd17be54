/*
 * smp_test.c - the SMP runtime (core/include/smp.h, irq.h, spinlock.h,
 * lockdep.h): CPUs online, cross-CPU calls, ticks, IPIs, interrupt
 * masking, spinlocks (either kind) under contention from every CPU, and
 * the debug lock checks.
 *
 * Other CPUs only record what they saw (per-CPU slots, atomics); every
 * check is made here, on the CPU running the test.  Waits for another CPU
 * have no timeout: a deadlock or a lost wakeup hangs the run, and the host
 * reports the hang (QEMU_TIMEOUT) rather than a pass.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "irq.h"
#include "kerrno.h"
#include "ktest.h"
#include "lockdep.h"
#include "percpu.h"
#include "smp.h"
#include "spinlock.h"

#define TICK_NS (1000000000ull / TICK_HZ)

/* Never more than NR_CPUS, which also tells the compiler the loops below
 * stay inside their NR_CPUS arrays. */
static unsigned int online(void)
{
	unsigned int n = num_online_cpus();

	return n < NR_CPUS ? n : NR_CPUS;
}

#define SKIP_UNLESS_CPUS(t, n)                                                   \
	do {                                                                     \
		if (online() < (n))                                              \
			KT_SKIP(t, "needs " #n " CPUs online");                  \
	} while (0)
#define SKIP_UNLESS_SMP_LOCKS(t)                                                 \
	do {                                                                     \
		if (NR_CPUS == 1)                                                \
			KT_SKIP(t, "NR_CPUS=1: a lock is a compiler barrier");   \
	} while (0)

/* The kit boots the test image with -smp NR_CPUS (the host: NR_CPUS threads). */
static void cpus_online_as_booted(struct ktest *t)
{
	KT_EXPECT_EQ(t, online(), (unsigned int)NR_CPUS);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		KT_EXPECT_EQ(t, cpu_online(cpu), cpu < online());
	KT_EXPECT_FALSE(t, cpu_online(NR_CPUS));
	KT_EXPECT_EQ(t, this_cpu(), 0u);
	KT_EXPECT_TRUE(t, irqs_enabled());
}

/* --- on_each_cpu ---------------------------------------------------------- */

static atomic_uint ran_on[NR_CPUS];
static atomic_uint ran_total;
static atomic_uint irqs_on_in_work;

static void count_me(void *arg)
{
	unsigned int cpu = arch_cpu_id();

	(void)arg;
	if (cpu < NR_CPUS)
		atomic_fetch_add(&ran_on[cpu], 1);
	atomic_fetch_add(&ran_total, 1);
	atomic_fetch_add(&irqs_on_in_work, irqs_enabled());
}

static void reset_counts(void)
{
	for (unsigned int i = 0; i < NR_CPUS; i++)
		atomic_store(&ran_on[i], 0);
	atomic_store(&ran_total, 0);
	atomic_store(&irqs_on_in_work, 0);
}

/* Every online CPU runs it once, under its own dense id, in thread context. */
static void each_cpu_once_with_dense_ids(struct ktest *t)
{
	reset_counts();
	on_each_cpu(count_me, NULL);
	KT_EXPECT_EQ(t, atomic_load(&ran_total), online());
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		KT_EXPECT_EQ(t, atomic_load(&ran_on[cpu]), cpu < online() ? 1u : 0u);
	KT_EXPECT_EQ(t, atomic_load(&irqs_on_in_work), online());
}

/* Over and over: a wakeup lost between the idle loop's check and its wait hangs. */
static void each_cpu_many_rounds(struct ktest *t)
{
	enum { ROUNDS = 300 };

	reset_counts();
	for (unsigned int i = 0; i < ROUNDS; i++)
		on_each_cpu(count_me, NULL);
	KT_EXPECT_EQ(t, atomic_load(&ran_total), ROUNDS * online());
	for (unsigned int cpu = 0; cpu < online(); cpu++)
		KT_EXPECT_EQ(t, atomic_load(&ran_on[cpu]), (unsigned int)ROUNDS);
}

/* --- cross-CPU calls ------------------------------------------------------ */

struct where {
	unsigned int cpu;
	bool irqs;
};

static void whoami(void *arg)
{
	struct where *w = arg;

	w->cpu = arch_cpu_id();
	w->irqs = arch_irqs_enabled();
}

static void call_single_runs_on_target(struct ktest *t)
{
	for (unsigned int cpu = 0; cpu < online(); cpu++) {
		struct where w = { ~0u, true };

		KT_EXPECT_EQ(t, smp_call_function_single(cpu, whoami, &w, true), KERR_OK);
		KT_EXPECT_EQ(t, w.cpu, cpu);
		/* In the IPI handler, or locally with interrupts masked. */
		KT_EXPECT_FALSE(t, w.irqs);
	}
	KT_EXPECT_TRUE(t, irqs_enabled());
	KT_EXPECT_EQ(t, smp_call_function_single(NR_CPUS, whoami, NULL, true), KERR_INVAL);
	if (online() < NR_CPUS)
		KT_EXPECT_EQ(t, smp_call_function_single(online(), whoami, NULL, true),
			     KERR_INVAL);
}

static void call_single_async(struct ktest *t)
{
	enum { ROUNDS = 200 };
	unsigned int sent = 0;

	SKIP_UNLESS_CPUS(t, 2);
	reset_counts();
	for (unsigned int i = 0; i < ROUNDS; i++)
		for (unsigned int cpu = 1; cpu < online(); cpu++) {
			KT_ASSERT_EQ(t, smp_call_function_single(cpu, count_me, NULL, false),
				     KERR_OK);
			sent++;
		}
	while (atomic_load(&ran_total) != sent)
		arch_cpu_relax();
	KT_EXPECT_EQ(t, atomic_load(&ran_on[0]), 0u);
	for (unsigned int cpu = 1; cpu < online(); cpu++)
		KT_EXPECT_EQ(t, atomic_load(&ran_on[cpu]), (unsigned int)ROUNDS);
}

/* smp_call_function_all(): every online CPU but the caller. */
static void call_all_excludes_caller(struct ktest *t)
{
	reset_counts();
	smp_call_function_all(count_me, NULL, true);
	KT_EXPECT_EQ(t, atomic_load(&ran_total), online() - 1);
	KT_EXPECT_EQ(t, atomic_load(&ran_on[0]), 0u);
	for (unsigned int cpu = 1; cpu < online(); cpu++)
		KT_EXPECT_EQ(t, atomic_load(&ran_on[cpu]), 1u);
	KT_EXPECT_EQ(t, atomic_load(&irqs_on_in_work), 0u);
}

static void nothing(void *arg)
{
	(void)arg;
}

/* Each waited-for call is exactly one IPI, and the target counts it. */
static void ipis_arrive_and_are_counted(struct ktest *t)
{
	enum { CALLS = 25 };

	SKIP_UNLESS_CPUS(t, 2);
	for (unsigned int cpu = 1; cpu < online(); cpu++) {
		uint64_t before;

		/*
		 * An IPI sent earlier may still be on its way (a request can
		 * run before its sender's IPI lands).  One waited-for call
		 * first: any such IPI merges with it or is taken before it.
		 */
		smp_call_function_single(cpu, nothing, NULL, true);
		before = irq_count_ipis(cpu);

		for (unsigned int i = 0; i < CALLS; i++)
			smp_call_function_single(cpu, nothing, NULL, true);
		KT_EXPECT_EQ(t, irq_count_ipis(cpu) - before, (uint64_t)CALLS);
	}
	KT_EXPECT_EQ(t, irq_count_nmis(0), 0u);
}

/* --- ticks and interrupt masking ------------------------------------------ */

/*
 * Every CPU ticks, and no faster than TICK_HZ.  The bound: deadlines are
 * at least a period apart on every arch (a late tick re-arms a period
 * later, never sooner), so a window holds at most window / period ticks,
 * plus one whose deadline came before the window but which was taken in
 * it, plus one for the window's ragged ends.  Fewer is fine: a CPU the
 * host did not run misses ticks.
 */
static void every_cpu_ticks(struct ktest *t)
{
	uint64_t start[NR_CPUS] = { 0 }, end[NR_CPUS] = { 0 }, t0 = arch_clock_ns(), t1;
	bool all;

	for (unsigned int cpu = 0; cpu < online(); cpu++)
		start[cpu] = irq_count_ticks(cpu);
	do {
		all = arch_clock_ns() - t0 >= 10 * TICK_NS;
		for (unsigned int cpu = 0; cpu < online(); cpu++)
			all &= irq_count_ticks(cpu) >= start[cpu] + 3;
		arch_cpu_relax();
	} while (!all);
	for (unsigned int cpu = 0; cpu < online(); cpu++)
		end[cpu] = irq_count_ticks(cpu);
	t1 = arch_clock_ns();
	for (unsigned int cpu = 0; cpu < online(); cpu++)
		KT_EXPECT_LE(t, end[cpu] - start[cpu], (t1 - t0) / TICK_NS + 2);
}

static void busy_wait_ns(uint64_t ns)
{
	uint64_t t0 = arch_clock_ns();

	while (arch_clock_ns() - t0 < ns)
		arch_cpu_relax();
}

static void irq_save_restore_nest(struct ktest *t)
{
	unsigned long outer, inner;
	uint64_t ticks;

	KT_ASSERT_TRUE(t, irqs_enabled());
	outer = irq_save();
	KT_EXPECT_FALSE(t, irqs_enabled());
	inner = irq_save();
	KT_EXPECT_FALSE(t, irqs_enabled());
	irq_restore(inner);
	KT_EXPECT_FALSE(t, irqs_enabled());

	/* Masked, the tick does not run here, however long we wait. */
	ticks = irq_count_ticks(0);
	busy_wait_ns(4 * TICK_NS);
	KT_EXPECT_EQ(t, irq_count_ticks(0), ticks);

	irq_restore(outer);
	KT_EXPECT_TRUE(t, irqs_enabled());
	/* Unmasked, the pending tick comes in. */
	while (irq_count_ticks(0) == ticks)
		arch_cpu_relax();

	irq_disable();
	KT_EXPECT_FALSE(t, irqs_enabled());
	outer = irq_save();
	irq_restore(outer);
	KT_EXPECT_FALSE(t, irqs_enabled());
	/* A restore puts back what was saved, whatever happened in between. */
	outer = irq_save();
	irq_enable();
	irq_restore(outer);
	KT_EXPECT_FALSE(t, irqs_enabled());
	irq_enable();
	KT_EXPECT_TRUE(t, irqs_enabled());
}

static atomic_uint hook_runs[NR_CPUS];

static void hook(unsigned int cpu)
{
	if (cpu < NR_CPUS)
		atomic_fetch_add(&hook_runs[cpu], 1);
}

static void other_hook(unsigned int cpu)
{
	(void)cpu;
}

static void tick_hooks_run_everywhere_until_unregistered(struct ktest *t)
{
	unsigned int stopped[NR_CPUS] = { 0 };
	bool all;
	int registered = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		atomic_store(&hook_runs[cpu], 0);
	KT_ASSERT_EQ(t, tick_hook_register(hook), KERR_OK);
	do {
		all = true;
		for (unsigned int cpu = 0; cpu < online(); cpu++)
			all &= atomic_load(&hook_runs[cpu]) >= 2;
		arch_cpu_relax();
	} while (!all);
	tick_hook_unregister(hook);
	for (unsigned int cpu = 0; cpu < online(); cpu++)
		stopped[cpu] = atomic_load(&hook_runs[cpu]);
	busy_wait_ns(4 * TICK_NS);
	for (unsigned int cpu = 0; cpu < online(); cpu++)
		KT_EXPECT_EQ(t, atomic_load(&hook_runs[cpu]), stopped[cpu]);

	/* The slots run out, and come back. */
	while (registered <= TICK_HOOKS_MAX && tick_hook_register(other_hook) == KERR_OK)
		registered++;
	KT_EXPECT_LE(t, registered, TICK_HOOKS_MAX);
	KT_EXPECT_GE(t, registered, 1);
	KT_EXPECT_EQ(t, tick_hook_register(hook), KERR_LIMIT);
	tick_hook_unregister(other_hook);
	KT_EXPECT_EQ(t, tick_hook_register(hook), KERR_OK);
	tick_hook_unregister(hook);
}

/* --- spinlocks ----------------------------------------------------------------- */

static DEFINE_LOCK_CLASS(test_counter_class, "smp_test counter");
static spinlock_t counter_lock = SPINLOCK_INIT_CLASS(&test_counter_class);
static unsigned long counter;           /* plain: only the lock protects it */

/*
 * Few rounds: under multi-threaded TCG with more CPUs than host cores, a
 * contended ticket lock (SPINLOCK_TICKET) is handed over only when the
 * host schedules the vCPU holding the next ticket, which can take a host
 * time slice (a few ms, measured on a 2-core host with 4 CPUs).  These
 * sizes keep the worst case to seconds; what they check does not need
 * more.
 */
enum { LOCK_ROUNDS = 300 };

/*
 * on_each_cpu() wakes the CPUs one after another; a CPU could be through
 * its rounds before the next one wakes.  Meeting first makes them contend.
 */
static atomic_uint arrived;

static void meet_all_cpus(void)
{
	atomic_fetch_add(&arrived, 1);
	while (atomic_load(&arrived) < online())
		arch_cpu_relax();
}

static void add_under_lock(void *arg)
{
	(void)arg;
	meet_all_cpus();
	for (unsigned int i = 0; i < LOCK_ROUNDS; i++) {
		spin_lock(&counter_lock);
		counter++;
		spin_unlock(&counter_lock);
		/* Spread the rounds over a few host time slices, so that CPUs overlap. */
		busy_wait_ns(10000);
	}
}

/* Every CPU at once, LOCK_ROUNDS times each: no increment is lost. */
static void spinlock_excludes(struct ktest *t)
{
	counter = 0;
	atomic_store(&arrived, 0);
	on_each_cpu(add_under_lock, NULL);
	KT_EXPECT_EQ(t, counter, (unsigned long)LOCK_ROUNDS * online());
}

/* The same with interrupts masked, while cross-CPU calls take the lock too. */
enum { IRQ_ROUNDS = 300, CALL_EVERY = 10 };
static atomic_uint calls_done;

static void add_once_irqsave(void *arg)
{
	unsigned long flags = spin_lock_irqsave(&counter_lock);

	(void)arg;
	counter++;
	spin_unlock_irqrestore(&counter_lock, flags);
	atomic_fetch_add(&calls_done, 1);
}

static void add_irqsave_and_call(void *arg)
{
	unsigned int next = (this_cpu() + 1) % online();

	(void)arg;
	meet_all_cpus();
	for (unsigned int i = 1; i <= IRQ_ROUNDS; i++) {
		unsigned long flags = spin_lock_irqsave(&counter_lock);

		counter++;
		spin_unlock_irqrestore(&counter_lock, flags);
		if (i % CALL_EVERY == 0)
			smp_call_function_single(next, add_once_irqsave, NULL, false);
	}
}

static void irqsave_lock_against_ipis(struct ktest *t)
{
	unsigned int calls = online() * (IRQ_ROUNDS / CALL_EVERY);

	counter = 0;
	atomic_store(&calls_done, 0);
	atomic_store(&arrived, 0);
	on_each_cpu(add_irqsave_and_call, NULL);
	while (atomic_load(&calls_done) != calls)
		arch_cpu_relax();
	KT_EXPECT_EQ(t, counter, (unsigned long)online() * IRQ_ROUNDS + calls);
}

#if NR_CPUS > 1
static DEFINE_LOCK_CLASS(fifo_class, "smp_test fifo");
static spinlock_t fifo_lock = SPINLOCK_INIT_CLASS(&fifo_class);
static atomic_uint fifo_order[NR_CPUS];
static atomic_uint fifo_next;
static atomic_uint fifo_done;   /* counted after the order is written, so it can be read */

static void take_fifo_lock(void *arg)
{
	(void)arg;
	spin_lock(&fifo_lock);          /* waits in the IPI handler, interrupts masked */
	atomic_store(&fifo_order[atomic_fetch_add(&fifo_next, 1)], this_cpu());
	atomic_fetch_add(&fifo_done, 1);
	spin_unlock(&fifo_lock);
}

static void wait_contended(uint64_t n)
{
	while (lock_class_contended(&fifo_class) < n)
		arch_cpu_relax();
}
#endif

/*
 * A held lock: CPU 1 asks for it, then CPU 2.  Each waiter is counted once
 * against the class as it starts waiting, and both get the lock: in the
 * order they asked with tickets (a ticket lock is fair), in either order
 * with test and set.
 */
static void contention_counted_and_served(struct ktest *t)
{
	SKIP_UNLESS_SMP_LOCKS(t);
#if NR_CPUS > 1
	uint64_t base;
	bool got;

	SKIP_UNLESS_CPUS(t, 3);
	base = lock_class_contended(&fifo_class);
	atomic_store(&fifo_next, 0);
	atomic_store(&fifo_done, 0);
	spin_lock(&fifo_lock);
	smp_call_function_single(1, take_fifo_lock, NULL, false);
	wait_contended(base + 1);
	smp_call_function_single(2, take_fifo_lock, NULL, false);
	wait_contended(base + 2);
	KT_EXPECT_EQ(t, atomic_load(&fifo_next), 0u);
	spin_unlock(&fifo_lock);
	while (atomic_load(&fifo_done) != 2)
		arch_cpu_relax();
	if (IS_ENABLED(CONFIG_SPINLOCK_TICKET)) {
		KT_EXPECT_EQ(t, atomic_load(&fifo_order[0]), 1u);
		KT_EXPECT_EQ(t, atomic_load(&fifo_order[1]), 2u);
	} else {
		KT_EXPECT_EQ(t, atomic_load(&fifo_order[0]) + atomic_load(&fifo_order[1]), 3u);
		KT_EXPECT_NE(t, atomic_load(&fifo_order[0]), atomic_load(&fifo_order[1]));
	}
	KT_EXPECT_EQ(t, lock_class_contended(&fifo_class), base + 2);

	/* A trylock fails while the lock is held and succeeds once it is not. */
	spin_lock(&fifo_lock);
	got = spin_trylock(&fifo_lock);
	KT_EXPECT_FALSE(t, got);
	if (got)
		spin_unlock(&fifo_lock);
	spin_unlock(&fifo_lock);
	got = spin_trylock(&fifo_lock);
	KT_EXPECT_TRUE(t, got);
	if (got)
		spin_unlock(&fifo_lock);
#endif
}

/* --- debug checks ---------------------------------------------------------------- */

#if NR_CPUS > 1 && defined(CONFIG_DEBUG_SPINLOCK)
static DEFINE_LOCK_CLASS(class_a, "smp_test A");
static DEFINE_LOCK_CLASS(class_b, "smp_test B");
static DEFINE_LOCK_CLASS(class_c, "smp_test C");
static spinlock_t lock_a = SPINLOCK_INIT_CLASS(&class_a);
static spinlock_t lock_b = SPINLOCK_INIT_CLASS(&class_b);
static spinlock_t lock_c = SPINLOCK_INIT_CLASS(&class_c);

struct verdicts {
	enum spin_verdict lock, unlock;
	enum lockdep_verdict order;
};

static void check_from_here(void *arg)
{
	struct verdicts *v = arg;

	v->lock = spin_check_lock(&lock_a);
	v->unlock = spin_check_unlock(&lock_a);
	v->order = lockdep_check_order(&class_b, &class_a);
}
#endif

#ifdef CONFIG_DEBUG_SPINLOCK
#define IS_DEBUG_SPINLOCK 1
#else
#define IS_DEBUG_SPINLOCK 0
#endif
#define SKIP_UNLESS_DEBUG_LOCKS(t)                                                     \
	do {                                                                           \
		if (NR_CPUS == 1)                                                      \
			KT_SKIP(t, "NR_CPUS=1: one CPU keeps no owner or order");      \
		if (!IS_DEBUG_SPINLOCK)                                                \
			KT_SKIP(t, "needs DEBUG_SPINLOCK");                            \
	} while (0)

/* The owner is recorded; recursion and a release by another CPU are caught. */
static void owner_checks(struct ktest *t)
{
	SKIP_UNLESS_DEBUG_LOCKS(t);
#if NR_CPUS > 1 && defined(CONFIG_DEBUG_SPINLOCK)
	struct verdicts remote = { SPIN_OK, SPIN_OK, LOCKDEP_OK };

	KT_EXPECT_EQ(t, spin_lock_holder(&lock_a), 0u);
	KT_EXPECT_EQ(t, (int)spin_check_unlock(&lock_a), SPIN_NOT_HELD);
	KT_EXPECT_EQ(t, (int)spin_check_lock(&lock_a), SPIN_OK);
	spin_lock(&lock_a);
	KT_EXPECT_EQ(t, spin_lock_holder(&lock_a), this_cpu() + 1);
	KT_EXPECT_EQ(t, (int)spin_check_lock(&lock_a), SPIN_RECURSION);
	KT_EXPECT_EQ(t, (int)spin_check_unlock(&lock_a), SPIN_OK);
	KT_EXPECT_EQ(t, lockdep_depth(), 1u);
	if (online() >= 2) {
		smp_call_function_single(1, check_from_here, &remote, true);
		KT_EXPECT_EQ(t, (int)remote.lock, SPIN_OK);          /* it would just wait */
		KT_EXPECT_EQ(t, (int)remote.unlock, SPIN_NOT_OWNER);
	}
	spin_unlock(&lock_a);
	KT_EXPECT_EQ(t, spin_lock_holder(&lock_a), 0u);
	KT_EXPECT_EQ(t, lockdep_depth(), 0u);
#endif
}

/* Orders are learnt from use; the reverse, even through a third class, is an inversion. */
static void lockdep_finds_inversions(struct ktest *t)
{
	SKIP_UNLESS_DEBUG_LOCKS(t);
#if NR_CPUS > 1 && defined(CONFIG_DEBUG_SPINLOCK)
	static DEFINE_LOCK_CLASS(fresh_a, "smp_test fresh A");
	static DEFINE_LOCK_CLASS(fresh_b, "smp_test fresh B");
	spinlock_t unnamed = SPINLOCK_INIT;

	/* Nothing learnt yet: any order is fine. */
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&fresh_a, &fresh_b), LOCKDEP_OK);
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&fresh_b, &fresh_a), LOCKDEP_OK);

	spin_lock(&lock_a);
	spin_lock(&lock_b);             /* learns A before B */
	spin_unlock(&lock_b);
	spin_unlock(&lock_a);
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&class_a, &class_b), LOCKDEP_OK);
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&class_b, &class_a), LOCKDEP_INVERSION);

	spin_lock(&lock_b);
	spin_lock(&lock_c);             /* B before C, so A before C too */
	spin_unlock(&lock_c);
	spin_unlock(&lock_b);
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&class_c, &class_b), LOCKDEP_INVERSION);
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&class_c, &class_a), LOCKDEP_INVERSION);
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&class_a, &class_c), LOCKDEP_OK);
	/* One class nested in itself is not ordered; no class, no order. */
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&class_a, &class_a), LOCKDEP_OK);
	KT_EXPECT_EQ(t, (int)lockdep_check_order(&class_a, NULL), LOCKDEP_UNTRACKED);

	/* Learnt on one CPU, known on all: the graph is shared. */
	if (online() >= 2) {
		struct verdicts remote = { SPIN_OK, SPIN_OK, LOCKDEP_OK };

		smp_call_function_single(1, check_from_here, &remote, true);
		KT_EXPECT_EQ(t, (int)remote.order, LOCKDEP_INVERSION);
	}

	/* A lock without a class takes no part, held or taken. */
	spin_lock(&unnamed);
	spin_lock(&lock_a);
	spin_unlock(&lock_a);
	spin_unlock(&unnamed);
	spin_lock(&lock_c);
	spin_lock(&unnamed);
	spin_unlock(&unnamed);
	spin_unlock(&lock_c);
	KT_EXPECT_EQ(t, lockdep_depth(), 0u);
#endif
}

#ifdef CONFIG_TEST_LOCK_INVERSION
/* Kconfig TEST_LOCK_INVERSION: B then A after A then B; lockdep panics. */
static void lock_inversion(struct ktest *t)
{
	static DEFINE_LOCK_CLASS(first, "inversion first");
	static DEFINE_LOCK_CLASS(second, "inversion second");
	static spinlock_t x = SPINLOCK_INIT_CLASS(&first);
	static spinlock_t y = SPINLOCK_INIT_CLASS(&second);

	(void)t;
	spin_lock(&x);
	spin_lock(&y);
	spin_unlock(&y);
	spin_unlock(&x);
	spin_lock(&y);
	spin_lock(&x);          /* panics here */
	spin_unlock(&x);
	spin_unlock(&y);
}
#endif

#ifdef CONFIG_TEST_PANIC
/*
 * Kconfig TEST_PANIC, with TEST_FILTER=smp.panic_on_another_cpu: CPU 1
 * panics while this CPU spins with interrupts disabled.  The panic must
 * still be reported, and the run end, rather than hang; on x86_64 the NMI
 * stops this CPU (on riscv64 the panicking CPU gives up waiting after a
 * second).
 */
static atomic_uint masked_and_spinning;

static void panic_elsewhere(void *arg)
{
	(void)arg;
	while (!atomic_load(&masked_and_spinning))
		arch_cpu_relax();
	panic("deliberate panic on CPU %u (CONFIG_TEST_PANIC)", this_cpu());
}

static void panic_on_another_cpu(struct ktest *t)
{
	SKIP_UNLESS_CPUS(t, 2);
	smp_call_function_single(1, panic_elsewhere, NULL, false);
	irq_disable();
	atomic_store(&masked_and_spinning, 1);
	for (;;)
		arch_cpu_relax();
}
#endif

static const struct ktest_case smp_cases[] = {
	KTEST_CASE(cpus_online_as_booted),
	KTEST_CASE(each_cpu_once_with_dense_ids),
	KTEST_CASE(each_cpu_many_rounds),
	KTEST_CASE(call_single_runs_on_target),
	KTEST_CASE(call_single_async),
	KTEST_CASE(call_all_excludes_caller),
	KTEST_CASE(ipis_arrive_and_are_counted),
	KTEST_CASE(every_cpu_ticks),
	KTEST_CASE(irq_save_restore_nest),
	KTEST_CASE(tick_hooks_run_everywhere_until_unregistered),
	KTEST_CASE(spinlock_excludes),
	KTEST_CASE(irqsave_lock_against_ipis),
	KTEST_CASE(contention_counted_and_served),
	KTEST_CASE(owner_checks),
	KTEST_CASE(lockdep_finds_inversions),
#ifdef CONFIG_TEST_LOCK_INVERSION
	KTEST_CASE(lock_inversion),
#endif
#ifdef CONFIG_TEST_PANIC
	KTEST_CASE(panic_on_another_cpu),
#endif
	{ 0 },
};
KTEST_SUITE(smp, smp_cases);
