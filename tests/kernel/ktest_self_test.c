/*
 * ktest_self_test.c - checks of the test framework itself, and the
 * deliberate failures (Test menu) that prove the host notices a failing
 * case, a panic (also one from DEBUG_SPINLOCK) and a hang.
 */
#include <stddef.h>

#include "ktest.h"
#include "mm.h"
#include "panic.h"
#include "spinlock.h"

/* A check that fails must mark the case failed; one that passes must not. */
static void checks_record_outcome(struct ktest *t)
{
	struct ktest probe = { .name = "probe", .status = KTEST_PASS };
	int x = 3;

	KT_EXPECT_TRUE(t, ktest_check_int(&probe, x == 3, __FILE__, __LINE__,
					  false, "x", "==", "3", x, 3));
	KT_EXPECT_TRUE(t, probe.status == KTEST_PASS);
	KT_EXPECT_EQ(t, probe.failures, 0u);
}

static int evaluations;
static int count_evaluation(void)
{
	return ++evaluations;
}

/* Each operand of a check is evaluated exactly once. */
static void operands_evaluated_once(struct ktest *t)
{
	evaluations = 0;
	KT_EXPECT_EQ(t, count_evaluation(), 1);
	KT_EXPECT_EQ(t, evaluations, 1);
}

#ifdef CONFIG_TEST_FAILING_CASE
static void deliberate_failure(struct ktest *t)
{
	int answer = 41;

	KT_EXPECT_EQ(t, answer, 42);
}
#endif

#ifdef CONFIG_TEST_LEAK
/* Never freed: leak_check must fail this suite (Kconfig DEBUG_LEAK). */
static void deliberate_leak(struct ktest *t)
{
	static void *volatile leaked;

	leaked = kmalloc(77, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, leaked);
}
#endif

#ifdef CONFIG_TEST_PANIC
static void deliberate_panic(struct ktest *t)
{
	(void)t;
	panic("deliberate panic (CONFIG_TEST_PANIC)");
}
#endif

#ifdef CONFIG_TEST_RECURSIVE_LOCK
static void recursive_lock(struct ktest *t)
{
	static spinlock_t lock = SPINLOCK_INIT;

	(void)t;
	spin_lock(&lock);
	spin_lock(&lock);   /* DEBUG_SPINLOCK panics here */
	spin_unlock(&lock);
	spin_unlock(&lock);
}
#endif

#ifdef CONFIG_TEST_MISUSE_PANICS
/* A double free under MM_PANIC_ON_MISUSE: the report must stop the kernel. */
static void misuse_panics(struct ktest *t)
{
	void *p = kmalloc(64, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	kfree(p);
	kfree(p);   /* MM_PANIC_ON_MISUSE panics in the report */
	KT_FAIL(t, "a double free under CONFIG_MM_PANIC_ON_MISUSE did not panic");
}
#endif

#ifdef CONFIG_TEST_HANG
static void deliberate_hang(struct ktest *t)
{
	volatile int forever = 1;

	(void)t;
	while (forever)
		;
}
#endif

static const struct ktest_case ktest_self_cases[] = {
	KTEST_CASE(checks_record_outcome),
	KTEST_CASE(operands_evaluated_once),
#ifdef CONFIG_TEST_FAILING_CASE
	KTEST_CASE(deliberate_failure),
#endif
#ifdef CONFIG_TEST_LEAK
	KTEST_CASE(deliberate_leak),
#endif
#ifdef CONFIG_TEST_PANIC
	KTEST_CASE(deliberate_panic),
#endif
#ifdef CONFIG_TEST_RECURSIVE_LOCK
	KTEST_CASE(recursive_lock),
#endif
#ifdef CONFIG_TEST_MISUSE_PANICS
	KTEST_CASE(misuse_panics),
#endif
#ifdef CONFIG_TEST_HANG
	KTEST_CASE(deliberate_hang),
#endif
	{ NULL, NULL },
};

KTEST_SUITE(ktest_self, ktest_self_cases);
