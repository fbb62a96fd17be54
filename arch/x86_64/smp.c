/*
 * smp.c - finding the application processors (APs) and starting them
 * (arch_start_cpus(), core/include/arch.h), after Intel SDM vol. 3,
 * 9.4.4 "MP initialization example".
 *
 * The CPUs are the enabled local APICs of the ACPI MADT (acpi.c).  The
 * boot CPU is 0; each AP gets the next index once it has come up, so
 * indices are dense whatever the APIC ids.  An AP is started with
 * INIT, 10 ms, STARTUP, 200 us, STARTUP (the second is ignored by an AP
 * that took the first) and runs the real-mode trampoline (trampoline.S)
 * up to x86_ap_main() here, on a stack of its own.
 *
 * APs are started one at a time, since they share the trampoline's
 * parameters, and each is waited for, boundedly.  An AP that has not come
 * up within START_WAIT_NS is reported, left out and sent INIT, which puts
 * it back into wait-for-STARTUP wherever it had got to; its slot decides
 * the race with a late arrival (as on riscv64: arch/riscv/boot_slot.h).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "kernel.h"
#include "kstring.h"
#include "panic.h"
#include "printk.h"
#include "x86.h"

#define START_WAIT_NS 1000000000ull     /* a second: TCG on a busy host is slow */
#define AP_STACK_SIZE 16384
#define MAX_MADT_CPUS 256

#define SLOT_STARTING 1
#define SLOT_RUNNING 2
#define SLOT_ABANDONED 3

#define CR4_PCIDE (1ul << 17)           /* may only be set in long mode */

struct ap_slot {
	uintptr_t stack_top;
	unsigned int cpu;
	void (*entry)(unsigned int cpu);
	atomic_uint state;
};

/* Filled in the trampoline's copy; the order is trampoline.S's. */
struct x86_trampoline_params {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t stack, entry, arg;
};

extern const char x86_trampoline_start[], x86_trampoline_end[];
extern const char x86_trampoline_params[];
extern const char x86_ap_entry64[];

_Noreturn void x86_ap_main(struct ap_slot *slot);

/* APIC id of each online CPU, for IPIs (irq.c). */
uint8_t x86_cpu_apic_id[CONFIG_NR_CPUS];

#if CONFIG_NR_CPUS > 1
static struct ap_slot slots[CONFIG_NR_CPUS - 1];
/* The boot tables (boot.S): the AP turns paging on with them. */
extern char boot_pml4[];
/* The kernel's tables (paging.c), which x86_ap_entry64 loads. */
uint64_t x86_kernel_cr3;

static _Alignas(16) uint8_t stacks[CONFIG_NR_CPUS - 1][AP_STACK_SIZE];
#endif

_Noreturn void x86_ap_main(struct ap_slot *slot)
{
	unsigned int expected = SLOT_STARTING;

	if (!atomic_compare_exchange_strong_explicit(&slot->state, &expected, SLOT_RUNNING,
						     memory_order_acq_rel,
						     memory_order_acquire)) {
		/* Too late: the boot CPU gave up on us (and sends INIT). */
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	x86_tss_init(slot->cpu);
	x86_idt_load();
	x86_cpu_local_init(slot->cpu);
	lapic_init();
	slot->entry(slot->cpu);
	panic("x86_64: CPU %u returned from its entry", slot->cpu);
}

#if CONFIG_NR_CPUS > 1
static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	switch (n) {
	case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(v)); break;
	case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(v)); break;
	}
	return v;
}

static struct x86_trampoline_params *install_trampoline(void)
{
	size_t size = (size_t)(x86_trampoline_end - x86_trampoline_start);
	struct x86_trampoline_params *p;
	uint64_t cr3 = (uintptr_t)boot_pml4;

