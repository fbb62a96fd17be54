/*
 * fuzz_driver.c - fuzz_decompress.c without libFuzzer (gcc, ASan + UBSan):
 *
 *   fuzz_driver replay FILE...     run saved inputs (tests/host/lz4/regressions/)
 *   fuzz_driver seeds DIR          write the seed corpus for libFuzzer
 *   fuzz_driver mutate SEED RUNS   the deterministic CI-sized run
 *
 * The seed corpus is valid blocks: mmkit's and liblz4's output for data
 * of every kind the decoder's paths care about (literal runs short and
 * long, matches at every small offset, long matches, incompressible data),
 * at sizes from 0 to 4 KiB, each with its exact capacity or a little more.
 *
 * `mutate` derives RUNS inputs from them with a fixed-seed xorshift: each
 * input is a seed block (or two spliced) under one to four random edits
 * aimed at the format's fields (bit flips, bytes set to the values that
 * mean "extension follows", "offset 0" and the like, truncation, cut or
 * repeated ranges, inserted garbage, another capacity), and one in 64 is
 * plain random bytes.  Same SEED, same inputs: a finding is reproducible
 * from its run number, and is also written to ./crash-mutate-<run>.
 * The last line is the counts, for tests/test_lz4.py.
 */
#define _POSIX_C_SOURCE 200809L

#include <lz4.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sanitizer/common_interface_defs.h>

#include "fuzz.h"
#include "lz4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 1024
#define MAX_INPUT 8192

struct seed {
	unsigned char *bytes;   /* capacity (2 bytes) then the block */
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static size_t nseeds;
static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static size_t below(size_t n)
{
	return n ? (size_t)((next() >> 11) % n) : 0;
}

/* --- seeds ------------------------------------------------------------------- */

static const char *const words[] = {
	"the ", "page ", "allocator ", "returns ", "a ", "block ", "of ", "memory ",
	"when ", "free ", "list ", "is ", "empty\n", "slab ", "cache ", "buddy ",
};

/* Data of @kind, @n bytes, into @d. */
static void make_data(unsigned char *d, size_t n, unsigned int kind)
{
	size_t i = 0;

	switch (kind) {
	case 0:   /* text */
		while (i < n) {
			const char *w = words[below(16)];

			for (; *w && i < n; w++)
				d[i++] = (unsigned char)*w;
		}
		break;
	case 1:   /* random: incompressible */
		for (; i < n; i++)
			d[i] = (unsigned char)next();
		break;
	case 2:   /* zeroes */
		memset(d, 0, n);
		break;
	default:  /* period 1 .. 16 with a little noise: overlapping matches */
		for (; i < n; i++)
			d[i] = (unsigned char)(i % (kind - 2) * 37 + (below(97) == 0));
		break;
	}
}

static void add_seed(const unsigned char *blk, size_t n, size_t cap)
{
	struct seed *s;

	if (nseeds == MAX_SEEDS || cap > 0xffff)
		return;
	s = &seeds[nseeds++];
	s->len = n + 2;
	s->bytes = malloc(s->len);
	if (!s->bytes)
		abort();
	s->bytes[0] = (unsigned char)cap;
	s->bytes[1] = (unsigned char)(cap >> 8);
	memcpy(s->bytes + 2, blk, n);
}

static void make_seeds(void)
{
	static const size_t sizes[] = { 0, 1, 5, 12, 13, 14, 17, 31, 64, 100, 255, 300,
					1000, 4096 };
	static unsigned char data[4096], blk[LZ4_MAX_INPUT];
	static struct lz4_state st;

	rng = 0x9e3779b97f4a7c15ull;
	for (unsigned int kind = 0; kind < 19; kind++) {
		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			size_t n = sizes[si];
			int a, b;

			make_data(data, n, kind);
			a = lz4_compress(data, n, blk, sizeof(blk), 1 + (int)(si % 3) * 3, &st);
			if (a < 0)
				abort();
			add_seed(blk, (size_t)a, n + (si % 4 == 3 ? 16 : 0));
			b = LZ4_compress_default((const char *)data, (char *)blk, (int)n,
						 (int)sizeof(blk));
			if (b <= 0)
				abort();
			add_seed(blk, (size_t)b, n + (si % 4 == 1 ? 7 : 0));
		}
	}
}

static int write_seeds(const char *dir)
{
	char path[4096];

	for (size_t i = 0; i < nseeds; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-%04zu", dir, i);
		f = fopen(path, "wb");
		if (!f || fwrite(seeds[i].bytes, 1, seeds[i].len, f) != seeds[i].len ||
		    fclose(f)) {
			fprintf(stderr, "fuzz_driver: cannot write %s\n", path);
			return 1;
		}
	}
	printf("fuzz_driver: %zu seeds in %s\n", nseeds, dir);
	return 0;
}

/* --- the mutation run --------------------------------------------------------- */

/* Values that mean something in a token, a length or an offset. */
static const unsigned char interesting[] = { 0x00, 0x01, 0x0f, 0x10, 0xf0, 0xff, 0xfe,
					     0x1f, 0xf1, 0x40, 0x04, 0x0c };

