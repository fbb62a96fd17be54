/*
 * fuzz_model.c - the allocator API against a shadow model.
 *
 * The model knows, for every slot, what lives there (a kmalloc object,
 * pages, a slab cache's object, a pool's object), its size, the pattern
 * written into it and which open transaction recorded it; and for the
 * transactions, their flags and the error that doomed them.  From that it
 * says what each call must do - succeed, or fail with which error - and
 * checks what the call did:
 *
 *   - a result is aligned as promised (mm.h, page_alloc.h, slab.h, pool.h),
 *     usable for ksize() bytes at least as many as asked, zeroed when asked;
 *   - a live allocation keeps its pattern until it is freed (checked at
 *     every free, realloc, abort and full check): no allocation overlaps
 *     another, and nothing the allocators do writes into one;
 *   - every checked free returns 0; no allocation the model expects to
 *     succeed fails (the stream keeps a few MiB live, far below RAM);
 *   - the kmalloc live count, each cache's and pool's in-use count match
 *     the model's at every full check;
 *   - after the end (everything freed, every cache and pool destroyed,
 *     the caches drained), the free pages, the slab objects, the kmalloc
 *     live count, the SimpleHeap region's free bytes and the misuse count
 *     are what they were before the first operation.
 *
 * Transactions follow mm_txn.h word for word: a record per successful
 * kmalloc-API allocation, removed by a free, kept by an in-place or moving
 * realloc and never made by a realloc of an older pointer; commit hands
 * records to the enclosing transaction, abort frees them; a failure inside
 * rolls back from the outermost MM_TXN_ABORT_ON_FAILURE transaction and
 * dooms it with everything nested in it.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_ops.h"
#include "kerrno.h"
#include "kernel.h"
#include "mm.h"
#include "mm_txn.h"
#include "page_alloc.h"
#ifdef CONFIG_POOLS
#include "pool.h"
#endif
#ifdef CONFIG_SLAB
#include "slab.h"
#endif

struct fuzz_totals fuzz_totals;

enum slot_kind { S_EMPTY, S_KMALLOC, S_PAGES, S_PAGE_RUN, S_CACHE, S_POOL };

struct slot {
	uint8_t kind;
	uint8_t rec;        /* level (1 = outermost) of the transaction holding its record; 0: none */
	uint8_t owner;      /* cache or pool index; page order */
	void *p;
	size_t size;        /* bytes asked for (pages: bytes of the block) */
	uint64_t id;        /* what its pattern is made from */
};

static struct slot slots[FUZZ_SLOTS];
static uint64_t next_id = 1;
static size_t km_live, live_total;

#define NR_CACHES 4
#define NR_POOLS 3
/* The largest block the stream asks for: order 10 (4 MiB), or the buddy's largest if smaller. */
#if defined(CONFIG_PAGE_ALLOC_BUDDY) && CONFIG_BUDDY_MAX_ORDER < 10
#define MAX_ORDER_USED CONFIG_BUDDY_MAX_ORDER
#else
#define MAX_ORDER_USED 10
#endif

struct frame {
	unsigned int flags;
	int doomed;
};
static struct frame frames[MM_TXN_MAX_DEPTH];
static unsigned int depth;
static size_t txn_nr;

/* Before the first operation, after a drain. */
static struct mm_stats start;
#ifdef CONFIG_MM_HYBRID
static enum mm_hybrid_mode start_mode;
#endif

static const char *const kind_names[] = {
	[S_EMPTY] = "empty", [S_KMALLOC] = "kmalloc object", [S_PAGES] = "alloc_pages block",
	[S_PAGE_RUN] = "page_alloc run", [S_CACHE] = "cache object", [S_POOL] = "pool object",
};

/* --- patterns ------------------------------------------------------------------
 *
 * The byte at offset i of an allocation with id is a function of (id, i):
 * its id's bytes in the first 8, then a byte from the id that changes
 * every 512 bytes.  Allocations of up to 512 bytes are written whole;
 * larger ones in 32 bytes of every 512 and their last 32, so that a
 * check costs 1/16 of the bytes and any overlap of 32 bytes or more with
 * another allocation still shows.
 */
#define DENSE 512u
#define CHUNK 32u

static inline uint8_t pattern(uint64_t id, size_t i)
{
	if (i < 8)
		return (uint8_t)(id >> (8 * i));
	return (uint8_t)(((id * 0x9e3779b97f4a7c15ull) >> 56) + (i >> 9)) | 1u;
}

