/*
 * debug_guard.c - sampled guard allocations (Kconfig DEBUG_GUARD; the
 * contract is debug_guard.h), as Linux's KFENCE.
 *
 * The pool's address space, from vmap_reserve():
 *
 *     | guard | object 0 | guard | object 1 | guard | ... | object N-1 | guard |
 *
 * page 2i + 1 is slot i's object page, the even pages are guard pages,
 * never mapped to memory of their own.  Each slot owns a page from the
 * page allocator (taken at boot and kept), mapped at its object page
 * while the object is live and unmapped when it is freed.  A fault in the
 * pool is attributed to the nearest object: a guard page to the live
 * neighbour closer to the access (an overflow of the one before, an
 * underflow of the one after), an unmapped object page to the object last
 * freed there.  After the report one spare page (the "sink") is mapped
 * where the access faulted and the access goes on; the next allocation of
 * a neighbouring slot takes the sink away again, so the guard is back.
 *
 * Locking: one irq-safe lock over the slots and the figures, never held
 * while mapping or unmapping: the page-table lock is never taken with
 * interrupts off, and an unmap waits for the other CPUs' TLB flushes.  So
 * with SMP nothing is sampled with interrupts off, a free with interrupts
 * off leaves the page mapped until the next allocation from the pool
 * unmaps it (a use after free meanwhile goes unseen), and a fault taken
 * with interrupts off is reported but not resumed.  A slot being mapped or
 * unmapped is BUSY: no one else touches it.
 *
 * Owners: a slot remembers who handed its object out (NULL: kmalloc; a
 * named cache; a pool), so that a free to another owner is refused (the
 * object stays live: it is still its owner's) and so that a cache or pool
 * can count, check and refuse to be destroyed with its live objects.
 */
#include "arch.h"
#include "debug_guard.h"
#include "irq.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_fault.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "percpu.h"
#include "printk.h"
#include "spinlock.h"
#include "vmap.h"

#define SLOTS CONFIG_DEBUG_GUARD_POOL_PAGES
#define POOL_PAGES (2 * SLOTS + 1)
#define PROT_RW (ARCH_PROT_READ | ARCH_PROT_WRITE)

/* KFENCE's canary: 0xaa, varied by the address so that a shifted copy shows. */
#define CANARY(addr) ((uint8_t)(0xaa ^ ((uintptr_t)(addr) & 7)))

/*
 * The canary depends on an address's low three bits only, so every
 * 8-aligned word of it is the same word: filled and checked a word at a
 * time (x86_64, a guarded 64-byte object: 5.7 thousand instructions, not
 * the 59 thousand of byte by byte).
 */
typedef uint64_t __attribute__((may_alias)) canary_word_t;
#define CANARY_WORD_BYTES ((uintptr_t)sizeof(canary_word_t))

static uint64_t canary_word(void)
{
	uint8_t bytes[sizeof(uint64_t)];
	uint64_t w;

	for (unsigned int k = 0; k < sizeof(bytes); k++)
		bytes[k] = CANARY(k);
	__builtin_memcpy(&w, bytes, sizeof(w));
	return w;
}

enum slot_state {
	SLOT_FREE,      /* object page unmapped; reusable */
	SLOT_LIVE,      /* object handed out, page mapped */
	SLOT_FREED,     /* freed with interrupts off: still mapped, not reusable yet */
	SLOT_BUSY,      /* being mapped or unmapped by one CPU */
};

struct guard_slot {
	enum slot_state state;
	uintptr_t page;         /* the backing page (its identity-mapped address) */
	uintptr_t object;       /* the object, live or last freed; 0: never used */
	size_t size;
	const void *owner;      /* who handed it out: NULL kmalloc, a cache, a pool */
	unsigned int alloc_cpu, free_cpu;
	unsigned int next_freed; /* SLOT_FREED: the one freed before it, + 1; 0: none */
	struct mm_track track;  /* DEBUG_OWNER's owner */
};

struct guard_cpu {
	unsigned int countdown; /* allocations to the next sample */
	bool force;             /* guard_sample_next() */
	struct guard_report last;
} ____cacheline_aligned_in_smp;

