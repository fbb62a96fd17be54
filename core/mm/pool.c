/*
 * pool.c - object pools (see pool.h): creation, the slow paths of the
 * magazine layer, the reserve, growth, shrink, statistics.
 *
 * The vocabulary is Bonwick and Adams' ("Magazines and Vmem", USENIX
 * 2001, and the illumos kmem magazine layer): a CPU's loaded and previous
 * magazines, the depot's full and empty magazines; the reserve is Linux's
 * mempool_t min_nr, for a kernel that never sleeps.
 *
 * Where an allocation the inline path declined goes (pool_alloc_slow()):
 *
 *   1. this CPU's loaded magazine, if it has rounds (the fast path
 *      declined for a flag or a damaged state word);
 *   2. the previous magazine, if it has rounds: swap it in (a hit);
 *   3. the depot, under the lock: a full magazine replaces the previous
 *      one, which goes to the depot empty, and the loaded one becomes the
 *      previous (Bonwick's exchange: the CPU keeps two magazines);
 *   4. growth: up to `grow` new objects from the backing allocator (never
 *      past `max` held), one for the caller, the others into the loaded
 *      magazine and then into full magazines for the depot;
 *   5. the reserve (the backing allocator could not serve, or `max`);
 *   6. the objects parked in other CPUs' magazines, pulled back into the
 *      reserve, then the reserve again;
 *   7. fail: NULL, counted.
 *
 * A free the inline path declined (pool_free_slow()) is checked in full
 * at the configured level, then goes to the reserve while it is short,
 * else to the loaded magazine, else the previous one if it is empty
 * (swap), else the depot takes the full previous magazine and hands out
 * an empty one (or a new one is made; when none can be, the object goes
 * back to the backing allocator).
 *
 * Locking: one lock per pool, over the depot, the reserve, the counts of
 * objects held and the slow-path counters.  A CPU's magazines are its own
 * and are touched without it.  No lock is held while the backing
 * allocator or the magazine allocator runs, a constructor runs or misuse
 * is reported.  Pool locks never nest; the pool list lock is taken alone.
 *
 * Guard sampling (Kconfig DEBUG_GUARD, debug_guard.h) happens at growth
 * only, for the one object growth hands to the caller (step 4): a
 * sampled growth asks the guard pool for that object, owned by the pool.
 * Everything a pool keeps free - the reserve, magazines, the depot - is
 * real memory from the backing allocator, so that the reserve stays a
 * guarantee (a guard object needs a free page of the guard pool, which
 * may have none) and nothing the pool hands out again without a sample
 * is a guard object.  A guard object never enters a magazine: its free
 * (pool_free_slow(); the inline path never takes it, it lies in no slab
 * page) gives it straight back to the guard pool, whose page is unmapped,
 * so a use after free faults as for kmalloc()'s guard objects.  The
 * backing cache and the pool layer's own caches are SLAB_SKIP_GUARD: the
 * sample is taken here, where the caller's object is known, not below.
 *
 * Backing memory: in TwoTier and Hybrid (Kconfig SLAB) a slab cache per
 * pool, and magazines and pool_create()'s descriptors from two caches of
 * the pool layer; in SimpleHeap, kmalloc's heap (heap.h) directly, so
 * that pools, like slab caches, are neither kmalloc allocations nor part
 * of its transactions (mm_txn.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "debug_guard.h"
#include "irq.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "fault_inject.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_misuse.h"
#include "percpu.h"
#include "pool.h"
#include "printk.h"
#include "show_mem.h"
#include "shrinker.h"
#include "slab.h"
#include "smp.h"
#include "spinlock.h"
#ifdef CONFIG_HEAP_REGION
#include "heap_region.h"
#endif

#define POOL_LAYER "pool"

/* The magazine of every CPU slot of an unusable pool: empty and never written. */
static struct pool_mag pool_mag_none;

static spinlock_t pools_lock = SPINLOCK_INIT;
static struct pool *pools;

/*
 * A pool's lock is taken with interrupts off (spinlock.h: irqsafe): a
 * cross-CPU pull or flush (below) takes it in the IPI handler of the CPU
 * it runs on, which must not be the CPU holding it.
 */
static void pool_lock(struct pool *p)
{
	spin_lock_irqsafe(&p->lock);
}

static void pool_unlock(struct pool *p)
{
	spin_unlock_irqsafe(&p->lock);
}

/* ---- metadata: magazines and descriptors -------------------------------- */

#ifdef CONFIG_SLAB
static struct kmem_cache *pool_mag_cache, *pool_desc_cache;
static struct shrinker pools_shrinker;

/* The pool layer's two caches and its shrinker, made on first use. */
static bool meta_ready(void)
{
	bool ok;

	spin_lock(&pools_lock);
	ok = pool_mag_cache && pool_desc_cache;
	spin_unlock(&pools_lock);
	if (ok)
		return true;
	/* Boot makes the first pool, on one CPU: no one races this. */
	if (!pool_mag_cache)
		pool_mag_cache = kmem_cache_create_flags("pool_mag", sizeof(struct pool_mag), 0,
							 SLAB_SKIP_GUARD, NULL);
	if (!pool_desc_cache)
		pool_desc_cache = kmem_cache_create_flags("pool", sizeof(struct pool),
							  _Alignof(struct pool), SLAB_SKIP_GUARD,
							  NULL);
	ok = pool_mag_cache && pool_desc_cache;
	if (ok)
		register_shrinker(&pools_shrinker);
	return ok;
}

static void *meta_alloc(bool desc, gfp_t flags)
{
	return kmem_cache_alloc(desc ? pool_desc_cache : pool_mag_cache, flags);
}

static void meta_free(bool desc, void *p)
{
	kmem_cache_free(desc ? pool_desc_cache : pool_mag_cache, p);
}
#else
static bool meta_ready(void)
{
	return true;
}

static void *meta_alloc(bool desc, gfp_t flags)
{
	(void)flags;
	return desc ? heap_alloc(&kmalloc_heap, sizeof(struct pool), _Alignof(struct pool)) :
		      heap_alloc(&kmalloc_heap, sizeof(struct pool_mag), 0);
}

static void meta_free(bool desc, void *p)
{
	(void)desc;
	(void)heap_free(&kmalloc_heap, p);
}
#endif

/*
 * What the pool asks of the allocators below it for a request of @flags:
 * the urgency, and no report - the pool has a reserve to fall back on,
 * and reports its own failures (show_mem.h: once, at the layer called).
 */
