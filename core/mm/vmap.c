/*
 * vmap.c - the vmap area (vmap.h).
 *
 * A region's descriptor comes from kmalloc(); so does its block list when
 * it needs more than the few entries kept inline.  A block is recorded as
 * its physical address with its order in the low bits (a block is at
 * least a page, so they are free): what vmap_free() needs to give it
 * back.
 */
#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm.h"
#include "mm_misuse.h"
#include "panic.h"
#include "spinlock.h"
#include "vmap.h"
#ifdef CONFIG_HUGEPAGES
#include "hugetlb_pool.h"
#endif

#define GUARD PAGE_SIZE
#define INLINE_BLOCKS 4
/* A block's low bits: its order, and whether it is a hugepage pool page on loan. */
#define ORDER_MASK ((uint64_t)0xff)
#define POOL_BLOCK ((uint64_t)0x100)
#define BLOCK_BITS ((uint64_t)PAGE_SIZE - 1)
#define PROT_RW (ARCH_PROT_READ | ARCH_PROT_WRITE)

/*
 * The largest block worth asking the page allocator for: a 1 GiB leaf's
 * worth (order 18), or the buddy allocator's largest block if smaller -
 * asking for more would only add failures to its statistics.
 */
#define ORDER_1G 18u
#ifdef CONFIG_BUDDY_MAX_ORDER
#define MAX_ORDER MIN((unsigned int)CONFIG_BUDDY_MAX_ORDER, ORDER_1G)
#else
#define MAX_ORDER ORDER_1G
#endif

static const size_t leaf_sizes[VMAP_NR_PAGE_SIZES] = {
	PAGE_SIZE_4K, PAGE_SIZE_2M, PAGE_SIZE_1G,
};

enum region_state { BUILDING, LIVE, DYING };

struct region {
	struct region *next;		/* by address */
	uintptr_t va;
	size_t size;			/* bytes mapped once live */
	size_t done;			/* bytes mapped so far (a prefix) */
	enum region_state state;
	bool reserved;			/* address space only (vmap_reserve()) */
	size_t mapped[VMAP_NR_PAGE_SIZES];
	size_t nr_blocks, cap;
	uint64_t *blocks;		/* physical address | order */
	uint64_t inline_blocks[INLINE_BLOCKS];
};

static spinlock_t vmap_lock = SPINLOCK_INIT;
static bool ready;
static uintptr_t area_base, area_end;
static struct region *regions;
static uintptr_t freed[VMAP_FREED_HISTORY];
static unsigned int freed_next;
static struct vmap_stats stats;

/* The area is the arch's range, cut to the configured size; set up on first use.  Lock held. */
static void setup(void)
{
	uintptr_t base;
	size_t size;

	if (ready)
		return;
	arch_vmap_range(&base, &size);
	size = MIN(size, (size_t)CONFIG_VMAP_SIZE_MB << 20);
	area_base = base;
	area_end = base + size;
	ready = true;
}

static bool in_area(uintptr_t a)
{
	return a >= area_base && a < area_end;
}

bool vmap_owns(const void *addr)
{
	bool owns;

	spin_lock(&vmap_lock);
	setup();
	owns = in_area((uintptr_t)addr);
	spin_unlock(&vmap_lock);
	return owns;
}

/*
 * First fit: the lowest @align-aligned start with @size bytes and a guard
 * page free behind it.  Inserts @r there (BUILDING) and returns true;
 * false when the area has no such room.  Lock held.
 */
static bool reserve(struct region *r, size_t size, size_t align)
{
	struct region **link = &regions;
	uintptr_t cursor = area_base;

	for (;; link = &(*link)->next) {
		uintptr_t start = ALIGN_UP(cursor, (uintptr_t)align);
		uintptr_t limit = *link ? (*link)->va : area_end;

		if (start >= cursor && start <= limit && limit - start >= size &&
		    limit - start - size >= GUARD) {
			r->va = start;
			r->size = size;
			r->state = BUILDING;
			r->next = *link;
			*link = r;
			break;
		}
		if (!*link)
			return false;
		cursor = (*link)->va + (*link)->size + GUARD;
	}
	/* The address is in use again: a free of it is no longer a double free. */
	for (unsigned int i = 0; i < VMAP_FREED_HISTORY; i++) {
		if (freed[i] >= r->va && freed[i] < r->va + r->size)
			freed[i] = 0;
	}
	return true;
}

