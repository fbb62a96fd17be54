/*
 * malloc.c - the C library's allocation API over the variant's kmalloc:
 * what makes libmmkit.so a drop-in malloc (LD_PRELOAD=.../libmmkit.so).
 *
 * glibc's semantics where the kernel API differs:
 *
 *   malloc(0)           a unique pointer (a 1-byte request), not NULL
 *   realloc(p, 0)       frees p, returns NULL; realloc(NULL, n) is malloc(n)
 *   failure             NULL with errno ENOMEM (kmalloc's failure report
 *                       is off: __GFP_NOWARN), also for a size above
 *                       PTRDIFF_MAX and a calloc() whose product overflows
 *   alignment           16 bytes for every request of more than 8 (glibc's
 *                       MALLOC_ALIGNMENT; C asks no more of a smaller one):
 *                       such a request is rounded up to a multiple of 16,
 *                       which the variant's classes serve 16-aligned - or,
 *                       for a class list where that does not hold, asked
 *                       of kmalloc_align_try() (checked once, at start)
 *   alignments          up to a page: kmalloc_align_try(); above a page: an
 *                       aligned page run, alloc_pages() of the order that
 *                       covers both size and alignment; posix_memalign() and
 *                       aligned_alloc() refuse an alignment that is not a
 *                       power of two with EINVAL (posix_memalign() also one
 *                       that is not a multiple of sizeof(void *)); memalign()
 *                       rounds one up to a power of two, as glibc does
 *   large requests      above the largest block the page allocator hands out
 *                       (4 KiB << BUDDY_MAX_ORDER; 4 MiB, the buddy default,
 *                       under the bitmap allocator; at most the largest power
 *                       of two in the arena): a direct mapping, counted
 *   malloc_usable_size  ksize(), or the own block's size; 0 for NULL
 *   free()              keeps errno (POSIX 2024)
 *
 * Misuse - a free of something that is not a live allocation - is refused
 * and reported on stderr by the layer that detects it, in the variant's
 * usual words ("mm: <layer>: <error> at <addr>"); a pointer outside the
 * arena that the library did not map itself is reported as "mm: preload:
 * EBADPTR at ...".  The program goes on, as the kernel would.
 *
 * The first call of any entry point brings the allocator up (mm_init())
 * under the lock, whenever it comes: from the dynamic loader, before any
 * constructor ran, or from dlsym().  Nothing on that path allocates.
 */
#define _GNU_SOURCE

/* The C library's declarations: each definition below is checked against its own. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "compiler.h"
#include "kerrno.h"
#include "kernel.h"
#include "mm.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "preload.h"

#define PUBLIC __attribute__((visibility("default")))

/* glibc's MALLOC_ALIGNMENT on 64-bit machines. */
#define MALLOC_ALIGN 16

#ifdef CONFIG_PAGE_ALLOC_BUDDY
#define BUDDY_BLOCK (PAGE_SIZE << CONFIG_BUDDY_MAX_ORDER)
#else
/* The bitmap allocator has no largest block: the buddy allocator's default one. */
#define BUDDY_BLOCK (PAGE_SIZE << 10)
#endif

/*
 * Requests above this are mapped directly: the largest block the page
 * allocator hands out, or the largest power of two in the arena if that
 * is smaller (BUDDY_MAX_ORDER 18 is a 1 GiB block, RAM_MB may be 512).
 * Set once at start (start_locked()).
 */
static size_t largest_block = BUDDY_BLOCK;
#define LARGEST_BLOCK largest_block

#define GFP (GFP_KERNEL | __GFP_NOWARN)

struct mmkit_preload_stats preload_counts;
static bool ready;
/* Does a request rounded up to a multiple of 16 always get a 16-aligned object? */
static bool round16;

/* ---- bring-up ------------------------------------------------------------------- */

static bool rounding_aligns(void)
{
#ifdef CONFIG_SLAB
	/* Objects are aligned to the largest power of two dividing their class. */
	for (size_t s = MALLOC_ALIGN; s <= 8 * PAGE_SIZE; s += MALLOC_ALIGN) {
		if (kmalloc_size_roundup(s) % MALLOC_ALIGN)
			return false;
	}
#endif
	/* SimpleHeap blocks are HEAP_MIN_ALIGN (16) aligned; whole pages are page aligned. */
	return true;
}

static __attribute__((noinline)) void start_locked(void)
{
	preload_boot_log_begin();
	mm_init();
	preload_boot_log_end();
	while (largest_block > PAGE_SIZE && largest_block > preload_arena_end - preload_arena_base)
		largest_block /= 2;
	round16 = rounding_aligns();
	preload_counts.arena_bytes = preload_arena_end - preload_arena_base;
	preload_counts.direct_threshold = LARGEST_BLOCK;
	ready = true;
}

static inline void enter(void)
{
	preload_lock();
	if (unlikely(!ready))
		start_locked();
}

bool preload_started(void)
{
	return __atomic_load_n(&ready, __ATOMIC_ACQUIRE);
}

