/*
 * gfp.h - allocation flags (gfp_t), spelled as in Linux.
 *
 * The low bits name the zone a request may be served from (zone
 * modifiers); the rest modify how it is served.  0 is GFP_KERNEL: an
 * ordinary request from the highest zone, which may fail (the API is
 * fallible; nothing here ever waits or retries forever).
 */
#ifndef MMKIT_GFP_H
#define MMKIT_GFP_H

typedef unsigned int gfp_t;

/* Bits 0-3: zone modifiers (which zones a request may use). */
#define __GFP_ZONE_MASK 0x0fu

/* Bits 8 and up: how to serve it. */
#define __GFP_ZERO 0x100u    /* return zeroed memory */

#define GFP_KERNEL 0u

#endif /* MMKIT_GFP_H */
