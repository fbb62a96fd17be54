/*
 * cmdline.c - arch_cmdline() on riscv64: the "bootargs" property of the
 * device tree's /chosen node, where QEMU puts -append.
 *
 * Read once at boot, before the allocators run, into static storage.  This
 * walk is deliberately forgiving: a blob it cannot read gives an empty
 * command line, and fdt_read_memory() (arch/riscv/fdt.c), which runs next,
 * panics on it with the reason.  Every read is bounds-checked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "arch_cmdline.h"

#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 0x1
#define FDT_END_NODE 0x2
#define FDT_PROP 0x3
#define FDT_NOP 0x4
#define FDT_END 0x9

/* Longer command lines are cut here (Linux's riscv COMMAND_LINE_SIZE is 1024). */
#define CMDLINE_SIZE 1024

static char cmdline[CMDLINE_SIZE];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool bytes_equal(const uint8_t *a, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] != (uint8_t)s[i])
			return false;
	return true;
}

/* Is the NUL-terminated string at @s (which must end before @end) exactly @want? */
static bool str_is(const uint8_t *s, const uint8_t *end, const char *want)
{
	uint32_t i = 0;

	for (; s + i < end && want[i]; i++)
		if (s[i] != (uint8_t)want[i])
			return false;
	return s + i < end && !want[i] && s[i] == '\0';
}

static void copy_value(const uint8_t *v, uint32_t len)
{
	uint32_t n = 0;

	while (n < len && n < CMDLINE_SIZE - 1 && v[n])
		n++;
	for (uint32_t i = 0; i < n; i++)
		cmdline[i] = (char)v[i];
	cmdline[n] = '\0';
}

void riscv_cmdline_init(const void *dtb)
{
	const uint8_t *blob = dtb, *structs, *strings;
	uint32_t total, off_struct, off_strings, size_struct, size_strings, pos = 0;
	unsigned int depth = 0;
	bool in_chosen = false;

	cmdline[0] = '\0';
	if (!blob || (uintptr_t)blob % 8 != 0 || be32(blob) != FDT_MAGIC)
		return;
	total = be32(blob + 4);
	off_struct = be32(blob + 8);
	off_strings = be32(blob + 12);
	size_strings = be32(blob + 32);
	size_struct = be32(blob + 36);
	if (total < 40 || off_struct > total || size_struct > total - off_struct ||
	    off_strings > total || size_strings > total - off_strings || off_struct % 4)
		return;
	structs = blob + off_struct;
	strings = blob + off_strings;

	while (size_struct - pos >= 4) {
		uint32_t token = be32(structs + pos);

		pos += 4;
		switch (token) {
		case FDT_BEGIN_NODE: {
			const uint8_t *name = structs + pos;
			uint32_t len = 0;

			while (pos + len < size_struct && name[len])
				len++;
			if (pos + len >= size_struct)
				return;
			depth++;
			/* "chosen", or "chosen@..." never appears: the node has no address. */
			in_chosen = depth == 2 && len == 6 && bytes_equal(name, "chosen", 6);
			pos += (len + 1 + 3) & ~3U;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return;
			depth--;
			in_chosen = false;
			break;
		case FDT_PROP: {
			uint32_t len, nameoff;

			if (size_struct - pos < 8)
				return;
			len = be32(structs + pos);
			nameoff = be32(structs + pos + 4);
			pos += 8;
			if (len > size_struct - pos)
				return;
			if (in_chosen && nameoff < size_strings &&
			    str_is(strings + nameoff, strings + size_strings, "bootargs")) {
				copy_value(structs + pos, len);
				return;
			}
			pos += (len + 3) & ~3U;
			break;
		}
		case FDT_NOP:
			break;
		default:        /* FDT_END, or something this walk does not know */
			return;
		}
	}
}

const char *arch_cmdline(void)
{
	return cmdline;
}
