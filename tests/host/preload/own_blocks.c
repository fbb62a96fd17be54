/*
 * own_blocks.c - the blocks libmmkit.so serves without kmalloc, by address.
 *
 * Two kinds (preload.h): direct mappings, for requests larger than the
 * largest block the page allocator hands out, and aligned page runs, for
 * alignments above a page.  free(), realloc() and malloc_usable_size()
 * must tell them from kmalloc's allocations and know their size, and a
 * pointer outside the arena that is in no table is a misuse to report,
 * not something to unmap.  So they live in an open-addressing hash table
 * (linear probing, deletion by backward shift: no tombstones), kept at
 * most half full, whose storage comes straight from mmap: it must never
 * allocate through the allocator it serves.
 *
 * Callers hold the allocator lock.
 */
#define _GNU_SOURCE

#include <sys/mman.h>

#include "kernel.h"
#include "page.h"
#include "preload.h"

#define FIRST_CAPACITY 256   /* a power of two */

static struct own_block *table;
static size_t capacity, used;
size_t own_runs_live;

static size_t slot_of(uintptr_t addr, size_t cap)
{
	/* Addresses are page aligned; Fibonacci hashing spreads the frame number. */
	return (size_t)(((uint64_t)(addr >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static void place(struct own_block *t, size_t cap, const struct own_block *b)
{
	size_t i = slot_of(b->addr, cap);

	while (t[i].addr)
		i = (i + 1) & (cap - 1);
	t[i] = *b;
}

static bool grow(void)
{
	size_t cap = capacity ? capacity * 2 : FIRST_CAPACITY;
	struct own_block *t = mmap(NULL, cap * sizeof(*t), PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (t == MAP_FAILED)
		return false;
	for (size_t i = 0; i < capacity; i++) {
		if (table[i].addr)
			place(t, cap, &table[i]);
	}
	if (table)
		munmap(table, capacity * sizeof(*table));
	table = t;
	capacity = cap;
	return true;
}

bool own_insert(uintptr_t addr, size_t bytes, enum own_kind kind, unsigned int order)
{
	struct own_block b = { .addr = addr, .bytes = bytes, .kind = (uint8_t)kind,
			       .order = (uint8_t)order };

	if ((used + 1) * 2 > capacity && !grow())
		return false;
	place(table, capacity, &b);
	used++;
	if (kind == OWN_RUN)
		own_runs_live++;
	return true;
}

struct own_block *own_find(uintptr_t addr)
{
	if (!used || !addr)
		return NULL;
	for (size_t i = slot_of(addr, capacity); table[i].addr; i = (i + 1) & (capacity - 1)) {
		if (table[i].addr == addr)
			return &table[i];
	}
	return NULL;
}

void own_remove(struct own_block *b)
{
	size_t hole = (size_t)(b - table), i = hole;

	if (b->kind == OWN_RUN)
		own_runs_live--;
	b->addr = 0;
	used--;
	/* Backward shift: move up every later entry of the cluster that may fill the hole. */
	for (;;) {
		size_t home;

		i = (i + 1) & (capacity - 1);
		if (!table[i].addr)
			return;
		home = slot_of(table[i].addr, capacity);
		/* Entry i may move to the hole unless its home lies cyclically in (hole, i]. */
		if (hole <= i ? (home <= hole || home > i) : (home <= hole && home > i)) {
			table[hole] = table[i];
			table[i].addr = 0;
			hole = i;
		}
	}
}
