/*
 * not_implemented.h - how an allocator still being written says that a
 * function of its interface is a stub.
 *
 * `./build.py new-allocator` writes a front (kmalloc_front.h) or a page
 * strategy (pa_strategy.h) whose every function starts with
 * MM_NOT_IMPLEMENTED() and returns an error (KERR_NOSYS, NULL, 0).  The
 * call is recorded by name and printed once; the conformance group's
 * allocator_interface suite calls each function of both interfaces and
 * fails the case named after a function found here, so that a new
 * variant boots and says exactly what is left to write
 * (docs/ALLOCATOR_INTERFACE.md).  Implemented functions never call it,
 * and nothing else does: in a finished variant the record stays empty.
 */
#ifndef MMKIT_NOT_IMPLEMENTED_H
#define MMKIT_NOT_IMPLEMENTED_H

#include <stdbool.h>
#include <stddef.h>

/* Record that @fn (a string literal: __func__) was called and is a stub. */
void mm_not_implemented(const char *fn);

#define MM_NOT_IMPLEMENTED() mm_not_implemented(__func__)

/* Has @fn been recorded as a stub since boot? */
bool mm_not_implemented_seen(const char *fn);

#endif /* MMKIT_NOT_IMPLEMENTED_H */
