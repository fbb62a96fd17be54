/*
 * buddy_pa.c - binary buddy page allocator instance (see buddy_pa.h).
 *
 * Pages are named by their index in the instance (idx = pfn - base_pfn);
 * orders and buddies are computed on the physical frame number, so blocks
 * are naturally aligned whatever @base is.
 *
 * Each page's descriptor says (page.h):
 *
 *     PA_RESERVED           never released: not memory of this allocator
 *     PA_TAIL               inside a block, not its first page
 *     PA_FREE, order        first page of a free block
 *     PA_ALLOC, order       first page of an allocated block; npages is the
 *                           allocation's length on its first block's head
 *                           and 0 on the heads of the blocks after it
 *
 * Invariant: every released page belongs to exactly one block, whose first
 * page is a head and whose other pages are tails.  Splitting and merging
 * touch one head per step, so both stay O(max_order); the block around a
 * tail is found by looking at the aligned frames below it, also
 * O(max_order).  Free lists are doubly linked through the heads'
 * descriptors, so a buddy is unlinked in O(1).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy_pa.h"
#include "kerrno.h"
#include "kernel.h"
#include "lazy_memmap.h"
#include "mm_misuse.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"

#define BUDDY_LAYER "buddy_pa"

static inline bool is_head(const struct page *pg)
{
	return pg->pa_state == PA_FREE || pg->pa_state == PA_ALLOC;
}

static inline bool is_free_block(const struct page *pg, unsigned int order)
{
	return pg->pa_state == PA_FREE && pg->order == order;
}

static inline size_t order_pages(unsigned int order)
{
	return (size_t)1 << order;
}

static inline uintptr_t idx_to_addr(const struct buddy_pa *pa, size_t idx)
{
	return pa->base + idx * PAGE_SIZE;
}

static inline void set_head(struct buddy_pa *pa, size_t idx, unsigned int state,
			    unsigned int order)
{
	pa->map[idx].pa_state = (uint8_t)state;
	pa->map[idx].order = (uint8_t)order;
}

/*
 * Largest order <= max_order of a naturally aligned block that starts at
 * frame @pfn and has no more than @n pages (n >= 1).
 */
static unsigned int chunk_order(uintptr_t pfn, size_t n, unsigned int max_order)
{
	unsigned int o = 0;

	while (o < max_order && !(pfn & ((uintptr_t)1 << o)) &&
	       ((size_t)2 << o) <= n)
		o++;
	return o;
}

/* Smallest order whose block holds @n pages (n >= 1). */
static unsigned int order_for_pages(size_t n)
{
	unsigned int o = 0;

	while (order_pages(o) < n)
		o++;
	return o;
}

/* Index of the pageblock holding page @idx in the type array. */
static size_t pageblock_of(const struct buddy_pa *pa, size_t idx)
{
	return ((pa->base_pfn + idx) >> pa->pb_order) - (pa->base_pfn >> pa->pb_order);
}

static enum buddy_migratetype type_of(const struct buddy_pa *pa, size_t idx)
{
	return pa->pb_type ? (enum buddy_migratetype)pa->pb_type[pageblock_of(pa, idx)] :
			     BUDDY_UNMOVABLE;
}

/* The free list of a block of @order at @idx: typed below a pageblock, shared above. */
static struct buddy_free_area *area_of(struct buddy_pa *pa, size_t idx, unsigned int order)
{
	if (order < pa->pb_order && type_of(pa, idx) == BUDDY_MOVABLE)
		return &pa->movable_area[order];
	return &pa->free_area[order];
}

static void free_list_add(struct buddy_pa *pa, size_t idx, unsigned int order)
{
	struct buddy_free_area *area = area_of(pa, idx, order);
	struct page *pg = &pa->map[idx];

	set_head(pa, idx, PA_FREE, order);
	pg->npages = 0;
	pg->buddy.prev = BUDDY_NO_PAGE;
	pg->buddy.next = area->head;
	if (area->head != BUDDY_NO_PAGE)
		pa->map[area->head].buddy.prev = (uint32_t)idx;
	area->head = (uint32_t)idx;
	area->nr_free++;
}

