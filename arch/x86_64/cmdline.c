/*
 * cmdline.c - arch_cmdline() on x86_64: the multiboot information's command
 * line (flags bit 2), copied at boot into static storage.
 *
 * QEMU's multiboot loader writes the kernel's file name, a space and the
 * -append text; core/lib/cmdline.c skips words that are not name=value.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "arch_cmdline.h"
#include "multiboot.h"

/* Longer command lines are cut here (Linux's x86 COMMAND_LINE_SIZE is 2048). */
#define CMDLINE_SIZE 2048

static char cmdline[CMDLINE_SIZE];

void x86_cmdline_init(uint32_t mbi_phys)
{
	const struct multiboot_info *mbi = (const void *)(uintptr_t)mbi_phys;
	const char *s;
	size_t n = 0;

	cmdline[0] = '\0';
	if (!mbi || !(mbi->flags & MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline)
		return;
	s = (const char *)(uintptr_t)mbi->cmdline;
	while (n < CMDLINE_SIZE - 1 && s[n]) {
		cmdline[n] = s[n];
		n++;
	}
	cmdline[n] = '\0';
}

const char *arch_cmdline(void)
{
	return cmdline;
}
