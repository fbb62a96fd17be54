/*
 * bitmap_pa.c - first-fit page allocator over a bitmap (see bitmap_pa.h).
 *
 * Searches go a 64-bit word at a time: a word with nothing of interest is
 * skipped whole, and inside a word the lowest interesting bit is found by
 * arithmetic instead of a bit-by-bit loop.  The lowest-free hint lets the
 * common single-page allocation start where the last one ended instead of
 * rescanning the full words below it.
 */
#include "bitmap_pa.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "mm_misuse.h"

#define BITS_PER_WORD 64

static size_t words_for(size_t nbits)
{
	return nbits / BITS_PER_WORD + (nbits % BITS_PER_WORD != 0);
}

/*
 * Index of the lowest set bit of @w, which must not be 0.  Not
 * __builtin_ctzll(): on riscv64 without the Zbb extension GCC turns it
 * into a call to libgcc's __ctzdi2, and the kernel links no libgcc.
 * w & -w keeps only the lowest set bit; multiplying that power of two by a
 * de Bruijn constant leaves a distinct pattern in the top six bits for each
 * of the 64 positions, which the table maps back to the position.
 */
static unsigned int lowest_bit(uint64_t w)
{
	static const uint8_t debruijn_position[64] = {
		0, 1, 2, 53, 3, 7, 54, 27, 4, 38, 41, 8, 34, 55, 48, 28,
		62, 5, 39, 46, 44, 42, 22, 9, 24, 35, 59, 56, 49, 18, 29, 11,
		63, 52, 6, 26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
		51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
	};

	return debruijn_position[((w & -w) * 0x022fdd63cc95386dULL) >> 58];
}

