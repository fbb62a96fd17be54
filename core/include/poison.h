/*
 * poison.h - the byte patterns debugging fills memory with, Linux's values
 * (include/linux/poison.h), so that dumps read familiarly.
 */
#ifndef MMKIT_POISON_H
#define MMKIT_POISON_H

#define POISON_INUSE 0x5a   /* handed out, not yet written by its user */
#define POISON_FREE 0x6b    /* free: any other byte is a write after free */
#define POISON_END 0xa5     /* the end of a poisoned object */

/* Do slab caches poison (Kconfig DEBUG_POISON)?  As a value, for C conditions. */
#ifdef CONFIG_DEBUG_POISON
#define POISON_CACHES 1
#else
#define POISON_CACHES 0
#endif

#endif /* MMKIT_POISON_H */
