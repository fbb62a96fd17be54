/*
 * paging_host.c - the kernel page-table calls of arch.h for the host.
 *
 * A process has no page tables of its own to edit, so the host emulates
 * them: the same walker as the guests (core/mm/pgtable.c) over a simple
 * 4-level format of this file's own, whose tables come from the page
 * allocator like the guests'.  arch_translate() reads that emulation, so
 * leaf levels, table counts and table freeing behave as on the guests.
 * The host has no real levels: what makes an access work is mmap().
 * arch_map() maps the arena's memfd at the emulated virtual address
 * (MAP_FIXED | MAP_SHARED, offset = physical address - arena base);
 * arch_unmap() puts PROT_NONE address space back in its place.
 *
 * Only the vmap area can be mapped (KERR_RANGE elsewhere): everything
 * else in the process belongs to the C runtime.  The area is 64 GiB of
 * address space reserved PROT_NONE at a 1 GiB boundary when the arena is
 * made.  Only physical addresses inside the arena can be mapped.
 * Flushing is a no-op: mmap() takes effect at once, on every thread.
 */
#define _GNU_SOURCE

#include <stdlib.h>
#include <sys/mman.h>

#include "arch.h"
#include "host.h"
#include "kerrno.h"
#include "pgtable.h"

#define VMAP_SIZE ((size_t)64 << 30)

#define HPTE_PRESENT (1ull << 0)
#define HPTE_WRITE (1ull << 1)
#define HPTE_EXEC (1ull << 2)
#define HPTE_DEVICE (1ull << 3)
#define HPTE_LEAF (1ull << 7)
#define HPTE_ADDR 0x000ffffffffff000ull

static bool host_va_ok(uintptr_t va)
{
	return va < ((uintptr_t)1 << 47);	/* user space: the lower half */
}

static pte_t host_mk_table(uintptr_t table_pa)
{
	return table_pa | HPTE_PRESENT;
}

static pte_t host_mk_leaf(uintptr_t pa, unsigned int level, unsigned int prot)
{
	(void)level;
	return pa | HPTE_PRESENT | HPTE_LEAF | (prot & ARCH_PROT_WRITE ? HPTE_WRITE : 0) |
	       (prot & ARCH_PROT_EXEC ? HPTE_EXEC : 0) | (prot & ARCH_PROT_DEVICE ? HPTE_DEVICE : 0);
}

static bool host_present(pte_t e)
{
	return e & HPTE_PRESENT;
}

static bool host_is_leaf(pte_t e, unsigned int level)
{
	return level == 0 || (e & HPTE_LEAF);
}

static uintptr_t host_entry_pa(pte_t e, unsigned int level)
{
	(void)level;
	return e & HPTE_ADDR;
}

static unsigned int host_entry_prot(pte_t e)
{
	return ARCH_PROT_READ | (e & HPTE_WRITE ? ARCH_PROT_WRITE : 0) |
	       (e & HPTE_EXEC ? ARCH_PROT_EXEC : 0) | (e & HPTE_DEVICE ? ARCH_PROT_DEVICE : 0);
}

static const struct pt_format host_format = {
	.levels = 4,
	.flush_on_map = false,
	.va_ok = host_va_ok,
	.mk_table = host_mk_table,
	.mk_leaf = host_mk_leaf,
	.present = host_present,
	.is_leaf = host_is_leaf,
	.entry_pa = host_entry_pa,
	.entry_prot = host_entry_prot,
};

static struct pt host_pt;
static bool host_pt_ready;
static uintptr_t vmap_base;

/* The vmap area's address space, reserved on first use; 0 if it cannot be. */
static uintptr_t vmap_area(void)
{
	if (!vmap_base) {
		void *at = host_reserve_aligned(VMAP_SIZE, PAGE_SIZE_1G);

		vmap_base = at ? (uintptr_t)at : 0;
	}
	return vmap_base;
}

