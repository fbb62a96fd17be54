/*
 * driver.c - the host benchmark's workloads, the same for every peer.
 *
 *   pair        malloc(size) then free, back to back, at several sizes
 *   batch       allocate BATCH objects of 64 bytes, free them LIFO, FIFO
 *               or in a random order (alloc and free timed apart)
 *   mixed       random sizes (log-uniform, 1 .. 4096) and lifetimes over
 *               SLOTS slots, from a fixed seed, drawn before timing
 *
 * Usage: bench-<peer> ITERATIONS REPS SEED.  One untimed warm-up pass
 * precedes the repetitions of each figure.  kit/hostbench.py runs each
 * program with few repetitions many times, interleaved with the other
 * allocators' programs, so that a slow spell of the machine hits all alike.
 *
 * Or: bench-<peer> count ITERATIONS, under valgrind --tool=callgrind
 * --collect-atstart=no: the pair loops again, each warmed up, then run with
 * collection on and dumped under its figure's name ("pair size=64"), so
 * that the instructions of exactly that loop are counted; "loop" is the
 * same loop with no allocator call, what the loop itself costs.
 *
 * Or: bench-<peer> frag PATTERN SEED, one of the kernel bench's stress
 * patterns (tests/bench/stress.c at its defaults: SLOTS slots, FRAG_OPS
 * operations, requests up to FRAG_MAX_SIZE bytes; fixed, increasing or
 * random sizes), each in a process of its own so that no earlier
 * pattern's pages count: Johnstone and Wilson's #4, the most the
 * allocator held beyond what it held before the pattern over the most
 * live bytes requested.  Held two ways, after every allocation: by the
 * allocator's own account (peer_footprint()) and by the process's
 * resident pages (/proc/self/statm), the one measure every allocator
 * shares.  Every allocation is written whole, as a program would.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "peer.h"

#define BATCH 1024
#define SLOTS 1024
/* tests/bench/stress.c's defaults (Kconfig BENCH_STRESS_OPS, _MAX_SIZE; its slots are SLOTS). */
#define FRAG_OPS 50000u
#define FRAG_MAX_SIZE ((size_t)8192)

static unsigned int reps = 11, iterations = 100000;
static uint64_t rng_state;

static const size_t pair_sizes[] = { 16, 32, 64, 128, 256, 512, 1024, 4096 };

uint64_t hb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned int hb_reps(void)
{
	return reps;
}

unsigned int hb_iterations(void)
{
	return iterations;
}

void hb_reset(struct hb_samples *s)
{
	s->reps = 0;
	s->ops = 0;
	s->failures = 0;
}

void hb_record(struct hb_samples *s, uint64_t ns, uint64_t ops)
{
	if (s->reps < HB_MAX_REPS && ops) {
		s->ps_per_op[s->reps++] = ns * 1000 / ops;
		s->ops = ops;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void hb_emit(const char *name, const char *params, const struct hb_samples *s)
{
	uint64_t sorted[HB_MAX_REPS];

	if (!s->reps)
		return;
	for (unsigned int i = 0; i < s->reps; i++)
		sorted[i] = s->ps_per_op[i];
	qsort(sorted, s->reps, sizeof(sorted[0]), cmp_u64);
	printf("HOSTBENCH {\"v\":1,\"kind\":\"op\",\"peer\":\"%s\",\"name\":\"%s\"%s%s,"
	       "\"reps\":%u,\"ops\":%llu,\"failures\":%llu,\"min_ps\":%llu,\"median_ps\":%llu,"
	       "\"max_ps\":%llu}\n", peer_name(), name, *params ? "," : "", params, s->reps,
	       (unsigned long long)s->ops, (unsigned long long)s->failures,
	       (unsigned long long)sorted[0], (unsigned long long)sorted[(s->reps - 1) / 2],
	       (unsigned long long)sorted[s->reps - 1]);
}

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t rng_below(uint64_t n)
{
	return (rng_next() >> 11) % n;
}

/* The pair loop, timed and counted alike; not inlined, so that both measure one code. */
static __attribute__((noinline)) uint64_t pair_loop(size_t size, unsigned int n)
{
	uint64_t failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		void *p = peer_malloc(size);

		failed += !p;
		/* Keep the compiler from pairing malloc and free away. */
		__asm__ volatile("" : : "r"(p) : "memory");
		peer_free(p);
	}
	return failed;
}

/* pair_loop() without the allocator: what the loop costs by itself. */
static __attribute__((noinline)) void empty_loop(size_t size, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		void *p = (void *)(uintptr_t)(size + i);

		__asm__ volatile("" : : "r"(p) : "memory");
	}
}

static void pair(size_t size)
{
	struct hb_samples s;
	char params[48];

	hb_reset(&s);
	for (unsigned int r = 0; r <= reps; r++) {
		uint64_t failed, t0 = hb_now_ns();

		failed = pair_loop(size, iterations);
		if (r) {   /* repetition 0 warms up */
			hb_record(&s, hb_now_ns() - t0, iterations);
			s.failures += failed;
		}
	}
	snprintf(params, sizeof(params), "\"size\":%zu", size);
	hb_emit("pair", params, &s);
}

