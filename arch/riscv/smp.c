/*
 * smp.c - finding the other harts and starting them (arch_start_cpus(),
 * core/include/arch.h).
 *
 * The harts are the enabled cpu nodes of the device tree (fdt.c).  Any of
 * them may be the boot hart, whichever won OpenSBI's boot lottery (under
 * multi-threaded TCG often not hart 0), and hart ids need not be dense, so
 * CPU indices are handed out in the order harts come up: the boot hart is
 * 0, the next hart started successfully 1, and so on.  The others wait in
 * OpenSBI (HSM state STOPPED) until hart_start sends them to
 * riscv_secondary_entry (secondary.S) with their boot slot (boot_slot.h).
 *
 * Harts are started one at a time and each is waited for, boundedly: a
 * hart that has not come up within START_WAIT_NS is reported and left
 * out, and if it comes up later it parks (boot_slot.h).
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "boot_slot.h"
#include "fdt.h"
#include "kernel.h"
#include "panic.h"
#include "printk.h"
#include "riscv.h"
#include "sbi.h"

#define START_WAIT_NS 1000000000ull     /* a second: TCG on a busy host is slow */
#define SECONDARY_STACK_SIZE 16384

/* Hart id of each online CPU, for IPIs. */
unsigned long riscv_cpu_hartid[CONFIG_NR_CPUS];

static struct fdt_cpus fdt_cpus;

struct riscv_boot_slot *_Atomic riscv_pending_slot;

#if CONFIG_NR_CPUS > 1
/* One slot and stack per attempt to start a hart, never reused. */
static struct riscv_boot_slot slots[CONFIG_NR_CPUS - 1];
static _Alignas(16) uint8_t stacks[CONFIG_NR_CPUS - 1][SECONDARY_STACK_SIZE];
#endif

void riscv_cpus_init(const void *dtb)
{
	fdt_read_cpus(dtb, &fdt_cpus);
	riscv_timebase_hz = fdt_cpus.timebase_hz;
	riscv_cpu_hartid[0] = riscv_boot_hartid;
}

_Noreturn void riscv_secondary_start(unsigned long hartid, struct riscv_boot_slot *slot)
{
	unsigned int expected = SLOT_STARTING;

	(void)hartid;
	/* OpenSBI starts a hart with translation off: the kernel's tables first. */
	riscv_paging_enable();
	if (!atomic_compare_exchange_strong_explicit(&slot->state, &expected, SLOT_RUNNING,
						     memory_order_acq_rel,
						     memory_order_acquire)) {
		/* Too late: the boot hart gave up on us.  Stay out of the way. */
		for (;;)
			__asm__ volatile("wfi");
	}
	csr_set(sie, SIE_SSIE);
	slot->entry((unsigned int)slot->cpu);
	panic("riscv64: CPU %lu returned from its entry", slot->cpu);
}

#if CONFIG_NR_CPUS > 1
enum start_result {
	STARTED,
	REFUSED,                /* hart_start failed: the hart never runs */
	TIMED_OUT,              /* it may still run, so its slot is spent */
};

/* Start @hartid as CPU @cpu in @slot, on @stack. */
static enum start_result start_hart(unsigned long hartid, unsigned int cpu,
				    struct riscv_boot_slot *slot, uint8_t *stack,
				    void (*entry)(unsigned int))
{
	struct sbiret ret;
	unsigned int expected = SLOT_STARTING;
	uint64_t deadline;

	enum start_result result = TIMED_OUT;
	unsigned int late = atomic_load_explicit(&riscv_late_entries, memory_order_relaxed);

	slot->stack_top = (uintptr_t)(stack + SECONDARY_STACK_SIZE);
	slot->cpu = cpu;
	slot->hartid = hartid;
	slot->entry = entry;
	atomic_store_explicit(&slot->state, SLOT_STARTING, memory_order_release);
	atomic_store_explicit(&riscv_pending_slot, slot, memory_order_seq_cst);

	ret = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid,
		       (unsigned long)(uintptr_t)riscv_secondary_entry,
		       (unsigned long)(uintptr_t)slot);
	if (ret.error != SBI_SUCCESS) {
		atomic_store_explicit(&riscv_pending_slot, NULL, memory_order_relaxed);
		printk("mmkit: riscv64: hart %lu: hart_start failed (SBI error %ld): left out\n",
		       hartid, ret.error);
		return REFUSED;
	}
	deadline = arch_clock_ns() + START_WAIT_NS;
	while (arch_clock_ns() < deadline) {
		if (atomic_load_explicit(&slot->state, memory_order_acquire) == SLOT_RUNNING) {
			result = STARTED;
			break;
		}
		arch_cpu_relax();
	}
	if (result == TIMED_OUT &&
	    !atomic_compare_exchange_strong_explicit(&slot->state, &expected, SLOT_ABANDONED,
						     memory_order_acq_rel, memory_order_acquire))
		result = STARTED;       /* it made it just as we gave up */
	atomic_store_explicit(&riscv_pending_slot, NULL, memory_order_relaxed);
	if (result == TIMED_OUT)
		printk("mmkit: riscv64: hart %lu did not start within %llu ms: left out\n",
		       hartid, (unsigned long long)(START_WAIT_NS / 1000000));
	else if (atomic_load_explicit(&riscv_late_entries, memory_order_relaxed) != late)
		printk("mmkit: riscv64: hart %lu came in through the kernel entry "
		       "(OpenSBI 1.1 hart_start race): started all the same\n", hartid);
	return result;
}
#endif

unsigned int arch_start_cpus(unsigned int max, void (*entry)(unsigned int cpu))
{
	unsigned int online = 1;

	/* The boot hart takes IPIs from now on, once interrupts are enabled. */
	csr_set(sie, SIE_SSIE);
	printk("mmkit: riscv64: boot hart %lu of %zu in the device tree, timebase %llu Hz\n",
	       riscv_boot_hartid, fdt_cpus.nr, (unsigned long long)riscv_timebase_hz);
#if CONFIG_NR_CPUS > 1
	if (max > 1 && fdt_cpus.nr > 1 &&
	    (!sbi_probe(SBI_EXT_HSM) || !sbi_probe(SBI_EXT_IPI))) {
		printk("mmkit: riscv64: the firmware lacks SBI HSM or IPI: one CPU only\n");
		return 1;
	}
	/* @spent: slots (and stacks) used by harts that run or may yet run. */
	for (size_t i = 0, spent = 0;
	     i < fdt_cpus.nr && i < FDT_MAX_CPUS && online < max && spent < CONFIG_NR_CPUS - 1;
	     i++) {
		unsigned long hartid = fdt_cpus.hartid[i];

		if (hartid == riscv_boot_hartid)
			continue;
		/* Set before it starts: it may be sent an IPI as soon as it runs. */
		riscv_cpu_hartid[online] = hartid;
		switch (start_hart(hartid, online, &slots[spent], stacks[spent], entry)) {
		case STARTED:
			online++;
			spent++;
			break;
		case TIMED_OUT:
			spent++;
			break;
		case REFUSED:
			break;
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
	csr_clear(sstatus, SSTATUS_SIE);
	for (;;)
		__asm__ volatile("wfi");
}
