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
 * the call.  Only the boot CPU runs kernel code today, so this flushes the
 * calling CPU's TLB (arch_flush_tlb_range()); the SMP TLB shootdown
 * extends this one function to send an IPI to every other online CPU and
 * to wait until each has flushed the range, so that callers need not
 * change.
 */
void flush_tlb_kernel_range(uintptr_t va, size_t size);

#endif /* MMKIT_TLBFLUSH_H */
