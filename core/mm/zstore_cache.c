/*
 * zstore_cache.c - a small cache of pages decompressed lately, so that a
 * page faulted in, let go clean and faulted in again costs a copy instead
 * of a decompression (the seed plan's decompression cache; Linux keeps
 * such a page in the swap cache).
 *
 * ZSTORE_CACHE_PAGES entries, each a page of the store's and the handle
 * whose contents it holds (0: the page is free for the next entry).  A
 * handle's entry goes when the handle is freed; the least recently used
 * entry makes room.  Pages come from the caller (the cache never
 * allocates: it runs under the store lock) and go back under pressure
 * through the store's shrinker, before any page is compressed.  All of it
 * runs under the store lock (zstore.c).
 */
#include "kernel.h"
#include "kstring.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "zstore_internal.h"

struct cache_entry {
	zs_handle_t h;
	void *page;
	uint64_t used;     /* the clock when last filled or hit */
};

static struct cache_entry cache[ZSTORE_CACHE_PAGES];
static uint64_t clock, hits, misses;
static size_t pages;

static struct cache_entry *find(zs_handle_t h)
{
	for (size_t i = 0; i < ZSTORE_CACHE_PAGES; i++)
		if (cache[i].page && cache[i].h == h)
			return &cache[i];
	return NULL;
}

bool zs_cache_copy(zs_handle_t h, void *dst)
{
	struct cache_entry *c = find(h);

	if (!c) {
		misses++;
		return false;
	}
	memcpy(dst, c->page, PAGE_SIZE);
	c->used = ++clock;
	hits++;
	return true;
}

void zs_cache_insert(zs_handle_t h, const void *src, void **spare)
{
	struct cache_entry *c = find(0), *lru = NULL;

	for (size_t i = 0; !c && i < ZSTORE_CACHE_PAGES; i++) {
		if (!cache[i].page && spare && *spare) {
			/* An empty slot and a page to put in it. */
			c = &cache[i];
			c->page = *spare;
			*spare = NULL;
			/* The cache's page until the shrinker spills it: never the caller's leak. */
			if (DEBUG_LEAK)
				debug_page_internal(c->page);
			__atomic_fetch_add(&pages, 1, __ATOMIC_RELAXED);
		} else if (cache[i].page && (!lru || cache[i].used < lru->used)) {
			lru = &cache[i];
		}
	}
	if (!c)
		c = lru;
	if (!c)
		return;
	memcpy(c->page, src, PAGE_SIZE);
	c->h = h;
	c->used = ++clock;
}

void zs_cache_forget(zs_handle_t h)
{
	struct cache_entry *c = find(h);

	if (c)
		c->h = 0;
}

size_t zs_cache_drain(struct zs_spill *spill)
{
	size_t n = 0;

	for (size_t i = 0; i < ZSTORE_CACHE_PAGES && spill->n < ARRAY_SIZE(spill->page); i++) {
		if (!cache[i].page)
			continue;
		spill->page[spill->n++] = cache[i].page;
		cache[i] = (struct cache_entry){ 0 };
		__atomic_fetch_sub(&pages, 1, __ATOMIC_RELAXED);
		n++;
	}
	return n;
}

size_t zs_cache_pages(void)
{
	return __atomic_load_n(&pages, __ATOMIC_RELAXED);
}

bool zs_cache_wants_page(void)
{
	/* Read without the lock: a stale answer costs one spare page freed again. */
	return __atomic_load_n(&pages, __ATOMIC_RELAXED) < ZSTORE_CACHE_PAGES;
}

void zs_cache_counts(uint64_t *h, uint64_t *m)
{
	*h = hits;
	*m = misses;
}
