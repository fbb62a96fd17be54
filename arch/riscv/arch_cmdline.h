/*
 * arch_cmdline.h - the kernel command line on riscv64: /chosen/bootargs of the
 * device tree OpenSBI passes on (QEMU puts -append there).
 */
#ifndef MMKIT_ARCH_RISCV_CMDLINE_H
#define MMKIT_ARCH_RISCV_CMDLINE_H

/* Copy /chosen/bootargs out of @dtb, at boot; arch_cmdline() returns it. */
void riscv_cmdline_init(const void *dtb);

#endif /* MMKIT_ARCH_RISCV_CMDLINE_H */
