/*
 * hugetlb.c - the hugepage pool (hugetlb.h).
 *
 * Each size has a fixed table of pages, one per Kconfig count: its
 * physical address, its state, and - by its index - its slot in the
 * address space reserved at boot (slot i of the 2 MiB pool is at
 * base + i * 2 MiB).  Free pages are a stack of indices, so the common
 * allocation and free are a pop or push under the lock plus one leaf
 * mapped or unmapped outside it.  Fallback allocations (pool empty) are
 * the exception: each has a small kmalloc() descriptor on a list, so that
 * a free can tell what it was.
 */
#include "arch.h"
#include "compiler.h"
#include "hugetlb.h"
#include "hugetlb_pool.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "panic.h"
#include "printk.h"
#include "spinlock.h"
#include "vmap.h"
#ifdef CONFIG_COMPACTION
#include "migrate.h"
#endif

#define PROT_RW (ARCH_PROT_READ | ARCH_PROT_WRITE)
/* Fallback frees remembered to tell a double free from a wild pointer. */
#define FREED_HISTORY 8

enum slot_state { SLOT_FREE, SLOT_IN_USE, SLOT_LENT, SLOT_BUSY };

struct pool {
	size_t size;
	unsigned int order;
	size_t count;			/* pages reserved (slots in use of the arrays below) */
	size_t leaf;			/* the leaf size a page is mapped with */
	uintptr_t va;			/* slot 0; 0 when nothing was reserved */
	size_t nr_free;
	uintptr_t *pa;			/* per slot */
	unsigned char *state;		/* per slot: enum slot_state */
	unsigned int *free_stack;	/* nr_free slot indices */
	struct hugepage_size_stats st;
};

struct fallback {
	struct fallback *next;
	uintptr_t va;
	uintptr_t pa;			/* the buddy block; 0 when vmap_alloc() served it */
	unsigned int idx;		/* which size was asked for */
};

/* Arrays sized by Kconfig; + 1 so that a count of 0 is still a valid array. */
static uintptr_t pa_2m[CONFIG_HUGEPAGES_2M + 1], pa_1g[CONFIG_HUGEPAGES_1G + 1];
static unsigned char state_2m[CONFIG_HUGEPAGES_2M + 1], state_1g[CONFIG_HUGEPAGES_1G + 1];
static unsigned int stack_2m[CONFIG_HUGEPAGES_2M + 1], stack_1g[CONFIG_HUGEPAGES_1G + 1];

static struct pool pools[HUGE_NR_SIZES] = {
	{ .size = HUGE_SIZE_2M, .order = 9, .pa = pa_2m, .state = state_2m,
	  .free_stack = stack_2m, .st = { .configured = CONFIG_HUGEPAGES_2M } },
	{ .size = HUGE_SIZE_1G, .order = 18, .pa = pa_1g, .state = state_1g,
	  .free_stack = stack_1g, .st = { .configured = CONFIG_HUGEPAGES_1G } },
};

static spinlock_t huge_lock = SPINLOCK_INIT;
static struct fallback *fallbacks;
static size_t nr_fallbacks;
static uintptr_t freed[FREED_HISTORY];
static unsigned int freed_next;
static uint64_t misuse;

static int size_index(size_t size)
{
	return size == HUGE_SIZE_2M ? 0 : size == HUGE_SIZE_1G ? 1 : -1;
}

/* The leaf a page of @size is mapped with: its own size, or 2 MiB where the arch has no 1 GiB leaves. */
static size_t leaf_for(size_t size)
{
	return arch_page_size_supported(size) ? size : PAGE_SIZE_2M;
}

static void reserve_pool(struct pool *p)
{
	size_t want = p->st.configured;

	if (!want)
		return;
	p->va = (uintptr_t)vmap_reserve(want * p->size, p->size);
	if (!p->va) {
		printk("hugetlb: no room in the vmap area for %zu pages of %zu KiB: none reserved\n",
		       want, p->size >> 10);
		return;
	}
	while (p->count < want) {
		void *block = alloc_pages(p->order, GFP_KERNEL | __GFP_NOWARN);

		if (!block)
			break;
		p->pa[p->count] = (uintptr_t)block;
		p->state[p->count] = SLOT_FREE;
		/* Lowest index on top: the first allocations take the first slots. */
		p->count++;
	}
	for (size_t i = 0; i < p->count; i++)
		p->free_stack[i] = (unsigned int)(p->count - 1 - i);
	p->nr_free = p->count;
	p->st.reserved = p->count;
	if (p->count < want)
		printk("hugetlb: reserved %zu of %zu pages of %zu KiB (no more free aligned blocks)\n",
		       p->count, want, p->size >> 10);
}

