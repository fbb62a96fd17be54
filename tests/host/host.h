/*
 * host.h - what the host arch's files (tests/host/) share with each other.
 */
#ifndef MMKIT_HOST_H
#define MMKIT_HOST_H

#include <stddef.h>
#include <stdint.h>

/*
 * The arena standing in for RAM: its base and size, and the memfd behind
 * it (offset = address - base), for paging_host.c to map pages of it
 * again.  Valid once arch_memory_map() has run.
 */
int host_arena(uintptr_t *base, size_t *size);

/* @size bytes of address space aligned to @align, reserved PROT_NONE; NULL if none. */
void *host_reserve_aligned(size_t size, size_t align);

/* Install the SIGSEGV / SIGBUS handler behind the probes (fault_host.c). */
void host_fault_init(void);

#endif /* MMKIT_HOST_H */
