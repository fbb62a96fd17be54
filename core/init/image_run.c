/*
 * image_run.c - the run image: what `./build.py run` boots.
 *
 * Shows the memory the kernel was given and takes the allocator for a
 * short walk, printing the statistics a user compares between variants.
 */
#include "arch.h"
#include "kernel.h"
#include "mm.h"
#include "page_alloc.h"
#include "printk.h"
#include "zstore.h"
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

#ifdef CONFIG_ZSTORE
/*
 * The compressed page store's walk: 32 cold pages of text-like and zero
 * data made swappable, swapped out as reclaim would, then half of them
 * touched again; the store's figures after each step.  Returns false if
 * a page did not come back as it went.
 */
static bool zstore_walk(void)
{
	enum { N = 32 };
	static struct zswap_page zp[N];
	static const char text[] = "cold pages go to the store and come back when touched. ";
	bool ok = true;

	for (size_t i = 0; i < N; i++) {
		char *p = page_alloc(1, GFP_KERNEL | __GFP_ZERO);

		if (!p || zswap_add(&zp[i], p)) {
			if (p)
				page_free(p, 1);
			return false;
		}
		/* Odd pages stay zero (same-filled); even ones carry text. */
		for (size_t j = 0; i % 2 == 0 && j < PAGE_SIZE; j++)
			p[j] = text[(j + i) % (sizeof(text) - 1)];
	}
	zstore_print_stats("32 swappable pages");
	printk("zstore: swapped out %zu pages' worth back to the page allocator\n",
	       zswap_shrink(N));
	zstore_print_stats("all swapped out");
	for (size_t i = 0; i < N; i += 2) {
		char *p;

		if (zswap_get(&zp[i], false, (void **)&p))
			return false;
		ok &= p[0] == text[i % (sizeof(text) - 1)];
		zswap_put(&zp[i]);
	}
	zstore_print_stats("half touched again");
	for (size_t i = 0; i < N; i++)
		ok &= zswap_remove(&zp[i]) == 0;
	return ok;
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
#ifdef CONFIG_ZSTORE
	if (!zstore_walk()) {
		printk("mmkit: zstore walk: a swappable page did not come back as it went\n");
		return EXIT_FAIL;
	}
#endif
	return got == N && !pool_missing ? EXIT_PASS : EXIT_FAIL;
}
