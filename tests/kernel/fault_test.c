/*
 * fault_test.c - recoverable faults (arch.h: arch_probe_read(),
 * arch_probe_write(); mm_fault.h): a probe of mapped memory reads and
 * writes it, a probe of unmapped or read-only memory reports the fault and
 * the kernel carries on, and a fault that an mm handler resolves resumes
 * the access that took it.
 *
 * The unmapped address is the last page of the arch's vmap area: nothing
 * maps there unless an allocation fills the whole area (checked with
 * arch_translate() first).
 */
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "ktest.h"
#include "mm_fault.h"
#include "page_alloc.h"

#define PATTERN 0x5aa5c33c0ff0e11eul

static unsigned long rw_word = PATTERN;
static const unsigned long ro_word = PATTERN ^ 1;

/* The last page of the vmap area, if nothing maps it; 0 (and a skip) otherwise. */
static uintptr_t unmapped_page(struct ktest *t)
{
	uintptr_t base, page;
	size_t size;

	arch_vmap_range(&base, &size);
	if (size < PAGE_SIZE) {
		ktest_skip(t, "this arch has no vmap area");
		return 0;
	}
	page = base + size - PAGE_SIZE;
	if (arch_translate(page, NULL, NULL, NULL) != KERR_FAULT) {
		ktest_skip(t, "the last page of the vmap area is mapped");
		return 0;
	}
	return page;
}

static void probe_reads_mapped_memory(struct ktest *t)
{
	unsigned long v = 0, on_stack = PATTERN >> 1;
	unsigned long *heap = alloc_pages(0, GFP_KERNEL);

	KT_EXPECT_EQ(t, arch_probe_read(&rw_word, &v), 0);
	KT_EXPECT_EQ(t, v, PATTERN);
	KT_EXPECT_EQ(t, arch_probe_read(&ro_word, &v), 0);
	KT_EXPECT_EQ(t, v, PATTERN ^ 1);
	KT_EXPECT_EQ(t, arch_probe_read(&on_stack, &v), 0);
	KT_EXPECT_EQ(t, v, PATTERN >> 1);
	KT_ASSERT_NOT_NULL(t, heap);
	heap[7] = 42;
	KT_EXPECT_EQ(t, arch_probe_read(&heap[7], &v), 0);
	KT_EXPECT_EQ(t, v, 42u);
	KT_EXPECT_EQ(t, free_pages(heap, 0), 0);
}

static void probe_writes_mapped_memory(struct ktest *t)
{
	KT_EXPECT_EQ(t, arch_probe_write(&rw_word, PATTERN + 1), 0);
	KT_EXPECT_EQ(t, *(volatile unsigned long *)&rw_word, PATTERN + 1);
	KT_EXPECT_EQ(t, arch_probe_write(&rw_word, PATTERN), 0);
	KT_EXPECT_EQ(t, *(volatile unsigned long *)&rw_word, PATTERN);
}

/* Many faults in a row: each resumes at its fixup, and the kernel goes on. */
static void probe_of_unmapped_memory_faults(struct ktest *t)
{
	uintptr_t page = unmapped_page(t);
	unsigned long v = 1234;
	unsigned int faulted = 0;
	void *p;

	if (!page)
		return;
	for (unsigned int i = 0; i < 100; i++) {
		uintptr_t a = page + (i * 8 * 41) % PAGE_SIZE;

		faulted += arch_probe_read((void *)a, &v) == KERR_FAULT;
		faulted += arch_probe_write((void *)a, i) == KERR_FAULT;
	}
	KT_EXPECT_EQ(t, faulted, 200u);
	KT_EXPECT_EQ(t, v, 1234u);	/* a faulting read writes nothing back */
	/* Still a working kernel. */
	p = alloc_pages(0, GFP_KERNEL);
	KT_EXPECT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, free_pages(p, 0), 0);
}

/* x86-64 raises #GP rather than #PF here; riscv64 a page fault; the host SIGSEGV. */
static void probe_of_non_canonical_address_faults(struct ktest *t)
{
	unsigned long v = 99;

	KT_EXPECT_EQ(t, arch_probe_read((void *)(uintptr_t)0x8000000000000000ull, &v), KERR_FAULT);
	KT_EXPECT_EQ(t, arch_probe_write((void *)(uintptr_t)0x8000000000001000ull, 1), KERR_FAULT);
	KT_EXPECT_EQ(t, v, 99u);
}

static void write_probe_of_rodata_faults(struct ktest *t)
{
	void *ro = (void *)(uintptr_t)&ro_word;
	unsigned long v = 0;

	KT_EXPECT_EQ(t, arch_probe_write(ro, PATTERN), KERR_FAULT);
	KT_EXPECT_EQ(t, arch_probe_read(ro, &v), 0);
	KT_EXPECT_EQ(t, v, PATTERN ^ 1);
}

static void text_probe_target(void)
{
}

/* Writing back the very bytes that are there: harmless if it wrongly worked. */
static void kernel_text_is_not_writable(struct ktest *t)
{
	uintptr_t text = (uintptr_t)text_probe_target & ~(uintptr_t)(sizeof(unsigned long) - 1);
	unsigned long v = 0;

	KT_ASSERT_EQ(t, arch_probe_read((void *)text, &v), 0);
	KT_EXPECT_EQ(t, arch_probe_write((void *)text, v), KERR_FAULT);
}