static gfp_t below_flags(gfp_t flags)
{
	return (flags & (__GFP_ATOMIC | __GFP_HIGH)) | __GFP_NOWARN;
}

/* A new empty magazine, or NULL; no lock held. */
static struct pool_mag *mag_new(struct pool *p, gfp_t flags)
{
	struct pool_mag *m = meta_alloc(false, below_flags(flags));

	if (!m)
		return NULL;
	m->rounds = 0;
	m->next = NULL;
	m->round[0] = NULL;
	pool_lock(p);
	p->mags_made++;
	pool_unlock(p);
	return m;
}

static void mag_push(struct pool_mag **list, struct pool_mag *m)
{
	m->next = *list;
	*list = m;
}

static struct pool_mag *mag_pop(struct pool_mag **list)
{
	struct pool_mag *m = *list;

	if (m)
		*list = m->next;
	return m;
}

/* Free every magazine of @list; no lock held. */
static void mags_free(struct pool_mag *list)
{
	while (list) {
		struct pool_mag *next = list->next;

		meta_free(false, list);
		list = next;
	}
}

/* ---- objects from and to the backing allocator ---------------------------- */

/*
 * Owners (Kconfig DEBUG_OWNER): a pool's object carries the track of its
 * backing allocation (a slab object, a heap block); the pool makes it say
 * who has it - a caller (pool_alloc()) or the pool itself (held: a free,
 * or growth), which the leak report skips.
 */
static inline void track_hold(void *obj, uintptr_t ip)
{
	struct mm_track *t = mm_track_of(obj);

	if (t)
		mm_track_hold(t, ip);
}

static inline void track_alloc(void *obj, uintptr_t ip)
{
	struct mm_track *t = mm_track_of(obj);

	if (t)
		mm_track_alloc(t, ip);
}

/* A new object, its state word "free" and constructed; or NULL.  No lock held. */
static void *object_new(struct pool *p, gfp_t flags)
{
	void *obj;

#ifdef CONFIG_SLAB
	obj = kmem_cache_alloc(p->cache, below_flags(flags));
#else
	(void)flags;   /* the heap region is at hand: nothing to reclaim, no reserve */
	obj = heap_alloc(&kmalloc_heap, p->backing_size, p->align);
#endif
	if (!obj)
		return NULL;
	if (POOL_CHECKS_EXACT)
		pool_state_write(obj, p->state_off, pool_tag_free(p, obj));
	/* The pool's own now: allocated below it, free above it, never a leak. */
	if (DEBUG_OWNER)
		track_hold(obj, _RET_IP_);
	if (p->ctor)
		p->ctor(obj);
	return obj;
}

/*
 * The sampled growth's object for the caller (DEBUG_GUARD; the top of the
 * file): from the guard pool, owned by @p, its state word "free" and
 * constructed as object_new()'s; NULL when growth is not sampled or the
 * guard pool is full.  Its owner is the guard pool's slot, not a hold.
 */
static void *guard_object_new(struct pool *p)
{
	void *obj = guard_alloc_for(p, p->backing_size, p->align);

	if (!obj)
		return NULL;
	if (POOL_CHECKS_EXACT)
		pool_state_write(obj, p->state_off, pool_tag_free(p, obj));
	if (p->ctor)
		p->ctor(obj);
	return obj;
}

/* Give @obj back to the backing allocator (not counted here); no lock held. */
static void object_release(struct pool *p, void *obj)
{
	/* A stale "free" tag must not make a later pointer look like ours. */
	if (POOL_CHECKS_EXACT)
		pool_state_write(obj, p->state_off, 0);
#ifdef CONFIG_SLAB
	kmem_cache_free(p->cache, obj);
#else
	(void)heap_free(&kmalloc_heap, obj);
#endif
}

/* ---- the reserve: a stack of magazines it owns ----------------------------- */

/* Push @obj; the caller knows there is room (nr < min_nr).  Lock held. */
static void stack_push(struct pool_stack *s, void *obj)
{
	struct pool_mag *m = s->cur;

	if (m->rounds == POOL_MAG_SIZE) {
		mag_push(&s->full, m);
		m = mag_pop(&s->empty);
		s->cur = m;
	}
	m->round[++m->rounds] = obj;
	s->nr++;
}

/* Pop an object; the caller knows there is one (nr > 0).  Lock held. */
static void *stack_pop(struct pool_stack *s)
{
	struct pool_mag *m = s->cur;

	if (m->rounds == 0) {
		mag_push(&s->empty, m);
		m = mag_pop(&s->full);
		s->cur = m;
	}
	s->nr--;
	return m->round[m->rounds--];
}

/* Every magazine of @s on one list (to free them). */
static struct pool_mag *stack_mags(struct pool_stack *s)
{
	struct pool_mag *all = s->empty;

	if (s->cur)
		mag_push(&all, s->cur);
	while (s->full)
		mag_push(&all, mag_pop(&s->full));
	s->cur = s->empty = NULL;
	return all;
}

/*
 * Into the reserve if it is short; true if it took @obj.  Refilling it
 * to min_nr switches the free fast path back on.  Lock held.
 */
static bool reserve_refill(struct pool *p, void *obj)
{
	if (p->reserve.nr >= p->min_nr)
		return false;
	stack_push(&p->reserve, obj);
	if (p->reserve.nr == p->min_nr && p->ready)
		__atomic_store_n(&p->fill, (unsigned long)POOL_MAG_SIZE, __ATOMIC_RELAXED);
	return true;
}

/* ---- the CPU layer ---------------------------------------------------------- */

static void swap_mags(struct pool_cpu *pc)
{
	struct pool_mag *m = pc->loaded;

	pc->loaded = pc->previous;
	pc->previous = m;
	pc->swaps++;
}

/* Free objects in the CPU layer, all CPUs: exact while no other CPU uses @p. */
static size_t free_in_cpus(const struct pool *p)
{
	size_t n = 0;

	for_each_possible_cpu(cpu)
		n += p->cpu[cpu].loaded->rounds + p->cpu[cpu].previous->rounds;
	return n;
}

/*
 * Free objects outside @pc's loaded magazine, as far as @pc's CPU can
 * tell: the depot, the reserve, its previous magazine and, with one CPU,
 * the other slots' (untouched).  On SMP other CPUs' magazines change
 * under their CPUs without the lock, so they are not read: their objects
 * count as handed out, and the high-water mark is an upper bound (pool.h).
 * Lock held.
 */