	_Static_assert(X86_TRAMPOLINE_BASE % 4096 == 0 && X86_TRAMPOLINE_BASE < 0x100000,
		       "a STARTUP vector names a page below 1 MiB");
	if (size > 4096)
		panic("x86_64: the AP trampoline is %zu bytes, more than its page", size);
	if (cr3 >= 0x100000000ull)
		panic("x86_64: boot page tables at 0x%llx: an AP's 32-bit CR3 cannot reach them",
		      (unsigned long long)cr3);
	/* x86_ap_entry64 moves the AP from the boot tables to the kernel's. */
	x86_kernel_cr3 = read_cr(3);
	/* Below 1 MiB, which the allocators never hand out (memory_map.c). */
	memcpy(x86_phys(X86_TRAMPOLINE_BASE), x86_trampoline_start, size);
	p = x86_phys(X86_TRAMPOLINE_BASE + (x86_trampoline_params - x86_trampoline_start));
	p->cr0 = read_cr(0);
	p->cr3 = cr3;
	p->cr4 = read_cr(4) & ~CR4_PCIDE;
	p->efer = rdmsr(MSR_EFER);
	p->entry = (uint64_t)(uintptr_t)x86_ap_entry64;
	return p;
}

enum start_result { STARTED, TIMED_OUT };

static enum start_result start_ap(struct x86_trampoline_params *tp, uint8_t apic_id,
				  unsigned int cpu, struct ap_slot *slot, uint8_t *stack,
				  void (*entry)(unsigned int))
{
	unsigned int expected = SLOT_STARTING;
	uint64_t deadline;

	slot->stack_top = (uintptr_t)(stack + AP_STACK_SIZE);
	slot->cpu = cpu;
	slot->entry = entry;
	atomic_store_explicit(&slot->state, SLOT_STARTING, memory_order_release);
	tp->stack = slot->stack_top;
	tp->arg = (uint64_t)(uintptr_t)slot;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	x86_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		lapic_send(apic_id, ICR_STARTUP | (X86_TRAMPOLINE_BASE >> 12));
		x86_delay_us(200);
	}
	deadline = arch_clock_ns() + START_WAIT_NS;
	while (arch_clock_ns() < deadline) {
		if (atomic_load_explicit(&slot->state, memory_order_acquire) == SLOT_RUNNING)
			return STARTED;
		arch_cpu_relax();
	}
	if (!atomic_compare_exchange_strong_explicit(&slot->state, &expected, SLOT_ABANDONED,
						     memory_order_acq_rel, memory_order_acquire))
		return STARTED;         /* it made it just as we gave up */
	lapic_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	printk("mmkit: x86_64: CPU with APIC id %u did not start within %llu ms: left out\n",
	       apic_id, (unsigned long long)(START_WAIT_NS / 1000000));
	return TIMED_OUT;
}
#endif

unsigned int arch_start_cpus(unsigned int max, void (*entry)(unsigned int cpu))
{
	static uint8_t ids[MAX_MADT_CPUS];
	unsigned int found, online = 1;

	x86_time_init();
	pic_disable();
	lapic_init();
	lapic_timer_calibrate();
	x86_cpu_apic_id[0] = (uint8_t)lapic_id();
	found = acpi_cpu_apic_ids(ids, MAX_MADT_CPUS);
	printk("mmkit: x86_64: boot CPU APIC id %u, %u CPU(s) in the ACPI MADT\n",
	       x86_cpu_apic_id[0], found);
#if CONFIG_NR_CPUS > 1
	if (max > 1 && found > 1) {
		struct x86_trampoline_params *tp = install_trampoline();

		for (unsigned int i = 0, spent = 0;
		     i < found && i < MAX_MADT_CPUS && online < max && spent < CONFIG_NR_CPUS - 1;
		     i++) {
			if (ids[i] == x86_cpu_apic_id[0])
				continue;
			/* Set before it starts: it may be sent an IPI as soon as it runs. */
			x86_cpu_apic_id[online] = ids[i];
			if (start_ap(tp, ids[i], online, &slots[spent], stacks[spent], entry) ==
			    STARTED)
				online++;
			spent++;
		}
	}
#else
	(void)entry;
	(void)max;
#endif
	return online;
}

_Noreturn void arch_cpu_halt(void)
{
	/* An NMI can still wake hlt; the loop puts the CPU straight back. */
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}
