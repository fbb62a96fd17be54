/*
 * page_alloc.c - the kernel's physical page allocator (see page_alloc.h):
 * mem_map, the zones, and the way a request reaches a zone.
 *
 * Boot: mem_map covers every frame from the lowest region base to the
 * highest region end, one struct page each; it and each zone's strategy
 * metadata are carved from the TOP of the highest region that can hold
 * them (a small low zone - DMA below 16 MiB - must not fill up with
 * metadata).  Frames are reserved until released: holes between regions,
 * page 0 and the metadata itself stay reserved, so virt_to_page() says
 * NULL for them in O(1).
 *
 * This file does what every strategy needs: routing single pages through
 * the per-CPU lists (pcp.h), __GFP_ZERO, counting, the high-water mark,
 * and the one check the strategies cannot make (a page on a per-CPU list
 * looks allocated to them).  The strategy does the finding and the exact
 * checking, and reports the misuse it detects (mm_report_misuse()).
 *
 * When a strategy cannot serve a request while pages sit on per-CPU
 * lists, the lists are drained and the request retried once, as Linux
 * does before it gives up: cached pages never make an allocation fail.
 */
#include "compiler.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "panic.h"
#include "pcp.h"
#include "printk.h"
#include "spinlock.h"
#include "zone.h"

/*
 * Orders at or above this cannot be expressed as a byte count in a size_t;
 * asking for one is refused before any shift is computed.
 */
#define ORDER_LIMIT ((unsigned int)(sizeof(size_t) * 8 - PAGE_SHIFT))

struct mem_map mem_map;
struct zone zones[MAX_NR_ZONES];
static size_t mem_map_bytes;

static const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_NORMAL] = "Normal",
};

bool page_in_mem_map(const struct page *pg)
{
	/* As integers: @pg may point anywhere, and C orders pointers only within one array. */
	uintptr_t off = (uintptr_t)pg - (uintptr_t)mem_map.map;

	return mem_map.map && (uintptr_t)pg >= (uintptr_t)mem_map.map &&
	       off / sizeof(struct page) < mem_map.pages && off % sizeof(struct page) == 0;
}

/* ---- boot ------------------------------------------------------------------------ */

/*
 * The whole pages of @r as [*b, *e); false if there are none.  Page 0 is
 * left out: NULL means failure, so it can neither be handed out nor hold
 * the metadata.
 */
static bool page_bounds(const struct mem_region *r, uintptr_t *b, uintptr_t *e)
{
	uintptr_t end = r->base + r->size;

	if (end < r->base)                      /* wraps: clamp to the top */
		end = UINTPTR_MAX;
	*b = ALIGN_UP(r->base, (uintptr_t)PAGE_SIZE);
	*e = ALIGN_DOWN(end, (uintptr_t)PAGE_SIZE);
	if (*b < r->base)                       /* ALIGN_UP wrapped */
		return false;
	if (*b == 0)
		*b = PAGE_SIZE;
	return *e > *b;
}

/* Bytes of metadata: mem_map, then each zone's strategy metadata (8-aligned). */
static size_t meta_layout(size_t *zone_meta_offset)
{
	size_t bytes = ALIGN_UP(mem_map.pages * sizeof(struct page), (size_t)8);

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		zone_meta_offset[i] = bytes;
		bytes += ALIGN_UP(pa_strategy_meta_size(zones[i].spanned), (size_t)8);
	}
	return ALIGN_UP(bytes, PAGE_SIZE);
}

/* Give the frames [@b, @e) to the zones that span them. */
static void release_range(uintptr_t b, uintptr_t e)
{
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		uintptr_t zb = MAX(b, z->base), ze = MIN(e, z->base + z->spanned * PAGE_SIZE);

		if (!z->spanned || ze <= zb)
			continue;
		pa_strategy_release(&z->pa, zb, (ze - zb) >> PAGE_SHIFT);
	}
}

