/*
 * fault.c - offer unexpected kernel page faults to memory management
 * (mm_fault.h).
 *
 * The handler list is read without the lock on the fault path: a fault can
 * come from code holding any lock, this one included.  Registration
 * publishes a handler with a release store after its link is set, so a
 * concurrent walk sees either the old head or a complete new entry.
 */
#include "irq.h"
#include "mm_fault.h"
#include "spinlock.h"

static spinlock_t handlers_lock = SPINLOCK_INIT;
static struct mm_fault_handler *handlers;
static struct mm_fault_stats stats;

bool mm_handle_fault(uintptr_t addr, bool write, bool irqs_on)
{
	struct mm_fault_handler *h = __atomic_load_n(&handlers, __ATOMIC_ACQUIRE);
	bool enable = irqs_on && !irqs_enabled();
	bool resolved = false;

	__atomic_fetch_add(&stats.faults, 1, __ATOMIC_RELAXED);
	if (enable)
		irq_enable();
	for (; h; h = __atomic_load_n(&h->next, __ATOMIC_ACQUIRE)) {
		if (h->handle(h, addr, write)) {
			__atomic_fetch_add(&stats.resolved, 1, __ATOMIC_RELAXED);
			resolved = true;
			break;
		}
	}
	/* The trap's return restores the interrupted state from its frame. */
	if (enable)
		irq_disable();
	return resolved;
}

void mm_fault_register(struct mm_fault_handler *h)
{
	spin_lock(&handlers_lock);
	for (struct mm_fault_handler *p = handlers; p; p = p->next) {
		if (p == h) {
			spin_unlock(&handlers_lock);
			return;
		}
	}
	h->next = handlers;
	__atomic_store_n(&handlers, h, __ATOMIC_RELEASE);
	spin_unlock(&handlers_lock);
}

void mm_fault_unregister(struct mm_fault_handler *h)
{
	spin_lock(&handlers_lock);
	for (struct mm_fault_handler **link = &handlers; *link; link = &(*link)->next) {
		if (*link == h) {
			__atomic_store_n(link, h->next, __ATOMIC_RELEASE);
			break;
		}
	}
	spin_unlock(&handlers_lock);
}

void mm_fault_get_stats(struct mm_fault_stats *st)
{
	st->faults = __atomic_load_n(&stats.faults, __ATOMIC_RELAXED);
	st->resolved = __atomic_load_n(&stats.resolved, __ATOMIC_RELAXED);
}
