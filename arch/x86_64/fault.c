/*
 * fault.c - recoverable faults: the probes and what a page fault may do
 * instead of panicking.
 *
 * A probe's load or store is one instruction with an entry in the
 * exception table (section ex_table, kernel.ld): "if this instruction
 * faults, resume there".  The fixup sets the probe's result to KERR_FAULT
 * and jumps back behind the access.  An access to an unmapped or
 * read-only page raises #PF (CR2 = the address, error code bit 1 = write);
 * one to a non-canonical address raises #GP instead, with no address, so
 * both look up the faulting RIP.  Any other #PF is offered to
 * mm_handle_fault(); if that does not resolve it, the exception stays
 * unhandled and panics as before.
 */
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "mm_fault.h"
#include "trap_frame.h"
#include "x86.h"

#define VECTOR_GP 13
#define VECTOR_PF 14
#define PF_ERR_WRITE (1u << 1)

struct ex_entry {
	uintptr_t insn;		/* the access that may fault */
	uintptr_t fixup;	/* where to resume when it does */
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

/* "If the instruction at 1b faults, go to 3f", and the fixup at 3f. */
#define EX_TABLE_AND_FIXUP(set_err)                                           \
	"	.pushsection ex_table, \"a\"\n"                               \
	"	.balign 8\n"                                                  \
	"	.quad 1b, 3f\n"                                               \
	"	.popsection\n"                                                \
	"	.pushsection .text.fixup, \"ax\"\n"                           \
	"3:	" set_err "\n"                                                \
	"	jmp 2b\n"                                                     \
	"	.popsection\n"

static uintptr_t fixup_for(uintptr_t rip)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == rip)
			return e->fixup;
	}
	return 0;
}

static uintptr_t read_cr2(void)
{
	uintptr_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	return cr2;
}

bool x86_handle_fault(struct trap_frame *frame)
{
	uintptr_t fixup;

	if (frame->vector != VECTOR_PF && frame->vector != VECTOR_GP)
		return false;
	fixup = fixup_for(frame->rip);
	if (fixup) {
		frame->rip = fixup;
		return true;
	}
	if (frame->vector == VECTOR_PF)
		return mm_handle_fault(read_cr2(), frame->error_code & PF_ERR_WRITE,
				       frame->rflags & RFLAGS_IF);
	return false;
}

int arch_probe_read(const void *addr, unsigned long *val)
{
	unsigned long v;
	int err = 0;

	if (!IS_ALIGNED((uintptr_t)addr, sizeof(unsigned long)))
		return KERR_ALIGN;
	__asm__ volatile("1:	movq (%[addr]), %[v]\n"
			 "2:\n"
			 EX_TABLE_AND_FIXUP("movl %[efault], %[err]")
			 : [v] "=&r"(v), [err] "+r"(err)
			 : [addr] "r"(addr), [efault] "i"(KERR_FAULT)
			 : "memory");
	if (!err)
		*val = v;
	return err;
}

int arch_probe_write(void *addr, unsigned long val)
{
	int err = 0;

	if (!IS_ALIGNED((uintptr_t)addr, sizeof(unsigned long)))
		return KERR_ALIGN;
	__asm__ volatile("1:	movq %[v], (%[addr])\n"
			 "2:\n"
			 EX_TABLE_AND_FIXUP("movl %[efault], %[err]")
			 : [err] "+r"(err)
			 : [v] "r"(val), [addr] "r"(addr), [efault] "i"(KERR_FAULT)
			 : "memory");
	return err;
}