static DEFINE_SPINLOCK(guard_lock);
static DEFINE_PER_CPU(struct guard_cpu, guard_cpus);
static struct guard_slot slots[SLOTS];
static bool sink_mapped[POOL_PAGES];
static uintptr_t pool_base;     /* 0: no pool (not set up, or no room) */
static uintptr_t sink_page;
static size_t nr_slots;
static unsigned int next_slot;  /* round robin: a freed page rests as long as it can */
static size_t free_slots;       /* SLOT_FREE ones: a full pool is not searched */
static unsigned int placed;     /* allocations so far: odd ones at the page's start */
/* The slot last made SLOT_FREED, + 1; 0: none.  Written under the lock, peeked at without. */
static unsigned int freed_top;
static unsigned int suspended;  /* guard_suspend() depth */
static struct guard_stats stats;

static bool handle_fault(struct mm_fault_handler *h, uintptr_t addr, bool write);
static struct mm_fault_handler guard_handler = { .handle = handle_fault };

static uintptr_t object_page(size_t i)
{
	return pool_base + (2 * i + 1) * PAGE_SIZE;
}

static size_t page_index(uintptr_t addr)
{
	return (addr - pool_base) / PAGE_SIZE;
}

bool guard_owns(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	return pool_base && a >= pool_base && a < pool_base + POOL_PAGES * PAGE_SIZE;
}

/* Map and unmap may run here: with SMP they need interrupts on (see the top). */
static bool may_remap(void)
{
	return !IS_ENABLED(CONFIG_SMP) || irqs_enabled();
}

/* A slot is SLOT_FREE again.  Lock held. */
static void put_slot(struct guard_slot *s)
{
	s->state = SLOT_FREE;
	free_slots++;
}

static void unmap_page(uintptr_t va)
{
	BUG_ON(arch_unmap(va, PAGE_SIZE) != 0);
}

/* Take the sink away from pool page @pg, if it is there.  Lock not held. */
static void unsink(size_t pg)
{
	if (pg < POOL_PAGES && __atomic_load_n(&sink_mapped[pg], __ATOMIC_RELAXED)) {
		unmap_page(pool_base + pg * PAGE_SIZE);
		__atomic_store_n(&sink_mapped[pg], false, __ATOMIC_RELAXED);
	}
}

/*
 * Unmap the pages of slots freed while interrupts were off.  Interrupts
 * on.  They are found on a stack, not by a walk of every slot: every CPU
 * that allocated while one was pending walked the whole pool, taking the
 * lock at each slot, and with thousands of slots, ticket locks and more
 * vCPUs than host cores, one mm_smp case took over an hour (randconfig
 * seed 1000); with the stack it takes seconds.
 */
static void unmap_pending(void)
{
	for (;;) {
		size_t i;

		spin_lock_irqsafe(&guard_lock);
		if (!freed_top) {
			spin_unlock_irqsafe(&guard_lock);
			return;
		}
		i = freed_top - 1;
		__atomic_store_n(&freed_top, slots[i].next_freed, __ATOMIC_RELAXED);
		slots[i].state = SLOT_BUSY;
		spin_unlock_irqsafe(&guard_lock);
		unmap_page(object_page(i));
		spin_lock_irqsafe(&guard_lock);
		put_slot(&slots[i]);
		spin_unlock_irqsafe(&guard_lock);
	}
}

