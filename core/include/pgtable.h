/*
 * pgtable.h - radix page tables of 512-entry levels, as x86-64 and Sv39
 * (and the host's emulation of them) lay them out.
 *
 * The three arches share the shape: a table is one 4 KiB page of 512
 * 64-bit entries, each level decodes 9 more bits of the virtual address
 * above the 12-bit page offset, and an entry is empty, a link to the next
 * table down, or a leaf.  They differ in the entry format, in how many
 * levels there are and at which levels a leaf may sit.  So the walking -
 * mapping, unmapping, freeing tables that become empty, reading back - is
 * written once here, and each arch supplies a struct pt_format and the
 * hardware steps (loading the root, flushing).  This file touches no
 * hardware.
 *
 * Levels count up from the leaves: level 0 entries map 4 KiB, level 1
 * 2 MiB, level 2 1 GiB, level 3 512 GiB; the root is level levels-1.
 *
 * Table memory.  Tables are addressed by their physical address, which the
 * kernel can dereference because it runs on an identity map of RAM (the
 * host's tables live in its arena, whose addresses are its "physical"
 * ones).  While an instance is being built at boot (boot_alloc set), its
 * tables come from the arch's boot allocator: RAM taken before the page
 * allocator exists, never freed.  Afterwards they come from
 * alloc_pages(0, __GFP_ZERO); such a page is marked PG_PGTABLE and its
 * struct page counts the table's valid entries, so that an unmap that
 * empties a table unlinks it and gives it back.  A table is freed only
 * after flush_tlb_kernel_range() has made every CPU forget the range it
 * covered, so no CPU can still walk it.
 *
 * Each instance has a lock; every call takes it, and the flushes and frees
 * happen after it is dropped (a shootdown may wait for other CPUs).
 */
#ifndef MMKIT_PGTABLE_H
#define MMKIT_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "spinlock.h"

typedef uint64_t pte_t;

#define PT_ENTRIES 512u
#define PT_INDEX_BITS 9u
#define PT_MAX_LEVELS 4u
#define PT_LEVEL_SHIFT(level) (12u + PT_INDEX_BITS * (level))
#define PT_LEVEL_SIZE(level) ((uintptr_t)1 << PT_LEVEL_SHIFT(level))

/* The arch's entry format.  Every callback is pure: it reads or builds one entry. */
struct pt_format {
	unsigned int levels;	/* table levels: 3 (Sv39) or 4 (x86-64) */
	/*
	 * A newly valid entry is not guaranteed to be seen by the page walk
	 * until a TLB fence (RISC-V without Svvptc): map flushes the range.
	 */
	bool flush_on_map;
	/* Is @va an address this format translates (canonical)? */
	bool (*va_ok)(uintptr_t va);
	pte_t (*mk_table)(uintptr_t table_pa);
	pte_t (*mk_leaf)(uintptr_t pa, unsigned int level, unsigned int prot);
	bool (*present)(pte_t e);
	/* Of a present entry at @level: a leaf (else a link to a table)? */
	bool (*is_leaf)(pte_t e, unsigned int level);
	/* Of a present entry: the leaf's or the next table's physical address. */
	uintptr_t (*entry_pa)(pte_t e, unsigned int level);
	/* Of a leaf: its ARCH_PROT_* bits. */
	unsigned int (*entry_prot)(pte_t e);
};

struct pt {
	const struct pt_format *fmt;
	unsigned int leaf_levels;	/* bit l set: leaves may sit at level l */
	uintptr_t pa_limit;		/* physical addresses the entries can hold: [0, pa_limit) */
	pte_t *root;
	/* Set while the boot map is built: returns a zeroed page, or 0. */
	uintptr_t (*boot_alloc)(void);
	spinlock_t lock;
	struct arch_pt_stats stats;
};

/*
 * Start @pt with an empty root table from @boot_alloc (boot) or, when it
 * is NULL, from the page allocator.  KERR_NOMEM if there is none.
 */
int pt_init(struct pt *pt, const struct pt_format *fmt, unsigned int leaf_levels,
	    uintptr_t pa_limit, uintptr_t (*boot_alloc)(void));

/* The boot map is complete: tables come from the page allocator from now on. */
void pt_boot_done(struct pt *pt);

/* Physical address of the root table (for satp / CR3). */
static inline uintptr_t pt_root_pa(const struct pt *pt)
{
	return (uintptr_t)pt->root;
}

/* Is @size (4 KiB, 2 MiB, 1 GiB) a leaf size of @pt? */
bool pt_page_size_ok(const struct pt *pt, size_t size);

/* arch_map(), arch_unmap() and arch_translate() of arch.h, on @pt. */
int pt_map(struct pt *pt, uintptr_t va, uintptr_t pa, size_t size, size_t page_size,
	   unsigned int prot);
int pt_unmap(struct pt *pt, uintptr_t va, size_t size);
int pt_translate(struct pt *pt, uintptr_t va, uintptr_t *pa, size_t *page_size,
		 unsigned int *prot);
/* arch_map_prepare() and arch_map_release() of arch.h, on @pt. */
int pt_prepare(struct pt *pt, uintptr_t va, size_t size);
int pt_release(struct pt *pt, uintptr_t va, size_t size);

/*
 * Identity-map whatever is not mapped yet in [@base, @end) (rounded out to
 * 4 KiB), each piece with the largest leaf its alignment and the pages
 * already mapped allow.  For building the boot map: map the parts that
 * need their own permissions first, then fill in around them.
 */
int pt_map_identity(struct pt *pt, uintptr_t base, uintptr_t end, unsigned int prot);

void pt_get_stats(struct pt *pt, struct arch_pt_stats *st);

#endif /* MMKIT_PGTABLE_H */
