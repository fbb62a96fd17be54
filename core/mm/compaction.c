/*
 * compaction.c - movable pages and compaction (migrate.h).
 *
 * A movable page is marked in its descriptor (PG_MOVABLE, the owner's
 * reference in the owner field) while it is live.  Compaction asks each
 * zone's strategy, pageblock-sized range by range, how many pages it would
 * have to move out (pa_strategy_range_movable(): every allocated page there
 * must be a movable single page), takes the range with the fewest, and
 * moves them: a new movable page is allocated - one that falls inside the
 * range is held aside until the end, so the range only empties - the page
 * copied, the reference switched, the old page freed.  Frees go through
 * the per-CPU lists, so the lists are drained before the range is judged.
 */
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "migrate.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "pa_strategy.h"
#include "spinlock.h"
#include "zone.h"

#define PAGEBLOCK_PAGES ((size_t)1 << MIN(BUDDY_PAGEBLOCK_ORDER, (unsigned int)CONFIG_BUDDY_MAX_ORDER))

static spinlock_t compact_lock = SPINLOCK_INIT;
static struct compact_stats stats;
/* Pages of the range being emptied that the allocator handed back as destinations. */
static void *held[PAGEBLOCK_PAGES];

int alloc_movable_page(struct movable_ref *ref, gfp_t gfp)
{
	void *p = alloc_pages(0, gfp | __GFP_MOVABLE);
	struct page *pg;

	if (!p)
		return KERR_NOMEM;
	pg = virt_to_page(p);
	spin_lock(&compact_lock);
	pg->flags |= PG_MOVABLE;
	pg->owner = ref;
	ref->page = p;
	stats.movable_pages++;
	spin_unlock(&compact_lock);
	return 0;
}

int free_movable_page(struct movable_ref *ref)
{
	struct page *pg;
	void *p;

	spin_lock(&compact_lock);
	p = ref->page;
	pg = p ? virt_to_page(p) : NULL;
	if (!pg || !(pg->flags & PG_MOVABLE) || pg->owner != ref) {
		spin_unlock(&compact_lock);
		mm_report_misuse("migrate", KERR_BAD_PTR, p);
		return KERR_BAD_PTR;
	}
	pg->flags &= (uint8_t)~PG_MOVABLE;
	pg->owner = NULL;
	ref->page = NULL;
	stats.movable_pages--;
	spin_unlock(&compact_lock);
	return free_pages(p, 0);
}

static bool is_movable(const struct page *head)
{
	return head->flags & PG_MOVABLE;
}

/* The range of 2^@order pages with the fewest pages to move (at least one); 0 if none. */
static uintptr_t pick_range(unsigned int order, size_t *moves)
{
	size_t pages = (size_t)1 << order, best = SIZE_MAX;
	uintptr_t found = 0;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		uintptr_t a = ALIGN_UP(z->base, pages * PAGE_SIZE);

		for (; z->spanned && a + pages * PAGE_SIZE <= z->base + z->spanned * PAGE_SIZE;
		     a += pages * PAGE_SIZE) {
			size_t n;

			spin_lock_irqsafe(&z->lock);
			n = pa_strategy_range_movable(&z->pa, a, pages, is_movable);
			spin_unlock_irqsafe(&z->lock);
			if (n && n < best) {
				best = n;
				found = a;
			}
		}
	}
	*moves = best;
	return found;
}

/* Move the movable page at @old out of [@lo, @hi); false when no page outside is left. */
static bool migrate_one(void *old, uintptr_t lo, uintptr_t hi, size_t *nr_held)
{
	struct page *opg = virt_to_page(old), *npg;
	struct movable_ref *ref = opg->owner;
	void *dst;

	for (;;) {
		dst = alloc_pages(0, GFP_KERNEL | __GFP_MOVABLE | __GFP_NOWARN);
		if (!dst)
			return false;
		if ((uintptr_t)dst < lo || (uintptr_t)dst >= hi)
			break;
		held[(*nr_held)++] = dst;	/* free pages of the range: at most a range's worth */
	}
	memcpy(dst, old, PAGE_SIZE);
	npg = virt_to_page(dst);
	npg->flags |= PG_MOVABLE;
	npg->owner = ref;
	ref->page = dst;
	if (ref->migrated)
		ref->migrated(ref, old, dst);
	opg->flags &= (uint8_t)~PG_MOVABLE;
	opg->owner = NULL;
	free_pages(old, 0);
	stats.pages_migrated++;
	return true;
}

bool compact_block(unsigned int order)
{
	size_t moves = 0, nr_held = 0, pages = (size_t)1 << order;
	uintptr_t lo, hi;
	bool ok = true;

	drain_all_pages();
	spin_lock(&compact_lock);
	stats.runs++;
	lo = order <= MIN(BUDDY_PAGEBLOCK_ORDER, (unsigned int)CONFIG_BUDDY_MAX_ORDER) ?
	     pick_range(order, &moves) : 0;
	if (!lo) {
		stats.failures++;
		stats.no_range++;
		spin_unlock(&compact_lock);
		return false;
	}
	hi = lo + pages * PAGE_SIZE;
	for (uintptr_t a = lo; a < hi && ok; a += PAGE_SIZE) {
		struct page *pg = virt_to_page((void *)a);

		if (pg && (pg->flags & PG_MOVABLE))
			ok = migrate_one((void *)a, lo, hi, &nr_held);
	}
	while (nr_held)
		free_pages(held[--nr_held], 0);
	if (ok)
		stats.blocks_formed++;
	else
		stats.failures++;
	spin_unlock(&compact_lock);
	/* The old pages and the held ones went to the per-CPU lists: back to the strategy, merged. */
	drain_all_pages();
	return ok;
}

void compact_get_stats(struct compact_stats *st)
{
	spin_lock(&compact_lock);
	*st = stats;
	spin_unlock(&compact_lock);
}
