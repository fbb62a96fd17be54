/*
 * io.h - x86 port I/O.
 *
 * The "memory" clobber keeps the compiler from moving ordinary memory
 * accesses across a device access: the order is part of what a driver means.
 */
#ifndef MMKIT_X86_IO_H
#define MMKIT_X86_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t val)
{
	__asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t val;

	__asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port) : "memory");
	return val;
}

static inline void outl(uint16_t port, uint32_t val)
{
	__asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

#endif /* MMKIT_X86_IO_H */