static void free_list_del(struct buddy_pa *pa, size_t idx, unsigned int order)
{
	struct buddy_free_area *area = area_of(pa, idx, order);
	uint32_t next = pa->map[idx].buddy.next, prev = pa->map[idx].buddy.prev;

	if (prev != BUDDY_NO_PAGE)
		pa->map[prev].buddy.next = next;
	else
		area->head = next;
	if (next != BUDDY_NO_PAGE)
		pa->map[next].buddy.prev = prev;
	area->nr_free--;
}

/*
 * Put the block at @idx of @order on the free lists, merging it with its
 * buddy as long as the buddy is a free block of the same order.  The pages
 * of the block must already belong to it (head at @idx, tails after).
 */
static void merge_and_insert(struct buddy_pa *pa, size_t idx, unsigned int order)
{
	uintptr_t pfn = pa->base_pfn + idx;

	while (order < pa->max_order) {
		uintptr_t buddy_pfn = pfn ^ ((uintptr_t)1 << order);
		size_t buddy;

		if (buddy_pfn < pa->base_pfn || buddy_pfn - pa->base_pfn >= pa->npages)
			break;
		buddy = buddy_pfn - pa->base_pfn;
		if (!is_free_block(&pa->map[buddy], order))
			break;
		free_list_del(pa, buddy, order);
		/* The upper half's head becomes a tail of the merged block. */
		pa->map[MAX(idx, buddy)].pa_state = PA_TAIL;
		pfn &= ~((uintptr_t)1 << order);
		idx = pfn - pa->base_pfn;
		order++;
	}
	free_list_add(pa, idx, order);
}

/*
 * The free list to take a block of @order of @type from, and its order:
 * the type's own lists below a pageblock, then whole pageblocks, then the
 * other type's largest block (buddy_pa.h).  NULL when nothing fits.
 */
static struct buddy_free_area *find_area(struct buddy_pa *pa, unsigned int order,
					 enum buddy_migratetype type, unsigned int *k_out)
{
	struct buddy_free_area *own = type == BUDDY_MOVABLE ? pa->movable_area : pa->free_area;
	struct buddy_free_area *other = type == BUDDY_MOVABLE ? pa->free_area : pa->movable_area;
	unsigned int k;

	for (k = order; k < pa->pb_order; k++) {
		if (own[k].nr_free) {
			*k_out = k;
			return &own[k];
		}
	}
	for (k = MAX(order, pa->pb_order); k <= pa->max_order; k++) {
		if (pa->free_area[k].nr_free) {
			*k_out = k;
			return &pa->free_area[k];
		}
	}
	for (k = pa->pb_order; k-- > order;) {
		if (other[k].nr_free) {
			*k_out = k;
			return &other[k];
		}
	}
	return NULL;
}

/*
 * Take a free block of at least @order, split it down to @order and mark
 * it allocated.  Returns false when no block is big enough.
 */
static bool take_block(struct buddy_pa *pa, unsigned int order, enum buddy_migratetype type,
		       size_t *out)
{
	unsigned int k;
	struct buddy_free_area *area = find_area(pa, order, type, &k);
	size_t idx;

	if (!area)
		return false;
	idx = area->head;
	free_list_del(pa, idx, k);
	/* A whole pageblock split for a smaller request takes the request's type. */
	if (k >= pa->pb_order && order < pa->pb_order && pa->pb_type)
		pa->pb_type[pageblock_of(pa, idx)] = (uint8_t)type;
	while (k > order) {
		k--;
		/* Keep the lower half, give back the upper one. */
		free_list_add(pa, idx + order_pages(k), k);
	}
	set_head(pa, idx, PA_ALLOC, order);
	WRITE_ONCE(pa->free_pages, pa->free_pages - order_pages(order));
	*out = idx;
	return true;
}

/*
 * State of the block containing page @idx, its head in *head.  A head at
 * the aligned frame below @idx for some order covers @idx only if its
 * block is long enough; the smallest such order is the block.
 */
