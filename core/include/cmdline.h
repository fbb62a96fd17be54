/*
 * cmdline.h - parameters from the kernel command line (core/lib/cmdline.c).
 *
 * The command line comes from the boot loader through arch_cmdline():
 * QEMU's -append reaches riscv64 as the device tree's /chosen/bootargs and
 * x86_64 as the multiboot command line.  It is a list of words separated by
 * spaces; a word "name=value" sets a parameter, and a value may be quoted
 * ("name=\"a b\"").  Words that are not of that form (x86_64's loader puts
 * the kernel's file name first) are ignored.
 */
#ifndef MMKIT_CMDLINE_H
#define MMKIT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copy the value of parameter @name into @buf (NUL-terminated, at most
 * @size - 1 bytes).  Returns false, leaving @buf untouched, when the
 * command line does not set @name or the value does not fit; the last
 * setting of a parameter wins, as in Linux.
 */
bool cmdline_param(const char *name, char *buf, size_t size);

/* The same, from a command line given as an argument (what the tests use). */
bool cmdline_param_in(const char *cmdline, const char *name, char *buf, size_t size);

#endif /* MMKIT_CMDLINE_H */