static void unlink_region(struct region *r)
{
	for (struct region **link = &regions; *link; link = &(*link)->next) {
		if (*link == r) {
			*link = r->next;
			return;
		}
	}
}

/* The largest leaf that fits at @va for @pa, with @len bytes left. */
static unsigned int leaf_index(uintptr_t va, uintptr_t pa, size_t len)
{
	for (unsigned int i = VMAP_NR_PAGE_SIZES; i-- > 1;) {
		size_t ps = leaf_sizes[i];

		if (ps <= len && !((va | pa) & (ps - 1)) && arch_page_size_supported(ps))
			return i;
	}
	return 0;
}

/*
 * Map [@pa, @pa + @len) at @r->va + @r->done, each stretch with the
 * largest leaf it allows, stopping a run of small leaves where a larger
 * one could begin.  Advances @r->done and @r->mapped as it goes.
 */
static int map_range(struct region *r, uintptr_t pa, size_t len, unsigned int prot)
{
	while (len) {
		uintptr_t va = r->va + r->done;
		unsigned int i = leaf_index(va, pa, len);
		size_t ps = leaf_sizes[i], run = ALIGN_DOWN(len, ps);
		int err;

		if (i + 1 < VMAP_NR_PAGE_SIZES && arch_page_size_supported(leaf_sizes[i + 1]) &&
		    !((va - pa) & (leaf_sizes[i + 1] - 1)) &&
		    !IS_ALIGNED(va, (uintptr_t)leaf_sizes[i + 1]))
			run = MIN(run, ALIGN_UP(va, (uintptr_t)leaf_sizes[i + 1]) - va);
		err = arch_map(va, pa, run, ps, prot);
		if (err)
			return err;
		r->mapped[i] += run;
		r->done += run;
		pa += run;
		len -= run;
	}
	return 0;
}

static int record_block(struct region *r, void *block, uint64_t order)
{
	if (r->nr_blocks == r->cap) {
		size_t cap = r->cap * 2;
		uint64_t *list;

		if (r->blocks == r->inline_blocks) {
			list = kmalloc(cap * sizeof(*list), GFP_KERNEL);
			if (list)
				memcpy(list, r->blocks, r->nr_blocks * sizeof(*list));
		} else {
			list = krealloc(r->blocks, cap * sizeof(*list), GFP_KERNEL);
		}
		if (!list)
			return KERR_NOMEM;
		r->blocks = list;
		r->cap = cap;
	}
	r->blocks[r->nr_blocks++] = (uintptr_t)block | order;
	return 0;
}

/* A loop, not __builtin_clzl(): rv64imac has no count-leading-zeros, and libgcc's is not ours to link. */
static unsigned int floor_log2(size_t n)
{
	unsigned int log = 0;

	while (n >>= 1)
		log++;
	return log;
}

#ifdef CONFIG_HUGEPAGES
/*
 * Automatic selection: a pool page for the stretch at @r->done when the
 * request is large enough, a whole page of a pool size is left and the
 * address is aligned for its leaf.  1 if one was taken and mapped, 0 if
 * not, or an error (the page is recorded, so unmap_and_free() returns it).
 */
static int populate_from_pool(struct region *r, gfp_t gfp)
{
	static const size_t sizes[] = { PAGE_SIZE_1G, PAGE_SIZE_2M };
	uintptr_t va = r->va + r->done;

	if (!hugetlb_auto_threshold() || r->size < hugetlb_auto_threshold())
		return 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t ps = sizes[i];
		uintptr_t pa;
		int err;

		if (r->size - r->done < ps || !IS_ALIGNED(va, (uintptr_t)ps))
			continue;
		pa = hugetlb_take_block(ps);
		if (!pa)
			continue;
		err = record_block(r, (void *)pa, POOL_BLOCK | floor_log2(ps >> PAGE_SHIFT));
		if (err) {
			hugetlb_return_block(pa, ps);
			return err;
		}
		if (gfp & __GFP_ZERO)
			memset((void *)pa, 0, ps);	/* through the identity map, as alloc_pages() does */
		err = map_range(r, pa, ps, PROT_RW);
		return err ? err : 1;
	}
	return 0;
}
#endif

