/*
 * page_alloc.c - the kernel's physical page allocator (see page_alloc.h).
 *
 * One allocator spans RAM from the lowest region base to the highest region
 * end.  Its metadata - the strategy's own (a bitmap, free lists) and the
 * struct page array, one descriptor per page frame in the span - is carved
 * from the start of the first region big enough to hold it; the rest of
 * each region is released to the strategy, and holes between regions stay
 * reserved, so they can never be handed out (their descriptors, and the
 * metadata's, say PAGE_PA_UNMANAGED).
 *
 * This file does what every strategy needs: descriptors, __GFP_ZERO,
 * counting, the high-water mark, and routing single pages through the
 * per-CPU page cache (pcp.h).  The strategy does the finding and the
 * checking: it reports the misuse it detects (mm_report_misuse()), and
 * this layer only counts it.
 *
 * When the strategy cannot serve a request while pages sit on per-CPU
 * lists, the lists are drained and the request retried once, as Linux
 * does before it gives up: cached pages never make an allocation fail.
 */
#include "page_alloc.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_misuse.h"
#include "panic.h"
#include "pcp.h"
#include "printk.h"
#include "spinlock.h"

/*
 * The strategy: the only part of this file that knows which allocator sits
 * behind page_alloc.  A strategy provides an instance with these calls.
 */
#if defined(CONFIG_PAGE_ALLOC_BUDDY)
#include "buddy_pa.h"

#define STRATEGY_NAME "buddy"
static struct buddy_pa strategy;

static inline size_t strategy_meta_size(size_t npages)
{
	return buddy_pa_meta_size(npages, BUDDY_MAX_ORDER);
}
static inline void strategy_init(uintptr_t base, size_t npages, void *meta)
{
	buddy_pa_init(&strategy, base, npages, BUDDY_MAX_ORDER, meta);
}
static inline void strategy_release(uintptr_t addr, size_t npages)
{
	buddy_pa_release(&strategy, addr, npages);
}
/* Up to 2^BUDDY_MAX_ORDER pages; longer runs fail as exhaustion would. */
static inline void *strategy_alloc(size_t npages)
{
	return buddy_pa_alloc_exact(&strategy, npages);
}
static inline void *strategy_alloc_order(unsigned int order)
{
	return buddy_pa_alloc(&strategy, order);
}
static inline int strategy_free(const void *addr, size_t npages)
{
	return buddy_pa_free_exact(&strategy, addr, npages);
}
static inline int strategy_free_order(const void *addr, unsigned int order)
{
	return buddy_pa_free(&strategy, addr, order);
}
static inline size_t strategy_free_pages(void)
{
	return buddy_pa_free_pages(&strategy);
}
static inline size_t strategy_largest_free_run(void)
{
	return buddy_pa_largest_free_run(&strategy);
}
static inline void strategy_nr_free(size_t *nr_free)
{
	for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
		nr_free[o] = buddy_pa_nr_free(&strategy, o);
}
#elif defined(CONFIG_PAGE_ALLOC_BITMAP)
#include "bitmap_pa.h"

#define STRATEGY_NAME "bitmap"
static struct bitmap_pa strategy;

static inline size_t strategy_meta_size(size_t npages)
{
	return bitmap_pa_meta_size(npages);
}
static inline void strategy_init(uintptr_t base, size_t npages, void *meta)
{
	bitmap_pa_init(&strategy, base, npages, meta);
}
static inline void strategy_release(uintptr_t addr, size_t npages)
{
	bitmap_pa_release(&strategy, addr, npages);
}
static inline void *strategy_alloc(size_t npages)
{
	return bitmap_pa_alloc(&strategy, npages);
}
static inline void *strategy_alloc_order(unsigned int order)
{
	return bitmap_pa_alloc_aligned(&strategy, (size_t)1 << order, (size_t)1 << order);
}
static inline int strategy_free(const void *addr, size_t npages)
{
	return bitmap_pa_free(&strategy, addr, npages);
}
static inline int strategy_free_order(const void *addr, unsigned int order)
{
	return bitmap_pa_free(&strategy, addr, (size_t)1 << order);
}
static inline size_t strategy_free_pages(void)
{
	return bitmap_pa_free_pages(&strategy);
}
static inline size_t strategy_largest_free_run(void)
{
	return bitmap_pa_largest_free_run(&strategy);
}
static inline void strategy_nr_free(size_t *nr_free)
{
	bitmap_pa_nr_free(&strategy, nr_free, PAGE_STATS_MAX_ORDER);
}
#else
#error "no page allocator strategy configured (CONFIG_PAGE_ALLOC_*)"
#endif