/* Call @fn over the ranges of an allocation of @len bytes that its pattern covers, below @upto. */
#define for_each_range(len, upto, lo, hi, body) do {                            \
	size_t len_ = (len), upto_ = (upto), lo, hi;                            \
	if (len_ <= DENSE) {                                                    \
		lo = 0; hi = MIN(len_, upto_);                                  \
		if (lo < hi) { body; }                                          \
	} else {                                                                \
		for (size_t o_ = 0; o_ < len_; o_ += DENSE) {                   \
			lo = o_; hi = MIN(MIN(o_ + CHUNK, len_), upto_);        \
			if (lo < hi) { body; }                                  \
		}                                                               \
		lo = len_ - CHUNK; hi = MIN(len_, upto_);                       \
		if (lo < hi) { body; }                                          \
	}                                                                       \
} while (0)

static void fill(void *p, size_t len, uint64_t id)
{
	uint8_t *b = p;

	for_each_range(len, len, lo, hi, {
		for (size_t i = lo; i < hi; i++)
			b[i] = pattern(id, i);
	});
}

static void check(const struct slot *s, size_t upto, const char *when)
{
	const uint8_t *b = s->p;

	for_each_range(s->size, upto, lo, hi, {
		fuzz_totals.bytes_checked += hi - lo;
		for (size_t i = lo; i < hi; i++) {
			if (b[i] != pattern(s->id, i))
				fuzz_fail("%s %p (%zu bytes): byte %zu is 0x%02x, not 0x%02x (%s)",
					  kind_names[s->kind], s->p, s->size, i, b[i],
					  pattern(s->id, i), when);
		}
	});
}

static void check_zero(const void *p, size_t len, const char *what)
{
	const uint8_t *b = p;

	/* The pattern's positions, and the whole of a small one. */
	for_each_range(len, len, lo, hi, {
		for (size_t i = lo; i < hi; i++) {
			if (b[i])
				fuzz_fail("%s %p (%zu bytes) asked zeroed: byte %zu is 0x%02x",
					  what, p, len, i, b[i]);
		}
	});
}

static void check_align(const void *p, size_t align, const char *what, size_t size)
{
	if ((uintptr_t)p & (align - 1))
		fuzz_fail("%s %p (%zu bytes) is not aligned to %zu", what, p, size, align);
}

/* A new allocation in @s: the pattern, the counts. */
static void occupy(struct slot *s, enum slot_kind kind, void *p, size_t size, unsigned int owner)
{
	*s = (struct slot){ .kind = (uint8_t)kind, .p = p, .size = size, .owner = (uint8_t)owner,
			    .id = next_id++ };
	fill(p, size, s->id);
	fuzz_totals.allocs++;
	if (++live_total > fuzz_totals.live_peak)
		fuzz_totals.live_peak = live_total;
	if (fuzz_plant == PLANT_STRAY && kind == S_KMALLOC && size % 97 == 13)
		((uint8_t *)p)[size / 2] ^= 0x5a;   /* a stray write the model does not know of */
}

/* --- slab caches and pools ------------------------------------------------------ */

#ifdef CONFIG_SLAB
static struct kmem_cache *caches[NR_CACHES];
static size_t cache_size[NR_CACHES], cache_align[NR_CACHES], cache_live[NR_CACHES];
static const size_t cache_initial[NR_CACHES] = { 24, 100, 512, 3000 };

static void cache_make(unsigned int i, size_t size, size_t align)
{
	static const char *const names[NR_CACHES] = { "fuzz-0", "fuzz-1", "fuzz-2", "fuzz-3" };

	caches[i] = kmem_cache_create(names[i], size, align, NULL);
	if (!caches[i])
		fuzz_fail("kmem_cache_create(%s, %zu, %zu) failed", names[i], size, align);
	cache_size[i] = size;
	cache_align[i] = align ? align : sizeof(void *);
}
#endif

#ifdef CONFIG_POOLS
static struct pool *pools[NR_POOLS];
static struct pool_params pool_pp[NR_POOLS];
static size_t pool_live[NR_POOLS];

