/*
 * fuzz_decompress.c - the decoder under any input, differentially.
 *
 * An input is two bytes of capacity (little-endian, 0 .. 65535) and then
 * the block.  The block is copied into a buffer of exactly its size and
 * decoded into buffers of exactly the capacity, so that ASan reports any
 * byte read or written outside them (exact_buffer()).  Three decoders see it:
 *
 *   mmkit   lz4_decompress(), the code under test;
 *   model   model.c, the format written out plainly (the oracle);
 *   liblz4  LZ4_decompress_safe(), the reference implementation.
 *
 * and a finding (abort(), which libFuzzer saves as a crash input) is:
 *   - mmkit and the model disagree: on accepting, on the size or bytes
 *     decoded, or on the error (KERR_NOSPC exactly when the model says
 *     the output does not fit, KERR_CORRUPT for every other refusal);
 *   - mmkit accepts and liblz4 refuses, or decodes other bytes;
 *   - liblz4 accepts what mmkit refuses, for a reason other than the three
 *     liberties liblz4 takes (offset 0, the end-of-block rules checked
 *     against the capacity instead of the output's end, a last token
 *     whose match length field is not 0).
 * ASan and UBSan reports are findings too.
 *
 * Built two ways: with clang -fsanitize=fuzzer (libFuzzer's main), and
 * with gcc beside fuzz_driver.c (replay of saved inputs, seeds, and the
 * deterministic CI-sized mutation run).
 */
#include <lz4.h>        /* liblz4: -iquote keeps mmkit's "lz4.h" apart */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kerrno.h"
#include "lz4.h"        /* mmkit */
#include "model.h"

struct fuzz_counts fuzz_counts;
void (*fuzz_before_abort)(void);

/*
 * Exact-size buffers without malloc: ASan's allocator (fill, quarantine)
 * cost more than all three decoders together, so each buffer is a fixed
 * arena, and only [start, start + n) is left addressable; the rest is
 * poisoned, so one byte outside is still an ASan report.  The start is
 * 8-aligned (ASan's granule), which makes the left edge exact; the right
 * edge is exact in any case (a granule can be addressable in part).
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA (1u << 20)      /* inputs of up to 1 MiB, capacities up to 65535 */

struct arena {
	unsigned char *base;      /* ARENA bytes, 16-aligned */
	size_t open;              /* bytes now addressable from base */
};

static struct arena arenas[4];

static unsigned char *exact_buffer(unsigned int which, size_t n)
{
	struct arena *a = &arenas[which];

	if (!a->base) {
		a->base = aligned_alloc(16, ARENA);
		if (!a->base)
			abort();
		POISON(a->base, ARENA);
	}
	if (n > ARENA)
		abort();
	POISON(a->base, a->open);
	UNPOISON(a->base, n);
	a->open = n;
	return a->base;
}

static void finding(const char *what, size_t n, size_t cap, int mine, int theirs,
		    enum model_verdict v)
{
	fprintf(stderr, "lz4 fuzz finding: %s (block %zu bytes, capacity %zu: mmkit %d, "
		"liblz4 %d, model %s)\n", what, n, cap, mine, theirs, model_verdict_name(v));
	if (fuzz_before_abort)
		fuzz_before_abort();
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *blk, *out_mine, *out_model, *out_lz;
	size_t n, cap, model_len = 0;
	enum model_verdict v;
	int mine, theirs;

	if (size < 2)
		return 0;
	cap = (size_t)data[0] | (size_t)data[1] << 8;
	n = size - 2;
	blk = exact_buffer(0, n);
	out_mine = exact_buffer(1, cap);
	out_model = exact_buffer(2, cap);
	out_lz = exact_buffer(3, cap);
	if (n)
		memcpy(blk, data + 2, n);

	mine = lz4_decompress(blk, n, out_mine, cap);
	v = model_decode(blk, n, out_model, cap, &model_len);
	theirs = LZ4_decompress_safe((const char *)blk, (char *)out_lz, (int)n, (int)cap);

	fuzz_counts.inputs++;
	if ((mine >= 0) != (v == MODEL_OK))
		finding("mmkit and the model disagree on accepting", n, cap, mine, theirs, v);
	if (mine >= 0) {
		fuzz_counts.accepted++;
		if ((size_t)mine != model_len || memcmp(out_mine, out_model, model_len))
			finding("mmkit decodes other bytes than the model", n, cap, mine, theirs, v);
		if (theirs != mine || memcmp(out_mine, out_lz, (size_t)mine))
			finding("liblz4 refuses or decodes otherwise what mmkit accepts", n, cap,
				mine, theirs, v);
	} else {
		if ((mine == KERR_NOSPC) != (v == MODEL_NOSPC) ||
		    (mine != KERR_NOSPC && mine != KERR_CORRUPT))
			finding("mmkit's error is not the model's", n, cap, mine, theirs, v);
		if (theirs >= 0) {
			if (v == MODEL_OFFSET_ZERO)
				fuzz_counts.lenient_offset0++;
			else if (v == MODEL_END_RULE)
				fuzz_counts.lenient_end_rule++;
			else if (v == MODEL_FINAL_TOKEN)
				fuzz_counts.lenient_final_token++;
			else
				finding("liblz4 accepts a block mmkit refuses, for no known reason",
					n, cap, mine, theirs, v);
		}
	}
	return 0;
}
