/*
 * page.h - page frames and their descriptors (a much reduced Linux
 * struct page), for every layer of memory management.
 *
 * mem_map describes every page frame from the lowest RAM region to the
 * highest, holes included, one struct page each (Linux's FLATMEM).  Whoever
 * holds a page records in its descriptor what it uses the page for, so that
 * kfree() and kmem_cache_free() find an object's slab, and page_free() an
 * allocation's length, without being told.
 *
 * Who owns which field:
 *
 *   pa_state, order   the page allocator's strategy (zone.h): the frame is
 *                     reserved (never managed: a hole, page 0, the
 *                     allocator's own metadata), free, the head of an
 *                     allocated block or a tail of one.  Only strategies
 *                     write them; everyone else only tells reserved frames
 *                     apart (virt_to_page() returns NULL for them).
 *   npages            the head of every live page allocation: how many
 *                     pages it has; 0 on every other frame.  Set by the
 *                     strategy when it hands the run out, cleared when it
 *                     takes it back, so a free is checked against it
 *                     exactly and in O(1).
 *   zone              index of the zone the frame belongs to (zone.h).
 *   flags             PG_* below: set and cleared by the layer that holds
 *                     the page.  A free page has none but PG_PCP.
 *   the union         one use at a time: a slab's pages point to their
 *                     slab (PG_SLAB), a large kmalloc head keeps the bytes
 *                     asked for (PG_LARGE), a page on a per-CPU list links
 *                     to the next one (PG_PCP), the head of a free buddy
 *                     block links its free list, a page-table page counts
 *                     its valid entries (PG_PGTABLE, pgtable.h), a
 *                     movable page points to its owner's reference
 *                     (PG_MOVABLE, migrate.h).
 *
 * 16 bytes per 4 KiB frame (0.4% of RAM).  The allocator never reads or
 * writes the pages it manages for its own bookkeeping, so a stray write
 * into a free page cannot corrupt its lists.
 */
#ifndef MMKIT_PAGE_H
#define MMKIT_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE ((size_t)1 << PAGE_SHIFT)

struct page {
	uint8_t pa_state;     /* PA_*: the strategy's */
	uint8_t order;        /* buddy: order of the block a head starts */
	uint8_t zone;         /* index into the zone table */
	uint8_t flags;        /* PG_* */
	uint32_t npages;      /* head of a live allocation: its pages; else 0 */
	/*
	 * Meaningful only under the flag or state named beside each member,
	 * and written by whoever sets that flag: a page handed out with no
	 * flag may hold anything here (a single page leaves its per-CPU list
	 * with its old link, one store fewer on the pop).
	 */
	union {
		void *owner;              /* PG_SLAB: its struct slab; PG_MOVABLE: its struct movable_ref */
		size_t requested;         /* PG_LARGE head: bytes the caller asked for */
		struct page *pcp_next;    /* PG_PCP: next page on the per-CPU list */
		size_t pt_entries;        /* PG_PGTABLE: valid entries in the table */
		struct {                  /* buddy free head: list links, frame indices */
			uint32_t next, prev;
		} buddy;
	};
};

/* pa_state.  0 is reserved, so a descriptor array starts out all reserved. */
#define PA_RESERVED 0u   /* not managed: hole, page 0, metadata, or not yet released */
#define PA_FREE 1u       /* managed and not handed out (buddy: head of a free block) */
#define PA_ALLOC 2u      /* head of an allocated block (buddy: of 2^order pages) */
#define PA_TAIL 3u       /* buddy: inside a block, not its first page */

/* flags */
#define PG_SLAB 0x1u     /* part of a slab */
#define PG_LARGE 0x2u    /* head of a kmalloc allocation served by whole pages */
#define PG_PCP 0x4u      /* free, on a per-CPU page list (page_alloc's) */
#define PG_KMALLOC 0x8u  /* with PG_SLAB: the slab is a kmalloc cache's (one test for kfree()) */
#define PG_PGTABLE 0x10u  /* a page-table page of the kernel's tables (pgtable.h) */
#define PG_MOVABLE 0x20u  /* a movable page: compaction may migrate it (migrate.h) */

/* Bytes of frame per byte of descriptor: a power of two (a shift). */
#define PAGE_PER_DESC (PAGE_SIZE / sizeof(struct page))
_Static_assert(PAGE_SIZE % sizeof(struct page) == 0 && (PAGE_PER_DESC & (PAGE_PER_DESC - 1)) == 0,
	       "struct page must be a power-of-two fraction of a page");

/*
 * The frames described: one struct page per frame from @base on, holes
 * included.  Set up once by page_alloc_init(); read-only afterwards, so
 * the lookups below need no lock.
 */
struct mem_map {
	uintptr_t base;       /* address of the first frame, page aligned */
	size_t pages;
	struct page *map;
	/*
	 * base - map * PAGE_PER_DESC, modulo 2^64: a descriptor's address
	 * times PAGE_PER_DESC plus this is its frame's (page_to_virt()).
	 */
	uintptr_t virt_bias;
};
extern struct mem_map mem_map;

/* Descriptor of the frame holding @addr, reserved or not; NULL outside the span. */
static inline struct page *virt_to_frame(const void *addr)
{
	size_t frame = ((uintptr_t)addr - mem_map.base) >> PAGE_SHIFT;

	/* Below the base wraps to a huge frame number: one comparison for both ends. */
	return frame < mem_map.pages ? &mem_map.map[frame] : NULL;
}

/* Descriptor of the managed page holding @addr; NULL if it is not managed. */
static inline struct page *virt_to_page(const void *addr)
{
	struct page *pg = virt_to_frame(addr);

	return pg && pg->pa_state != PA_RESERVED ? pg : NULL;
}

/*
 * Address of the frame @pg describes (@pg from mem_map): a shift and an
 * add.  A descriptor's byte offset in mem_map times PAGE_PER_DESC is its
 * frame's offset from base, and the subtraction of the two origins is
 * done once, at boot (virt_bias).
 */
static inline void *page_to_virt(const struct page *pg)
{
	return (void *)((uintptr_t)pg * PAGE_PER_DESC + mem_map.virt_bias);
}

/* Is @pg a descriptor in mem_map (any pointer may be asked)? */
bool page_in_mem_map(const struct page *pg);

#endif /* MMKIT_PAGE_H */