void guard_init(void)
{
	uintptr_t base = (uintptr_t)vmap_reserve(POOL_PAGES * PAGE_SIZE, PAGE_SIZE);
	void *sink = alloc_pages(0, GFP_KERNEL | __GFP_ZERO);

	/*
	 * The pool's page tables are made now and kept: a sampled allocation
	 * then allocates no table, and a free frees none.  Otherwise the
	 * pool's last unmap freed its table and the next map made it again,
	 * page poison checked and zeroed (x86_64: map 14.7 thousand
	 * instructions, unmap 4.1 thousand; with the tables kept 350 and 660).
	 */
	if (!base || !sink || arch_map_prepare(base, POOL_PAGES * PAGE_SIZE)) {
		printk("mm: guard: no room for the pool (%d pages): guard sampling is off\n",
		       (int)POOL_PAGES);
		if (sink)
			free_pages(sink, 0);
		vmap_free((void *)base);	/* the address space too (0: nothing) */
		return;
	}
	if (DEBUG_PAGES)
		debug_page_internal(sink);
	for (size_t i = 0; i < SLOTS; i++) {
		void *page = alloc_pages(0, GFP_KERNEL);

		if (!page)
			break;
		if (DEBUG_PAGES)
			debug_page_internal(page);
		slots[i].page = (uintptr_t)page;
		nr_slots++;
		free_slots++;
	}
	sink_page = (uintptr_t)sink;
	for_each_possible_cpu(cpu)
		per_cpu_ptr(guard_cpus, cpu)->countdown = CONFIG_DEBUG_GUARD_INTERVAL;
	stats.slots = nr_slots;
	__atomic_store_n(&pool_base, base, __ATOMIC_RELEASE);
	mm_fault_register(&guard_handler);
}

void guard_sample_next(void)
{
	unsigned long irq = irq_save();

	this_cpu_ptr(guard_cpus)->force = true;
	irq_restore(irq);
}

void guard_suspend(void)
{
	__atomic_fetch_add(&suspended, 1, __ATOMIC_RELAXED);
}

void guard_resume(void)
{
	__atomic_fetch_sub(&suspended, 1, __ATOMIC_RELAXED);
}

/* Is this call the one in DEBUG_GUARD_INTERVAL?  Counted per CPU. */
static bool sampled(void)
{
	unsigned long irq = irq_save();
	struct guard_cpu *gc = this_cpu_ptr(guard_cpus);
	bool yes = gc->force ||
		   (!__atomic_load_n(&suspended, __ATOMIC_RELAXED) && --gc->countdown == 0);

	if (yes) {
		gc->force = false;
		gc->countdown = CONFIG_DEBUG_GUARD_INTERVAL;
	}
	irq_restore(irq);
	return yes;
}

/*
 * A free slot, made BUSY; SLOTS when there is none.  Lock held.  A pool
 * with live objects in every slot is the usual state of a program that
 * holds more objects than there are slots, sampled at every allocation:
 * it answers without a walk.
 */
static size_t take_slot(void)
{
	if (!free_slots)
		return SLOTS;
	for (size_t n = 0; n < nr_slots; n++) {
		size_t i = (next_slot + n) % nr_slots;

		if (slots[i].state == SLOT_FREE) {
			slots[i].state = SLOT_BUSY;
			free_slots--;
			next_slot = (unsigned int)((i + 1) % nr_slots);
			return i;
		}
	}
	return SLOTS;
}

void *guard_alloc_for(const void *owner, size_t size, size_t align)
{
	struct guard_slot *s;
	uintptr_t page, obj;
	size_t i;
	bool left;

	if (!__atomic_load_n(&pool_base, __ATOMIC_ACQUIRE) || size > PAGE_SIZE || !may_remap() ||
	    !sampled())
		return NULL;
	if (__atomic_load_n(&freed_top, __ATOMIC_RELAXED))
		unmap_pending();
	spin_lock_irqsafe(&guard_lock);
	i = take_slot();
	if (i == SLOTS) {
		stats.pool_full++;
		spin_unlock_irqsafe(&guard_lock);
		return NULL;
	}
	left = placed++ & 1;
	spin_unlock_irqsafe(&guard_lock);

	s = &slots[i];
	page = object_page(i);
	/* The guard is back: no sink before, on or after this object. */
	unsink(2 * i);
	unsink(2 * i + 1);
	unsink(2 * i + 2);
	/* Its tables were prepared at boot and the page is unmapped: this cannot fail. */
	BUG_ON(arch_map(page, s->page, PAGE_SIZE, PAGE_SIZE, PROT_RW) != 0);
	align = MAX(align, (size_t)1);
	obj = left ? page : page + PAGE_SIZE - ALIGN_UP(size, align);
	/* The whole page holds canary bytes; the object's are the caller's. */
	for (uintptr_t a = page; a < page + PAGE_SIZE; a += CANARY_WORD_BYTES)
		*(canary_word_t *)a = canary_word();
	if (DEBUG_OWNER)
		mm_track_alloc(&s->track, 0);
	spin_lock_irqsafe(&guard_lock);
	s->object = obj;
	s->size = size;
	s->owner = owner;
	s->alloc_cpu = this_cpu();
	s->state = SLOT_LIVE;
	stats.allocs++;
	stats.live++;
	spin_unlock_irqsafe(&guard_lock);
	return (void *)obj;
}

