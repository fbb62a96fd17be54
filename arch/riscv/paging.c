/*
 * paging.c - the kernel's Sv39 page tables.
 *
 * OpenSBI enters the kernel with translation off (satp = 0).  Before
 * kmain() the kernel builds its own tables and turns Sv39 on:
 *
 *   kernel image   [__kernel_start, __rodata_start) R-X, rodata R--,
 *                  [__data_start, _end) RW- (data, bss, boot stack), 4 KiB
 *                  leaves where the segments need them;
 *   devices        the NS16550 UART and the sifive_test finisher, RW-
 *                  (SBI calls - timer, IPI, HSM - need no mapping);
 *   RAM            every memory range of the device tree, RW-, with
 *                  1 GiB and 2 MiB leaves wherever the alignment allows,
 *                  except the part of it below the kernel's load address:
 *                  that is OpenSBI's, guarded by PMP, and never touched;
 *   vmap area      nothing at boot: [RISCV_VMAP_BASE, + 64 GiB), root
 *                  entries 256..319 in the upper half, filled by
 *                  arch_map() at run time.
 *
 * All of it is an identity map (virtual == physical), so turning
 * translation on changes no address the kernel holds.  Every leaf is
 * global (G) and has A and D set: no entry is ever in a state that asks
 * the hardware to update it.
 *
 * Sv39 (privileged spec, "Sv39: Page-Based 39-bit Virtual-Memory System"):
 * three levels of 512 8-byte entries; a PTE is V(0) R(1) W(2) X(3) U(4)
 * G(5) A(6) D(7), RSW(9:8), PPN(53:10), bits 63:54 zero without Svpbmt /
 * Svnapot.  R = W = X = 0 marks a link to the next table (and U, A, D must
 * then be 0); any of R, W, X marks a leaf, at any level; W without R is
 * reserved.  A leaf above level 0 whose PPN is not aligned to its size is
 * a page fault.  Bits 63:39 of a virtual address must equal bit 38.
 * satp = MODE(63:60) = 8 | ASID(59:44) | PPN of the root.  Without the
 * Svvptc extension, making an entry valid needs an SFENCE.VMA before the
 * walk is sure to see it, so arch_map() flushes too.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "fdt.h"
#include "kerrno.h"
#include "kernel.h"
#include "panic.h"
#include "pgtable.h"
#include "riscv.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((((pte_t)1 << 44) - 1) << PTE_PPN_SHIFT)

#define SATP_MODE_SV39 (8ull << 60)

#define SV39_VA_BITS 39
/* A 44-bit PPN: 56-bit physical addresses. */
#define SV39_PA_LIMIT ((uintptr_t)1 << 56)

#define RISCV_VMAP_BASE 0xffffffc000000000ul	/* the first upper-half address */
#define RISCV_VMAP_SIZE ((size_t)64 << 30)

/*
 * Above this many pages a range flush is one full SFENCE.VMA: cheaper than
 * a fence per page, and what freeing a table needs anyway.
 */
#define FLUSH_ALL_PAGES 64

static bool sv39_va_ok(uintptr_t va)
{
	/* Bits 63..38 all equal: shifted up and back, the value is unchanged. */
	return (uintptr_t)((int64_t)(va << (64 - SV39_VA_BITS)) >> (64 - SV39_VA_BITS)) == va;
}

static pte_t sv39_mk_table(uintptr_t table_pa)
{
	return ((table_pa >> 12) << PTE_PPN_SHIFT) | PTE_V;
}

static pte_t sv39_mk_leaf(uintptr_t pa, unsigned int level, unsigned int prot)
{
	pte_t e = ((pa >> 12) << PTE_PPN_SHIFT) | PTE_V | PTE_R | PTE_G | PTE_A | PTE_D;

	(void)level;	/* a leaf looks the same at every level */
	if (prot & ARCH_PROT_WRITE)
		e |= PTE_W;
	if (prot & ARCH_PROT_EXEC)
		e |= PTE_X;
	return e;
}

static bool sv39_present(pte_t e)
{
	return e & PTE_V;
}

static bool sv39_is_leaf(pte_t e, unsigned int level)
{
	(void)level;
	return e & (PTE_R | PTE_W | PTE_X);
}

