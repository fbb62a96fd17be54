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
 * NULL for them in O(1).  The zones cut the span where zone_table.h says.
 *
 * A request (Linux's __alloc_pages(), much reduced):
 *
 *   1. the zones from its highest allowed one down, each while it stays
 *      above its low watermark plus its lowmem reserve for the request;
 *   2. failing that, a request that may reclaim runs the shrinkers for
 *      the zones that fell below low since they were last above high
 *      (Linux's kswapd, run in the caller: there are no kernel threads);
 *   3. the zones again, down to min - less for GFP_ATOMIC and
 *      __GFP_HIGH (zone_floor());
 *   4. failing that, the per-CPU lists are drained and, unless atomic,
 *      the shrinkers run whatever the zones' state (direct reclaim), and
 *      step 3 is tried once more;
 *   5. then it fails: counted, and reported unless __GFP_NOWARN
 *      (show_mem.h).
 *
 * Single pages take the per-CPU lists (pcp.h) on the way: the inline
 * path pops the calling CPU's list of the preferred zone, and a refill
 * takes no more pages than the zone's floor allows; a run of several
 * pages first gives the calling CPU's list back to the zone, so that its
 * pages can merge into the run.  This file also does
 * what every strategy needs: __GFP_ZERO, counting, the high-water mark,
 * and the one check the strategies cannot make (a page on a per-CPU list
 * looks allocated to them).  The strategy does the finding and the exact
 * checking, and reports the misuse it detects (mm_report_misuse()).
 */
#include "compiler.h"
#include "irq.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "lazy_memmap.h"
#include "fault_inject.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "panic.h"
#include "pcp.h"
#include "printk.h"
#include "shrinker.h"
#include "show_mem.h"
#include "spinlock.h"
#include "zone.h"

_Static_assert(MAX_NR_ZONES <= MAX_ZONES, "struct zone_stats holds every zone");

/*
 * Orders at or above this cannot be expressed as a byte count in a size_t;
 * asking for one is refused before any shift is computed.
 */
#define ORDER_LIMIT ((unsigned int)(sizeof(size_t) * 8 - PAGE_SHIFT))

/* Shrinker passes a reclaim makes at most before it gives up on reaching high. */
#define RECLAIM_PASSES 4

struct mem_map mem_map;
struct zone zones[MAX_NR_ZONES];
struct zone *preferred_zone = &zones[ZONE_NORMAL];
/* [h]: the zone keeping the failure history of requests whose highest zone is h. */
static struct zone *history_of[MAX_NR_ZONES];
static size_t mem_map_bytes;

static const char *const zone_names[MAX_NR_ZONES] = ZONE_TABLE_NAMES;
static const uint64_t zone_ends[MAX_NR_ZONES] = ZONE_TABLE_ENDS;

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

/*
 * Cut the frames [@lo, @hi) into the zones: zone i takes what lies
 * between the end of zone i - 1 and its own end (zone_table.h, physical
 * addresses, moved by arch_zone_offset()).  An empty zone keeps spanned 0.
 */
static void zone_spans(uintptr_t lo, uintptr_t hi)
{
	uintptr_t offset = arch_zone_offset(), start = lo;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		uintptr_t end = zone_ends[i] ? (uintptr_t)zone_ends[i] + offset : hi;

		end = MIN(MAX(end, start), hi);
		spin_lock_init(&z->lock);
		z->name = zone_names[i];
		z->base = start;
		z->spanned = (end - start) >> PAGE_SHIFT;
		start = end;
	}
}

/*
 * Bytes of metadata: mem_map, then each zone's strategy metadata
 * (8-aligned), then the page debug array (mm_debug_internal.h) when a
 * debug option keeps one; *@debug_offset: where that starts.
 */
static size_t meta_layout(size_t *zone_meta_offset, size_t *debug_offset)
{
	size_t bytes = ALIGN_UP(mem_map.pages * sizeof(struct page), (size_t)8);

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		zone_meta_offset[i] = bytes;
		bytes += ALIGN_UP(pa_strategy_meta_size(zones[i].spanned), (size_t)8);
	}
	*debug_offset = bytes;
	if (DEBUG_PAGES)
		bytes += ALIGN_UP(debug_page_meta_size(mem_map.pages), (size_t)8);
	return ALIGN_UP(bytes, PAGE_SIZE);
}

