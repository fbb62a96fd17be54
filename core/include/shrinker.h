/*
 * shrinker.h - caches that give memory back when it runs low (Linux's
 * struct shrinker).
 *
 * Whoever keeps free memory it could return - the per-CPU page lists,
 * the slabs' kept empty slabs, the compressed page store - registers a
 * shrinker.  When an allocation leaves a zone below its low watermark,
 * or an ordinary request finds every zone at its floor, the page
 * allocator runs them (shrink_memory()) until the zone is back above
 * high or none has anything left.  GFP_ATOMIC requests never run them:
 * the next ordinary request that reaches the zone does.
 *
 * A scan must not allocate, and must not be called with a lock held that
 * a page allocation or free takes: it runs inside allocations.
 */
#ifndef MMKIT_SHRINKER_H
#define MMKIT_SHRINKER_H

#include <stddef.h>
#include <stdint.h>

struct shrinker {
	const char *name;
	/* Pages a scan could give back now (an estimate; 0: do not call scan). */
	size_t (*count)(void);
	/* Give back up to @nr pages; returns how many went back to the page allocator. */
	size_t (*scan)(size_t nr);
	/* Statistics: scans run, pages they gave back. */
	uint64_t scans, freed;
	struct shrinker *next;
};

/*
 * Add @s to the list, once.  The list is scanned from the shrinker
 * registered last: layers come up bottom first (the per-CPU page lists
 * at boot, then the slabs, then the store), so the layers above give
 * their pages back to the ones below before those are drained.
 */
void register_shrinker(struct shrinker *s);
void unregister_shrinker(struct shrinker *s);

/*
 * Scan every shrinker with something to give, in order, until @want
 * pages came back; returns how many did.  One reclaim at a time: a
 * caller that finds one running returns 0 at once rather than wait
 * (Linux's shrinker_rwsem trylock).
 */
size_t shrink_memory(size_t want);

/* Call @fn on every registered shrinker (statistics). */
void for_each_shrinker(void (*fn)(const struct shrinker *s, void *arg), void *arg);

#endif /* MMKIT_SHRINKER_H */
