/*
 * zstore_background.c - compression as deferred work from the timer tick
 * (the seed plan's background compression), so that the allocating call
 * that finds memory low mostly frees pages already compressed instead of
 * compressing them itself.
 *
 * Every CPU's tick (irq.h, with Kconfig SMP) checks whether a zone is
 * below the ZSTORE_TRIGGER watermark and, if so, compresses up to
 * ZSTORE_BG_BATCH cold pages ahead (zswap_precompress(): the pages stay
 * where they are, with a copy in the store).  It runs with interrupts off
 * and never waits: a lock held elsewhere makes it skip the tick.  Without
 * SMP there is no tick and this does nothing; reclaim compresses in the
 * allocating call alone.
 */
#include "irq.h"
#include "percpu.h"
#include "zstore_internal.h"

struct bg_counts {
	uint64_t compressed;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct bg_counts, bg_counts);

static void zstore_tick(unsigned int cpu)
{
	size_t n;

	if (!zswap_tick_sees_pressure())
		return;
	n = zswap_precompress(ZSTORE_BG_BATCH);
	/* Only this CPU writes its count; readers load it relaxed. */
	if (n)
		__atomic_store_n(&bg_counts[cpu].compressed, bg_counts[cpu].compressed + n,
				 __ATOMIC_RELAXED);
}

int zs_background_init(void)
{
	return tick_hook_register(zstore_tick);
}

void zs_background_fill_stats(struct zstore_stats *st)
{
	st->bg_compressed = 0;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		st->bg_compressed_cpu[cpu] = __atomic_load_n(&bg_counts[cpu].compressed,
							     __ATOMIC_RELAXED);
		st->bg_compressed += st->bg_compressed_cpu[cpu];
	}
}