static uintptr_t sv39_entry_pa(pte_t e, unsigned int level)
{
	(void)level;
	return (uintptr_t)((e & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << 12;
}

static unsigned int sv39_entry_prot(pte_t e)
{
	return (e & PTE_R ? ARCH_PROT_READ : 0) | (e & PTE_W ? ARCH_PROT_WRITE : 0) |
	       (e & PTE_X ? ARCH_PROT_EXEC : 0);
}

static const struct pt_format sv39 = {
	.levels = 3,
	.flush_on_map = true,
	.va_ok = sv39_va_ok,
	.mk_table = sv39_mk_table,
	.mk_leaf = sv39_mk_leaf,
	.present = sv39_present,
	.is_leaf = sv39_is_leaf,
	.entry_pa = sv39_entry_pa,
	.entry_prot = sv39_entry_prot,
};

static struct pt kernel_pt;

static void map_boot(uintptr_t base, uintptr_t end, unsigned int prot, const char *what)
{
	int err = pt_map_identity(&kernel_pt, base, end, prot);

	/* Without its own mappings the kernel cannot run: this is not a run-time failure. */
	if (err)
		panic("riscv64: cannot map %s [0x%lx, 0x%lx): %s", what, (unsigned long)base,
		      (unsigned long)end, kerr_name(err));
}

void riscv_paging_init(void)
{
	const struct fdt_memory *fm = riscv_fdt_memory();
	const uintptr_t kstart = (uintptr_t)__kernel_start;
	const unsigned int rw = ARCH_PROT_READ | ARCH_PROT_WRITE;
	int err;

	err = pt_init(&kernel_pt, &sv39, 0x7u, SV39_PA_LIMIT, riscv_boot_page_alloc);
	if (err)
		panic("riscv64: no page for the root page table");

	/* The segments first: the RAM fill below leaves what is mapped alone. */
	map_boot(kstart, (uintptr_t)__rodata_start, ARCH_PROT_READ | ARCH_PROT_EXEC, "kernel text");
	map_boot((uintptr_t)__rodata_start, (uintptr_t)__data_start, ARCH_PROT_READ,
		 "kernel rodata");
	map_boot((uintptr_t)__data_start, (uintptr_t)_end, rw, "kernel data");
	map_boot(RISCV_UART0_BASE, RISCV_UART0_BASE + RISCV_PAGE_SIZE, rw | ARCH_PROT_DEVICE, "UART");
	map_boot(RISCV_TEST_BASE, RISCV_TEST_BASE + RISCV_PAGE_SIZE, rw | ARCH_PROT_DEVICE,
		 "sifive_test");
	for (size_t i = 0; i < fm->nr_ram; i++) {
		uintptr_t base = fm->ram[i].base, end = base + fm->ram[i].size;

		/* Below the kernel in its own range: the firmware's. */
		if (base < kstart && kstart < end)
			base = kstart;
		map_boot(base, end, rw, "RAM");
	}
	pt_boot_done(&kernel_pt);
	riscv_paging_enable();
}

void riscv_paging_enable(void)
{
	/* Identity-mapped code: the next instruction is where it was. */
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" : :
			 "r"(SATP_MODE_SV39 | (pt_root_pa(&kernel_pt) >> 12)) : "memory");
}

bool arch_page_size_supported(size_t size)
{
	return pt_page_size_ok(&kernel_pt, size);
}

int arch_map(uintptr_t va, uintptr_t pa, size_t size, size_t page_size, unsigned int prot)
{
	return pt_map(&kernel_pt, va, pa, size, page_size, prot);
}

int arch_unmap(uintptr_t va, size_t size)
{
	return pt_unmap(&kernel_pt, va, size);
}

int arch_map_prepare(uintptr_t va, size_t size)
{
	return pt_prepare(&kernel_pt, va, size);
}

int arch_map_release(uintptr_t va, size_t size)
{
	return pt_release(&kernel_pt, va, size);
}

int arch_translate(uintptr_t va, uintptr_t *pa, size_t *page_size, unsigned int *prot)
{
	return pt_translate(&kernel_pt, va, pa, page_size, prot);
}

void arch_flush_tlb_range(uintptr_t va, size_t size)
{
	uintptr_t a = va & ~(RISCV_PAGE_SIZE - 1);
	uintptr_t end = va + size;

	if (size == 0)
		return;
	if (size / RISCV_PAGE_SIZE > FLUSH_ALL_PAGES || end < va) {
		__asm__ volatile("sfence.vma" : : : "memory");
		return;
	}
	for (; a < end; a += RISCV_PAGE_SIZE)
		__asm__ volatile("sfence.vma %0, zero" : : "r"(a) : "memory");
}

void arch_vmap_range(uintptr_t *base, size_t *size)
{
	*base = RISCV_VMAP_BASE;
	*size = RISCV_VMAP_SIZE;
}

void arch_pt_get_stats(struct arch_pt_stats *st)
{
	pt_get_stats(&kernel_pt, st);
}
