/*
 * kmalloc_tlsf.c - the kmalloc front of the TLSF mode: every request is a
 * block of the TLSF region (tlsf_region.c, tlsf.h).  The interface is
 * kmalloc_front.h; argument checks, counting and transactions are
 * kmalloc.c's.
 */
#include "kerrno.h"
#include "kmalloc_front.h"
#include "tlsf.h"

void kmalloc_front_init(void)
{
	tlsf_region_init("TLSF");
}

const char *mm_mode_name(void)
{
	return "TLSF";
}

/* The region was taken at boot: @flags have no page allocation to steer. */
int kmalloc_front_alloc(size_t size, size_t align, gfp_t flags, void **out,
			struct kmalloc_sizes *sz)
{
	(void)flags;
	*out = tlsf_alloc_usable(&kmalloc_tlsf, size, align, &sz->granted);
	if (!*out)
		return KERR_NOMEM;
	sz->requested = size;
	sz->by_cache = false;
	return 0;
}

int kmalloc_front_free(const void *p, struct kmalloc_sizes *sz)
{
	sz->by_cache = false;
	return tlsf_free_sized(&kmalloc_tlsf, p, &sz->requested, &sz->granted);
}

int kmalloc_front_realloc(void *p, size_t size, gfp_t flags, void **out)
{
	(void)flags;
	return tlsf_realloc_try(&kmalloc_tlsf, p, size, out);
}

size_t kmalloc_front_usable_size(const void *p)
{
	return tlsf_usable_size(&kmalloc_tlsf, p);
}

void kmalloc_front_sizes(const void *p, struct kmalloc_sizes *sz)
{
	sz->requested = tlsf_requested_size(&kmalloc_tlsf, p);
	sz->granted = tlsf_usable_size(&kmalloc_tlsf, p);
	sz->by_cache = false;
}

/*
 * The region's free bytes and largest free block stand where SimpleHeap's
 * do (heap_free_bytes, heap_largest_free: "the mode's heap region"); its
 * metadata is the block headers and the control structure.
 */
void kmalloc_front_stats(struct mm_stats *st)
{
	struct tlsf_stats ts;

	tlsf_get_stats(&kmalloc_tlsf, &ts);
	st->heap_free_bytes = ts.free_bytes;
	st->heap_largest_free = ts.largest_free;
	st->front_meta_bytes += ts.meta_bytes + ts.control_bytes;
}

/* TLSF caches nothing: freed blocks are merged at once. */
size_t kmalloc_front_shrink(void)
{
	return 0;
}
