/*
 * image_test.c - the test image: run every registered KTAP suite; with
 * Kconfig DEBUG_LEAK, each suite ends with a "leak_check" case that fails
 * when an allocation the suite made is still live (mm_debug.h).
 *
 * With more than one CPU, the run ends with the lock contention figures
 * (spinlock.h): how often each lock class made a CPU wait; and, with slab
 * caches, how many objects each cache had freed onto another CPU's slab
 * (slab.h: remote frees).
 */
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "ktest.h"
#include "mm_debug.h"
#include "spinlock.h"
#ifdef CONFIG_SLAB
#include "slab.h"
#endif

#ifdef CONFIG_DEBUG_LEAK
static uint64_t suite_mark;

static void leak_begin(void)
{
	suite_mark = mm_leak_mark();
}

static void leak_end(struct ktest *t)
{
	size_t n = mm_leak_report(suite_mark);

	if (n)
		KT_FAIL(t, "%zu allocations made by this suite are still live (listed above)", n);
}

static const struct ktest_suite_hook leak_hook = { "leak_check", leak_begin, leak_end };
#define SUITE_HOOK (&leak_hook)
#else
#define SUITE_HOOK NULL
#endif

int image_main(void)
{
	int status = ktest_run_all_hooked(SUITE_HOOK);

#if CONFIG_NR_CPUS > 1
	lock_stats_print();
#ifdef CONFIG_SLAB
	kmem_cache_print_remote_frees();
#endif
#endif
	return status;
}