static void pool_make(unsigned int i, uint32_t seed)
{
	static const char *const names[NR_POOLS] = { "fuzz-pool-0", "fuzz-pool-1", "fuzz-pool-2" };
	struct pool_params *pp = &pool_pp[i];
	uint32_t r = seed;

	pp->name = names[i];
	pp->size = 1 + r % MIN((size_t)1024, (size_t)POOL_MAX_SIZE);
	r /= 1024;
	pp->align = (r % 4 == 0) ? (size_t)1 << (r / 4 % 7) : 0;
	r /= 32;
	pp->count = 1 + r % 32;
	r /= 32;
	pp->min_nr = r % (pp->count + 1);
	r /= 33;
	pp->grow = r % 3 ? r % 17 : 0;
	r /= 17;
	pp->max = r % 2 ? pp->count + r % 64 : 0;
	pp->ctor = NULL;
	pools[i] = pool_create(pp);
	if (!pools[i])
		fuzz_fail("pool_create(%s: size %zu, align %zu, count %zu, min_nr %zu, grow %zu, "
			  "max %zu) failed", pp->name, pp->size, pp->align, pp->count, pp->min_nr,
			  pp->grow, pp->max);
}

/* Most objects the pool may hand out at once (pool.h: growth up to max). */
static size_t pool_limit(unsigned int i)
{
	const struct pool_params *pp = &pool_pp[i];

	if (pp->max)
		return pp->max;
	return pp->grow ? SIZE_MAX : pp->count;
}
#endif

/* --- transactions --------------------------------------------------------------- */

/* The error an allocation attempt meets first inside the open transactions (0: none). */
static int doom(void)
{
	return depth ? frames[depth - 1].doomed : 0;
}

/* The slot's contents are gone: the allocator freed them (rollback, abort). */
static void forget(struct slot *s)
{
	if (s->rec)
		txn_nr--;
	if (s->kind == S_KMALLOC)
		km_live--;
	live_total--;
	*s = (struct slot){ 0 };
}

/* mm_txn_failed(): an allocation inside failed with @err. */
static void txn_failed(int err)
{
	unsigned int k;

	for (k = 0; k < depth; k++) {
		if (frames[k].flags & MM_TXN_ABORT_ON_FAILURE)
			break;
	}
	if (k == depth)
		return;
	for (unsigned int i = 0; i < FUZZ_SLOTS; i++) {
		if (slots[i].rec > k)
			forget(&slots[i]);
	}
	for (unsigned int j = k; j < depth; j++) {
		if (!frames[j].doomed)
			frames[j].doomed = err;
	}
}

/* --- freeing ---------------------------------------------------------------------- */

static void release(struct slot *s, bool checked)
{
	int err = 0;

	if (s->kind == S_EMPTY)
		return;
	check(s, s->size, "before its free");
	switch (s->kind) {
	case S_KMALLOC:
		if (fuzz_plant == PLANT_LEAK && s->size % 97 == 13)
			break;   /* the harness "forgets" to free it: the end must notice */
		if (checked)
			err = kfree_checked(s->p);
		else
			kfree(s->p);
		break;
	case S_PAGES:
		err = free_pages(s->p, s->owner);
		break;
	case S_PAGE_RUN:
		err = page_free(s->p, s->size / PAGE_SIZE);
		break;
#ifdef CONFIG_SLAB
	case S_CACHE:
		if (checked)
			err = kmem_cache_free_checked(caches[s->owner], s->p);
		else
			kmem_cache_free(caches[s->owner], s->p);
		cache_live[s->owner]--;
		break;
#endif
#ifdef CONFIG_POOLS
	case S_POOL:
		if (checked)
			err = pool_free_checked(pools[s->owner], s->p);
		else
			pool_free(pools[s->owner], s->p);
		pool_live[s->owner]--;
		break;
#endif
	default:
		break;
	}
	if (err)
		fuzz_fail("freeing %s %p (%zu bytes) returned %d", kind_names[s->kind], s->p,
			  s->size, err);
	fuzz_totals.frees++;
	forget(s);
}

/* --- the kmalloc API ------------------------------------------------------------ */

/*
 * One kmalloc-API allocation into @s: @expect is the error the model
 * says it must fail with (0: it must succeed); @p and @err what it did
 * (@err as the fallible forms say it; -1 where the call says nothing).
 */