void page_alloc_init(const struct mem_region *regions, size_t n)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0, b, e, meta = 0;
	size_t i, carve, zone_meta[MAX_NR_ZONES];

	if (n > MEM_REGIONS_MAX) {
		printk("page_alloc: %zu memory regions, using the first %d\n", n, MEM_REGIONS_MAX);
		n = MEM_REGIONS_MAX;
	}
	for (i = 0; i < n; i++) {
		if (!page_bounds(&regions[i], &b, &e))
			continue;
		lo = MIN(lo, b);
		hi = MAX(hi, e);
	}
	if (hi <= lo)
		panic("page_alloc: the memory map holds no usable page");
	mem_map.base = lo;
	mem_map.pages = (hi - lo) >> PAGE_SHIFT;

	/* One zone over everything for now; zone_table.h will cut more. */
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		spin_lock_init(&zones[z].lock);
		zones[z].name = zone_names[z];
	}
	zones[ZONE_NORMAL].base = lo;
	zones[ZONE_NORMAL].spanned = mem_map.pages;

	carve = meta_layout(zone_meta);
	/* From the top down: the highest region end that has room. */
	for (i = n; i-- > 0 && !meta;) {
		if (page_bounds(&regions[i], &b, &e) && e - b >= carve)
			meta = e - carve;
	}
	/* Boot cannot go on without page metadata: this is not an allocation failure. */
	if (!meta)
		panic("page_alloc: no memory region can hold %zu bytes of page metadata", carve);
	mem_map.map = (struct page *)meta;
	mem_map_bytes = carve;

	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &zones[z];
		size_t first = (zone->base - mem_map.base) >> PAGE_SHIFT;

		if (!zone->spanned)
			continue;
		pa_strategy_init(&zone->pa, zone->base, zone->spanned, &mem_map.map[first],
				 (void *)(meta + zone_meta[z]));
		zone->meta_bytes = pa_strategy_meta_size(zone->spanned);
		for (size_t f = first; f < first + zone->spanned; f++)
			mem_map.map[f] = (struct page){ .zone = (uint8_t)z };
		pcp_init_zone(zone);
	}

	for (i = 0; i < n; i++) {
		if (!page_bounds(&regions[i], &b, &e))
			continue;
		/* The metadata sits at the end of its region: release only what is below it. */
		if (meta >= b && meta < e)
			e = meta;
		if (e > b)
			release_range(b, e);
	}
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++)
		zones[z].managed = pa_strategy_free_pages(&zones[z].pa);
}

bool page_alloc_owns(const void *addr)
{
	return virt_to_page(addr) != NULL;
}

/* ---- zones ---------------------------------------------------------------------- */

