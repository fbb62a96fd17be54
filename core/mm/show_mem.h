/*
 * show_mem.h - the report a failed allocation prints (Linux's
 * warn_alloc() and show_mem()): the request - who asked, size, order,
 * gfp flags, caller - then each zone's free pages per order, watermarks,
 * reserves and health.
 *
 * Every layer that can fail a caller's request reports it once, at the
 * layer the caller called: kmalloc() reports its own failures and asks
 * the layers below it for memory with __GFP_NOWARN.  A request with
 * __GFP_NOWARN is never reported.  Reports are rate-limited: the first
 * WARN_ALLOC_BURST are printed, then one in every WARN_ALLOC_INTERVAL
 * failures, saying how many were held back (counted in page_alloc_stats).
 */
#ifndef MMKIT_SHOW_MEM_H
#define MMKIT_SHOW_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "gfp.h"

#define WARN_ALLOC_BURST 10
#define WARN_ALLOC_INTERVAL 1024

struct alloc_request {
	const char *who;      /* "page_alloc", "kmalloc", a slab cache's name */
	const char *why;      /* "out of memory", "invalid gfp flags" */
	size_t size;          /* bytes asked for */
	int order;            /* page order; -1 for a request that has none */
	gfp_t flags;
	uintptr_t caller;     /* the return address into the caller */
};

/* Report the failure of @req unless it carries __GFP_NOWARN (rate-limited). */
void warn_alloc(const struct alloc_request *req);

/*
 * Write the report of @req into @buf (NUL-terminated, cut at @size);
 * returns the length it would have had.
 */
size_t alloc_report(char *buf, size_t size, const struct alloc_request *req);

/* The last failure warn_alloc() saw (reported or held back); false if none yet. */
bool warn_alloc_last(struct alloc_request *req);

/*
 * True where the allocator's entry points do not tail-call into their
 * slow paths (!MMKIT_TAIL_CALLS, compiler.h): a report then names the
 * entry point as its caller, not the entry point's caller - unless the
 * entry points note their caller themselves (Kconfig DEBUG_OWNER or
 * FAULT_INJECTION: mm_debug.h).
 */
extern const bool warn_alloc_names_entry_point;

/* Reports printed and held back so far. */
void warn_alloc_counts(uint64_t *reported, uint64_t *suppressed);

/* "GFP_ATOMIC|__GFP_ZERO" for @flags into @buf; returns @buf. */
const char *gfp_names(char *buf, size_t size, gfp_t flags);

#endif /* MMKIT_SHOW_MEM_H */