/* ---- serving a request ----------------------------------------------------------- */

/* A request of at most LARGEST_BLOCK bytes with malloc's alignment; under the lock. */
static inline void *kmalloc_locked(size_t size, gfp_t flags)
{
	void *p;

	if (size <= KMALLOC_MIN_ALIGN)
		return kmalloc(size ? size : 1, flags);
	if (likely(round16))
		return kmalloc(ALIGN_UP(size, (size_t)MALLOC_ALIGN), flags);
	return kmalloc_align_try(size, MALLOC_ALIGN, flags, &p) ? NULL : p;
}

/* A direct mapping of @size bytes aligned to @align (a power of two); no lock held. */
static void *map_direct(size_t size, size_t align)
{
	size_t len = ALIGN_UP(size, PAGE_SIZE), span = len;
	uintptr_t raw, addr;
	void *m;

	if (align > PAGE_SIZE)
		span += align;
	if (len < size || span < len) {
		errno = ENOMEM;
		return NULL;
	}
	m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	raw = (uintptr_t)m;
	addr = ALIGN_UP(raw, (uintptr_t)(align > PAGE_SIZE ? align : PAGE_SIZE));
	if (addr > raw)
		munmap(m, addr - raw);
	if (raw + span > addr + len)
		munmap((void *)(addr + len), raw + span - (addr + len));
	enter();
	if (!own_insert(addr, len, OWN_MAPPING, 0)) {
		preload_unlock();
		munmap((void *)addr, len);
		errno = ENOMEM;
		return NULL;
	}
	preload_counts.direct_maps++;
	preload_counts.direct_live++;
	preload_counts.direct_bytes += len;
	if (preload_counts.direct_bytes > preload_counts.direct_peak_bytes)
		preload_counts.direct_peak_bytes = preload_counts.direct_bytes;
	preload_unlock();
	return (void *)addr;
}

