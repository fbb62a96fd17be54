/*
 * heap.h - SimpleHeap: a first-fit free-list allocator over one region.
 *
 * Blocks carry a small header (size, state, a check word); free blocks are
 * kept on an address-ordered list so that a free coalesces with both
 * neighbours.  Requests are split from the first block that fits.  A free
 * of a pointer that is not a live block of this heap (foreign, interior,
 * already free) is reported and returns an error without touching the
 * lists.  It is the whole allocator in SimpleHeap mode and the fallback
 * region in Hybrid mode.
 */
#ifndef MMKIT_HEAP_H
#define MMKIT_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "page_alloc.h"
#include "spinlock.h"

struct heap_block;

struct heap {
	spinlock_t lock;
	uintptr_t start, end;          /* the region, [start, end) */
	struct heap_block *free_list;  /* address ordered */
	size_t free_bytes;             /* payload bytes in free blocks */
	size_t used_bytes;             /* payload bytes in live blocks */
	size_t peak_used_bytes;
	size_t live_blocks;
	struct alloc_counters counters;
};

struct heap_stats {
	size_t region_bytes;
	size_t free_bytes;
	size_t used_bytes;
	size_t peak_used_bytes;
	size_t largest_free;      /* largest payload a single request could get */
	size_t free_blocks;
	size_t live_blocks;
	size_t meta_bytes;        /* header bytes of live and free blocks */
	struct alloc_counters counters;
};

/* @mem must be 16-byte aligned; @size at least a few hundred bytes. */
void heap_init(struct heap *h, void *mem, size_t size);
/* @align: a power of two, 0 = 16.  NULL on exhaustion or bad arguments. */
void *heap_alloc(struct heap *h, size_t size, size_t align);
int heap_free(struct heap *h, void *p);
/* Grow or shrink in place when possible, else move.  NULL on failure (p kept). */
void *heap_realloc(struct heap *h, void *p, size_t size);
size_t heap_usable_size(struct heap *h, const void *p);
bool heap_contains(const struct heap *h, const void *p);
void heap_get_stats(struct heap *h, struct heap_stats *st);

#endif /* MMKIT_HEAP_H */
