/*
 * guard_off.h - suite hooks for suites whose cases are about one layer's
 * own objects (slabs, pool magazines): with DEBUG_GUARD, a sampled
 * allocation would lie on a guard page instead, so no allocation is
 * sampled while the suite runs.  Nothing when guard sampling is off.
 */
#ifndef MMKIT_TEST_GUARD_OFF_H
#define MMKIT_TEST_GUARD_OFF_H

#include "debug_guard.h"
#include "ktest.h"

static inline void guard_off_init(struct ktest *t)
{
	(void)t;
	if (DEBUG_GUARD)
		guard_suspend();
}

static inline void guard_off_exit(struct ktest *t)
{
	(void)t;
	if (DEBUG_GUARD)
		guard_resume();
}

#endif /* MMKIT_TEST_GUARD_OFF_H */
