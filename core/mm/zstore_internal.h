/*
 * zstore_internal.h - what the parts of the compressed page store tell
 * each other (zstore.h is the public side): the store proper (zstore.c),
 * the decompressed-page cache (zstore_cache.c), the swappable pages and
 * their shrinker (zstore_swap.c) and the tick's background work
 * (zstore_background.c).
 *
 * Locks: the LRU of swappable pages (zstore_swap.c), then the store's
 * lock (zstore.c; the cache lives under it), then a zone's.  Both store
 * locks are taken with interrupts off, because the tick takes them too
 * (with a trylock: a tick never waits).  Nothing allocates a page with
 * either held - an allocation may reclaim, and reclaim takes them - so
 * a caller that needs pages takes them first and frees what is left over
 * after unlocking.
 */
#ifndef MMKIT_ZSTORE_INTERNAL_H
#define MMKIT_ZSTORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "zstore.h"

/* Pages a store operation gives up, to be freed once its caller holds no lock. */
struct zs_spill {
	void *page[ZSTORE_ZSPAGE_MAX_PAGES + ZSTORE_CACHE_PAGES];
	unsigned int n;
};

/* Free what @s holds (no store lock held). */
void zs_spill_free(struct zs_spill *s);

/* How zs_store() may get the pages it needs. */
enum zs_mode {
	ZS_RESERVE_ONLY,    /* inside reclaim: the reserve, nothing else */
	ZS_TRYLOCK,         /* the tick: the reserve, and never wait for the lock */
};

/* zstore_store() without topping up the reserve: for reclaim and the tick. */
int zs_store(const void *page, zs_handle_t *h, enum zs_mode mode);

/*
 * zstore_load() with the cache's page supplied: @spare (may be NULL) is
 * a free page the cache may keep; if it does not, *@spare is left for the
 * caller to free.
 */
int zs_load(zs_handle_t h, void *page, void **spare);

/* zstore_free() leaving pages to free in @spill. */
int zs_free(zs_handle_t h, struct zs_spill *spill);

/*
 * The reserve: top it up from the page allocator (no lock held, where
 * allocating is allowed), or give it @page, a free page of the caller's:
 * true if it took it (it was short), false if the caller keeps it.
 */
void zs_reserve_refill(void);
bool zs_reserve_donate(void *page);

/* Misuse found under a lock, reported after it (mm_misuse.h). */
void zs_report(int err, zs_handle_t h);

/* ---- the decompressed-page cache: all under the store lock ------------------------- */

/* Copy @h's page into @dst if cached (counted as a hit or a miss). */
bool zs_cache_copy(zs_handle_t h, void *dst);
/* Keep a copy of @src as @h's page: in a free cached page, *@spare, or the least recently used. */
void zs_cache_insert(zs_handle_t h, const void *src, void **spare);
/* @h is gone: its entry, if any, is dropped (its page kept for reuse). */
void zs_cache_forget(zs_handle_t h);
/* Give every cached page to @spill (up to its room); returns how many. */
size_t zs_cache_drain(struct zs_spill *spill);
/* Pages held, and whether another page would be used. */
size_t zs_cache_pages(void);
bool zs_cache_wants_page(void);
void zs_cache_counts(uint64_t *hits, uint64_t *misses);

/* Take / drop the store lock around the cache from outside zstore.c. */
unsigned long zs_lock_store(void);
void zs_unlock_store(unsigned long flags);

/* ---- swappable pages and the tick ------------------------------------------------- */

/* Register the shrinker (zstore_init()). */
void zswap_init(void);
/* zswap_under_pressure() from the tick: never waits for a zone's lock. */
bool zswap_tick_sees_pressure(void);
/* The tick's part: compress up to @nr cold pages ahead, never waiting; returns how many. */
size_t zswap_precompress(size_t nr);
void zswap_fill_stats(struct zstore_stats *st);

/* Register the tick hook (zstore_init()); 0 or KERR_LIMIT. */
int zs_background_init(void);
void zs_background_fill_stats(struct zstore_stats *st);

#endif /* MMKIT_ZSTORE_INTERNAL_H */
