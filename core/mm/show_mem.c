/*
 * show_mem.c - failure reports (see show_mem.h).
 *
 * A report is built into one buffer and printed in one go under
 * report_lock, which also guards the rate limit's counters: two CPUs'
 * reports never interleave.  Lock order: report_lock, then the zones'
 * and the per-CPU lists' locks (the report reads their figures), then
 * the console's.
 */
#include <stdbool.h>
#include "compiler.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_debug.h"
#include "page_alloc.h"
#include "printk.h"
#include "show_mem.h"
#include "spinlock.h"

/* A header line and a line per zone of at most ~400 bytes. */
#define REPORT_BYTES 2048

static spinlock_t report_lock = SPINLOCK_INIT;
static char report_buf[REPORT_BYTES];
static uint64_t failures_seen, reported, suppressed, suppressed_since;
static struct alloc_request last;
static bool have_last;

static const struct {
	gfp_t bit;
	const char *name;
} gfp_bits[] = {
	{ __GFP_DMA, "GFP_DMA" },
	{ __GFP_DMA32, "GFP_DMA32" },
	{ __GFP_ATOMIC, "GFP_ATOMIC" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
};

const char *gfp_names(char *buf, size_t size, gfp_t flags)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	if (!flags) {
		ksnprintf(buf, size, "GFP_KERNEL");
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(gfp_bits); i++) {
		if (!(flags & gfp_bits[i].bit))
			continue;
		flags &= ~gfp_bits[i].bit;
		len += (size_t)ksnprintf(buf + MIN(len, size), size - MIN(len, size), "%s%s",
					 len ? "|" : "", gfp_bits[i].name);
	}
	if (flags)
		ksnprintf(buf + MIN(len, size), size - MIN(len, size), "%s0x%x", len ? "|" : "",
			  flags);
	return buf;
}

/* Append to @buf at *@len, keeping the count of what would have been written. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	size_t at = MIN(*len, size ? size - 1 : 0);
	va_list ap;

	va_start(ap, fmt);
	*len += (size_t)kvsnprintf(buf + at, size - at, fmt, ap);
	va_end(ap);
}

size_t alloc_report(char *buf, size_t size, const struct alloc_request *req)
{
	struct zone_stats zs[MAX_ZONES];
	size_t nz = page_alloc_get_zone_stats(zs, MAX_ZONES), len = 0;
	char names[96];

	if (size)
		buf[0] = '\0';
	append(buf, size, &len, "%s: allocation failure (%s): size %zu", req->who, req->why,
	       req->size);
	if (req->order >= 0)
		append(buf, size, &len, " order %d", req->order);
	append(buf, size, &len, " gfp 0x%x(%s) caller %p\n", req->flags,
	       gfp_names(names, sizeof(names), req->flags), (void *)req->caller);
	for (size_t i = 0; i < nz; i++) {
		const struct zone_stats *z = &zs[i];

		append(buf, size, &len,
		       "  %s: free %zu pcp %zu min %zu low %zu high %zu managed %zu health %s"
		       " reserve",
		       z->name, z->free_pages, z->pcp_pages, z->min, z->low, z->high, z->managed,
		       mm_health_name(z->health));
		for (size_t j = 0; j < nz; j++)
			append(buf, size, &len, "%s%zu", j ? "/" : " ", z->lowmem_reserve[j]);
		append(buf, size, &len, " per order");
		for (unsigned int o = 0; o <= PAGE_STATS_MAX_ORDER; o++)
			if (z->nr_free[o])
				append(buf, size, &len, " %u:%zu", o, z->nr_free[o]);
		append(buf, size, &len, "\n");
	}
	return len;
}

void warn_alloc(const struct alloc_request *req)
{
	if (req->flags & __GFP_NOWARN)
		return;
	spin_lock_irqsafe(&report_lock);
	last = *req;
	have_last = true;
	failures_seen++;
	if (failures_seen <= WARN_ALLOC_BURST || failures_seen % WARN_ALLOC_INTERVAL == 0) {
		if (suppressed_since)
			printk("mm: %llu allocation failure reports held back\n",
			       (unsigned long long)suppressed_since);
		reported++;
		suppressed_since = 0;
		alloc_report(report_buf, sizeof(report_buf), req);
		console_puts(report_buf);
	} else {
		suppressed++;
		suppressed_since++;
	}
	spin_unlock_irqsafe(&report_lock);
}

/* Unless the entry points note their caller themselves (mm_debug.h's API context). */
const bool warn_alloc_names_entry_point = !MMKIT_TAIL_CALLS && !MM_DEBUG_CONTEXT;

bool warn_alloc_last(struct alloc_request *req)
{
	bool have;

	spin_lock_irqsafe(&report_lock);
	have = have_last;
	if (have)
		*req = last;
	spin_unlock_irqsafe(&report_lock);
	return have;
}

void warn_alloc_counts(uint64_t *printed, uint64_t *held)
{
	spin_lock_irqsafe(&report_lock);
	*printed = reported;
	*held = suppressed;
	spin_unlock_irqsafe(&report_lock);
}
