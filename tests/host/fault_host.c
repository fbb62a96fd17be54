/*
 * fault_host.c - recoverable faults on the host: the probes, and page
 * faults offered to mm_handle_fault().
 *
 * A fault is a signal here: SIGSEGV for an address with no mapping or the
 * wrong protection, SIGBUS for a page of the memfd beyond its end.  A
 * probe records a sigjmp_buf in a thread-local slot before its access; the
 * handler jumps back to it, so the probe returns KERR_FAULT.  Per thread,
 * because the signal is delivered to the thread that faulted.  Any other
 * fault is offered to mm_handle_fault(); if a handler resolves it, the
 * signal handler returns and the access runs again.  If not, the handler
 * that was installed before this one (ASan's, which prints the report and
 * the stack; or the default, which ends the process) is put back and the
 * access faults again into it - the host's way of panicking.
 *
 * The probes are not instrumented: ASan would check their address against
 * its shadow first and report an access the caller expects to fault.
 */
#define _GNU_SOURCE

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <ucontext.h>

#include "arch.h"
#include "host.h"
#include "kerrno.h"
#include "irq.h"
#include "kernel.h"
#include "mm_fault.h"

/* x86-64 Linux: the page-fault error code, bit 1 set for a write. */
#define PF_ERR_WRITE 0x2

static _Thread_local sigjmp_buf *volatile probe_env;
static struct sigaction previous_segv, previous_bus;

static bool fault_was_write(void *uctx)
{
#if defined(__x86_64__)
	return ((ucontext_t *)uctx)->uc_mcontext.gregs[REG_ERR] & PF_ERR_WRITE;
#else
	(void)uctx;
	return false;
#endif
}

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
	sigjmp_buf *env = probe_env;

	if (env) {
		probe_env = NULL;
		siglongjmp(*env, 1);
	}
	if (mm_handle_fault((uintptr_t)si->si_addr, fault_was_write(uctx), irqs_enabled()))
		return;
	sigaction(sig, sig == SIGSEGV ? &previous_segv : &previous_bus, NULL);
}

void host_fault_init(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous_segv) || sigaction(SIGBUS, &sa, &previous_bus))
		abort();
}

__attribute__((no_sanitize("address", "undefined"), noinline))
int arch_probe_read(const void *addr, unsigned long *val)
{
	sigjmp_buf env;
	unsigned long v;

	if (!IS_ALIGNED((uintptr_t)addr, sizeof(unsigned long)))
		return KERR_ALIGN;
	if (sigsetjmp(env, 1))
		return KERR_FAULT;
	probe_env = &env;
	v = *(const volatile unsigned long *)addr;
	probe_env = NULL;
	*val = v;
	return 0;
}

__attribute__((no_sanitize("address", "undefined"), noinline))
int arch_probe_write(void *addr, unsigned long val)
{
	sigjmp_buf env;

	if (!IS_ALIGNED((uintptr_t)addr, sizeof(unsigned long)))
		return KERR_ALIGN;
	if (sigsetjmp(env, 1))
		return KERR_FAULT;
	probe_env = &env;
	*(volatile unsigned long *)addr = val;
	probe_env = NULL;
	return 0;
}
