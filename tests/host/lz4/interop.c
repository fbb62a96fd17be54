/*
 * interop.c - mmkit's LZ4 codec against liblz4 and against the original
 * bytes, on the host under ASan + UBSan (driven by tests/test_lz4.py).
 *
 *   interop sizes FILE...   every block size 0 .. 4096, slices of each file
 *   interop large FILE...   blocks of 8 KiB .. 64 KiB (and one past the limit)
 *   interop edge            empty, 1 .. 13 bytes, 4 KiB, incompressible,
 *                           accelerations, arguments, determinism
 *   interop misuse          the decoder against bad blocks, one class at a time
 *
 * Every buffer handed to a codec is allocated at exactly the size given as
 * its length or capacity, so a byte read or written outside is an ASan
 * report, not a silent pass.  A failed check prints what and where and
 * exits 1; success prints the number of checks made, which the pytest
 * requires to be non-zero (a mode that checked nothing fails).
 */
#define _POSIX_C_SOURCE 200809L

#include <lz4.h>        /* liblz4: -iquote keeps mmkit's "lz4.h" apart */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerrno.h"
#include "lz4.h"        /* mmkit */
#include "model.h"

static unsigned long checks;
static struct lz4_state state;

__attribute__((format(printf, 2, 3)))
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (ok)
		return;
	fprintf(stderr, "interop: FAILED: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* A heap copy of exactly @n bytes (ASan bounds); malloc(0) is a valid 0-byte block. */
static unsigned char *exact(const void *src, size_t n)
{
	unsigned char *p = malloc(n);

	if (n && !p)
		abort();
	if (n && src)
		memcpy(p, src, n);
	return p;
}

struct file {
	const char *name;
	unsigned char *data;
	size_t len;
};

static struct file read_file(const char *name)
{
	struct file f = { name, NULL, 0 };
	FILE *fp = fopen(name, "rb");
	long size;

	if (!fp || fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
		fprintf(stderr, "interop: cannot read %s\n", name);
		exit(2);
	}
	f.len = (size_t)size;
	f.data = exact(NULL, f.len);
	if (fread(f.data, 1, f.len, fp) != f.len) {
		fprintf(stderr, "interop: short read from %s\n", name);
		exit(2);
	}
	fclose(fp);
	return f;
}

/* --- one block, every way --------------------------------------------------- */

static const int mm_accel[] = { 1, 1, 2, 3, 8, 64, LZ4_ACCELERATION_MAX };
static const int lz_accel[] = { 2, 4, 8, 17, 100, 65537 };

static size_t total_in, total_mm, total_lz;

/* Decode @blk (@len bytes) with mmkit into exactly @cap bytes; must give @orig[0, n). */
static void mm_decodes_to(const unsigned char *blk, size_t len, size_t cap,
			  const unsigned char *orig, size_t n, const char *what, const char *src,
			  size_t size)
{
	unsigned char *in = exact(blk, len), *out = exact(NULL, cap);
	int r = lz4_decompress(in, len, out, cap);

	check(r == (int)n && !memcmp(out, orig, n),
	      "%s: %s, %zu bytes: mmkit decodes %d bytes (%s), expected %zu", src, what, size, r,
	      r < 0 ? kerr_name(r) : memcmp(out, orig, n) ? "other bytes" : "same bytes", n);
	free(in);
	free(out);
}

/*
 * @orig[0, n) through both codecs both ways: mmkit -> liblz4 and mmkit,
 * liblz4 (default and fast at @lz_acc) -> mmkit; mmkit's output within
 * both bounds; and the destination exactly as large as mmkit's block
 * works while one byte less fails cleanly.
 */
static void one_block(const unsigned char *orig_src, size_t n, int mm_acc, int lz_acc,
		      const char *src)
{
	unsigned char *orig = exact(orig_src, n);
	size_t bound = lz4_compress_bound(n);
	unsigned char *mm = exact(NULL, bound), *lz = exact(NULL, bound), *out, *tight;
	int r, l, lf;

	r = lz4_compress(orig, n, mm, bound, mm_acc, &state);
	check(r > 0 && (size_t)r <= bound && r <= LZ4_compressBound((int)n),
	      "%s: %zu bytes: lz4_compress(acceleration %d) = %d, bound %zu, liblz4's bound %d",
	      src, n, mm_acc, r, bound, LZ4_compressBound((int)n));
	if (n < LZ4_MIN_MATCH_INPUT)
		check(r == (int)n + 1, "%s: %zu bytes (below 13): %d bytes, expected all literals",
		      src, n, r);

	/* liblz4 decodes mmkit's block, into exactly n bytes. */
	out = exact(NULL, n);
	l = LZ4_decompress_safe((const char *)mm, (char *)out, r, (int)n);
	check(l == (int)n && !memcmp(out, orig, n),
	      "%s: %zu bytes: LZ4_decompress_safe of mmkit's block gives %d", src, n, l);
	free(out);
	mm_decodes_to(mm, (size_t)r, n, orig, n, "mmkit's own block", src, n);

	/* Exactly enough room: the same block.  One byte less: KERR_NOSPC, and
	 * ASan sees any write past the smaller buffer. */
	tight = exact(NULL, (size_t)r);
	check(lz4_compress(orig, n, tight, (size_t)r, mm_acc, &state) == r &&
	      !memcmp(tight, mm, (size_t)r),
	      "%s: %zu bytes: a destination of exactly %d bytes does not give the same block",
	      src, n, r);
	free(tight);
	tight = exact(NULL, (size_t)r - 1);
	l = lz4_compress(orig, n, tight, (size_t)r - 1, mm_acc, &state);
	check(l == KERR_NOSPC, "%s: %zu bytes: a destination of %d bytes (one short) gives %d",
	      src, n, r - 1, l);
	free(tight);

	/* mmkit decodes liblz4's blocks: default, and fast at @lz_acc. */
	l = LZ4_compress_default((const char *)orig, (char *)lz, (int)n, (int)bound);
	check(l > 0, "%s: %zu bytes: LZ4_compress_default failed", src, n);
	mm_decodes_to(lz, (size_t)l, n, orig, n, "liblz4 default", src, n);
	if (n) {
		/* One byte too small a destination for the decoder: refused. */
		unsigned char *in = exact(lz, (size_t)l), *small = exact(NULL, n - 1);
		int d = lz4_decompress(in, (size_t)l, small, n - 1);

		check(d == KERR_NOSPC, "%s: %zu bytes: decoding into %zu bytes gives %d", src, n,
		      n - 1, d);
		free(in);
		free(small);
	}
	if (mm_acc == 1) {   /* the ratio is compared at liblz4's default */
		total_in += n;
		total_mm += (size_t)r;
		total_lz += (size_t)l;
	}
	lf = LZ4_compress_fast((const char *)orig, (char *)lz, (int)n, (int)bound, lz_acc);
	check(lf > 0, "%s: %zu bytes: LZ4_compress_fast(%d) failed", src, n, lz_acc);
	mm_decodes_to(lz, (size_t)lf, n, orig, n, "liblz4 fast", src, n);

	free(orig);
	free(mm);
	free(lz);
}

/* Every size 0 .. 4096 from every file, each from its own place in the file. */
static int mode_sizes(int argc, char **argv)
{
	for (int fi = 0; fi < argc; fi++) {
		struct file f = read_file(argv[fi]);

		if (f.len < 4096) {
			fprintf(stderr, "interop: %s is shorter than 4096 bytes\n", f.name);
			return 2;
		}
		for (size_t n = 0; n <= 4096; n++) {
			size_t start = (size_t)((n * 2654435761u) % (f.len - n + 1));

			one_block(f.data + start, n, mm_accel[n % 7], lz_accel[n % 6], f.name);
		}
		free(f.data);
	}
	printf("interop: sizes: %d file(s) x 4097 sizes, %lu checks; compressed %zu -> mmkit %zu, "
	       "liblz4 %zu (acceleration 1)\n", argc, checks, total_in, total_mm, total_lz);
	return 0;
}

/* Larger blocks, from all files end to end; the largest allowed and one past it. */
static int mode_large(int argc, char **argv)
{
	static const size_t sizes[] = { 4097, 8192, 16384, 32768, 65535, LZ4_MAX_INPUT };
	unsigned char *all = NULL, *big, *out;
	size_t len = 0;
	int r, l;

	for (int fi = 0; fi < argc; fi++) {
		struct file f = read_file(argv[fi]);

		all = realloc(all, len + f.len);
		if (!all)
			abort();
		memcpy(all + len, f.data, f.len);
		len += f.len;
		free(f.data);
	}
	if (len < 4 * LZ4_MAX_INPUT) {
		fprintf(stderr, "interop: large needs %u bytes of input, got %zu\n",
			4 * LZ4_MAX_INPUT, len);
		return 2;
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t start = 0; start + sizes[i] <= len; start += len / 3)
			one_block(all + start, sizes[i], mm_accel[i % 7], lz_accel[i % 6],
				  "concatenated corpus");
	/* One byte past the limit: refused, nothing written. */
	big = exact(NULL, lz4_compress_bound(LZ4_MAX_INPUT));
	r = lz4_compress(all, LZ4_MAX_INPUT + 1, big, lz4_compress_bound(LZ4_MAX_INPUT), 1, &state);
	check(r == KERR_INVAL, "an input of LZ4_MAX_INPUT + 1 bytes gives %d", r);
	check(lz4_compress_bound(LZ4_MAX_INPUT + 1) == 0, "lz4_compress_bound past the limit");
	free(big);
	/* The decoder has no size limit: liblz4's block of 4 x 64 KiB. */
	big = exact(NULL, (size_t)LZ4_compressBound(4 * LZ4_MAX_INPUT));
	l = LZ4_compress_default((const char *)all, (char *)big, 4 * LZ4_MAX_INPUT,
				 LZ4_compressBound(4 * LZ4_MAX_INPUT));
	check(l > 0, "LZ4_compress_default of 256 KiB failed");
	out = exact(NULL, 4 * LZ4_MAX_INPUT);
	r = lz4_decompress(big, (size_t)l, out, 4 * LZ4_MAX_INPUT);
	check(r == 4 * LZ4_MAX_INPUT && !memcmp(out, all, 4 * LZ4_MAX_INPUT),
	      "mmkit decodes liblz4's 256 KiB block: %d", r);
	free(out);
	free(big);
	free(all);
	printf("interop: large: %lu checks\n", checks);
	return 0;
}

/* --- edge cases --------------------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int mode_edge(void)
{
	unsigned char page[4096] = { 0 }, blk[4096 + 64], dirty[4096 + 64], out[4096];
	unsigned char one = 0;
	int r, l;

	/* Empty input: the single token 0x00, which both decoders take as empty. */
	r = lz4_compress(page, 0, blk, sizeof(blk), 1, &state);
	check(r == 1 && blk[0] == 0, "empty input compresses to %d bytes, first 0x%02x", r, blk[0]);
	l = LZ4_compress_default((const char *)page, (char *)blk + 1, 0, 16);
	check(l == 1 && blk[1] == 0, "liblz4's empty block is %d bytes", l);
	check(lz4_decompress(blk, 1, out, 0) == 0, "[0x00] into 0 bytes");
	check(lz4_decompress(blk, 1, out, sizeof(out)) == 0, "[0x00] into 4 KiB");
	check(lz4_decompress(blk, 1, NULL, 0) == 0, "[0x00] into NULL, 0 bytes");
	check(lz4_compress(NULL, 0, &one, 1, 1, &state) == 1 && one == 0, "NULL, 0 bytes");
	check(lz4_compress(NULL, 0, &one, 0, 1, &state) == KERR_NOSPC,
	      "empty input, no room for the token");

	/* 1 .. 13 bytes: all literals, n + 1 bytes, same as liblz4's. */
	for (size_t n = 1; n <= 13; n++) {
		unsigned char lz[32];

		memset(page, 'a', n);        /* as compressible as it gets */
		r = lz4_compress(page, n, blk, sizeof(blk), 1, &state);
		l = LZ4_compress_default((const char *)page, (char *)lz, (int)n, sizeof(lz));
		if (n < 13)
			check(r == (int)n + 1 && r == l && !memcmp(blk, lz, (size_t)r),
			      "%zu bytes of 'a': mmkit %d bytes, liblz4 %d", n, r, l);
		else
			check(r < (int)n + 1 && r == l,
			      "13 bytes of 'a' (the first size with a match): mmkit %d, liblz4 %d",
			      r, l);
	}

	/* Exactly 4 KiB, random: incompressible, stays within the bound. */
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (unsigned char)next();
	r = lz4_compress(page, sizeof(page), blk, sizeof(blk), 1, &state);
	check(r > 4096 && (size_t)r <= lz4_compress_bound(4096) &&
	      r <= LZ4_compressBound(4096),
	      "random 4 KiB: %d bytes, bound %zu", r, lz4_compress_bound(4096));
	check(lz4_decompress(blk, (size_t)r, out, sizeof(out)) == 4096 &&
	      !memcmp(out, page, sizeof(page)), "random 4 KiB round trip");
	memcpy(dirty, blk, (size_t)r);
	check(lz4_compress(page, sizeof(page), blk, 4096, 1, &state) == KERR_NOSPC,
	      "random 4 KiB into 4 KiB (the store's test for incompressible)");
	check(lz4_compress(page, sizeof(page), blk, sizeof(blk), 1, &state) == r &&
	      !memcmp(blk, dirty, (size_t)r), "a failed call changes the next one's output");

	/* Accelerations: below 1 is 1, above the maximum is the maximum, and
	 * the output never depends on what the state held before. */
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (unsigned char)("abcdefgh"[next() % 8]);
	r = lz4_compress(page, sizeof(page), blk, sizeof(blk), 1, &state);
	memset(&state, 0xa5, sizeof(state));
	l = lz4_compress(page, sizeof(page), dirty, sizeof(dirty), 1, &state);
	check(l == r && !memcmp(blk, dirty, (size_t)r), "a dirty state changes the output");
	check(lz4_compress(page, sizeof(page), dirty, sizeof(dirty), 0, &state) == r &&
	      !memcmp(blk, dirty, (size_t)r), "acceleration 0 is not 1");
	check(lz4_compress(page, sizeof(page), dirty, sizeof(dirty), -7, &state) == r &&
	      !memcmp(blk, dirty, (size_t)r), "acceleration -7 is not 1");
	r = lz4_compress(page, sizeof(page), blk, sizeof(blk), LZ4_ACCELERATION_MAX, &state);
	l = lz4_compress(page, sizeof(page), dirty, sizeof(dirty), __INT_MAX__, &state);
	check(r > 0 && l == r && !memcmp(blk, dirty, (size_t)r),
	      "acceleration INT_MAX is not LZ4_ACCELERATION_MAX");
	for (int a = 1; a <= 1024; a *= 2) {
		r = lz4_compress(page, sizeof(page), blk, sizeof(blk), a, &state);
		check(r > 0 && lz4_decompress(blk, (size_t)r, out, sizeof(out)) == 4096 &&
		      !memcmp(out, page, sizeof(page)), "acceleration %d round trip", a);
	}

	/* Arguments. */
	check(lz4_compress(NULL, 1, blk, sizeof(blk), 1, &state) == KERR_INVAL, "NULL source");
	check(lz4_compress(page, 1, NULL, 8, 1, &state) == KERR_INVAL, "NULL destination");
	check(lz4_compress(page, 1, blk, sizeof(blk), 1, NULL) == KERR_INVAL, "NULL state");
	check(lz4_decompress(NULL, 1, out, 8) == KERR_INVAL, "decode from NULL");
	check(lz4_decompress(blk, 1, NULL, 8) == KERR_INVAL, "decode into NULL");
	check(lz4_decompress(blk, 0, out, 8) == KERR_CORRUPT, "an empty block");
	printf("interop: edge: %lu checks\n", checks);
	return 0;
}

