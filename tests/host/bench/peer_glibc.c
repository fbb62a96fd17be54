/* peer_glibc.c - the C library's malloc (glibc's ptmalloc2 on Debian). */
#define _GNU_SOURCE
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "peer.h"

const char *peer_name(void) { return "glibc"; }

void peer_version(char *buf, size_t size)
{
	snprintf(buf, size, "%s", gnu_get_libc_version());
}

int peer_init(void) { return 0; }
void *peer_malloc(size_t size) { return malloc(size); }
void peer_free(void *p) { free(p); }
void peer_extras(void) { }

/* The heap's bytes from sbrk, free chunks included, and the mmapped chunks. */
size_t peer_footprint(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.arena + mi.hblkhd;
}
