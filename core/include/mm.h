/*
 * mm.h - the kernel's memory-management API, the same in every mode.
 *
 * The mode (SimpleHeap, TwoTier, Hybrid) is chosen in Kconfig; the kmalloc
 * front that routes requests for it is generated from
 * templates/kmalloc_front.c.j2.  Nothing here panics when memory runs out:
 * kmalloc() returns NULL, kmalloc_try() returns an error code, and every
 * failure is counted in mm_get_stats().
 */
#ifndef MMKIT_MM_H
#define MMKIT_MM_H

#include <stddef.h>
#include <stdint.h>
#include "kerrno.h"
#include "page_alloc.h"

/* Every kmalloc() result is aligned to at least this. */
#define KMALLOC_MIN_ALIGN 16

/*
 * Sizes above this are "too large" (KERR_INVAL), not out of memory: such a
 * size is almost always a negative length converted to size_t, and
 * refusing it up front keeps every allocator's size arithmetic far from
 * overflow.  Sizes below it that cannot be served are KERR_NOMEM.
 */
#define KMALLOC_SIZE_MAX (SIZE_MAX >> 1)

/* Bring up the page allocator from the firmware memory map, then the front. */
void mm_init(void);

/* Name of the configured mode: "SimpleHeap", "TwoTier" or "Hybrid". */
const char *mm_mode_name(void);

/*
 * kmalloc(0) returns NULL (and kmalloc_try() says KERR_INVAL); kfree(NULL)
 * does nothing.  krealloc(p, 0) frees p and returns NULL.  On failure
 * krealloc() leaves p untouched.
 */
void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *krealloc(void *p, size_t size, gfp_t flags);
void kfree(const void *p);
/* Usable size of an allocation (>= the size asked for); 0 for NULL. */
size_t ksize(const void *p);

/*
 * The fallible form: 0 and *out set, or KERR_NOMEM / KERR_INVAL (size 0 or
 * too large) / KERR_ALIGN (align not a power of two, or above PAGE_SIZE)
 * and *out set to NULL.  align 0 means KMALLOC_MIN_ALIGN.
 */
int kmalloc_try(size_t size, gfp_t flags, void **out);
int kmalloc_align_try(size_t size, size_t align, gfp_t flags, void **out);
/* kfree that says what was wrong: 0, KERR_DOUBLE_FREE, KERR_BAD_PTR ... */
int kfree_checked(const void *p);

struct mm_stats {
	const char *mode;
	struct page_alloc_stats pages;
	size_t bytes_requested;    /* bytes callers asked for, currently held */
	size_t bytes_granted;      /* usable bytes handed out, currently held */
	size_t bytes_peak;         /* high-water mark of bytes_granted */
	size_t live_objects;       /* kmalloc allocations not yet freed */
	size_t heap_free_bytes;    /* SimpleHeap region free bytes (0 if none) */
	size_t heap_largest_free;  /* largest free block in that region */
	struct alloc_counters counters; /* of the kmalloc API as a whole */
};

void mm_get_stats(struct mm_stats *st);

#endif /* MMKIT_MM_H */
