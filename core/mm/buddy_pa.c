/*
 * buddy_pa.c - binary buddy page allocator instance (see buddy_pa.h).
 *
 * Pages are named by their index in the instance (idx = pfn - base_pfn);
 * orders and buddies are computed on the physical frame number, so blocks
 * are naturally aligned whatever @base is.
 *
 * Each page has a state byte:
 *
 *     BUDDY_RESERVED          never released: not memory of this allocator
 *     BUDDY_TAIL              inside a block, not its first page
 *     BUDDY_FREE  | order     first page of a free block
 *     BUDDY_ALLOC | order     first page of an allocated block
 *
 * Invariant: every released page belongs to exactly one block, whose first
 * page is a head and whose other pages are tails.  Splitting and merging
 * touch one head per step, so both stay O(max_order); the block around a
 * tail is found by looking at the aligned frames below it, also
 * O(max_order).  Free lists are doubly linked through next[] / prev[], so
 * a buddy is unlinked in O(1).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy_pa.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_misuse.h"
#include "panic.h"
#include "printk.h"

#define BUDDY_RESERVED 0x00u
#define BUDDY_TAIL 0x40u
#define BUDDY_FREE 0x80u
#define BUDDY_ALLOC 0xc0u
#define BUDDY_STATE_MASK 0xc0u
#define BUDDY_ORDER_MASK 0x3fu

#define BUDDY_LAYER "buddy_pa"

static inline unsigned int state_of(uint8_t st)
{
	return st & BUDDY_STATE_MASK;
}

static inline unsigned int order_of(uint8_t st)
{
	return st & BUDDY_ORDER_MASK;
}

static inline bool is_head(uint8_t st)
{
	return state_of(st) == BUDDY_FREE || state_of(st) == BUDDY_ALLOC;
}

static inline size_t order_pages(unsigned int order)
{
	return (size_t)1 << order;
}

static inline uintptr_t idx_to_addr(const struct buddy_pa *pa, size_t idx)
{
	return pa->base + idx * PAGE_SIZE;
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

static void free_list_add(struct buddy_pa *pa, size_t idx, unsigned int order)
{
	struct buddy_free_area *area = &pa->free_area[order];

	pa->state[idx] = (uint8_t)(BUDDY_FREE | order);
	pa->prev[idx] = BUDDY_NO_PAGE;
	pa->next[idx] = area->head;
	if (area->head != BUDDY_NO_PAGE)
		pa->prev[area->head] = (uint32_t)idx;
	area->head = (uint32_t)idx;
	area->nr_free++;
}

static void free_list_del(struct buddy_pa *pa, size_t idx, unsigned int order)
{
	struct buddy_free_area *area = &pa->free_area[order];
	uint32_t next = pa->next[idx], prev = pa->prev[idx];

	if (prev != BUDDY_NO_PAGE)
		pa->next[prev] = next;
	else
		area->head = next;
	if (next != BUDDY_NO_PAGE)
		pa->prev[next] = prev;
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
		if (pa->state[buddy] != (uint8_t)(BUDDY_FREE | order))
			break;
		free_list_del(pa, buddy, order);
		/* The upper half's head becomes a tail of the merged block. */
		pa->state[MAX(idx, buddy)] = BUDDY_TAIL;
		pfn &= ~((uintptr_t)1 << order);
		idx = pfn - pa->base_pfn;
		order++;
	}
	free_list_add(pa, idx, order);
}

/*
 * Take a free block of at least @order, split it down to @order and mark
 * it allocated.  Returns false when no block is big enough.
 */
static bool take_block(struct buddy_pa *pa, unsigned int order, size_t *out)
{
	unsigned int k = order;
	size_t idx;

	while (k <= pa->max_order && pa->free_area[k].nr_free == 0)
		k++;
	if (k > pa->max_order)
		return false;
	idx = pa->free_area[k].head;
	free_list_del(pa, idx, k);
	while (k > order) {
		k--;
		/* Keep the lower half, give back the upper one. */
		free_list_add(pa, idx + order_pages(k), k);
	}
	pa->state[idx] = (uint8_t)(BUDDY_ALLOC | order);
	pa->free_pages -= order_pages(order);
	*out = idx;
	return true;
}

static void note_usage(struct buddy_pa *pa)
{
	size_t used = pa->managed_pages - pa->free_pages;

	if (used > pa->peak_used_pages)
		pa->peak_used_pages = used;
}

/*
 * State of the block containing page @idx, its head in *head.  A head at
 * the aligned frame below @idx for some order covers @idx only if its
 * block is long enough; the smallest such order is the block.
 */
