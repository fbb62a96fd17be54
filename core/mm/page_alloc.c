/*
 * page_alloc.c - the kernel's physical page allocator (see page_alloc.h).
 *
 * One allocator spans RAM from the lowest region base to the highest region
 * end.  Its metadata - the strategy's own (a bitmap, free lists) and the
 * struct page array, one descriptor per page frame in the span - is carved
 * from the start of the first region big enough to hold it; the rest of
 * each region is released to the strategy, and holes between regions stay
 * reserved, so they can never be handed out.
 *
 * This file does what every strategy needs: descriptors, __GFP_ZERO,
 * counting, the high-water mark.  The strategy does the finding and the
 * checking: it reports the misuse it detects (mm_report_misuse()), and
 * this layer only counts it.
 */
#include "page_alloc.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_misuse.h"
#include "panic.h"
#include "printk.h"
#include "spinlock.h"

/*
 * The strategy: the only part of this file that knows which allocator sits
 * behind page_alloc.  A strategy provides an instance with these calls.
 */
#if defined(CONFIG_PAGE_ALLOC_BUDDY)
#error "buddy page allocator not built yet"
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
 * page_lock covers this layer's state and makes "strategy call + descriptor
 * update" one step: a page freed to the strategy must not be reallocated by
 * another CPU before its descriptors are cleared here.
 */
static spinlock_t page_lock = SPINLOCK_INIT;
static uintptr_t span_base;      /* address of the frame page_map[0] describes */
static size_t span_pages;
static struct page *page_map;
static struct mem_region managed[MEM_REGIONS_MAX]; /* RAM given to the strategy */
static size_t nr_managed;
static size_t total_pages;
static size_t used_pages;
static size_t peak_used_pages;
static size_t meta_bytes;
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
	span_base = lo;
	span_pages = (hi - lo) >> PAGE_SHIFT;

	desc_offset = ALIGN_UP(strategy_meta_size(span_pages), _Alignof(struct page));
	carve = ALIGN_UP(desc_offset + span_pages * sizeof(struct page), PAGE_SIZE);
	for (i = 0; i < n && !meta; i++) {
		if (page_bounds(&regions[i], &b, &e) && e - b >= carve)
			meta = b;
	}
	/* Boot cannot go on without page metadata: this is not an allocation failure. */
	if (!meta)
		panic("page_alloc: no memory region can hold %zu bytes of page metadata", carve);

	strategy_init(span_base, span_pages, (void *)meta);
	page_map = (struct page *)(meta + desc_offset);
	memset(page_map, 0, span_pages * sizeof(struct page));
	meta_bytes = carve;

	for (i = 0; i < n; i++) {
		if (!page_bounds(&regions[i], &b, &e))
			continue;
		if (b == meta)
			b += carve;
		if (e <= b)
			continue;
		strategy_release(b, (e - b) >> PAGE_SHIFT);
		managed[nr_managed].base = b;
		managed[nr_managed].size = e - b;
		nr_managed++;
	}
	total_pages = strategy_free_pages();
}

bool page_alloc_owns(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (size_t i = 0; i < nr_managed; i++) {
		if (a >= managed[i].base && a - managed[i].base < managed[i].size)
			return true;
	}
	return false;
}

struct page *virt_to_page(const void *addr)
{
	if (!page_alloc_owns(addr))
		return NULL;
	return &page_map[((uintptr_t)addr - span_base) >> PAGE_SHIFT];
}

void *page_to_virt(const struct page *pg)
{
	/* As integers: @pg may point anywhere, and C orders pointers only within one array. */
	uintptr_t off = (uintptr_t)pg - (uintptr_t)page_map;

	if (!page_map || (uintptr_t)pg < (uintptr_t)page_map ||
	    off / sizeof(struct page) >= span_pages || off % sizeof(struct page))
		return NULL;
	return (void *)(span_base + ((off / sizeof(struct page)) << PAGE_SHIFT));
}

static void clear_descriptors(const void *addr, size_t npages)
{
	memset(&page_map[((uintptr_t)addr - span_base) >> PAGE_SHIFT], 0,
	       npages * sizeof(struct page));
}

/* Book a strategy allocation's outcome.  Called with page_lock. */
static void account_alloc(void *addr, size_t npages)
{
	if (!addr) {
		counters.failures++;
		return;
	}
	clear_descriptors(addr, npages);
	used_pages += npages;
	peak_used_pages = MAX(peak_used_pages, used_pages);
	counters.allocs++;
}

/* Book a strategy free's outcome.  Called with page_lock. */
static int account_free(int err, const void *addr, size_t npages)
{
	if (err) {
		counters.misuse++;
		return err;
	}
	clear_descriptors(addr, npages);
	used_pages -= npages;
	counters.frees++;
	return 0;
}

static void *finish_alloc(void *addr, size_t npages, gfp_t flags)
{
	/* Outside the lock: zeroing megabytes should not stall other CPUs. */
	if (addr && (flags & __GFP_ZERO))
		memset(addr, 0, npages << PAGE_SHIFT);
	return addr;
}

void *page_alloc(size_t npages, gfp_t flags)
{
	void *addr = NULL;

	spin_lock(&page_lock);
	if (npages && npages <= span_pages)
		addr = strategy_alloc(npages);
	account_alloc(addr, npages);
	spin_unlock(&page_lock);
	return finish_alloc(addr, npages, flags);
}

int page_free(void *addr, size_t npages)
{
	int err;

	if (!addr)
		return 0;
	spin_lock(&page_lock);
	err = account_free(strategy_free(addr, npages), addr, npages);
	spin_unlock(&page_lock);
	return err;
}

void *alloc_pages(unsigned int order, gfp_t flags)
{
	void *addr = NULL;

	spin_lock(&page_lock);
	if (order < ORDER_LIMIT && ((size_t)1 << order) <= span_pages)
		addr = strategy_alloc_order(order);
	account_alloc(addr, addr ? (size_t)1 << order : 0);
	spin_unlock(&page_lock);
	return finish_alloc(addr, addr ? (size_t)1 << order : 0, flags);
}

int free_pages(void *addr, unsigned int order)
{
	int err;

	if (!addr)
		return 0;
	if (order >= ORDER_LIMIT) {
		/* No allocation can have this order: the strategy never sees it. */
		spin_lock(&page_lock);
		counters.misuse++;
		spin_unlock(&page_lock);
		mm_report_misuse("page_alloc", KERR_WRONG_SIZE, addr);
		return KERR_WRONG_SIZE;
	}
	spin_lock(&page_lock);
	err = account_free(strategy_free_order(addr, order), addr, (size_t)1 << order);
	spin_unlock(&page_lock);
	return err;
}

void page_alloc_get_stats(struct page_alloc_stats *st)
{
	spin_lock(&page_lock);
	st->strategy = STRATEGY_NAME;
	st->total_pages = total_pages;
	st->free_pages = strategy_free_pages();
	st->peak_used_pages = peak_used_pages;
	st->largest_free_run = strategy_largest_free_run();
	st->meta_bytes = meta_bytes;
	strategy_nr_free(st->nr_free);
	st->counters = counters;
	spin_unlock(&page_lock);
}