static size_t free_elsewhere(const struct pool *p, const struct pool_cpu *pc)
{
#if NR_CPUS > 1
	return p->depot_objects + p->reserve.nr + pc->previous->rounds;
#else
	return p->depot_objects + p->reserve.nr + free_in_cpus(p) - pc->loaded->rounds;
#endif
}

/* Objects handed out now: exact while no other CPU uses @p.  Lock held. */
static size_t in_use_of(const struct pool *p)
{
	size_t free = p->depot_objects + p->reserve.nr + free_in_cpus(p);

	/* A growth in progress has claimed objects it does not have yet. */
	return p->owned > free ? p->owned - free : 0;
}

/*
 * Fold the time since @pc last left a slow path into the high-water mark:
 * meanwhile only its loaded magazine changed, so the most objects in use
 * was the pool's less those elsewhere less the magazine's fewest rounds
 * (pc->low, kept by the fast path).  Lock held.
 */
static void sample_high_water(struct pool *p, const struct pool_cpu *pc)
{
	size_t free = free_elsewhere(p, pc) + MIN(pc->low, pc->loaded->rounds);

	if (p->owned > free)
		p->high_water = MAX(p->high_water, p->owned - free);
}

/* Every slow path starts here: the fast paths' interval ends. */
static void slow_enter(struct pool *p, struct pool_cpu *pc)
{
	pool_lock(p);
	sample_high_water(p, pc);
	pool_unlock(p);
}

/* ...and ends here: the next interval starts from the magazine as it is. */
static void slow_leave(struct pool_cpu *pc)
{
	unsigned long flags = irq_save();

	pc->low = pc->loaded->rounds;
	irq_restore(flags);
}

/*
 * Check the state word of @obj, an object the pool is handing out, and
 * mark it live.  A word that is not "free" was written after the free
 * (it is the object's first word past its bytes): reported once, and the
 * object handed out all the same - its state is sound again.  No lock held.
 */
static void hand_out(struct pool *p, void *obj)
{
	if (!POOL_CHECKS_EXACT)
		return;
	if (pool_state_read(obj, p->state_off) != pool_tag_free(p, obj)) {
		pool_lock(p);
		p->misuse++;
		pool_unlock(p);
		mm_report_misuse(POOL_LAYER, KERR_USE_AFTER_FREE, obj);
	}
	pool_state_write(obj, p->state_off, pool_tag_live(p, obj));
}

/* Is @pc's loaded magazine full? */
static bool loaded_full(struct pool_cpu *pc)
{
	unsigned long flags = irq_save();
	bool full = pc->loaded->rounds == POOL_MAG_SIZE;

	irq_restore(flags);
	return full;
}

/* Push @obj onto @pc's loaded magazine if it has room; false if not. */
static bool push_loaded(struct pool_cpu *pc, void *obj)
{
	unsigned long flags = irq_save();
	struct pool_mag *m = pc->loaded;
	bool room = m->rounds < POOL_MAG_SIZE;

	if (room)
		m->round[++m->rounds] = obj;
	irq_restore(flags);
	return room;
}

/* Pop the loaded magazine, which has rounds.  Interrupts off (the caller hands it out). */
static void *pop_loaded(struct pool_cpu *pc)
{
	struct pool_mag *m = pc->loaded;

	return m->round[m->rounds--];
}

#if NR_CPUS > 1
/*
 * This CPU's part of pool_pull_remote(), in its IPI handler (interrupts
 * off, so no magazine operation of this CPU is half done): the rounds of
 * both its magazines go into the reserve while it is short.
 */
static void pull_here(void *arg)
{
	struct pool *p = arg;
	struct pool_cpu *pc = this_cpu_ptr(p->cpu);

	pool_lock(p);
	if (p->ready) {
		struct pool_mag *mags[2] = { pc->loaded, pc->previous };

		sample_high_water(p, pc);
		for (unsigned int i = 0; i < 2; i++) {
			struct pool_mag *m = mags[i];

			while (m->rounds && reserve_refill(p, m->round[m->rounds]))
				m->rounds--;
		}
		pc->low = pc->loaded->rounds;
	}
	pool_unlock(p);
}

#endif

/*
 * Pull the objects parked in other CPUs' magazines back into the reserve.
 * A CPU's magazines are touched by that CPU only, so this runs the pull on
 * each of those CPUs (a cross-CPU call, waiting for all), never reaching
 * into their magazines from here.  A cross-CPU wait needs interrupts on
 * (smp.h): with them off there is nothing to pull.  With one CPU there is
 * no other CPU.  No lock held.
 */
static void pool_pull_remote(struct pool *p)
{
#if NR_CPUS > 1
	if (irqs_enabled())
		smp_call_function_all(pull_here, p, true);
#else
	(void)p;
#endif
}

/* ---- allocation ---------------------------------------------------------------- */

/*
 * Take one object from the reserve: counted as a reserve use; the free
 * fast path goes off until frees refill it.  NULL when it is empty.
 */
static void *take_reserve(struct pool *p)
{
	void *obj = NULL;

	pool_lock(p);
	if (p->reserve.nr) {
		obj = stack_pop(&p->reserve);
		p->reserve_uses++;
		__atomic_store_n(&p->fill, 0ul, __ATOMIC_RELAXED);
	}
	pool_unlock(p);
	return obj;
}

/*
 * Grow by up to @n objects (already counted in p->owned): the first for
 * the caller, the rest into this CPU's loaded magazine (empty: the CPU
 * layer and the depot had nothing) and then into full magazines for the
 * depot.  NULL when the backing allocator has not even one.
 */
static void *grow(struct pool *p, struct pool_cpu *pc, size_t n, gfp_t flags)
{
	struct pool_mag *batch = NULL, *m = NULL;
	size_t got = 0, batched = 0;
	void *first = DEBUG_GUARD ? guard_object_new(p) : NULL;

	if (!first)
		first = object_new(p, flags);

	if (first)
		got = 1;
	/*
	 * The backing allocator runs with interrupts as the caller had them,
	 * so a pull (pool_pull_remote()) may take rounds from the loaded
	 * magazine meanwhile: each look at it is a section of its own, and
	 * room seen there is still room after.
	 */
	while (first && got < n) {
		void *obj;

		if (loaded_full(pc) && (!m || m->rounds == POOL_MAG_SIZE)) {
			struct pool_mag *fresh = mag_new(p, flags);

			if (!fresh)
				break;
			if (m)
				mag_push(&batch, m);
			m = fresh;
		}
		obj = object_new(p, flags);
		if (!obj)
			break;
		got++;
		if (!push_loaded(pc, obj)) {
			m->round[++m->rounds] = obj;
			batched++;
		}
	}
	if (m && m->rounds)
		mag_push(&batch, m);
	else if (m)
		meta_free(false, m);

	pool_lock(p);
	p->owned -= n - got;
	if (got) {
		p->grows++;
		p->owned_peak = MAX(p->owned_peak, p->owned);
	}
	while (batch) {
		struct pool_mag *full = mag_pop(&batch);

		mag_push(&p->depot_full, full);
		p->nr_full++;
	}
	p->depot_objects += batched;
	pool_unlock(p);
	if (first)
		hand_out(p, first);
	return first;
}