static unsigned int block_of(const struct buddy_pa *pa, size_t idx, size_t *head)
{
	uintptr_t pfn = pa->base_pfn + idx;

	if (pa->map[idx].pa_state == PA_RESERVED)
		return PA_RESERVED;
	for (unsigned int o = 0; o <= pa->max_order; o++) {
		uintptr_t head_pfn = pfn & ~(((uintptr_t)1 << o) - 1);
		const struct page *h;

		if (head_pfn < pa->base_pfn)
			break;
		h = &pa->map[head_pfn - pa->base_pfn];
		if (h->pa_state == PA_RESERVED)
			break;
		if (is_head(h) && head_pfn - pa->base_pfn + order_pages(h->order) > idx) {
			*head = head_pfn - pa->base_pfn;
			return h->pa_state;
		}
	}
	/* A tail with no head covering it: the descriptors are corrupted. */
	panic("buddy_pa %p: page %zu is a tail of no block", (const void *)pa, idx);
}

/* Page index of @addr, or KERR_RANGE / KERR_BAD_PTR. */
static int addr_to_idx(const struct buddy_pa *pa, uintptr_t addr, size_t *idx)
{
	if (addr < pa->base || (addr - pa->base) / PAGE_SIZE >= pa->npages)
		return KERR_RANGE;
	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return KERR_BAD_PTR;
	*idx = (addr - pa->base) / PAGE_SIZE;
	return KERR_OK;
}

/*
 * Is @addr the first page of a live allocation of @npages pages?  0 and
 * *@out its index, or what is wrong.  Changes nothing.
 */
static int check_free(const struct buddy_pa *pa, uintptr_t addr, size_t npages, size_t *out)
{
	size_t idx, head;
	const struct page *pg;
	int err = addr_to_idx(pa, addr, &idx);

	if (err)
		return err;
	pg = &pa->map[idx];
	switch (pg->pa_state) {
	case PA_ALLOC:
		/* The head of a later block of an allocation, not of the allocation. */
		if (pg->npages == 0)
			return KERR_BAD_PTR;
		if (pg->npages != npages)
			return KERR_WRONG_SIZE;
		*out = idx;
		return KERR_OK;
	case PA_FREE:
		return KERR_DOUBLE_FREE;
	case PA_TAIL:
		/* Inside a free block: it was freed and merged already. */
		if (block_of(pa, idx, &head) == PA_FREE)
			return KERR_DOUBLE_FREE;
		return KERR_BAD_PTR;
	default:
		return KERR_RANGE;
	}
}

/* Reported with no lock of ours held (we have none); the report may panic. */
static int report(int err, uintptr_t addr)
{
	mm_report_misuse(BUDDY_LAYER, err, (const void *)addr);
	return err;
}

void buddy_pa_init(struct buddy_pa *pa, uintptr_t base, size_t npages,
		   unsigned int max_order, struct page *map)
{
	BUG_ON(!IS_ALIGNED(base, PAGE_SIZE));
	BUG_ON(max_order > BUDDY_ORDER_LIMIT);
	BUG_ON(npages >= BUDDY_NO_PAGE);
	BUG_ON(npages && base + (npages - 1) * PAGE_SIZE < base);
	BUG_ON(npages && !map);

	pa->base = base;
	pa->base_pfn = base >> PAGE_SHIFT;
	pa->npages = npages;
	pa->max_order = max_order;
	for (unsigned int o = 0; o <= BUDDY_ORDER_LIMIT; o++) {
		pa->free_area[o].head = BUDDY_NO_PAGE;
		pa->free_area[o].nr_free = 0;
	}
	for (unsigned int o = 0; o < BUDDY_PAGEBLOCK_ORDER; o++) {
		pa->movable_area[o].head = BUDDY_NO_PAGE;
		pa->movable_area[o].nr_free = 0;
	}
	pa->pb_order = MIN(BUDDY_PAGEBLOCK_ORDER, max_order);
	pa->pb_type = NULL;
	pa->map = map;
	/* Lazy: the descriptors start zeroed, PA_RESERVED (lazy_memmap.h). */
	for (size_t i = 0; !LAZY_MEMMAP && i < npages; i++) {
		map[i].pa_state = PA_RESERVED;
		map[i].npages = 0;
	}
	pa->managed_pages = 0;
	WRITE_ONCE(pa->free_pages, 0);
}

