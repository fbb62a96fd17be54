/*
 * peer_tcmalloc.c - tcmalloc from gperftools (Debian libgoogle-perftools-dev),
 * the minimal library, called by its own names.
 */
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#include <stdio.h>

#include "peer.h"

const char *peer_name(void) { return "tcmalloc"; }

void peer_version(char *buf, size_t size)
{
	int major, minor;
	const char *patch;

	tc_version(&major, &minor, &patch);
	snprintf(buf, size, "%d.%d%s", major, minor, patch ? patch : "");
}

int peer_init(void) { return 0; }
void *peer_malloc(size_t size) { return tc_malloc(size); }
void peer_free(void *p) { tc_free(p); }
void peer_extras(void) { }

/* The page heap's bytes from the system less those given back (unmapped). */
size_t peer_footprint(void)
{
	size_t heap = 0, unmapped = 0;

	if (!MallocExtension_GetNumericProperty("generic.heap_size", &heap))
		return 0;
	MallocExtension_GetNumericProperty("tcmalloc.pageheap_unmapped_bytes", &unmapped);
	return heap - unmapped;
}