/* Steps 1 to 7 of the top: the CPU layer is empty or was declined. */
static void *alloc_refill(struct pool *p, struct pool_cpu *pc, gfp_t flags)
{
	/* The CPU layer and the depot exchange: one section, as the fast path. */
	unsigned long irq = irq_save();
	struct pool_mag *full;
	size_t n = 0;
	void *obj;

	if (pc->loaded->rounds) {
		pc->hits++;
		obj = pop_loaded(pc);
		goto hand_out;
	}
	if (pc->previous->rounds) {
		swap_mags(pc);
		pc->hits++;
		obj = pop_loaded(pc);
		goto hand_out;
	}
	pool_lock(p);
	p->misses++;
	if (!p->ready) {
		p->failures++;
		pool_unlock(p);
		irq_restore(irq);
		return NULL;
	}
	full = mag_pop(&p->depot_full);
	if (full) {
		p->nr_full--;
		p->depot_objects -= full->rounds;
		p->depot_gets++;
		/* Both CPU magazines are empty: the previous one goes to the depot. */
		mag_push(&p->depot_empty, pc->previous);
		p->nr_empty++;
		pc->previous = pc->loaded;
		pc->loaded = full;
		pool_unlock(p);
		obj = pop_loaded(pc);
		goto hand_out;
	}
	if (p->grow && (!p->max || p->owned < p->max)) {
		n = p->max ? MIN(p->grow, p->max - p->owned) : p->grow;
		p->owned += n;    /* claimed now, so that no two growths pass max */
	}
	pool_unlock(p);
	irq_restore(irq);

	if (n && (obj = grow(p, pc, n, flags)))
		return obj;
	/* The backing allocator cannot serve, or max is reached: the reserve. */
	obj = take_reserve(p);
	if (!obj) {
		pool_pull_remote(p);
		obj = take_reserve(p);
	}
	if (obj) {
		hand_out(p, obj);
		return obj;
	}
	pool_lock(p);
	if (!mm_failure_injected())   /* growth failed by an injected fault below */
		p->failures++;
	pool_unlock(p);
	return NULL;

hand_out:
	irq_restore(irq);
	hand_out(p, obj);
	return obj;
}

/* A request no layer served: reported unless __GFP_NOWARN (show_mem.h). */
static __noinline void alloc_failed(struct pool *p, gfp_t flags, const char *why,
				    uintptr_t caller)
{
	struct alloc_request req = {
		.who = p->name, .why = why, .size = p->size, .order = -1, .flags = flags,
		.caller = caller,
	};

	warn_alloc(&req);
}

void *pool_alloc_slow(struct pool *p, gfp_t flags)
{
	struct pool_cpu *pc = this_cpu_ptr(p->cpu);
	void *obj;

	/* pool_alloc() is inline: its caller is this function's (a tail call: theirs). */
	MM_DEBUG_ENTRY(void *, pool_alloc_slow(p, flags));
	/* Counted by fault_inject.c alone, reported by no one; the reserve is no shield. */
	if (fault_should_fail(FAULT_POOL, mm_api_caller(_RET_IP_)))
		return NULL;
	/* What kmem_cache_alloc() takes, and no more (gfp.h). */
	if (unlikely(flags & ~(__GFP_FAST_OK | __GFP_ZERO))) {
		pool_lock(p);
		p->misses++;
		p->failures++;
		pool_unlock(p);
		alloc_failed(p, flags, "invalid gfp flags", _RET_IP_);
		return NULL;
	}
	slow_enter(p, pc);
	obj = alloc_refill(p, pc, flags);
	slow_leave(pc);
	if (!obj) {
		if (!mm_failure_injected())   /* a slab or page injected below */
			alloc_failed(p, flags, "out of memory", mm_api_caller(_RET_IP_));
		return NULL;
	}
	if (DEBUG_OWNER)
		track_alloc(obj, _RET_IP_);
	if (flags & __GFP_ZERO)
		memset(obj, 0, p->size);
	return obj;
}

/* ---- free -------------------------------------------------------------------- */

/*
 * May @obj be freed into @p?  0, or what is wrong, as far as the
 * configured level checks (pool.h): KERR_BAD_PTR or KERR_DOUBLE_FREE.
 */
static int check_free(struct pool *p, const void *obj)
{
	const struct pool_cpu *pc = this_cpu_ptr(p->cpu);
	const struct page *pg;

	if (!p->ready)
		return KERR_BAD_PTR;
	if (POOL_CHECKS_EXACT) {
		uintptr_t word;

		/* (Objects are word-aligned, and so is the state word.) */
		if ((uintptr_t)obj & (sizeof(uintptr_t) - 1))
			return KERR_BAD_PTR;
		pg = virt_to_frame((const char *)obj + p->state_off);
		if (!pg)
			return KERR_BAD_PTR;
#ifdef CONFIG_SLAB
		if (!(pg->flags & PG_SLAB) || slab_page_cache(pg) != p->cache)
			return KERR_BAD_PTR;
#else
		if (pg->pa_state == PA_RESERVED)
			return KERR_BAD_PTR;
#endif
		word = pool_state_read(obj, p->state_off);
		if (word == pool_tag_live(p, obj))
			return 0;
		return word == pool_tag_free(p, obj) ? KERR_DOUBLE_FREE : KERR_BAD_PTR;
	}
#ifdef CONFIG_SLAB
	pg = virt_to_frame(obj);
	if (!pg || !(pg->flags & PG_SLAB) || slab_page_cache(pg) != p->cache)
		return KERR_BAD_PTR;
#endif
	/* The naive check: the object freed last is on top of a CPU magazine. */
	if (POOL_CHECKS_NAIVE && (obj == pc->loaded->round[pc->loaded->rounds] ||
				  obj == pc->previous->round[pc->previous->rounds]))
		return KERR_DOUBLE_FREE;
	return 0;
}

