/*
 * panic.h - stop the kernel because its state can no longer be trusted.
 *
 * Panics are for corrupted state and unhandled traps only; running out of
 * memory is never a panic (allocators return NULL / an error code).
 * panic() prints "PANIC: <message>" and the end-of-run marker, then exits
 * with EXIT_PANIC.  The host reports this as a panic and quotes the message.
 */
#ifndef MMKIT_PANIC_H
#define MMKIT_PANIC_H

#define PANIC_PREFIX "PANIC: "

__attribute__((format(printf, 1, 2))) _Noreturn void panic(const char *fmt, ...);

/* BUG_ON: an invariant the code relies on does not hold. */
#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (cond)                                                     \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif /* MMKIT_PANIC_H */