static void remember(enum guard_finding what, uintptr_t addr, const struct guard_slot *s,
		     bool write)
{
	struct guard_report *r = &this_cpu_ptr(guard_cpus)->last;

	*r = (struct guard_report){ .what = what, .addr = addr, .cpu = this_cpu(), .write = write };
	if (s && s->object) {
		r->object = (const void *)s->object;
		r->size = s->size;
		r->offset = (long)(addr - s->object);
	}
}

void guard_last_report(struct guard_report *r)
{
	unsigned long irq = irq_save();

	*r = this_cpu_ptr(guard_cpus)->last;
	irq_restore(irq);
}

/* The object line every report ends with. */
static void print_object(const struct guard_slot *s)
{
	if (!s || !s->object) {
		printk("mm: guard: no object was ever placed next to it\n");
		return;
	}
	printk("mm: guard: object %p (%zu bytes) allocated by cpu %u", (void *)s->object,
	       s->size, s->alloc_cpu);
	if (s->state != SLOT_LIVE)
		printk(", freed by cpu %u", s->free_cpu);
	printk("\n");
}

/* Do the bytes [@from, @to) hold the canary?  Words between the ends. */
static bool canary_intact(uintptr_t from, uintptr_t to)
{
	for (; from < to && (from & (CANARY_WORD_BYTES - 1)); from++)
		if (*(const uint8_t *)from != CANARY(from))
			return false;
	for (; to - from >= CANARY_WORD_BYTES; from += CANARY_WORD_BYTES)
		if (*(const canary_word_t *)from != canary_word())
			return false;
	for (; from < to; from++)
		if (*(const uint8_t *)from != CANARY(from))
			return false;
	return true;
}

/*
 * Are the canary bytes of slot @s's page whole?  If not, report, counting
 * the overwritten bytes one at a time.  The object is @s's, its page
 * still mapped.
 */
static bool canary_whole(const struct guard_slot *s, uintptr_t page)
{
	uintptr_t end = s->object + s->size;
	long first = 0, last = 0;
	size_t bad = 0;

	if (canary_intact(page, s->object) && canary_intact(end, page + PAGE_SIZE))
		return true;
	for (uintptr_t a = page; a < page + PAGE_SIZE; a++) {
		if (a == s->object)
			a = end;
		if (a >= page + PAGE_SIZE)
			break;
		if (*(const uint8_t *)a != CANARY(a)) {
			if (!bad)
				first = (long)(a - s->object);
			last = (long)(a - s->object);
			bad++;
		}
	}
	if (!bad)
		return true;
	remember(GUARD_CANARY, s->object + first, s, true);
	mm_report_misuse_track("guard", KERR_REDZONE, (const void *)s->object,
			       DEBUG_OWNER ? &s->track : NULL);
	printk("mm: guard: canary of object %p (%zu bytes): %zu bytes overwritten at offset %ld..%ld\n",
	       (void *)s->object, s->size, bad, first, last);
	return false;
}