/* A refused free: counted and reported. */
static __noinline int free_refused(struct pool *p, const void *obj, int err)
{
	pool_lock(p);
	p->misuse++;
	pool_unlock(p);
	mm_report_misuse(POOL_LAYER, err, obj);
	return err;
}

/* pool_free_slow() past the checks: @obj is a live object of @p. */
static void free_sound(struct pool *p, struct pool_cpu *pc, void *obj)
{
	struct pool_mag *m;
	unsigned long irq;

	if (POOL_CHECKS_EXACT)
		pool_state_write(obj, p->state_off, pool_tag_free(p, obj));
	pool_lock(p);
	if (reserve_refill(p, obj)) {
		pool_unlock(p);
		return;
	}
	pool_unlock(p);

	irq = irq_save();
	if (pc->loaded->rounds == POOL_MAG_SIZE && pc->previous->rounds == 0)
		swap_mags(pc);
	if (pc->loaded->rounds < POOL_MAG_SIZE) {
		pc->loaded->round[++pc->loaded->rounds] = obj;
		irq_restore(irq);
		return;
	}
	irq_restore(irq);
	/* Both full: trade the previous one for an empty magazine. */
	pool_lock(p);
	m = mag_pop(&p->depot_empty);
	if (m)
		p->nr_empty--;
	pool_unlock(p);
	/* A free may not fail: a magazine if one is at hand, quietly. */
	if (!m)
		m = mag_new(p, GFP_KERNEL);
	if (!m) {
		/* No magazine to be had: the object leaves the pool. */
		pool_lock(p);
		p->owned--;
		pool_unlock(p);
		object_release(p, obj);
		return;
	}
	/*
	 * A pull may have taken rounds meanwhile (interrupts were on while
	 * the magazine was found): look again, with them off.
	 */
	pool_lock(p);
	if (pc->loaded->rounds < POOL_MAG_SIZE) {
		pc->loaded->round[++pc->loaded->rounds] = obj;
		mag_push(&p->depot_empty, m);
		p->nr_empty++;
		pool_unlock(p);
		return;
	}
	if (pc->previous->rounds) {
		mag_push(&p->depot_full, pc->previous);
		p->nr_full++;
		p->depot_objects += pc->previous->rounds;
		p->depot_puts++;
	} else {
		mag_push(&p->depot_empty, pc->previous);
		p->nr_empty++;
	}
	pc->previous = pc->loaded;
	pc->loaded = m;
	m->round[++m->rounds] = obj;
	pool_unlock(p);
}

/*
 * The free of a guard object (DEBUG_GUARD): straight back to the guard
 * pool, never into a magazine (the top of the file); another owner's
 * object or a double free is reported there, counted here, and refused.
 */
static int free_guard(struct pool *p, struct pool_cpu *pc, void *obj)
{
	size_t size;
	int err;

	err = guard_free_for(p, obj, &size);
	if (err) {
		pool_lock(p);
		p->misuse++;
		pool_unlock(p);
		return err;
	}
	slow_enter(p, pc);
	pool_lock(p);
	p->owned--;
	pool_unlock(p);
	slow_leave(pc);
	return 0;
}

int pool_free_slow(struct pool *p, void *obj)
{
	struct pool_cpu *pc = this_cpu_ptr(p->cpu);
	int err;

	MM_DEBUG_ENTRY(int, pool_free_slow(p, obj));
	if (!obj)
		return 0;
	if (DEBUG_GUARD && guard_owns(obj))
		return free_guard(p, pc, obj);
	err = check_free(p, obj);
	if (err)
		return free_refused(p, obj, err);
	if (DEBUG_OWNER)
		track_hold(obj, _RET_IP_);
	slow_enter(p, pc);
	free_sound(p, pc, obj);
	slow_leave(pc);
	return 0;
}

int pool_free_checked(struct pool *p, void *obj)
{
	/*
	 * The caller's context here, not in pool_free_slow(): without a tail
	 * call (an unoptimised coverage build) that one's caller is this
	 * function, and a free's owner track would name it.
	 */
	MM_DEBUG_ENTRY(int, pool_free_checked(p, obj));
	if (!DEBUG_OWNER && pool_free_fast(p, obj, p->state_off))
		return 0;
	return pool_free_slow(p, obj);
}

/* ---- creation ------------------------------------------------------------------ */

/*
 * The state-word key: the descriptor's address through splitmix64's
 * finaliser, so that tags differ between pools and from any plain
 * address; never 0.  Deterministic, so bench figures repeat.
 */
static uintptr_t pool_key(const struct pool *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p + 0x9e3779b97f4a7c15ull;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (uintptr_t)(x | 1);
}

/* An unusable pool: every CPU slot on the stand-in, the free path off. */
static void pool_reset(struct pool *p)
{
	for_each_possible_cpu(cpu) {
		p->cpu[cpu].loaded = &pool_mag_none;
		p->cpu[cpu].previous = &pool_mag_none;
	}
	p->ready = false;
	__atomic_store_n(&p->fill, 0ul, __ATOMIC_RELAXED);
}

static int check_params(const struct pool_params *pp, size_t *align)
{
	if (!pp || pp->size == 0 || pp->size > POOL_MAX_SIZE)
		return KERR_INVAL;
	*align = pp->align ? pp->align : sizeof(void *);
	if ((*align & (*align - 1)) || *align > PAGE_SIZE)
		return KERR_ALIGN;
	if (pp->min_nr > pp->count || (pp->max && pp->count > pp->max))
		return KERR_INVAL;
	return 0;
}

/* Every object and magazine of @p back; no CPU uses it.  Lock not held. */
static void release_all(struct pool *p)
{
	struct pool_mag *mags = NULL, *m;

	for_each_possible_cpu(cpu) {
		struct pool_cpu *pc = &p->cpu[cpu];

		if (pc->loaded != &pool_mag_none)
			mag_push(&mags, pc->loaded);
		if (pc->previous != &pool_mag_none)
			mag_push(&mags, pc->previous);
	}
	while ((m = mag_pop(&p->depot_full)))
		mag_push(&mags, m);
	while ((m = mag_pop(&p->depot_empty)))
		mag_push(&mags, m);
	while (p->reserve.nr)
		object_release(p, stack_pop(&p->reserve));
	m = stack_mags(&p->reserve);
	while (m) {
		struct pool_mag *next = m->next;

		mag_push(&mags, m);
		m = next;
	}
	for (m = mags; m; m = m->next) {
		while (m->rounds)
			object_release(p, m->round[m->rounds--]);
	}
	mags_free(mags);
	p->nr_full = p->nr_empty = p->depot_objects = 0;
	p->owned = 0;
	pool_reset(p);
#ifdef CONFIG_SLAB
	kmem_cache_destroy(p->cache);
	p->cache = NULL;
#endif
}

