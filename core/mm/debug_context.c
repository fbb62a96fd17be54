/*
 * debug_context.c - the API context of mm_debug.h: which caller the
 * allocator call in progress on this CPU serves, and whether a fault was
 * injected into it (fault_inject.h).
 *
 * Built with DEBUG_OWNER or FAULT_INJECTION.  The entry points
 * (MM_DEBUG_ENTRY) enter it with their own return address; the layers
 * below read it instead of their own _RET_IP_, which would name the layer
 * above (kmalloc -> twotier -> kmem_cache_alloc -> alloc_pages).  Per CPU
 * and never shared: no allocator call runs in interrupt context.
 */
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "percpu.h"

struct mm_debug_cpu {
	uintptr_t caller;     /* 0: no API call in progress */
	bool injected;        /* a fault was injected into the call in progress */
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct mm_debug_cpu, debug_cpu);

bool mm_debug_enter(uintptr_t ip)
{
	struct mm_debug_cpu *d = this_cpu_ptr(debug_cpu);

	if (d->caller)
		return false;
	/* A caller at address 0 cannot exist; 1 keeps "entered" true if one did. */
	d->caller = ip ? ip : 1;
	d->injected = false;
	return true;
}

void mm_debug_leave(void)
{
	struct mm_debug_cpu *d = this_cpu_ptr(debug_cpu);

	d->caller = 0;
	d->injected = false;
}

bool mm_debug_in_api(void)
{
	return this_cpu_ptr(debug_cpu)->caller != 0;
}

uintptr_t mm_debug_caller(uintptr_t ip)
{
	uintptr_t c = this_cpu_ptr(debug_cpu)->caller;

	return c ? c : ip;
}

#ifdef CONFIG_FAULT_INJECTION
/* Only fault injection marks a call (mm_failure_injected() folds to false without it). */
void mm_debug_note_injected(void)
{
	this_cpu_ptr(debug_cpu)->injected = true;
}

bool mm_debug_injected(void)
{
	return this_cpu_ptr(debug_cpu)->injected;
}
#endif
