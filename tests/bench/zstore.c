/*
 * zstore.c - the compressed page store (core/mm/zstore.c) on one page of
 * each of a few data patterns: guest instructions per page to store it
 * and to load it back, as swap-out and a fault pay them.
 *
 *   zstore_store_page pattern=P   zstore_store() of the page: same-filled
 *                                 check, lz4_compress() at
 *                                 ZSTORE_ACCELERATION, slot and handle
 *   zstore_load_page pattern=P    zstore_load() of that handle into a
 *                                 page: lz4_decompress(), and the copy the
 *                                 decompressed-page cache keeps
 *
 * One op is one page.  The handle is freed after each repetition, so
 * every load decompresses (a new handle is never in the cache) and every
 * store finds its slot in a zspage the previous repetition emptied.
 * Patterns: text (words, about 2x), sparse (8-byte records in zeroes)
 * and zero (same-filled: no compression at all when ZSTORE_SAME_FILLED).
 * A round trip that does not give the page back counts as a failure.
 * Without Kconfig ZSTORE this prints nothing.
 */
#include "bench.h"
#include "kstring.h"
#include "page.h"
#include "zstore.h"

#ifdef CONFIG_ZSTORE
static uint8_t page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint8_t out[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void fill(const char *pattern, struct bench_rng *r)
{
	static const char *const words[] = {
		"the ", "page ", "is ", "cold ", "so ", "it ", "goes ", "to ", "a ",
		"store ", "and ", "comes ", "back ", "on ", "access", ".\n",
	};
	size_t i = 0;

	memset(page, 0, PAGE_SIZE);
	if (!strcmp(pattern, "text")) {
		while (i < PAGE_SIZE)
			for (const char *w = words[bench_rng_below(r, 16)]; *w && i < PAGE_SIZE; w++)
				page[i++] = (uint8_t)*w;
	} else if (!strcmp(pattern, "sparse")) {
		for (i = 0; i + 8 <= PAGE_SIZE; i += 32) {
			uint64_t v = bench_rng_next(r);

			for (unsigned int k = 0; k < 8; k++)
				page[i + k] = (uint8_t)(v >> (8 * k));
		}
	}
	/* "zero": already */
}

static void one_pattern(const char *pattern)
{
	struct bench_samples ss, sl;
	struct bench_line l;
	struct bench_rng r;

	bench_rng_seed(&r, CONFIG_BENCH_SEED);
	fill(pattern, &r);
	bench_samples_reset(&ss);
	bench_samples_reset(&sl);
	for (unsigned int rep = 0; rep < bench_reps(); rep++) {
		zs_handle_t h;
		uint64_t t0, t1;
		int err;

		t0 = bench_now();
		err = zstore_store(page, &h);
		t1 = bench_now();
		bench_record(&ss, t1 - t0, 1);
		ss.failures += err != 0;
		if (err)
			continue;
		t0 = bench_now();
		err = zstore_load(h, out);
		t1 = bench_now();
		bench_record(&sl, t1 - t0, 1);
		sl.failures += err != 0 || memcmp(out, page, PAGE_SIZE) != 0;
		zstore_free(h);
	}
	bench_op_begin(&l, "zstore_store_page");
	bench_line_str(&l, "pattern", pattern);
	bench_op_end(&l, &ss);
	bench_op_begin(&l, "zstore_load_page");
	bench_line_str(&l, "pattern", pattern);
	bench_op_end(&l, &sl);
}
#endif

void bench_zstore(void)
{
#ifdef CONFIG_ZSTORE
	one_pattern("text");
	one_pattern("sparse");
	one_pattern("zero");
#endif
}
