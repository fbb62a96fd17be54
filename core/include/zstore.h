/*
 * zstore.h - the compressed page store (Kconfig ZSTORE), after Linux's
 * zram over zsmalloc, and the swappable pages it takes under pressure
 * (after zswap).
 *
 * The store (core/mm/zstore.c)
 *
 *   A 4 KiB page is compressed with LZ4 (lz4.h) and its block kept in a
 *   slot of a size class: classes are multiples of ZSTORE_ALIGN bytes up
 *   to ZSTORE_MAX_OBJ, and each class packs its slots into "zspages" of 1
 *   to ZSTORE_ZSPAGE_MAX_PAGES pages, chosen for the least waste (a slot
 *   may straddle two pages of its zspage, as in zsmalloc).  A page whose
 *   block is longer than ZSTORE_MAX_OBJ is rejected (KERR_NOSPC: nothing
 *   gained by storing it) and counted; the caller keeps it as it is.  A
 *   page of one repeated 64-bit word (all zero, for one) is stored as that
 *   word alone, with no slot (ZSTORE_SAME_FILLED).
 *
 *   The store's pages come from a reserve of ZSTORE_RESERVE_PAGES it
 *   keeps filled, so that it can take a page while the allocator is out
 *   of memory (inside reclaim, or in the tick); zstore_store() tops the
 *   reserve up first when called where allocating is allowed.  Pages in
 *   zspages plus the reserve never exceed ZSTORE_LIMIT_KB (the limit);
 *   the handle table and zspage descriptors are sized from it at boot.
 *
 *   Handles name one stored page: an index into the handle table and a
 *   generation, so a stale handle (freed, or freed and reused) or a made
 *   up one is refused rather than followed: KERR_BAD_PTR, or
 *   KERR_DOUBLE_FREE for a second free of the handle freed last, each
 *   reported once as misuse (mm_misuse.h).
 *
 * Swappable pages (core/mm/zstore_swap.c)
 *
 *   A page registered with zswap_add() sits on an LRU while nobody holds
 *   it.  When a zone falls below the watermark ZSTORE_TRIGGER names, the
 *   store's shrinker compresses the coldest pages into the store and
 *   frees them; with SMP, each CPU's tick also compresses cold pages ahead
 *   of need (zstore_background.c), keeping the page, so that reclaim only
 *   has to free it.  zswap_get() brings a page back (a "fault"): from a
 *   small cache of pages decompressed lately (zstore_cache.c) or by
 *   decompressing.  The owner reads and writes the page only between
 *   zswap_get() and zswap_put(); a get for writing drops the compressed
 *   copy, a get for reading keeps it, so a clean page goes again for
 *   nothing.
 */
#ifndef MMKIT_ZSTORE_H
#define MMKIT_ZSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "page.h"
#include "percpu.h"

/* Slot sizes are multiples of this. */
#define ZSTORE_ALIGN 32u
/* Largest block kept: 3/4 of a page; above, the page is rejected. */
#define ZSTORE_MAX_OBJ (PAGE_SIZE * 3 / 4)
#define ZSTORE_NR_CLASSES (ZSTORE_MAX_OBJ / ZSTORE_ALIGN)
/* Pages in one zspage at most, and slots in one zspage at most. */
#define ZSTORE_ZSPAGE_MAX_PAGES 4u
#define ZSTORE_ZSPAGE_MAX_OBJS 128u
/* Pages the store keeps back for use under pressure. */
#define ZSTORE_RESERVE_PAGES 8u
/* Handles per page of the limit: stored pages can outnumber store pages. */
#define ZSTORE_HANDLES_PER_PAGE 4u
/* Pages the decompressed-page cache holds at most. */
#define ZSTORE_CACHE_PAGES 8u
/* Pages a CPU's tick compresses ahead at most. */
#define ZSTORE_BG_BATCH 4u

/* 0 is never a handle. */
typedef uint64_t zs_handle_t;

/* Set up the store (mm_init(), after the page allocator); 0 or KERR_NOMEM. */
int zstore_init(void);

/*
 * Compress the page at @page into the store; *@h names it.  0, or:
 *   KERR_NOSPC  incompressible: its block would exceed ZSTORE_MAX_OBJ
 *   KERR_LIMIT  the store is full (its limit, or every handle in use)
 *   KERR_NOMEM  the reserve is empty and no page could be had
 *   KERR_INVAL  @page or @h NULL, or @page not page aligned
 */
int zstore_store(const void *page, zs_handle_t *h);

/* What a handle holds, while mapped. */
struct zstore_obj {
	bool same_filled;      /* no block: the page is @fill repeated */
	uint64_t fill;
	const void *data;      /* the LZ4 block (NULL when same_filled) */
	size_t len;            /* its bytes (0 when same_filled) */
};

/*
 * Map @h to read its block: 0 and *@obj filled, or KERR_BAD_PTR.  The
 * store stays locked until zstore_unmap() (call nothing else of the
 * store in between, and keep it short: interrupts are off).  A block
 * straddling two pages is copied into a buffer of the store's.
 */
int zstore_map(zs_handle_t h, struct zstore_obj *obj);
void zstore_unmap(zs_handle_t h);

