/*
 * irq.h - interrupts as the core sees them: masking them on this CPU, the
 * periodic tick and the hooks that run on it, and per-CPU counts.
 *
 * The kernel takes two kinds of interrupt, and only with Kconfig SMP: each
 * CPU's timer tick (TICK_HZ per second) and inter-processor interrupts
 * (cross-CPU calls, core/include/smp.h).  Without SMP nothing ever enables
 * interrupts, so there is nothing to mask: irq_save() and friends compile
 * to nothing, and a uniprocessor kernel pays no instruction for them.
 *
 * Masking nests:
 *
 *     unsigned long flags = irq_save();     // off, whatever they were
 *     ...                                   // no tick, no IPI on this CPU
 *     irq_restore(flags);                   // back as they were
 */
#ifndef MMKIT_IRQ_H
#define MMKIT_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "kerrno.h"

/* Timer ticks per second on every CPU. */
#define TICK_HZ 100

#ifdef CONFIG_SMP
static inline unsigned long irq_save(void)
{
	return arch_irq_save();
}

static inline void irq_restore(unsigned long flags)
{
	arch_irq_restore(flags);
}

static inline void irq_enable(void)
{
	arch_irq_enable();
}

static inline void irq_disable(void)
{
	arch_irq_disable();
}

static inline bool irqs_enabled(void)
{
	return arch_irqs_enabled();
}
#else
/* No SMP: interrupts are off from boot to exit (see the top). */
static inline unsigned long irq_save(void)
{
	return 0;
}

static inline void irq_restore(unsigned long flags)
{
	(void)flags;
}

static inline void irq_enable(void)
{
}

static inline void irq_disable(void)
{
}

static inline bool irqs_enabled(void)
{
	return false;
}
#endif

/*
 * Tick hooks: functions every CPU calls on each of its ticks, in interrupt
 * context (interrupts disabled; never wait for another CPU there).  For
 * work that is cheap to poll and may be late by a tick: deferred
 * compression, per-CPU list drains.  At most TICK_HOOKS_MAX at a time;
 * tick_hook_register() returns KERR_OK, or KERR_LIMIT when all slots are
 * taken.  tick_hook_unregister(), called with interrupts enabled, returns
 * once no CPU can be running the hook any more.
 */
#define TICK_HOOKS_MAX 8

typedef void (*tick_hook_fn)(unsigned int cpu);

#ifdef CONFIG_SMP
int tick_hook_register(tick_hook_fn fn);
void tick_hook_unregister(tick_hook_fn fn);

/* Start or stop the calling CPU's tick (smp_init() starts every CPU's). */
void tick_start(void);
void tick_stop(void);

/* Interrupts CPU @cpu has taken since boot, by kind. */
uint64_t irq_count_ticks(unsigned int cpu);
uint64_t irq_count_ipis(unsigned int cpu);
uint64_t irq_count_nmis(unsigned int cpu);
#else
/* No SMP, no tick: a hook is accepted and never runs; nothing is counted. */
static inline int tick_hook_register(tick_hook_fn fn)
{
	(void)fn;
	return KERR_OK;
}

static inline void tick_hook_unregister(tick_hook_fn fn)
{
	(void)fn;
}

static inline void tick_start(void)
{
}

static inline void tick_stop(void)
{
}

static inline uint64_t irq_count_ticks(unsigned int cpu)
{
	(void)cpu;
	return 0;
}

static inline uint64_t irq_count_ipis(unsigned int cpu)
{
	(void)cpu;
	return 0;
}

static inline uint64_t irq_count_nmis(unsigned int cpu)
{
	(void)cpu;
	return 0;
}
#endif

#endif /* MMKIT_IRQ_H */