/* Release the reserved pages [i, end) as maximal aligned blocks. */
static void release_run(struct buddy_pa *pa, size_t i, size_t end)
{
	while (i < end) {
		unsigned int o = chunk_order(pa->base_pfn + i, end - i, pa->max_order);
		size_t n = order_pages(o);

		for (size_t j = i + 1; j < i + n; j++)
			pa->map[j].pa_state = PA_TAIL;
		pa->managed_pages += n;
		WRITE_ONCE(pa->free_pages, pa->free_pages + n);
		merge_and_insert(pa, i, o);
		i += n;
	}
}

int buddy_pa_release(struct buddy_pa *pa, uintptr_t addr, size_t npages)
{
	size_t first, end, i;

	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return KERR_BAD_PTR;
	if (npages == 0)
		return KERR_OK;
	if (addr < pa->base || (addr - pa->base) / PAGE_SIZE > pa->npages ||
	    npages > pa->npages - (addr - pa->base) / PAGE_SIZE)
		return KERR_RANGE;
	first = (addr - pa->base) / PAGE_SIZE;
	end = first + npages;
	/* NULL means failure: the page at address 0 is never handed out. */
	if (addr == 0)
		first++;

	/* All or nothing: check before changing anything. */
	for (i = first; i < end; i++) {
		if (pa->map[i].pa_state != PA_RESERVED)
			return report(KERR_DOUBLE_FREE, idx_to_addr(pa, i));
	}
	release_run(pa, first, end);
	return KERR_OK;
}

size_t buddy_pa_types_size(size_t npages, unsigned int max_order)
{
	/* One per pageblock, and one more for a partial pageblock at each end. */
	return (npages >> MIN(BUDDY_PAGEBLOCK_ORDER, max_order)) + 2;
}

void buddy_pa_set_types(struct buddy_pa *pa, uint8_t *types)
{
	BUG_ON(pa->managed_pages);	/* lists already filled by the old types */
	for (size_t i = 0; i < buddy_pa_types_size(pa->npages, pa->max_order); i++)
		types[i] = BUDDY_UNMOVABLE;
	pa->pb_type = types;
}

void *buddy_pa_alloc_type(struct buddy_pa *pa, unsigned int order, enum buddy_migratetype type)
{
	size_t idx;

	if (order > pa->max_order || !take_block(pa, order, type, &idx))
		return NULL;
	pa->map[idx].npages = (uint32_t)order_pages(order);
	return (void *)idx_to_addr(pa, idx);
}

void *buddy_pa_alloc(struct buddy_pa *pa, unsigned int order)
{
	return buddy_pa_alloc_type(pa, order, BUDDY_UNMOVABLE);
}

size_t buddy_pa_range_movable(const struct buddy_pa *pa, uintptr_t addr, size_t npages,
			      bool (*movable)(const struct page *head))
{
	size_t idx, end, used = 0;

	if (addr_to_idx(pa, addr, &idx) || npages > pa->npages - idx)
		return SIZE_MAX;
	end = idx + npages;
	while (idx < end) {
		const struct page *pg = &pa->map[idx];

		/* A tail here starts inside a block that reaches in from below: not ours to move. */
		if (!is_head(pg) || idx + order_pages(pg->order) > end)
			return SIZE_MAX;
		if (pg->pa_state == PA_ALLOC) {
			if (pg->order != 0 || pg->npages != 1 || !movable(pg))
				return SIZE_MAX;
			used++;
		}
		idx += order_pages(pg->order);
	}
	return used;
}

