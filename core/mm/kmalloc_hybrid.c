/*
 * kmalloc_hybrid.c - the kmalloc front of the Hybrid mode: the TwoTier
 * engine first (twotier.h); a request it cannot serve (no page for a new
 * slab or for a large allocation) is tried in the SimpleHeap region
 * (heap_region.h).  Frees, ksize() and in-place reallocs route by
 * address, so memory from one mode can be freed in another.
 * mm_set_mode() switches where new allocations go, for experiments.
 */
#include "heap_region.h"
#include "kerrno.h"
#include "kmalloc_front.h"
#include "twotier.h"

/* enum mm_hybrid_mode; read on every allocation, so accessed atomically. */
int mm_hybrid_mode = MM_MODE_HYBRID;

void kmalloc_front_init(void)
{
	heap_region_init("Hybrid");
	twotier_init();
}

const char *mm_mode_name(void)
{
	return "Hybrid";
}

int mm_set_mode(enum mm_hybrid_mode mode)
{
	if (mode != MM_MODE_HYBRID && mode != MM_MODE_TWOTIER_ONLY && mode != MM_MODE_HEAP_ONLY)
		return KERR_INVAL;
	__atomic_store_n(&mm_hybrid_mode, (int)mode, __ATOMIC_RELAXED);
	return 0;
}

enum mm_hybrid_mode mm_get_mode(void)
{
	return (enum mm_hybrid_mode)__atomic_load_n(&mm_hybrid_mode, __ATOMIC_RELAXED);
}

int kmalloc_front_alloc(size_t size, size_t align, gfp_t flags, void **out,
			struct kmalloc_sizes *sz)
{
	enum mm_hybrid_mode mode = mm_get_mode();
	int err = KERR_NOMEM;

	if (mode != MM_MODE_HEAP_ONLY) {
		err = twotier_alloc(size, align, flags, out, sz);
		if (!err || mode == MM_MODE_TWOTIER_ONLY)
			return err;
	}
	return heap_region_alloc(size, align, out, sz);
}

int kmalloc_front_free(const void *p, struct kmalloc_sizes *sz)
{
	if (heap_region_contains(p))
		return heap_region_free(p, sz);
	return twotier_free(p, sz);
}

int kmalloc_front_realloc(void *p, size_t size, gfp_t flags, void **out)
{
	int err;

	if (heap_region_contains(p)) {
		/*
		 * The heap resizes in place when it can, else moves within the
		 * region: allowed unless the region is closed to new memory, in
		 * which case only a shrink (always in place) stays there.  A
		 * @p that is not live is refused by the heap either way.
		 */
		if (mm_get_mode() != MM_MODE_TWOTIER_ONLY ||
		    size <= heap_usable_size(&kmalloc_heap, p)) {
			err = heap_realloc_try(&kmalloc_heap, p, size, out);
			if (err != KERR_NOMEM)
				return err;
		}
		return kmalloc_front_move(p, heap_usable_size(&kmalloc_heap, p), size, flags,
					  kmalloc_front_alloc, out);
	}
	err = twotier_resize_in_place(p, size);
	if (err <= 0) {
		*out = err ? NULL : p;
		return err;
	}
	return kmalloc_front_move(p, twotier_usable_size(p), size, flags, kmalloc_front_alloc,
				  out);
}

size_t kmalloc_front_usable_size(const void *p)
{
	if (heap_region_contains(p))
		return heap_usable_size(&kmalloc_heap, p);
	return twotier_usable_size(p);
}

void kmalloc_front_sizes(const void *p, struct kmalloc_sizes *sz)
{
	if (heap_region_contains(p))
		heap_region_sizes(p, sz);
	else
		twotier_sizes(p, sz);
}

void kmalloc_front_stats(struct mm_stats *st)
{
	heap_region_stats(st);
	twotier_stats(st);
}

size_t kmalloc_front_shrink(void)
{
	return twotier_shrink();
}