static void kmalloc_outcome(struct slot *s, const char *what, void *p, int err, int expect,
			    size_t size, size_t align, bool zeroed)
{
	if (expect) {
		if (p || (err != -1 && err != expect))
			fuzz_fail("%s(%zu, align %zu) gave %p, error %d: expected error %d", what,
				  size, align, p, err, expect);
		fuzz_totals.failures_expected++;
		if (depth)
			txn_failed(expect);
		return;
	}
	if (!p || (err != -1 && err))
		fuzz_fail("%s(%zu, align %zu) failed (error %d) with %zu allocations live", what,
			  size, align, err, live_total);
	check_align(p, MAX(align, (size_t)KMALLOC_MIN_ALIGN), what, size);
	if (ksize(p) < size)
		fuzz_fail("%s(%zu): ksize() is %zu", what, size, ksize(p));
	if (zeroed)
		check_zero(p, size, what);
	/* The usable size is the caller's: its last byte takes a write. */
	((volatile uint8_t *)p)[ksize(p) - 1] = 0xee;
	occupy(s, S_KMALLOC, p, size, 0);
	km_live++;
	if (depth) {
		s->rec = (uint8_t)depth;
		txn_nr++;
	}
}

/* What the model expects of an allocation of @size (@bad: the request's own error). */
static int kmalloc_expect(int bad)
{
	int err = doom();

	if (!err)
		err = bad;
	if (!err && depth && txn_nr == MM_TXN_MAX_RECORDS)
		err = KERR_LIMIT;
	return err;
}

static void op_kmalloc(const struct fuzz_op *op, struct slot *s)
{
	size_t size = op->a, align = 0;
	void *p = NULL;
	int err = -1, expect;
	bool zeroed = false;
	const char *what = fuzz_op_names[op->kind];

	release(s, false);
	switch (op->kind) {
	case OP_KMALLOC:
		expect = kmalloc_expect(0);
		p = kmalloc(size, GFP_KERNEL);
		break;
	case OP_KZALLOC:
		expect = kmalloc_expect(0);
		p = kzalloc(size, GFP_KERNEL);
		zeroed = true;
		break;
	case OP_KCALLOC: {
		/* A count of 2^31 or more stands for that count times 2^32 (fuzz_ops.h). */
		size_t n = op->a >= 0x80000000u ? (size_t)op->a << 32 : op->a, bytes;

		/* An overflowing product is refused before the transaction is asked. */
		if (__builtin_mul_overflow(n, (size_t)op->b, &bytes)) {
			expect = KERR_INVAL;
			bytes = 0;
		} else {
			expect = kmalloc_expect(bytes ? 0 : KERR_INVAL);
		}
		p = kcalloc(n, op->b, GFP_KERNEL);
		size = bytes;
		zeroed = true;
		break;
	}
	case OP_KMALLOC_TRY:
		expect = kmalloc_expect(size ? 0 : KERR_INVAL);
		err = kmalloc_try(size, GFP_KERNEL, &p);
		break;
	default:   /* OP_KMALLOC_ALIGN */
		align = op->b;
		expect = kmalloc_expect((align & (align - 1)) || align > PAGE_SIZE ? KERR_ALIGN : 0);
		err = kmalloc_align_try(size, align, GFP_KERNEL, &p);
		break;
	}
	kmalloc_outcome(s, what, p, err, expect, size, align, zeroed);
}

static void op_krealloc(const struct fuzz_op *op, struct slot *s)
{
	gfp_t flags = op->b ? __GFP_ZERO : GFP_KERNEL;
	size_t size = op->a, old_usable;
	int err;
	void *q;

	if (s->kind != S_KMALLOC) {
		/* krealloc(NULL, n) is kmalloc(n): recorded like one. */
		release(s, false);
		q = krealloc(NULL, size, flags);
		kmalloc_outcome(s, "krealloc(NULL)", q, -1, kmalloc_expect(size ? 0 : KERR_INVAL),
				size, 0, op->b);
		return;
	}
	if (!size) {
		check(s, s->size, "before krealloc(p, 0)");
		q = krealloc(s->p, 0, flags);
		if (q)
			fuzz_fail("krealloc(%p, 0) returned %p", s->p, q);
		fuzz_totals.frees++;
		forget(s);
		return;
	}
	check(s, s->size, "before krealloc");
	err = doom();
	old_usable = ksize(s->p);
	q = krealloc(s->p, size, flags);
	if (err) {
		if (q)
			fuzz_fail("krealloc(%p, %zu) in a doomed transaction returned %p", s->p,
				  size, q);
		fuzz_totals.failures_expected++;
		txn_failed(err);
		return;
	}
	if (!q)
		fuzz_fail("krealloc(%p, %zu bytes -> %zu) failed with %zu allocations live",
			  s->p, s->size, size, live_total);
	check_align(q, KMALLOC_MIN_ALIGN, "krealloc", size);
	if (ksize(q) < size)
		fuzz_fail("krealloc(%zu): ksize() is %zu", size, ksize(q));
	s->p = q;
	/* Kept up to the smaller size, zeroed from the old usable size up if asked. */
	check(s, MIN(s->size, size), "after krealloc");
	if (op->b && ksize(q) > old_usable)
		check_zero((uint8_t *)q + old_usable, MIN(ksize(q) - old_usable, (size_t)DENSE),
			   "krealloc's new bytes");
	s->size = size;
	fill(q, size, s->id);
	fuzz_totals.allocs++;
}

