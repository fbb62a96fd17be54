/*
 * peer_jemalloc.c - jemalloc (Debian libjemalloc-dev).  Debian builds it
 * without a symbol prefix, so it replaces malloc/free in a program linked
 * with -ljemalloc; peer_init() checks that the malloc this program calls
 * is really jemalloc's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <string.h>

#include "peer.h"

const char *peer_name(void) { return "jemalloc"; }

void peer_version(char *buf, size_t size)
{
	const char *v = "?";
	size_t len = sizeof(v);

	mallctl("version", &v, &len, NULL, 0);
	snprintf(buf, size, "%s", v);
}

int peer_init(void)
{
	Dl_info info;

	if (!dladdr((void *)malloc, &info) || !info.dli_fname ||
	    !strstr(info.dli_fname, "jemalloc")) {
		fprintf(stderr, "hostbench: malloc does not resolve to jemalloc (%s)\n",
			info.dli_fname ? info.dli_fname : "?");
		return -1;
	}
	return 0;
}

void *peer_malloc(size_t size) { return malloc(size); }
void peer_free(void *p) { free(p); }
void peer_extras(void) { }