/*
 * Orders at or above this cannot be expressed as a byte count in a size_t;
 * asking for one is refused before any shift is computed.
 */
#define ORDER_LIMIT ((unsigned int)(sizeof(size_t) * 8 - PAGE_SHIFT))

/*
 * page_lock covers the strategy and the descriptors of the pages it hands
 * out or takes back, so that "strategy call + descriptor update" is one
 * step: a page freed to the strategy must not be reallocated by another
 * CPU before its descriptor is cleared here.  The figures below are
 * updated atomically instead, because the per-CPU fast path does not take
 * page_lock.
 */
static spinlock_t page_lock = SPINLOCK_INIT;
struct page_span page_span;     /* every frame from the lowest region to the highest */
static size_t total_pages;
static size_t meta_bytes;
/* Pages handed out to callers (not those lent to the per-CPU lists). */
static size_t used_pages;
static size_t peak_used_pages;
static struct alloc_counters counters;

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

/* Zero the descriptors of [@addr, @addr + @npages pages), pa_state included. */
static void clear_descriptors(const void *addr, size_t npages)
{
	memset(&page_span.map[((uintptr_t)addr - page_span.base) >> PAGE_SHIFT], 0,
	       npages * sizeof(struct page));
}

void page_alloc_init(const struct mem_region *regions, size_t n)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0, b, e, meta = 0;
	size_t i, desc_offset, carve;

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
	page_span.base = lo;
	page_span.pages = (hi - lo) >> PAGE_SHIFT;

	desc_offset = ALIGN_UP(strategy_meta_size(page_span.pages), _Alignof(struct page));
	carve = ALIGN_UP(desc_offset + page_span.pages * sizeof(struct page), PAGE_SIZE);
	for (i = 0; i < n && !meta; i++) {
		if (page_bounds(&regions[i], &b, &e) && e - b >= carve)
			meta = b;
	}
	/* Boot cannot go on without page metadata: this is not an allocation failure. */
	if (!meta)
		panic("page_alloc: no memory region can hold %zu bytes of page metadata", carve);

	strategy_init(page_span.base, page_span.pages, (void *)meta);
	page_span.map = (struct page *)(meta + desc_offset);
	/* Unmanaged until a region below is given to the strategy: holes and metadata stay so. */
	for (i = 0; i < page_span.pages; i++)
		page_span.map[i] = (struct page){ .pa_state = PAGE_PA_UNMANAGED };
	meta_bytes = carve;

	for (i = 0; i < n; i++) {
		if (!page_bounds(&regions[i], &b, &e))
			continue;
		if (b == meta)
			b += carve;
		if (e <= b)
			continue;
		strategy_release(b, (e - b) >> PAGE_SHIFT);
		clear_descriptors((void *)b, (e - b) >> PAGE_SHIFT);
	}
	total_pages = strategy_free_pages();
}

bool page_alloc_owns(const void *addr)
{
	return virt_to_page(addr) != NULL;
}

void *page_to_virt(const struct page *pg)
{
	/* As integers: @pg may point anywhere, and C orders pointers only within one array. */
	uintptr_t off = (uintptr_t)pg - (uintptr_t)page_span.map;

	if (!page_span.map || (uintptr_t)pg < (uintptr_t)page_span.map ||
	    off / sizeof(struct page) >= page_span.pages || off % sizeof(struct page))
		return NULL;
	return (void *)(page_span.base + ((off / sizeof(struct page)) << PAGE_SHIFT));
}


