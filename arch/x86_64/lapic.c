/*
 * lapic.c - the local APIC of each CPU (Intel SDM vol. 3, chapter 11), in
 * xAPIC mode through its registers at the physical address
 * IA32_APIC_BASE names (0xFEE00000 on QEMU), which the boot page tables
 * identity-map.  (QEMU 7.2's TCG has no x2APIC.)
 *
 * It delivers the tick (its timer, periodic, on X86_VEC_TIMER) and IPIs,
 * and sends them: INIT and STARTUP to start a CPU, fixed-vector IPIs, NMIs.
 * Its timer runs at a rate the machine does not state; it is measured once
 * against the TSC (itself measured against the PIT, time.c).
 */
#include <stdint.h>

#include "arch.h"
#include "panic.h"
#include "x86.h"

/* Register offsets. */
#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3E0

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0xFFFFFF000ull
#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define ICR_BUSY (1u << 12)             /* delivery status: send pending */
#define TIMER_DIVIDE_16 0x3

#define CALIBRATE_US 10000              /* 10 ms */

static volatile uint32_t *lapic;
/* Timer counts per second at divide-by-16, from lapic_timer_calibrate(). */
static uint64_t timer_hz;

static uint32_t rd(uint32_t reg)
{
	return lapic[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	if ((base & APIC_BASE_ADDR_MASK) >= 0x100000000ull)
		panic("x86_64: local APIC at 0x%llx, outside the identity map",
		      (unsigned long long)(base & APIC_BASE_ADDR_MASK));
	lapic = x86_phys(base & APIC_BASE_ADDR_MASK);

	wr(LAPIC_TPR, 0);                                       /* accept every vector */
	wr(LAPIC_LVT_LINT0, LVT_MASKED);                        /* no ExtINT from the PIC */
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_LVT_TIMER, LVT_MASKED | X86_VEC_TIMER);
	wr(LAPIC_SVR, SVR_ENABLE | X86_VEC_SPURIOUS);
	wr(LAPIC_ESR, 0);                                       /* clear stale errors */
	wr(LAPIC_EOI, 0);                                       /* and a stale in-service bit */
}

uint32_t lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

/*
 * The ICR is two registers: a send is the high word (destination), then
 * the low word (what), which sends.  An interrupt handler sending between
 * the two writes would redirect ours, hence interrupts off around them.
 */
void lapic_send(uint32_t apic_id, uint32_t icr_low)
{
	unsigned long flags = arch_irq_save();

	while (rd(LAPIC_ICR_LOW) & ICR_BUSY)
		arch_cpu_relax();
	wr(LAPIC_ICR_HIGH, apic_id << 24);
	wr(LAPIC_ICR_LOW, icr_low);
	arch_irq_restore(flags);
}

void lapic_timer_calibrate(void)
{
	uint32_t left;

	wr(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_16);
	wr(LAPIC_LVT_TIMER, LVT_MASKED | X86_VEC_TIMER);       /* one-shot, masked */
	wr(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
	x86_delay_us(CALIBRATE_US);
	left = rd(LAPIC_TIMER_CURRENT);
	wr(LAPIC_TIMER_INIT, 0);
	timer_hz = (uint64_t)(0xFFFFFFFFu - left) * (1000000 / CALIBRATE_US);
	if (timer_hz < 1000)
		panic("x86_64: the local APIC timer does not count (%llu Hz)",
		      (unsigned long long)timer_hz);
}

void lapic_timer_start(unsigned int hz)
{
	wr(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_16);
	wr(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | X86_VEC_TIMER);
	wr(LAPIC_TIMER_INIT, (uint32_t)(timer_hz / hz));
}

void lapic_timer_stop(void)
{
	wr(LAPIC_LVT_TIMER, LVT_MASKED | X86_VEC_TIMER);
	wr(LAPIC_TIMER_INIT, 0);
}

void arch_timer_start(unsigned int hz)
{
	lapic_timer_start(hz);
}

void arch_timer_stop(void)
{
	lapic_timer_stop();
}