int buddy_pa_free(struct buddy_pa *pa, const void *addr, unsigned int order)
{
	size_t idx;
	int err;

	/* No allocation has an order above max_order: the size is wrong, if nothing else. */
	err = addr_to_idx(pa, (uintptr_t)addr, &idx);
	if (!err)
		err = order > pa->max_order ? KERR_WRONG_SIZE :
		      check_free(pa, (uintptr_t)addr, order_pages(order), &idx);
	if (err)
		return report(err, (uintptr_t)addr);
	/* Whatever order the caller named, the descriptor agreed with it. */
	pa->map[idx].npages = 0;
	WRITE_ONCE(pa->free_pages, pa->free_pages + order_pages(order));
	merge_and_insert(pa, idx, order);
	return KERR_OK;
}

void *buddy_pa_alloc_exact(struct buddy_pa *pa, size_t npages)
{
	size_t idx = 0, block, i;

	if (npages < 1 || npages > order_pages(pa->max_order) ||
	    !take_block(pa, order_for_pages(npages), BUDDY_UNMOVABLE, &idx))
		return NULL;
	block = order_pages(order_for_pages(npages));
	/*
	 * Record the kept pages as the aligned blocks free_exact() will look
	 * for, and give back the rest.  The block is aligned to its size, so
	 * both cuts fall on natural boundaries.
	 */
	for (i = idx; i < idx + block;) {
		size_t limit = i < idx + npages ? idx + npages : idx + block;
		unsigned int o = chunk_order(pa->base_pfn + i, limit - i, pa->max_order);

		if (i < idx + npages) {
			set_head(pa, i, PA_ALLOC, o);
			pa->map[i].npages = 0;
		} else {
			WRITE_ONCE(pa->free_pages, pa->free_pages + order_pages(o));
			merge_and_insert(pa, i, o);
		}
		i += order_pages(o);
	}
	pa->map[idx].npages = (uint32_t)npages;
	return (void *)idx_to_addr(pa, idx);
}

int buddy_pa_free_exact(struct buddy_pa *pa, const void *addr, size_t npages)
{
	size_t idx, i, end;
	int err = check_free(pa, (uintptr_t)addr, npages, &idx);

	if (err)
		return report(err, (uintptr_t)addr);
	end = idx + npages;
	pa->map[idx].npages = 0;
	for (i = idx; i < end;) {
		unsigned int o = chunk_order(pa->base_pfn + i, end - i, pa->max_order);

		/* alloc_exact() laid the allocation out as exactly these blocks. */
		BUG_ON(pa->map[i].pa_state != PA_ALLOC || pa->map[i].order != o);
		WRITE_ONCE(pa->free_pages, pa->free_pages + order_pages(o));
		merge_and_insert(pa, i, o);
		i += order_pages(o);
	}
	return KERR_OK;
}

int buddy_pa_split(struct buddy_pa *pa, const void *addr, size_t npages)
{
	size_t idx, i;
	int err = check_free(pa, (uintptr_t)addr, npages, &idx);

	if (err)
		return report(err, (uintptr_t)addr);
	/* Each page the head of an order-0 block, as buddy_pa_alloc(pa, 0) leaves one. */
	for (i = idx; i < idx + npages; i++) {
		set_head(pa, i, PA_ALLOC, 0);
		pa->map[i].npages = 1;
	}
	return KERR_OK;
}

size_t buddy_pa_nr_free(const struct buddy_pa *pa, unsigned int order)
{
	if (order > pa->max_order)
		return 0;
	return pa->free_area[order].nr_free +
	       (order < pa->pb_order ? pa->movable_area[order].nr_free : 0);
}

int buddy_pa_largest_free_order(const struct buddy_pa *pa)
{
	int o;

	for (o = (int)pa->max_order; o >= 0; o--)
		if (buddy_pa_nr_free(pa, (unsigned int)o))
			break;
	return o;
}

bool buddy_pa_owns(const struct buddy_pa *pa, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	return a >= pa->base && (a - pa->base) / PAGE_SIZE < pa->npages;
}

size_t buddy_pa_largest_free_run(const struct buddy_pa *pa)
{
	size_t run = 0, longest = 0, idx = 0;

	while (idx < pa->npages) {
		const struct page *pg = &pa->map[idx];

		if (pg->pa_state == PA_FREE) {
			run += order_pages(pg->order);
			longest = MAX(longest, run);
		} else {
			run = 0;
		}
		idx += is_head(pg) ? order_pages(pg->order) : 1;
	}
	return longest;
}