static void count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static void book_used(size_t npages)
{
	size_t used = __atomic_add_fetch(&used_pages, npages, __ATOMIC_RELAXED);
	size_t peak = __atomic_load_n(&peak_used_pages, __ATOMIC_RELAXED);

	while (used > peak &&
	       !__atomic_compare_exchange_n(&peak_used_pages, &peak, used, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	count(&counters.allocs);
}

static void book_freed(size_t npages)
{
	__atomic_sub_fetch(&used_pages, npages, __ATOMIC_RELAXED);
	count(&counters.frees);
}

static void *finish_alloc(void *addr, size_t npages, gfp_t flags)
{
	if (!addr) {
		count(&counters.failures);
		return NULL;
	}
	book_used(npages);
	/* Outside the lock: zeroing megabytes should not stall other CPUs. */
	if (flags & __GFP_ZERO)
		memset(addr, 0, npages << PAGE_SHIFT);
	return addr;
}

/*
 * A run from the strategy: @npages pages, or 2^@order naturally aligned
 * ones when @by_order.  Its descriptors come out zeroed; a single page is
 * marked PAGE_PA_SINGLE so that its free may go to a per-CPU list.
 */
static void *strategy_take(size_t npages, unsigned int order, bool by_order)
{
	void *addr;

	spin_lock(&page_lock);
	addr = by_order ? strategy_alloc_order(order) : strategy_alloc(npages);
	if (addr) {
		clear_descriptors(addr, npages);
		if (npages == 1)
			virt_to_page(addr)->pa_state = PAGE_PA_SINGLE;
	}
	spin_unlock(&page_lock);
	return addr;
}

/* strategy_take(), draining the per-CPU lists and retrying once if it fails. */
static void *strategy_take_or_drain(size_t npages, unsigned int order, bool by_order)
{
	void *addr = strategy_take(npages, order, by_order);

	if (!addr && drain_all_pages())
		addr = strategy_take(npages, order, by_order);
	return addr;
}

static void *alloc_single(gfp_t flags)
{
	struct page *pg = pcp_alloc();
	void *addr;

	if (!pg && drain_all_pages())
		pg = pcp_alloc();
	/* Without CONFIG_PCP (or with every list empty) the strategy serves it. */
	addr = pg ? page_to_virt(pg) : strategy_take(1, 0, true);
	return finish_alloc(addr, 1, flags);
}

/*
 * What only the descriptors can tell about a free of @npages pages at
 * @addr: to the strategy, a page on a per-CPU list and a single page handed
 * out on its own both look allocated, so a free that starts on a cached
 * page is a double free, and one that covers either kind beyond its first
 * page (or a single page as more than one) has the wrong size.  0 when the
 * descriptors see nothing wrong; the strategy checks the rest (alignment,
 * range, block boundaries).  page_lock held.
 */
static int check_descriptors(const void *addr, size_t npages)
{
	const struct page *pg;

	if (!IS_ALIGNED((uintptr_t)addr, PAGE_SIZE))
		return 0;
	pg = virt_to_page(addr);
	if (!pg)
		return 0;
	if (pg->pa_state == PAGE_PA_PCP)
		return KERR_DOUBLE_FREE;
	if (npages > 1 && pg->pa_state == PAGE_PA_SINGLE)
		return KERR_WRONG_SIZE;
	for (size_t i = 1; i < npages; i++) {
		pg = virt_to_page((const char *)addr + i * PAGE_SIZE);
		if (!pg)
			break;
		if (pg->pa_state == PAGE_PA_PCP || pg->pa_state == PAGE_PA_SINGLE)
			return KERR_WRONG_SIZE;
	}
	return 0;
}

/* Book a strategy free's outcome; errors are reported (by the strategy or here). */
static int strategy_give(const void *addr, size_t npages, unsigned int order, bool by_order)
{
	int err, found;

	spin_lock(&page_lock);
	err = found = check_descriptors(addr, npages);
	if (!err)
		err = by_order ? strategy_free_order(addr, order) : strategy_free(addr, npages);
	if (!err)
		clear_descriptors(addr, npages);
	spin_unlock(&page_lock);
	if (err) {
		count(&counters.misuse);
		if (found)
			mm_report_misuse("page_alloc", found, addr);
		return err;
	}
	book_freed(npages);
	return 0;
}

static int free_single(void *addr)
{
	struct page *pg = IS_ALIGNED((uintptr_t)addr, PAGE_SIZE) ? virt_to_page(addr) : NULL;
	int err = pg ? pcp_free(pg) : PCP_NOT_CACHED;

	if (err == PCP_NOT_CACHED)
		return strategy_give(addr, 1, 0, true);
	if (err) {
		count(&counters.misuse);   /* reported by the cache */
		return err;
	}
	book_freed(1);
	return 0;
}

void *page_alloc(size_t npages, gfp_t flags)
{
	if (npages == 1)
		return alloc_single(flags);
	if (!npages || npages > page_span.pages)
		return finish_alloc(NULL, 0, flags);
	return finish_alloc(strategy_take_or_drain(npages, 0, false), npages, flags);
}

int page_free(void *addr, size_t npages)
{
	if (!addr)
		return 0;
	if (npages == 1)
		return free_single(addr);
	return strategy_give(addr, npages, 0, false);
}

void *alloc_pages(unsigned int order, gfp_t flags)
{
	if (order == 0)
		return alloc_single(flags);
	if (order >= ORDER_LIMIT || ((size_t)1 << order) > page_span.pages)
		return finish_alloc(NULL, 0, flags);
	return finish_alloc(strategy_take_or_drain((size_t)1 << order, order, true),
			    (size_t)1 << order, flags);
}

int free_pages(void *addr, unsigned int order)
{
	if (!addr)
		return 0;
	if (order >= ORDER_LIMIT) {
		/* No allocation can have this order: the strategy never sees it. */
		count(&counters.misuse);
		mm_report_misuse("page_alloc", KERR_WRONG_SIZE, addr);
		return KERR_WRONG_SIZE;
	}
	if (order == 0)
		return free_single(addr);
	return strategy_give(addr, (size_t)1 << order, order, true);
}

#ifdef CONFIG_PCP
size_t rmqueue_bulk(struct page **list, size_t n)
{
	size_t got = 0;

	spin_lock(&page_lock);
	for (; got < n; got++) {
		void *addr = strategy_alloc_order(0);
		struct page *pg;

		if (!addr)
			break;
		pg = virt_to_page(addr);
		*pg = (struct page){ .pa_state = PAGE_PA_PCP, .pcp_next = *list };
		*list = pg;
	}
	spin_unlock(&page_lock);
	return got;
}

void free_pcppages_bulk(struct page *list)
{
	spin_lock(&page_lock);
	while (list) {
		struct page *next = list->pcp_next;
		void *addr = page_to_virt(list);

		/* The strategy lent this page to the list: a refusal means corruption. */
		BUG_ON(!addr || strategy_free_order(addr, 0) != 0);
		*list = (struct page){ 0 };
		list = next;
	}
	spin_unlock(&page_lock);
}
#else
size_t drain_all_pages(void)
{
	return 0;
}
#endif

void page_alloc_get_stats(struct page_alloc_stats *st)
{
	/* Read first: a pcp lock is never taken inside page_lock. */
	size_t cached = pcp_count();

	memset(st, 0, sizeof(*st));
	st->strategy = STRATEGY_NAME;
	st->total_pages = total_pages;
	st->meta_bytes = meta_bytes;
	st->pcp_pages = cached;
	st->peak_used_pages = __atomic_load_n(&peak_used_pages, __ATOMIC_RELAXED);
	st->counters.allocs = __atomic_load_n(&counters.allocs, __ATOMIC_RELAXED);
	st->counters.frees = __atomic_load_n(&counters.frees, __ATOMIC_RELAXED);
	st->counters.failures = __atomic_load_n(&counters.failures, __ATOMIC_RELAXED);
	st->counters.misuse = __atomic_load_n(&counters.misuse, __ATOMIC_RELAXED);
	spin_lock(&page_lock);
	st->free_pages = strategy_free_pages() + cached;
	st->largest_free_run = strategy_largest_free_run();
	strategy_nr_free(st->nr_free);
	spin_unlock(&page_lock);
}
