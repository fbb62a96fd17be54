/*
 * fault_inject.c - the decision behind fault_inject.h: per class, every
 * Nth call or a seeded probability, optionally one call site.  Built with
 * Kconfig FAULT_INJECTION.
 */
#include "fault_inject.h"
#include "kerrno.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "spinlock.h"

struct fault_attr {
	struct fault_config cfg;
	uint64_t state;             /* xorshift64 */
	struct fault_stats stats;
};

unsigned int fault_armed;
static struct fault_attr attrs[FAULT_CLASSES];
static spinlock_t fault_lock = SPINLOCK_INIT;
static bool seeded;

/* xorshift64 (Marsaglia): enough to spread failures, and it repeats from a seed. */
static uint64_t next_random(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void seed_all(void)
{
	if (seeded)
		return;
	for (unsigned int i = 0; i < FAULT_CLASSES; i++)
		attrs[i].state = (uint64_t)CONFIG_FAULT_INJECTION_SEED * 0x9e3779b97f4a7c15ull + i + 1;
	seeded = true;
}

int fault_inject_set(enum fault_class cl, const struct fault_config *cfg)
{
	struct fault_attr *a;

	if ((unsigned int)cl >= FAULT_CLASSES || !FAULT_CLASS_BUILT(cl) ||
	    cfg->probability_ppm > 1000000 || (cfg->interval && cfg->probability_ppm))
		return KERR_INVAL;
	a = &attrs[cl];
	spin_lock(&fault_lock);
	seed_all();
	a->cfg = *cfg;
	if (cfg->seed)
		a->state = cfg->seed;
	a->stats = (struct fault_stats){ 0 };
	if (cfg->interval || cfg->probability_ppm)
		__atomic_fetch_or(&fault_armed, 1u << cl, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&fault_armed, ~(1u << cl), __ATOMIC_RELAXED);
	spin_unlock(&fault_lock);
	return 0;
}

void fault_inject_off(void)
{
	__atomic_store_n(&fault_armed, 0, __ATOMIC_RELAXED);
}

void fault_inject_get_stats(enum fault_class cl, struct fault_stats *st)
{
	*st = (struct fault_stats){ 0 };
	if ((unsigned int)cl >= FAULT_CLASSES)
		return;
	spin_lock(&fault_lock);
	*st = attrs[cl].stats;
	spin_unlock(&fault_lock);
}

bool fault_should_fail_armed(enum fault_class cl, uintptr_t ip)
{
	struct fault_attr *a = &attrs[cl];
	uintptr_t caller = mm_debug_caller(ip);
	bool fail;

	spin_lock(&fault_lock);
	a->stats.last_caller = caller;
	if (a->cfg.caller && a->cfg.caller != caller) {
		spin_unlock(&fault_lock);
		return false;
	}
	a->stats.calls++;
	if (a->cfg.interval)
		fail = a->stats.calls % a->cfg.interval == 0;
	else
		fail = next_random(&a->state) % 1000000 < a->cfg.probability_ppm;
	if (fail)
		a->stats.injected++;
	spin_unlock(&fault_lock);
	if (fail)
		mm_debug_note_injected();
	return fail;
}