/*
 * Lazy (lazy_memmap.h): the usable page bounds of the memory map, the
 * metadata left out, and the lowest frame each zone has released.  A zone
 * grows from its top down, as the buddy allocator would use it with
 * everything released: the smallest blocks, next to the metadata at the
 * top, are split first, and the large aligned blocks below stay whole
 * until a request needs them.
 */
static struct {
	uintptr_t b, e;
} lazy_ranges[LAZY_MEMMAP ? MEM_REGIONS_MAX : 1];
static size_t lazy_nranges;
static uintptr_t lazy_low[MAX_NR_ZONES];

/*
 * Release the next LAZY_MEMMAP_CHUNK_PAGES frames of @z below those it
 * has (at least @npages, down to a chunk boundary), their descriptors
 * written first; false when all of @z is released.
 */
static bool lazy_grow_zone(struct zone *z, size_t npages)
{
	size_t chunk = LAZY_MEMMAP_CHUNK_PAGES;   /* a variable: 0 in a kernel image */
	size_t before, pages = MAX(chunk, npages);
	uintptr_t from, to;

	spin_lock_irqsafe(&z->lock);
	to = lazy_low[z - zones];
	if (!z->spanned || to <= z->base) {
		spin_unlock_irqsafe(&z->lock);
		return false;
	}
	from = (to - z->base) / PAGE_SIZE > pages ?
	       MAX(ALIGN_DOWN(to - pages * PAGE_SIZE, chunk * PAGE_SIZE), z->base) : z->base;
	for (size_t f = (from - mem_map.base) >> PAGE_SHIFT; f < (to - mem_map.base) >> PAGE_SHIFT; f++)
		mem_map.map[f].zone = (uint8_t)(z - zones);
	before = pa_strategy_free_pages(&z->pa);
	for (size_t i = 0; i < lazy_nranges; i++) {
		uintptr_t b = MAX(from, lazy_ranges[i].b), e = MIN(to, lazy_ranges[i].e);

		if (e > b)
			pa_strategy_release(&z->pa, b, (e - b) >> PAGE_SHIFT);
	}
	z->managed += pa_strategy_free_pages(&z->pa) - before;
	lazy_low[z - zones] = from;
	spin_unlock_irqsafe(&z->lock);
	return true;
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
	size_t i, carve, zone_meta[MAX_NR_ZONES], debug_meta;

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
	zone_spans(lo, hi);

	carve = meta_layout(zone_meta, &debug_meta);
	/* From the top down: the highest region end that has room. */
	for (i = n; i-- > 0 && !meta;) {
		if (page_bounds(&regions[i], &b, &e) && e - b >= carve)
			meta = e - carve;
	}
	/* Boot cannot go on without page metadata: this is not an allocation failure. */
	if (!meta)
		panic("page_alloc: no memory region can hold %zu bytes of page metadata", carve);
	mem_map.map = (struct page *)meta;
	mem_map.virt_bias = mem_map.base - meta * PAGE_PER_DESC;
	mem_map_bytes = carve;
	if (DEBUG_PAGES)
		debug_page_init((void *)(meta + debug_meta));

	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &zones[z];
		size_t first = (zone->base - mem_map.base) >> PAGE_SHIFT;

		if (!zone->spanned)
			continue;
		pa_strategy_init(&zone->pa, zone->base, zone->spanned, &mem_map.map[first],
				 (void *)(meta + zone_meta[z]));
		zone->meta_bytes = pa_strategy_meta_size(zone->spanned);
		/* Lazy: written a chunk at a time as the zone grows (lazy_grow_zone()). */
		for (size_t f = first; !LAZY_MEMMAP && f < first + zone->spanned; f++)
			mem_map.map[f] = (struct page){ .zone = (uint8_t)z };
		pcp_init_zone(zone);
		lazy_low[z] = zone->base + zone->spanned * PAGE_SIZE;
	}

	for (i = 0; i < n; i++) {
		if (!page_bounds(&regions[i], &b, &e))
			continue;
		/* The metadata sits at the end of its region: release only what is below it. */
		if (meta >= b && meta < e)
			e = meta;
		if (e <= b)
			continue;
		if (!LAZY_MEMMAP) {
			release_range(b, e);
		} else {
			lazy_ranges[lazy_nranges].b = b;
			lazy_ranges[lazy_nranges++].e = e;
		}
	}
	/* Lazy: each zone starts with its top chunk that holds free frames (the rest as needed). */
	for (unsigned int z = 0; LAZY_MEMMAP && z < MAX_NR_ZONES; z++) {
		while (!zones[z].managed && lazy_grow_zone(&zones[z], 0))
			;
	}
	for (unsigned int z = 0; z < MAX_NR_ZONES; z++) {
		if (!LAZY_MEMMAP)   /* lazy_grow_zone() counts what it releases */
			zones[z].managed = zones[z].spanned ? pa_strategy_free_pages(&zones[z].pa) : 0;
		zones[z].reclaim_armed = true;
		if (zones[z].managed)
			preferred_zone = &zones[z];
		history_of[z] = preferred_zone;
	}
	zone_setup_watermarks();
	pcp_register_shrinker();
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

