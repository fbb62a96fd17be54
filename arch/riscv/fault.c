/*
 * fault.c - recoverable faults: the probes and what a page fault may do
 * instead of panicking.
 *
 * A probe's load or store is one instruction with an entry in the
 * exception table (section ex_table, kernel.ld): "if this instruction
 * faults, resume there".  The fixup sets the probe's result to KERR_FAULT
 * and jumps back behind the access.  On a load or store fault (page fault
 * or access fault) the trap handler looks up sepc; a match moves sepc to
 * the fixup and sret resumes there.  Any other page fault is offered to
 * mm_handle_fault(); if that does not resolve it, the trap stays unhandled
 * and panics as before.
 */
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"
#include "kernel.h"
#include "mm_fault.h"
#include "riscv.h"
#include "trap_frame.h"

/* scause exception codes (privileged spec, table "Supervisor cause register"). */
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_ACCESS 7
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

struct ex_entry {
	uintptr_t insn;		/* the access that may fault */
	uintptr_t fixup;	/* where to resume when it does */
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

/* "If the instruction at 1b faults, go to 3f", and the fixup at 3f. */
#define EX_TABLE_AND_FIXUP(set_err)                                           \
	"	.pushsection ex_table, \"a\"\n"                               \
	"	.balign 8\n"                                                  \
	"	.dword 1b, 3f\n"                                              \
	"	.popsection\n"                                                \
	"	.pushsection .text.fixup, \"ax\"\n"                           \
	"	.balign 4\n"                                                  \
	"3:	" set_err "\n"                                                \
	"	j 2b\n"                                                       \
	"	.popsection\n"

static uintptr_t fixup_for(uintptr_t pc)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == pc)
			return e->fixup;
	}
	return 0;
}

bool riscv_handle_fault(struct trap_frame *tf)
{
	unsigned long cause = tf->scause;
	uintptr_t fixup;

	switch (cause) {
	case CAUSE_FETCH_PAGE_FAULT:
		/* No probe fetches: only mm may know this address. */
		return mm_handle_fault(tf->stval, false, tf->sstatus & SSTATUS_SPIE);
	case CAUSE_LOAD_ACCESS:
	case CAUSE_STORE_ACCESS:
	case CAUSE_LOAD_PAGE_FAULT:
	case CAUSE_STORE_PAGE_FAULT:
		break;
	default:
		return false;	/* interrupts too: their scause has bit 63 set */
	}
	fixup = fixup_for(tf->sepc);
	if (fixup) {
		tf->sepc = fixup;
		return true;
	}
	/* An access fault is not about a mapping: nothing in mm can fix it. */
	if (cause == CAUSE_LOAD_PAGE_FAULT || cause == CAUSE_STORE_PAGE_FAULT)
		return mm_handle_fault(tf->stval, cause == CAUSE_STORE_PAGE_FAULT,
				       tf->sstatus & SSTATUS_SPIE);
	return false;
}

int arch_probe_read(const void *addr, unsigned long *val)
{
	unsigned long v;
	int err = 0;

	if (!IS_ALIGNED((uintptr_t)addr, sizeof(unsigned long)))
		return KERR_ALIGN;
	__asm__ volatile("1:	ld %[v], 0(%[addr])\n"
			 "2:\n"
			 EX_TABLE_AND_FIXUP("li %[err], %[efault]")
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
	__asm__ volatile("1:	sd %[v], 0(%[addr])\n"
			 "2:\n"
			 EX_TABLE_AND_FIXUP("li %[err], %[efault]")
			 : [err] "+r"(err)
			 : [v] "r"(val), [addr] "r"(addr), [efault] "i"(KERR_FAULT)
			 : "memory");
	return err;
}
