/*
 * bitmap_pa.c - first-fit page allocator over a bitmap (see bitmap_pa.h).
 *
 * Searches go a word at a time (bitops.h).  The lowest-free hint lets the
 * common single-page allocation start where the last one ended instead of
 * rescanning the full words below it.
 */
#include "bitmap_pa.h"
#include "bitops.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "lazy_memmap.h"
#include "mm_misuse.h"
#include "percpu.h"

static size_t words_for(size_t nbits)
{
	return BITMAP_WORDS(nbits);
}

static size_t base_pfn(const struct bitmap_pa *pa)
{
	return pa->base >> PAGE_SHIFT;
}

static uintptr_t page_addr(const struct bitmap_pa *pa, size_t i)
{
	return pa->base + ((uintptr_t)i << PAGE_SHIFT);
}

/* Does [@addr, @addr + @npages pages) lie inside the span?  Sets *@index. */
static bool span_holds(const struct bitmap_pa *pa, uintptr_t addr, size_t npages, size_t *index)
{
	size_t i;

	if (addr < pa->base)
		return false;
	i = (addr - pa->base) >> PAGE_SHIFT;
	if (i >= pa->npages || npages > pa->npages - i)
		return false;
	*index = i;
	return true;
}

size_t bitmap_pa_meta_size(size_t npages)
{
	return words_for(npages) * sizeof(unsigned long);
}

void bitmap_pa_init(struct bitmap_pa *pa, uintptr_t base, size_t npages,
		    struct page *map, void *meta)
{
	pa->base = base;
	pa->npages = npages;
	pa->bitmap = meta;
	pa->map = map;
	/*
	 * All ones: every page starts reserved, and so do the bits past the
	 * last page in the last word, which keeps searches from finding
	 * pages that do not exist.
	 */
	memset(pa->bitmap, 0xff, words_for(npages) * sizeof(unsigned long));
	/* Lazy: the descriptors start zeroed, PA_RESERVED (lazy_memmap.h). */
	for (size_t i = 0; !LAZY_MEMMAP && i < npages; i++) {
		map[i].pa_state = PA_RESERVED;
		map[i].npages = 0;
	}
	WRITE_ONCE(pa->free_pages, 0);
	pa->hint = npages;
}

int bitmap_pa_release(struct bitmap_pa *pa, uintptr_t addr, size_t npages)
{
	size_t i, end, used;

	if (addr & (PAGE_SIZE - 1))
		return KERR_BAD_PTR;
	if (!npages)
		return 0;
	if (!span_holds(pa, addr, npages, &i))
		return KERR_RANGE;
	/* NULL means "no memory", so the page at address 0 is never handed out. */
	if (addr == 0) {
		i++;
		npages--;
	}
	end = i + npages;

	/* Count the pages that really change state, a run at a time. */
	for (used = bitmap_find_next(pa->bitmap, i, end, true); used < end;) {
		size_t run_end = bitmap_find_next(pa->bitmap, used, end, false);

		WRITE_ONCE(pa->free_pages, pa->free_pages + run_end - used);
		used = bitmap_find_next(pa->bitmap, run_end, end, true);
	}
	bitmap_fill(pa->bitmap, i, npages, false);
	for (size_t k = i; k < end; k++) {
		pa->map[k].pa_state = PA_FREE;
		pa->map[k].npages = 0;
	}
	if (npages && i < pa->hint)
		pa->hint = i;
	return 0;
}

/*
 * Index of the lowest run of @n free pages whose page frame number is a
 * multiple of @align, or npages if there is none.
 */
static size_t find_free_run(const struct bitmap_pa *pa, size_t n, size_t align)
{
	size_t i = pa->hint;

	while (i < pa->npages) {
		size_t start = bitmap_find_next(pa->bitmap, i, pa->npages, false);
		size_t skew, busy;

		if (start >= pa->npages)
			break;
		/* Distance to the next aligned frame; no overflow for any align. */
		skew = (0 - (base_pfn(pa) + start)) & (align - 1);
		/* Later candidates only start higher: if this one cannot fit, none can. */
		if (skew >= pa->npages - start || n > pa->npages - start - skew)
			break;
		start += skew;
		busy = bitmap_find_next(pa->bitmap, start, start + n, true);
		if (busy == start + n)
			return start;
		i = busy + 1;
	}
	return pa->npages;
}