static void count_atomic(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

void *zone_take_locked(struct zone *z, size_t npages, unsigned int order, bool by_order)
{
	void *addr = by_order ? pa_strategy_alloc_order(&z->pa, order) :
				pa_strategy_alloc(&z->pa, npages);
	size_t taken;

	if (!addr)
		return NULL;
	taken = z->managed - pa_strategy_free_pages(&z->pa);
	if (taken > z->peak_taken)
		z->peak_taken = taken;
	return addr;
}

int zone_give_locked(struct zone *z, const void *addr, size_t npages)
{
	return pa_strategy_free(&z->pa, addr, npages);
}

/* A run from @z's strategy, with its head's descriptor clean for the caller. */
static void *zone_take(struct zone *z, size_t npages, unsigned int order, bool by_order)
{
	void *addr;

	spin_lock(&z->lock);
	addr = zone_take_locked(z, npages, order, by_order);
	if (addr) {
		struct page *pg = virt_to_page(addr);

		pg->flags = 0;
		pg->owner = NULL;
		z->counters.allocs++;
	}
	spin_unlock(&z->lock);
	return addr;
}

/* zone_take(), draining the per-CPU lists and retrying once if it fails. */
static void *zone_take_or_drain(struct zone *z, size_t npages, unsigned int order, bool by_order)
{
	void *addr = zone_take(z, npages, order, by_order);

	if (!addr && pcp_drain_zone(z))
		addr = zone_take(z, npages, order, by_order);
	return addr;
}

static void *finish_alloc(struct zone *z, void *addr, size_t npages, gfp_t flags)
{
	if (unlikely(!addr)) {
		count_atomic(&z->counters.failures);
		return NULL;
	}
	/* Outside the lock: zeroing megabytes should not stall other CPUs. */
	if (flags & __GFP_ZERO)
		memset(addr, 0, npages << PAGE_SHIFT);
	return addr;
}

/* A single page past the list's pop: a refill, a drain of other lists, no list, flags. */
static __noinline void *alloc_single_slow(gfp_t flags)
{
	struct zone *z = gfp_zone(flags);
	struct page *pg = pcp_alloc(z);

	/* Without CONFIG_PCP (or with the zone empty) the strategy serves it. */
	if (!pg && pcp_drain_zone(z))
		pg = pcp_alloc(z);
	if (pg)
		return finish_alloc(z, page_to_virt(pg), 1, flags);
	return finish_alloc(z, zone_take(z, 1, 0, true), 1, flags);
}

/* The common single page: a pop off this CPU's list of the normal zone, inline. */
static __always_inline void *alloc_single(gfp_t flags)
{
	struct page *pg;

	/* Any flag (zeroing, another zone) goes the slow way. */
	if (likely(!flags)) {
		pg = pcp_pop(&zones[ZONE_NORMAL]);
		if (likely(pg))
			return page_to_virt(pg);
	}
	return alloc_single_slow(flags);
}

/*
 * Give @npages at @addr back to their zone's strategy.  A page on a
 * per-CPU list looks allocated to the strategy, so a free that starts on
 * one is a double free caught here; the strategy checks everything else
 * (alignment, range, that @addr starts a live allocation of @npages).
 */
static int zone_give(void *addr, size_t npages)
{
	struct page *pg = IS_ALIGNED((uintptr_t)addr, PAGE_SIZE) ? virt_to_page(addr) : NULL;
	struct zone *z;
	int err;

	if (unlikely(!pg)) {
		/*
		 * No zone to ask, so it is reported here: outside memory, in
		 * a frame no zone manages (a hole, metadata), or not at a
		 * page boundary.
		 */
		err = virt_to_page(addr) ? KERR_BAD_PTR : KERR_RANGE;
		count_atomic(&zones[ZONE_NORMAL].counters.misuse);
		mm_report_misuse("page_alloc", err, addr);
		return err;
	}
	z = page_zone(pg);
	spin_lock(&z->lock);
	if (unlikely(pg->flags & PG_PCP)) {
		err = KERR_DOUBLE_FREE;
	} else {
		/* Whoever held the pages cleared the marks of every page but the head. */
		uint8_t flags = pg->flags;
		void *owner = pg->owner;

		pg->flags = 0;
		pg->owner = NULL;
		err = zone_give_locked(z, addr, npages);
		if (err) {
			pg->flags = flags;
			pg->owner = owner;
		}
	}
	if (!err)
		z->counters.frees++;
	else
		count_atomic(&z->counters.misuse);
	spin_unlock(&z->lock);
	if (err == KERR_DOUBLE_FREE && (pg->flags & PG_PCP))
		pcp_report_double_free(pg);
	return err;
}

/* A single page past the list's push: not a live single page, a double free, no list. */
static __noinline int free_single_slow(void *addr)
{
	struct page *pg = IS_ALIGNED((uintptr_t)addr, PAGE_SIZE) ? virt_to_page(addr) : NULL;
	int err;

	if (!addr)
		return 0;
	if (unlikely(!pg))
		return zone_give(addr, 1);
	err = pcp_free(page_zone(pg), pg);
	if (likely(err == 0))
		return 0;
	if (err == PCP_NOT_CACHED)
		return zone_give(addr, 1);
	count_atomic(&page_zone(pg)->counters.misuse);   /* reported by the list */
	return err;
}

/*
 * The common single-page free, inline: the head of a live one-page
 * allocation with no marks left on it, pushed onto this CPU's list of its
 * zone.  Everything else - misuse included - goes to free_single_slow().
 */
static __always_inline int free_single(void *addr)
{
	size_t frame = ((uintptr_t)addr - mem_map.base) >> PAGE_SHIFT;
	struct page *pg;

	/* NULL is below the first frame (page 0 is never managed): it goes slow too. */
	if (unlikely(!IS_ALIGNED((uintptr_t)addr, PAGE_SIZE) || frame >= mem_map.pages))
		return free_single_slow(addr);
	pg = &mem_map.map[frame];
	if (unlikely(pg->npages != 1 || pg->flags))
		return free_single_slow(addr);
	if (unlikely(!pcp_push(page_zone(pg), pg)))
		return free_single_slow(addr);
	return 0;
}

void *page_alloc(size_t npages, gfp_t flags)
{
	struct zone *z = gfp_zone(flags);

	if (npages == 1)
		return alloc_single(flags);
	if (!npages || npages > z->spanned || npages > PA_STRATEGY_MAX_PAGES)
		return finish_alloc(z, NULL, 0, flags);
	return finish_alloc(z, zone_take_or_drain(z, npages, 0, false), npages, flags);
}

int page_free(void *addr, size_t npages)
{
	if (npages == 1)
		return free_single(addr);
	if (!addr)
		return 0;
	return zone_give(addr, npages);
}

/* alloc_pages() of more than one page: the zone's strategy. */
static __noinline void *alloc_pages_slow(unsigned int order, gfp_t flags)
{
	struct zone *z = gfp_zone(flags);

	if (order >= ORDER_LIMIT || ((size_t)1 << order) > z->spanned ||
	    ((size_t)1 << order) > PA_STRATEGY_MAX_PAGES)
		return finish_alloc(z, NULL, 0, flags);
	return finish_alloc(z, zone_take_or_drain(z, (size_t)1 << order, order, true),
			    (size_t)1 << order, flags);
}

void *alloc_pages(unsigned int order, gfp_t flags)
{
	if (likely(order == 0))
		return alloc_single(flags);
	return alloc_pages_slow(order, flags);
}

int free_pages(void *addr, unsigned int order)
{
	if (likely(order == 0))
		return free_single(addr);
	if (!addr)
		return 0;
	if (order >= ORDER_LIMIT) {
		/* No allocation can have this order: the strategy never sees it. */
		count_atomic(&zones[ZONE_NORMAL].counters.misuse);
		mm_report_misuse("page_alloc", KERR_WRONG_SIZE, addr);
		return KERR_WRONG_SIZE;
	}
	return zone_give(addr, (size_t)1 << order);
}

#ifndef CONFIG_PCP
size_t drain_all_pages(void)
{
	return 0;
}
#endif

size_t page_alloc_taken_pages(void)
{
	size_t taken = 0;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];

		spin_lock(&z->lock);
		taken += z->managed - pa_strategy_free_pages(&z->pa);
		spin_unlock(&z->lock);
	}
	return taken;
}

