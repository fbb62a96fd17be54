/*
 * init_array.c - run the kernel image's constructors.
 *
 * Nothing else calls them in a freestanding image, and GCC's --coverage
 * registers each object's counters from a constructor in .init_array.00100.
 * The linker script keeps the array sorted by priority between these two
 * symbols.
 */
#include "kernel.h"

typedef void (*init_fn)(void);

extern const init_fn __init_array_start[];
extern const init_fn __init_array_end[];

void init_array_run(void)
{
	for (const init_fn *fn = __init_array_start; fn < __init_array_end; fn++)
		(*fn)();
}