/* Take and map the pages of a BUILDING region, largest blocks first. */
static int populate(struct region *r, gfp_t gfp)
{
	unsigned int cap = MAX_ORDER;

	while (r->done < r->size) {
		unsigned int order = MIN(cap, floor_log2((r->size - r->done) >> PAGE_SHIFT));
		void *block;
		int err;

#ifdef CONFIG_HUGEPAGES
		err = populate_from_pool(r, gfp);
		if (err < 0)
			return err;
		if (err)
			continue;
#endif
		while (!(block = alloc_pages(order, gfp)) && order > 0)
			cap = --order;	/* that order is gone: do not ask again */
		if (!block)
			return KERR_NOMEM;
		err = record_block(r, block, order);
		if (err) {
			free_pages(block, order);
			return err;
		}
		err = map_range(r, (uintptr_t)block, PAGE_SIZE << order, PROT_RW);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Unmap what @r mapped (arch_unmap() flushes every CPU) and give back the
 * blocks it took.  Called while @r is still on the list, not live, so its
 * address space cannot be handed out again until nothing maps it.
 */
static void unmap_and_free(struct region *r)
{
	if (r->done)
		BUG_ON(arch_unmap(r->va, r->done) != 0);	/* our own leaves: they cannot straddle */
	r->done = 0;
	for (size_t i = 0; i < r->nr_blocks; i++) {
		uint64_t b = r->blocks[i];
		void *block = (void *)(uintptr_t)(b & ~BLOCK_BITS);
		unsigned int order = (unsigned int)(b & ORDER_MASK);

#ifdef CONFIG_HUGEPAGES
		if (b & POOL_BLOCK) {
			hugetlb_return_block((uintptr_t)block, PAGE_SIZE << order);
			continue;
		}
#endif
		BUG_ON(free_pages(block, order));
	}
	r->nr_blocks = 0;
}

/* @r is off the list: its descriptor goes. */
static void free_region(struct region *r)
{
	if (r->blocks != r->inline_blocks)
		kfree(r->blocks);
	kfree(r);
}

static void count_failure(bool va)
{
	spin_lock(&vmap_lock);
	stats.counters.failures++;
	stats.va_failures += va;
	spin_unlock(&vmap_lock);
}

/*
 * The common path of vmap_alloc() and vmap_phys(): reserve @size bytes at
 * @align, fill them (with pages of our own when @own, else with @pa), go
 * live.
 */
static void *make_region(size_t size, size_t align, bool own, uintptr_t pa, unsigned int prot,
			 gfp_t gfp)
{
	struct region *r = kzalloc(sizeof(*r), GFP_KERNEL);
	bool room;
	int err;

	if (!r) {
		count_failure(false);
		return NULL;
	}
	r->blocks = r->inline_blocks;
	r->cap = INLINE_BLOCKS;
	spin_lock(&vmap_lock);
	setup();
	room = reserve(r, size, align);
	spin_unlock(&vmap_lock);
	if (!room) {
		kfree(r);
		count_failure(true);
		return NULL;
	}

	err = own ? populate(r, gfp) : map_range(r, pa, size, prot);
	if (err)
		unmap_and_free(r);
	spin_lock(&vmap_lock);
	if (err) {
		unlink_region(r);
		stats.counters.failures++;
	} else {
		r->state = LIVE;
		stats.regions++;
		stats.counters.allocs++;
		for (unsigned int i = 0; i < VMAP_NR_PAGE_SIZES; i++)
			stats.mapped[i] += r->mapped[i];
	}
	spin_unlock(&vmap_lock);
	if (err) {
		free_region(r);
		return NULL;
	}
	return (void *)r->va;
}

/* Room for @size bytes that the largest leaf it can use would also fit. */
static size_t alignment_for(size_t size, uintptr_t pa_alignment)
{
	for (unsigned int i = VMAP_NR_PAGE_SIZES; i-- > 1;) {
		size_t ps = leaf_sizes[i];

		if (ps <= size && ps <= pa_alignment && arch_page_size_supported(ps))
			return ps;
	}
	return PAGE_SIZE;
}

void *vmap_alloc(size_t size, gfp_t gfp)
{
	size_t blocks_up_to = PAGE_SIZE << MAX_ORDER;

	if (size == 0 || size > SIZE_MAX - PAGE_SIZE) {
		count_failure(false);
		return NULL;
	}
	size = ALIGN_UP(size, PAGE_SIZE);
#ifdef CONFIG_HUGEPAGES
	/* A request the pool may serve is aligned for the pool's largest leaf it can use. */
	if (hugetlb_auto_threshold() && size >= hugetlb_auto_threshold())
		blocks_up_to = MAX(blocks_up_to, PAGE_SIZE_1G);
#endif
	return make_region(size, alignment_for(size, blocks_up_to), true, 0, PROT_RW, gfp);
}

void *vmap_phys(uintptr_t pa, size_t size, unsigned int prot)
{
	/* The alignment @pa has: its lowest set bit (any size when it is 0). */
	uintptr_t pa_alignment = pa ? pa & -pa : UINTPTR_MAX;

	if (size == 0 || !IS_ALIGNED(pa | size, PAGE_SIZE) || pa + size < pa ||
	    !(prot & ARCH_PROT_READ) || ((prot & ARCH_PROT_WRITE) && (prot & ARCH_PROT_EXEC))) {
		count_failure(false);
		return NULL;
	}
	return make_region(size, alignment_for(size, pa_alignment), false, pa, prot, 0);
}

void *vmap_reserve(size_t size, size_t align)
{
	struct region *r;
	bool room;

	if (size == 0 || !IS_ALIGNED(size, PAGE_SIZE) || align < PAGE_SIZE || (align & (align - 1))) {
		count_failure(false);
		return NULL;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		count_failure(false);
		return NULL;
	}
	r->blocks = r->inline_blocks;
	r->cap = INLINE_BLOCKS;
	spin_lock(&vmap_lock);
	setup();
	room = reserve(r, size, align);
	if (room) {
		r->state = LIVE;	/* nothing mapped: done stays 0, so a free unmaps nothing */
		r->reserved = true;
		stats.regions++;
		stats.reserved += size;
	} else {
		stats.counters.failures++;
		stats.va_failures++;
	}
	spin_unlock(&vmap_lock);
	if (!room) {
		kfree(r);
		return NULL;
	}
	return (void *)r->va;
}

static int refuse(int err, const void *addr)
{
	stats.counters.misuse++;
	spin_unlock(&vmap_lock);
	mm_report_misuse("vmap", err, addr);
	return err;
}

int vmap_free(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	struct region *r;

	if (!addr)
		return 0;
	spin_lock(&vmap_lock);
	setup();
	if (!in_area(a))
		return refuse(KERR_RANGE, addr);
	for (r = regions; r && r->va + r->size + GUARD <= a; r = r->next)
		;
	if (!r || a < r->va) {
		for (unsigned int i = 0; i < VMAP_FREED_HISTORY; i++) {
			if (freed[i] == a)
				return refuse(KERR_DOUBLE_FREE, addr);
		}
		return refuse(KERR_BAD_PTR, addr);
	}
	if (a != r->va || r->state == BUILDING)
		return refuse(KERR_BAD_PTR, addr);
	if (r->state == DYING)
		return refuse(KERR_DOUBLE_FREE, addr);
	r->state = DYING;
	stats.regions--;
	stats.counters.frees++;
	if (r->reserved)
		stats.reserved -= r->size;
	for (unsigned int i = 0; i < VMAP_NR_PAGE_SIZES; i++)
		stats.mapped[i] -= r->mapped[i];
	spin_unlock(&vmap_lock);

	/* Unmapped and flushed everywhere before a page goes back, and before the range is reused. */
	unmap_and_free(r);

	spin_lock(&vmap_lock);
	unlink_region(r);
	freed[freed_next] = a;
	freed_next = (freed_next + 1) % VMAP_FREED_HISTORY;
	spin_unlock(&vmap_lock);
	free_region(r);
	return 0;
}

void vmap_get_stats(struct vmap_stats *st)
{
	struct arch_pt_stats pt;
	uintptr_t cursor;

	arch_pt_get_stats(&pt);
	spin_lock(&vmap_lock);
	setup();
	*st = stats;
	st->base = area_base;
	st->size = area_end - area_base;
	st->largest_gap = 0;
	cursor = area_base;
	for (struct region *r = regions;; r = r->next) {
		uintptr_t limit = r ? r->va : area_end;

		st->largest_gap = MAX(st->largest_gap, (size_t)(limit - cursor));
		if (!r)
			break;
		cursor = r->va + r->size + GUARD;
	}
	spin_unlock(&vmap_lock);
	st->pt_pages = pt.table_pages;
}