static void *objs[BATCH];
static unsigned int order_idx[BATCH];

static void batch(const char *pattern)
{
	struct hb_samples alloc, release;
	char params[64];

	hb_reset(&alloc);
	hb_reset(&release);
	for (unsigned int r = 0; r <= reps; r++) {
		uint64_t failed = 0, t0, t1;

		for (unsigned int i = 0; i < BATCH; i++)
			order_idx[i] = pattern[0] == 'l' ? BATCH - 1 - i : i;
		if (pattern[0] == 'r') {
			for (unsigned int i = BATCH - 1; i > 0; i--) {
				unsigned int j = (unsigned int)rng_below(i + 1), t = order_idx[i];

				order_idx[i] = order_idx[j];
				order_idx[j] = t;
			}
		}
		t0 = hb_now_ns();
		for (unsigned int i = 0; i < BATCH; i++) {
			objs[i] = peer_malloc(64);
			failed += !objs[i];
		}
		t1 = hb_now_ns();
		if (r) {
			hb_record(&alloc, t1 - t0, BATCH);
			alloc.failures += failed;
		}
		t0 = hb_now_ns();
		for (unsigned int i = 0; i < BATCH; i++)
			peer_free(objs[order_idx[i]]);
		t1 = hb_now_ns();
		if (r)
			hb_record(&release, t1 - t0, BATCH);
	}
	snprintf(params, sizeof(params), "\"pattern\":\"%s\",\"size\":64", pattern);
	hb_emit("batch_alloc", params, &alloc);
	hb_emit("batch_free", params, &release);
}

static void mixed(void)
{
	static void *slot[SLOTS];
	unsigned short *seq_slot = malloc(iterations * sizeof(*seq_slot));
	size_t *seq_size = malloc(iterations * sizeof(*seq_size));
	struct hb_samples s;

	if (!seq_slot || !seq_size) {
		fprintf(stderr, "hostbench: no memory for the mixed sequence\n");
		exit(2);
	}
	hb_reset(&s);
	for (unsigned int r = 0; r <= reps; r++) {
		uint64_t failed = 0, t0;

		for (unsigned int i = 0; i < iterations; i++) {
			unsigned int shift = (unsigned int)rng_below(13);   /* 1 .. 4096 */

			seq_slot[i] = (unsigned short)rng_below(SLOTS);
			seq_size[i] = ((size_t)1 << shift) + rng_below((size_t)1 << shift);
			if (seq_size[i] > 4096)
				seq_size[i] = 4096;
		}
		t0 = hb_now_ns();
		for (unsigned int i = 0; i < iterations; i++) {
			void **p = &slot[seq_slot[i]];

			if (*p) {
				peer_free(*p);
				*p = NULL;
			} else {
				*p = peer_malloc(seq_size[i]);
				failed += !*p;
			}
		}
		if (r) {
			hb_record(&s, hb_now_ns() - t0, iterations);
			s.failures += failed;
		}
		for (unsigned int i = 0; i < SLOTS; i++) {
			peer_free(slot[i]);
			slot[i] = NULL;
		}
	}
	free(seq_slot);
	free(seq_size);
	hb_emit("mixed", "\"max_size\":4096", &s);
}

/* The process's resident bytes now; 0 if /proc cannot say. */
static size_t resident_bytes(void)
{
	char buf[128];
	long size = 0, resident = 0;
	int fd = open("/proc/self/statm", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %ld", &size, &resident) != 2)
		return 0;
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))

/* @now above @base, 0 if it is not. */
static size_t above(size_t now, size_t base)
{
	return now > base ? now - base : 0;
}

static size_t frag_size(const char *pattern, unsigned int i)
{
	if (strcmp(pattern, "fixed") == 0)
		return FRAG_MAX_SIZE / 2;
	if (strcmp(pattern, "increasing") == 0)
		return 16 + (FRAG_MAX_SIZE - 16) * i / FRAG_OPS;
	return 1 + (size_t)rng_below(FRAG_MAX_SIZE);
}

