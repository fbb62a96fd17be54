/*
 * lz4.c - the LZ4 codec (core/lib/lz4.c) on one 4 KiB page (the meta
 * line's page_size) of each of a few data patterns: instructions per byte
 * to compress it and to decompress it, as the compressed page store will.
 *
 *   lz4_compress_byte pattern=P     lz4_compress(page, 4096, acceleration 1)
 *   lz4_decompress_byte pattern=P   lz4_decompress() of that block into a page
 *
 * One op is one byte of the page (4096 ops per repetition), so a figure is
 * instructions per uncompressed byte (integer: the harness divides).  The
 * patterns are generated from BENCH_SEED: text (words), sparse (8-byte
 * records in zeroes, a page of small structs), code (an instruction-stream
 * -like mix of few opcodes and random operands), zero and random.  Zero
 * and random pages are only compressed: the store keeps a same-filled
 * page without data and an incompressible one as it is, so it never
 * decompresses either (and a zero page decodes in under one instruction
 * per byte on x86_64, which an integer figure cannot show).  A round trip
 * that does not give the page back counts as a failure.
 */
#include "bench.h"
#include "kstring.h"
#include "lz4.h"

#define PAGE 4096

static struct lz4_state state;   /* 16 KiB: not on the stack */
static uint8_t page[PAGE], out[PAGE];
static uint8_t blk[PAGE + PAGE / 255 + 16];

static void fill(const char *pattern, struct bench_rng *r)
{
	static const char *const words[] = {
		"the ", "page ", "is ", "cold ", "so ", "it ", "goes ", "to ", "a ",
		"store ", "and ", "comes ", "back ", "on ", "access", ".\n",
	};
	size_t i = 0;

	memset(page, 0, PAGE);
	if (!strcmp(pattern, "text")) {
		while (i < PAGE)
			for (const char *w = words[bench_rng_below(r, 16)]; *w && i < PAGE; w++)
				page[i++] = (uint8_t)*w;
	} else if (!strcmp(pattern, "sparse")) {
		for (i = 0; i + 8 <= PAGE; i += 32) {
			uint64_t v = bench_rng_below(r, 4) ? bench_rng_below(r, 65536) :
				     bench_rng_next(r);

			for (unsigned int k = 0; k < 8; k++)
				page[i + k] = (uint8_t)(v >> (8 * k));
		}
	} else if (!strcmp(pattern, "code")) {
		static const uint8_t ops[] = { 0x48, 0x89, 0x8b, 0xe8, 0x83, 0xc3, 0x0f, 0x85 };

		while (i < PAGE) {
			page[i++] = ops[bench_rng_below(r, 8)];
			if (i < PAGE && bench_rng_below(r, 3) == 0)
				page[i++] = (uint8_t)bench_rng_next(r);
		}
	} else if (!strcmp(pattern, "random")) {
		for (; i < PAGE; i++)
			page[i] = (uint8_t)bench_rng_next(r);
	}
	/* "zero": already */
}

static void one_pattern(const char *pattern, bool decompress)
{
	struct bench_samples sc, sd;
	struct bench_line l;
	struct bench_rng r;
	int n;

	bench_rng_seed(&r, CONFIG_BENCH_SEED);
	fill(pattern, &r);
	bench_samples_reset(&sc);
	bench_samples_reset(&sd);
	for (unsigned int rep = 0; rep < bench_reps(); rep++) {
		uint64_t t0, t1;
		int d;

		t0 = bench_now();
		n = lz4_compress(page, PAGE, blk, sizeof(blk), 1, &state);
		t1 = bench_now();
		bench_record(&sc, t1 - t0, PAGE);
		sc.failures += n <= 0;
		if (!decompress || n <= 0)
			continue;
		t0 = bench_now();
		d = lz4_decompress(blk, (size_t)n, out, PAGE);
		t1 = bench_now();
		bench_record(&sd, t1 - t0, PAGE);
		sd.failures += d != PAGE || memcmp(out, page, PAGE) != 0;
	}
	bench_op_begin(&l, "lz4_compress_byte");
	bench_line_str(&l, "pattern", pattern);
	bench_op_end(&l, &sc);
	if (!decompress)
		return;
	bench_op_begin(&l, "lz4_decompress_byte");
	bench_line_str(&l, "pattern", pattern);
	bench_op_end(&l, &sd);
}

void bench_lz4(void)
{
	one_pattern("text", true);
	one_pattern("sparse", true);
	one_pattern("code", true);
	one_pattern("zero", false);
	one_pattern("random", false);
}
