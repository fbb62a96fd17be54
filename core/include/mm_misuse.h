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

#include <stdint.h>

/* @layer: short name of the reporting allocator ("heap", "bitmap_pa" ...). */
void mm_report_misuse(const char *layer, int err, const void *addr);

/* Misuse reports since boot, over all layers. */
uint64_t mm_misuse_total(void);

/* Does a report panic?  Tests that misuse on purpose skip when it does. */
#ifdef CONFIG_MM_PANIC_ON_MISUSE
#define MM_MISUSE_PANICS 1
#else
#define MM_MISUSE_PANICS 0
#endif

#endif /* MMKIT_MM_MISUSE_H */
