/*
 * trap_frame.h - the stack frame exception_entry.S builds before calling C.
 *
 * Lowest address first: the registers the stub pushes (last pushed first),
 * then the vector and error code, then what the CPU itself pushed.  The
 * offsets must match exception_entry.S.
 */
#ifndef MMKIT_X86_TRAP_FRAME_H
#define MMKIT_X86_TRAP_FRAME_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;	/* 0 for the vectors where the CPU pushes none */
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame layout");

void x86_exception(struct trap_frame *frame);

#endif /* MMKIT_X86_TRAP_FRAME_H */
