/*
 * mm_debug_internal.h - what the debug files of core/mm tell each other
 * and the allocators' hooks, beyond the public mm_debug.h.
 */
#ifndef MMKIT_MM_DEBUG_INTERNAL_H
#define MMKIT_MM_DEBUG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm_debug.h"

/* ---- the API context (debug_context.c) ---- */

/* A fault was injected into the call in progress: its failure is not a real one. */
void mm_debug_note_injected(void);
/*
 * Was one?  The layers above the injection site ask before they count or
 * report a failure, so that injected failures are counted only by
 * fault_inject.c.  Always false without FAULT_INJECTION.
 */
bool mm_debug_injected(void);

static inline bool mm_failure_injected(void)
{
	return IS_ENABLED(CONFIG_FAULT_INJECTION) && mm_debug_injected();
}

/* ---- the page debug array (debug_page.c): DEBUG_OWNER or DEBUG_PAGE_POISON ---- */

#define DEBUG_PAGES (DEBUG_OWNER || DEBUG_PAGE_POISON)

/* Bytes of the per-frame array for @frames frames (carved with mem_map). */
size_t debug_page_meta_size(size_t frames);
/* Take @mem (debug_page_meta_size() bytes) for the array; mem_map is set up. */
void debug_page_init(void *mem);
/*
 * @npages at @addr were just allocated (before __GFP_ZERO): check the
 * poison of every frame that holds it, record the owner.
 */
void debug_page_alloc(void *addr, size_t npages);
/*
 * @npages at @addr are about to be freed: if they are the head of a live
 * allocation of exactly that length (the free will succeed), record the
 * free and poison them.  Anything else is left for the free to refuse.
 */
void debug_page_free(void *addr, size_t npages);
/* The allocation at @addr belongs to an allocator (a slab): never a leak. */
void debug_page_internal(void *addr);
/* page_split() made the allocation of @npages at @addr one record per page. */
void debug_page_split(void *addr, size_t npages);
/* The owner of the page allocation @addr lies in; see mm_owner_of(). */
bool debug_page_owner(const void *addr, struct mm_track *t, const void **base);
/* Leak report: live page allocations numbered after @mark. */
size_t debug_page_leaks(uint64_t mark);

/* ---- slabs (slab.c): owner lookup and leaks ---- */
bool slab_owner_of(const void *addr, struct mm_track *t, const void **base);
/* The track of the slab object at @obj (its start), or NULL. */
struct mm_track *slab_track_of(const void *obj);
size_t slab_leaks(uint64_t mark);

/* ---- the kmalloc heap region (heap.c): leaks ---- */
struct heap;
size_t heap_leaks(struct heap *h, uint64_t mark);
/* The owner of the block of @h @addr lies in (live or free); see mm_owner_of(). */
bool heap_owner_of(struct heap *h, const void *addr, struct mm_track *t, const void **base);
/* The track of the live block of @h at @p, or NULL. */
struct mm_track *heap_track_of(struct heap *h, const void *p);

/* Print one leak (all allocators print them alike). */
void mm_leak_print(const char *what, const void *addr, size_t bytes, const struct mm_track *t);

#endif /* MMKIT_MM_DEBUG_INTERNAL_H */
