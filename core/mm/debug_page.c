/*
 * debug_page.c - the page debug array: per frame, the owner of the page
 * allocation that covers it (DEBUG_OWNER, as Linux's page_owner) and
 * whether it holds poison (DEBUG_PAGE_POISON: 0xaa, Linux's PAGE_POISON,
 * written when it is freed and checked when it is handed out again).
 *
 * The array parallels mem_map and is carved with it at boot
 * (page_alloc_init()); struct page stays 16 bytes.  The hooks run at
 * page_alloc.c's API level - the allocation after the zones served it,
 * the free before the zone takes it - so they see exactly what callers
 * see, whichever strategy and per-CPU list is behind.  Every frame of an
 * allocation gets its track (a write into the middle of a freed block
 * names the block's owner); only the head has `npages`, which is what the
 * leak report counts.
 */
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "lazy_memmap.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "printk.h"

/* Linux's PAGE_POISON: what a free page holds. */
#define PAGE_POISON 0xaa

struct page_debug {
	struct mm_track track;
	uint32_t npages;       /* head of a live allocation: its length */
	uint8_t poisoned;      /* the frame holds PAGE_POISON since its free */
	uint8_t internal;      /* head of an allocation an allocator holds (a slab) */
};

static struct page_debug *page_debug;

size_t debug_page_meta_size(size_t frames)
{
	return frames * sizeof(struct page_debug);
}

void debug_page_init(void *mem)
{
	page_debug = mem;
	/* Lazy: the records start zeroed (lazy_memmap.h). */
	if (!LAZY_MEMMAP)
		memset(page_debug, 0, debug_page_meta_size(mem_map.pages));
}

/* The record of the frame holding @addr, or NULL outside mem_map. */
static struct page_debug *record_of(const void *addr)
{
	const struct page *pg = virt_to_frame(addr);

	return pg && page_debug ? &page_debug[pg - mem_map.map] : NULL;
}

/*
 * The first byte of the page at @p that is not poison, or NULL (a word at
 * a time: a test that takes all memory checks every page it gets).
 */
static const uint8_t *poison_broken(const uint8_t *p)
{
	return memchr_inv(p, PAGE_POISON, PAGE_SIZE);
}

void debug_page_alloc(void *addr, size_t npages)
{
	struct page_debug *head = record_of(addr);
	struct mm_track t;
	bool reported = false;

	if (!head)
		return;
	if (DEBUG_OWNER)
		mm_track_alloc(&t, _RET_IP_);
	for (size_t i = 0; i < npages; i++) {
		struct page_debug *r = head + i;
		char *page = (char *)addr + i * PAGE_SIZE;

		if (DEBUG_PAGE_POISON && r->poisoned) {
			const uint8_t *bad = reported ? NULL : poison_broken((const uint8_t *)page);

			r->poisoned = 0;
			if (bad) {
				/* One report per allocation; the owner is who freed it. */
				reported = true;
				mm_report_misuse_track("page_alloc", KERR_USE_AFTER_FREE, bad,
						       DEBUG_OWNER ? &r->track : NULL);
			}
		}
		if (DEBUG_OWNER)
			r->track = t;
		r->npages = 0;
		r->internal = 0;
	}
	head->npages = (uint32_t)npages;
}

void debug_page_free(void *addr, size_t npages)
{
	struct page_debug *head = record_of(addr);
	const struct page *pg = IS_ALIGNED((uintptr_t)addr, PAGE_SIZE) ? virt_to_page(addr) : NULL;

	/* Only a free that will succeed: a refused one must not touch live memory. */
	if (!head || !pg || pg->npages != npages || npages == 0 || (pg->flags & PG_PCP))
		return;
	if (DEBUG_OWNER)
		mm_track_free(&head->track, _RET_IP_);
	head->npages = 0;
	head->internal = 0;
	for (size_t i = 0; i < npages; i++) {
		struct page_debug *r = head + i;

		if (DEBUG_OWNER)
			r->track = head->track;
		if (DEBUG_PAGE_POISON) {
			memset((char *)addr + i * PAGE_SIZE, PAGE_POISON, PAGE_SIZE);
			r->poisoned = 1;
		}
	}
}

void debug_page_internal(void *addr)
{
	struct page_debug *r = record_of(addr);

	if (r)
		r->internal = 1;
}

void debug_page_split(void *addr, size_t npages)
{
	struct page_debug *head = record_of(addr);

	if (!head || head->npages != npages)
		return;
	/* Every page already carries the allocation's owner (debug_page_alloc()). */
	for (size_t i = 0; i < npages; i++) {
		head[i].npages = 1;
		head[i].internal = head->internal;
	}
}

bool debug_page_owner(const void *addr, struct mm_track *t, const void **base)
{
	struct page_debug *r = record_of(addr);
	uintptr_t a = ALIGN_DOWN((uintptr_t)addr, (uintptr_t)PAGE_SIZE);

	if (!DEBUG_OWNER || !r || !r->track.alloc_ip)
		return false;
	/* Back to the head: the frames of one allocation share its number. */
	while (!r->npages && r > page_debug && r[-1].track.seq == r->track.seq) {
		r--;
		a -= PAGE_SIZE;
	}
	*t = r->track;
	*base = (const void *)a;
	return true;
}

size_t debug_page_leaks(uint64_t mark)
{
	size_t n = 0;

	if (!DEBUG_LEAK || !page_debug)
		return 0;
	for (size_t f = 0; f < mem_map.pages; f++) {
		const struct page_debug *r = &page_debug[f];

		/*
		 * Page-table pages (PG_PGTABLE) are the page-table layer's, kept
		 * while any mapping in their range lives: not a suite's leak (a
		 * mapping left behind is its own kind of bug, outside this walk).
		 */
		if (mem_map.map[f].flags & PG_PGTABLE)
			continue;
		if (r->npages && !r->internal && r->track.live && r->track.seq > mark) {
			mm_leak_print("pages", page_to_virt(&mem_map.map[f]),
				      (size_t)r->npages << PAGE_SHIFT, &r->track);
			n++;
		}
	}
	return n;
}
