/*
 * time.c - the TSC as a clock: arch_clock_ns() and short busy waits
 * (the INIT-SIPI-SIPI sequence, calibrating the local APIC timer).
 *
 * The TSC's rate is not given by QEMU's TCG (no CPUID leaf 0x15), so it is
 * measured once against the PIT, whose input clock is fixed at 1.193182
 * MHz: channel 2, gated through port 0x61, counts down 10 ms in mode 0
 * and raises its output (port 0x61 bit 5) at zero.  Without -icount the
 * TSC follows the host's; under -icount both follow the instruction count,
 * and the measured rate is still consistent with the PIT.
 */
#include <stdint.h>

#include "arch.h"
#include "io.h"
#include "panic.h"
#include "x86.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61                   /* bit 0 gate, bit 1 speaker, bit 5 OUT2 */
#define PIT_CH2_MODE0 0xB0              /* channel 2, low then high byte, mode 0 */
#define CALIBRATE_MS 10
#define CALIBRATE_POLLS 100000000u      /* a PIT that never fires must not hang us */

static uint64_t tsc_khz;
static uint64_t tsc_at_boot;

void x86_time_init(void)
{
	uint16_t latch = PIT_HZ / (1000 / CALIBRATE_MS);
	uint64_t t0, t1;
	uint32_t polls = 0;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2, latch & 0xFF);
	outb(PIT_CH2, latch >> 8);
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & 0x20))
		if (++polls == CALIBRATE_POLLS)
			panic("x86_64: PIT channel 2 never reached zero: cannot time the TSC");
	t1 = rdtsc();
	tsc_khz = (t1 - t0) / CALIBRATE_MS;
	if (tsc_khz == 0)
		panic("x86_64: the TSC did not advance in %d ms of PIT time", CALIBRATE_MS);
	tsc_at_boot = t0;
}

uint64_t arch_clock_ns(void)
{
	uint64_t t;

	/* Only the boot CPU can get here first (smp.c calibrates before starting others). */
	if (!tsc_khz)
		x86_time_init();
	t = rdtsc() - tsc_at_boot;
	/* Split so that t * 1e6 cannot overflow. */
	return t / tsc_khz * 1000000ull + t % tsc_khz * 1000000ull / tsc_khz;
}

void x86_delay_us(uint64_t us)
{
	uint64_t start = arch_clock_ns();

	while (arch_clock_ns() - start < us * 1000)
		arch_cpu_relax();
}