/* --- pages, caches, pools --------------------------------------------------------- */

static void op_pages(const struct fuzz_op *op, struct slot *s)
{
	unsigned int order = MIN(op->a, (uint32_t)MAX_ORDER_USED);
	size_t npages = op->kind == OP_PAGES ? (size_t)1 << order :
			MIN(MAX(op->a, 1u), (size_t)1 << MAX_ORDER_USED);
	void *p;

	release(s, false);
	if (op->kind == OP_PAGES)
		p = alloc_pages(order, op->b ? __GFP_ZERO : GFP_KERNEL);
	else
		p = page_alloc(npages, GFP_KERNEL);
	if (!p)
		fuzz_fail("%s(%zu pages) failed with %zu allocations live",
			  fuzz_op_names[op->kind], npages, live_total);
	check_align(p, op->kind == OP_PAGES ? npages * PAGE_SIZE : PAGE_SIZE,
		    fuzz_op_names[op->kind], npages * PAGE_SIZE);
	if (op->kind == OP_PAGES && op->b)
		check_zero(p, npages * PAGE_SIZE, "alloc_pages(__GFP_ZERO)");
	occupy(s, op->kind == OP_PAGES ? S_PAGES : S_PAGE_RUN, p, npages * PAGE_SIZE, order);
}

static void op_cache(const struct fuzz_op *op, struct slot *s)
{
#ifdef CONFIG_SLAB
	unsigned int i = op->a % NR_CACHES;

	if (op->kind == OP_CACHE_REMAKE) {
		if (cache_live[i])
			return;
		kmem_cache_destroy(caches[i]);
		cache_make(i, MAX(op->b, 1u), op->b % 3 ? 0 : 64);
		return;
	}
	release(s, false);
	void *p = kmem_cache_alloc(caches[i], op->b ? __GFP_ZERO : GFP_KERNEL);

	if (!p)
		fuzz_fail("kmem_cache_alloc(%zu-byte cache) failed with %zu allocations live",
			  cache_size[i], live_total);
	check_align(p, cache_align[i], "kmem_cache_alloc", cache_size[i]);
	if (op->b)
		check_zero(p, cache_size[i], "kmem_cache_alloc(__GFP_ZERO)");
	occupy(s, S_CACHE, p, cache_size[i], i);
	cache_live[i]++;
#else
	(void)op, (void)s;
#endif
}

static void op_pool(const struct fuzz_op *op, struct slot *s)
{
#ifdef CONFIG_POOLS
	unsigned int i = op->a % NR_POOLS;

	if (op->kind == OP_POOL_REMAKE) {
		if (pool_live[i])
			return;
		pool_destroy(pools[i]);
		pool_make(i, op->b);
		return;
	}
	if (op->kind == OP_POOL_SHRINK) {
		pool_shrink(pools[i]);
		return;
	}
	/* An object of the same pool in the slot goes back first, and counts as such. */
	release(s, false);
	/* At its limit the pool must fail, and would say so: expected, so quietly. */
	void *p = pool_alloc(pools[i], pool_live[i] >= pool_limit(i) ? __GFP_NOWARN : GFP_KERNEL);

	if (!p) {
		if (pool_live[i] < pool_limit(i))
			fuzz_fail("pool_alloc(%s) failed with %zu of at most %zu handed out",
				  pool_pp[i].name, pool_live[i], pool_limit(i));
		fuzz_totals.failures_expected++;
		return;
	}
	if (pool_live[i] >= pool_limit(i))
		fuzz_fail("pool_alloc(%s) handed out object %zu of at most %zu",
			  pool_pp[i].name, pool_live[i] + 1, pool_limit(i));
	check_align(p, pool_pp[i].align ? pool_pp[i].align : sizeof(void *), "pool_alloc",
		    pool_pp[i].size);
	occupy(s, S_POOL, p, pool_pp[i].size, i);
	pool_live[i]++;
#else
	(void)op, (void)s;
#endif
}

