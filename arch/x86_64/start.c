/*
 * start.c - the first C code: from boot.S to kmain().
 */
#include <stdint.h>
#include "arch_cmdline.h"
#include "kernel.h"
#include "multiboot.h"
#include "panic.h"
#include "x86.h"

_Noreturn void arch_x86_start(uint32_t magic, uint32_t mbi_phys)
{
	/* Before anything can ask which CPU this is (panic() does). */
	x86_cpu_local_init(0);
	serial_init();

	/* boot.S has checked this already; a C caller with other ideas gets a clear panic. */
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("x86_64: bad multiboot magic 0x%x", (unsigned int)magic);

	/* Copy the loader's information before anything can overwrite it. */
	multiboot_init(mbi_phys);
	x86_cmdline_init(mbi_phys);
	mem_map_finalize();
	/* After the memory map: the tables cover its RAM and take their pages from it. */
	x86_paging_init();

	kmain();
}
