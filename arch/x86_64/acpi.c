/*
 * acpi.c - the CPUs, from the ACPI MADT ("APIC" table; ACPI 6.x, 5.2.12).
 *
 * The firmware (SeaBIOS on QEMU) leaves the RSDP, on a 16-byte boundary,
 * in the first KiB of the EBDA or in the BIOS area 0xE0000..0xFFFFF.  It
 * points at the RSDT (32-bit table pointers) or, from revision 2, the XSDT
 * (64-bit); one of those tables is the MADT, whose Processor Local APIC
 * entries (type 0) list the CPUs by APIC id, with bit 0 of their flags
 * set when the CPU is enabled.
 *
 * Everything is checksummed by the firmware and checked here, lengths are
 * bounded, and only tables inside the boot identity map (below 4 GiB) are
 * read: a bad table means "no MADT", and the kernel runs on one CPU.
 */
#include <stddef.h>
#include <stdint.h>

#include "x86.h"

#define BDA_EBDA_SEGMENT 0x40E
#define BIOS_AREA_START 0xE0000u
#define BIOS_AREA_END 0x100000u
#define MAX_TABLE_BYTES (1u << 20)
#define IDENTITY_MAP_END 0x100000000ull

#define MADT_LOCAL_APIC 0
#define MADT_X2APIC 9
#define MADT_ENABLED 1u

struct rsdp {
	char signature[8];              /* "RSD PTR " */
	uint8_t checksum;               /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;               /* 0: ACPI 1.0 (no XSDT); 2: 2.0 and up */
	uint32_t rsdt;
	uint32_t length;                /* revision 2: of the whole structure */
	uint64_t xsdt;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	uint32_t length;                /* header included */
	uint8_t revision;
	uint8_t checksum;               /* over length bytes */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

_Static_assert(sizeof(struct rsdp) == 36, "RSDP layout");
_Static_assert(sizeof(struct sdt_header) == 36, "SDT header layout");

/* The MADT: the header, the local APIC address and flags, then entries. */
#define MADT_ENTRIES 44

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static int same(const char *a, const char *b, size_t n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static const struct rsdp *scan(uintptr_t start, uintptr_t end)
{
	for (uintptr_t a = start; a + sizeof(struct rsdp) <= end; a += 16) {
		const struct rsdp *r = x86_phys(a);

		if (same(r->signature, "RSD PTR ", 8) && sum(r, 20) == 0)
			return r;
	}
	return NULL;
}

static const struct rsdp *find_rsdp(void)
{
	uintptr_t ebda = (uintptr_t)*(const volatile uint16_t *)x86_phys(BDA_EBDA_SEGMENT) << 4;
	const struct rsdp *r = NULL;

	if (ebda >= 0x80000 && ebda < 0xA0000)
		r = scan(ebda, ebda + 1024);
	return r ? r : scan(BIOS_AREA_START, BIOS_AREA_END);
}

/* A table at @phys, if it is mapped, sane and its checksum holds. */
static const struct sdt_header *table(uint64_t phys)
{
	const struct sdt_header *h;

	if (phys == 0 || phys + sizeof(*h) > IDENTITY_MAP_END)
		return NULL;
	h = x86_phys(phys);
	if (h->length < sizeof(*h) || h->length > MAX_TABLE_BYTES ||
	    phys + h->length > IDENTITY_MAP_END || sum(h, h->length) != 0)
		return NULL;
	return h;
}

static const struct sdt_header *find_madt(void)
{
	const struct rsdp *r = find_rsdp();
	const struct sdt_header *root;
	size_t width, n;

	if (!r)
		return NULL;
	if (r->revision >= 2 && r->length >= sizeof(*r) && sum(r, sizeof(*r)) == 0 &&
	    (root = table(r->xsdt)) && same(root->signature, "XSDT", 4))
		width = 8;
	else if ((root = table(r->rsdt)) && same(root->signature, "RSDT", 4))
		width = 4;
	else
		return NULL;
	n = (root->length - sizeof(*root)) / width;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *entry = (const uint8_t *)(root + 1) + i * width;
		uint64_t phys = 0;
		const struct sdt_header *t;

		for (size_t b = 0; b < width; b++)      /* unaligned, little-endian */
			phys |= (uint64_t)entry[b] << (8 * b);
		t = table(phys);
		if (t && same(t->signature, "APIC", 4))
			return t;
	}
	return NULL;
}

unsigned int acpi_cpu_apic_ids(uint8_t *ids, unsigned int max)
{
	const struct sdt_header *madt = find_madt();
	const uint8_t *p, *end;
	unsigned int n = 0;

	if (!madt || madt->length < MADT_ENTRIES)
		return 0;
	p = (const uint8_t *)madt + MADT_ENTRIES;
	end = (const uint8_t *)madt + madt->length;
	while (end - p >= 2 && p[1] >= 2 && p[1] <= end - p) {
		if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
			uint32_t flags = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;

			if (flags & MADT_ENABLED) {
				if (n < max)
					ids[n] = p[3];
				n++;
			}
		}
		/* Type 9 (x2APIC) entries name ids above 254, which xAPIC cannot reach. */
		p += p[1];
	}
	return n;
}
