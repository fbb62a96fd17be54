/*
 * kmalloc.c - the kmalloc API of mm.h, the same in every mode.
 *
 * The mode's front (kmalloc_front.h) decides which allocator serves a
 * request; this file does what does not vary with the mode: argument
 * checks, error codes, __GFP_ZERO, the counting behind mm_get_stats(),
 * and telling the transaction layer (mm_txn.h) what was allocated, freed
 * or failed.  Nothing here panics: exhaustion is NULL or KERR_NOMEM, and
 * counted.
 *
 * The counting is per CPU (struct kmalloc_cpu_stats): a call touches only
 * its own CPU's slot, never a shared lock; mm_get_stats() sums the slots.
 * A CPU's byte figures may go "negative" when it frees what another CPU
 * allocated: they are kept modulo 2^N, and only the sum means anything.
 * With SMP a slot is updated with interrupts off, since an allocation from
 * a tick hook (GFP_ATOMIC) counts in the same slot.
 */
#include "compiler.h"
#include "debug_guard.h"
#include "irq.h"
#include "kerrno.h"
#include "kernel.h"
#include "kmalloc_fast.h"
#include "kmalloc_front.h"
#include "fault_inject.h"
#include "kstring.h"
#include "mm.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_stats.h"
#include "mm_txn.h"
#include "percpu.h"
#include "show_mem.h"
#include "zone.h"

/* The kmalloc API's own accounting; the front's allocators keep theirs. */
struct kmalloc_cpu_stats {
	/* Live objects are allocs - frees: nothing else to keep. */
	struct alloc_counters counters;
	size_t bytes_granted;
	/*
	 * bytes_granted - bytes_requested, from which mm_get_stats() derives
	 * the latter.  Kept instead of it because an allocation granted
	 * exactly what it asked for leaves it alone: every slab object does
	 * (they count as their class), and in the inline fast path the
	 * update compiles away.
	 */
	size_t bytes_slack;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct kmalloc_cpu_stats, kmalloc_stats);

static inline struct kmalloc_cpu_stats *my_stats(void)
{
	return this_cpu_ptr(kmalloc_stats);
}

/*
 * Flags kmalloc refuses: what no request may carry (gfp.h), zone
 * modifiers - kmalloc memory comes from the highest zone that has some;
 * a buffer that must lie low is page_alloc(n, GFP_DMA)'s - and
 * __GFP_MOVABLE: an object shares its page with others and has no owner
 * compaction could tell where it went (migrate.h).
 */
static bool flags_refused(gfp_t flags)
{
	return gfp_check(flags) || (flags & (__GFP_ZONE_MASK | __GFP_MOVABLE));
}

/*
 * Every failed allocation comes here: counted, the transaction told, and
 * - memory that could not be found, or flags refused - reported unless
 * __GFP_NOWARN (show_mem.h).  Bad sizes and transaction limits are the
 * caller's to see in the error code.
 */
static int alloc_failed(int err, size_t size, gfp_t flags, uintptr_t caller)
{
	struct alloc_request req = {
		.who = "kmalloc", .size = size, .order = -1, .flags = flags,
		.caller = mm_api_caller(caller),
	};
	/* An injected failure (fault_inject.h) is counted there and reported by no one. */
	bool injected = err == KERR_NOMEM && mm_failure_injected();
	unsigned long irq;

	/*
	 * The transaction is told with interrupts as the caller had them: a
	 * rollback frees, and with SMP a free inside a transaction has the
	 * other CPUs forget the pointer by a waited-for cross-CPU call.
	 */
	mm_txn_failed(err);
	if (injected)
		return err;
	irq = irq_save();
	my_stats()->counters.failures++;
	irq_restore(irq);
	if (err == KERR_NOMEM || (err == KERR_INVAL && flags_refused(flags))) {
		req.why = err == KERR_NOMEM ? "out of memory" : "invalid gfp flags";
		warn_alloc(&req);
	}
	return err;
}

static void count_misuse(void)
{
	unsigned long irq = irq_save();

	my_stats()->counters.misuse++;
	irq_restore(irq);
}

/* What the front passes on to the page allocator (kmalloc_front_alloc()). */
static inline gfp_t front_flags(gfp_t flags)
{
	return (flags & (__GFP_ATOMIC | __GFP_HIGH)) | __GFP_NOWARN;
}

/*
 * A krealloc() turned @old into @new (@moved: at another address).  What
 * kmalloc.c counts itself - allocations no cache counts - is rebooked; a
 * move is a free and an allocation (a slab object's, its cache counted).
 */
