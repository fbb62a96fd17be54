/*
 * fdt.c - a reader for the flattened device tree (Devicetree Specification
 * v0.4, chapter 5), just enough to find memory and the CPUs.
 *
 * The blob is big-endian and only 4-byte aligned inside, and the firmware
 * built it, so every read is bounds-checked and done a byte at a time:
 * a bad blob must end in a clear panic, never in a wild load.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fdt.h"
#include "kernel.h"
#include "panic.h"

#define FDT_MAGIC 0xd00dfeedU
#define FDT_HEADER_SIZE 40      /* ten big-endian u32 fields */
#define FDT_VERSION 17          /* the format this reader understands */

/* Header field offsets. */
#define FDT_OFF_MAGIC 0
#define FDT_OFF_TOTALSIZE 4
#define FDT_OFF_DT_STRUCT 8
#define FDT_OFF_DT_STRINGS 12
#define FDT_OFF_MEM_RSVMAP 16
#define FDT_OFF_VERSION 20
#define FDT_OFF_LAST_COMP_VERSION 24
#define FDT_OFF_SIZE_DT_STRINGS 32
#define FDT_OFF_SIZE_DT_STRUCT 36

/* Structure block tokens. */
#define FDT_BEGIN_NODE 0x1
#define FDT_END_NODE 0x2
#define FDT_PROP 0x3
#define FDT_NOP 0x4
#define FDT_END 0x9

/* Defaults a node's children get when it has no #address-cells /
 * #size-cells (Devicetree Specification 2.3.5). */
#define DEFAULT_ADDRESS_CELLS 2
#define DEFAULT_SIZE_CELLS 1

/*
 * Levels of the tree this reader cares about: the root (0), its children
 * (1: memory nodes, /reserved-memory, /cpus) and their children (2:
 * reserved ranges, cpu nodes).  Deeper nodes are walked but not recorded.
 */
#define TRACKED_LEVELS 3

enum node_kind {
	NODE_OTHER,
	NODE_RESERVED_MEMORY,   /* /reserved-memory */
	NODE_RESERVED_RANGE,    /* a child of /reserved-memory */
	NODE_CPUS,              /* /cpus */
	NODE_CPUS_CHILD,        /* a child of /cpus: a cpu node, or cpu-map */
};

struct node_state {
	enum node_kind kind;
	uint32_t address_cells; /* for this node's children */
	uint32_t size_cells;
	bool is_memory;         /* device_type = "memory" */
	bool is_cpu;            /* device_type = "cpu" */
	bool disabled;          /* status present and not "okay" */
	const uint8_t *reg;     /* reg value, interpreted at the node's end */
	uint32_t reg_len;
};