static void note_taken(struct zone *z)
{
	size_t taken = z->managed - pa_strategy_free_pages(&z->pa);

	if (taken > z->peak_taken)
		z->peak_taken = taken;
}

void *zone_take_locked(struct zone *z, size_t npages, unsigned int order, bool by_order)
{
	void *addr = by_order ? pa_strategy_alloc_order(&z->pa, order) :
				pa_strategy_alloc(&z->pa, npages);

	if (addr)
		note_taken(z);
	return addr;
}

int zone_give_locked(struct zone *z, const void *addr, size_t npages)
{
	int err = pa_strategy_free(&z->pa, addr, npages);

	/* Back above high: a later fall below low may reclaim again. */
	if (!err && !z->reclaim_armed && zone_free_pages(z) >= z->watermark[WMARK_HIGH])
		z->reclaim_armed = true;
	return err;
}

/*
 * A run from @z's strategy that leaves at least @floor pages free, with
 * its head's descriptor clean for the caller; NULL if there is none.
 */
static void *zone_take(struct zone *z, size_t npages, unsigned int order, bool by_order,
		       size_t floor, bool movable)
{
	void *addr = NULL;

	spin_lock_irqsafe(&z->lock);
	if (zone_watermark_ok(z, npages, floor)) {
		if (movable && by_order) {
			addr = pa_strategy_alloc_movable(&z->pa, order);
			if (addr)
				note_taken(z);
		} else {
			addr = zone_take_locked(z, npages, order, by_order);
		}
	}
	if (addr) {
		struct page *pg = virt_to_page(addr);

		pg->flags = 0;
		pg->owner = NULL;
		z->counters.allocs++;
	}
	spin_unlock_irqsafe(&z->lock);
	return addr;
}

/* ---- the request path ------------------------------------------------------------- */

/* What a request asks for, as the zone walk needs it. */
struct alloc_context {
	size_t npages;
	unsigned int order;
	bool by_order;              /* a naturally aligned block of 2^order pages */
	gfp_t flags;
	enum zone_type highest;     /* the highest zone it may use */
	unsigned int alloc_flags;   /* ALLOC_HARDER / ALLOC_HIGH */
	uintptr_t caller;
};

static void context_init(struct alloc_context *ac, size_t npages, unsigned int order,
			 bool by_order, gfp_t flags, uintptr_t caller)
{
	ac->npages = npages;
	ac->order = order;
	ac->by_order = by_order;
	ac->flags = flags;
	ac->highest = gfp_zone(flags);
	ac->alloc_flags = gfp_to_alloc_flags(flags);
	ac->caller = caller;
}

/* Take the request from @z if it stays above its floor for watermark @mark. */
static void *try_zone(struct zone *z, const struct alloc_context *ac, enum zone_watermarks mark)
{
	size_t floor = zone_floor(z, mark, ac->highest, ac->alloc_flags);
	struct page *pg;

	if (!z->managed)
		return NULL;
	/* A movable page comes from a movable pageblock: the per-CPU lists are not grouped. */
	if (ac->npages == 1 && !(ac->flags & __GFP_MOVABLE)) {
		/* A page on this CPU's list is out of the free count: no watermark. */
		pg = pcp_pop(z);
		if (pg)
			return page_to_virt(pg);
		if (!zone_watermark_ok(z, 1, floor))
			return NULL;
		/* A refill of as many pages as the floor allows. */
		pg = pcp_alloc(z, floor);
		if (pg)
			return page_to_virt(pg);
	}
	/* This CPU's single pages may be what merges into the run (pcp.h). */
	if (ac->npages > 1)
		pcp_give_back_before_run(z);
	/* zone_take() checks the floor under the zone's lock. */
	return zone_take(z, ac->npages, ac->order, ac->by_order, floor,
			 ac->flags & __GFP_MOVABLE);
}

/*
 * The zones a request may use, highest first, down to watermark @mark.  A
 * fallback is a block served below a zone with pages that could not give
 * it: an empty zone above (Normal on a machine with less than 4 GiB) is
 * not one the request could have had, so passing it is no fallback.
 */