/* --- misuse: bad blocks ------------------------------------------------------------ */

/* Decode @blk with mmkit into exactly @cap bytes; the model must agree on
 * the verdict, and mmkit must give @want. */
static int refused(const unsigned char *blk, size_t len, size_t cap, int want, const char *what)
{
	unsigned char *in = exact(blk, len), *out = exact(NULL, cap), *mo = exact(NULL, cap);
	size_t mlen;
	int r = lz4_decompress(in, len, out, cap);
	enum model_verdict v = model_decode(in, len, mo, cap, &mlen);

	check(r == want, "%s: mmkit gives %d (%s), expected %s", what, r, kerr_name(r),
	      kerr_name(want));
	check(v != MODEL_OK, "%s: the model accepts it", what);
	free(in);
	free(out);
	free(mo);
	return r;
}

/* What liblz4 makes of it, into exactly @cap bytes. */
static int liblz4(const unsigned char *blk, size_t len, size_t cap)
{
	unsigned char *in = exact(blk, len), *out = exact(NULL, cap);
	int r = LZ4_decompress_safe((const char *)in, (char *)out, (int)len, (int)cap);

	free(in);
	free(out);
	return r;
}

/*
 * A well-formed block, 34 bytes, decoding to 48:
 *   [0]      token 0xff: 15+ literals, match length 19+
 *   [1]      literal length extension 1: 16 literals
 *   [2..17]  "ABCDEFGHIJKLMNOP"
 *   [18..19] offset 16
 *   [20]     match length extension 1: 20 bytes
 *   [21]     last token 0xc0: 12 literals, no match
 *   [22..33] "abcdefghijkl"
 */