static unsigned int block_of(const struct buddy_pa *pa, size_t idx, size_t *head)
{
	uintptr_t pfn = pa->base_pfn + idx;

	if (pa->state[idx] == BUDDY_RESERVED)
		return BUDDY_RESERVED;
	for (unsigned int o = 0; o <= pa->max_order; o++) {
		uintptr_t head_pfn = pfn & ~(((uintptr_t)1 << o) - 1);
		size_t h;
		uint8_t st;

		if (head_pfn < pa->base_pfn)
			break;
		h = head_pfn - pa->base_pfn;
		st = pa->state[h];
		if (st == BUDDY_RESERVED)
			break;
		if (is_head(st) && h + order_pages(order_of(st)) > idx) {
			*head = h;
			return state_of(st);
		}
	}
	/* A tail with no head covering it: the metadata is corrupted. */
	panic("buddy_pa %p: page %zu is a tail of no block", (void *)pa, idx);
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

/* May the block at @addr of @order be freed?  Changes nothing. */
static int check_free(const struct buddy_pa *pa, uintptr_t addr,
		      unsigned int order, size_t *out)
{
	size_t idx, head;
	uint8_t st;
	int err = addr_to_idx(pa, addr, &idx);

	if (err)
		return err;
	st = pa->state[idx];
	switch (state_of(st)) {
	case BUDDY_ALLOC:
		if (order_of(st) != order)
			return KERR_WRONG_SIZE;
		*out = idx;
		return KERR_OK;
	case BUDDY_FREE:
		return KERR_DOUBLE_FREE;
	case BUDDY_TAIL:
		/* Inside a free block: it was freed and merged already. */
		if (block_of(pa, idx, &head) == BUDDY_FREE)
			return KERR_DOUBLE_FREE;
		return KERR_BAD_PTR;
	default:
		return KERR_RANGE;
	}
}

/* Called outside the lock: the report prints, and may panic. */
static int report(int err, uintptr_t addr)
{
	mm_report_misuse(BUDDY_LAYER, err, (const void *)addr);
	return err;
}

size_t buddy_pa_meta_size(size_t npages, unsigned int max_order)
{
	(void)max_order;
	/* next[] and prev[] (uint32_t), then state[] (uint8_t), 8-aligned. */
	return ALIGN_UP(npages * (2 * sizeof(uint32_t) + sizeof(uint8_t)), (size_t)8);
}

void buddy_pa_init(struct buddy_pa *pa, uintptr_t base, size_t npages,
		   unsigned int max_order, void *meta)
{
	BUG_ON(!IS_ALIGNED(base, PAGE_SIZE));
	BUG_ON(max_order > BUDDY_ORDER_LIMIT);
	BUG_ON(npages >= BUDDY_NO_PAGE);
	BUG_ON(npages && base + (npages - 1) * PAGE_SIZE < base);
	BUG_ON(!meta);
	BUG_ON(!IS_ALIGNED((uintptr_t)meta, sizeof(uint32_t)));

	spin_lock_init(&pa->lock);
	pa->base = base;
	pa->base_pfn = base >> PAGE_SHIFT;
	pa->npages = npages;
	pa->max_order = max_order;
	for (unsigned int o = 0; o <= BUDDY_ORDER_LIMIT; o++) {
		pa->free_area[o].head = BUDDY_NO_PAGE;
		pa->free_area[o].nr_free = 0;
	}
	pa->meta = meta;
	pa->next = meta;
	pa->prev = pa->next + npages;
	pa->state = (uint8_t *)(pa->prev + npages);
	memset(pa->state, BUDDY_RESERVED, npages);
	pa->managed_pages = 0;
	pa->free_pages = 0;
	pa->peak_used_pages = 0;
	pa->counters = (struct alloc_counters){ 0, 0, 0, 0 };
}

/* Release the reserved pages [i, end) as maximal aligned blocks. */
static void release_run(struct buddy_pa *pa, size_t i, size_t end)
{
	while (i < end) {
		unsigned int o = chunk_order(pa->base_pfn + i, end - i, pa->max_order);
		size_t n = order_pages(o);

		for (size_t j = i + 1; j < i + n; j++)
			pa->state[j] = BUDDY_TAIL;
		pa->managed_pages += n;
		pa->free_pages += n;
		merge_and_insert(pa, i, o);
		i += n;
	}
}

int buddy_pa_release(struct buddy_pa *pa, uintptr_t addr, size_t npages)
{
	size_t first, end, i;
	int err = KERR_OK;

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

	spin_lock(&pa->lock);
	/* All or nothing: check before changing anything. */
	for (i = first; i < end; i++) {
		if (pa->state[i] != BUDDY_RESERVED) {
			err = KERR_DOUBLE_FREE;
			pa->counters.misuse++;
			break;
		}
	}
	if (!err)
		release_run(pa, first, end);
	spin_unlock(&pa->lock);
	return err ? report(err, idx_to_addr(pa, i)) : KERR_OK;
}

void *buddy_pa_alloc(struct buddy_pa *pa, unsigned int order)
{
	size_t idx;
	bool ok;

	spin_lock(&pa->lock);
	ok = order <= pa->max_order && take_block(pa, order, &idx);
	if (ok) {
		pa->counters.allocs++;
		note_usage(pa);
	} else {
		pa->counters.failures++;
	}
	spin_unlock(&pa->lock);
	return ok ? (void *)idx_to_addr(pa, idx) : NULL;
}

int buddy_pa_free(struct buddy_pa *pa, const void *addr, unsigned int order)
{
	size_t idx;
	int err;

	spin_lock(&pa->lock);
	err = check_free(pa, (uintptr_t)addr, order, &idx);
	if (!err) {
		pa->free_pages += order_pages(order);
		merge_and_insert(pa, idx, order);
		pa->counters.frees++;
	} else {
		pa->counters.misuse++;
	}
	spin_unlock(&pa->lock);
	return err ? report(err, (uintptr_t)addr) : KERR_OK;
}

void *buddy_pa_alloc_exact(struct buddy_pa *pa, size_t npages)
{
	size_t idx = 0;
	bool ok = false;

	spin_lock(&pa->lock);
	if (npages >= 1 && npages <= order_pages(pa->max_order))
		ok = take_block(pa, order_for_pages(npages), &idx);
	if (ok) {
		size_t block = order_pages(order_for_pages(npages));
		size_t i = idx;

		/*
		 * Record the kept pages as the aligned blocks free_exact() will
		 * look for, and give back the rest.  The block is aligned to
		 * its size, so both cuts fall on natural boundaries.
		 */
		while (i < idx + block) {
			size_t limit = i < idx + npages ? idx + npages : idx + block;
			unsigned int o = chunk_order(pa->base_pfn + i, limit - i, pa->max_order);

			if (i < idx + npages) {
				pa->state[i] = (uint8_t)(BUDDY_ALLOC | o);
			} else {
				pa->free_pages += order_pages(o);
				merge_and_insert(pa, i, o);
			}
			i += order_pages(o);
		}
		pa->counters.allocs++;
		note_usage(pa);
	} else {
		pa->counters.failures++;
	}
	spin_unlock(&pa->lock);
	return ok ? (void *)idx_to_addr(pa, idx) : NULL;
}

int buddy_pa_free_exact(struct buddy_pa *pa, const void *addr, size_t npages)
{
	uintptr_t a = (uintptr_t)addr;
	size_t idx = 0, i, end = 0;
	int err;

	spin_lock(&pa->lock);
	err = addr_to_idx(pa, a, &idx);
	if (!err && (npages == 0 || npages > pa->npages - idx))
		err = KERR_WRONG_SIZE;
	if (!err)
		end = idx + npages;
	/* Check every block first, so that a refused free changes nothing. */
	for (i = idx; !err && i < end;) {
		unsigned int o = chunk_order(pa->base_pfn + i, end - i, pa->max_order);
		size_t head;

		err = check_free(pa, idx_to_addr(pa, i), o, &head);
		/* A later block that is not ours means the size was wrong. */
		if (err && i != idx)
			err = KERR_WRONG_SIZE;
		i += order_pages(o);
	}
	if (!err) {
		for (i = idx; i < end;) {
			unsigned int o = chunk_order(pa->base_pfn + i, end - i, pa->max_order);

			pa->free_pages += order_pages(o);
			merge_and_insert(pa, i, o);
			i += order_pages(o);
		}
		pa->counters.frees++;
	} else {
		pa->counters.misuse++;
	}
	spin_unlock(&pa->lock);
	return err ? report(err, a) : KERR_OK;
}

size_t buddy_pa_nr_free(struct buddy_pa *pa, unsigned int order)
{
	size_t n = 0;

	spin_lock(&pa->lock);
	if (order <= pa->max_order)
		n = pa->free_area[order].nr_free;
	spin_unlock(&pa->lock);
	return n;
}

size_t buddy_pa_free_pages(struct buddy_pa *pa)
{
	size_t n;

	spin_lock(&pa->lock);
	n = pa->free_pages;
	spin_unlock(&pa->lock);
	return n;
}

int buddy_pa_largest_free_order(struct buddy_pa *pa)
{
	int o;

	spin_lock(&pa->lock);
	for (o = (int)pa->max_order; o >= 0; o--)
		if (pa->free_area[o].nr_free)
			break;
	spin_unlock(&pa->lock);
	return o;
}

bool buddy_pa_owns(const struct buddy_pa *pa, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	return a >= pa->base && (a - pa->base) / PAGE_SIZE < pa->npages;
}

/* Longest run of free pages, lock held.  Adjacent free blocks that are
 * not buddies still form one run.  O(number of blocks). */
static size_t largest_free_run(const struct buddy_pa *pa)
{
	size_t run = 0, longest = 0, idx = 0;

	while (idx < pa->npages) {
		uint8_t s = pa->state[idx];

		if (state_of(s) == BUDDY_FREE) {
			run += order_pages(order_of(s));
			longest = MAX(longest, run);
		} else {
			run = 0;
		}
		idx += is_head(s) ? order_pages(order_of(s)) : 1;
	}
	return longest;
}

size_t buddy_pa_largest_free_run(struct buddy_pa *pa)
{
	size_t n;

	spin_lock(&pa->lock);
	n = largest_free_run(pa);
	spin_unlock(&pa->lock);
	return n;
}

void buddy_pa_get_stats(struct buddy_pa *pa, struct page_alloc_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->strategy = "buddy";
	st->meta_bytes = buddy_pa_meta_size(pa->npages, pa->max_order);

	spin_lock(&pa->lock);
	st->total_pages = pa->managed_pages;
	st->free_pages = pa->free_pages;
	st->peak_used_pages = pa->peak_used_pages;
	for (unsigned int o = 0; o <= pa->max_order; o++)
		st->nr_free[o] = pa->free_area[o].nr_free;
	st->counters = pa->counters;
	st->largest_free_run = largest_free_run(pa);
	spin_unlock(&pa->lock);
}

#define CHECK(cond, ...)                                                 \
	do {                                                             \
		if (!(cond)) {                                           \
			printk("buddy_pa %p: check failed: ", (void *)pa);  \
			printk(__VA_ARGS__);                             \
			printk("\n");                                    \
			ok = false;                                      \
			goto out;                                        \
		}                                                        \
	} while (0)

bool buddy_pa_check(struct buddy_pa *pa)
{
	size_t managed = 0, free_pages = 0, free_blocks[BUDDY_ORDER_LIMIT + 1] = { 0 };
	bool ok = true;

	spin_lock(&pa->lock);
	for (size_t idx = 0; idx < pa->npages;) {
		uint8_t s = pa->state[idx];
		unsigned int o = order_of(s);
		uintptr_t pfn = pa->base_pfn + idx;

		if (s == BUDDY_RESERVED) {
			idx++;
			continue;
		}
		CHECK(is_head(s), "page %zu: tail outside any block", idx);
		CHECK(o <= pa->max_order, "page %zu: order %u", idx, o);
		CHECK(IS_ALIGNED(pfn, (uintptr_t)order_pages(o)),
		      "page %zu: order %u block not aligned", idx, o);
		CHECK(idx + order_pages(o) <= pa->npages, "page %zu: block past the end", idx);
		for (size_t j = idx + 1; j < idx + order_pages(o); j++)
			CHECK(pa->state[j] == BUDDY_TAIL, "page %zu: not a tail of %zu", j, idx);
		if (state_of(s) == BUDDY_FREE) {
			uintptr_t buddy_pfn = pfn ^ ((uintptr_t)1 << o);

			free_blocks[o]++;
			free_pages += order_pages(o);
			if (o < pa->max_order && buddy_pfn >= pa->base_pfn &&
			    buddy_pfn - pa->base_pfn < pa->npages)
				CHECK(pa->state[buddy_pfn - pa->base_pfn] != (uint8_t)(BUDDY_FREE | o),
				      "page %zu: free buddies of order %u not merged", idx, o);
		}
		managed += order_pages(o);
		idx += order_pages(o);
	}
	CHECK(managed == pa->managed_pages, "managed %zu, counted %zu", pa->managed_pages, managed);
	CHECK(free_pages == pa->free_pages, "free %zu, counted %zu", pa->free_pages, free_pages);
	for (unsigned int o = 0; o <= BUDDY_ORDER_LIMIT; o++) {
		struct buddy_free_area *area = &pa->free_area[o];
		uint32_t prev = BUDDY_NO_PAGE;
		size_t n = 0;

		CHECK(o <= pa->max_order || area->nr_free == 0, "order %u above max has blocks", o);
		CHECK(area->nr_free == free_blocks[o], "order %u: nr_free %zu, counted %zu",
		      o, area->nr_free, free_blocks[o]);
		for (uint32_t i = area->head; i != BUDDY_NO_PAGE; i = pa->next[i]) {
			CHECK(i < pa->npages && n < area->nr_free, "order %u: list runs away", o);
			CHECK(pa->state[i] == (uint8_t)(BUDDY_FREE | o),
			      "order %u: page %u on the list is not a free head", o, (unsigned int)i);
			CHECK(pa->prev[i] == prev, "order %u: page %u: bad back link", o, (unsigned int)i);
			prev = i;
			n++;
		}
		CHECK(n == area->nr_free, "order %u: list has %zu blocks, nr_free %zu", o, n, area->nr_free);
	}
out:
	spin_unlock(&pa->lock);
	return ok;
}
