/*
 * paging.c - the kernel's own 4-level page tables.
 *
 * boot.S enters long mode on a throwaway identity map of the first 4 GiB
 * (2 MiB pages, everything writable and executable).  Once the memory map
 * is read, this file builds the tables the kernel keeps and loads CR3 with
 * them:
 *
 *   kernel image   [__kernel_start, __rodata_start) R-X (the multiboot
 *                  header and all code), rodata R--, [__data_start, _end)
 *                  RW- (data, bss, boot stack), 4 KiB leaves;
 *   low memory     [0, 1 MiB) RW-: the BIOS data area, the EBDA and the MP
 *                  floating pointer live there, and an SMP bring-up puts
 *                  its real-mode trampoline there (its one page must be
 *                  remapped R-X with arch_unmap() + arch_map(), and the AP
 *                  must set EFER.NXE before it turns paging on: these
 *                  tables use the XD bit);
 *   RAM            every range the multiboot map describes as available,
 *                  above 4 GiB too, RW-, with 1 GiB leaves where the CPU
 *                  has them and the alignment allows, 2 MiB leaves
 *                  otherwise;
 *   firmware       the reserved ranges below 4 GiB, RW-: ACPI tables and
 *                  the BIOS live there.  Reserved ranges above 4 GiB are
 *                  address space, not memory (QEMU reserves AMD's
 *                  HyperTransport hole below 1 TiB): not mapped;
 *   devices        the local APIC (0xfee00000), the I/O APIC (0xfec00000)
 *                  and the HPET (0xfed00000), RW- and uncached;
 *   vmap area      nothing at boot: [X86_VMAP_BASE, + 64 GiB), under
 *                  PML4 entry 402, filled by arch_map() at run time.
 *
 * The console and the exit device are I/O ports: they need no mapping.
 *
 * Formats (Intel SDM vol. 3A, "4-level paging"; AMD APM vol. 2, "Long-mode
 * page translation"): four levels of 512 8-byte entries, P(0) R/W(1)
 * U/S(2) PWT(3) PCD(4) A(5) D(6) PS(7) G(8), address bits 51:12, XD(63).
 * PS = 1 makes a PDPT entry a 1 GiB leaf (only if CPUID 0x80000001 EDX
 * bit 26, pdpe1gb, says so) and a PD entry a 2 MiB leaf; bit 12 of those
 * is PAT, not address.  XD is reserved unless EFER.NXE (bit 11) is set,
 * which needs CPUID 0x80000001 EDX bit 20; G is honoured once CR4.PGE
 * (bit 7) is set, which needs CPUID 1 EDX bit 13.  Address bits from
 * MAXPHYADDR (CPUID 0x80000008 EAX 7:0) up must be 0.  Linear addresses
 * are canonical: bits 63:47 equal.  Permissions combine over the levels
 * (most restrictive wins), so links are P|R/W and each leaf says what it
 * allows.  Read-only binds the kernel too only with CR0.WP (bit 16) set.
 * x86 caches no not-present entry, so a new mapping needs no flush.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "page_alloc.h"
#include "panic.h"
#include "pgtable.h"
#include "x86.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_XD (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define EFER_NXE (1ull << 11)
#define CR4_PGE (1ul << 7)
#define CR0_WP (1ul << 16)

#define CPUID_1_EDX_PGE (1u << 13)
#define CPUID_EXT_EDX_NX (1u << 20)
#define CPUID_EXT_EDX_PDPE1GB (1u << 26)
#define DEFAULT_MAXPHYADDR 36	/* what the SDM says to assume without leaf 0x80000008 */

#define X86_VA_BITS 48
#define X86_VMAP_BASE 0xffffc90000000000ul	/* as Linux's vmalloc area */
#define X86_VMAP_SIZE ((size_t)64 << 30)

#define LOW_MEMORY_END 0x100000u
#define FIRMWARE_LIMIT 0x100000000ull	/* reserved ranges mapped below this */
#define LAPIC_BASE 0xfee00000u
#define IOAPIC_BASE 0xfec00000u
#define HPET_BASE 0xfed00000u