enum { OFF_LO = 18, OFF_HI = 19, ML_EXT = 20, LAST = 21, GOOD_LEN = 34, GOOD_OUT = 48 };

static size_t build_good(unsigned char *b, unsigned char *expect)
{
	size_t i = 0;

	b[i++] = 0xff;
	b[i++] = 1;
	for (int k = 0; k < 16; k++)
		b[i++] = (unsigned char)('A' + k);
	b[i++] = 16;
	b[i++] = 0;
	b[i++] = 1;
	b[i++] = 0xc0;
	for (int k = 0; k < 12; k++)
		b[i++] = (unsigned char)('a' + k);
	for (int k = 0; k < 36; k++)
		expect[k] = (unsigned char)('A' + k % 16);
	for (int k = 0; k < 12; k++)
		expect[36 + k] = (unsigned char)('a' + k);
	return i;
}

static int mode_misuse(void)
{
	unsigned char b[256], expect[GOOD_OUT];
	size_t len;
	int r;

	/* The positive control: the block decodes, the same both ways. */
	len = build_good(b, expect);
	check(len == GOOD_LEN, "the good block is %zu bytes", len);
	mm_decodes_to(b, len, GOOD_OUT, expect, GOOD_OUT, "the good block, exact room", "misuse",
		      len);
	mm_decodes_to(b, len, 200, expect, GOOD_OUT, "the good block, spare room", "misuse", len);
	check(liblz4(b, len, GOOD_OUT) == GOOD_OUT, "liblz4 on the good block");

	/* Offset 0: refused (liblz4 decodes it as zeroes, a liberty it takes). */
	b[OFF_LO] = 0;
	refused(b, len, GOOD_OUT, KERR_CORRUPT, "offset 0");
	/* One before the output's start (16 bytes written, offset 17), and
	 * the largest offset with only 16 bytes written: refused by both. */
	b[OFF_LO] = 17;
	refused(b, len, GOOD_OUT, KERR_CORRUPT, "offset 17 after 16 bytes");
	check(liblz4(b, len, GOOD_OUT) < 0, "liblz4 takes offset 17 after 16 bytes");
	b[OFF_LO] = 0xff;
	b[OFF_HI] = 0xff;
	refused(b, len, GOOD_OUT, KERR_CORRUPT, "offset 65535 after 16 bytes");

	/* Truncated at every position: refused, or (cut right after a literal
	 * run, where the prefix is itself a block) a shorter prefix of the
	 * output that liblz4 decodes the same; never the whole output. */
	len = build_good(b, expect);
	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *in = exact(b, cut), *o = exact(NULL, GOOD_OUT);
		unsigned char *lo = exact(NULL, GOOD_OUT);

		r = lz4_decompress(in, cut, o, GOOD_OUT);
		if (r >= 0) {
			int l = LZ4_decompress_safe((const char *)in, (char *)lo, (int)cut, GOOD_OUT);

			check(r < GOOD_OUT && !memcmp(o, expect, (size_t)r) && l == r &&
			      !memcmp(lo, o, (size_t)r),
			      "cut at %zu: accepted as %d bytes (liblz4 %d)", cut, r, l);
		} else {
			check(r == KERR_CORRUPT, "cut at %zu: %s", cut, kerr_name(r));
		}
		free(in);
		free(o);
		free(lo);
	}

	/* Literals past the input (16 announced, 5 there), past the output. */
	refused(b, 7, GOOD_OUT, KERR_CORRUPT, "literals past the end of the input");
	refused(b, len, 10, KERR_NOSPC, "literals past the end of the output");
	/* A match past the output: 16 + 20 bytes into 35. */
	refused(b, len, 35, KERR_NOSPC, "a match past the end of the output");
	/* A match length extension cut short, and a block ending after a match. */
	b[ML_EXT] = 255;
	refused(b, ML_EXT + 1, 1000, KERR_CORRUPT, "a match length extension cut short");
	b[ML_EXT] = 1;
	refused(b, ML_EXT + 1, 1000, KERR_CORRUPT, "a block that ends with a match");
	/* A length extension of 255s to the end of the input: never overflows. */
	memset(b, 0xff, sizeof(b));
	b[0] = 0xf0;
	refused(b, sizeof(b), 256, KERR_NOSPC, "a literal length of 255s, 256 bytes of room");
	refused(b, sizeof(b), 1u << 20, KERR_CORRUPT, "a literal length of 255s, 1 MiB of room");
	len = build_good(b, expect);
	memset(b + ML_EXT, 0xff, sizeof(b) - ML_EXT);
	refused(b, sizeof(b), 1u << 20, KERR_CORRUPT, "a match length of 255s, 1 MiB of room");

	/* End-of-block rules.  4 final literals (< 5); liblz4 takes it when
	 * there is room beyond (it checks the capacity, not the end). */
	len = build_good(b, expect);
	b[LAST] = 0x40;
	refused(b, LAST + 1 + 4, 100, KERR_CORRUPT, "4 final literals");
	check(liblz4(b, LAST + 1 + 4, 100) == 40, "liblz4 on 4 final literals, spare room");
	/* A 4-byte match followed by 5 literals starts 9 bytes before the end (< 12);
	 * followed by 8, 12 bytes before: fine. */
	b[0] = 0xf0;
	b[ML_EXT] = 0x50;
	for (int k = 0; k < 8; k++)
		b[ML_EXT + 1 + k] = (unsigned char)('a' + k);
	refused(b, ML_EXT + 1 + 5, 100, KERR_CORRUPT, "the last match 9 bytes before the end");
	b[ML_EXT] = 0x80;
	memcpy(expect + 20, "abcdefgh", 8);
	mm_decodes_to(b, ML_EXT + 1 + 8, 28, expect, 28, "the last match 12 bytes before the end",
		      "misuse", 28);
	check(liblz4(b, ML_EXT + 1 + 8, 28) == 28, "liblz4: the last match 12 before the end");
	/* The last token announcing a match that is not there. */
	b[ML_EXT] = 0x81;
	refused(b, ML_EXT + 1 + 8, 100, KERR_CORRUPT, "the last token has a match length");
	b[0] = 0x01;
	refused(b, 1, 0, KERR_CORRUPT, "[0x01] into 0 bytes");
	check(liblz4(b, 1, 0) < 0, "liblz4 on [0x01] into 0 bytes");

	/* Overlapping matches: every offset 1 .. 20 and lengths 4 .. 70, with
	 * the exact capacity (byte path) and spare room (wide path). */
	for (size_t off = 1; off <= 20; off++) {
		for (size_t ml = 4; ml <= 70; ml++) {
			unsigned char want[128];
			size_t i = 0, total = off + ml + 12;

			b[i++] = (unsigned char)((off < 15 ? off : 15) << 4 |
						 (ml - 4 < 15 ? ml - 4 : 15));
			if (off >= 15)
				b[i++] = (unsigned char)(off - 15);
			for (size_t k = 0; k < off; k++)
				b[i++] = want[k] = (unsigned char)(k * 7 + 1);
			b[i++] = (unsigned char)off;
			b[i++] = 0;
			if (ml - 4 >= 15)
				b[i++] = (unsigned char)(ml - 4 - 15);
			for (size_t k = off; k < off + ml; k++)
				want[k] = want[k - off];
			b[i++] = 0xc0;
			for (size_t k = 0; k < 12; k++)
				b[i++] = want[off + ml + k] = (unsigned char)(200 + k);
			mm_decodes_to(b, i, total, want, total, "overlap, exact room", "misuse", off);
			mm_decodes_to(b, i, total + 40, want, total, "overlap, spare room",
				      "misuse", off);
			check(liblz4(b, i, total) == (int)total, "liblz4 on offset %zu length %zu",
			      off, ml);
		}
	}

	/* Garbage: every verdict the model's, never a sanitizer report.  (The
	 * fuzz run does this at scale; here a fixed few on every test run.) */
	for (unsigned int round = 0; round < 20000; round++) {
		size_t glen = next() % 64, cap = next() % 128, mlen;
		unsigned char *in, *o, *mo;
		enum model_verdict v;

		for (size_t k = 0; k < glen; k++)
			b[k] = (unsigned char)next();
		in = exact(b, glen);
		o = exact(NULL, cap);
		mo = exact(NULL, cap);
		r = lz4_decompress(in, glen, o, cap);
		v = model_decode(in, glen, mo, cap, &mlen);
		check((r >= 0) == (v == MODEL_OK) && (r < 0 || ((size_t)r == mlen &&
		      !memcmp(o, mo, mlen))), "garbage round %u: mmkit %d, model %s", round, r,
		      model_verdict_name(v));
		free(in);
		free(o);
		free(mo);
	}
	printf("interop: misuse: %lu checks\n", checks);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "sizes"))
		return mode_sizes(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "large"))
		return mode_large(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "edge"))
		return mode_edge();
	if (argc == 2 && !strcmp(argv[1], "misuse"))
		return mode_misuse();
	fprintf(stderr, "usage: interop sizes FILE... | large FILE... | edge | misuse\n");
	return 2;
}
