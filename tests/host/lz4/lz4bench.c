/*
 * lz4bench.c - mmkit's LZ4 codec against liblz4, in one program, on the
 * same blocks, for `./build.py lz4bench` (kit/lz4bench.py).
 *
 * Usage: lz4bench CORPUS ROUNDS BLOCK
 *
 * CORPUS is a file cut into blocks of BLOCK bytes (a short tail is
 * dropped).  Four measurements make a round:
 *
 *   compress    mmkit lz4_compress(acceleration 1) and liblz4
 *               LZ4_compress_default() over every block;
 *   decompress  mmkit lz4_decompress() and liblz4 LZ4_decompress_safe()
 *               over the SAME blocks (liblz4's compressed output), so the
 *               figure compares the decoders and nothing else.
 *
 * Rounds interleave the codecs (A B, then B A, ...), so that a drift of
 * the clock frequency or of the machine's load over the run falls on both
 * alike.  Each measurement repeats its pass over the corpus as often as
 * calibration says it takes to last about 40 ms.  Before timing, every
 * block is checked both ways (each decoder on each compressor's output
 * gives the block back): a codec that is fast because it is wrong stops
 * the run with status 1.
 *
 * Output: one JSON object on stdout; kit/lz4bench.py reads it.  MB is
 * 10^6 bytes, of uncompressed data in both directions.
 */
#define _POSIX_C_SOURCE 200809L

#include <lz4.h>        /* liblz4: -iquote keeps mmkit's "lz4.h" apart */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lz4.h"        /* mmkit: core/include/lz4.h */

#define MAX_ROUNDS 101
#define TARGET_NS 40000000ull

struct corpus {
	unsigned char *data;
	size_t nblocks, block;
	unsigned char *mm, *lz;      /* compressed blocks, one slot of bound(block) each */
	int *mm_len, *lz_len;
	size_t slot;
	unsigned char *out;          /* decompressed */
};

static struct lz4_state state;
static volatile uint64_t sink;   /* keeps results observable */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *msg, size_t block)
{
	fprintf(stderr, "lz4bench: %s (block %zu)\n", msg, block);
	exit(1);
}

/* --- one pass of each codec ------------------------------------------------ */

static void compress_mm(struct corpus *c)
{
	for (size_t i = 0; i < c->nblocks; i++) {
		c->mm_len[i] = lz4_compress(c->data + i * c->block, c->block, c->mm + i * c->slot,
					    c->slot, 1, &state);
		sink += (uint64_t)c->mm_len[i];
	}
}

static void compress_lz(struct corpus *c)
{
	for (size_t i = 0; i < c->nblocks; i++) {
		c->lz_len[i] = LZ4_compress_default((const char *)c->data + i * c->block,
						    (char *)c->lz + i * c->slot, (int)c->block,
						    (int)c->slot);
		sink += (uint64_t)c->lz_len[i];
	}
}

static void decompress_mm(struct corpus *c)
{
	for (size_t i = 0; i < c->nblocks; i++)
		sink += (uint64_t)lz4_decompress(c->lz + i * c->slot, (size_t)c->lz_len[i],
						 c->out + i * c->block, c->block);
}

static void decompress_lz(struct corpus *c)
{
	for (size_t i = 0; i < c->nblocks; i++)
		sink += (uint64_t)LZ4_decompress_safe((const char *)c->lz + i * c->slot,
						      (char *)c->out + i * c->block,
						      c->lz_len[i], (int)c->block);
}

/* --- checking --------------------------------------------------------------- */

static void check_block(struct corpus *c, size_t i)
{
	const unsigned char *orig = c->data + i * c->block;
	unsigned char *out = c->out + i * c->block;
	int r;

	if (c->mm_len[i] <= 0 || c->lz_len[i] <= 0)
		die("a compressor failed", i);
	if ((size_t)c->mm_len[i] > lz4_compress_bound(c->block))
		die("mmkit output exceeds lz4_compress_bound()", i);
	r = LZ4_decompress_safe((const char *)c->mm + i * c->slot, (char *)out, c->mm_len[i],
				(int)c->block);
	if (r != (int)c->block || memcmp(out, orig, c->block))
		die("liblz4 does not decode mmkit's block to the original", i);
	r = lz4_decompress(c->mm + i * c->slot, (size_t)c->mm_len[i], out, c->block);
	if (r != (int)c->block || memcmp(out, orig, c->block))
		die("mmkit does not decode its own block to the original", i);
	r = lz4_decompress(c->lz + i * c->slot, (size_t)c->lz_len[i], out, c->block);
	if (r != (int)c->block || memcmp(out, orig, c->block))
		die("mmkit does not decode liblz4's block to the original", i);
}

/* --- timing ------------------------------------------------------------------ */

struct figure {
	const char *codec, *op;
	void (*pass)(struct corpus *);
	double mbps[MAX_ROUNDS];
};

static double measure(struct corpus *c, void (*pass)(struct corpus *), unsigned int passes)
{
	uint64_t t0 = now_ns(), t1;

	for (unsigned int p = 0; p < passes; p++)
		pass(c);
	t1 = now_ns();
	return (double)(c->nblocks * c->block) * passes / ((double)(t1 - t0) / 1e9) / 1e6;
}

