/*
 * pool_types.c - the typed pools of the Kconfig "Object pools" menu: their
 * storage, the registration table boot walks, and their creation.
 *
 * gen/pool_types.h (templates/pool_types.h.j2) holds the list, one row
 * X(name, type, size, align, count, reserve) per pool, and has already made
 * each pool's typed API of it (pool.h: DEFINE_POOL_TYPE()); here the same
 * rows become the descriptors and the table.  Typed pools grow by a
 * magazine at a time and have no maximum but memory.
 */
#include <stddef.h>

#include "kerrno.h"
#include "pool.h"
#include "pool_types.h"
#include "printk.h"

#define POOL_STORAGE(n, type, sz, al, cnt, res) struct pool n##_pool;
POOL_TYPES(POOL_STORAGE)

/* (Parameters named apart from struct pool_params' fields, which they fill.) */
#define POOL_ROW(n, type, sz, al, cnt, res)                                        \
	{ &n##_pool, { .name = #n, .size = (sz), .align = (al), .count = (cnt),    \
		       .min_nr = (res), .grow = POOL_MAG_SIZE } },

/* Terminated by a row without a pool (a variant may have no typed pool). */
const struct pool_type pool_types[POOL_NR_TYPES + 1] = {
	POOL_TYPES(POOL_ROW)
	{ .pool = NULL },
};
const size_t pool_nr_types = POOL_NR_TYPES;

size_t pool_types_init(void)
{
	size_t made = 0;

	for (const struct pool_type *t = pool_types; t->pool; t++) {
		int err = pool_init(t->pool, &t->params);

		if (err)
			printk("mm: pool %s: not created (%s); its allocations will fail\n",
			       t->params.name, kerr_name(err));
		else
			made++;
	}
	return made;
}

void pool_types_print(void)
{
	for (const struct pool_type *t = pool_types; t->pool; t++) {
		struct pool_stats st;

		pool_get_stats(t->pool, &st);
		if (!st.ready) {
			printk("mmkit: pool %s: not usable\n", t->params.name);
			continue;
		}
		printk("mmkit: pool %s: %zu B objects (%s, %zu B each): held %zu (count %zu, peak %zu), "
		       "in use %zu (high-water %zu), free %zu on CPUs + %zu in depot + %zu reserved "
		       "(min %zu); hits %llu misses %llu grows %llu reserve uses %llu failures %llu "
		       "misuse %llu\n",
		       st.name, st.object_size, st.backing, st.stride, st.owned, st.count,
		       st.owned_peak, st.in_use, st.high_water, st.free_cpu, st.free_depot,
		       st.reserve, st.min_nr, (unsigned long long)st.hits,
		       (unsigned long long)st.misses, (unsigned long long)st.grows,
		       (unsigned long long)st.reserve_uses, (unsigned long long)st.failures,
		       (unsigned long long)st.misuse);
	}
}
