/*
 * arch_cmdline.h - the kernel command line on x86_64: the multiboot command line
 * (QEMU's -kernel puts the kernel's file name and then -append there).
 */
#ifndef MMKIT_X86_CMDLINE_H
#define MMKIT_X86_CMDLINE_H

#include <stdint.h>

/* Copy the command line out of the multiboot information at @mbi_phys, at
 * boot (while the first 4 GiB are identity mapped); arch_cmdline() returns it. */
void x86_cmdline_init(uint32_t mbi_phys);

#endif /* MMKIT_X86_CMDLINE_H */
