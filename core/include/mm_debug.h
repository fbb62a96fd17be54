/*
 * mm_debug.h - memory debugging (the "Memory debugging" Kconfig menu):
 * owner tracking, red zones, page poisoning and the leak report.  Every
 * part compiles to nothing when its option is off: the allocators test
 * the constants below as ordinary C.
 *
 * Owner tracking (DEBUG_OWNER) records, per slab object, heap block and
 * page allocation, a struct mm_track: the call site and CPU of its
 * allocation and of its last free, as SLUB's SLAB_STORE_USER and Linux's
 * page_owner.  The call site is the return address into the caller of
 * the API the caller called (kmalloc(), kmem_cache_alloc(), page_alloc(),
 * heap_alloc() ...): each entry point notes its own _RET_IP_ in a per-CPU
 * API context (mm_debug_enter()), and the layers below record that, not
 * their own caller, so a kmalloc() object names the kmalloc() caller, not
 * twotier.c.  Every misuse report (mm_misuse.h) then prints the owner of
 * the memory it is about, and mm_misuse_last() gives it to tests.
 *
 * The leak report (DEBUG_LEAK) numbers every allocation; mm_leak_report()
 * lists the live ones numbered after a mark.  The test image marks at the
 * start of each suite and fails the suite when anything it allocated is
 * still live at its end.
 */
#ifndef MMKIT_MM_DEBUG_H
#define MMKIT_MM_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compiler.h"

#define DEBUG_OWNER IS_ENABLED(CONFIG_DEBUG_OWNER)
#define DEBUG_REDZONE IS_ENABLED(CONFIG_DEBUG_REDZONE)
#define DEBUG_PAGE_POISON IS_ENABLED(CONFIG_DEBUG_PAGE_POISON)
#define DEBUG_LEAK IS_ENABLED(CONFIG_DEBUG_LEAK)
/* Do API entry points note their caller (for owners and call-site fault filters)? */
#define MM_DEBUG_CONTEXT (DEBUG_OWNER || IS_ENABLED(CONFIG_FAULT_INJECTION))

/* Red zone bytes, Linux's values (include/linux/poison.h). */
#define RED_ACTIVE 0xcc      /* after an allocation that is handed out */
#define RED_INACTIVE 0xbb    /* after a free one */
/* The least red zone after any slab object or heap block. */
#define RED_ZONE_BYTES 16

/* Who allocated and who last freed a piece of memory. */
struct mm_track {
	uintptr_t alloc_ip;      /* call site of the allocation; 0: never allocated */
	uintptr_t free_ip;       /* call site of the last free; 0: not freed since */
	uint64_t seq;            /* allocation number (leak report: which suite made it) */
	uint16_t alloc_cpu, free_cpu;
	uint16_t live;           /* 1 between the backing allocation and its free */
	/*
	 * 1 while an allocator's own cache holds it (an object pool's
	 * magazines): allocated below, free above - not a caller's, never a leak.
	 */
	uint16_t held;
};

/* ---- the API context: who called the allocator ------------------------------ */

/* Enter an API call from @ip unless one is entered already; true if this call entered. */
bool mm_debug_enter(uintptr_t ip);
void mm_debug_leave(void);
/* Inside an API call? */
bool mm_debug_in_api(void);
/* The caller of the API call in progress, else @ip. */
uintptr_t mm_debug_caller(uintptr_t ip);

/* The same, and just @ip when no entry point keeps a context: for failure reports. */
static inline uintptr_t mm_api_caller(uintptr_t ip)
{
	return MM_DEBUG_CONTEXT ? mm_debug_caller(ip) : ip;
}

/*
 * The entry point's wrapper: at the top of an API function @fn, make the
 * call again inside an API context that names this function's caller.
 * Nested API calls (kzalloc() -> kmalloc(), a slab's page) keep the
 * outermost caller.  Nothing when MM_DEBUG_CONTEXT is 0.
 */
#define MM_DEBUG_ENTRY(type, call)                                           \
	do {                                                                 \
		if (MM_DEBUG_CONTEXT && !mm_debug_in_api()) {                \
			uintptr_t ip_ = _RET_IP_;                            \
			type r_;                                             \
			mm_debug_enter(ip_);                                 \
			r_ = (call);                                         \
			mm_debug_leave();                                    \
			return r_;                                           \
		}                                                            \
	} while (0)
#define MM_DEBUG_ENTRY_VOID(call)                                            \
	do {                                                                 \
		if (MM_DEBUG_CONTEXT && !mm_debug_in_api()) {                \
			uintptr_t ip_ = _RET_IP_;                            \
			mm_debug_enter(ip_);                                 \
			(call);                                              \
			mm_debug_leave();                                    \
			return;                                              \
		}                                                            \
	} while (0)

/* ---- owner tracks ---------------------------------------------------------- */

/* @t was just allocated / freed by the API call in progress (or @ip). */
void mm_track_alloc(struct mm_track *t, uintptr_t ip);
void mm_track_free(struct mm_track *t, uintptr_t ip);
/*
 * @t, allocated below, was just taken back by a cache above it (a pool
 * free, or a pool's growth) from the API call in progress (or @ip).
 */
void mm_track_hold(struct mm_track *t, uintptr_t ip);
/*
 * The track of the allocation starting at @obj (a slab object, a block of
 * the kmalloc heap region), for a cache above (pools) to update; NULL if
 * none.
 */
struct mm_track *mm_track_of(const void *obj);
/* One line: "allocated at <ip> cpu N (#seq), freed at <ip> cpu N" after @indent. */
void mm_track_print(const struct mm_track *t);

/*
 * The owner of the memory at @addr, whatever allocator holds it: the
 * slab object, else the block of the kmalloc heap region, else the page
 * allocation it lies in.  *@base: the start of
 * that object or allocation.  false when none is known.
 */
bool mm_owner_of(const void *addr, struct mm_track *t, const void **base);

/* ---- red zones --------------------------------------------------------------- */

/*
 * Are the @n bytes at @p - the red zone at offset @off of the allocation
 * at @obj, or a copy of it taken under a lock - all @byte?  If not,
 * report KERR_REDZONE for @obj (its @owner if known), naming @what
 * ("cache kmalloc-64", "heap") and the bytes overwritten, and return
 * false.  No allocator lock may be held.
 */
bool redzone_check(const char *layer, const void *obj, const char *what, const uint8_t *p,
		   size_t off, size_t n, uint8_t byte, const struct mm_track *owner);

/* ---- the leak report ---------------------------------------------------------- */

/* The allocation number now: allocations after it are newer. */
uint64_t mm_leak_mark(void);
/*
 * Print every allocation numbered after @mark that is still live (slab
 * objects, heap blocks of the kmalloc region, pages; not what the
 * allocators hold for themselves), with its call site; returns how many.
 */
size_t mm_leak_report(uint64_t mark);

#endif /* MMKIT_MM_DEBUG_H */