/* The tables say what the probes found: text R-X, rodata R--, data RW-. */
static void kernel_image_has_no_writable_code(struct ktest *t)
{
	unsigned int text, ro, rw;
	uintptr_t pa;
	size_t size;

	if (arch_translate((uintptr_t)text_probe_target, &pa, &size, &text) != 0)
		KT_SKIP(t, "the tables do not cover the kernel image (host: only the vmap area is emulated)");
	KT_EXPECT_EQ(t, pa, (uintptr_t)text_probe_target);	/* identity */
	KT_EXPECT_EQ(t, text & (ARCH_PROT_WRITE | ARCH_PROT_EXEC), ARCH_PROT_EXEC);
	KT_ASSERT_EQ(t, arch_translate((uintptr_t)&ro_word, NULL, NULL, &ro), 0);
	KT_EXPECT_EQ(t, ro & (ARCH_PROT_WRITE | ARCH_PROT_EXEC), 0u);
	KT_ASSERT_EQ(t, arch_translate((uintptr_t)&rw_word, NULL, NULL, &rw), 0);
	KT_EXPECT_EQ(t, rw & (ARCH_PROT_WRITE | ARCH_PROT_EXEC), ARCH_PROT_WRITE);
}

static void misaligned_probe_is_refused(struct ktest *t)
{
	unsigned long v = 5;

	KT_EXPECT_EQ(t, arch_probe_read((char *)&rw_word + 1, &v), KERR_ALIGN);
	KT_EXPECT_EQ(t, arch_probe_write((char *)&rw_word + 4, 0), KERR_ALIGN);
	KT_EXPECT_EQ(t, v, 5u);
	KT_EXPECT_EQ(t, rw_word, PATTERN);
}

/* A handler that maps one page on demand, as a compressed store would bring one back. */
struct on_demand {
	struct mm_fault_handler h;
	uintptr_t va;
	void *page;
	unsigned int calls;
	bool write;
};

static bool map_on_demand(struct mm_fault_handler *h, uintptr_t addr, bool write)
{
	struct on_demand *d = (struct on_demand *)h;

	if (addr < d->va || addr - d->va >= PAGE_SIZE)
		return false;
	d->calls++;
	d->write = write;
	return arch_map(d->va, (uintptr_t)d->page, PAGE_SIZE, PAGE_SIZE,
			ARCH_PROT_READ | ARCH_PROT_WRITE) == 0;
}

static void fault_resolved_by_mm_resumes(struct ktest *t)
{
	struct on_demand d = { .h = { .handle = map_on_demand } };
	struct mm_fault_stats before, after;
	volatile unsigned long *p;

	d.va = unmapped_page(t);
	if (!d.va)
		return;
	d.page = alloc_pages(0, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, d.page);
	p = (volatile unsigned long *)(d.va + 64);
	mm_fault_get_stats(&before);
	mm_fault_register(&d.h);
	mm_fault_register(&d.h);	/* twice is once */
	*p = PATTERN;			/* faults; the handler maps the page; the store runs again */
	mm_fault_unregister(&d.h);
	mm_fault_get_stats(&after);

	KT_EXPECT_EQ(t, d.calls, 1u);
	KT_EXPECT_TRUE(t, d.write);
	KT_EXPECT_EQ(t, after.faults, before.faults + 1);
	KT_EXPECT_EQ(t, after.resolved, before.resolved + 1);
	KT_EXPECT_EQ(t, *p, PATTERN);
	KT_EXPECT_EQ(t, ((unsigned long *)d.page)[8], PATTERN);	/* it went to the page */
	KT_EXPECT_EQ(t, arch_unmap(d.va, PAGE_SIZE), 0);
	/* Unregistered: a probe now just faults, and the handler is not asked. */
	KT_EXPECT_EQ(t, arch_probe_write((void *)p, 1), KERR_FAULT);
	KT_EXPECT_EQ(t, d.calls, 1u);
	KT_EXPECT_EQ(t, free_pages(d.page, 0), 0);
}

#ifdef CONFIG_TEST_PAGE_FAULT
/* Nobody resolves this one: the kernel must panic, naming the address. */
static void deliberate_page_fault(struct ktest *t)
{
	uintptr_t page = unmapped_page(t);

	if (page)
		*(volatile unsigned long *)(page + 0x88) = 1;
}
#endif

static const struct ktest_case fault_cases[] = {
	KTEST_CASE(probe_reads_mapped_memory),
	KTEST_CASE(probe_writes_mapped_memory),
	KTEST_CASE(probe_of_unmapped_memory_faults),
	KTEST_CASE(probe_of_non_canonical_address_faults),
	KTEST_CASE(write_probe_of_rodata_faults),
	KTEST_CASE(kernel_text_is_not_writable),
	KTEST_CASE(kernel_image_has_no_writable_code),
	KTEST_CASE(misaligned_probe_is_refused),
	KTEST_CASE(fault_resolved_by_mm_resumes),
#ifdef CONFIG_TEST_PAGE_FAULT
	KTEST_CASE(deliberate_page_fault),
#endif
	{ 0 },
};
KTEST_SUITE(fault, fault_cases);