/* --- transactions, modes ------------------------------------------------------------ */

static void expect_ret(const char *what, int got, int want)
{
	if (got != want)
		fuzz_fail("%s returned %d, expected %d (depth %u, %zu records)", what, got, want,
			  depth, txn_nr);
}

static void op_txn(const struct fuzz_op *op)
{
	if (op->kind == OP_TXN_BEGIN) {
		int want = op->a & ~MM_TXN_ABORT_ON_FAILURE ? KERR_INVAL :
			   depth == MM_TXN_MAX_DEPTH ? KERR_LIMIT : 0;

		expect_ret("mm_txn_begin", mm_txn_begin(op->a), want);
		if (!want) {
			frames[depth] = (struct frame){ .flags = op->a, .doomed = doom() };
			depth++;
			fuzz_totals.txns++;
		}
	} else if (op->kind == OP_TXN_COMMIT) {
		int want = depth ? frames[depth - 1].doomed : KERR_INVAL;

		expect_ret("mm_txn_commit", mm_txn_commit(), want);
		if (!depth)
			return;
		for (unsigned int i = 0; i < FUZZ_SLOTS; i++) {
			struct slot *s = &slots[i];

			if (s->rec == depth) {
				if (want)
					fuzz_fail("a doomed transaction still holds %p", s->p);
				/* To the enclosing transaction; the outermost forgets. */
				if (!--s->rec)
					txn_nr--;
			}
		}
		depth--;
	} else {
		/* Abort: what it frees must have been intact until then. */
		for (unsigned int i = 0; depth && i < FUZZ_SLOTS; i++) {
			if (slots[i].rec == depth)
				check(&slots[i], slots[i].size, "before the abort that frees it");
		}
		expect_ret("mm_txn_abort", mm_txn_abort(), depth ? 0 : KERR_INVAL);
		if (!depth)
			return;
		for (unsigned int i = 0; i < FUZZ_SLOTS; i++) {
			if (slots[i].rec == depth)
				forget(&slots[i]);
		}
		depth--;
	}
	if (mm_txn_depth() != depth || mm_txn_records() != txn_nr)
		fuzz_fail("transactions: depth %u, %zu records; the model has %u, %zu",
			  mm_txn_depth(), mm_txn_records(), depth, txn_nr);
}

static void op_set_mode(const struct fuzz_op *op)
{
#ifdef CONFIG_MM_HYBRID
	expect_ret("mm_set_mode", mm_set_mode((enum mm_hybrid_mode)op->a), op->a < 3 ? 0 : KERR_INVAL);
	if (op->a < 3 && mm_get_mode() != (enum mm_hybrid_mode)op->a)
		fuzz_fail("mm_set_mode(%u) left mode %d", op->a, (int)mm_get_mode());
#else
	(void)op;
#endif
}

/* --- checks --------------------------------------------------------------------------- */

static void check_all(void)
{
	struct mm_stats st;

	for (unsigned int i = 0; i < FUZZ_SLOTS; i++) {
		if (slots[i].kind != S_EMPTY)
			check(&slots[i], slots[i].size, "full check");
	}
	mm_get_stats(&st);
	if (st.live_objects != start.live_objects + km_live)
		fuzz_fail("mm_get_stats(): %zu kmalloc objects live, the model has %zu",
			  st.live_objects - start.live_objects, km_live);
#ifdef CONFIG_SLAB
	for (unsigned int i = 0; i < NR_CACHES; i++) {
		struct kmem_cache_stats cs;

		kmem_cache_get_stats(caches[i], &cs);
		if (cs.active_objects != cache_live[i])
			fuzz_fail("cache %s: %zu active objects, the model has %zu", cs.name,
				  cs.active_objects, cache_live[i]);
		if (!kmem_cache_check(caches[i]))
			fuzz_fail("kmem_cache_check(%s) failed", cs.name);
	}
#endif
#ifdef CONFIG_POOLS
	for (unsigned int i = 0; i < NR_POOLS; i++) {
		struct pool_stats ps;

		pool_get_stats(pools[i], &ps);
		if (ps.in_use != pool_live[i])
			fuzz_fail("pool %s: %zu in use, the model has %zu", ps.name, ps.in_use,
				  pool_live[i]);
		if (!pool_check(pools[i]))
			fuzz_fail("pool_check(%s) failed", ps.name);
	}
#endif
}

