/*
 * fdt.h - the little the kernel reads from a flattened device tree: where
 * RAM is and which parts of it are spoken for, and which harts there are.
 */
#ifndef MMKIT_ARCH_RISCV_FDT_H
#define MMKIT_ARCH_RISCV_FDT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_RAM 16          /* memory node ranges */
#define FDT_MAX_RESERVED 32     /* reservation block + /reserved-memory ranges */
#define FDT_MAX_CPUS 64         /* cpu nodes whose hart ids are kept */

/* A physical range [base, base + size); base + size never wraps. */
struct fdt_range {
	uint64_t base;
	uint64_t size;
};

struct fdt_memory {
	uint64_t blob_size;     /* header totalsize: the blob's own footprint */
	size_t nr_ram;
	struct fdt_range ram[FDT_MAX_RAM];
	size_t nr_reserved;
	struct fdt_range reserved[FDT_MAX_RESERVED];
};

/*
 * Read RAM (memory nodes with device_type "memory") and reserved ranges
 * (the header's memory reservation block and the reg of each child of
 * /reserved-memory) from @blob into @out, in the order found.  Panics on a
 * blob that is not a well-formed version 17 device tree, or that holds more
 * ranges than fit.
 */
void fdt_read_memory(const void *blob, struct fdt_memory *out);

struct fdt_cpus {
	uint64_t timebase_hz;   /* rate of the time CSR; 0 if not given */
	size_t nr;              /* enabled cpu nodes found (may exceed FDT_MAX_CPUS) */
	uint64_t hartid[FDT_MAX_CPUS];  /* theirs, in tree order */
};

/*
 * Read the enabled cpu nodes (device_type "cpu" under /cpus, status okay
 * or absent) and the timebase frequency from @blob into @out.  Panics on a
 * malformed blob, as fdt_read_memory() does.
 */
void fdt_read_cpus(const void *blob, struct fdt_cpus *out);

#endif /* MMKIT_ARCH_RISCV_FDT_H */