void hugetlb_init(void)
{
	for (unsigned int i = 0; i < HUGE_NR_SIZES; i++)
		pools[i].leaf = leaf_for(pools[i].size);
	/* The largest first: a GiB is the hardest block to find, and 2 MiB ones would cut it up. */
	reserve_pool(&pools[1]);
	reserve_pool(&pools[0]);
}

/*
 * A pool page taken off the free list (and counted as in use): map it in
 * its slot.  Only a failed mapping takes the lock again, to undo.
 */
static void *map_pool_page(struct pool *p, unsigned int slot, gfp_t gfp)
{
	uintptr_t va = p->va + (uintptr_t)slot * p->size;

	if (unlikely(arch_map(va, p->pa[slot], p->size, p->leaf, PROT_RW))) {
		spin_lock(&huge_lock);
		p->state[slot] = SLOT_FREE;
		p->free_stack[p->nr_free++] = slot;
		p->st.in_use--;
		p->st.allocs--;
		p->st.failures++;
		spin_unlock(&huge_lock);
		return NULL;
	}
	if (gfp & __GFP_ZERO)
		memset((void *)va, 0, p->size);
	return (void *)va;
}

/* The pool is empty: a block of the size from the page allocator, else smaller pieces. */
static void *alloc_fallback(struct pool *p, unsigned int idx, gfp_t gfp)
{
	struct fallback *f = kmalloc(sizeof(*f), GFP_KERNEL);
	void *block = NULL, *va = NULL;
	bool whole = false;

	if (f) {
		block = alloc_pages(p->order, (gfp & ~(gfp_t)__GFP_ZERO) | __GFP_NOWARN);
#ifdef CONFIG_COMPACTION
		/* No free block of the size: make one from a pageblock of movable pages. */
		if (!block && compact_block(p->order))
			block = alloc_pages(p->order, (gfp & ~(gfp_t)__GFP_ZERO) | __GFP_NOWARN);
#endif
		if (block) {
			va = vmap_phys((uintptr_t)block, p->size, PROT_RW);
			if (va) {
				whole = true;
				if (gfp & __GFP_ZERO)
					memset(va, 0, p->size);
			} else {
				free_pages(block, p->order);
				block = NULL;
			}
		}
		if (!va)
			va = vmap_alloc(p->size, gfp | __GFP_NOWARN);
	}
	spin_lock(&huge_lock);
	if (va) {
		*f = (struct fallback){ .next = fallbacks, .va = (uintptr_t)va,
					.pa = (uintptr_t)block, .idx = idx };
		fallbacks = f;
		nr_fallbacks++;
		p->st.allocs++;
		if (whole)
			p->st.fallback_block++;
		else
			p->st.fallback_small++;
	} else {
		p->st.failures++;
	}
	spin_unlock(&huge_lock);
	if (!va)
		kfree(f);
	return va;
}

void *alloc_huge_page(size_t size, gfp_t gfp)
{
	int idx = size_index(size);
	struct pool *p;
	unsigned int slot;

	if (idx < 0 || (gfp & ~(gfp_t)__GFP_VALID))
		return NULL;
	p = &pools[idx];
	spin_lock(&huge_lock);
	if (likely(p->nr_free)) {
		slot = p->free_stack[--p->nr_free];
		/* In use from here: a free before the mapping is done finds it mapped (or gone). */
		p->state[slot] = SLOT_IN_USE;
		p->st.in_use++;
		p->st.allocs++;
		spin_unlock(&huge_lock);
		return map_pool_page(p, slot, gfp);
	}
	spin_unlock(&huge_lock);
	return alloc_fallback(p, (unsigned int)idx, gfp);
}

