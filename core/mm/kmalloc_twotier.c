/*
 * kmalloc_twotier.c - the kmalloc front of the TwoTier mode: every request
 * goes to the TwoTier engine (twotier.h): a slab object of the smallest
 * size class that holds it, or whole pages above the classes.  The
 * interface is kmalloc_front.h; argument checks and counting are
 * kmalloc.c's.
 */
#include "kmalloc_front.h"
#include "twotier.h"

void kmalloc_front_init(void)
{
	twotier_init();
}

const char *mm_mode_name(void)
{
	return "TwoTier";
}

int kmalloc_front_alloc(size_t size, size_t align, gfp_t flags, void **out,
			struct kmalloc_sizes *sz)
{
	return twotier_alloc(size, align, flags, out, sz);
}

int kmalloc_front_free(const void *p, struct kmalloc_sizes *sz)
{
	return twotier_free(p, sz);
}

int kmalloc_front_realloc(void *p, size_t size, gfp_t flags, void **out)
{
	int err = twotier_resize_in_place(p, size);

	if (err <= 0) {
		*out = err ? NULL : p;
		return err;
	}
	return kmalloc_front_move(p, twotier_usable_size(p), size, flags, twotier_alloc, out);
}

size_t kmalloc_front_usable_size(const void *p)
{
	return twotier_usable_size(p);
}

void kmalloc_front_sizes(const void *p, struct kmalloc_sizes *sz)
{
	twotier_sizes(p, sz);
}

void kmalloc_front_stats(struct mm_stats *st)
{
	twotier_stats(st);
}

size_t kmalloc_front_shrink(void)
{
	return twotier_shrink();
}
