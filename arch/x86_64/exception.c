/*
 * exception.c - what happens when the CPU raises an exception.
 *
 * The kernel expects none but the faults fault.c recovers from (a probe,
 * or a page fault that mm resolves): every other exception is a bug (or a
 * test that provokes one on purpose), so each is reported with enough
 * state to find the faulting instruction, and the kernel panics.
 */
#include <stdint.h>
#include "arch.h"
#include "kernel.h"
#include "panic.h"
#include "trap_frame.h"
#include "x86.h"

static const char *const exception_names[] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[15] = "reserved",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point",
	[20] = "#VE virtualization",
	[21] = "#CP control protection",
	[22] = "reserved",
	[23] = "reserved",
	[24] = "reserved",
	[25] = "reserved",
	[26] = "reserved",
	[27] = "reserved",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security",
	[31] = "reserved",
};

static uint64_t read_cr2(void)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	return cr2;
}

void x86_exception(struct trap_frame *frame)
{
	const char *name;

#ifdef CONFIG_SMP
	/* An NMI is how a panicking CPU stops the others (core/kernel/smp.c). */
	if (frame->vector == 2) {
		irq_handle_nmi();
		return;
	}
#endif

	if (x86_handle_fault(frame))
		return;
	name = frame->vector < ARRAY_SIZE(exception_names) ?
		       exception_names[frame->vector] : "unknown";
	/* CR2 is meaningful only for #PF, but printing it always costs nothing. */
	panic("unhandled exception %lu (%s) err=0x%lx rip=0x%lx cr2=0x%lx",
	      (unsigned long)frame->vector, name, (unsigned long)frame->error_code,
	      (unsigned long)frame->rip, (unsigned long)read_cr2());
}
