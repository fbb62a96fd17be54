/*
 * fault_inject.h - fault injection (Kconfig FAULT_INJECTION), as Linux's
 * failslab and fail_page_alloc: allocations made to fail on purpose, so
 * that the paths that handle failure run and can be tested.
 *
 * Each site class (slab: kmem_cache_alloc() and so kmalloc()'s objects;
 * page: page_alloc() / alloc_pages(), and so slabs and large kmalloc();
 * heap: heap_alloc() and moving reallocations; pool: pool_alloc()) has a
 * run-time setting, off at boot:
 *
 *     interval      fail every Nth call of the class (1: every call)
 *     probability   else fail a call with this probability, in parts per
 *                   million, drawn from a xorshift generator seeded with
 *                   `seed` (0 keeps the generator where it is; Kconfig
 *                   FAULT_INJECTION_SEED at boot): a failing run repeats
 *     caller        only calls from this call site (the return address
 *                   into the caller of the allocator's API), 0: any
 *
 * A class only exists when its Kconfig option (FAIL_SLAB, FAIL_PAGE_ALLOC,
 * FAIL_HEAP, FAIL_POOL) is built in; without FAULT_INJECTION everything here is a
 * constant false and the allocators' hooks compile to nothing.
 *
 * An injected failure is counted here (fault_inject_get_stats()), not as
 * an allocation failure of any layer, and prints no failure report: the
 * layers above the injection site see that the call in progress had a
 * fault injected (the API context, mm_debug.h) and stay quiet.  Callers
 * see exactly what a real exhaustion gives them: NULL or KERR_NOMEM.
 */
#ifndef MMKIT_FAULT_INJECT_H
#define MMKIT_FAULT_INJECT_H

#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"

enum fault_class {
	FAULT_SLAB,
	FAULT_PAGE,
	FAULT_HEAP,
	FAULT_POOL,
	FAULT_CLASSES
};

/* Is class @cl built in (its Kconfig option set)?  A constant. */
#define FAULT_CLASS_BUILT(cl)                                                \
	((cl) == FAULT_SLAB ? IS_ENABLED(CONFIG_FAIL_SLAB) :                 \
	 (cl) == FAULT_PAGE ? IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC) :           \
	 (cl) == FAULT_HEAP ? IS_ENABLED(CONFIG_FAIL_HEAP) :                 \
	 (cl) == FAULT_POOL ? IS_ENABLED(CONFIG_FAIL_POOL) : 0)

struct fault_config {
	uint32_t interval;          /* every Nth call; 0: use the probability */
	uint32_t probability_ppm;   /* 0 .. 1000000 */
	uint64_t seed;              /* reseed the generator; 0: keep it */
	uintptr_t caller;           /* only this call site; 0: any */
};

struct fault_stats {
	uint64_t calls;             /* calls of the class while it was armed (and matched the site) */
	uint64_t injected;          /* of them, made to fail */
	uintptr_t last_caller;      /* the call site of the last call while armed (matching or not) */
};

/*
 * Arm class @cl with @cfg (an interval and a probability of 0 disarm it).
 * 0, or KERR_INVAL: a class not built in, a probability above a million,
 * both an interval and a probability.  Counts start again from 0.
 */
int fault_inject_set(enum fault_class cl, const struct fault_config *cfg);
/* Disarm every class. */
void fault_inject_off(void);
void fault_inject_get_stats(enum fault_class cl, struct fault_stats *st);

/* Classes armed now, one bit each: the fast paths read it inline. */
extern unsigned int fault_armed;

bool fault_should_fail_armed(enum fault_class cl, uintptr_t ip);

/*
 * Macros, not inline functions, so that FAULT_CLASS_BUILT() of the
 * caller's constant class folds where it is written: at -O0 (the coverage
 * image) an inline function's parameter is no constant, and a class not
 * built in would still reference fault_armed.
 */

/* Is @cl armed?  Fast paths that cannot fail step aside when it is. */
#define fault_armed_for(cl)                                                  \
	(FAULT_CLASS_BUILT(cl) &&                                            \
	 unlikely(__atomic_load_n(&fault_armed, __ATOMIC_RELAXED) & (1u << (cl))))

/*
 * Should this call of class @cl fail?  @ip: the call site when no API
 * context names one.  true: the caller fails the call, counting and
 * reporting nothing.
 */
#define fault_should_fail(cl, ip) (fault_armed_for(cl) && fault_should_fail_armed((cl), (ip)))

#endif /* MMKIT_FAULT_INJECT_H */
