/*
 * mm_fault.h - the kernel page faults that memory management may resolve.
 *
 * When a kernel access faults, the arch first looks for a fixup (the
 * probes of arch.h: arch_probe_read() / arch_probe_write() expect faults
 * and resume after them).  Any other page fault is offered to
 * mm_handle_fault() before the arch panics.  It asks the registered
 * handlers in turn; a handler that can make the access succeed (map the
 * page, bring it back from a compressed store, unprotect a guard page after
 * reporting the access) does so and returns true, and the faulting
 * instruction is run again.  With no handler registered, or none that
 * claims the fault, mm_handle_fault() returns false and the arch panics
 * with the address and the cause, as it always did.
 *
 * A handler runs in the fault's context: on the faulting CPU, with
 * whatever locks the faulting code held, so it must not take a lock that
 * code may hold and must be quick.  Handlers are registered and
 * unregistered while no fault they could claim can be in flight (at
 * init, or by a test around its own accesses).
 */
#ifndef MMKIT_MM_FAULT_H
#define MMKIT_MM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct mm_fault_handler {
	/* true: the fault at @addr is resolved, retry the access. */
	bool (*handle)(struct mm_fault_handler *h, uintptr_t addr, bool write);
	struct mm_fault_handler *next;	/* mm_fault.c's list link */
};

/*
 * Called by the arch on a kernel page fault that no fixup covers.
 * @irqs_on: the faulting code ran with interrupts enabled.  The handlers
 * then run with interrupts enabled too (a trap entry turns them off), as
 * Linux runs its fault handlers: a handler that maps or unmaps shoots
 * other CPUs' TLBs down and waits for them, which needs interrupts.
 */
bool mm_handle_fault(uintptr_t addr, bool write, bool irqs_on);

/* Add @h (newest first); a handler already on the list is not added twice. */
void mm_fault_register(struct mm_fault_handler *h);
/* Remove @h; a handler that is not on the list is ignored. */
void mm_fault_unregister(struct mm_fault_handler *h);

struct mm_fault_stats {
	uint64_t faults;	/* calls of mm_handle_fault() */
	uint64_t resolved;	/* ... that a handler resolved */
};
void mm_fault_get_stats(struct mm_fault_stats *st);

#endif /* MMKIT_MM_FAULT_H */
