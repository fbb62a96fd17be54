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
 * Every object has an owner, the allocator that handed it out: NULL for
 * kmalloc(), a kmem_cache for a named cache (slab_guard.c), a pool for an
 * object pool (pool.c).  A free names the owner it frees to; a guard
 * object freed to another owner is reported and left live, as a slab
 * refuses another cache's object.
 *
 * kmalloc.c, slab.c and pool.c call these only under DEBUG_GUARD (the
 * constant below); without it nothing here is built, and the calls meet
 * empty stubs (an unoptimised build, kernel-cov, keeps calls behind
 * constants).
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
 * (at most a page) aligned to @align from the pool, owned by @owner
 * (NULL: kmalloc); NULL when it is not sampled or the pool has no free
 * page (the caller goes the normal way).
 */
void *guard_alloc_for(const void *owner, size_t size, size_t align);
#define guard_alloc(size, align) guard_alloc_for(NULL, size, align)

/* Is @p inside the pool's address space (an object or not)? */
bool guard_owns(const void *p);

/*
 * Free the object at @p (guard_owns(@p)) to @owner: 0 and *@size its
 * size, or KERR_DOUBLE_FREE / KERR_BAD_PTR (no object there, or another
 * owner's: left live), reported.  Canary damage is reported and the
 * object freed.
 */
int guard_free_for(const void *owner, const void *p, size_t *size);
#define guard_free(p, size) guard_free_for(NULL, p, size)

/* How many live objects @owner has in the pool. */
size_t guard_live_of(const void *owner);
/*
 * Are the canaries of @owner's live objects whole?  Damage is reported
 * (as on free) and false returned; the objects stay live.
 */
bool guard_check_of(const void *owner);

/* The size of the live object at @p; 0 when there is none. */
size_t guard_size(const void *p);

/* The owner of the pool's object whose page holds @addr (mm_owner_of()). */
struct mm_track;
bool guard_owner_of(const void *addr, struct mm_track *t, const void **base);
/* The leak walk's part: live objects allocated after @mark, printed; how many. */
size_t guard_leaks(uint64_t mark);

/*
 * For tests: the next sampling decision on this CPU (kmalloc(), a named
 * cache's kmem_cache_alloc(), a pool's growth) says yes, whatever the
 * interval.
 */
void guard_sample_next(void);
/*
 * For tests about the normal allocators' geometry (size classes, slabs):
 * no allocation is sampled between guard_suspend() and guard_resume() (they
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
#define guard_alloc_for(o, size, align) ((void)(o), (void)(size), (void)(align), (void *)0)
#define guard_owns(p)                   ((void)(p), false)
#define guard_free(p, size)             ((void)(p), (void)(size), 0)
#define guard_free_for(o, p, size)      ((void)(o), (void)(p), (void)(size), 0)
#define guard_live_of(o)                ((void)(o), (size_t)0)
#define guard_check_of(o)               ((void)(o), true)
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
	GUARD_WRONG_OWNER,      /* freed to another cache or pool than its own */
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