#define CHECK(cond, ...)                                                 \
	do {                                                             \
		if (!(cond)) {                                           \
			printk("buddy_pa %p: check failed: ", (const void *)pa); \
			printk(__VA_ARGS__);                             \
			printk("\n");                                    \
			return false;                                    \
		}                                                        \
	} while (0)

bool buddy_pa_check(const struct buddy_pa *pa)
{
	size_t managed = 0, free_pages = 0, free_blocks[BUDDY_ORDER_LIMIT + 1] = { 0 };

	for (size_t idx = 0; idx < pa->npages;) {
		const struct page *pg = &pa->map[idx];
		unsigned int o = pg->order;
		uintptr_t pfn = pa->base_pfn + idx;

		if (pg->pa_state == PA_RESERVED) {
			idx++;
			continue;
		}
		CHECK(is_head(pg), "page %zu: tail outside any block", idx);
		CHECK(o <= pa->max_order, "page %zu: order %u", idx, o);
		CHECK(IS_ALIGNED(pfn, (uintptr_t)order_pages(o)),
		      "page %zu: order %u block not aligned", idx, o);
		CHECK(idx + order_pages(o) <= pa->npages, "page %zu: block past the end", idx);
		for (size_t j = idx + 1; j < idx + order_pages(o); j++)
			CHECK(pa->map[j].pa_state == PA_TAIL, "page %zu: not a tail of %zu", j, idx);
		if (pg->pa_state == PA_FREE) {
			uintptr_t buddy_pfn = pfn ^ ((uintptr_t)1 << o);

			CHECK(pg->npages == 0, "page %zu: free head with npages %u", idx,
			      (unsigned int)pg->npages);
			free_blocks[o]++;
			free_pages += order_pages(o);
			if (o < pa->max_order && buddy_pfn >= pa->base_pfn &&
			    buddy_pfn - pa->base_pfn < pa->npages)
				CHECK(!is_free_block(&pa->map[buddy_pfn - pa->base_pfn], o),
				      "page %zu: free buddies of order %u not merged", idx, o);
		}
		managed += order_pages(o);
		idx += order_pages(o);
	}
	CHECK(managed == pa->managed_pages, "managed %zu, counted %zu", pa->managed_pages, managed);
	CHECK(free_pages == pa->free_pages, "free %zu, counted %zu", pa->free_pages, free_pages);
	for (unsigned int o = 0; o <= BUDDY_ORDER_LIMIT; o++) {
		size_t listed = 0;

		for (unsigned int moving = 0; moving < (o < BUDDY_PAGEBLOCK_ORDER ? 2u : 1u); moving++) {
			const struct buddy_free_area *area = moving ? &pa->movable_area[o] : &pa->free_area[o];
			uint32_t prev = BUDDY_NO_PAGE;
			size_t n = 0;

			CHECK(o <= pa->max_order || area->nr_free == 0, "order %u above max has blocks", o);
			for (uint32_t i = area->head; i != BUDDY_NO_PAGE; i = pa->map[i].buddy.next) {
				CHECK(i < pa->npages && n < area->nr_free, "order %u: list runs away", o);
				CHECK(is_free_block(&pa->map[i], o),
				      "order %u: page %u on the list is not a free head", o, (unsigned int)i);
				CHECK(pa->map[i].buddy.prev == prev, "order %u: page %u: bad back link", o,
				      (unsigned int)i);
				CHECK(area_of((struct buddy_pa *)pa, i, o) == area,
				      "order %u: page %u on the list of another migrate type", o,
				      (unsigned int)i);
				prev = i;
				n++;
			}
			CHECK(n == area->nr_free, "order %u: list has %zu blocks, nr_free %zu", o, n,
			      area->nr_free);
			listed += n;
		}
		CHECK(listed == free_blocks[o], "order %u: listed %zu, counted %zu", o, listed,
		      free_blocks[o]);
	}
	return true;
}
