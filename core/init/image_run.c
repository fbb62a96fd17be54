/*
 * image_run.c - the run image: what `./build.py run` boots.
 *
 * Shows the memory the kernel was given and takes the allocator for a
 * short walk, printing the statistics a user compares between variants.
 */
#include "arch.h"
#include "kernel.h"
#include "mm.h"
#include "printk.h"
#ifdef CONFIG_POOLS
#include "pool.h"
#endif

static void print_memory_map(void)
{
	struct mem_region r[16];
	size_t n = arch_memory_map(r, ARRAY_SIZE(r));

	for (size_t i = 0; i < n; i++)
		printk("mmkit: usable RAM [%p, %p) %zu KiB\n", (void *)r[i].base,
		       (void *)(r[i].base + r[i].size), r[i].size / 1024);
}

static void print_stats(const char *when)
{
	struct mm_stats st;

	mm_get_stats(&st);
	printk("mmkit: %s: pages free %zu/%zu, peak used %zu, health %s; kmalloc live %zu "
	       "objects, %zu bytes granted in %zu pages, peak %zu pages; allocs %llu frees %llu "
	       "failures %llu misuse %llu\n",
	       when, st.pages.free_pages, st.pages.total_pages, st.pages.peak_used_pages,
	       mm_health_name(st.pages.health),
	       st.live_objects, st.bytes_granted, st.front_pages, st.front_peak_pages,
	       (unsigned long long)st.counters.allocs, (unsigned long long)st.counters.frees,
	       (unsigned long long)st.counters.failures, (unsigned long long)st.counters.misuse);
}

#ifdef CONFIG_POOLS
/*
 * Every typed pool's state after boot, then a walk: a magazine and one
 * object more from each (the second magazine comes from the depot), held,
 * then freed.  Returns the objects that could not be had.
 */
static size_t pools_walk(void)
{
	enum { N = POOL_MAG_SIZE + 1 };
	void *objs[N];
	size_t missing = 0;

	pool_types_print();
	for (const struct pool_type *t = pool_types; t->pool; t++) {
		size_t got = 0;

		for (size_t i = 0; i < N; i++) {
			objs[i] = pool_alloc(t->pool, GFP_KERNEL);
			got += objs[i] != NULL;
		}
		printk("mmkit: pool %s: %zu of %d objects held\n", t->params.name, got, N);
		for (size_t i = 0; i < N; i++)
			pool_free(t->pool, objs[i]);
		missing += N - got;
	}
	printk("mmkit: pools after the walk:\n");
	pool_types_print();
	return missing;
}
#endif

int image_main(void)
{
	enum { N = 64 };
	void *p[N];
	size_t got = 0, pool_missing = 0;

	print_memory_map();
	print_stats("after boot");
#ifdef CONFIG_POOLS
	pool_missing = pools_walk();
#endif
	/* Sizes from 8 bytes to a few pages, so every path of the mode runs. */
	for (size_t i = 0; i < N; i++) {
		p[i] = kmalloc((size_t)8 << (i % 11), GFP_KERNEL);
		got += p[i] != NULL;
	}
	print_stats("64 allocations held");
	for (size_t i = 0; i < N; i++)
		kfree(p[i]);
	print_stats("all freed");
	printk("mmkit: run image done: %zu of %d allocations served\n", got, N);
	return got == N && !pool_missing ? EXIT_PASS : EXIT_FAIL;
}
