/*
 * debug_redzone.c - red zones (Kconfig DEBUG_REDZONE): the bytes after
 * every slab object and heap block hold RED_ACTIVE while it is handed
 * out and RED_INACTIVE while it is free (mm_debug.h); a byte that holds
 * anything else was written past the end of the allocation.  The
 * allocators lay the zones out and fill them (slab.c, heap.c); this is
 * the one check and the one report, so that every overflow reads alike:
 *
 *     mm: slab: EREDZONE at 0x80234040
 *         allocated at 0x80205a1c cpu 0 (#5210), live
 *     mm: redzone: object 0x80234040 of kmalloc-64: 3 bytes overwritten
 *       at +64..+66 (expected 0xcc): 41 41 41
 *
 * (one line on the console; cut here).
 */
#include "kerrno.h"
#include "kstring.h"
#include "mm_debug.h"
#include "mm_misuse.h"
#include "printk.h"

/* Bytes of a damaged zone quoted in the report. */
#define QUOTE_MAX 16

bool redzone_check(const char *layer, const void *obj, const char *what, const uint8_t *p,
		   size_t off, size_t n, uint8_t byte, const struct mm_track *owner)
{
	size_t first = n, last = 0, bad = 0;

	/* Whole, the usual answer, a word at a time; damaged, counted byte by byte. */
	if (!memchr_inv(p, byte, n))
		return true;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != byte) {
			if (first == n)
				first = i;
			last = i;
			bad++;
		}
	}
	mm_report_misuse_track(layer, KERR_REDZONE, obj, owner);
	{
		printk("mm: redzone: object %p of %s: %zu bytes overwritten at +%zu..+%zu (expected 0x%02x):",
		       obj, what, bad, off + first, off + last, byte);
		for (size_t i = first; i <= last && i < first + QUOTE_MAX; i++)
			printk(" %02x", p[i]);
		printk("\n");
	}
	return false;
}