void page_alloc_get_stats(struct page_alloc_stats *st)
{
	/* Read first: a list lock is never taken inside a zone lock. */
	size_t cached = pcp_count();
	struct alloc_counters lists = { 0 };

	pcp_add_counters(&lists);
	memset(st, 0, sizeof(*st));
	st->strategy = PA_STRATEGY_NAME;
	st->meta_bytes = mem_map_bytes;
	st->pcp_pages = cached;
	st->free_pages = cached;
#ifdef CONFIG_PCP
	st->pcp_high = PCP_HIGH;
	st->pcp_batch = PCP_BATCH;
#endif
	st->counters.allocs = lists.allocs;
	st->counters.frees = lists.frees;
	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];

		spin_lock(&z->lock);
		st->total_pages += z->managed;
		st->peak_used_pages += z->peak_taken;
		st->free_pages += pa_strategy_free_pages(&z->pa);
		st->largest_free_run = MAX(st->largest_free_run,
					   pa_strategy_largest_free_run(&z->pa));
		pa_strategy_nr_free(&z->pa, st->nr_free);
		st->counters.allocs += z->counters.allocs;
		st->counters.frees += z->counters.frees;
		st->counters.failures += __atomic_load_n(&z->counters.failures, __ATOMIC_RELAXED);
		st->counters.misuse += __atomic_load_n(&z->counters.misuse, __ATOMIC_RELAXED);
		spin_unlock(&z->lock);
	}
}