static void rebook(const struct kmalloc_sizes *old, const struct kmalloc_sizes *new, bool moved)
{
	unsigned long irq = irq_save();
	struct kmalloc_cpu_stats *ks = my_stats();

	if (!old->by_cache) {
		ks->bytes_slack -= old->granted - old->requested;
		ks->bytes_granted -= old->granted;
		ks->counters.frees += moved;
	}
	if (!new->by_cache) {
		ks->bytes_slack += new->granted - new->requested;
		ks->bytes_granted += new->granted;
		ks->counters.allocs += moved;
	}
	irq_restore(irq);
}

static int check_request(size_t size, size_t align, gfp_t flags)
{
	if (!size || size > KMALLOC_SIZE_MAX || flags_refused(flags))
		return KERR_INVAL;
	if ((align & (align - 1)) || align > PAGE_SIZE)
		return KERR_ALIGN;
	return 0;
}

/* Book the bytes of a successful allocation (its cache counts a slab object). */
static __always_inline void count_alloc_bytes(const struct kmalloc_sizes *sz)
{
	struct kmalloc_cpu_stats *ks;
	unsigned long irq;

	if (sz->by_cache)
		return;
	irq = irq_save();
	ks = my_stats();
	ks->counters.allocs++;
	ks->bytes_slack += sz->granted - sz->requested;
	ks->bytes_granted += sz->granted;
	irq_restore(irq);
}

/* Book a successful allocation of @sz at @p. */
static inline void count_alloc(void *p, const struct kmalloc_sizes *sz, gfp_t flags)
{
	if (flags & __GFP_ZERO)
		memset(p, 0, sz->granted);   /* all of it: ksize() bytes are the caller's */
	count_alloc_bytes(sz);
}

/* Book a successful free (its cache counts a slab object). */
static __always_inline void count_free(const struct kmalloc_sizes *sz)
{
	struct kmalloc_cpu_stats *ks;
	unsigned long irq;

	if (sz->by_cache)
		return;
	irq = irq_save();
	ks = my_stats();
	ks->counters.frees++;
	ks->bytes_slack -= sz->granted - sz->requested;
	ks->bytes_granted -= sz->granted;
	irq_restore(irq);
}

/*
 * The sampled allocation (DEBUG_GUARD): an object of its own page in the
 * guard pool, counted here (no cache counts it); NULL: not sampled, or the
 * pool is full, and the front serves it.
 */
static void *guard_try(size_t size, size_t align, struct kmalloc_sizes *sz)
{
	void *p = guard_alloc(size, MAX(align, (size_t)KMALLOC_MIN_ALIGN));

	if (p)
		*sz = (struct kmalloc_sizes){ .requested = size, .granted = size, .by_cache = false };
	return p;
}

static int align_try(size_t size, size_t align, gfp_t flags, void **out, uintptr_t caller)
{
	/* The front's own figures, so that kfree() takes off exactly what is added here. */
	struct kmalloc_sizes sz, dropped;
	bool in_txn = mm_txn_active();
	void *p = NULL;
	int err = 0;

	/* Inside a transaction: ask it first, and record what was allocated. */
	if (in_txn)
		err = mm_txn_check_alloc();
	if (!err)
		err = check_request(size, align, flags);
	if (!err && DEBUG_GUARD)
		p = guard_try(size, align, &sz);
	if (!err && !p)
		err = kmalloc_front_alloc(size, MAX(align, (size_t)KMALLOC_MIN_ALIGN),
					  front_flags(flags), &p, &sz);
	/*
	 * Unrecordable means not allocated: a transaction never loses track.
	 * A guard object goes back to the guard pool, which the front does
	 * not know (randconfig seed 1007: a misuse report, and a panic with
	 * MM_PANIC_ON_MISUSE, at the transaction's record limit).
	 */
	if (!err && in_txn && (err = mm_txn_record(p))) {
		if (DEBUG_GUARD && guard_owns(p))
			(void)guard_free(p, &dropped.granted);
		else
			(void)kmalloc_front_free(p, &dropped);
	}
	if (err) {
		*out = NULL;
		return alloc_failed(err, size, flags, caller);
	}
	count_alloc(p, &sz, flags);
	*out = p;
	return 0;
}

int kmalloc_align_try(size_t size, size_t align, gfp_t flags, void **out)
{
	MM_DEBUG_ENTRY(int, kmalloc_align_try(size, align, flags, out));
	return align_try(size, align, flags, out, _RET_IP_);
}

