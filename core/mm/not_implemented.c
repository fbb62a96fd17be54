/*
 * not_implemented.c - the record of stub functions called (see
 * not_implemented.h).  A stub may be called from any CPU and with a
 * zone's lock held, so the record takes no lock: a slot is claimed with
 * an atomic increment and its name published after.  A name may be
 * recorded twice by a race; the record only answers "was it seen".
 */
#include "kstring.h"
#include "not_implemented.h"
#include "printk.h"

/* More than both interfaces have functions: none is ever left out. */
#define NOT_IMPLEMENTED_MAX 32

static const char *stubs[NOT_IMPLEMENTED_MAX];
static unsigned int nr_stubs;

bool mm_not_implemented_seen(const char *fn)
{
	unsigned int n = __atomic_load_n(&nr_stubs, __ATOMIC_ACQUIRE);

	if (n > NOT_IMPLEMENTED_MAX)
		n = NOT_IMPLEMENTED_MAX;
	for (unsigned int i = 0; i < n; i++) {
		const char *name = __atomic_load_n(&stubs[i], __ATOMIC_ACQUIRE);

		if (name && (name == fn || !strcmp(name, fn)))
			return true;
	}
	return false;
}

void mm_not_implemented(const char *fn)
{
	unsigned int slot;

	if (mm_not_implemented_seen(fn))
		return;
	slot = __atomic_fetch_add(&nr_stubs, 1, __ATOMIC_ACQ_REL);
	if (slot < NOT_IMPLEMENTED_MAX)
		__atomic_store_n(&stubs[slot], fn, __ATOMIC_RELEASE);
	printk("mm: %s: not implemented (a stub: docs/ALLOCATOR_INTERFACE.md)\n", fn);
}