static bool test_bit(const uint64_t *map, size_t i)
{
	return (map[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1;
}

/* Set (@set) or clear bits [@start, @start + @n), a word at a time. */
static void fill_bits(uint64_t *map, size_t start, size_t n, bool set)
{
	while (n) {
		size_t off = start % BITS_PER_WORD;
		size_t k = MIN(n, BITS_PER_WORD - off);
		uint64_t mask = (k == BITS_PER_WORD ? ~(uint64_t)0 : (((uint64_t)1 << k) - 1)) << off;

		if (set)
			map[start / BITS_PER_WORD] |= mask;
		else
			map[start / BITS_PER_WORD] &= ~mask;
		start += k;
		n -= k;
	}
}

/* First index in [@from, @limit) whose bit is @set, or @limit if none. */
static size_t find_next(const uint64_t *map, size_t from, size_t limit, bool set)
{
	while (from < limit) {
		size_t w = from / BITS_PER_WORD;
		uint64_t word = set ? map[w] : ~map[w];

		word &= ~(uint64_t)0 << (from % BITS_PER_WORD);
		if (word) {
			size_t i = w * BITS_PER_WORD + lowest_bit(word);

			return i < limit ? i : limit;
		}
		from = (w + 1) * BITS_PER_WORD;
	}
	return limit;
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
	/* bitmap, heads, tails */
	return 3 * words_for(npages) * sizeof(uint64_t);
}

void bitmap_pa_init(struct bitmap_pa *pa, uintptr_t base, size_t npages, void *meta)
{
	size_t words = words_for(npages);

	spin_lock_init(&pa->lock);
	pa->base = base;
	pa->npages = npages;
	pa->bitmap = meta;
	pa->heads = pa->bitmap + words;
	pa->tails = pa->heads + words;
	/*
	 * All ones: every page starts reserved, and so do the bits past the
	 * last page in the last word, which keeps searches from finding
	 * pages that do not exist.
	 */
	memset(pa->bitmap, 0xff, words * sizeof(uint64_t));
	memset(pa->heads, 0, 2 * words * sizeof(uint64_t));
	pa->free_pages = 0;
	pa->hint = npages;
	pa->counters = (struct alloc_counters){ 0 };
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

	spin_lock(&pa->lock);
	/* Count the pages that really change state, a run at a time. */
	for (used = find_next(pa->bitmap, i, end, true); used < end;) {
		size_t run_end = find_next(pa->bitmap, used, end, false);

		pa->free_pages += run_end - used;
		used = find_next(pa->bitmap, run_end, end, true);
	}
	fill_bits(pa->bitmap, i, npages, false);
	fill_bits(pa->heads, i, npages, false);
	fill_bits(pa->tails, i, npages, false);
	if (npages && i < pa->hint)
		pa->hint = i;
	spin_unlock(&pa->lock);
	return 0;
}

/*
 * Index of the lowest run of @n free pages whose page frame number is a
 * multiple of @align, or npages if there is none.  Called with the lock.
 */
static size_t find_free_run(const struct bitmap_pa *pa, size_t n, size_t align)
{
	size_t i = pa->hint;

	while (i < pa->npages) {
		size_t start = find_next(pa->bitmap, i, pa->npages, false);
		size_t skew, busy;

		if (start >= pa->npages)
			break;
		/* Distance to the next aligned frame; no overflow for any align. */
		skew = (0 - (base_pfn(pa) + start)) & (align - 1);
		/* Later candidates only start higher: if this one cannot fit, none can. */
		if (skew >= pa->npages - start || n > pa->npages - start - skew)
			break;
		start += skew;
		busy = find_next(pa->bitmap, start, start + n, true);
		if (busy == start + n)
			return start;
		i = busy + 1;
	}
	return pa->npages;
}

void *bitmap_pa_alloc_aligned(struct bitmap_pa *pa, size_t npages, size_t align_pages)
{
	void *addr = NULL;
	size_t start;

	spin_lock(&pa->lock);
	if (npages && npages <= pa->free_pages && align_pages &&
	    !(align_pages & (align_pages - 1))) {
		start = find_free_run(pa, npages, align_pages);
		if (start < pa->npages) {
			fill_bits(pa->bitmap, start, npages, true);
			fill_bits(pa->heads, start, 1, true);
			fill_bits(pa->tails, start + npages - 1, 1, true);
			pa->free_pages -= npages;
			/* Nothing was free below start, and now [start, start + n) is used. */
			if (start == pa->hint)
				pa->hint = start + npages;
			addr = (void *)page_addr(pa, start);
		}
	}
	if (addr)
		pa->counters.allocs++;
	else
		pa->counters.failures++;
	spin_unlock(&pa->lock);
	return addr;
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
	if (!test_bit(pa->heads, i))
		return KERR_BAD_PTR;
	if (!npages)
		return KERR_WRONG_SIZE;
	if (npages > pa->npages - i)
		return KERR_RANGE;
	/*
	 * The allocation ends at the first tail mark from its head: before
	 * the run's last page means the run is too long, none within the run
	 * means it is too short.
	 */
	if (find_next(pa->tails, i, i + npages, true) != i + npages - 1)
		return KERR_WRONG_SIZE;
	*index = i;
	return 0;
}

int bitmap_pa_free(struct bitmap_pa *pa, const void *addr, size_t npages)
{
	size_t i;
	int err;

	spin_lock(&pa->lock);
	err = check_free(pa, (uintptr_t)addr, npages, &i);
	if (!err) {
		fill_bits(pa->bitmap, i, npages, false);
		fill_bits(pa->heads, i, 1, false);
		fill_bits(pa->tails, i + npages - 1, 1, false);
		pa->free_pages += npages;
		if (i < pa->hint)
			pa->hint = i;
		pa->counters.frees++;
	} else {
		pa->counters.misuse++;
	}
	spin_unlock(&pa->lock);
	if (err)
		mm_report_misuse("bitmap_pa", err, addr);
	return err;
}

bool bitmap_pa_owns(const struct bitmap_pa *pa, const void *addr)
{
	size_t i;

	return span_holds(pa, (uintptr_t)addr, 1, &i);
}

size_t bitmap_pa_free_pages(struct bitmap_pa *pa)
{
	size_t n;

	spin_lock(&pa->lock);
	n = pa->free_pages;
	spin_unlock(&pa->lock);
	return n;
}

/* Next free run at or after @*from: its start in *@start, its end returned
 * (0 when there is none).  Called with the lock. */
static size_t next_free_run(const struct bitmap_pa *pa, size_t *from, size_t *start)
{
	size_t s = find_next(pa->bitmap, *from, pa->npages, false);
	size_t e;

	if (s >= pa->npages)
		return 0;
	e = find_next(pa->bitmap, s, pa->npages, true);
	*start = s;
	*from = e;
	return e;
}

size_t bitmap_pa_largest_free_run(struct bitmap_pa *pa)
{
	size_t from, start, end, best = 0;

	spin_lock(&pa->lock);
	from = pa->hint;
	while ((end = next_free_run(pa, &from, &start)))
		best = MAX(best, end - start);
	spin_unlock(&pa->lock);
	return best;
}

void bitmap_pa_nr_free(struct bitmap_pa *pa, size_t *nr_free, unsigned int max_order)
{
	size_t from, start, end;

	memset(nr_free, 0, ((size_t)max_order + 1) * sizeof(*nr_free));
	/* Blocks larger than 2^63 pages cannot exist; keeps the shifts defined. */
	if (max_order > 63)
		max_order = 63;

	spin_lock(&pa->lock);
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
	spin_unlock(&pa->lock);
}
