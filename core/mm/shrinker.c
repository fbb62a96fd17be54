/*
 * shrinker.c - the list of shrinkers and the loop that runs them (see
 * shrinker.h).
 *
 * The list changes at boot and rarely after; shrinker_lock guards it and
 * is held across a reclaim, so a shrinker cannot go away while it runs.
 * `reclaiming` lets one CPU reclaim at a time without making the others
 * wait, and stops a shrinker's own page frees from starting another.
 */
#include "shrinker.h"
#include "spinlock.h"

static spinlock_t shrinker_lock = SPINLOCK_INIT;
static struct shrinker *shrinkers;
/* An int: riscv64 has no byte-wide atomic exchange. */
static int reclaiming;

void register_shrinker(struct shrinker *s)
{
	spin_lock(&shrinker_lock);
	s->next = shrinkers;
	shrinkers = s;
	spin_unlock(&shrinker_lock);
}

void unregister_shrinker(struct shrinker *s)
{
	spin_lock(&shrinker_lock);
	for (struct shrinker **link = &shrinkers; *link; link = &(*link)->next) {
		if (*link == s) {
			*link = s->next;
			break;
		}
	}
	spin_unlock(&shrinker_lock);
}

size_t shrink_memory(size_t want)
{
	size_t freed = 0;

	if (__atomic_exchange_n(&reclaiming, 1, __ATOMIC_ACQUIRE))
		return 0;
	spin_lock(&shrinker_lock);
	for (struct shrinker *s = shrinkers; s && freed < want; s = s->next) {
		size_t got;

		if (!s->count())
			continue;
		got = s->scan(want - freed);
		s->scans++;
		s->freed += got;
		freed += got;
	}
	spin_unlock(&shrinker_lock);
	__atomic_store_n(&reclaiming, 0, __ATOMIC_RELEASE);
	return freed;
}

void for_each_shrinker(void (*fn)(const struct shrinker *s, void *arg), void *arg)
{
	spin_lock(&shrinker_lock);
	for (const struct shrinker *s = shrinkers; s; s = s->next)
		fn(s, arg);
	spin_unlock(&shrinker_lock);
}
