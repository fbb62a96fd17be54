/*
 * ktest.c - runs the registered suites and reports in KTAP v1.
 *
 * Output shape (what kit/ktap.py parses):
 *
 *     KTAP version 1
 *     1..<suites>
 *         KTAP version 1
 *         # Subtest: <suite>
 *         1..<cases>
 *         # <case>: EXPECTATION FAILED at <file>:<line>: ...
 *         not ok 1 <case>
 *         ok 2 <case> # SKIP <reason>
 *     not ok 1 <suite>
 *     # totals: pass P fail F skip S
 *
 * The filter selects cases like KUnit's filter_glob: a comma separated
 * list of "suite_glob[.case_glob]".  It is the kernel command line's
 * ktest.filter_glob= when given (build.py test --filter, through QEMU's
 * -append: a per-run choice that needs no rebuild), else Kconfig
 * CONFIG_TEST_FILTER.  ktest.action=list prints the selected cases, one
 * "ktest: list <suite>.<case>" line each, and runs none (--list-tests).
 */
#include <stdbool.h>
#include <stdint.h>

#include "cmdline.h"
#include "kernel.h"
#include "kstring.h"
#include "ktest.h"
#include "printk.h"

#define INDENT "    "

/* A longer filter on the command line is not taken (TEST_FILTER applies). */
#define FILTER_MAX 512

static char cmdline_filter[FILTER_MAX];
static const char *test_filter = CONFIG_TEST_FILTER;

