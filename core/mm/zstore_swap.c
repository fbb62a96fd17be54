/*
 * zstore_swap.c - swappable pages: the LRU of cold pages, the shrinker
 * that compresses them into the store when a zone runs low, and bringing
 * them back when their owner asks (zstore.h).
 *
 * The LRU holds the registered pages that are in memory and not held:
 * zswap_put() puts a page at the head, the shrinker takes from the tail.
 * There is no MMU fault here: the owner says when it touches a page, with
 * zswap_get() / zswap_put(), so a page is never compressed while it can
 * change.  A page keeps its stored copy while it is only read, and is
 * then freed without compressing again the next time it is cold (a clean
 * drop); the tick compresses cold pages ahead (zstore_background.c), so
 * that under pressure reclaim mostly drops clean pages.
 *
 * The shrinker counts only while a zone is at or below the ZSTORE_TRIGGER
 * watermark (and the cache's pages, always), so it leaves memory alone
 * when the page allocator reclaims for other reasons.  It takes pages for
 * the store from the store's reserve only: it runs inside allocations.
 */
#include "kerrno.h"
#include "kernel.h"
#include "page_alloc.h"
#include "shrinker.h"
#include "spinlock.h"
#include "zone.h"
#include "zstore.h"
#include "zstore_internal.h"

#if defined(CONFIG_ZSTORE_TRIGGER_MIN)
#define TRIGGER_WMARK WMARK_MIN
#elif defined(CONFIG_ZSTORE_TRIGGER_HIGH)
#define TRIGGER_WMARK WMARK_HIGH
#else
#define TRIGGER_WMARK WMARK_LOW
#endif

/* Pages the tick looks at from the cold end, at most, per call. */
#define PRECOMPRESS_LOOK 16

static DEFINE_LOCK_CLASS(zswap_lock_class, "zswap_lru");
static spinlock_t lru_lock = SPINLOCK_INIT_CLASS(&zswap_lock_class);
/* Most recently used first; the shrinker takes from the tail. */
static struct zswap_page *lru_head, *lru_tail;
static size_t lru_pages;

static struct {
	uint64_t swappable, swapped_out, swap_outs, clean_drops, faults, pages_freed,
		pages_refaulted;
} sw;

/*
 * Is a zone at or below the trigger?  Each zone's free count is read under its
 * lock.  The tick (@tick) cannot wait for a zone's lock - the code it
 * interrupted may hold it - so it skips a zone it cannot lock at once.
 */
static bool pressure(bool tick)
{
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		bool below;
		size_t mark;

		if (!z->managed)
			continue;
		/* Zone locks are irqsafe (spinlock.h): the tick has interrupts off already. */
		if (!tick)
			spin_lock_irqsafe(&z->lock);
		else if (!spin_trylock(&z->lock))
			continue;
		/*
		 * At the mark counts: a one-page request must leave the mark
		 * free (zone_watermark_ok()), so a zone at it refuses as one
		 * below does.  With the trigger at a min of one page, which no
		 * request goes below (atomic ones keep min - min / 2, so 1),
		 * "below" alone never came and the store never swapped out
		 * (randconfig seed 20: MIN_FREE_KBYTES=7, ZSTORE_TRIGGER_MIN).
		 * A mark of 0 keeps nothing back: no pressure there, as before.
		 */
		mark = z->watermark[TRIGGER_WMARK];
		below = mark && zone_free_pages(z) <= mark;
		if (tick)
			spin_unlock(&z->lock);
		else
			spin_unlock_irqsafe(&z->lock);
		if (below)
			return true;
	}
	return false;
}

bool zswap_under_pressure(void)
{
	return pressure(false);
}

bool zswap_tick_sees_pressure(void)
{
	return pressure(true);
}

static void lru_del(struct zswap_page *zp)
{
	if (zp->prev)
		zp->prev->next = zp->next;
	else
		lru_head = zp->next;
	if (zp->next)
		zp->next->prev = zp->prev;
	else
		lru_tail = zp->prev;
	zp->prev = zp->next = NULL;
	__atomic_fetch_sub(&lru_pages, 1, __ATOMIC_RELAXED);
}

static void lru_add_head(struct zswap_page *zp)
{
	zp->prev = NULL;
	zp->next = lru_head;
	if (lru_head)
		lru_head->prev = zp;
	else
		lru_tail = zp;
	lru_head = zp;
	__atomic_fetch_add(&lru_pages, 1, __ATOMIC_RELAXED);
}