/* Passes for one measurement to last about TARGET_NS (at least 1). */
static unsigned int calibrate(struct corpus *c, void (*pass)(struct corpus *))
{
	uint64_t t0 = now_ns(), ns;

	pass(c);
	ns = now_ns() - t0;
	if (ns == 0)
		ns = 1;
	return ns >= TARGET_NS ? 1 : (unsigned int)((TARGET_NS + ns - 1) / ns);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_figure(const struct figure *f, unsigned int rounds, unsigned int passes,
			 int last)
{
	double sorted[MAX_ROUNDS];

	memcpy(sorted, f->mbps, rounds * sizeof(double));
	qsort(sorted, rounds, sizeof(double), cmp_double);
	printf("    {\"codec\": \"%s\", \"op\": \"%s\", \"passes\": %u, \"min\": %.1f, "
	       "\"median\": %.1f, \"max\": %.1f, \"rounds\": [", f->codec, f->op, passes,
	       sorted[0], sorted[(rounds - 1) / 2], sorted[rounds - 1]);
	for (unsigned int r = 0; r < rounds; r++)
		printf("%s%.1f", r ? ", " : "", f->mbps[r]);
	printf("]}%s\n", last ? "" : ",");
}

static unsigned char *xmalloc(size_t n)
{
	unsigned char *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory", 0);
	return p;
}

int main(int argc, char **argv)
{
	struct corpus c = { 0 };
	struct figure fig[4] = {
		{ "mmkit", "compress", compress_mm, { 0 } },
		{ "liblz4", "compress", compress_lz, { 0 } },
		{ "mmkit", "decompress", decompress_mm, { 0 } },
		{ "liblz4", "decompress", decompress_lz, { 0 } },
	};
	unsigned int passes[2];
	unsigned long rounds;
	size_t total, mm_total = 0, lz_total = 0;
	FILE *f;
	long size;

	if (argc != 4) {
		fprintf(stderr, "usage: lz4bench CORPUS ROUNDS BLOCK\n");
		return 2;
	}
	rounds = strtoul(argv[2], NULL, 10);
	c.block = strtoul(argv[3], NULL, 10);
	if (rounds < 1 || rounds > MAX_ROUNDS || c.block < 1 || c.block > LZ4_MAX_INPUT) {
		fprintf(stderr, "lz4bench: ROUNDS must be 1..%d and BLOCK 1..%u\n", MAX_ROUNDS,
			LZ4_MAX_INPUT);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "lz4bench: cannot read %s\n", argv[1]);
		return 2;
	}
	c.nblocks = (size_t)size / c.block;
	if (!c.nblocks) {
		fprintf(stderr, "lz4bench: %s holds less than one block\n", argv[1]);
		return 2;
	}
	total = c.nblocks * c.block;
	c.slot = lz4_compress_bound(c.block);
	c.data = xmalloc(total);
	c.out = xmalloc(total);
	c.mm = xmalloc(c.nblocks * c.slot);
	c.lz = xmalloc(c.nblocks * c.slot);
	c.mm_len = (int *)(void *)xmalloc(c.nblocks * sizeof(int));
	c.lz_len = (int *)(void *)xmalloc(c.nblocks * sizeof(int));
	if (fread(c.data, 1, total, f) != total) {
		fprintf(stderr, "lz4bench: short read from %s\n", argv[1]);
		return 2;
	}
	fclose(f);

	/* Warm up (caches, page faults, the clock) and check every block. */
	compress_mm(&c);
	compress_lz(&c);
	for (size_t i = 0; i < c.nblocks; i++) {
		check_block(&c, i);
		mm_total += (size_t)c.mm_len[i];
		lz_total += (size_t)c.lz_len[i];
	}
	decompress_mm(&c);
	decompress_lz(&c);
	/* One pass count per operation, from the slower codec's warm pass. */
	passes[0] = calibrate(&c, compress_mm);
	if (calibrate(&c, compress_lz) < passes[0])
		passes[0] = calibrate(&c, compress_lz);
	passes[1] = calibrate(&c, decompress_mm);
	if (calibrate(&c, decompress_lz) < passes[1])
		passes[1] = calibrate(&c, decompress_lz);

	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int op = 0; op < 2; op++) {
			/* Even rounds mmkit first, odd rounds liblz4 first. */
			unsigned int a = op * 2 + (r & 1), b = op * 2 + !(r & 1);

			fig[a].mbps[r] = measure(&c, fig[a].pass, passes[op]);
			fig[b].mbps[r] = measure(&c, fig[b].pass, passes[op]);
		}
	}
	/* The timed passes must still have produced the right bytes. */
	for (size_t i = 0; i < c.nblocks; i++)
		check_block(&c, i);

	printf("{\n  \"blocks\": %zu, \"block_size\": %zu, \"bytes\": %zu, \"rounds\": %lu,\n",
	       c.nblocks, c.block, total, rounds);
	printf("  \"liblz4_version\": \"%s\",\n", LZ4_versionString());
	printf("  \"compressed\": {\"mmkit\": %zu, \"liblz4\": %zu},\n", mm_total, lz_total);
	printf("  \"figures\": [\n");
	for (unsigned int i = 0; i < 4; i++)
		print_figure(&fig[i], (unsigned int)rounds, passes[i / 2], i == 3);
	printf("  ]\n}\n");
	return 0;
}
