/*
 * debug_guard.h - sampled guard allocations (Kconfig DEBUG_GUARD), as
 * Linux's KFENCE: one kmalloc() in DEBUG_GUARD_INTERVAL is served from a
 * pool of pages in the vmap area, each object alone on its page between
 * two pages that are never mapped, so that an access past either end or
 * after the free faults and is reported (debug_guard.c).
 *
 * The pool is DEBUG_GUARD_POOL_PAGES object pages, each between guard
 * pages (2N + 1 pages of address space, vmap_reserve()).  An object is
 * placed against the end of its page (an overflow runs into the guard page
 * behind) or, every other allocation, against its start (an underflow
 * runs into the guard page before); the rest of the page holds canary
 * bytes, checked on free.  A free unmaps the page (every CPU's TLB is
 * flushed), so a use after free faults.  A fault in the pool is reported
 * through mm_report_misuse_track("guard", ...) with the object's owner,
 * then a spare page is mapped where it faulted so that the access goes on
 * (as KFENCE unprotects the page): the report is the finding, the kernel
 * keeps running and a test can assert it.
 *
 * kmalloc.c calls these only under DEBUG_GUARD (the constant below);
 * without it nothing here is built, and the calls meet empty inline
 * stubs (an unoptimised build, kernel-cov, keeps calls behind constants).
 */
#ifndef MMKIT_DEBUG_GUARD_H
#define MMKIT_DEBUG_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compiler.h"

#define DEBUG_GUARD IS_ENABLED(CONFIG_DEBUG_GUARD)

#ifdef CONFIG_DEBUG_GUARD
/* Reserve the pool's address space and pages; called at the end of mm_init(). */
void guard_init(void);

/*
 * Is this allocation the sampled one?  If so, an object of @size bytes
 * (at most a page) aligned to @align from the pool; NULL when it is not
 * sampled or the pool has no free page (the caller goes the normal way).
 */
void *guard_alloc(size_t size, size_t align);

/* Is @p inside the pool's address space (an object or not)? */
bool guard_owns(const void *p);

/*
 * Free the object at @p (guard_owns(@p)): 0 and *@size its size, or
 * KERR_DOUBLE_FREE / KERR_BAD_PTR, reported.  Canary damage is reported
 * and the object freed.
 */
int guard_free(const void *p, size_t *size);

/* The size of the live object at @p; 0 when there is none. */
size_t guard_size(const void *p);

/* The owner of the pool's object whose page holds @addr (mm_owner_of()). */
struct mm_track;
bool guard_owner_of(const void *addr, struct mm_track *t, const void **base);
/* The leak walk's part: live objects allocated after @mark, printed; how many. */
size_t guard_leaks(uint64_t mark);

/* For tests: the next kmalloc() on this CPU is sampled, whatever the interval. */
void guard_sample_next(void);
/*
 * For tests about the normal allocators' geometry (size classes): no
 * kmalloc() is sampled between guard_suspend() and guard_resume() (they
 * nest; guard_sample_next() still works).
 */
void guard_suspend(void);
void guard_resume(void);

#else /* !CONFIG_DEBUG_GUARD: what always-built code calls, folded away */
/*
 * Macros, not inline functions: an unoptimised (coverage) build would
 * emit inline stubs as code that no configuration can reach.
 */
#define guard_init()                    do { } while (0)
#define guard_alloc(size, align)        ((void)(size), (void)(align), (void *)0)
#define guard_owns(p)                   ((void)(p), false)
#define guard_free(p, size)             ((void)(p), (void)(size), 0)
#define guard_size(p)                   ((void)(p), (size_t)0)
#define guard_owner_of(addr, t, base)   ((void)(addr), (void)(t), (void)(base), false)
#define guard_leaks(mark)               ((void)(mark), (size_t)0)
#define guard_suspend()                 do { } while (0)
#define guard_resume()                  do { } while (0)
#endif

/* What the last report of this CPU was about (tests read it). */
enum guard_finding {
	GUARD_NONE,
	GUARD_OOB,              /* an access in a guard page: out of bounds */
	GUARD_USE_AFTER_FREE,   /* an access to a freed object's page */
	GUARD_CANARY,           /* the rest of the object's page was written */
	GUARD_DOUBLE_FREE,
	GUARD_INVALID_FREE,
};

struct guard_report {
	enum guard_finding what;
	uintptr_t addr;         /* the access (or the freed pointer) */
	const void *object;     /* the object it was attributed to; NULL if none */
	size_t size;            /* its size */
	long offset;            /* addr - object: < 0 left of it, >= size right of it */
	unsigned int cpu;       /* the CPU that made the access */
	bool write;
};
void guard_last_report(struct guard_report *r);

struct guard_stats {
	size_t slots;           /* object pages in the pool */
	size_t live;            /* objects handed out now */
	uint64_t allocs, frees;
	uint64_t pool_full;     /* sampled allocations the pool could not take */
	uint64_t faults;        /* reports by page fault (out of bounds, use after free) */
	uint64_t canary;        /* canary damage found on free */
	uint64_t bad_frees;     /* double and invalid frees */
};
void guard_get_stats(struct guard_stats *st);

#endif /* MMKIT_DEBUG_GUARD_H */