/* The order of the smallest block of at least @bytes. */
static unsigned int order_for(size_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* An aligned page run (@align above a page); under the lock. */
static void *page_run_locked(size_t size, size_t align, gfp_t flags)
{
	unsigned int order = order_for(MAX(size, align));
	void *p = alloc_pages(order, flags);

	if (!p)
		return NULL;
	if (!own_insert((uintptr_t)p, PAGE_SIZE << order, OWN_RUN, order)) {
		free_pages(p, order);
		return NULL;
	}
	preload_counts.page_runs++;
	preload_counts.page_runs_live++;
	return p;
}

/* Any request: @align 0 or a power of two; @zero for calloc(). */
static void *serve(size_t size, size_t align, bool zero)
{
	gfp_t flags = GFP | (zero ? __GFP_ZERO : 0);
	void *p;

	if (size > PTRDIFF_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	/* Mapped memory comes zeroed from the kernel: calloc() need not clear it. */
	if (size > LARGEST_BLOCK || (align > PAGE_SIZE && MAX(size, align) > LARGEST_BLOCK))
		return map_direct(size, align);
	enter();
	if (align > PAGE_SIZE)
		p = page_run_locked(size, align, flags);
	else if (align > KMALLOC_MIN_ALIGN && (align > MALLOC_ALIGN || size <= KMALLOC_MIN_ALIGN))
		p = kmalloc_align_try(size ? size : 1, align, flags, &p) ? NULL : p;
	else
		p = kmalloc_locked(size, flags);
	preload_unlock();
	if (!p)
		errno = ENOMEM;
	return p;
}

/* ---- the blocks the library serves itself ---------------------------------------- */

/* Is @p one of our own blocks rather than kmalloc's?  Under the lock. */
static inline struct own_block *own_block_of(const void *p)
{
	if (likely(preload_in_arena(p)) && (likely(!own_runs_live) || !IS_ALIGNED((uintptr_t)p,
										     PAGE_SIZE)))
		return NULL;
	return own_find((uintptr_t)p);
}

/* Free own block @b; under the lock, which this drops. */
static void free_own_unlock(struct own_block *b)
{
	uintptr_t addr = b->addr;
	size_t bytes = b->bytes;

	if (b->kind == OWN_RUN) {
		free_pages((void *)addr, b->order);
		own_remove(b);
		preload_counts.page_runs_live--;
		preload_unlock();
		return;
	}
	own_remove(b);
	preload_counts.direct_live--;
	preload_counts.direct_bytes -= bytes;
	preload_unlock();
	munmap((void *)addr, bytes);
}

/* A free or realloc of a pointer that is neither kmalloc's nor ours; under the lock. */
static void report_foreign(const void *p)
{
	mm_report_misuse("preload", KERR_BAD_PTR, p);
}

/* realloc() by moving: a new block, the contents, the old one freed. */
static void *move(void *p, size_t old_bytes, size_t size)
{
	void *q = serve(size, 0, false);

	if (!q)
		return NULL;
	memcpy(q, p, MIN(old_bytes, size));
	free(p);
	return q;
}

/* ---- the API -------------------------------------------------------------------------- */

PUBLIC void *malloc(size_t size)
{
	void *p;

	if (unlikely(size > LARGEST_BLOCK))
		return serve(size, 0, false);
	enter();
	p = kmalloc_locked(size, GFP);
	preload_unlock();
	if (unlikely(!p))
		errno = ENOMEM;
	return p;
}

PUBLIC void free(void *p)
{
	struct own_block *b;
	int saved;

	if (!p)
		return;
	saved = errno;
	enter();
	b = own_block_of(p);
	if (likely(!b)) {
		if (likely(preload_in_arena(p)))
			kfree(p);
		else
			report_foreign(p);
		preload_unlock();
	} else {
		free_own_unlock(b);
	}
	errno = saved;
}

PUBLIC void *calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	if (unlikely(bytes > LARGEST_BLOCK))
		return serve(bytes, 0, true);
	enter();
	p = kmalloc_locked(bytes, GFP | __GFP_ZERO);
	preload_unlock();
	if (unlikely(!p))
		errno = ENOMEM;
	return p;
}

PUBLIC void *realloc(void *p, size_t size)
{
	struct own_block *b;
	size_t old;
	void *q;

	if (!p)
		return malloc(size);
	if (!size) {
		free(p);
		return NULL;
	}
	if (size > PTRDIFF_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	enter();
	b = own_block_of(p);
	if (likely(!b) && likely(preload_in_arena(p))) {
		if (likely(size <= LARGEST_BLOCK && (size <= KMALLOC_MIN_ALIGN || round16))) {
			q = krealloc(p, size <= KMALLOC_MIN_ALIGN ? size :
				     ALIGN_UP(size, (size_t)MALLOC_ALIGN), GFP);
			preload_unlock();
			if (unlikely(!q))
				errno = ENOMEM;
			return q;
		}
		old = ksize(p);
		if (!old) {
			report_foreign(p);
			preload_unlock();
			errno = EINVAL;
			return NULL;
		}
		preload_unlock();
		return move(p, old, size);
	}
	if (!b) {
		report_foreign(p);
		preload_unlock();
		errno = EINVAL;
		return NULL;
	}
	if (b->kind == OWN_MAPPING && size > LARGEST_BLOCK) {
		size_t len = ALIGN_UP(size, PAGE_SIZE), was = b->bytes;

		if (len != was) {
			q = mremap(p, was, len, MREMAP_MAYMOVE);
			if (q == MAP_FAILED) {
				preload_unlock();
				errno = ENOMEM;
				return NULL;
			}
			/* One out, one in: the table cannot need to grow. */
			own_remove(b);
			own_insert((uintptr_t)q, len, OWN_MAPPING, 0);
			preload_counts.direct_bytes += len - was;
			if (preload_counts.direct_bytes > preload_counts.direct_peak_bytes)
				preload_counts.direct_peak_bytes = preload_counts.direct_bytes;
			p = q;
		}
		preload_unlock();
		return p;
	}
	old = b->bytes;
	preload_unlock();
	return move(p, old, size);
}

/* memalign() and friends; @align a power of two. */
static void *aligned(size_t align, size_t size)
{
	if (align <= KMALLOC_MIN_ALIGN)
		return malloc(size);
	return serve(size, align, false);
}

static bool power_of_two(size_t x)
{
	return x && !(x & (x - 1));
}

PUBLIC int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	p = aligned(align, size);
	if (!p) {
		errno = saved;
		return ENOMEM;
	}
	*out = p;
	return 0;
}

PUBLIC void *aligned_alloc(size_t align, size_t size)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, size);
}

PUBLIC void *memalign(size_t align, size_t size)
{
	if (align > SIZE_MAX / 2 + 1) {
		errno = EINVAL;
		return NULL;
	}
	/* glibc takes any alignment here, rounded up to a power of two. */
	while (align & (align - 1))
		align = (align | (align - 1)) + 1;
	return aligned(align, size);
}

PUBLIC void *valloc(size_t size)
{
	return aligned(PAGE_SIZE, size);
}

PUBLIC void *pvalloc(size_t size)
{
	size_t rounded = ALIGN_UP(size ? size : 1, PAGE_SIZE);

	if (rounded < size) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(PAGE_SIZE, rounded);
}

PUBLIC size_t malloc_usable_size(void *p)
{
	struct own_block *b;
	size_t n;

	if (!p)
		return 0;
	enter();
	b = own_block_of(p);
	n = b ? b->bytes : preload_in_arena(p) ? ksize(p) : 0;
	preload_unlock();
	return n;
}

PUBLIC size_t mmkit_preload_stats(struct mmkit_preload_stats *out, size_t size)
{
	struct mmkit_preload_stats st;
	struct mm_stats mm;

	enter();
	mm_get_stats(&mm);
	st = preload_counts;
	st.kmalloc_live = mm.live_objects;
	st.kmalloc_failures = mm.counters.failures;
	st.misuse = mm_misuse_total();
	preload_unlock();
	memcpy(out, &st, MIN(size, sizeof(st)));
	return sizeof(st);
}