/* --- the harness ----------------------------------------------------------------------- */

void fuzz_model_init(void)
{
	mm_init();
	mm_drain_caches();
	mm_get_stats(&start);
#ifdef CONFIG_MM_HYBRID
	start_mode = mm_get_mode();
#endif
#ifdef CONFIG_SLAB
	for (unsigned int i = 0; i < NR_CACHES; i++)
		cache_make(i, cache_initial[i], i == 3 ? 64 : 0);
#endif
#ifdef CONFIG_POOLS
	for (unsigned int i = 0; i < NR_POOLS; i++)
		pool_make(i, 0x9e3779b9u * (i + 1));
#endif
}

void fuzz_model_run(const struct fuzz_op *op)
{
	struct slot *s = &slots[op->slot % FUZZ_SLOTS];

	fuzz_totals.ops++;
	switch (op->kind) {
	case OP_KMALLOC:
	case OP_KZALLOC:
	case OP_KCALLOC:
	case OP_KMALLOC_TRY:
	case OP_KMALLOC_ALIGN:
		op_kmalloc(op, s);
		break;
	case OP_KREALLOC:
		op_krealloc(op, s);
		break;
	case OP_FREE:
		release(s, op->a & 1);
		break;
	case OP_PAGES:
	case OP_PAGE_ALLOC:
		op_pages(op, s);
		break;
	case OP_CACHE_ALLOC:
	case OP_CACHE_REMAKE:
		op_cache(op, s);
		break;
	case OP_POOL_ALLOC:
	case OP_POOL_REMAKE:
	case OP_POOL_SHRINK:
		op_pool(op, s);
		break;
	case OP_TXN_BEGIN:
	case OP_TXN_COMMIT:
	case OP_TXN_ABORT:
		op_txn(op);
		break;
	case OP_SET_MODE:
		op_set_mode(op);
		break;
	case OP_DRAIN:
		mm_drain_caches();
		break;
	case OP_CHECK:
		check_all();
		break;
	default:
		fuzz_fail("operation kind %u unknown", op->kind);
	}
}

void fuzz_model_finish(void)
{
	struct mm_stats end;

	check_all();
	while (depth)
		op_txn(&(struct fuzz_op){ .kind = OP_TXN_ABORT });
	for (unsigned int i = 0; i < FUZZ_SLOTS; i++)
		release(&slots[i], true);
#ifdef CONFIG_MM_HYBRID
	expect_ret("mm_set_mode", mm_set_mode(start_mode), 0);
#endif
#ifdef CONFIG_SLAB
	for (unsigned int i = 0; i < NR_CACHES; i++)
		kmem_cache_destroy(caches[i]);
#endif
#ifdef CONFIG_POOLS
	for (unsigned int i = 0; i < NR_POOLS; i++)
		pool_destroy(pools[i]);
#endif
	mm_drain_caches();
	mm_get_stats(&end);
	if (end.live_objects != start.live_objects)
		fuzz_fail("at the end %zu kmalloc objects are live, at the start %zu",
			  end.live_objects, start.live_objects);
	if (end.pages.free_pages != start.pages.free_pages)
		fuzz_fail("at the end %zu pages are free, at the start %zu",
			  end.pages.free_pages, start.pages.free_pages);
	if (end.slab_active_objects != start.slab_active_objects)
		fuzz_fail("at the end %zu slab objects are active, at the start %zu",
			  end.slab_active_objects, start.slab_active_objects);
	if (end.heap_free_bytes != start.heap_free_bytes)
		fuzz_fail("at the end the SimpleHeap region has %zu bytes free, at the start %zu",
			  end.heap_free_bytes, start.heap_free_bytes);
	if (end.counters.misuse != start.counters.misuse ||
	    end.pages.counters.misuse != start.pages.counters.misuse)
		fuzz_fail("misuse was reported: kmalloc %llu, pages %llu",
			  (unsigned long long)(end.counters.misuse - start.counters.misuse),
			  (unsigned long long)(end.pages.counters.misuse -
					       start.pages.counters.misuse));
}