static void *get_page_from_zones(const struct alloc_context *ac, enum zone_watermarks mark)
{
	bool passed_populated = false;

	for (unsigned int i = ac->highest + 1; i-- > 0;) {
		void *addr = try_zone(&zones[i], ac, mark);

		if (addr) {
			if (passed_populated)
				count_atomic(&zones[i].fallbacks);
			return addr;
		}
		passed_populated |= zones[i].managed != 0;
	}
	return NULL;
}

/*
 * Run the shrinkers until @z is back above its high watermark, a pass
 * gives nothing back, or RECLAIM_PASSES passes are done.
 */
static void reclaim_zone(struct zone *z)
{
	for (unsigned int pass = 0; pass < RECLAIM_PASSES; pass++) {
		size_t free = zone_free_pages(z), high = z->watermark[WMARK_HIGH];

		if (free >= high || !shrink_memory(high - free))
			break;
	}
}

/*
 * Background reclaim, in the caller: every zone the request may use that
 * fell below low since it was last above high.  Once per fall, so that a
 * zone the shrinkers cannot lift is not scanned on every request.
 */
static void reclaim_low_zones(const struct alloc_context *ac)
{
	for (unsigned int i = 0; i <= ac->highest; i++) {
		struct zone *z = &zones[i];
		bool run;

		spin_lock_irqsafe(&z->lock);
		run = z->managed && z->reclaim_armed &&
		      zone_free_pages(z) < z->watermark[WMARK_LOW];
		if (run)
			z->reclaim_armed = false;
		spin_unlock_irqsafe(&z->lock);
		if (run)
			reclaim_zone(z);
	}
}

/* The zone whose failure history a request joins: the highest it may use that has pages. */
static struct zone *history_zone(const struct alloc_context *ac)
{
	return history_of[ac->highest];
}

static void *alloc_failed(const struct alloc_context *ac, const char *why)
{
	/* A page injected by fault_inject.c: counted there, reported by no one. */
	if (mm_failure_injected())
		return NULL;
	struct zone *z = history_zone(ac);
	struct alloc_request req = {
		.who = "page_alloc", .why = why,
		.size = ac->npages > SIZE_MAX >> PAGE_SHIFT ? SIZE_MAX : ac->npages << PAGE_SHIFT,
		.order = ac->by_order ? (int)ac->order : -1, .flags = ac->flags,
		.caller = ac->caller,
	};

	zone_note_request(z, true);
	count_atomic(&z->counters.failures);
	warn_alloc(&req);
	return NULL;
}

/* Grow the zones @ac may use, highest first, by a chunk; false when none can grow. */
static bool lazy_grow(const struct alloc_context *ac)
{
	for (unsigned int i = ac->highest + 1; i-- > 0;) {
		if (lazy_grow_zone(&zones[i], ac->npages)) {
			zone_setup_watermarks();
			return true;
		}
	}
	return false;
}

/* Every request that the inline path did not finish: steps 1 to 5 above. */
static inline void *alloc_slowpath(const struct alloc_context *ac)
{
	/*
	 * A reclaim runs shrinkers that wait for other CPUs (cross-CPU
	 * drains), which needs interrupts on (smp.h): with them off - an
	 * interrupt handler, a caller holding an irqsafe lock - a request
	 * is served as GFP_ATOMIC is, from what is free.
	 */
	bool may_reclaim = !(ac->flags & __GFP_ATOMIC);
#ifdef CONFIG_SMP
	may_reclaim = may_reclaim && irqs_enabled();
#endif
	void *addr;

	if (unlikely(gfp_check(ac->flags)))
		return alloc_failed(ac, "invalid gfp flags");
	if (unlikely(!ac->npages || ac->npages > PA_STRATEGY_MAX_PAGES))
		return alloc_failed(ac, "no such run");

	addr = get_page_from_zones(ac, WMARK_LOW);
	/* Lazy: frames not yet released come before any reclaim (lazy_memmap.h). */
	while (LAZY_MEMMAP && !addr && lazy_grow(ac))
		addr = get_page_from_zones(ac, WMARK_LOW);
	if (!addr) {
		if (may_reclaim)
			reclaim_low_zones(ac);
		addr = get_page_from_zones(ac, WMARK_MIN);
	}
	if (!addr) {
		size_t back = drain_all_pages();

		if (may_reclaim)
			back += shrink_memory(ac->npages);
		if (back)
			addr = get_page_from_zones(ac, WMARK_MIN);
	}
	if (!addr)
		return alloc_failed(ac, "out of memory");

	zone_note_request(history_zone(ac), false);
	/* Before zeroing: the poison must be seen as the free left it. */
	if (DEBUG_PAGES)
		debug_page_alloc(addr, ac->npages);
	if (ac->flags & __GFP_ZERO)
		memset(addr, 0, ac->npages << PAGE_SHIFT);   /* outside every lock */
	return addr;
}

