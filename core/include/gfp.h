/*
 * gfp.h - allocation flags (gfp_t), spelled as in Linux.
 *
 * A request names the highest zone it may use (a zone modifier, or none
 * for the highest zone of all) and how it may be served.  0 is GFP_KERNEL:
 * an ordinary request that may run the shrinkers when memory runs low and
 * may fail (the API is fallible; nothing here ever waits or retries
 * forever, so __GFP_NOFAIL is refused).
 *
 *     GFP_KERNEL        ordinary; stops at the min watermark
 *     GFP_ATOMIC        cannot reclaim (an interrupt handler, a lock held):
 *                       runs no shrinker, and may use half of the min
 *                       reserve (Linux's ALLOC_HARDER)
 *     __GFP_HIGH        high priority: half of what is left of the min
 *                       reserve on top (Linux's ALLOC_HIGH), so that
 *                       GFP_ATOMIC | __GFP_HIGH goes down to min / 4 and
 *                       nothing goes below that
 *     GFP_DMA           from ZONE_DMA (x86_64: below 16 MiB)
 *     GFP_DMA32         from ZONE_DMA32 or below (below 4 GiB)
 *     __GFP_ZERO        zeroed memory
 *     __GFP_NOWARN      no failure report (show_mem.h) if it fails
 *     __GFP_MOVABLE     a page its owner lets compaction move (migrate.h):
 *                       from a movable pageblock, never from a per-CPU list
 *
 * A zone modifier for a zone the kernel was built without names the next
 * zone up that exists (GFP_DMA on riscv64 is DMA32 when that is
 * configured, else Normal).  Bits not listed here, __GFP_NOFAIL, and both
 * zone modifiers at once are refused: the request fails (KERR_INVAL from
 * the _try calls) and is reported.
 */
#ifndef MMKIT_GFP_H
#define MMKIT_GFP_H

typedef unsigned int gfp_t;

/* Bits 0-3: zone modifiers (the highest zone a request may use). */
#define __GFP_DMA 0x01u
#define __GFP_DMA32 0x02u
#define __GFP_ZONE_MASK 0x0fu

/*
 * Bits 4 and up: how to serve it.  The three a fast path accepts sit
 * together in bits 4-6, so that "anything else?" is one AND with a
 * small immediate (riscv64's andi takes 12 bits).
 */
#define __GFP_ATOMIC 0x10u   /* cannot reclaim; may dip to min / 2 */
#define __GFP_HIGH 0x20u     /* high priority; halves the floor again */
#define __GFP_NOWARN 0x40u   /* fail quietly */
#define __GFP_ZERO 0x100u    /* return zeroed memory */
#define __GFP_NOFAIL 0x200u  /* refused: every allocation here may fail */
#define __GFP_MOVABLE 0x400u /* movable (migrate.h); page allocator: grouped per pageblock */

/* Every bit a request may carry. */
#define __GFP_VALID (__GFP_DMA | __GFP_DMA32 | __GFP_ZERO | __GFP_ATOMIC | __GFP_HIGH | \
		     __GFP_NOWARN | __GFP_MOVABLE)
/*
 * The bits that change nothing for memory already at hand (an object on
 * this CPU's slab, a page on this CPU's list): such a request may take
 * the inline fast paths.  Zeroing and zone modifiers go the slow way.
 */
#define __GFP_FAST_OK (__GFP_ATOMIC | __GFP_HIGH | __GFP_NOWARN)

#define GFP_KERNEL 0u
#define GFP_ATOMIC __GFP_ATOMIC
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32

#endif /* MMKIT_GFP_H */
