/*
 * misuse.c - report allocator misuse: one line, one count, or a panic;
 * with Kconfig DEBUG_OWNER, a second line naming the owner.
 */
#include "kerrno.h"
#include "mm_debug.h"
#include "mm_misuse.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"

/* Atomic because layers report under their own locks, not a shared one. */
static uint64_t misuse_total;
/* Each CPU's last report, for tests (a CPU reads its own: no other writes it). */
struct misuse_last {
	struct mm_misuse_record r;
} ____cacheline_aligned_in_smp;
static DEFINE_PER_CPU(struct misuse_last, misuse_last);

void mm_report_misuse_track(const char *layer, int err, const void *addr,
			    const struct mm_track *owner)
{
	struct mm_misuse_record *last = &this_cpu_ptr(misuse_last)->r;
	struct mm_track found;
	const void *base = addr;

	__atomic_fetch_add(&misuse_total, 1, __ATOMIC_RELAXED);
	*last = (struct mm_misuse_record){ .layer = layer, .err = err, .addr = addr };
	if (DEBUG_OWNER && !owner && mm_owner_of(addr, &found, &base))
		owner = &found;
	if (DEBUG_OWNER && owner) {
		last->has_owner = true;
		last->alloc_ip = owner->alloc_ip;
		last->free_ip = owner->free_ip;
		last->seq = owner->seq;
	}
	printk("mm: %s: %s at %p\n", layer, kerr_name(err), addr);
	/* The constant first: at -O0 only it folds the call away without DEBUG_OWNER. */
	if (DEBUG_OWNER && owner)
		mm_track_print(owner);
#ifdef CONFIG_MM_PANIC_ON_MISUSE
	panic("mm: %s: %s at %p", layer, kerr_name(err), addr);
#endif
}

void mm_report_misuse(const char *layer, int err, const void *addr)
{
	mm_report_misuse_track(layer, err, addr, NULL);
}

void mm_misuse_last(struct mm_misuse_record *r)
{
	*r = this_cpu_ptr(misuse_last)->r;
}

uint64_t mm_misuse_total(void)
{
	return __atomic_load_n(&misuse_total, __ATOMIC_RELAXED);
}
