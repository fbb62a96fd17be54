/*
 * smp_call.c - running a function on another CPU through an IPI
 * (smp_call_function_single() and smp_call_function_all(), core/include/
 * smp.h), after Linux's kernel/smp.c.
 *
 * Each CPU keeps one request block per destination CPU (so no allocation,
 * and at most one request from A to B in flight).  A request is pushed on
 * the destination's queue, a lock-free stack: whoever makes the queue non-
 * empty sends the IPI, later pushes ride on it.  The destination's IPI
 * handler takes the whole queue at once, runs it oldest first, and
 * unlocks each block: before the call when nobody waits (the sender may
 * reuse the block as soon as fn and arg are copied), after it when the
 * sender waits for the call to have run.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "arch.h"
#include "irq.h"
#include "kerrno.h"
#include "panic.h"
#include "percpu.h"
#include "smp.h"

struct call_request {
	struct call_request *next;      /* in the destination's queue */
	smp_call_fn fn;
	void *arg;
	bool wait;
	atomic_uint busy;               /* in use until the destination is done */
} ____cacheline_aligned_in_smp;

/* Requests from one CPU, one per destination. */
struct call_requests {
	struct call_request to[NR_CPUS];
} ____cacheline_aligned_in_smp;

struct call_queue {
	_Atomic(struct call_request *) head;
} ____cacheline_aligned_in_smp;

static DEFINE_PER_CPU(struct call_requests, requests);
static DEFINE_PER_CPU(struct call_queue, queues);

/* Wait until the request's previous use is done, then claim it. */
static void request_claim(struct call_request *req)
{
	/* Acquire: the destination's reads of the old fn/arg come first. */
	while (atomic_load_explicit(&req->busy, memory_order_acquire))
		arch_cpu_relax();
	atomic_store_explicit(&req->busy, 1, memory_order_relaxed);
}

static void request_wait(struct call_request *req)
{
	while (atomic_load_explicit(&req->busy, memory_order_acquire))
		arch_cpu_relax();
}

static void request_send(unsigned int cpu, smp_call_fn fn, void *arg, bool wait)
{
	struct call_request *req = &this_cpu_ptr(requests)->to[cpu];
	struct call_queue *q = per_cpu_ptr(queues, cpu);
	struct call_request *head;

	request_claim(req);
	req->fn = fn;
	req->arg = arg;
	req->wait = wait;
	head = atomic_load_explicit(&q->head, memory_order_relaxed);
	do {
		req->next = head;
	} while (!atomic_compare_exchange_weak_explicit(&q->head, &head, req,
							memory_order_release,
							memory_order_relaxed));
	if (!head)
		arch_send_ipi(cpu);
}

/* Cross-CPU waits with interrupts off deadlock (see smp.h). */
static void check_may_wait(void)
{
	if (!irqs_enabled())
		panic("cross-CPU call on CPU %u with interrupts disabled: it could deadlock",
		      this_cpu());
}

int smp_call_function_single(unsigned int cpu, smp_call_fn fn, void *arg, bool wait)
{
	if (cpu >= NR_CPUS || !cpu_online(cpu))
		return KERR_INVAL;
	if (cpu == this_cpu()) {
		unsigned long flags = irq_save();

		fn(arg);
		irq_restore(flags);
		return KERR_OK;
	}
	check_may_wait();
	request_send(cpu, fn, arg, wait);
	if (wait)
		request_wait(&this_cpu_ptr(requests)->to[cpu]);
	return KERR_OK;
}

void smp_call_function_all(smp_call_fn fn, void *arg, bool wait)
{
	unsigned int me = this_cpu();

	check_may_wait();
	for_each_online_cpu(cpu)
		if (cpu != me)
			request_send(cpu, fn, arg, wait);
	if (!wait)
		return;
	for_each_online_cpu(cpu)
		if (cpu != me)
			request_wait(&this_cpu_ptr(requests)->to[cpu]);
}

void smp_call_run_queue(void)
{
	struct call_queue *q = this_cpu_ptr(queues);
	struct call_request *req = atomic_exchange_explicit(&q->head, NULL, memory_order_acquire);
	struct call_request *fifo = NULL;

	/* The queue is a stack: newest first.  Run in the order sent. */
	while (req) {
		struct call_request *next = req->next;

		req->next = fifo;
		fifo = req;
		req = next;
	}
	while (fifo) {
		struct call_request *next = fifo->next;
		smp_call_fn fn = fifo->fn;
		void *arg = fifo->arg;
		bool wait = fifo->wait;

		/* Nothing of the block is read after it is released. */
		if (!wait)
			atomic_store_explicit(&fifo->busy, 0, memory_order_release);
		fn(arg);
		if (wait)
			atomic_store_explicit(&fifo->busy, 0, memory_order_release);
		fifo = next;
	}
}
