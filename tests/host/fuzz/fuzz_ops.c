/*
 * fuzz_ops.c - the operations' names and their text form (fuzz_ops.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_ops.h"

const char *const fuzz_op_names[OP_KINDS] = {
	[OP_KMALLOC] = "kmalloc",
	[OP_KZALLOC] = "kzalloc",
	[OP_KCALLOC] = "kcalloc",
	[OP_KMALLOC_TRY] = "kmalloc_try",
	[OP_KMALLOC_ALIGN] = "kmalloc_align",
	[OP_KREALLOC] = "krealloc",
	[OP_FREE] = "free",
	[OP_PAGES] = "alloc_pages",
	[OP_PAGE_ALLOC] = "page_alloc",
	[OP_CACHE_ALLOC] = "cache_alloc",
	[OP_CACHE_REMAKE] = "cache_remake",
	[OP_POOL_ALLOC] = "pool_alloc",
	[OP_POOL_REMAKE] = "pool_remake",
	[OP_POOL_SHRINK] = "pool_shrink",
	[OP_TXN_BEGIN] = "txn_begin",
	[OP_TXN_COMMIT] = "txn_commit",
	[OP_TXN_ABORT] = "txn_abort",
	[OP_SET_MODE] = "set_mode",
	[OP_DRAIN] = "drain",
	[OP_CHECK] = "check",
};

void fuzz_op_print(FILE *f, const struct fuzz_op *op)
{
	fprintf(f, "%s %u %" PRIu32 " %" PRIu32, fuzz_op_names[op->kind], op->slot, op->a, op->b);
}

int fuzz_op_parse(const char *line, struct fuzz_op *op, char *err, size_t errlen)
{
	char name[32];
	unsigned long slot, a, b;
	int used = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '\n' || *line == '#')
		return 0;
	if (sscanf(line, "%31s %lu %lu %lu %n", name, &slot, &a, &b, &used) != 4 ||
	    (line[used] && line[used] != '\n' && line[used] != '#')) {
		snprintf(err, errlen, "not '<operation> <slot> <a> <b>'");
		return -1;
	}
	for (unsigned int k = 0; k < OP_KINDS; k++) {
		if (strcmp(name, fuzz_op_names[k]))
			continue;
		if (slot >= FUZZ_SLOTS || a > UINT32_MAX || b > UINT32_MAX) {
			snprintf(err, errlen, "slot or argument out of range (slots 0 .. %u)",
				 FUZZ_SLOTS - 1);
			return -1;
		}
		*op = (struct fuzz_op){ .kind = (uint8_t)k, .slot = (uint16_t)slot,
					.a = (uint32_t)a, .b = (uint32_t)b };
		return 1;
	}
	snprintf(err, errlen, "unknown operation '%s'", name);
	return -1;
}
