/*
 * cache_stats_of.h - a slab cache's statistics by its name ("kmalloc-64",
 * "kmem_slab"), for suites that watch a cache they did not make.  Walks
 * the cache list itself, so it finds every cache however many there are.
 */
#ifndef MMKIT_TEST_CACHE_STATS_OF_H
#define MMKIT_TEST_CACHE_STATS_OF_H

#include <stdbool.h>

#include "kstring.h"
#include "slab.h"

struct cache_stats_lookup {
	const char *name;
	struct kmem_cache_stats *out;
	bool found;
};

static inline void cache_stats_match(struct kmem_cache *c, void *arg)
{
	struct cache_stats_lookup *l = arg;

	if (!l->found && strcmp(kmem_cache_name(c), l->name) == 0) {
		kmem_cache_get_stats(c, l->out);
		l->found = true;
	}
}

/* Statistics of the cache called @name into *@out; false if there is none. */
static inline bool cache_stats_of(const char *name, struct kmem_cache_stats *out)
{
	struct cache_stats_lookup l = { .name = name, .out = out, .found = false };

	kmem_cache_for_each(cache_stats_match, &l);
	return l.found;
}

#endif /* MMKIT_TEST_CACHE_STATS_OF_H */
