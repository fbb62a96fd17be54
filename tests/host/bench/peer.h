/*
 * peer.h - the host-native benchmark (./build.py hostbench): one program
 * per allocator, the same workloads (driver.c) in each.
 *
 * A peer is an allocator under test: the C library's malloc, jemalloc,
 * mimalloc, tcmalloc, or mmkit's kmalloc compiled for the host from a
 * variant's generated sources.  Each peer_*.c implements this interface;
 * kit/hostbench.py links one peer with driver.c into one program.
 *
 * Figures are wall-clock nanoseconds on the host (CLOCK_MONOTONIC), as
 * picoseconds per operation: median, min and max over repetitions.  One
 * "HOSTBENCH {json}" line per figure; kit/hostbench.py parses them.
 */
#ifndef MMKIT_HOSTBENCH_PEER_H
#define MMKIT_HOSTBENCH_PEER_H

#include <stddef.h>
#include <stdint.h>

/* --- implemented by each peer ------------------------------------------- */

/* Short name ("glibc", "jemalloc" ...) and version, for the meta line. */
const char *peer_name(void);
void peer_version(char *buf, size_t size);
/* 0 when the allocator is ready and really the one being called. */
int peer_init(void);
void *peer_malloc(size_t size);
void peer_free(void *p);
/* Figures only this peer has (mmkit: page allocator, slab); may do nothing. */
void peer_extras(void);
/*
 * Bytes the allocator holds now by its own account: what it took from the
 * system and has not given back, its free lists and metadata included
 * (driver.c's frag mode: each peer's file says which figure it reads);
 * PEER_NO_ACCOUNT when it keeps none.
 */
#define PEER_NO_ACCOUNT ((size_t)-1)
size_t peer_footprint(void);

/* --- provided by driver.c --------------------------------------------------- */

#define HB_MAX_REPS 101

struct hb_samples {
	uint64_t ps_per_op[HB_MAX_REPS];
	unsigned int reps;
	uint64_t ops;
	uint64_t failures;
};

uint64_t hb_now_ns(void);
unsigned int hb_reps(void);
unsigned int hb_iterations(void);
void hb_reset(struct hb_samples *s);
void hb_record(struct hb_samples *s, uint64_t ns, uint64_t ops);
/* Print a figure; @params is more JSON members ("\"size\":64") or "". */
void hb_emit(const char *name, const char *params, const struct hb_samples *s);

#endif /* MMKIT_HOSTBENCH_PEER_H */
