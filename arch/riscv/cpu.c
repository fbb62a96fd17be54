/*
 * cpu.c - identity of the running CPU and the spin-wait hint.
 */
#include "arch.h"
#include "riscv.h"

const char arch_name[] = "riscv64";

unsigned long riscv_boot_hartid;

/*
 * The logical CPU index lives in tp, set by the entry code (0 on the boot
 * CPU) and never touched by compiled C: the kernel has no thread-local
 * storage, so the psABI thread pointer is free for this.  Reading a
 * register is cheaper than mapping the hart id through a table, and hart
 * ids are neither dense nor start at 0.
 */
unsigned int arch_cpu_id(void)
{
	unsigned long cpu;

	__asm__ volatile("mv %0, tp" : "=r"(cpu));
	return (unsigned int)cpu;
}

/*
 * Zihintpause's "pause" is a HINT: it is encoded as a FENCE with an empty
 * successor set, so a hart without the extension executes it as a no-op.
 * That makes it safe to emit even though -march does not claim the
 * extension, which is why it is enabled only around this one instruction.
 * clang 14's assembler knows neither ".option arch" nor "pause": there it
 * is the instruction's encoding (fence w,0).
 */
void arch_cpu_relax(void)
{
#ifdef __clang__
	__asm__ volatile(".4byte 0x0100000f");
#else
	__asm__ volatile(".option push\n\t"
			 ".option arch, +zihintpause\n\t"
			 "pause\n\t"
			 ".option pop");
#endif
}