static size_t mutate_once(unsigned char *buf, size_t len)
{
	size_t pos = below(len), k;

	switch (below(11)) {
	case 0:   /* flip a bit */
		if (len)
			buf[pos] ^= (unsigned char)(1u << below(8));
		break;
	case 1:   /* a byte that means something */
		if (len)
			buf[pos] = interesting[below(sizeof(interesting))];
		break;
	case 2:   /* any byte */
		if (len)
			buf[pos] = (unsigned char)next();
		break;
	case 3:   /* truncate */
		len = pos;
		break;
	case 4:   /* cut a range */
		k = below(len - pos + 1);
		memmove(buf + pos, buf + pos + k, len - pos - k);
		len -= k;
		break;
	case 5:   /* insert random bytes */
		k = below(16) + 1;
		if (len + k <= MAX_INPUT) {
			memmove(buf + pos + k, buf + pos, len - pos);
			for (size_t i = 0; i < k; i++)
				buf[pos + i] = (unsigned char)next();
			len += k;
		}
		break;
	case 6:   /* repeat a range */
		k = below(len - pos + 1);
		if (k && len + k <= MAX_INPUT) {
			memmove(buf + pos + k, buf + pos, len - pos);
			len += k;
		}
		break;
	case 7:   /* another capacity: near the old one, or anything */
		if (len >= 2) {
			unsigned int cap = buf[0] | (unsigned int)buf[1] << 8;

			cap = below(2) ? cap + (unsigned int)below(33) - 16 : (unsigned int)next();
			buf[0] = (unsigned char)cap;
			buf[1] = (unsigned char)(cap >> 8);
		}
		break;
	case 8:   /* a small or zero 16-bit field (offsets) */
		if (len >= 2 && pos + 1 < len) {
			k = below(3) ? below(24) : below(65536);
			buf[pos] = (unsigned char)k;
			buf[pos + 1] = (unsigned char)(k >> 8);
		}
		break;
	case 9:   /* append garbage */
		k = below(24) + 1;
		if (len + k <= MAX_INPUT)
			for (size_t i = 0; i < k; i++)
				buf[len++] = (unsigned char)next();
		break;
	default:  /* a run of 255: long extensions */
		k = below(8) + 1;
		for (size_t i = 0; i < k && pos + i < len; i++)
			buf[pos + i] = 0xff;
		break;
	}
	return len;
}

static size_t make_input(unsigned char *buf)
{
	size_t len;

	if (below(64) == 0) {   /* plain random bytes */
		len = below(512) + 2;
		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)next();
		return len;
	}
	{
		const struct seed *s = &seeds[below(nseeds)];

		memcpy(buf, s->bytes, s->len);
		len = s->len;
	}
	if (below(16) == 0) {   /* splice another seed's block on */
		const struct seed *t = &seeds[below(nseeds)];
		size_t cut = below(len + 1), from = 2 + below(t->len - 1);

		if (cut < 2)
			cut = 2;
		if (cut + (t->len - from) <= MAX_INPUT) {
			memcpy(buf + cut, t->bytes + from, t->len - from);
			len = cut + (t->len - from);
		}
	}
	for (size_t m = below(4) + 1; m; m--)
		len = mutate_once(buf, len);
	return len;
}

/* The input being tried, so that a finding can be saved before the process dies. */
static unsigned char current[MAX_INPUT];
static size_t current_len;
static uint64_t current_run;

static void save_current(void)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "crash-mutate-%llu", (unsigned long long)current_run);
	f = fopen(path, "wb");
	if (f) {
		fwrite(current, 1, current_len, f);
		fclose(f);
		fprintf(stderr, "fuzz_driver: input of run %llu saved as %s\n",
			(unsigned long long)current_run, path);
	}
}

static int mutate(uint64_t seed, uint64_t runs)
{
	struct timespec t0, t1;

	/* Findings abort() through fuzz_before_abort; sanitizer reports end
	 * the process through the death callback. */
	fuzz_before_abort = save_current;
	__sanitizer_set_death_callback(save_current);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rng = seed * 0x9e3779b97f4a7c15ull + 1;   /* any seed, 0 too, is a non-zero state */
	for (current_run = 0; current_run < runs; current_run++) {
		current_len = make_input(current);
		LLVMFuzzerTestOneInput(current, current_len);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fuzz_driver: mutate seed=%llu runs=%llu inputs=%llu accepted=%llu "
	       "liblz4_lenient_offset0=%llu liblz4_lenient_end_rule=%llu "
	       "liblz4_lenient_final_token=%llu seconds=%.1f\n",
	       (unsigned long long)seed, (unsigned long long)runs,
	       (unsigned long long)fuzz_counts.inputs, (unsigned long long)fuzz_counts.accepted,
	       (unsigned long long)fuzz_counts.lenient_offset0,
	       (unsigned long long)fuzz_counts.lenient_end_rule,
	       (unsigned long long)fuzz_counts.lenient_final_token,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/* --- replay -------------------------------------------------------------------- */

static int replay(int argc, char **argv)
{
	static unsigned char buf[1 << 20];

	for (int i = 0; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t len;

		if (!f) {
			fprintf(stderr, "fuzz_driver: cannot read %s\n", argv[i]);
			return 1;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz_driver: replayed %d input(s), %llu accepted\n", argc,
	       (unsigned long long)fuzz_counts.accepted);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "replay"))
		return replay(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "seeds")) {
		make_seeds();
		return write_seeds(argv[2]);
	}
	if (argc == 4 && !strcmp(argv[1], "mutate")) {
		make_seeds();
		return mutate(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
	}
	fprintf(stderr, "usage: fuzz_driver replay FILE... | seeds DIR | mutate SEED RUNS\n");
	return 2;
}
