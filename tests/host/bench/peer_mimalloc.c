/* peer_mimalloc.c - mimalloc (Debian libmimalloc-dev), called by its own names. */
#include <mimalloc.h>
#include <stdio.h>

#include "peer.h"

const char *peer_name(void) { return "mimalloc"; }

void peer_version(char *buf, size_t size)
{
	int v = mi_version();

	snprintf(buf, size, "%d.%d.%d", v / 100, v / 10 % 10, v % 10);
}

int peer_init(void) { return 0; }
void *peer_malloc(size_t size) { return mi_malloc(size); }
void peer_free(void *p) { mi_free(p); }
void peer_extras(void) { }

/*
 * mimalloc counts what it commits only when built with statistics
 * (MI_STAT), which Debian's release library is not: mi_process_info()
 * then says 0 committed whatever it holds.  No account to read.
 */
size_t peer_footprint(void)
{
	return PEER_NO_ACCOUNT;
}