/* The magazines a pool needs from the start: two per CPU, the reserve's. */
static int make_mags(struct pool *p)
{
	size_t reserve_mags = (p->min_nr + POOL_MAG_SIZE - 1) / POOL_MAG_SIZE;

	for_each_possible_cpu(cpu) {
		struct pool_mag *a = mag_new(p, GFP_KERNEL);
		struct pool_mag *b = a ? mag_new(p, GFP_KERNEL) : NULL;

		if (!b) {
			if (a)
				meta_free(false, a);
			return KERR_NOMEM;
		}
		p->cpu[cpu].loaded = a;
		p->cpu[cpu].previous = b;
	}
	for (size_t i = 0; i < reserve_mags; i++) {
		struct pool_mag *m = mag_new(p, GFP_KERNEL);

		if (!m)
			return KERR_NOMEM;
		if (!p->reserve.cur)
			p->reserve.cur = m;
		else
			mag_push(&p->reserve.empty, m);
	}
	return 0;
}

/*
 * Take @p->count objects: the reserve first, then magazines into the
 * depot (so that every CPU's first allocation trades with it).  The one
 * magazine that is not full goes in first, under the full ones, so that
 * exchanges hand out full magazines.  The magazines are made before the
 * objects, so that the objects come from the backing allocator in one
 * run (in a heap, back to back).
 */
static int preallocate(struct pool *p)
{
	size_t rest = p->count - p->min_nr;
	size_t part = rest % POOL_MAG_SIZE;
	size_t mags = (rest + POOL_MAG_SIZE - 1) / POOL_MAG_SIZE;
	struct pool_mag *made = NULL;

	for (size_t i = 0; i < mags; i++) {
		struct pool_mag *m = mag_new(p, GFP_KERNEL);

		if (!m) {
			mags_free(made);
			return KERR_NOMEM;
		}
		mag_push(&made, m);
	}
	while (p->reserve.nr < p->min_nr) {
		void *obj = object_new(p, GFP_KERNEL);

		if (!obj) {
			mags_free(made);
			return KERR_NOMEM;
		}
		p->owned++;
		stack_push(&p->reserve, obj);
	}
	while (made) {
		size_t take = part ? part : POOL_MAG_SIZE;
		struct pool_mag *m = mag_pop(&made);

		mag_push(&p->depot_full, m);
		p->nr_full++;
		for (size_t i = 0; i < take; i++) {
			void *obj = object_new(p, GFP_KERNEL);

			if (!obj) {
				mags_free(made);
				return KERR_NOMEM;
			}
			p->owned++;
			m->round[++m->rounds] = obj;
			p->depot_objects++;
		}
		part = 0;
	}
	p->owned_peak = p->owned;
	return 0;
}

int pool_init(struct pool *p, const struct pool_params *pp)
{
	size_t align, i;
	int err;

	memset(p, 0, sizeof(*p));
	spin_lock_init(&p->lock);
	pool_reset(p);
	err = check_params(pp, &align);
	if (err)
		return err;
	for (i = 0; pp->name && pp->name[i] && i < POOL_NAME_LEN - 1; i++)
		p->name[i] = pp->name[i];
	p->name[i] = '\0';
	p->size = pp->size;
	p->align = align;
	p->ctor = pp->ctor;
	p->count = pp->count;
	p->min_nr = pp->min_nr;
	p->grow = pp->grow;
	p->max = pp->max;
	p->key = pool_key(p);
	p->state_off = POOL_STATE_OFF(pp->size);
	/* An object's bytes, and its state word where the checks keep one. */
	p->backing_size = POOL_CHECKS_EXACT ? p->state_off + sizeof(uintptr_t) : p->size;
	p->stride = ALIGN_UP(p->backing_size, align);
	if (p->stride > KMEM_CACHE_MAX_SIZE || !meta_ready())
		return p->stride > KMEM_CACHE_MAX_SIZE ? KERR_INVAL : KERR_NOMEM;
#ifdef CONFIG_SLAB
	/* Sampled at growth, not below (the top of the file). */
	p->cache = kmem_cache_create_flags(p->name, p->backing_size, align, SLAB_SKIP_GUARD, NULL);
	if (!p->cache)
		return KERR_NOMEM;
#else
	/*
	 * Heap blocks sized so that, with their headers, they keep the
	 * alignment from one to the next: objects taken one after another
	 * lie back to back, and no free fragment is left in front of each
	 * (a first-fit heap would walk every one of them on every request).
	 */
	if (align > HEAP_MIN_ALIGN)
		p->backing_size = ALIGN_UP(p->backing_size + HEAP_BLOCK_HEADER, align) -
				  HEAP_BLOCK_HEADER;
	p->stride = p->backing_size + HEAP_BLOCK_HEADER;
#endif
	err = make_mags(p);
	if (!err)
		err = preallocate(p);
	if (err) {
		release_all(p);
		return err;
	}
	p->ready = true;
	__atomic_store_n(&p->fill, (unsigned long)POOL_MAG_SIZE, __ATOMIC_RELAXED);
	spin_lock(&pools_lock);
	p->list_next = pools;
	pools = p;
	spin_unlock(&pools_lock);
	return 0;
}

struct pool *pool_create(const struct pool_params *pp)
{
	struct pool *p;
	size_t align;

	if (check_params(pp, &align) || !meta_ready())
		return NULL;
	p = meta_alloc(true, __GFP_NOWARN);
	if (!p)
		return NULL;
	if (pool_init(p, pp)) {
		meta_free(true, p);
		return NULL;
	}
	p->dynamic = true;
	return p;
}

/* ---- statistics ------------------------------------------------------------------ */