static int frag_main(const char *pattern)
{
	static void *slot[SLOTS];
	static size_t requested[SLOTS];
	size_t held_base, rss_base, live = 0, peak_live = 0, peak_held = 0, peak_rss = 0;
	int accounted;
	char held[32] = "null";
	uint64_t failed = 0;

	if (strcmp(pattern, "fixed") && strcmp(pattern, "increasing") && strcmp(pattern, "random")) {
		fprintf(stderr, "hostbench: frag: no pattern '%s' (fixed, increasing, random)\n",
			pattern);
		return 2;
	}
	peer_free(peer_malloc(16));   /* the allocator set up before the base is read */
	held_base = peer_footprint();
	accounted = held_base != PEER_NO_ACCOUNT;
	rss_base = resident_bytes();
	for (unsigned int i = 0; i < FRAG_OPS; i++) {
		unsigned int s = (unsigned int)rng_below(SLOTS);

		if (slot[s]) {
			peer_free(slot[s]);
			slot[s] = NULL;
			live -= requested[s];
			continue;
		}
		requested[s] = frag_size(pattern, i);
		slot[s] = peer_malloc(requested[s]);
		if (!slot[s]) {
			failed++;
			continue;
		}
		memset(slot[s], 0xa5, requested[s]);
		live += requested[s];
		if (live > peak_live)
			peak_live = live;
		if (accounted)
			peak_held = MAX_OF(peak_held, above(peer_footprint(), held_base));
		peak_rss = MAX_OF(peak_rss, above(resident_bytes(), rss_base));
	}
	if (accounted)
		snprintf(held, sizeof(held), "%zu", peak_held);
	printf("HOSTBENCH {\"v\":1,\"kind\":\"frag\",\"peer\":\"%s\",\"pattern\":\"%s\","
	       "\"ops\":%u,\"slots\":%u,\"max_size\":%zu,\"failures\":%llu,"
	       "\"peak_requested\":%zu,\"peak_held\":%s,\"peak_rss\":%zu}\n",
	       peer_name(), pattern, FRAG_OPS, SLOTS, FRAG_MAX_SIZE, (unsigned long long)failed,
	       peak_live, held, peak_rss);
	for (unsigned int s = 0; s < SLOTS; s++)
		peer_free(slot[s]);
	return 0;
}

/* Count one loop's instructions: warm, then collected and dumped as @name. */
static void count(const char *name, void (*loop)(size_t, unsigned int), size_t size)
{
	loop(size, iterations);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	loop(size, iterations);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(name);
	printf("HOSTBENCH {\"v\":1,\"kind\":\"counted\",\"peer\":\"%s\",\"figure\":\"%s\","
	       "\"ops\":%u}\n", peer_name(), name, iterations);
}

static void counted_pair_loop(size_t size, unsigned int n)
{
	(void)pair_loop(size, n);
}

static int count_main(void)
{
	char name[48];

	if (!RUNNING_ON_VALGRIND) {
		fprintf(stderr, "hostbench: count mode runs under valgrind --tool=callgrind "
			"--collect-atstart=no\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(pair_sizes) / sizeof(pair_sizes[0]); i++) {
		snprintf(name, sizeof(name), "pair size=%zu", pair_sizes[i]);
		count(name, counted_pair_loop, pair_sizes[i]);
	}
	count("loop", empty_loop, 64);
	return 0;
}

int main(int argc, char **argv)
{
	char version[128] = "";
	int counting = argc == 3 && strcmp(argv[1], "count") == 0;
	int frag = argc == 4 && strcmp(argv[1], "frag") == 0;

	if (counting ? atoi(argv[2]) <= 0 : !frag &&
	    (argc != 4 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0 || atoi(argv[2]) > HB_MAX_REPS)) {
		fprintf(stderr, "usage: %s ITERATIONS REPS(1..%d) SEED\n"
			"       %s count ITERATIONS   (under callgrind)\n"
			"       %s frag fixed|increasing|random SEED\n", argv[0], HB_MAX_REPS,
			argv[0], argv[0]);
		return 2;
	}
	iterations = frag ? 1 : (unsigned int)atoi(argv[counting ? 2 : 1]);
	if (!counting) {
		reps = frag ? 1 : (unsigned int)atoi(argv[2]);
		rng_state = strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ull | 1;
	}
	if (peer_init() != 0) {
		fprintf(stderr, "hostbench: %s: the allocator could not be set up\n", peer_name());
		return 1;
	}
	peer_version(version, sizeof(version));
	if (frag) {
		int status;

		printf("HOSTBENCH {\"v\":1,\"kind\":\"meta\",\"peer\":\"%s\",\"version\":\"%s\","
		       "\"iterations\":1,\"reps\":1}\n", peer_name(), version);
		status = frag_main(argv[2]);
		if (!status)
			printf("HOSTBENCH {\"v\":1,\"kind\":\"end\",\"peer\":\"%s\"}\n", peer_name());
		return status;
	}
	if (counting) {
		int status;

		printf("HOSTBENCH {\"v\":1,\"kind\":\"meta\",\"peer\":\"%s\",\"version\":\"%s\","
		       "\"iterations\":%u,\"reps\":1}\n", peer_name(), version, iterations);
		status = count_main();
		if (!status)
			printf("HOSTBENCH {\"v\":1,\"kind\":\"end\",\"peer\":\"%s\"}\n", peer_name());
		return status;
	}
	printf("HOSTBENCH {\"v\":1,\"kind\":\"meta\",\"peer\":\"%s\",\"version\":\"%s\","
	       "\"iterations\":%u,\"reps\":%u}\n", peer_name(), version, iterations, reps);
	for (size_t i = 0; i < sizeof(pair_sizes) / sizeof(pair_sizes[0]); i++)
		pair(pair_sizes[i]);
	batch("lifo");
	batch("fifo");
	batch("random");
	mixed();
	peer_extras();
	printf("HOSTBENCH {\"v\":1,\"kind\":\"end\",\"peer\":\"%s\"}\n", peer_name());
	return 0;
}
