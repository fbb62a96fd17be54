/*
 * cmdline_test.c - the kernel command line parser (core/lib/cmdline.c),
 * on command lines given as strings, and the one this boot received.
 */
#include <stddef.h>

#include "arch.h"
#include "cmdline.h"
#include "kstring.h"
#include "ktest.h"

static void finds_a_parameter(struct ktest *t)
{
	char buf[32];

	KT_ASSERT_TRUE(t, cmdline_param_in("a=1 ktest.filter_glob=heap.* b=2",
					   "ktest.filter_glob", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "heap.*"), 0);
	KT_ASSERT_TRUE(t, cmdline_param_in("a=1 b=2", "b", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "2"), 0);
}

/* x86_64's loader puts the kernel's file name first: not a parameter. */
static void skips_plain_words(struct ktest *t)
{
	char buf[32] = "untouched";

	KT_EXPECT_FALSE(t, cmdline_param_in("/path/kernel-test.elf32 quiet", "quiet", buf,
					    sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "untouched"), 0);
	KT_ASSERT_TRUE(t, cmdline_param_in("/path/kernel.elf  x=y", "x", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "y"), 0);
}

static void name_must_match_whole(struct ktest *t)
{
	char buf[32];

	KT_EXPECT_FALSE(t, cmdline_param_in("ktest.filter=a", "ktest.filter_glob", buf,
					    sizeof(buf)));
	KT_EXPECT_FALSE(t, cmdline_param_in("xktest.action=list", "ktest.action", buf,
					    sizeof(buf)));
	KT_EXPECT_FALSE(t, cmdline_param_in("", "a", buf, sizeof(buf)));
	KT_EXPECT_FALSE(t, cmdline_param_in(NULL, "a", buf, sizeof(buf)));
}

static void quotes_and_last_wins(struct ktest *t)
{
	char buf[32];

	KT_ASSERT_TRUE(t, cmdline_param_in("a=\"x y\" b=1", "a", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "x y"), 0);
	KT_ASSERT_TRUE(t, cmdline_param_in("a=1 a=2", "a", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "2"), 0);
	KT_ASSERT_TRUE(t, cmdline_param_in("a=", "a", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, ""), 0);
}

static void too_long_is_not_taken(struct ktest *t)
{
	char buf[4] = "old";

	KT_EXPECT_FALSE(t, cmdline_param_in("a=1234", "a", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "old"), 0);
	KT_ASSERT_TRUE(t, cmdline_param_in("a=123", "a", buf, sizeof(buf)));
	KT_EXPECT_EQ(t, strcmp(buf, "123"), 0);
}

/* Whatever the boot loader passed is a string the parser can walk. */
static void this_boot(struct ktest *t)
{
	char buf[8];
	const char *line = arch_cmdline();

	KT_ASSERT_NOT_NULL(t, line);
	KT_EXPECT_LT(t, strlen(line), (size_t)4096);
	(void)cmdline_param("ktest.action", buf, sizeof(buf));
}

static const struct ktest_case cmdline_cases[] = {
	KTEST_CASE(finds_a_parameter),
	KTEST_CASE(skips_plain_words),
	KTEST_CASE(name_must_match_whole),
	KTEST_CASE(quotes_and_last_wins),
	KTEST_CASE(too_long_is_not_taken),
	KTEST_CASE(this_boot),
	{0},
};
KTEST_SUITE(cmdline, cmdline_cases);
