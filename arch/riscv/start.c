/*
 * start.c - the C half of boot: bring up what kmain() needs, then go.
 *
 * Order matters: the console comes first so that a bad device tree can
 * panic() with a readable message instead of hanging silently.
 */
#include "arch_cmdline.h"
#include "kernel.h"
#include "riscv.h"

_Noreturn void arch_riscv_start(unsigned long hartid, const void *dtb)
{
	riscv_boot_hartid = hartid;
	riscv_uart_init();
	riscv_cmdline_init(dtb);
	riscv_memory_init(dtb);
#ifdef CONFIG_SMP
	riscv_cpus_init(dtb);
#endif
	/* After the memory map: the tables cover its RAM and take their pages from it. */
	riscv_paging_init();
	kmain();
}