static void lru_add_tail(struct zswap_page *zp)
{
	zp->next = NULL;
	zp->prev = lru_tail;
	if (lru_tail)
		lru_tail->next = zp;
	else
		lru_head = zp;
	lru_tail = zp;
	__atomic_fetch_add(&lru_pages, 1, __ATOMIC_RELAXED);
}

int zswap_add(struct zswap_page *zp, void *page)
{
	unsigned long flags;
	struct page *pg = page ? virt_to_page(page) : NULL;

	if (!zp || !pg || ((uintptr_t)page & (PAGE_SIZE - 1)))
		return KERR_INVAL;
	flags = spin_lock_irqsave(&lru_lock);
	if (zp->state != ZSWAP_UNREGISTERED) {
		spin_unlock_irqrestore(&lru_lock, flags);
		return KERR_INVAL;
	}
	*zp = (struct zswap_page){ .addr = page, .state = ZSWAP_RESIDENT };
	lru_add_head(zp);
	sw.swappable++;
	spin_unlock_irqrestore(&lru_lock, flags);
	/* The owner's context may allocate: fill the reserve the tick and reclaim draw on. */
	zs_reserve_refill();
	return 0;
}

/* @zp is about to change: its stored copy no longer describes it.  LRU lock held. */
static void drop_copy(struct zswap_page *zp, struct zs_spill *spill)
{
	if (zp->handle) {
		zs_free(zp->handle, spill);
		zp->handle = 0;
	}
	zp->rejected = false;
}

int zswap_get(struct zswap_page *zp, bool write, void **addr)
{
	struct zs_spill spill = { .n = 0 };
	void *page = NULL, *spare = NULL;
	unsigned long flags;
	int err = 0;

	if (!zp || !addr)
		return KERR_INVAL;
	for (;;) {
		flags = spin_lock_irqsave(&lru_lock);
		if (zp->state != ZSWAP_OUT || page)
			break;
		/* Out, and no page to bring it back into: take one without the lock. */
		spin_unlock_irqrestore(&lru_lock, flags);
		page = page_alloc(1, GFP_KERNEL | __GFP_NOWARN);
		if (!page)
			return KERR_NOMEM;
		if (zs_cache_wants_page() && !zswap_under_pressure())
			spare = page_alloc(1, GFP_KERNEL | __GFP_NOWARN);
	}
	switch (zp->state) {
	case ZSWAP_RESIDENT:
		if (!zp->holds++)
			lru_del(zp);
		break;
	case ZSWAP_OUT:
		err = zs_load(zp->handle, page, &spare);
		if (err)
			break;
		zp->addr = page;
		page = NULL;
		zp->state = ZSWAP_RESIDENT;
		zp->holds = 1;
		sw.swapped_out--;
		sw.faults++;
		sw.pages_refaulted++;
		break;
	default:
		err = KERR_INVAL;
	}
	if (!err) {
		if (write)
			drop_copy(zp, &spill);
		*addr = zp->addr;
	}
	spin_unlock_irqrestore(&lru_lock, flags);
	zs_spill_free(&spill);
	if (page)
		page_free(page, 1);
	if (spare)
		page_free(spare, 1);
	return err;
}

int zswap_put(struct zswap_page *zp)
{
	unsigned long flags;
	int err = 0;

	if (!zp)
		return KERR_INVAL;
	flags = spin_lock_irqsave(&lru_lock);
	if (zp->state != ZSWAP_RESIDENT || !zp->holds)
		err = KERR_INVAL;
	else if (!--zp->holds)
		lru_add_head(zp);
	spin_unlock_irqrestore(&lru_lock, flags);
	return err;
}

int zswap_remove(struct zswap_page *zp)
{
	struct zs_spill spill = { .n = 0 };
	unsigned long flags;
	void *page = NULL;

	if (!zp)
		return KERR_INVAL;
	flags = spin_lock_irqsave(&lru_lock);
	if (zp->state == ZSWAP_UNREGISTERED || zp->holds) {
		spin_unlock_irqrestore(&lru_lock, flags);
		return KERR_INVAL;
	}
	if (zp->state == ZSWAP_RESIDENT) {
		lru_del(zp);
		page = zp->addr;
	} else {
		sw.swapped_out--;
	}
	drop_copy(zp, &spill);
	*zp = (struct zswap_page){ .state = ZSWAP_UNREGISTERED };
	sw.swappable--;
	spin_unlock_irqrestore(&lru_lock, flags);
	zs_spill_free(&spill);
	if (page)
		page_free(page, 1);
	return 0;
}

