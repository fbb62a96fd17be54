/*
 * multiboot.c - read the multiboot (v1) information the loader left in
 * memory and pass the memory map on to memory_map.c.
 *
 * Everything is copied (or recorded as reserved) at boot, before the
 * allocators run: the loader put this information in memory that looks
 * free, and nothing else remembers it is there.
 *
 * This runs on boot.S's identity map of the first 4 GiB (the kernel's own
 * tables come later, paging.c), and every address in the multiboot
 * information is 32-bit, so a physical address can be used as a pointer
 * directly.
 */
#include <stddef.h>
#include <stdint.h>
#include "multiboot.h"
#include "x86.h"

#define KIB 1024u
#define LOW_MEMORY_BASE 0x0u		/* mem_lower counts from here */
#define HIGH_MEMORY_BASE 0x100000u	/* mem_upper counts from 1 MiB */

/* Limits against a malformed structure: never scan or trust without end. */
#define MAX_STRING_SCAN 65536u
#define MAX_MODULES 64u

static const void *phys_to_ptr(uint32_t phys)
{
	return (const void *)(uintptr_t)phys;
}

/* Reserve a NUL-terminated string the loader placed somewhere in RAM. */
static void reserve_string(uint32_t phys)
{
	const char *s = phys_to_ptr(phys);
	uint32_t len = 0;

	while (len < MAX_STRING_SCAN && s[len] != '\0')
		len++;
	mem_map_add_reserved(phys, (uint64_t)len + 1);
}

static void reserve_modules(const struct multiboot_info *mbi)
{
	const struct multiboot_module *mods = phys_to_ptr(mbi->mods_addr);
	uint32_t count = mbi->mods_count < MAX_MODULES ? mbi->mods_count : MAX_MODULES;

	mem_map_add_reserved(mbi->mods_addr, (uint64_t)mbi->mods_count * sizeof(*mods));
	for (uint32_t i = 0; i < count; i++) {
		if (mods[i].mod_end > mods[i].mod_start)
			mem_map_add_reserved(mods[i].mod_start,
					     mods[i].mod_end - mods[i].mod_start);
		if (mods[i].string)
			reserve_string(mods[i].string);
	}
}

/* Returns the number of available (type 1) entries found. */
static unsigned int parse_mmap(const struct multiboot_info *mbi)
{
	const uint8_t *p = phys_to_ptr(mbi->mmap_addr);
	const uint8_t *end = p + mbi->mmap_length;
	const size_t min_entry = sizeof(struct multiboot_mmap_entry);
	unsigned int available = 0;

	mem_map_add_reserved(mbi->mmap_addr, mbi->mmap_length);

	while ((size_t)(end - p) >= min_entry) {
		const struct multiboot_mmap_entry *e = (const void *)p;
		/* @size does not count itself; anything shorter than our fields is corrupt. */
		size_t entry_bytes = (size_t)e->size + sizeof(e->size);

		if (entry_bytes < min_entry || entry_bytes > (size_t)(end - p))
			break;
		if (e->len != 0) {
			if (e->type == MULTIBOOT_MEMORY_AVAILABLE) {
				mem_map_add_ram(e->addr, e->len);
				available++;
			} else {
				/* Entries may overlap; a reserved one always wins. */
				mem_map_add_reserved(e->addr, e->len);
			}
		}
		p += entry_bytes;
	}
	return available;
}

void multiboot_init(uint32_t mbi_phys)
{
	const struct multiboot_info *mbi = phys_to_ptr(mbi_phys);
	uint32_t flags = mbi->flags;
	unsigned int available = 0;

	mem_map_add_reserved(mbi_phys, sizeof(*mbi));
	if (flags & MULTIBOOT_INFO_CMDLINE)
		reserve_string(mbi->cmdline);
	if (flags & MULTIBOOT_INFO_LOADER_NAME)
		reserve_string(mbi->boot_loader_name);
	if (flags & MULTIBOOT_INFO_MODS)
		reserve_modules(mbi);

	if (flags & MULTIBOOT_INFO_MEM_MAP)
		available = parse_mmap(mbi);

	/* No usable map: the two sizes describe RAM from 0 and from 1 MiB up to the first hole. */
	if (available == 0 && (flags & MULTIBOOT_INFO_MEMORY)) {
		mem_map_add_ram(LOW_MEMORY_BASE, (uint64_t)mbi->mem_lower * KIB);
		mem_map_add_ram(HIGH_MEMORY_BASE, (uint64_t)mbi->mem_upper * KIB);
	}
}
