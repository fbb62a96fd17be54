/*
 * multiboot.h - the parts of the Multiboot (version 1) specification this
 * kernel uses: the header it carries and the information the loader (QEMU's
 * -kernel, GRUB) hands over in EBX.  Included by boot.S for the constants.
 */
#ifndef MMKIT_X86_MULTIBOOT_H
#define MMKIT_X86_MULTIBOOT_H

/* Header, searched for in the first 8 KiB of the image, 4-byte aligned. */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002
#define MULTIBOOT_HEADER_PAGE_ALIGN 0x00000001	/* modules on 4 KiB boundaries */
#define MULTIBOOT_HEADER_MEMORY_INFO 0x00000002	/* we need mem_* and the map */
#define MULTIBOOT_HEADER_FLAGS (MULTIBOOT_HEADER_PAGE_ALIGN | MULTIBOOT_HEADER_MEMORY_INFO)
/* magic + flags + checksum must be 0 modulo 2^32. */
#define MULTIBOOT_HEADER_CHECKSUM (-(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS))

/* What the loader leaves in EAX. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

/* multiboot_info.flags: which fields are valid. */
#define MULTIBOOT_INFO_MEMORY (1u << 0)		/* mem_lower, mem_upper */
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP (1u << 6)	/* mmap_length, mmap_addr */
#define MULTIBOOT_INFO_LOADER_NAME (1u << 9)

#define MULTIBOOT_MEMORY_AVAILABLE 1

#ifndef __ASSEMBLER__

#include <stdint.h>

/* All addresses are 32-bit physical addresses: everything lies below 4 GiB. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB from 0 */
	uint32_t mem_upper;		/* KiB from 1 MiB, up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;		/* NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;		/* array of struct multiboot_module */
	uint32_t syms[4];
	uint32_t mmap_length;		/* bytes */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;	/* NUL-terminated string */
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	/* The spec's 64-bit framebuffer_addr at offset 88, split so the
	 * structure has no padding and is exactly the spec's 116 bytes. */
	uint32_t framebuffer_addr_lo;
	uint32_t framebuffer_addr_hi;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
};

_Static_assert(sizeof(struct multiboot_info) == 116, "multiboot_info layout");

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end;		/* exclusive */
	uint32_t string;
	uint32_t reserved;
};

/*
 * One memory map entry.  @size counts the bytes after itself (20 in
 * practice), so the next entry starts at (char *)entry + size + 4.  The
 * 64-bit fields sit at offset 4, hence packed: the compiler must not assume
 * they are 8-byte aligned.
 */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#endif /* __ASSEMBLER__ */

#endif /* MMKIT_X86_MULTIBOOT_H */
