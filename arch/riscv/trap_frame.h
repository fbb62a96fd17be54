/*
 * trap_frame.h - layout of the registers saved on a trap, shared by the
 * assembly that builds the frame (trap.S) and the C that reads it (trap.c).
 *
 * Slot n (n = 1..31) holds register xn; slot 2 holds sp as it was before
 * the trap, and slot 0 is unused (x0 needs no saving).
 */
#ifndef MMKIT_ARCH_RISCV_TRAP_FRAME_H
#define MMKIT_ARCH_RISCV_TRAP_FRAME_H

#define TF_REG(n) ((n) * 8)
#define TF_SEPC (32 * 8)
#define TF_SSTATUS (33 * 8)
#define TF_SCAUSE (34 * 8)
#define TF_STVAL (35 * 8)
#define TRAP_FRAME_SIZE (36 * 8)        /* a multiple of 16: keeps sp aligned */

#ifndef __ASSEMBLER__

struct trap_frame {
	unsigned long regs[32];
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long scause;
	unsigned long stval;
};

void riscv_trap_handler(struct trap_frame *tf);

#endif /* __ASSEMBLER__ */

#endif /* MMKIT_ARCH_RISCV_TRAP_FRAME_H */
