/*
 * zone.c - what a zone knows about itself: its watermarks and lowmem
 * reserves (computed at boot as Linux computes them), the floor a
 * request may not take it below, and its health.  The request path that
 * uses them is page_alloc.c; the zone structure is zone.h.
 *
 * Watermarks (Linux's __setup_per_zone_wmarks()): MIN_FREE_KBYTES worth
 * of pages is shared out among the zones in proportion to their managed
 * pages; that share is the zone's min.  The gap from min to low and from
 * low to high is WATERMARK_SCALE_FACTOR / 10000 of the zone's pages, or
 * a quarter of min if that is more.  MIN_FREE_KBYTES 0 takes Linux's
 * default, 4 * sqrt(KiB managed), clamped to 128 .. 262144.
 *
 * Lowmem reserve (Linux's setup_per_zone_lowmem_reserve()): zone i keeps
 * lowmem_reserve[j] = (managed pages of zones i+1 .. j) / ratio(i) back
 * from a request whose highest zone is j > i, so that Normal's ordinary
 * traffic cannot empty DMA.
 */
#include "bitops.h"
#include "kerrno.h"
#include "kernel.h"
#include "spinlock.h"
#include "zone.h"

#define KIB_PER_PAGE (PAGE_SIZE / 1024)
#define MIN_FREE_KBYTES_LOW 128u
#define MIN_FREE_KBYTES_HIGH 262144u

/* Failures among the last 64 requests that make a zone critical. */
#define FAILURES_CRITICAL 16

#define SCALE_FACTOR_MAX 3000u

static const unsigned int boot_reserve_ratio[MAX_NR_ZONES] = ZONE_TABLE_RESERVE_RATIOS;

/* The tunables in force (page_alloc.h); set at boot, changed by page_alloc_set_tunables(). */
static spinlock_t tunables_lock = SPINLOCK_INIT;
static struct page_alloc_tunables tunables;

/* floor(sqrt(@x)), by bits. */
static uint64_t int_sqrt(uint64_t x)
{
	uint64_t root = 0, bit = (uint64_t)1 << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= root + bit) {
			x -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
		bit >>= 2;
	}
	return root;
}

/* The boot value: Kconfig's, or Linux's default for @managed_pages. */
static size_t default_min_free_kbytes(size_t managed_pages)
{
	uint64_t kb;

	if (CONFIG_MIN_FREE_KBYTES)
		return CONFIG_MIN_FREE_KBYTES;
	kb = int_sqrt((uint64_t)managed_pages * KIB_PER_PAGE * 16);
	return (size_t)MIN(MAX(kb, (uint64_t)MIN_FREE_KBYTES_LOW), (uint64_t)MIN_FREE_KBYTES_HIGH);
}

/* Every zone's watermarks and reserves from @t (tunables_lock held). */
static void apply_tunables(const struct page_alloc_tunables *t)
{
	size_t total = 0, pages_min;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++)
		total += zones[i].managed;
	pages_min = t->min_free_kbytes / KIB_PER_PAGE;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		size_t share, gap;

		/* pages_min < 2^17 and managed < 2^40 pages: the products fit. */
		share = total ? (size_t)((uint64_t)pages_min * z->managed / total) : 0;
		gap = MAX(share / 4, (size_t)((uint64_t)z->managed *
					       t->watermark_scale_factor / 10000));
		spin_lock_irqsafe(&z->lock);
		z->watermark[WMARK_MIN] = share;
		z->watermark[WMARK_LOW] = share + gap;
		z->watermark[WMARK_HIGH] = share + 2 * gap;
		spin_unlock_irqsafe(&z->lock);
	}

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		size_t above = 0;

		spin_lock_irqsafe(&z->lock);
		for (unsigned int j = 0; j < MAX_NR_ZONES; j++) {
			if (j > i)
				above += zones[j].managed;
			z->lowmem_reserve[j] = j > i && t->lowmem_reserve_ratio[i] && z->managed ?
					       above / t->lowmem_reserve_ratio[i] : 0;
		}
		spin_unlock_irqsafe(&z->lock);
	}
}

void zone_setup_watermarks(void)
{
	size_t total = 0;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++)
		total += zones[i].managed;
	spin_lock(&tunables_lock);
	tunables.min_free_kbytes = default_min_free_kbytes(total);
	tunables.watermark_scale_factor = CONFIG_WATERMARK_SCALE_FACTOR;
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++)
		tunables.lowmem_reserve_ratio[i] = boot_reserve_ratio[i];
	apply_tunables(&tunables);
	spin_unlock(&tunables_lock);
}

void page_alloc_get_tunables(struct page_alloc_tunables *t)
{
	spin_lock(&tunables_lock);
	*t = tunables;
	spin_unlock(&tunables_lock);
}

int page_alloc_set_tunables(const struct page_alloc_tunables *t)
{
	if (t->watermark_scale_factor < 1 || t->watermark_scale_factor > SCALE_FACTOR_MAX)
		return KERR_INVAL;
	spin_lock(&tunables_lock);
	tunables = *t;
	apply_tunables(&tunables);
	spin_unlock(&tunables_lock);
	/* A zone now below its new low may reclaim at once. */
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		spin_lock_irqsafe(&zones[i].lock);
		zones[i].reclaim_armed = true;
		spin_unlock_irqsafe(&zones[i].lock);
	}
	return 0;
}

/* The state of a zone with @free pages, watermarks @wm and failure history @recent. */
static enum mm_health health_of(size_t free, const size_t *wm, uint64_t recent)
{
	unsigned int failures = hweight64(recent);

	if (free < wm[WMARK_MIN] || failures >= FAILURES_CRITICAL)
		return MM_HEALTH_CRITICAL;
	if (free < wm[WMARK_LOW] || failures)
		return MM_HEALTH_LOW;
	return MM_HEALTH_OK;
}

enum mm_health zone_health(struct zone *z)
{
	enum mm_health h;

	if (!z->managed)
		return MM_HEALTH_OK;
	spin_lock_irqsafe(&z->lock);
	h = health_of(zone_free_pages(z), z->watermark,
		      __atomic_load_n(&z->recent_failures, __ATOMIC_RELAXED));
	spin_unlock_irqsafe(&z->lock);
	return h;
}

enum mm_health page_alloc_health(void)
{
	size_t free = 0, wm[NR_WMARK] = { 0 };
	uint64_t recent = 0;

	/* The zones as one: summed free pages and watermarks, any recent failure. */
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];

		spin_lock_irqsafe(&z->lock);
		free += zone_free_pages(z);
		for (unsigned int m = 0; m < NR_WMARK; m++)
			wm[m] += z->watermark[m];
		recent |= __atomic_load_n(&z->recent_failures, __ATOMIC_RELAXED);
		spin_unlock_irqsafe(&z->lock);
	}
	return health_of(free, wm, recent);
}

const char *mm_health_name(enum mm_health h)
{
	switch (h) {
	case MM_HEALTH_OK:
		return "ok";
	case MM_HEALTH_LOW:
		return "low";
	case MM_HEALTH_CRITICAL:
		return "critical";
	}
	return "?";
}