size_t zswap_shrink(size_t nr)
{
	size_t freed = 0, budget;
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	/* Each page is looked at once per call at most: rejected ones go round to the head. */
	budget = lru_pages;
	spin_unlock_irqrestore(&lru_lock, flags);
	while (freed < nr && budget--) {
		struct zswap_page *zp;
		void *page;
		zs_handle_t h;
		int err;

		flags = spin_lock_irqsave(&lru_lock);
		zp = lru_tail;
		if (!zp) {
			spin_unlock_irqrestore(&lru_lock, flags);
			break;
		}
		lru_del(zp);
		if (zp->handle) {
			sw.clean_drops++;
		} else if (zp->rejected) {
			lru_add_head(zp);
			spin_unlock_irqrestore(&lru_lock, flags);
			continue;
		} else {
			err = zs_store(zp->addr, &h, ZS_RESERVE_ONLY);
			if (err == KERR_NOSPC) {
				/* Incompressible as it is: not tried again until written. */
				zp->rejected = true;
				lru_add_head(zp);
				spin_unlock_irqrestore(&lru_lock, flags);
				continue;
			}
			if (err) {
				/* The store is full: nothing more goes this time. */
				lru_add_tail(zp);
				spin_unlock_irqrestore(&lru_lock, flags);
				break;
			}
			zp->handle = h;
		}
		page = zp->addr;
		zp->addr = NULL;
		zp->state = ZSWAP_OUT;
		sw.swapped_out++;
		sw.swap_outs++;
		spin_unlock_irqrestore(&lru_lock, flags);
		/*
		 * The reserve first: reclaim cannot refill it from the allocator,
		 * and without it the next page cannot be stored.
		 */
		if (zs_reserve_donate(page))
			continue;
		page_free(page, 1);
		freed++;
		__atomic_fetch_add(&sw.pages_freed, 1, __ATOMIC_RELAXED);
	}
	return freed;
}

size_t zswap_precompress(size_t nr)
{
	struct zswap_page *zp;
	size_t done = 0, looked = 0;

	/* The tick: interrupts are off already, and it never waits for the lock. */
	if (!spin_trylock(&lru_lock))
		return 0;
	for (zp = lru_tail; zp && done < nr && looked < PRECOMPRESS_LOOK; zp = zp->prev, looked++) {
		zs_handle_t h;
		int err;

		if (zp->handle || zp->rejected)
			continue;
		err = zs_store(zp->addr, &h, ZS_TRYLOCK);
		if (err == KERR_NOSPC) {
			zp->rejected = true;
			continue;
		}
		if (err)
			break;
		zp->handle = h;
		done++;
	}
	spin_unlock(&lru_lock);
	return done;
}

/* ---- the shrinker --------------------------------------------------------------------- */

static size_t shrinker_count(void)
{
	size_t n = zs_cache_pages();

	if (zswap_under_pressure())
		n += __atomic_load_n(&lru_pages, __ATOMIC_RELAXED);
	return n;
}

static size_t shrinker_scan(size_t nr)
{
	struct zs_spill spill = { .n = 0 };
	unsigned long flags = zs_lock_store();
	size_t got = zs_cache_drain(&spill);

	zs_unlock_store(flags);
	zs_spill_free(&spill);
	if (got < nr && zswap_under_pressure())
		got += zswap_shrink(nr - got);
	return got;
}

static struct shrinker zswap_shrinker = {
	.name = "zstore",
	.count = shrinker_count,
	.scan = shrinker_scan,
};

void zswap_init(void)
{
	register_shrinker(&zswap_shrinker);
}

void zswap_fill_stats(struct zstore_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	st->swappable = sw.swappable;
	st->swapped_out = sw.swapped_out;
	st->swap_outs = sw.swap_outs;
	st->clean_drops = sw.clean_drops;
	st->faults = sw.faults;
	st->pages_freed = __atomic_load_n(&sw.pages_freed, __ATOMIC_RELAXED);
	st->pages_refaulted = sw.pages_refaulted;
	spin_unlock_irqrestore(&lru_lock, flags);
}
