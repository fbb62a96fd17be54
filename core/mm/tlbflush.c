/*
 * tlbflush.c - the one place kernel TLB flushes go through (tlbflush.h).
 */
#include "arch.h"
#include "tlbflush.h"

void flush_tlb_kernel_range(uintptr_t va, size_t size)
{
	arch_flush_tlb_range(va, size);
}
