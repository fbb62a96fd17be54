/*
 * exit_report.c - what is still allocated when the program exits, printed
 * only when the environment asks (MMKIT_LEAK_REPORT=1): a program whose
 * tests read its own stderr must see nothing from its allocator.
 *
 * Every line starts with "mmkit: " and goes to stderr through the
 * kernel's printk, like the variant's other reports.  The figures are the
 * kernel's (mm_get_stats(), per-cache counts) and the library's own
 * (mmkit_preload.h): kmalloc keeps no list of live allocations, so the
 * report says how many and how big, per slab cache, not where.
 *
 * A destructor, not atexit(): registering with atexit() may allocate.
 * It runs after the program's own destructors, so what the program freed
 * on its way out is not reported.
 */
#include <stdlib.h>
#include <string.h>

#include "mm.h"
#include "preload.h"
#include "printk.h"

#define MAX_CACHES 64

static bool asked(void)
{
	const char *v = getenv("MMKIT_LEAK_REPORT");

	return v && *v && !(v[0] == '0' && !v[1]);
}

__attribute__((destructor)) static void exit_report(void)
{
	static struct kmem_cache_stats caches[MAX_CACHES];
	struct mmkit_preload_stats st;
	struct mm_stats mm;
	size_t n;

	if (!asked() || !preload_started())
		return;
	mmkit_preload_stats(&st, sizeof(st));
	preload_lock();
	mm_get_stats(&mm);
	printk("mmkit: leak report (MMKIT_LEAK_REPORT): %s, %zu kmalloc allocation(s) live at exit, "
	       "%zu bytes requested, %zu granted; %llu direct mapping(s) live, %llu bytes; "
	       "%llu aligned page run(s) live\n", mm.mode, mm.live_objects, mm.bytes_requested,
	       mm.bytes_granted, (unsigned long long)st.direct_live,
	       (unsigned long long)st.direct_bytes, (unsigned long long)st.page_runs_live);
	n = mm_get_cache_stats(caches, MAX_CACHES);
	for (size_t i = 0; i < n && i < MAX_CACHES; i++) {
		if (caches[i].active_objects && !strncmp(caches[i].name, "kmalloc-", 8))
			printk("mmkit: leak report: cache %s: %zu object(s) of %zu bytes live\n",
			       caches[i].name, caches[i].active_objects, caches[i].object_size);
	}
	printk("mmkit: totals: %llu kmalloc allocation(s), %llu free(s), %llu failure(s); "
	       "%llu direct mapping(s) (requests above %llu bytes), peak %llu bytes; "
	       "%llu misuse report(s)\n",
	       (unsigned long long)mm.counters.allocs, (unsigned long long)mm.counters.frees,
	       (unsigned long long)mm.counters.failures, (unsigned long long)st.direct_maps,
	       (unsigned long long)st.direct_threshold, (unsigned long long)st.direct_peak_bytes,
	       (unsigned long long)st.misuse);
	preload_unlock();
}
