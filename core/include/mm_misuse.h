/*
 * mm_misuse.h - the one place every allocator layer reports misuse.
 *
 * Misuse is a caller's mistake that the allocator caught before it could do
 * harm: a double free, a free of a pointer it never handed out, a free of
 * the wrong size, a write into freed (poisoned) memory.  The layer that
 * detects it calls mm_report_misuse() once, refuses the operation and
 * returns the error code; layers above only count it, so each misuse
 * prints exactly one line:
 *
 *     mm: <layer>: <kerr_name(err)> at <addr>
 *
 * With Kconfig MM_PANIC_ON_MISUSE the report panics instead, which stops a
 * test run at the first misuse rather than letting it scroll past.
 */
#ifndef MMKIT_MM_MISUSE_H
#define MMKIT_MM_MISUSE_H

#include <stdbool.h>
#include <stdint.h>

/* @layer: short name of the reporting allocator ("heap", "bitmap_pa" ...). */
void mm_report_misuse(const char *layer, int err, const void *addr);

struct mm_track;
/*
 * The same, with the owner of the memory when the layer knows it (a heap
 * block's header; NULL: looked up by address, mm_owner_of()).  With
 * Kconfig DEBUG_OWNER a second line names who allocated and who last freed
 * it (mm_debug.h):
 *
 *     mm: slab: EDOUBLEFREE at 0x80234040
 *         allocated at 0x80205a1c cpu 0 (#5210), freed at 0x80205a3e cpu 0
 */
void mm_report_misuse_track(const char *layer, int err, const void *addr,
			    const struct mm_track *owner);

/* This CPU's last report, for tests: what, where, and the owner when it was known. */
struct mm_misuse_record {
	const char *layer;
	int err;
	const void *addr;
	bool has_owner;
	uintptr_t alloc_ip, free_ip;    /* the owner's call sites (mm_track) */
	uint64_t seq;
};
void mm_misuse_last(struct mm_misuse_record *r);

/* Misuse reports since boot, over all layers. */
uint64_t mm_misuse_total(void);

/* Does a report panic?  Tests that misuse on purpose skip when it does. */
#ifdef CONFIG_MM_PANIC_ON_MISUSE
#define MM_MISUSE_PANICS 1
#else
#define MM_MISUSE_PANICS 0
#endif

#endif /* MMKIT_MM_MISUSE_H */