void pool_get_stats(struct pool *p, struct pool_stats *st)
{
	const struct pool_cpu *me = this_cpu_ptr(p->cpu);

	memset(st, 0, sizeof(*st));
	pool_lock(p);
	if (p->ready)
		sample_high_water(p, me);
	st->name = p->name;
	st->object_size = p->size;
	st->align = p->align;
	st->stride = p->stride;
	st->count = p->count;
	st->min_nr = p->min_nr;
	st->grow = p->grow;
	st->max = p->max;
	st->mag_size = POOL_MAG_SIZE;
	st->ready = p->ready;
#ifdef CONFIG_SLAB
	st->backing = "slab";
#else
	st->backing = "heap";
#endif
	st->owned = p->owned;
	st->owned_peak = p->owned_peak;
	st->in_use = in_use_of(p);
	st->free_cpu = free_in_cpus(p);
	st->free_depot = p->depot_objects;
	st->reserve = p->reserve.nr;
	st->mags_full = p->nr_full;
	st->mags_empty = p->nr_empty;
	st->loaded_rounds = me->loaded->rounds;
	st->previous_rounds = me->previous->rounds;
	for_each_possible_cpu(cpu) {
		st->hits += p->cpu[cpu].hits;
		st->swaps += p->cpu[cpu].swaps;
	}
	st->high_water = p->high_water;
	st->misses = p->misses;
	st->failures = p->failures;
	st->allocs = st->hits + st->misses - st->failures;
	st->frees = st->allocs - st->in_use;
	st->depot_gets = p->depot_gets;
	st->depot_puts = p->depot_puts;
	st->mags_made = p->mags_made;
	st->grows = p->grows;
	st->reserve_uses = p->reserve_uses;
	st->misuse = p->misuse;
	st->released = p->released;
	pool_unlock(p);
}

const char *pool_name(const struct pool *p)
{
	return p->name;
}

void pool_for_each(void (*fn)(struct pool *p, void *arg), void *arg)
{
	spin_lock(&pools_lock);
	for (struct pool *p = pools; p; p = p->list_next)
		fn(p, arg);
	spin_unlock(&pools_lock);
}

/* ---- shrink and destroy ------------------------------------------------------------ */

/* One free object beyond the reserve: the depot's first, else this CPU's.  Lock held. */
static void *take_surplus(struct pool *p, struct pool_cpu *pc)
{
	struct pool_mag *m = p->depot_full;

	if (m) {
		void *obj = m->round[m->rounds--];

		p->depot_objects--;
		if (!m->rounds) {
			p->depot_full = m->next;
			p->nr_full--;
			mag_push(&p->depot_empty, m);
			p->nr_empty++;
		}
		return obj;
	}
	if (pc->loaded->rounds)
		return pc->loaded->round[pc->loaded->rounds--];
	if (pc->previous->rounds)
		return pc->previous->round[pc->previous->rounds--];
	return NULL;
}

#if NR_CPUS > 1
/*
 * This CPU's part of pool_shrink() on another CPU, in its IPI handler
 * (interrupts off): each magazine holding objects goes to the depot, for
 * an empty one from the depot, while the depot has empty ones.
 */
static void flush_here(void *arg)
{
	struct pool *p = arg;
	struct pool_cpu *pc = this_cpu_ptr(p->cpu);

	pool_lock(p);
	if (p->ready) {
		struct pool_mag **slots[2] = { &pc->loaded, &pc->previous };

		sample_high_water(p, pc);
		for (unsigned int i = 0; i < 2; i++) {
			struct pool_mag *m = *slots[i], *e;

			if (!m->rounds || !(e = mag_pop(&p->depot_empty)))
				continue;
			p->nr_empty--;
			mag_push(&p->depot_full, m);
			p->nr_full++;
			p->depot_objects += m->rounds;
			p->depot_puts++;
			*slots[i] = e;
		}
		pc->low = pc->loaded->rounds;
	}
	pool_unlock(p);
}

/*
 * Empty magazines in the depot for every other CPU to trade both of its
 * own for: flush_here() cannot allocate (it runs in an IPI handler).
 * Made without reclaim (the shrink may be part of one) and quietly: with
 * fewer, fewer objects come back.  They go with the depot's other empty
 * magazines at the end of the shrink.
 */
static void flush_prepare(struct pool *p)
{
	size_t want = 2 * (num_online_cpus() - 1), have;

	pool_lock(p);
	have = p->nr_empty;
	pool_unlock(p);
	for (; have < want; have++) {
		struct pool_mag *m = mag_new(p, __GFP_ATOMIC);

		if (!m)
			break;
		pool_lock(p);
		mag_push(&p->depot_empty, m);
		p->nr_empty++;
		pool_unlock(p);
	}
}

#endif

size_t pool_shrink(struct pool *p)
{
	struct pool_cpu *pc;
	struct pool_mag *empties;
	size_t released = 0;

	if (!p || !p->ready)
		return 0;
	pc = this_cpu_ptr(p->cpu);
	/* Other CPUs' free objects first, into the depot (a cross-CPU wait: smp.h). */
#if NR_CPUS > 1
	if (irqs_enabled()) {
		flush_prepare(p);
		smp_call_function_all(flush_here, p, true);
	}
#endif
	slow_enter(p, pc);
	for (;;) {
		void *obj = NULL;

		pool_lock(p);
		if (p->owned > p->count)
			obj = take_surplus(p, pc);
		if (obj) {
			p->owned--;
			p->released++;
		}
		pool_unlock(p);
		if (!obj)
			break;
		object_release(p, obj);
		released++;
	}
	slow_leave(pc);
	pool_lock(p);
	empties = p->depot_empty;
	p->depot_empty = NULL;
	p->nr_empty = 0;
	pool_unlock(p);
	mags_free(empties);
	return released;
}

void pool_destroy(struct pool *p)
{
	size_t in_use;

	if (!p || !p->ready)
		return;
	pool_lock(p);
	in_use = in_use_of(p);
	if (in_use) {
		p->misuse++;
		pool_unlock(p);
		mm_report_misuse(POOL_LAYER, KERR_INVAL, p);
		return;
	}
	pool_unlock(p);

	spin_lock(&pools_lock);
	for (struct pool **pp = &pools; *pp; pp = &(*pp)->list_next) {
		if (*pp == p) {
			*pp = p->list_next;
			break;
		}
	}
	spin_unlock(&pools_lock);
	release_all(p);
	if (p->dynamic)
		meta_free(true, p);
}

/* ---- memory pressure ----------------------------------------------------------------- */

