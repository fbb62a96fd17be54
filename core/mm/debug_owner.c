/*
 * debug_owner.c - owner tracking (Kconfig DEBUG_OWNER): who allocated and
 * who last freed each slab object, heap block and page allocation
 * (mm_debug.h), and the lookup every misuse report uses.
 *
 * The tracks themselves live with the memory they describe: after each
 * slab object (slab.c), in each heap block's header (heap.c, tlsf.c), in the page
 * debug array (debug_page.c).  This file fills them, numbers allocations
 * for the leak report, and finds the one for an address.
 */
#include "debug_guard.h"
#include "kernel.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "percpu.h"
#include "printk.h"
#ifdef CONFIG_HEAP_REGION
#include "heap_region.h"
#endif
#ifdef CONFIG_TLSF_REGION
#include "tlsf.h"
#endif

/* Allocations numbered from 1; a mark of 0 covers them all. */
static uint64_t alloc_seq;

void mm_track_alloc(struct mm_track *t, uintptr_t ip)
{
	t->alloc_ip = mm_debug_caller(ip);
	t->alloc_cpu = (uint16_t)this_cpu();
	t->free_ip = 0;
	t->free_cpu = 0;
	t->seq = __atomic_add_fetch(&alloc_seq, 1, __ATOMIC_RELAXED);
	t->live = 1;
	t->held = 0;
}

void mm_track_free(struct mm_track *t, uintptr_t ip)
{
	t->free_ip = mm_debug_caller(ip);
	t->free_cpu = (uint16_t)this_cpu();
	t->live = 0;
}

void mm_track_hold(struct mm_track *t, uintptr_t ip)
{
	t->free_ip = mm_debug_caller(ip);
	t->free_cpu = (uint16_t)this_cpu();
	t->held = 1;
}

struct mm_track *mm_track_of(const void *obj)
{
#ifdef CONFIG_SLAB
	return slab_track_of(obj);
#elif defined(CONFIG_HEAP_REGION)
	return heap_track_of(&kmalloc_heap, obj);
#elif defined(CONFIG_TLSF_REGION)
	return tlsf_track_of(&kmalloc_tlsf, obj);
#else
	(void)obj;
	return NULL;
#endif
}

void mm_track_print(const struct mm_track *t)
{
	if (!t->alloc_ip) {
		printk("    owner: never allocated\n");
		return;
	}
	printk("    allocated at %p cpu %u (#%llu)", (void *)t->alloc_ip, t->alloc_cpu,
	       (unsigned long long)t->seq);
	if (t->held)
		printk(", held by its cache since %p cpu %u\n", (void *)t->free_ip, t->free_cpu);
	else if (t->free_ip)
		printk(", freed at %p cpu %u\n", (void *)t->free_ip, t->free_cpu);
	else
		printk(", live\n");
}

bool mm_owner_of(const void *addr, struct mm_track *t, const void **base)
{
	if (DEBUG_GUARD && guard_owns(addr))
		return guard_owner_of(addr, t, base);
	if (IS_ENABLED(CONFIG_SLAB) && slab_owner_of(addr, t, base))
		return true;
#ifdef CONFIG_HEAP_REGION
	if (heap_owner_of(&kmalloc_heap, addr, t, base))
		return true;
#endif
#ifdef CONFIG_TLSF_REGION
	if (tlsf_owner_of(&kmalloc_tlsf, addr, t, base))
		return true;
#endif
	return debug_page_owner(addr, t, base);
}

uint64_t mm_leak_mark(void)
{
	return __atomic_load_n(&alloc_seq, __ATOMIC_RELAXED);
}
