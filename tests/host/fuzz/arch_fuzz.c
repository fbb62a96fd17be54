/*
 * arch_fuzz.c - arch.h for the fuzz harness (mmkit-fuzz): the variant's
 * core/mm in an ordinary process under ASan and UBSan, one CPU, RAM one
 * arena of Kconfig RAM_MB MiB (reserved; committed as touched).
 *
 * The console: before fuzz_arch_arm() (mm_init's start-up lines) it goes
 * to stderr; after, every line the kernel prints - a misuse report, a
 * failed allocation's warning, a panic - is a finding, because the
 * harness makes only valid calls with memory to spare.
 *
 * With SMP the kernel still runs on one CPU (the boot flow that would
 * start others never runs): interrupts are a flag, and anything that
 * needs another CPU or an interrupt is a finding.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "arch.h"
#include "fuzz_ops.h"
#include "kernel.h"
#include "page_alloc.h"
#include "zone_table.h"

#define ARENA_BYTES ((size_t)CONFIG_RAM_MB << 20)

const char arch_name[] = "host";

static uintptr_t arena;
static bool armed;
static char line[512];
static size_t line_len;

void fuzz_arch_arm(void)
{
	armed = true;
}

void arch_console_putc(char c)
{
	if (line_len < sizeof(line) - 1)
		line[line_len++] = c;
	if (c != '\n')
		return;
	line[line_len - 1] = '\0';
	line_len = 0;
	if (armed)
		fuzz_fail("the kernel printed: %s", line);
	fprintf(stderr, "%s\n", line);
}

_Noreturn void arch_exit(int status)
{
	if (line_len) {
		line[line_len] = '\0';
		fprintf(stderr, "%s\n", line);
	}
	fuzz_fail("the kernel exited with status %d%s", status,
		  status == EXIT_PANIC ? " (panic)" : "");
}

_Noreturn void kernel_exit(int status)
{
	arch_exit(status);
}

size_t arch_memory_map(struct mem_region *out, size_t max)
{
	if (!arena) {
		/* Aligned to 1 GiB, as the host test build's arena: every block is naturally aligned. */
		size_t align = (size_t)1 << 30, span = ARENA_BYTES + align;
		void *m = mmap(NULL, span, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (m == MAP_FAILED) {
			fprintf(stderr, "mmkit-fuzz: cannot reserve %zu MiB of RAM\n", ARENA_BYTES >> 20);
			exit(2);
		}
		arena = ALIGN_UP((uintptr_t)m, (uintptr_t)align);
	}
	if (max < 1)
		return 0;
	out[0].base = arena;
	out[0].size = ARENA_BYTES;
	return 1;
}

uint64_t arch_ram_size(void)
{
	return ARENA_BYTES;
}

/* The arena stands for the arch's RAM at its physical base (zone_table.h's limits). */
uintptr_t arch_zone_offset(void)
{
	return arena - (uintptr_t)ARCH_RAM_PHYS_BASE;
}

#ifdef CONFIG_SMP
static bool irqs_on;

void arch_cpu_relax(void)
{
}

uint64_t arch_clock_ns(void)
{
	return arch_cycles();
}

unsigned int arch_start_cpus(unsigned int max, void (*entry)(unsigned int cpu))
{
	(void)max, (void)entry;
	return 1;
}

_Noreturn void arch_cpu_halt(void)
{
	fuzz_fail("a CPU halted");
}

unsigned long arch_irq_save(void)
{
	unsigned long was = irqs_on;

	irqs_on = false;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	irqs_on = flags != 0;
}

void arch_irq_enable(void)
{
	irqs_on = true;
}

void arch_irq_disable(void)
{
	irqs_on = false;
}

bool arch_irqs_enabled(void)
{
	return irqs_on;
}

void arch_irq_enable_and_wait(void)
{
	fuzz_fail("the kernel waited for an interrupt (one CPU, no timer)");
}

void arch_timer_start(unsigned int hz)
{
	(void)hz;
}

void arch_timer_stop(void)
{
}

void arch_send_ipi(unsigned int cpu)
{
	fuzz_fail("an IPI to CPU %u (the harness runs one CPU)", cpu);
}

void arch_send_nmi(unsigned int cpu)
{
	fuzz_fail("an NMI to CPU %u (the harness runs one CPU)", cpu);
}
#else
/* One CPU, nothing to wait for. */
void arch_cpu_relax(void)
{
}
#endif