/* Above this many pages a range flush is a full one (CR4.PGE toggled). */
#define FLUSH_ALL_PAGES 32

#define LEAF_4K_2M 0x3u
#define LEAF_1G 0x4u

/* What the CPU offers, read once by x86_paging_init(). */
static bool have_nx, have_pge;

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(unsigned long v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static void set_cr0_bits(unsigned long bits)
{
	unsigned long v;

	__asm__ volatile("mov %%cr0, %0\n\tor %1, %0\n\tmov %0, %%cr0" : "=&r"(v) : "r"(bits) : "memory");
}

static bool x86_va_ok(uintptr_t va)
{
	return (uintptr_t)((int64_t)(va << (64 - X86_VA_BITS)) >> (64 - X86_VA_BITS)) == va;
}

static pte_t x86_mk_table(uintptr_t table_pa)
{
	return table_pa | PTE_P | PTE_RW;
}

static pte_t x86_mk_leaf(uintptr_t pa, unsigned int level, unsigned int prot)
{
	pte_t e = pa | PTE_P | PTE_A | PTE_D;

	if (level > 0)
		e |= PTE_PS;
	if (have_pge)
		e |= PTE_G;
	if (prot & ARCH_PROT_WRITE)
		e |= PTE_RW;
	if (!(prot & ARCH_PROT_EXEC) && have_nx)
		e |= PTE_XD;
	if (prot & ARCH_PROT_DEVICE)
		e |= PTE_PCD | PTE_PWT;
	return e;
}

static bool x86_present(pte_t e)
{
	return e & PTE_P;
}

static bool x86_is_leaf(pte_t e, unsigned int level)
{
	return level == 0 || (e & PTE_PS);
}

static uintptr_t x86_entry_pa(pte_t e, unsigned int level)
{
	uintptr_t pa = e & PTE_ADDR;

	/* A large leaf's bit 12 is PAT, not address. */
	if (level > 0 && (e & PTE_PS))
		pa &= ~(PT_LEVEL_SIZE(level) - 1);
	return pa;
}

static unsigned int x86_entry_prot(pte_t e)
{
	return ARCH_PROT_READ | (e & PTE_RW ? ARCH_PROT_WRITE : 0) |
	       (e & PTE_XD ? 0 : ARCH_PROT_EXEC) | (e & PTE_PCD ? ARCH_PROT_DEVICE : 0);
}

static const struct pt_format x86_4level = {
	.levels = 4,
	.flush_on_map = false,
	.va_ok = x86_va_ok,
	.mk_table = x86_mk_table,
	.mk_leaf = x86_mk_leaf,
	.present = x86_present,
	.is_leaf = x86_is_leaf,
	.entry_pa = x86_entry_pa,
	.entry_prot = x86_entry_prot,
};

static struct pt kernel_pt;

static uintptr_t boot_page(void)
{
	return (uintptr_t)mem_map_boot_page_alloc();
}

static void map_boot(uint64_t base, uint64_t end, unsigned int prot, const char *what)
{
	int err = pt_map_identity(&kernel_pt, base, end, prot);

	/* Without its own mappings the kernel cannot run: this is not a run-time failure. */
	if (err)
		panic("x86_64: cannot map %s [0x%llx, 0x%llx): %s", what,
		      (unsigned long long)base, (unsigned long long)end, kerr_name(err));
}

void x86_paging_init(void)
{
	const unsigned int rw = ARCH_PROT_READ | ARCH_PROT_WRITE;
	const unsigned int dev = rw | ARCH_PROT_DEVICE;
	const struct described_range *fw;
	static struct mem_region usable[MEM_REGIONS_MAX];
	unsigned int leaves = LEAF_4K_2M, phys_bits = DEFAULT_MAXPHYADDR;
	uint32_t a, b, c, d, max_ext;
	size_t n;

	cpuid(1, &a, &b, &c, &d);
	have_pge = d & CPUID_1_EDX_PGE;
	cpuid(0x80000000u, &max_ext, &b, &c, &d);
	/* boot.S has checked that leaf 0x80000001 exists (long mode). */
	cpuid(0x80000001u, &a, &b, &c, &d);
	have_nx = d & CPUID_EXT_EDX_NX;
	if (d & CPUID_EXT_EDX_PDPE1GB)
		leaves |= LEAF_1G;
	if (max_ext >= 0x80000008u) {
		cpuid(0x80000008u, &a, &b, &c, &d);
		phys_bits = a & 0xff;
	}
	/* Before any entry has XD or G: both are reserved or ignored until enabled. */
	if (have_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (have_pge)
		write_cr4(read_cr4() | CR4_PGE);

	if (pt_init(&kernel_pt, &x86_4level, leaves, (uintptr_t)1 << phys_bits, boot_page))
		panic("x86_64: no page below 4 GiB for the root page table");

	/* The segments first: the fills below leave what is mapped alone. */
	map_boot((uintptr_t)__kernel_start, (uintptr_t)__rodata_start,
		 ARCH_PROT_READ | ARCH_PROT_EXEC, "kernel text");
	map_boot((uintptr_t)__rodata_start, (uintptr_t)__data_start, ARCH_PROT_READ,
		 "kernel rodata");
	map_boot((uintptr_t)__data_start, (uintptr_t)_end, rw, "kernel data");
	map_boot(LAPIC_BASE, LAPIC_BASE + PAGE_SIZE_4K, dev, "local APIC");
	map_boot(IOAPIC_BASE, IOAPIC_BASE + PAGE_SIZE_4K, dev, "I/O APIC");
	map_boot(HPET_BASE, HPET_BASE + PAGE_SIZE_4K, dev, "HPET");
	map_boot(0, LOW_MEMORY_END, rw, "low memory");
	/* What the page allocator takes must be mapped, whatever the firmware list held. */
	n = arch_memory_map(usable, ARRAY_SIZE(usable));
	for (size_t i = 0; i < n; i++)
		map_boot(usable[i].base, usable[i].base + usable[i].size, rw, "RAM");
	n = mem_map_described(&fw);
	for (size_t i = 0; i < n; i++) {
		if (fw[i].ram)
			map_boot(fw[i].base, fw[i].end, rw, "RAM");
		else if (fw[i].end <= FIRMWARE_LIMIT)
			map_boot(fw[i].base, fw[i].end, rw, "firmware range");
	}
	pt_boot_done(&kernel_pt);

	/* The old tables map everything the new ones do; no instruction sees a gap. */
	__asm__ volatile("mov %0, %%cr3" : : "r"(pt_root_pa(&kernel_pt)) : "memory");
	/* Without WP, ring 0 writes through read-only leaves (text, rodata) as if they were not. */
	set_cr0_bits(CR0_WP);
	/* Global entries survive a CR3 load; none exists yet, but stay exact. */
	arch_flush_tlb_range(0, SIZE_MAX);
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
	uintptr_t a = va & ~(PAGE_SIZE_4K - 1);
	uintptr_t end = va + size;

	if (size == 0)
		return;
	if (size / PAGE_SIZE_4K > FLUSH_ALL_PAGES || end < va) {
		unsigned long cr4 = read_cr4();

		if (cr4 & CR4_PGE) {
			/* Clearing PGE flushes every entry, global ones included. */
			write_cr4(cr4 & ~CR4_PGE);
			write_cr4(cr4);
		} else {
			unsigned long cr3;

			__asm__ volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(cr3) : : "memory");
		}
		return;
	}
	for (; a < end; a += PAGE_SIZE_4K)
		__asm__ volatile("invlpg (%0)" : : "r"(a) : "memory");
}

void arch_vmap_range(uintptr_t *base, size_t *size)
{
	*base = X86_VMAP_BASE;
	*size = X86_VMAP_SIZE;
}

void arch_pt_get_stats(struct arch_pt_stats *st)
{
	pt_get_stats(&kernel_pt, st);
}
