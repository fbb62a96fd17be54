/*
 * fuzz_gen.c - the seeded stream of operations (fuzz_ops.h).
 *
 * xorshift64*: the same seed gives the same stream on every host.  The
 * mix leans on allocation and free (the allocators' common paths), with
 * every other call often enough that ten million operations reach each
 * thousands of times.  Sizes are mostly small, as real programs' are,
 * with a tail up to 128 KiB that reaches whole-page allocations; page
 * orders are mostly low, with a tail up to order 10 (4 MiB): together at
 * most a few MiB live at once, far below the fuzz variants' RAM, so that
 * no allocation the model expects to succeed may fail.
 */
#include "fuzz_ops.h"

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)((next() >> 16) % n);
}

void fuzz_gen_init(uint64_t seed)
{
	/* Never 0 (xorshift's fixed point); the first outputs mixed well. */
	rng = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	if (!rng)
		rng = 1;
	for (int i = 0; i < 8; i++)
		next();
}

static uint32_t size(void)
{
	uint32_t r = below(100);

	if (r < 70)
		return 1 + below(256);
	if (r < 92)
		return 257 + below(4096 - 256);
	if (r < 99)
		return 4097 + below(32768 - 4096);
	return 32769 + below(131072 - 32768);
}

static uint32_t align(void)
{
	uint32_t r = below(40);

	if (r == 0)
		return 3 + 2 * below(100);     /* not a power of two */
	if (r == 1)
		return 8192;                   /* above PAGE_SIZE */
	if (r == 2)
		return 0;                      /* the default */
	return 1u << below(13);                /* 1 .. 4096 */
}

void fuzz_gen_next(struct fuzz_op *op)
{
	uint32_t r = below(1000);

	*op = (struct fuzz_op){ .slot = (uint16_t)below(FUZZ_SLOTS) };
	/* A full check reads every live byte written: one operation in 10000. */
	if (below(10000) == 0) {
		op->kind = OP_CHECK;
	} else if (r < 250) {
		op->kind = OP_KMALLOC;
		op->a = size();
	} else if (r < 290) {
		op->kind = OP_KZALLOC;
		op->a = size();
	} else if (r < 310) {
		op->kind = OP_KCALLOC;
		if (below(50)) {
			op->a = 1 + below(16);
			op->b = 1 + below(512);
		} else {   /* n * size overflows (fuzz_ops.h) */
			op->a = 0x80000000u + below(1000);
			op->b = 0x80000000u + below(1000);
		}
	} else if (r < 340) {
		op->kind = OP_KMALLOC_TRY;
		op->a = below(100) ? size() : 0;
	} else if (r < 370) {
		op->kind = OP_KMALLOC_ALIGN;
		op->a = size();
		op->b = align();
	} else if (r < 450) {
		op->kind = OP_KREALLOC;
		op->a = below(40) ? size() : 0;
		op->b = below(4) == 0;
	} else if (r < 780) {
		op->kind = OP_FREE;
		op->a = below(4) == 0;
	} else if (r < 810) {
		uint32_t o = below(100);

		op->kind = OP_PAGES;
		op->a = o < 60 ? 0 : o < 85 ? 1 + below(2) : o < 98 ? 3 + below(3) : 6 + below(5);
		op->b = below(4) == 0;
	} else if (r < 820) {
		op->kind = OP_PAGE_ALLOC;
		op->a = 1 + below(below(8) ? 8 : 100);
	} else if (r < 900) {
		op->kind = OP_CACHE_ALLOC;
		op->a = below(4);
		op->b = below(4) == 0;
	} else if (r < 903) {
		op->kind = OP_CACHE_REMAKE;
		op->a = below(4);
		op->b = 1 + below(below(4) ? 256 : 4000);
	} else if (r < 950) {
		op->kind = OP_POOL_ALLOC;
		op->a = below(3);
	} else if (r < 952) {
		op->kind = OP_POOL_REMAKE;
		op->a = below(3);
		op->b = (uint32_t)next();
	} else if (r < 955) {
		op->kind = OP_POOL_SHRINK;
		op->a = below(3);
	} else if (r < 965) {
		/* Closing is likelier than opening: about half the stream runs outside one. */
		op->kind = OP_TXN_BEGIN;
		op->a = below(30) ? below(2) : 2 + below(5);
	} else if (r < 978) {
		op->kind = OP_TXN_COMMIT;
	} else if (r < 990) {
		op->kind = OP_TXN_ABORT;
	} else if (r < 996) {
		op->kind = OP_SET_MODE;
		op->a = below(20) ? below(3) : 3 + below(10);
	} else {
		op->kind = OP_DRAIN;
	}
}