/*
 * Decompress @h into the page at @page (the cache first).  0, KERR_BAD_PTR,
 * or KERR_CORRUPT when the block does not decode to exactly a page.
 */
int zstore_load(zs_handle_t h, void *page);

/* Free @h: 0, or KERR_BAD_PTR / KERR_DOUBLE_FREE (reported, nothing changed). */
int zstore_free(zs_handle_t h);

struct zstore_stats {
	uint64_t stored;              /* pages in the store now */
	uint64_t same_filled;         /* of them, kept as one word */
	uint64_t compressed_bytes;    /* sum of their blocks' lengths */
	uint64_t stores, loads, frees;
	uint64_t rejected;            /* incompressible pages refused */
	uint64_t full;                /* stores refused: limit, handles or reserve */
	uint64_t misuse;              /* bad handles, double frees */
	uint64_t corrupt;             /* loads whose block did not decode to a page */
	size_t limit_pages;
	/* Handle table entries: limit_pages * ZSTORE_HANDLES_PER_PAGE rounded up to whole pages of them. */
	size_t handles;
	size_t zspage_pages;          /* pages holding slots */
	size_t reserve_pages;         /* pages held back for use under pressure */
	size_t slot_bytes;            /* bytes of the slots in use (block plus rounding) */
	size_t meta_bytes;            /* handle table and zspage descriptors */
	/*
	 * What the store costs: (zspage_pages + reserve_pages) pages plus
	 * meta_bytes.  Slot waste is zspage_pages * PAGE_SIZE minus the
	 * compressed bytes.
	 */
	size_t used_bytes;
	/* Cache of decompressed pages (zstore_cache.c). */
	size_t cache_pages;
	uint64_t cache_hits, cache_misses;
	/* Swappable pages (zstore_swap.c). */
	uint64_t swappable;           /* registered now */
	uint64_t swapped_out;         /* of them, in the store and not in memory now */
	uint64_t swap_outs;           /* pages compressed (or found clean) and freed */
	uint64_t clean_drops;         /* of swap_outs, found with a copy already stored */
	uint64_t faults;              /* zswap_get() of a page that was out */
	uint64_t pages_freed;         /* pages given back by swap-outs */
	uint64_t pages_refaulted;     /* pages taken again to bring pages back */
	uint64_t bg_compressed;       /* compressed ahead by the ticks (all CPUs) */
	uint64_t bg_compressed_cpu[NR_CPUS];
};

/*
 * Ratio in hundredths: page bytes stored over compressed bytes (same-filled
 * pages count a page in and nothing out); 0 when nothing is stored.
 */
unsigned int zstore_ratio_x100(const struct zstore_stats *st);

/*
 * The free-page gain now: pages swapped out minus the pages the store
 * holds (zspages, reserve and metadata, rounded up); negative when the
 * store costs more than it saves.
 */
long zstore_gain_pages(const struct zstore_stats *st);

void zstore_get_stats(struct zstore_stats *st);

/* One line of the figures above on the console. */
void zstore_print_stats(const char *when);

/* ---- swappable pages ------------------------------------------------------------ */

enum zswap_state {
	ZSWAP_UNREGISTERED,
	ZSWAP_RESIDENT,     /* in memory (on the LRU unless held) */
	ZSWAP_OUT,          /* in the store only */
};

/*
 * Kept by the page's owner, outside the page (the page may go away).
 * The fields are the store's.
 */
struct zswap_page {
	void *addr;                   /* the page while resident */
	zs_handle_t handle;           /* its copy in the store, or 0 */
	struct zswap_page *prev, *next;
	uint32_t holds;               /* zswap_get()s not yet put */
	uint8_t state;                /* enum zswap_state */
	bool rejected;                /* incompressible as it is now */
};

/*
 * Register @page (one page from page_alloc(1), now the store's to free)
 * as swappable, at the cold end's opposite (most recently used).
 * 0, or KERR_INVAL (@zp registered already, @page not a managed page).
 */
int zswap_add(struct zswap_page *zp, void *page);

/*
 * Hold the page, bringing it back if it is out: *@addr is where it is
 * until zswap_put().  @write: the owner may change it (its stored copy
 * is dropped).  0, or KERR_INVAL (not registered), KERR_NOMEM (no page
 * to bring it back into: it stays out), KERR_CORRUPT (its copy is
 * damaged: it stays out).
 */
int zswap_get(struct zswap_page *zp, bool write, void **addr);

/* Let the page go again (most recently used). 0, or KERR_INVAL (not held). */
int zswap_put(struct zswap_page *zp);

/* Unregister, freeing the page and its copy. 0, or KERR_INVAL (held, or not registered). */
int zswap_remove(struct zswap_page *zp);

/*
 * Swap the coldest pages out until @nr pages went back to the page
 * allocator or each page was looked at once (what the shrinker does);
 * returns how many went back.  A page swapped out refills the store's
 * reserve first when it is short, and then does not count.
 */
size_t zswap_shrink(size_t nr);

/* Is a zone at or below the ZSTORE_TRIGGER watermark (a nonzero one)?  Takes each zone's lock in turn. */
bool zswap_under_pressure(void);

#endif /* MMKIT_ZSTORE_H */
