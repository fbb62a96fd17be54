/*
 * preload.h - the parts of libmmkit.so (the variant's allocators as a
 * drop-in malloc) that its files share.
 *
 *   malloc.c         the C library's allocation API over kmalloc, with
 *                    glibc's semantics where the kernel API differs
 *   own_blocks.c     blocks the library serves itself, without kmalloc:
 *                    direct mappings (requests above the largest block
 *                    the page allocator hands out) and aligned page runs
 *                    (alignments above a page)
 *   preload_lock.c   the lock around the allocator; fork()
 *   arch_preload.c   arch.h: the arena, the console (stderr), no mappings
 *   arch_preload_smp.c  arch.h's CPU and interrupt calls (SMP presets): one CPU
 *   exit_report.c    the report at exit, when MMKIT_LEAK_REPORT asks
 *
 * Threads.  One lock covers the whole allocator: every entry point takes
 * it before it touches kmalloc, the page allocator or the own-block table,
 * and the kernel code below sees one CPU (arch_cpu_id() is 0, NR_CPUS 1).
 * When the kernel has SMP (NR_CPUS > 1, per-CPU slabs and page lists with
 * locks of their own), arch_cpu_id() becomes the calling thread's slot:
 * a small index taken from a free list at a thread's first call and given
 * back when it exits (a pthread key destructor), so a slot's per-CPU data
 * is used by one thread at a time; only the slot's own lock - not this
 * one - is then held on the fast path.  Nothing outside preload_lock.c
 * and arch_cpu_id() would change.
 */
#ifndef MMKIT_PRELOAD_H
#define MMKIT_PRELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmkit_preload.h"

/* The arena (arch_preload.c): [base, end), fixed once mm_init() ran. */
extern uintptr_t preload_arena_base, preload_arena_end;

static inline bool preload_in_arena(const void *p)
{
	return (uintptr_t)p - preload_arena_base < preload_arena_end - preload_arena_base;
}

/*
 * Bring-up's console (arch_preload.c): between the calls, what the kernel
 * prints goes into a boot log instead of stderr (a program's stderr is
 * its own; a preset may log at boot, e.g. a hugepage pool that finds no
 * vmap area), and a panic before the end writes the log out first.
 */
void preload_boot_log_begin(void);
void preload_boot_log_end(void);

/* Print @msg on stderr and abort: the allocator cannot go on. */
_Noreturn void preload_fatal(const char *msg);

/* Has the first call brought the allocator up yet (malloc.c)? */
bool preload_started(void);

/* The allocator lock (preload_lock.c); re-entry from the same thread is fatal. */
void preload_lock(void);
void preload_unlock(void);

/* --- own blocks (own_blocks.c); every call under the lock ------------------- */

enum own_kind {
	OWN_MAPPING = 1,   /* a direct mapping: munmap() frees it */
	OWN_RUN = 2,       /* alloc_pages(order) inside the arena: free_pages() frees it */
};

struct own_block {
	uintptr_t addr;    /* what malloc returned; 0: an empty table slot */
	size_t bytes;      /* usable: the mapping's length, or PAGE_SIZE << order */
	uint8_t kind;      /* enum own_kind */
	uint8_t order;     /* OWN_RUN: the order it was allocated with */
};

/* Record a block; false if the table could not grow (the caller fails the request). */
bool own_insert(uintptr_t addr, size_t bytes, enum own_kind kind, unsigned int order);
/* The block starting at @addr, or NULL. */
struct own_block *own_find(uintptr_t addr);
/* Forget @b (from own_find()); the caller has freed its memory. */
void own_remove(struct own_block *b);
/* Page runs live now: while there are none, a free need not look them up. */
extern size_t own_runs_live;

/* The library's own counters, for mmkit_preload_stats() and the exit report. */
extern struct mmkit_preload_stats preload_counts;

#endif /* MMKIT_PRELOAD_H */