int kmalloc_try(size_t size, gfp_t flags, void **out)
{
	MM_DEBUG_ENTRY(int, kmalloc_try(size, flags, out));
	return align_try(size, 0, flags, out, _RET_IP_);
}

/*
 * kmalloc() past the front's inline fast path: the front itself, with no
 * alignment to check; kmalloc_align_try() for a transaction or a bad size.
 */
static __noinline void *kmalloc_slow(size_t size, gfp_t flags)
{
	/* Tail-called by kmalloc(): its caller (compiler.h). */
	uintptr_t caller = _RET_IP_;
	struct kmalloc_sizes sz;
	void *p;
	int err;

	/* size - 1 wraps for 0: one comparison refuses both ends. */
	if (unlikely(mm_txn_active() || size - 1 >= KMALLOC_SIZE_MAX || flags_refused(flags))) {
		align_try(size, 0, flags, &p, caller);
		return p;
	}
	/* (No store to p before the front writes it: the release path is as it was.) */
	if (DEBUG_GUARD && (p = guard_try(size, 0, &sz)))
		err = 0;
	else
		err = kmalloc_front_alloc(size, KMALLOC_MIN_ALIGN, front_flags(flags), &p, &sz);
	if (unlikely(err)) {
		alloc_failed(err, size, flags, caller);
		return NULL;
	}
	count_alloc(p, &sz, flags);
	return p;
}

/*
 * The common case (TwoTier: an object from this CPU's slab) inline, with
 * no call on its way; everything else in kmalloc_slow().  In SimpleHeap
 * mode the fast path is empty and this is a jump.
 */
void *kmalloc(size_t size, gfp_t flags)
{
	struct kmalloc_sizes sz;
	void *p;

	MM_DEBUG_ENTRY(void *, kmalloc(size, flags));
	/*
	 * Zeroing, zone modifiers and bad flags go the slow way (gfp.h:
	 * __GFP_FAST_OK).  An open transaction needs no test: it took this
	 * CPU's kmalloc slabs off the CPU (mm_txn_begin()), so the fast path
	 * cannot finish and the slow path records the call.  Nor does
	 * debugging: debugging caches have no CPU slab.  An armed slab
	 * fault class decides in the slow path, and so does guard sampling
	 * (DEBUG_GUARD: every call counts towards the next sample).
	 */
	if (likely(!(flags & ~__GFP_FAST_OK)) && !DEBUG_GUARD && !fault_armed_for(FAULT_SLAB)) {
		p = kmalloc_front_alloc_fast(size, &sz);
		if (likely(p)) {
			count_alloc_bytes(&sz);
			return p;
		}
	}
	return kmalloc_slow(size, flags);
}

void *kzalloc(size_t size, gfp_t flags)
{
	MM_DEBUG_ENTRY(void *, kzalloc(size, flags));
	return kmalloc(size, flags | __GFP_ZERO);
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	MM_DEBUG_ENTRY(void *, kcalloc(n, size, flags));
	if (__builtin_mul_overflow(n, size, &bytes)) {
		alloc_failed(KERR_INVAL, SIZE_MAX, flags, _RET_IP_);
		return NULL;
	}
	return kmalloc(bytes, flags | __GFP_ZERO);
}

/* kfree() and kfree_checked() past the front's inline fast path. */
static __noinline int free_slow(const void *p)
{
	struct kmalloc_sizes sz;
	int err;

	if (!p)
		return 0;
#if NR_CPUS > 1
	/* Another CPU's open transaction may have @p recorded: it forgets it first. */
	if (unlikely(mm_txn_open_anywhere()))
		mm_txn_forget_elsewhere(p);
#endif
	if (DEBUG_GUARD && guard_owns(p)) {
		err = guard_free(p, &sz.granted);
		sz.requested = sz.granted;
		sz.by_cache = false;
	} else {
		err = kmalloc_front_free(p, &sz);
	}
	if (unlikely(err)) {
		count_misuse();
		return err;
	}
	count_free(&sz);
	if (unlikely(mm_txn_active()))
		mm_txn_forget(p);
	return 0;
}

/*
 * The common case, inline: a live object in a CPU slab.  false: nothing
 * done.  Never inside a transaction: the CPU has no kmalloc slab then
 * (mm_txn_begin()).
 */
static __always_inline bool free_fast(const void *p)
{
	/* Zeroed for GCC's -O1 (the fuzz build), which cannot see that a front sets what it reads. */
	struct kmalloc_sizes sz = { 0 };

	/* A guard object is no slab object: the slow path knows it. */
	if (DEBUG_GUARD && guard_owns(p))
		return false;
	if (!kmalloc_front_free_fast(p, &sz))
		return false;
	count_free(&sz);
	return true;
}

