/*
 * misuse.c - report allocator misuse: one line, one count, or a panic.
 */
#include "kerrno.h"
#include "mm_misuse.h"
#include "panic.h"
#include "printk.h"

/* Atomic because layers report under their own locks, not a shared one. */
static uint64_t misuse_total;

void mm_report_misuse(const char *layer, int err, const void *addr)
{
	__atomic_fetch_add(&misuse_total, 1, __ATOMIC_RELAXED);
#ifdef CONFIG_MM_PANIC_ON_MISUSE
	panic("mm: %s: %s at %p", layer, kerr_name(err), addr);
#else
	printk("mm: %s: %s at %p\n", layer, kerr_name(err), addr);
#endif
}

uint64_t mm_misuse_total(void)
{
	return __atomic_load_n(&misuse_total, __ATOMIC_RELAXED);
}
