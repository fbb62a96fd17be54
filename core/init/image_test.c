/*
 * image_test.c - the test image: run every registered KTAP suite.
 *
 * With more than one CPU, the run ends with the lock contention figures
 * (spinlock.h): how often each lock class made a CPU wait.
 */
#include "kernel.h"
#include "ktest.h"
#include "spinlock.h"

int image_main(void)
{
	int status = ktest_run_all();

#if CONFIG_NR_CPUS > 1
	lock_stats_print();
#endif
	return status;
}