int kfree_checked(const void *p)
{
	MM_DEBUG_ENTRY(int, kfree_checked(p));
	return free_fast(p) ? 0 : free_slow(p);
}

void kfree(const void *p)
{
	MM_DEBUG_ENTRY_VOID(kfree(p));
	if (!free_fast(p))
		(void)free_slow(p);
}

size_t ksize(const void *p)
{
	if (DEBUG_GUARD && guard_owns(p))
		return guard_size(p);
	return p ? kmalloc_front_usable_size(p) : 0;
}

/*
 * krealloc() of a guard object (DEBUG_GUARD): a move, as the front's
 * moving realloc - a new allocation (sampled or not), the contents
 * copied, the object freed (its canary checked, its page unmapped), and
 * a transaction's record, if it has one, follows.  On failure, or if @p
 * is no live object (reported by the free), NULL and @p untouched.
 */
static void *guard_realloc(void *p, size_t size, gfp_t flags, uintptr_t caller)
{
	struct kmalloc_sizes sz, old = { .by_cache = false };
	size_t bytes = guard_size(p);
	void *q = NULL;
	int err;

	if (!bytes) {
		(void)free_slow(p);   /* reports the double or invalid free */
		return NULL;
	}
	q = guard_try(size, 0, &sz);
	err = q ? 0 : kmalloc_front_alloc(size, KMALLOC_MIN_ALIGN, front_flags(flags), &q, &sz);
	if (err) {
		alloc_failed(err, size, flags, caller);
		return NULL;
	}
	count_alloc(q, &sz, flags);
	memcpy(q, p, MIN(bytes, size));
	if (guard_free(p, &old.granted)) {
		/* A cache's or pool's guard object, or freed by another CPU meanwhile: reported. */
		count_misuse();
		kfree(q);
		return NULL;
	}
	old.requested = old.granted;
	count_free(&old);
	mm_txn_moved(p, q);
	return q;
}

void *krealloc(void *p, size_t size, gfp_t flags)
{
	struct kmalloc_sizes old, new;
	void *q;
	int err;

	MM_DEBUG_ENTRY(void *, krealloc(p, size, flags));
	if (!p)
		return kmalloc(size, flags);
	if (!size) {
		kfree(p);
		return NULL;
	}
	err = mm_txn_check_alloc();
	if (!err && (size > KMALLOC_SIZE_MAX || flags_refused(flags)))
		err = KERR_INVAL;
	if (err) {
		alloc_failed(err, size, flags, _RET_IP_);
		return NULL;
	}
	if (DEBUG_GUARD && guard_owns(p))
		return guard_realloc(p, size, flags, _RET_IP_);
	kmalloc_front_sizes(p, &old);
	err = kmalloc_front_realloc(p, size, front_flags(flags), &q);
	if (err) {
		if (err == KERR_NOMEM || err == KERR_INVAL)
			alloc_failed(err, size, flags, _RET_IP_);
		else
			count_misuse();   /* p was not live; reported by the front's allocator */
		return NULL;
	}
	if (q != p)
		mm_txn_moved(p, q);
	kmalloc_front_sizes(q, &new);
	if ((flags & __GFP_ZERO) && new.granted > old.granted)
		memset((char *)q + old.granted, 0, new.granted - old.granted);
	rebook(&old, &new, q != p);
	return q;
}

void kmalloc_get_stats(struct mm_stats *st)
{
	struct alloc_counters c = { 0 };
	size_t granted = 0, slack = 0;

	for_each_possible_cpu(cpu) {
		const struct kmalloc_cpu_stats *ks = per_cpu_ptr(kmalloc_stats, cpu);

		c.allocs += ks->counters.allocs;
		c.frees += ks->counters.frees;
		c.failures += ks->counters.failures;
		c.misuse += ks->counters.misuse;
		granted += ks->bytes_granted;
		slack += ks->bytes_slack;
	}
	/* Added to what the front reported for the objects its caches count. */
	st->counters.allocs += c.allocs;
	st->counters.frees += c.frees;
	st->counters.failures += c.failures;
	st->counters.misuse += c.misuse;
	st->bytes_granted += granted;
	st->bytes_requested += granted - slack;
	st->live_objects += (size_t)(c.allocs - c.frees);
}

size_t mm_drain_caches(void)
{
	/* Slabs first: the pages they release land on the per-CPU lists. */
	size_t pages = kmalloc_front_shrink();

	drain_all_pages();
	return pages;
}
