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

/*
 * stats.resident: pages backing allocations, dirty pages not yet purged
 * and metadata, after an epoch refresh (jemalloc's statistics are
 * snapshots).
 */
size_t peer_footprint(void)
{
	uint64_t epoch = 1;
	size_t resident = 0, len = sizeof(epoch);

	mallctl("epoch", &epoch, &len, &epoch, len);
	len = sizeof(resident);
	if (mallctl("stats.resident", &resident, &len, NULL, 0) != 0)
		return 0;
	return resident;
}
