/*
 * cmdline_host.c - arch_cmdline() for the host build: the environment
 * variable MMKIT_CMDLINE stands for the boot loader's command line
 * (build.py test --host --filter sets it).
 */
#include <stdlib.h>

#include "arch.h"

const char *arch_cmdline(void)
{
	const char *line = getenv("MMKIT_CMDLINE");

	return line ? line : "";
}
