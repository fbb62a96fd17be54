/*
 * mm_stats.h - how the layers' figures reach mm_get_stats() (mm.h).
 *
 * Each layer keeps its own counters where it works (per CPU on the fast
 * paths, under its lock on the slow ones) and hands a snapshot over here;
 * mm_stats.c only sums and derives.  The one figure kept here is the
 * front's footprint: the pages the kmalloc front holds (slabs, large
 * allocations, the heap region) and their high-water mark, moved by the
 * front's slow paths only - pages change hands there, never on the
 * per-object fast paths.
 */
#ifndef MMKIT_MM_STATS_H
#define MMKIT_MM_STATS_H

#include <stddef.h>
#include "mm.h"

/* The kmalloc API's counters and byte figures (kmalloc.c). */
void kmalloc_get_stats(struct mm_stats *st);

/* The front took (@delta > 0) or gave back (@delta < 0) this many pages. */
void mm_front_pages_add(long delta);

#endif /* MMKIT_MM_STATS_H */