int guard_free_for(const void *owner, const void *p, size_t *size)
{
	uintptr_t a = (uintptr_t)p;
	size_t pg = page_index(a), i = (pg - 1) / 2;
	struct guard_slot *s = pg & 1 ? &slots[i] : NULL;
	enum guard_finding bad = GUARD_NONE;
	int err = 0;

	spin_lock_irqsafe(&guard_lock);
	if (!s || i >= nr_slots || s->object != a) {
		bad = GUARD_INVALID_FREE;
		err = KERR_BAD_PTR;
	} else if (s->state != SLOT_LIVE) {
		bad = GUARD_DOUBLE_FREE;
		err = KERR_DOUBLE_FREE;
	} else if (s->owner != owner) {
		bad = GUARD_WRONG_OWNER;
		err = KERR_BAD_PTR;
	} else {
		s->state = SLOT_BUSY;
	}
	if (err) {
		struct guard_slot copy = s && i < nr_slots ? *s : (struct guard_slot){ 0 };

		stats.bad_frees++;
		spin_unlock_irqsafe(&guard_lock);
		remember(bad, a, copy.object ? &copy : NULL, false);
		mm_report_misuse_track("guard", err, p,
				       DEBUG_OWNER && copy.object ? &copy.track : NULL);
		if (bad == GUARD_WRONG_OWNER)
			printk("mm: guard: object %p freed to %s it was not allocated from\n",
			       p, owner ? "a cache or pool" : "kfree()");
		print_object(copy.object ? &copy : NULL);
		return err;
	}
	spin_unlock_irqsafe(&guard_lock);

	if (!canary_whole(s, object_page(i))) {
		spin_lock_irqsafe(&guard_lock);
		stats.canary++;
		spin_unlock_irqsafe(&guard_lock);
	}
	if (DEBUG_OWNER)
		mm_track_free(&s->track, 0);
	s->free_cpu = this_cpu();
	*size = s->size;
	if (may_remap())
		unmap_page(object_page(i));
	spin_lock_irqsafe(&guard_lock);
	if (may_remap()) {
		put_slot(s);
	} else {
		s->state = SLOT_FREED;
		s->next_freed = freed_top;
		__atomic_store_n(&freed_top, (unsigned int)i + 1, __ATOMIC_RELAXED);
	}
	stats.frees++;
	stats.live--;
	spin_unlock_irqsafe(&guard_lock);
	return 0;
}

size_t guard_size(const void *p)
{
	size_t pg = page_index((uintptr_t)p), i = (pg - 1) / 2, size = 0;

	spin_lock_irqsafe(&guard_lock);
	if ((pg & 1) && i < nr_slots && slots[i].state == SLOT_LIVE &&
	    slots[i].object == (uintptr_t)p)
		size = slots[i].size;
	spin_unlock_irqsafe(&guard_lock);
	return size;
}

size_t guard_live_of(const void *owner)
{
	size_t n = 0;

	spin_lock_irqsafe(&guard_lock);
	for (size_t i = 0; i < nr_slots; i++)
		n += slots[i].state == SLOT_LIVE && slots[i].owner == owner;
	spin_unlock_irqsafe(&guard_lock);
	return n;
}

/*
 * The canaries of @owner's live objects.  A slot is made BUSY while its
 * page is read, so that a free on another CPU cannot unmap it under the
 * check (that free then reports a double free: the caller's check and its
 * free raced, a misuse of the cache anyway).
 */
bool guard_check_of(const void *owner)
{
	bool whole = true;

	for (size_t i = 0; i < nr_slots; i++) {
		struct guard_slot *s = &slots[i];
		bool mine;

		spin_lock_irqsafe(&guard_lock);
		mine = s->state == SLOT_LIVE && s->owner == owner;
		if (mine)
			s->state = SLOT_BUSY;
		spin_unlock_irqsafe(&guard_lock);
		if (!mine)
			continue;
		if (!canary_whole(s, object_page(i))) {
			whole = false;
			spin_lock_irqsafe(&guard_lock);
			stats.canary++;
			spin_unlock_irqsafe(&guard_lock);
		}
		spin_lock_irqsafe(&guard_lock);
		s->state = SLOT_LIVE;
		spin_unlock_irqsafe(&guard_lock);
	}
	return whole;
}

bool guard_owner_of(const void *addr, struct mm_track *t, const void **base)
{
	size_t pg, i;
	bool found = false;

	if (!guard_owns(addr))
		return false;
	pg = page_index((uintptr_t)addr);
	i = (pg - 1) / 2;
	spin_lock_irqsafe(&guard_lock);
	if ((pg & 1) && i < nr_slots && slots[i].object) {
		*t = slots[i].track;
		*base = (const void *)slots[i].object;
		found = true;
	}
	spin_unlock_irqsafe(&guard_lock);
	return found;
}