#ifdef CONFIG_SLAB
/*
 * What growth added and no one uses is memory the page allocator may want
 * back: the pools' shrinker (shrinker.h) runs pool_shrink() on every pool,
 * then kmem_cache_shrink() on its cache for the slabs that emptied.
 * Registered after the slabs' (meta_ready()), so it runs before theirs:
 * the pools empty slabs, then the slab layer's empty slabs go.  In
 * SimpleHeap the pools' memory is the heap region's, which never goes back
 * to the page allocator: no shrinker there.
 */

/* Pages pool_shrink() could give back from @p (an estimate).  Pool list lock held. */
static void count_surplus(struct pool *p, void *arg)
{
	const struct pool_cpu *pc = this_cpu_ptr(p->cpu);
	size_t *pages = arg, surplus = 0;

	pool_lock(p);
	if (p->owned > p->count)
		surplus = MIN(p->owned - p->count, p->depot_objects + pc->loaded->rounds +
			      pc->previous->rounds);
	pool_unlock(p);
	*pages += (surplus * p->stride + PAGE_SIZE - 1) / PAGE_SIZE;
}

static size_t pools_count(void)
{
	size_t pages = 0;

	pool_for_each(count_surplus, &pages);
	return pages;
}

static void shrink_one(struct pool *p, void *arg)
{
	(void)arg;
	if (pool_shrink(p))
		(void)kmem_cache_shrink(p->cache);
}

/* All of it, whatever @nr: a pool's growth is worth nothing once unused. */
static size_t pools_scan(size_t nr)
{
	size_t before = page_alloc_taken_pages(), after;

	(void)nr;
	pool_for_each(shrink_one, NULL);
	after = page_alloc_taken_pages();
	return before > after ? before - after : 0;
}

static struct shrinker pools_shrinker = {
	.name = "pools", .count = pools_count, .scan = pools_scan,
};
#endif

/* ---- self-check ---------------------------------------------------------------------- */

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			printk("pool %s: check failed: ", p->name);         \
			printk(__VA_ARGS__);                                \
			printk("\n");                                       \
			return false;                                       \
		}                                                           \
	} while (0)

/* One magazine: a sound stack of free objects; adds its rounds to *@n. */
static bool check_mag(struct pool *p, const struct pool_mag *m, const char *where, size_t *n)
{
	CHECK(m->round[0] == NULL, "%s magazine %p: no sentinel", where, (const void *)m);
	CHECK(m->rounds <= POOL_MAG_SIZE, "%s magazine %p: %lu rounds", where, (const void *)m,
	      m->rounds);
	for (unsigned long i = 1; i <= m->rounds; i++) {
		const void *obj = m->round[i];

		CHECK(obj, "%s magazine %p: round %lu is NULL", where, (const void *)m, i);
		if (POOL_CHECKS_EXACT)
			CHECK(pool_state_read(obj, p->state_off) == pool_tag_free(p, obj),
			      "%s magazine: free object %p is not marked free", where, obj);
	}
	*n += m->rounds;
	return true;
}

static bool check_list(struct pool *p, const struct pool_mag *list, size_t nr,
		       const char *where, size_t *n)
{
	size_t k = 0;

	for (; list; list = list->next, k++) {
		CHECK(k < nr, "%s list longer than %zu", where, nr);
		if (!check_mag(p, list, where, n))
			return false;
	}
	CHECK(k == nr, "%s list: %zu magazines, %zu counted", where, k, nr);
	return true;
}

static bool check_locked(struct pool *p)
{
	size_t cpu_free = 0, depot = 0, reserve = 0, empty = 0;

	if (!p->ready)
		return true;
	for_each_possible_cpu(cpu) {
		CHECK(p->cpu[cpu].loaded != &pool_mag_none && p->cpu[cpu].previous !=
		      &pool_mag_none, "CPU %u has no magazines", cpu);
		if (!check_mag(p, p->cpu[cpu].loaded, "loaded", &cpu_free) ||
		    !check_mag(p, p->cpu[cpu].previous, "previous", &cpu_free))
			return false;
	}
	if (!check_list(p, p->depot_full, p->nr_full, "depot full", &depot) ||
	    !check_list(p, p->depot_empty, p->nr_empty, "depot empty", &empty))
		return false;
	CHECK(depot == p->depot_objects, "depot holds %zu objects, counted %zu", depot,
	      p->depot_objects);
	CHECK(empty == 0, "an empty depot magazine holds %zu objects", empty);
	for (const struct pool_mag *m = p->depot_full; m; m = m->next)
		CHECK(m->rounds > 0, "an empty magazine on the depot's full list");
	if (p->reserve.cur) {
		if (!check_mag(p, p->reserve.cur, "reserve", &reserve))
			return false;
		for (const struct pool_mag *m = p->reserve.full; m; m = m->next) {
			CHECK(m->rounds == POOL_MAG_SIZE, "a reserve magazine under the top is not full");
			if (!check_mag(p, m, "reserve", &reserve))
				return false;
		}
		for (const struct pool_mag *m = p->reserve.empty; m; m = m->next)
			CHECK(m->rounds == 0, "a spare reserve magazine holds objects");
	}
	CHECK(reserve == p->reserve.nr, "reserve holds %zu objects, counted %zu", reserve,
	      p->reserve.nr);
	CHECK(p->reserve.nr <= p->min_nr, "reserve %zu above min_nr %zu", p->reserve.nr,
	      p->min_nr);
	CHECK(p->owned >= p->min_nr, "holds %zu objects, fewer than min_nr %zu", p->owned,
	      p->min_nr);
	CHECK(!p->max || p->owned <= p->max, "holds %zu objects, max %zu", p->owned, p->max);
	CHECK(cpu_free + depot + reserve <= p->owned,
	      "%zu on CPUs + %zu in the depot + %zu reserved > %zu held", cpu_free, depot,
	      reserve, p->owned);
	CHECK(p->owned - (cpu_free + depot + reserve) <= p->high_water,
	      "%zu in use, high-water %zu", p->owned - (cpu_free + depot + reserve),
	      p->high_water);
	CHECK((p->reserve.nr == p->min_nr) == (__atomic_load_n(&p->fill, __ATOMIC_RELAXED) != 0),
	      "reserve %zu of %zu, fast free %s", p->reserve.nr, p->min_nr,
	      p->fill ? "on" : "off");
	return true;
}

bool pool_check(struct pool *p)
{
	bool ok;

	pool_lock(p);
	ok = check_locked(p);
	pool_unlock(p);
	/* Its guard objects' canaries (DEBUG_GUARD), outside the lock. */
	if (DEBUG_GUARD && !guard_check_of(p))
		ok = false;
	return ok;
}
