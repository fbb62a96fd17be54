/*
 * tlbflush.c - the one place kernel TLB flushes go through (tlbflush.h).
 *
 * With SMP every online CPU may hold the translation, so the range is
 * flushed here and then on each other CPU by a cross-CPU call that this
 * CPU waits for (a TLB shootdown).  The wait is why the caller must not
 * hold a lock that another CPU may spin on with interrupts off: that CPU
 * would never take the IPI.
 */
#include "arch.h"
#include "smp.h"
#include "tlbflush.h"

#ifdef CONFIG_SMP
struct flush_range {
	uintptr_t va;
	size_t size;
};

static void flush_here(void *arg)
{
	const struct flush_range *r = arg;

	arch_flush_tlb_range(r->va, r->size);
}
#endif

void flush_tlb_kernel_range(uintptr_t va, size_t size)
{
	arch_flush_tlb_range(va, size);
#ifdef CONFIG_SMP
	if (num_online_cpus() > 1) {
		struct flush_range r = { va, size };

		smp_call_function_all(flush_here, &r, true);
	}
#endif
}
