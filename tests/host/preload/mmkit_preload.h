/*
 * mmkit_preload.h - what libmmkit.so tells a program about itself, beyond
 * the C library's allocation API.
 *
 * A program (or a test) finds it with dlsym(RTLD_DEFAULT,
 * "mmkit_preload_stats"): when the symbol is there, mmkit is the malloc.
 */
#ifndef MMKIT_PRELOAD_PUBLIC_H
#define MMKIT_PRELOAD_PUBLIC_H

#include <stddef.h>
#include <stdint.h>

struct mmkit_preload_stats {
	uint64_t arena_bytes;        /* the arena reserved (Kconfig RAM_MB) */
	uint64_t direct_threshold;   /* requests above this many bytes are mapped directly */
	uint64_t direct_maps;        /* direct mappings made since the start */
	uint64_t direct_live;        /* ... not yet freed */
	uint64_t direct_bytes;       /* bytes of the live ones */
	uint64_t direct_peak_bytes;  /* the most that were live at once */
	uint64_t page_runs;          /* aligned page runs made (alignment above a page) */
	uint64_t page_runs_live;
	uint64_t kmalloc_live;       /* live allocations of the kmalloc API (mm_get_stats()) */
	uint64_t kmalloc_failures;   /* kmalloc requests that could not be served */
	uint64_t misuse;             /* misuse reported: by the kernel's layers and by the library */
};

/* Fill @st (at most @size bytes of it: older callers see a prefix); returns sizeof(*st). */
size_t mmkit_preload_stats(struct mmkit_preload_stats *st, size_t size);

#endif /* MMKIT_PRELOAD_PUBLIC_H */
