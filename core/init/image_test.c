/* image_test.c - the test image: run every registered KTAP suite. */
#include "kernel.h"
#include "ktest.h"

int image_main(void)
{
	return ktest_run_all();
}