static int refuse(int err, const void *addr)
{
	misuse++;
	spin_unlock(&huge_lock);
	mm_report_misuse("hugetlb", err, addr);
	return err;
}

/* The pool whose slots hold @a, or NULL. */
static struct pool *slot_pool(uintptr_t a)
{
	for (unsigned int i = 0; i < HUGE_NR_SIZES; i++) {
		struct pool *p = &pools[i];

		if (p->va && a >= p->va && a - p->va < p->count * p->size)
			return p;
	}
	return NULL;
}

static void remember_free(uintptr_t a)
{
	freed[freed_next] = a;
	freed_next = (freed_next + 1) % FREED_HISTORY;
}

int free_huge_page(void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	struct fallback **link, *f;
	struct pool *p;

	if (!addr)
		return 0;
	spin_lock(&huge_lock);
	p = slot_pool(a);
	if (p) {
		unsigned int slot = (unsigned int)((a - p->va) / p->size);

		if (a != p->va + (uintptr_t)slot * p->size)
			return refuse(KERR_BAD_PTR, addr);
		if (p->state[slot] == SLOT_FREE)
			return refuse(KERR_DOUBLE_FREE, addr);
		if (p->state[slot] != SLOT_IN_USE)	/* lent to a vmap region, or mid-call */
			return refuse(KERR_BAD_PTR, addr);
		p->state[slot] = SLOT_BUSY;
		p->st.in_use--;
		p->st.frees++;
		spin_unlock(&huge_lock);
		/* Every CPU has forgotten the leaf before the page can be handed out again. */
		BUG_ON(arch_unmap(a, p->size) != 0);
		spin_lock(&huge_lock);
		p->state[slot] = SLOT_FREE;
		p->free_stack[p->nr_free++] = slot;
		spin_unlock(&huge_lock);
		return 0;
	}
	for (link = &fallbacks; *link && (*link)->va != a; link = &(*link)->next)
		;
	f = *link;
	if (!f) {
		for (unsigned int i = 0; i < FREED_HISTORY; i++) {
			if (freed[i] == a)
				return refuse(KERR_DOUBLE_FREE, addr);
		}
		return refuse(KERR_BAD_PTR, addr);
	}
	*link = f->next;
	nr_fallbacks--;
	pools[f->idx].st.frees++;
	remember_free(a);
	spin_unlock(&huge_lock);
	BUG_ON(vmap_free(addr) != 0);
	if (f->pa)
		BUG_ON(free_pages((void *)f->pa, pools[f->idx].order) != 0);
	kfree(f);
	return 0;
}

uintptr_t hugetlb_take_block(size_t size)
{
	struct pool *p = &pools[size_index(size)];
	uintptr_t pa = 0;

	spin_lock(&huge_lock);
	if (p->nr_free) {
		unsigned int slot = p->free_stack[--p->nr_free];

		p->state[slot] = SLOT_LENT;
		pa = p->pa[slot];
		p->st.lent++;
		p->st.auto_served++;
	} else {
		p->st.auto_missed++;
	}
	spin_unlock(&huge_lock);
	return pa;
}

void hugetlb_return_block(uintptr_t pa, size_t size)
{
	struct pool *p = &pools[size_index(size)];
	size_t slot;

	spin_lock(&huge_lock);
	/* Linear: a free of a region of this size costs far more than a scan of the pool. */
	for (slot = 0; slot < p->count && p->pa[slot] != pa; slot++)
		;
	BUG_ON(slot == p->count || p->state[slot] != SLOT_LENT);
	p->state[slot] = SLOT_FREE;
	p->free_stack[p->nr_free++] = (unsigned int)slot;
	p->st.lent--;
	spin_unlock(&huge_lock);
}

void hugepage_get_stats(struct hugepage_stats *st)
{
	spin_lock(&huge_lock);
	for (unsigned int i = 0; i < HUGE_NR_SIZES; i++) {
		st->size[i] = pools[i].st;
		st->size[i].size = pools[i].size;
		st->size[i].free = pools[i].nr_free;
	}
	st->fallbacks_live = nr_fallbacks;
	st->auto_threshold = hugetlb_auto_threshold();
	st->misuse = misuse;
	spin_unlock(&huge_lock);
}
