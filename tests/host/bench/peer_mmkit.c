/*
 * peer_mmkit.c - mmkit's kmalloc as a peer: the variant's generated front
 * and core/mm compiled natively (kit/hostbench.py names the variant in
 * HOSTBENCH_VARIANT), over a RAM arena from arch_bench.c.
 *
 * Extras, measured by the same harness: the page allocator at order 0 and
 * at order 9 (a 2 MiB block), and, when the variant has slab caches
 * (HOSTBENCH_SLAB, set when core/mm/slab.c is in its sources), a slab
 * cache of 64-byte objects.  Alloc and free are timed apart, in batches.
 */
#include <stdio.h>

#include "mm.h"
#include "page_alloc.h"
#include "peer.h"
#ifdef HOSTBENCH_SLAB
#include "slab.h"
#endif

#ifndef HOSTBENCH_VARIANT
#define HOSTBENCH_VARIANT "unnamed"
#endif

#define BATCH 256

const char *peer_name(void) { return "mmkit-" HOSTBENCH_VARIANT; }

void peer_version(char *buf, size_t size)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	snprintf(buf, size, "%s on %s pages", mm_mode_name(), st.strategy);
}

int peer_init(void)
{
	mm_init();
	return 0;
}

void *peer_malloc(size_t size) { return kmalloc(size, GFP_KERNEL); }
void peer_free(void *p) { kfree(p); }

/* What the kernel bench's stress patterns count (mm.h). */
size_t peer_footprint(void) { return mm_footprint_bytes(); }

static void *blocks[BATCH];

static void pages(unsigned int order, unsigned int n)
{
	struct hb_samples alloc, release;
	char params[32];

	hb_reset(&alloc);
	hb_reset(&release);
	for (unsigned int r = 0; r <= hb_reps(); r++) {
		uint64_t failed = 0, t0, t1;

		t0 = hb_now_ns();
		for (unsigned int i = 0; i < n; i++) {
			blocks[i] = alloc_pages(order, GFP_KERNEL);
			failed += !blocks[i];
		}
		t1 = hb_now_ns();
		if (r) {
			hb_record(&alloc, t1 - t0, n);
			alloc.failures += failed;
		}
		t0 = hb_now_ns();
		for (unsigned int i = 0; i < n; i++)
			free_pages(blocks[i], order);
		t1 = hb_now_ns();
		if (r)
			hb_record(&release, t1 - t0, n);
	}
	snprintf(params, sizeof(params), "\"order\":%u", order);
	hb_emit("page_alloc", params, &alloc);
	hb_emit("page_free", params, &release);
}

#ifdef HOSTBENCH_SLAB
static void slab(void)
{
	struct kmem_cache *c = kmem_cache_create("hostbench-64", 64, 0, NULL);
	struct hb_samples alloc, release;

	if (!c) {
		fprintf(stderr, "hostbench: kmem_cache_create failed\n");
		return;
	}
	hb_reset(&alloc);
	hb_reset(&release);
	for (unsigned int r = 0; r <= hb_reps(); r++) {
		uint64_t failed = 0, t0, t1;

		t0 = hb_now_ns();
		for (unsigned int i = 0; i < BATCH; i++) {
			blocks[i] = kmem_cache_alloc(c, GFP_KERNEL);
			failed += !blocks[i];
		}
		t1 = hb_now_ns();
		if (r) {
			hb_record(&alloc, t1 - t0, BATCH);
			alloc.failures += failed;
		}
		t0 = hb_now_ns();
		for (unsigned int i = 0; i < BATCH; i++)
			kmem_cache_free(c, blocks[i]);
		t1 = hb_now_ns();
		if (r)
			hb_record(&release, t1 - t0, BATCH);
	}
	hb_emit("slab_alloc", "\"size\":64", &alloc);
	hb_emit("slab_free", "\"size\":64", &release);
	kmem_cache_destroy(c);
}
#endif

void peer_extras(void)
{
	pages(0, BATCH);
	pages(9, 8);   /* 16 MiB at a time: fits the arena with room to spare */
#ifdef HOSTBENCH_SLAB
	slab();
#endif
}