#ifdef CONFIG_DEBUG_LEAK
/* The leak walk's part (debug_leak.c, built with DEBUG_LEAK). */
size_t guard_leaks(uint64_t mark)
{
	size_t n = 0;

	for (size_t i = 0; i < nr_slots; i++) {
		struct guard_slot s;

		spin_lock_irqsafe(&guard_lock);
		s = slots[i];
		spin_unlock_irqsafe(&guard_lock);
		if (s.state == SLOT_LIVE && s.track.seq > mark) {
			mm_leak_print("guard object", (const void *)s.object, s.size, &s.track);
			n++;
		}
	}
	return n;
}
#endif

/*
 * The slot a fault at @addr (pool page @pg) is about: an object page's
 * own; for a guard page, the live neighbour nearer the access, else the
 * neighbour that ever held an object.  Lock held; NULL: none.
 */
static struct guard_slot *blame(uintptr_t addr, size_t pg)
{
	struct guard_slot *before = pg >= 2 ? &slots[pg / 2 - 1] : NULL;
	struct guard_slot *after = pg / 2 < nr_slots ? &slots[pg / 2] : NULL;

	if (pg & 1)
		return &slots[(pg - 1) / 2];
	if (before && before->state == SLOT_LIVE && after && after->state == SLOT_LIVE)
		return addr - (before->object + before->size) <= after->object - addr ? before
										     : after;
	if (before && before->state == SLOT_LIVE)
		return before;
	if (after && after->state == SLOT_LIVE)
		return after;
	if (before && before->object)
		return before;
	return after && after->object ? after : NULL;
}

static bool handle_fault(struct mm_fault_handler *h, uintptr_t addr, bool write)
{
	size_t pg;
	struct guard_slot copy, *s;
	enum guard_finding what;
	int err;

	(void)h;
	if (!guard_owns((const void *)addr))
		return false;
	pg = page_index(addr);
	spin_lock_irqsafe(&guard_lock);
	s = (pg & 1) && (pg - 1) / 2 >= nr_slots ? NULL : blame(addr, pg);
	if ((pg & 1) && (sink_mapped[pg] || (s && s->state == SLOT_LIVE))) {
		/* Mapped: a translation another CPU cached before the map (spurious). */
		spin_unlock_irqsafe(&guard_lock);
		arch_flush_tlb_range(addr & ~(uintptr_t)(PAGE_SIZE - 1), PAGE_SIZE);
		return true;
	}
	copy = s ? *s : (struct guard_slot){ 0 };
	stats.faults++;
	spin_unlock_irqsafe(&guard_lock);

	if (pg & 1) {
		what = GUARD_USE_AFTER_FREE;
		err = KERR_USE_AFTER_FREE;
	} else {
		what = GUARD_OOB;
		err = KERR_RANGE;
	}
	remember(what, addr, copy.object ? &copy : NULL, write);
	mm_report_misuse_track("guard", err, (const void *)addr,
			       DEBUG_OWNER && copy.object ? &copy.track : NULL);
	if (copy.object) {
		long off = (long)(addr - copy.object);

		printk("mm: guard: %s %s at %p, %ld bytes %s object %p (%zu bytes), cpu %u\n",
		       what == GUARD_OOB ? "out-of-bounds" : "use-after-free",
		       write ? "write" : "read", (void *)addr,
		       off < 0 ? -off : what == GUARD_OOB ? off - (long)copy.size + 1 : off,
		       off < 0 ? "left of" : what == GUARD_OOB ? "right of" : "into",
		       (void *)copy.object, copy.size, this_cpu());
	}
	print_object(copy.object ? &copy : NULL);
	/* Resume the access on the sink, where mapping is allowed (the top of the file). */
	if (!may_remap())
		return false;
	switch (arch_map(pool_base + pg * PAGE_SIZE, sink_page, PAGE_SIZE, PAGE_SIZE, PROT_RW)) {
	case 0:
		__atomic_store_n(&sink_mapped[pg], true, __ATOMIC_RELAXED);
		return true;
	case KERR_EXIST:
		return true;    /* another CPU's fault on the same page mapped it first */
	default:
		return false;   /* no page-table page: the arch panics with the fault */
	}
}

void guard_get_stats(struct guard_stats *st)
{
	spin_lock_irqsafe(&guard_lock);
	*st = stats;
	spin_unlock_irqsafe(&guard_lock);
}