void *bitmap_pa_alloc_aligned(struct bitmap_pa *pa, size_t npages, size_t align_pages)
{
	size_t start;

	/* The head records the length in 32 bits, as every descriptor does. */
	if (!npages || npages > pa->free_pages || npages > UINT32_MAX || !align_pages ||
	    (align_pages & (align_pages - 1)))
		return NULL;
	start = find_free_run(pa, npages, align_pages);
	if (start >= pa->npages)
		return NULL;
	bitmap_fill(pa->bitmap, start, npages, true);
	pa->map[start].pa_state = PA_ALLOC;
	pa->map[start].npages = (uint32_t)npages;
	WRITE_ONCE(pa->free_pages, pa->free_pages - npages);
	/* Nothing was free below start, and now [start, start + n) is used. */
	if (start == pa->hint)
		pa->hint = start + npages;
	return (void *)page_addr(pa, start);
}

void *bitmap_pa_alloc(struct bitmap_pa *pa, size_t npages)
{
	return bitmap_pa_alloc_aligned(pa, npages, 1);
}

/*
 * Is [@addr, @addr + @npages pages) exactly one live allocation?  0 and
 * *@index set, or the error.  Checks everything before the caller changes
 * anything, so that a refused free leaves no trace.
 */
static int check_free(const struct bitmap_pa *pa, uintptr_t addr, size_t npages, size_t *index)
{
	size_t i;

	if (addr & (PAGE_SIZE - 1))
		return KERR_BAD_PTR;
	if (!span_holds(pa, addr, 1, &i))
		return KERR_RANGE;
	if (!test_bit(pa->bitmap, i))
		return KERR_DOUBLE_FREE;
	/* In use but not where an allocation starts: an interior or reserved page. */
	if (pa->map[i].pa_state != PA_ALLOC)
		return KERR_BAD_PTR;
	if (npages > pa->npages - i)
		return KERR_RANGE;
	if (npages != pa->map[i].npages)
		return KERR_WRONG_SIZE;
	*index = i;
	return 0;
}

/* check_free(), a refusal reported as misuse: what a free and a split both do. */
static int check_free_reported(const struct bitmap_pa *pa, const void *addr, size_t npages,
			       size_t *index)
{
	int err = check_free(pa, (uintptr_t)addr, npages, index);

	if (err)
		mm_report_misuse("bitmap_pa", err, addr);
	return err;
}

int bitmap_pa_free(struct bitmap_pa *pa, const void *addr, size_t npages)
{
	size_t i;
	int err = check_free_reported(pa, addr, npages, &i);

	if (err)
		return err;
	bitmap_fill(pa->bitmap, i, npages, false);
	pa->map[i].pa_state = PA_FREE;
	pa->map[i].npages = 0;
	WRITE_ONCE(pa->free_pages, pa->free_pages + npages);
	if (i < pa->hint)
		pa->hint = i;
	return 0;
}

int bitmap_pa_split(struct bitmap_pa *pa, const void *addr, size_t npages)
{
	size_t i;
	int err = check_free_reported(pa, addr, npages, &i);

	if (err)
		return err;
	/* The bits stay set: only the heads say where allocations start. */
	for (size_t k = i; k < i + npages; k++) {
		pa->map[k].pa_state = PA_ALLOC;
		pa->map[k].npages = 1;
	}
	return 0;
}

bool bitmap_pa_owns(const struct bitmap_pa *pa, const void *addr)
{
	size_t i;

	return span_holds(pa, (uintptr_t)addr, 1, &i);
}

/* Next free run at or after @*from: its start in *@start, its end returned
 * (0 when there is none). */
static size_t next_free_run(const struct bitmap_pa *pa, size_t *from, size_t *start)
{
	size_t s = bitmap_find_next(pa->bitmap, *from, pa->npages, false);
	size_t e;

	if (s >= pa->npages)
		return 0;
	e = bitmap_find_next(pa->bitmap, s, pa->npages, true);
	*start = s;
	*from = e;
	return e;
}

size_t bitmap_pa_largest_free_run(const struct bitmap_pa *pa)
{
	size_t from = pa->hint, start, end, best = 0;

	while ((end = next_free_run(pa, &from, &start)))
		best = MAX(best, end - start);
	return best;
}

void bitmap_pa_nr_free(const struct bitmap_pa *pa, size_t *nr_free, unsigned int max_order)
{
	size_t from, start, end;

	memset(nr_free, 0, ((size_t)max_order + 1) * sizeof(*nr_free));
	/* Blocks larger than 2^63 pages cannot exist; keeps the shifts defined. */
	if (max_order > 63)
		max_order = 63;

	from = pa->hint;
	while ((end = next_free_run(pa, &from, &start))) {
		while (start < end) {
			size_t pfn = base_pfn(pa) + start;
			/* The largest block that starts here is as aligned as pfn... */
			unsigned int order = pfn ? MIN(lowest_bit(pfn), max_order) : max_order;

			/* ...and no longer than what is left of the run. */
			while (((size_t)1 << order) > end - start)
				order--;
			nr_free[order]++;
			start += (size_t)1 << order;
		}
	}
}