/*
 * Every request the inline pop did not serve, tail-called by the entry
 * points: its return address is their caller's (compiler.h: _RET_IP_).
 */
static __noinline void *alloc_slow(size_t npages, unsigned int order, bool by_order, gfp_t flags)
{
	struct alloc_context ac;
	uintptr_t caller = mm_api_caller(_RET_IP_);

	if (fault_should_fail(FAULT_PAGE, caller))
		return NULL;
	context_init(&ac, npages, order, by_order, flags, caller);
	return alloc_slowpath(&ac);
}

/*
 * The common single page, inline: a pop off this CPU's list of the
 * preferred zone, for a request whose flags change nothing about a page
 * already at hand (gfp.h: __GFP_FAST_OK).  A page on a list is out of
 * its zone's free count already: no watermark to check.  NULL: go slow.
 */
static __always_inline struct page *alloc_single_fast(gfp_t flags)
{
	/* Page debugging sees every allocation; an armed fault class decides in alloc_slow(). */
	if (DEBUG_PAGES || fault_armed_for(FAULT_PAGE))
		return NULL;
	if (unlikely(flags & ~__GFP_FAST_OK))
		return NULL;
	return pcp_pop(MAX_NR_ZONES == 1 ? &zones[0] : preferred_zone);
}

/* The descriptor of the managed page @addr starts, or NULL. */
static struct page *managed_page(const void *addr)
{
	return IS_ALIGNED((uintptr_t)addr, PAGE_SIZE) ? virt_to_page(addr) : NULL;
}

/*
 * @addr, given back or split, is no managed page: there is no zone to
 * ask, so it is reported here - outside memory, in a frame no zone
 * manages (a hole, metadata), or not at a page boundary.
 */
static __noinline int unmanaged(const void *addr)
{
	int err = virt_to_page(addr) ? KERR_BAD_PTR : KERR_RANGE;

	count_atomic(&preferred_zone->counters.misuse);
	mm_report_misuse("page_alloc", err, addr);
	return err;
}

/*
 * Give @npages at @addr back to their zone's strategy.  A page on a
 * per-CPU list looks allocated to the strategy, so a free that starts on
 * one is a double free caught here; the strategy checks everything else
 * (alignment, range, that @addr starts a live allocation of @npages).
 */
static int zone_give(void *addr, size_t npages)
{
	struct page *pg = managed_page(addr);
	struct zone *z;
	int err;

	if (unlikely(!pg))
		return unmanaged(addr);
	z = page_zone(pg);
	spin_lock_irqsafe(&z->lock);
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
	spin_unlock_irqsafe(&z->lock);
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
	if (unlikely((pg->npages ^ 1) | pg->flags))
		return free_single_slow(addr);
	if (unlikely(!pcp_push(page_zone(pg), pg)))
		return free_single_slow(addr);
	return 0;
}

void *page_alloc(size_t npages, gfp_t flags)
{
	struct page *pg;

	MM_DEBUG_ENTRY(void *, page_alloc(npages, flags));
	if (likely(npages == 1)) {
		pg = alloc_single_fast(flags);
		if (likely(pg))
			return page_to_virt(pg);
	}
	return alloc_slow(npages, 0, npages == 1, flags);
}

int page_free(void *addr, size_t npages)
{
	MM_DEBUG_ENTRY(int, page_free(addr, npages));
	if (DEBUG_PAGES && addr)
		debug_page_free(addr, npages);
	if (npages == 1)
		return free_single(addr);
	if (!addr)
		return 0;
	return zone_give(addr, npages);
}

int page_split(void *addr, size_t npages)
{
	struct page *pg = managed_page(addr);
	struct zone *z;
	int err;

	if (!pg)
		return unmanaged(addr);
	z = page_zone(pg);
	spin_lock_irqsafe(&z->lock);
	err = (pg->flags & PG_PCP) ? KERR_DOUBLE_FREE : pa_strategy_split(&z->pa, addr, npages);
	/* One allocation is now @npages: each is counted when it is freed. */
	if (!err)
		z->counters.allocs += npages - 1;
	else if (err != KERR_NOSYS)
		count_atomic(&z->counters.misuse);
	spin_unlock_irqsafe(&z->lock);
	if (err == KERR_DOUBLE_FREE && (pg->flags & PG_PCP))
		pcp_report_double_free(pg);
	if (!err && DEBUG_PAGES)
		debug_page_split(addr, npages);
	return err;
}

