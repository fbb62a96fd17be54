/*
 * ktest.h - a small in-kernel test framework that speaks KTAP v1.
 *
 * A suite is a named array of cases; each case is a function taking a
 * struct ktest.  Suites are registered by the generated registry
 * (templates/ktest_registry.c.j2, from tests/kernel/suites.toml), so a
 * suite that does not apply to the configured variant is not built at all.
 *
 *     static void heap_splits(struct ktest *t)
 *     {
 *             void *p = kmalloc(32, GFP_KERNEL);
 *             KT_ASSERT_NOT_NULL(t, p);
 *             KT_EXPECT_EQ(t, ksize(p), 32u);
 *     }
 *     static const struct ktest_case heap_cases[] = {
 *             KTEST_CASE(heap_splits),
 *             {0},
 *     };
 *     KTEST_SUITE(heap, heap_cases);
 *
 * KT_EXPECT_* records a failure and carries on; KT_ASSERT_* records it and
 * returns from the calling function, so use ASSERTs only in the case
 * function itself.  A failure prints a KTAP diagnostic with file:line, the
 * expression and both values.
 */
#ifndef MMKIT_KTEST_H
#define MMKIT_KTEST_H

#include <stdbool.h>
#include <stdint.h>

enum ktest_status { KTEST_PASS, KTEST_FAIL, KTEST_SKIP };

struct ktest {
	const char *name;
	enum ktest_status status;
	const char *skip_reason;
	unsigned int failures;
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;   /* terminated by {0} */
	/* Optional: run before / after each case. */
	void (*init)(struct ktest *t);
	void (*exit)(struct ktest *t);
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE(sname, case_array)                                      \
	const struct ktest_suite ktest_suite_##sname = { #sname, case_array, 0, 0 }
#define KTEST_SUITE_WITH_HOOKS(sname, case_array, init_fn, exit_fn)         \
	const struct ktest_suite ktest_suite_##sname = {                      \
		#sname, case_array, init_fn, exit_fn }

/* Registry, generated: NULL-terminated. */
extern const struct ktest_suite *const ktest_suites[];

/* Run every registered suite that matches the filter (the kernel command
 * line's ktest.filter_glob=, else Kconfig TEST_FILTER); returns EXIT_PASS
 * or EXIT_FAIL.  With ktest.action=list, list the cases instead. */
int ktest_run_all(void);

/*
 * A check the image runs around every suite, reported as one more case
 * of the suite (named @case_name, last): @begin before its first case,
 * @end after its last, failing @t on a finding.  The test image's leak
 * report (Kconfig DEBUG_LEAK) is one.
 */
struct ktest_suite_hook {
	const char *case_name;
	void (*begin)(void);
	void (*end)(struct ktest *t);
};

/* ktest_run_all() with @hook (NULL: none) around every suite that runs. */
int ktest_run_all_hooked(const struct ktest_suite_hook *hook);

/* Reporting helpers behind the macros; return the condition. */
bool ktest_check(struct ktest *t, bool ok, const char *file, int line,
		 bool fatal, const char *expr);
bool ktest_check_int(struct ktest *t, bool ok, const char *file, int line,
		     bool fatal, const char *a_expr, const char *op,
		     const char *b_expr, intmax_t a, intmax_t b);
bool ktest_check_ptr(struct ktest *t, bool ok, const char *file, int line,
		     bool fatal, const char *a_expr, const char *op,
		     const char *b_expr, const void *a, const void *b);
void ktest_skip(struct ktest *t, const char *reason);
__attribute__((format(printf, 4, 5)))
void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...);

#define KT__BINARY(t, a, op, b, fatal)                                        \
	({                                                                    \
		__typeof__(a) kt_a_ = (a);                                    \
		__typeof__(b) kt_b_ = (b);                                    \
		ktest_check_int((t), kt_a_ op kt_b_, __FILE__, __LINE__,      \
				(fatal), #a, #op, #b, (intmax_t)kt_a_,        \
				(intmax_t)kt_b_);                             \
	})
#define KT__PTR(t, a, op, b, fatal)                                           \
	({                                                                    \
		const void *kt_a_ = (a);                                      \
		const void *kt_b_ = (b);                                      \
		ktest_check_ptr((t), kt_a_ op kt_b_, __FILE__, __LINE__,      \
				(fatal), #a, #op, #b, kt_a_, kt_b_);          \
	})

#define KT_EXPECT_TRUE(t, c) ((void)ktest_check((t), !!(c), __FILE__, __LINE__, false, #c))
#define KT_EXPECT_FALSE(t, c) ((void)ktest_check((t), !(c), __FILE__, __LINE__, false, "!(" #c ")"))
#define KT_EXPECT_EQ(t, a, b) ((void)KT__BINARY(t, a, ==, b, false))
#define KT_EXPECT_NE(t, a, b) ((void)KT__BINARY(t, a, !=, b, false))
#define KT_EXPECT_LT(t, a, b) ((void)KT__BINARY(t, a, <, b, false))
#define KT_EXPECT_LE(t, a, b) ((void)KT__BINARY(t, a, <=, b, false))
#define KT_EXPECT_GT(t, a, b) ((void)KT__BINARY(t, a, >, b, false))
#define KT_EXPECT_GE(t, a, b) ((void)KT__BINARY(t, a, >=, b, false))
#define KT_EXPECT_PTR_EQ(t, a, b) ((void)KT__PTR(t, a, ==, b, false))
#define KT_EXPECT_PTR_NE(t, a, b) ((void)KT__PTR(t, a, !=, b, false))
#define KT_EXPECT_NULL(t, a) ((void)KT__PTR(t, a, ==, NULL, false))
#define KT_EXPECT_NOT_NULL(t, a) ((void)KT__PTR(t, a, !=, NULL, false))

#define KT__RET(x) do { if (!(x)) return; } while (0)
#define KT_ASSERT_TRUE(t, c) KT__RET(ktest_check((t), !!(c), __FILE__, __LINE__, true, #c))
#define KT_ASSERT_FALSE(t, c) KT__RET(ktest_check((t), !(c), __FILE__, __LINE__, true, "!(" #c ")"))
#define KT_ASSERT_EQ(t, a, b) KT__RET(KT__BINARY(t, a, ==, b, true))
#define KT_ASSERT_NE(t, a, b) KT__RET(KT__BINARY(t, a, !=, b, true))
#define KT_ASSERT_LT(t, a, b) KT__RET(KT__BINARY(t, a, <, b, true))
#define KT_ASSERT_LE(t, a, b) KT__RET(KT__BINARY(t, a, <=, b, true))
#define KT_ASSERT_GT(t, a, b) KT__RET(KT__BINARY(t, a, >, b, true))
#define KT_ASSERT_GE(t, a, b) KT__RET(KT__BINARY(t, a, >=, b, true))
#define KT_ASSERT_PTR_EQ(t, a, b) KT__RET(KT__PTR(t, a, ==, b, true))
#define KT_ASSERT_NULL(t, a) KT__RET(KT__PTR(t, a, ==, NULL, true))
#define KT_ASSERT_NOT_NULL(t, a) KT__RET(KT__PTR(t, a, !=, NULL, true))

#define KT_FAIL(t, ...) ktest_fail((t), __FILE__, __LINE__, __VA_ARGS__)
#define KT_SKIP(t, reason) do { ktest_skip((t), (reason)); return; } while (0)

#endif /* MMKIT_KTEST_H */