/* Shell-style glob with '*' and '?' over [s, s_end) and [p, p_end). */
static bool glob_match(const char *p, const char *p_end, const char *s, const char *s_end)
{
	const char *star = NULL, *resume = NULL;

	while (s < s_end) {
		if (p < p_end && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (p < p_end && *p == '*') {
			star = p++;
			resume = s;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (p < p_end && *p == '*')
		p++;
	return p == p_end;
}

static const char *str_end(const char *s)
{
	while (*s)
		s++;
	return s;
}

static bool filter_selects(const char *suite, const char *test)
{
	const char *f = test_filter;

	while (*f) {
		const char *end = f, *dot;

		while (*end && *end != ',')
			end++;
		for (dot = f; dot < end && *dot != '.'; dot++)
			;
		if (glob_match(f, dot, suite, str_end(suite)) &&
		    (dot == end || glob_match(dot + 1, end, test, str_end(test))))
			return true;
		f = *end ? end + 1 : end;
	}
	return false;
}

static unsigned int selected_cases(const struct ktest_suite *s)
{
	unsigned int n = 0;

	for (const struct ktest_case *c = s->cases; c->name; c++)
		n += filter_selects(s->name, c->name);
	return n;
}

static void record_failure(struct ktest *t)
{
	t->status = KTEST_FAIL;
	t->failures++;
}

bool ktest_check(struct ktest *t, bool ok, const char *file, int line,
		 bool fatal, const char *expr)
{
	if (!ok) {
		record_failure(t);
		printk(INDENT "# %s: %s FAILED at %s:%d: expected %s\n", t->name,
		       fatal ? "ASSERTION" : "EXPECTATION", file, line, expr);
	}
	return ok;
}

bool ktest_check_int(struct ktest *t, bool ok, const char *file, int line,
		     bool fatal, const char *a_expr, const char *op,
		     const char *b_expr, intmax_t a, intmax_t b)
{
	if (!ok) {
		record_failure(t);
		printk(INDENT "# %s: %s FAILED at %s:%d: expected %s %s %s, "
		       "but %s = %jd (0x%jx), %s = %jd (0x%jx)\n",
		       t->name, fatal ? "ASSERTION" : "EXPECTATION", file, line,
		       a_expr, op, b_expr, a_expr, a, (uintmax_t)a, b_expr, b,
		       (uintmax_t)b);
	}
	return ok;
}

bool ktest_check_ptr(struct ktest *t, bool ok, const char *file, int line,
		     bool fatal, const char *a_expr, const char *op,
		     const char *b_expr, const void *a, const void *b)
{
	if (!ok) {
		record_failure(t);
		printk(INDENT "# %s: %s FAILED at %s:%d: expected %s %s %s, "
		       "but %s = %p, %s = %p\n",
		       t->name, fatal ? "ASSERTION" : "EXPECTATION", file, line,
		       a_expr, op, b_expr, a_expr, a, b_expr, b);
	}
	return ok;
}

void ktest_skip(struct ktest *t, const char *reason)
{
	if (t->status != KTEST_FAIL)
		t->status = KTEST_SKIP;
	t->skip_reason = reason;
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	record_failure(t);
	printk(INDENT "# %s: FAILED at %s:%d: %s\n", t->name, file, line, msg);
}

struct totals {
	unsigned int pass, fail, skip;
};

static void print_result(const char *indent, bool ok, unsigned int n,
			 const char *name, const char *skip_reason)
{
	if (skip_reason)
		printk("%sok %u %s # SKIP %s\n", indent, n, name, skip_reason);
	else
		printk("%s%s %u %s\n", indent, ok ? "ok" : "not ok", n, name);
}

/* Count and print one case's result. */
static void case_result(struct ktest *t, unsigned int n, struct totals *tot, unsigned int *failed,
			unsigned int *skipped)
{
	switch (t->status) {
	case KTEST_PASS:
		tot->pass++;
		print_result(INDENT, true, n, t->name, NULL);
		break;
	case KTEST_FAIL:
		tot->fail++;
		(*failed)++;
		print_result(INDENT, false, n, t->name, NULL);
		break;
	case KTEST_SKIP:
		tot->skip++;
		(*skipped)++;
		print_result(INDENT, true, n, t->name, t->skip_reason);
		break;
	}
}

/* Runs the selected cases of one suite, and @hook's case; returns the suite's status. */
static enum ktest_status run_suite(const struct ktest_suite *s, struct totals *tot,
				   const struct ktest_suite_hook *hook)
{
	unsigned int n = 0, failed = 0, skipped = 0;

	printk(INDENT "KTAP version 1\n" INDENT "# Subtest: %s\n" INDENT "1..%u\n",
	       s->name, selected_cases(s) + (hook ? 1 : 0));
	if (hook)
		hook->begin();
	for (const struct ktest_case *c = s->cases; c->name; c++) {
		struct ktest t = { .name = c->name, .status = KTEST_PASS };

		if (!filter_selects(s->name, c->name))
			continue;
		if (s->init)
			s->init(&t);
		if (t.status == KTEST_PASS)
			c->run(&t);
		if (s->exit)
			s->exit(&t);
		n++;
		case_result(&t, n, tot, &failed, &skipped);
	}
	if (hook) {
		struct ktest t = { .name = hook->case_name, .status = KTEST_PASS };

		hook->end(&t);
		case_result(&t, ++n, tot, &failed, &skipped);
	}
	if (failed)
		return KTEST_FAIL;
	return n && skipped == n ? KTEST_SKIP : KTEST_PASS;
}

/* ktest.filter_glob= and ktest.action= from the kernel command line. */
static bool read_cmdline(void)
{
	char action[16];

	if (cmdline_param("ktest.filter_glob", cmdline_filter, sizeof(cmdline_filter))) {
		test_filter = cmdline_filter;
		printk("ktest: filter \"%s\" (kernel command line)\n", test_filter);
	}
	return cmdline_param("ktest.action", action, sizeof(action)) &&
	       strcmp(action, "list") == 0;
}

static int list_cases(void)
{
	for (const struct ktest_suite *const *s = ktest_suites; *s; s++)
		for (const struct ktest_case *c = (*s)->cases; c->name; c++)
			if (filter_selects((*s)->name, c->name))
				printk("ktest: list %s.%s\n", (*s)->name, c->name);
	return EXIT_PASS;
}

int ktest_run_all(void)
{
	return ktest_run_all_hooked(NULL);
}

int ktest_run_all_hooked(const struct ktest_suite_hook *hook)
{
	struct totals tot = { 0, 0, 0 };
	unsigned int nsuites = 0, n = 0;

	if (read_cmdline())
		return list_cases();
	for (const struct ktest_suite *const *s = ktest_suites; *s; s++)
		nsuites += selected_cases(*s) > 0;

	printk("KTAP version 1\n1..%u\n", nsuites);
	for (const struct ktest_suite *const *s = ktest_suites; *s; s++) {
		enum ktest_status st;

		if (!selected_cases(*s))
			continue;
		st = run_suite(*s, &tot, hook);
		n++;
		print_result("", st != KTEST_FAIL, n, (*s)->name,
			     st == KTEST_SKIP ? "all cases skipped" : NULL);
	}
	printk("# totals: pass %u fail %u skip %u\n", tot.pass, tot.fail, tot.skip);
	return tot.fail ? EXIT_FAIL : EXIT_PASS;
}