void *alloc_pages(unsigned int order, gfp_t flags)
{
	struct page *pg;

	MM_DEBUG_ENTRY(void *, alloc_pages(order, flags));
	if (likely(order == 0)) {
		pg = alloc_single_fast(flags);
		if (likely(pg))
			return page_to_virt(pg);
	}
	/* An order past ORDER_LIMIT asks for more pages than there are: no such run. */
	return alloc_slow(order < ORDER_LIMIT ? (size_t)1 << order : 0, order, true, flags);
}

int free_pages(void *addr, unsigned int order)
{
	MM_DEBUG_ENTRY(int, free_pages(addr, order));
	if (DEBUG_PAGES && addr && order < ORDER_LIMIT)
		debug_page_free(addr, (size_t)1 << order);
	if (likely(order == 0))
		return free_single(addr);
	if (!addr)
		return 0;
	if (order >= ORDER_LIMIT) {
		/* No allocation can have this order: the strategy never sees it. */
		count_atomic(&preferred_zone->counters.misuse);
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

/* ---- figures ---------------------------------------------------------------------- */

size_t page_alloc_pcp_pages(void)
{
	return pcp_count();
}

size_t page_alloc_taken_pages(void)
{
	size_t taken = 0;

	for (unsigned int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];

		if (!z->managed)
			continue;
		spin_lock_irqsafe(&z->lock);
		taken += z->managed - pa_strategy_free_pages(&z->pa);
		spin_unlock_irqsafe(&z->lock);
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

		st->counters.failures += __atomic_load_n(&z->counters.failures, __ATOMIC_RELAXED);
		st->counters.misuse += __atomic_load_n(&z->counters.misuse, __ATOMIC_RELAXED);
		if (!z->managed)
			continue;
		spin_lock_irqsafe(&z->lock);
		st->total_pages += z->managed;
		st->peak_used_pages += z->peak_taken;
		st->free_pages += pa_strategy_free_pages(&z->pa);
		st->largest_free_run = MAX(st->largest_free_run,
					   pa_strategy_largest_free_run(&z->pa));
		pa_strategy_nr_free(&z->pa, st->nr_free);
		st->counters.allocs += z->counters.allocs;
		st->counters.frees += z->counters.frees;
		spin_unlock_irqsafe(&z->lock);
	}
	st->health = page_alloc_health();
	warn_alloc_counts(&st->reports, &st->reports_suppressed);
}

size_t page_alloc_get_zone_stats(struct zone_stats *out, size_t max)
{
	uintptr_t offset = arch_zone_offset();

	for (unsigned int i = 0; i < MAX_NR_ZONES && i < max; i++) {
		struct zone *z = &zones[i];
		struct zone_stats *zs = &out[i];

		memset(zs, 0, sizeof(*zs));
		zs->name = z->name;
		zs->start = (uint64_t)(z->base - offset);
		zs->end = zs->start + ((uint64_t)z->spanned << PAGE_SHIFT);
		zs->pcp_pages = pcp_count_zone(z);
		zs->health = zone_health(z);
		zs->fallbacks = __atomic_load_n(&z->fallbacks, __ATOMIC_RELAXED);
		zs->counters.failures = __atomic_load_n(&z->counters.failures, __ATOMIC_RELAXED);
		zs->counters.misuse = __atomic_load_n(&z->counters.misuse, __ATOMIC_RELAXED);
		if (!z->managed)
			continue;
		spin_lock_irqsafe(&z->lock);
		zs->managed = z->managed;
		zs->free_pages = zone_free_pages(z);
		zs->min = z->watermark[WMARK_MIN];
		zs->low = z->watermark[WMARK_LOW];
		zs->high = z->watermark[WMARK_HIGH];
		for (unsigned int j = 0; j < MAX_NR_ZONES; j++)
			zs->lowmem_reserve[j] = z->lowmem_reserve[j];
		pa_strategy_nr_free(&z->pa, zs->nr_free);
		zs->counters.allocs = z->counters.allocs;
		zs->counters.frees = z->counters.frees;
		spin_unlock_irqsafe(&z->lock);
	}
	return MAX_NR_ZONES;
}