static bool in_vmap(uintptr_t va, size_t size)
{
	uintptr_t base = vmap_area();

	return base && va >= base && size <= VMAP_SIZE && va - base <= VMAP_SIZE - size;
}

/* The root table comes from the page allocator: make it on the first map. */
static bool tables(void)
{
	if (!host_pt_ready)
		host_pt_ready = pt_init(&host_pt, &host_format, 0x7u, UINTPTR_MAX, NULL) == 0;
	return host_pt_ready;
}

bool arch_page_size_supported(size_t size)
{
	return size == PAGE_SIZE_4K || size == PAGE_SIZE_2M || size == PAGE_SIZE_1G;
}

int arch_map(uintptr_t va, uintptr_t pa, size_t size, size_t page_size, unsigned int prot)
{
	uintptr_t arena;
	size_t arena_size;
	int fd = host_arena(&arena, &arena_size);
	int mprot = PROT_READ | (prot & ARCH_PROT_WRITE ? PROT_WRITE : 0) |
		    (prot & ARCH_PROT_EXEC ? PROT_EXEC : 0);
	int err;

	/* The arguments first, as the guests check them; then what only the host limits. */
	if (!arch_page_size_supported(page_size) || size == 0)
		return KERR_INVAL;
	if ((va | pa | size) & (page_size - 1))
		return KERR_ALIGN;
	if (!in_vmap(va, size) || pa < arena || size > arena_size ||
	    pa - arena > arena_size - size)
		return KERR_RANGE;
	if (!tables())
		return KERR_NOMEM;
	err = pt_map(&host_pt, va, pa, size, page_size, prot);
	if (err)
		return err;
	if (mmap((void *)va, size, mprot, MAP_SHARED | MAP_FIXED, fd, (off_t)(pa - arena)) ==
	    MAP_FAILED) {
		pt_unmap(&host_pt, va, size);
		return KERR_NOMEM;
	}
	return 0;
}

int arch_unmap(uintptr_t va, size_t size)
{
	int err;

	if ((va | size) & (PAGE_SIZE_4K - 1))
		return KERR_ALIGN;
	if (size == 0)
		return 0;
	if (!in_vmap(va, size))
		return KERR_RANGE;
	if (!host_pt_ready)
		return 0;
	err = pt_unmap(&host_pt, va, size);
	if (err)
		return err;
	/* Address space again, reserved so that nothing else lands there. */
	if (mmap((void *)va, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		abort();	/* the kernel would be left with a live mapping it thinks gone */
	return 0;
}

/* The guests' refusals of a prepare or release range, then the host's own limit. */
static int prepare_range_error(uintptr_t va, size_t size)
{
	if ((va | size) & (PAGE_SIZE_4K - 1))
		return KERR_ALIGN;
	if (size == 0)
		return KERR_INVAL;
	return in_vmap(va, size) ? 0 : KERR_RANGE;
}

int arch_map_prepare(uintptr_t va, size_t size)
{
	int err = prepare_range_error(va, size);

	if (err)
		return err;
	if (!tables())
		return KERR_NOMEM;
	return pt_prepare(&host_pt, va, size);
}

int arch_map_release(uintptr_t va, size_t size)
{
	int err = prepare_range_error(va, size);

	if (err)
		return err;
	return host_pt_ready ? pt_release(&host_pt, va, size) : KERR_INVAL;
}

int arch_translate(uintptr_t va, uintptr_t *pa, size_t *page_size, unsigned int *prot)
{
	if (!host_pt_ready)
		return KERR_FAULT;
	return pt_translate(&host_pt, va, pa, page_size, prot);
}

void arch_flush_tlb_range(uintptr_t va, size_t size)
{
	(void)va;
	(void)size;
}

void arch_vmap_range(uintptr_t *base, size_t *size)
{
	*base = vmap_area();
	*size = *base ? VMAP_SIZE : 0;
}

void arch_pt_get_stats(struct arch_pt_stats *st)
{
	if (host_pt_ready)
		pt_get_stats(&host_pt, st);
	else
		*st = (struct arch_pt_stats){ 0 };
}
