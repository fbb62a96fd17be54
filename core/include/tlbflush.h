/*
 * tlbflush.h - making every CPU forget a range of kernel translations.
 *
 * Page-table entries are cached in each CPU's TLB (and, on x86, in its
 * paging-structure caches).  After a mapping is removed or changed, the
 * old translation may still be used until it is flushed; after a
 * page-table page is unlinked it may still be walked.  So whoever removes
 * mappings calls flush_tlb_kernel_range() before the pages or the tables
 * they pointed at are reused.  arch_unmap() does so itself (arch.h).
 */
#ifndef MMKIT_TLBFLUSH_H
#define MMKIT_TLBFLUSH_H

#include <stddef.h>
#include <stdint.h>

/*
 * On return, no CPU holds a translation of [@va, @va + @size) made before
 * the call: the calling CPU flushes its TLB (arch_flush_tlb_range()) and,
 * with SMP, sends every other online CPU a cross-CPU call to do the same
 * and waits for each.  So the caller must not hold a spinlock that another
 * CPU may take with interrupts disabled.
 */
void flush_tlb_kernel_range(uintptr_t va, size_t size);

#endif /* MMKIT_TLBFLUSH_H */