struct fdt_reader {
	const uint8_t *blob;
	uint32_t totalsize;
	const uint8_t *strings;
	uint32_t strings_size;
	const uint8_t *structs;
	uint32_t struct_size;
	uint32_t pos;           /* next token, as an offset into structs */
	struct fdt_memory *out; /* what to read: memory, */
	struct fdt_cpus *cpus;  /* or the CPUs */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

_Noreturn static void malformed(const struct fdt_reader *r, const char *why)
{
	panic("fdt: malformed device tree at %p: %s", (const void *)r->blob, why);
}

/* Does the @len-byte property value @value hold exactly the string @s? */
static bool prop_is_string(const uint8_t *value, uint32_t len, const char *s)
{
	uint32_t i;

	for (i = 0; i < len && s[i]; i++)
		if (value[i] != (uint8_t)s[i])
			return false;
	return i + 1 == len && value[i] == '\0';
}

static bool str_equal(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Length of the NUL-terminated string at @s, which must end before @limit. */
static uint32_t bounded_strlen(const struct fdt_reader *r, const uint8_t *s,
			       const uint8_t *limit, const char *what)
{
	const uint8_t *p = s;

	while (p < limit && *p)
		p++;
	if (p == limit)
		malformed(r, what);
	return (uint32_t)(p - s);
}

static uint32_t next_token(struct fdt_reader *r)
{
	uint32_t token;

	if (r->struct_size - r->pos < 4)
		malformed(r, "structure block ends without FDT_END");
	token = be32(r->structs + r->pos);
	r->pos += 4;
	return token;
}

/* Move past @len bytes of node name or property value, to the next
 * 4-byte aligned token. */
static void skip_bytes(struct fdt_reader *r, uint32_t len)
{
	uint32_t padded;

	if (len > UINT32_MAX - 3)
		malformed(r, "length out of range");
	padded = (len + 3) & ~3U;
	if (padded > r->struct_size - r->pos)
		malformed(r, "node or property runs past the structure block");
	r->pos += padded;
}

static void add_range(struct fdt_reader *r, struct fdt_range *list, size_t *nr,
		      size_t max, uint64_t base, uint64_t size, const char *what)
{
	if (size == 0)
		return;
	if (base > UINT64_MAX - size)
		malformed(r, "range wraps past the end of the address space");
	if (*nr == max)
		panic("fdt: more than %zu %s ranges; raise the limit in arch/riscv/fdt.h",
		      max, what);
	list[*nr].base = base;
	list[*nr].size = size;
	(*nr)++;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	return cells == 2 ? be64(p) : be32(p);
}

/* Record every (address, size) pair of a reg value, laid out as @parent's
 * #address-cells / #size-cells say. */
static void add_reg(struct fdt_reader *r, const struct node_state *parent,
		    const struct node_state *node, bool reserved)
{
	uint32_t ac = parent->address_cells, sc = parent->size_cells;
	uint32_t entry_len;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		panic("fdt: unsupported #address-cells=%u / #size-cells=%u for memory",
		      (unsigned int)ac, (unsigned int)sc);
	entry_len = (ac + sc) * 4;
	if (node->reg_len % entry_len != 0)
		malformed(r, "reg length is not a whole number of entries");

	for (uint32_t off = 0; off < node->reg_len; off += entry_len) {
		uint64_t base = read_cells(node->reg + off, ac);
		uint64_t size = read_cells(node->reg + off + ac * 4, sc);

		if (reserved)
			add_range(r, r->out->reserved, &r->out->nr_reserved,
				  FDT_MAX_RESERVED, base, size, "reserved");
		else
			add_range(r, r->out->ram, &r->out->nr_ram, FDT_MAX_RAM,
				  base, size, "memory");
	}
}

static void read_property(struct fdt_reader *r, struct node_state *node)
{
	uint32_t len, nameoff;
	const uint8_t *value;
	const char *name;

	if (r->struct_size - r->pos < 8)
		malformed(r, "truncated property header");
	len = be32(r->structs + r->pos);
	nameoff = be32(r->structs + r->pos + 4);
	r->pos += 8;
	value = r->structs + r->pos;
	skip_bytes(r, len);

	if (!node)
		return;         /* deeper than anything this reader records */
	if (nameoff >= r->strings_size)
		malformed(r, "property name outside the strings block");
	bounded_strlen(r, r->strings + nameoff, r->strings + r->strings_size,
		       "unterminated property name");
	name = (const char *)(r->strings + nameoff);

	if (str_equal(name, "#address-cells") || str_equal(name, "#size-cells")) {
		if (len != 4)
			malformed(r, "#address-cells / #size-cells is not one cell");
		if (name[1] == 'a')
			node->address_cells = be32(value);
		else
			node->size_cells = be32(value);
	} else if (str_equal(name, "device_type")) {
		node->is_memory = prop_is_string(value, len, "memory");
		node->is_cpu = prop_is_string(value, len, "cpu");
	} else if (str_equal(name, "timebase-frequency") && r->cpus &&
		   (node->kind == NODE_CPUS || node->kind == NODE_CPUS_CHILD)) {
		/* On /cpus, or on each cpu node (all equal): one cell or two. */
		if (len != 4 && len != 8)
			malformed(r, "timebase-frequency is neither one cell nor two");
		r->cpus->timebase_hz = len == 4 ? be32(value) : be64(value);
	} else if (str_equal(name, "status")) {
		node->disabled = !prop_is_string(value, len, "okay") &&
				 !prop_is_string(value, len, "ok");
	} else if (str_equal(name, "reg")) {
		node->reg = value;
		node->reg_len = len;
	}
}

/* A cpu node's reg is its hart id, in /cpus' #address-cells (size 0). */
static void add_cpu(struct fdt_reader *r, const struct node_state *parent,
		    const struct node_state *node)
{
	struct fdt_cpus *c = r->cpus;
	uint32_t ac = parent->address_cells;

	if (ac < 1 || ac > 2 || node->reg_len < ac * 4)
		malformed(r, "cpu node reg does not hold a hart id");
	if (c->nr < FDT_MAX_CPUS)
		c->hartid[c->nr] = read_cells(node->reg, ac);
	c->nr++;
}

/* Called at a node's FDT_END_NODE, when all its properties are known. */
static void finish_node(struct fdt_reader *r, const struct node_state *levels,
			size_t level)
{
	const struct node_state *node = &levels[level];

	if (level == 0 || node->disabled || !node->reg)
		return;
	if (r->cpus) {
		if (node->kind == NODE_CPUS_CHILD && node->is_cpu)
			add_cpu(r, &levels[level - 1], node);
		return;
	}
	if (level == 1 && node->is_memory)
		add_reg(r, &levels[0], node, false);
	else if (node->kind == NODE_RESERVED_RANGE)
		add_reg(r, &levels[level - 1], node, true);
}

static void read_structure(struct fdt_reader *r)
{
	struct node_state levels[TRACKED_LEVELS];
	size_t depth = 0;       /* open nodes; the current node is depth - 1 */
	bool seen_root = false;

	for (;;) {
		uint32_t token = next_token(r);
		struct node_state *node = NULL;

		if (depth > 0 && depth <= TRACKED_LEVELS)
			node = &levels[depth - 1];

		switch (token) {
		case FDT_BEGIN_NODE: {
			const uint8_t *name = r->structs + r->pos;
			uint32_t name_len = bounded_strlen(r, name,
							   r->structs + r->struct_size,
							   "unterminated node name");

			if (depth == 0 && seen_root)
				malformed(r, "more than one root node");
			seen_root = true;
			skip_bytes(r, name_len + 1);
			if (depth < TRACKED_LEVELS) {
				struct node_state *child = &levels[depth];

				*child = (struct node_state){
					.kind = NODE_OTHER,
					.address_cells = DEFAULT_ADDRESS_CELLS,
					.size_cells = DEFAULT_SIZE_CELLS,
				};
				if (depth == 1 && str_equal((const char *)name, "reserved-memory"))
					child->kind = NODE_RESERVED_MEMORY;
				else if (depth == 2 && levels[1].kind == NODE_RESERVED_MEMORY)
					child->kind = NODE_RESERVED_RANGE;
				else if (depth == 1 && str_equal((const char *)name, "cpus"))
					child->kind = NODE_CPUS;
				else if (depth == 2 && levels[1].kind == NODE_CPUS)
					child->kind = NODE_CPUS_CHILD;
			}
			depth++;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				malformed(r, "FDT_END_NODE without a node");
			if (node)
				finish_node(r, levels, depth - 1);
			depth--;
			break;
		case FDT_PROP:
			if (depth == 0)
				malformed(r, "property outside any node");
			read_property(r, node);
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth != 0 || !seen_root)
				malformed(r, "FDT_END inside a node or before the root");
			return;
		default:
			malformed(r, "unknown token in the structure block");
		}
	}
}

/* The memory reservation block: (address, size) u64 pairs ending in 0, 0. */
static void read_reservations(struct fdt_reader *r, uint32_t off)
{
	if (off % 8 != 0)
		malformed(r, "memory reservation block not 8-byte aligned");
	for (;;) {
		uint64_t base, size;

		if (off > r->totalsize || r->totalsize - off < 16)
			malformed(r, "memory reservation block not terminated");
		base = be64(r->blob + off);
		size = be64(r->blob + off + 8);
		if (base == 0 && size == 0)
			return;
		add_range(r, r->out->reserved, &r->out->nr_reserved,
			  FDT_MAX_RESERVED, base, size, "reserved");
		off += 16;
	}
}

/* Check that [off, off + size) lies inside the blob. */
static void check_block(const struct fdt_reader *r, uint32_t off, uint32_t size,
			const char *why)
{
	if (off > r->totalsize || size > r->totalsize - off)
		malformed(r, why);
}

/* Check the header and find the blocks; @r->blob is the blob. */
static void open_blob(struct fdt_reader *r_)
{
	struct fdt_reader r = *r_;
	const void *blob = r.blob;
	uint32_t off_struct, off_strings, version, last_comp;

	if (!blob || (uintptr_t)blob % 8 != 0)
		panic("fdt: no usable device tree pointer from firmware (%p)", blob);
	if (be32(r.blob + FDT_OFF_MAGIC) != FDT_MAGIC)
		panic("fdt: bad magic 0x%08x at %p (want 0xd00dfeed)",
		      (unsigned int)be32(r.blob + FDT_OFF_MAGIC), blob);

	r.totalsize = be32(r.blob + FDT_OFF_TOTALSIZE);
	if (r.totalsize < FDT_HEADER_SIZE)
		malformed(&r, "totalsize smaller than the header");
	if ((uintptr_t)blob > UINTPTR_MAX - r.totalsize)
		malformed(&r, "blob runs past the end of the address space");

	version = be32(r.blob + FDT_OFF_VERSION);
	last_comp = be32(r.blob + FDT_OFF_LAST_COMP_VERSION);
	if (version < FDT_VERSION || last_comp > FDT_VERSION)
		panic("fdt: device tree version %u (backwards compatible to %u) cannot be read as version 17",
		      (unsigned int)version, (unsigned int)last_comp);

	off_struct = be32(r.blob + FDT_OFF_DT_STRUCT);
	off_strings = be32(r.blob + FDT_OFF_DT_STRINGS);
	r.struct_size = be32(r.blob + FDT_OFF_SIZE_DT_STRUCT);
	r.strings_size = be32(r.blob + FDT_OFF_SIZE_DT_STRINGS);
	check_block(&r, off_struct, r.struct_size, "structure block outside the blob");
	check_block(&r, off_strings, r.strings_size, "strings block outside the blob");
	if (off_struct % 4 != 0 || r.struct_size % 4 != 0)
		malformed(&r, "structure block not 4-byte aligned");
	r.structs = r.blob + off_struct;
	r.strings = r.blob + off_strings;
	*r_ = r;
}

void fdt_read_memory(const void *blob, struct fdt_memory *out)
{
	struct fdt_reader r = { .blob = blob, .out = out };

	open_blob(&r);
	out->blob_size = r.totalsize;
	out->nr_ram = 0;
	out->nr_reserved = 0;
	read_reservations(&r, be32(r.blob + FDT_OFF_MEM_RSVMAP));
	read_structure(&r);
}

void fdt_read_cpus(const void *blob, struct fdt_cpus *out)
{
	struct fdt_reader r = { .blob = blob, .cpus = out };

	open_blob(&r);
	out->nr = 0;
	out->timebase_hz = 0;
	read_structure(&r);
}
