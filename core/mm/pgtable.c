/*
 * pgtable.c - the page-table walker every arch's arch_map() is built on
 * (pgtable.h).
 *
 * Entries are written with release stores: a CPU walking the tables while
 * another links a new table must see the table's zeroes before the link.
 * Tables unlinked under the lock are kept on a private list (chained
 * through their first entry, which is zero by then) until the lock is
 * dropped and the range is flushed; only then do they go back to the page
 * allocator.
 */
#include "kerrno.h"
#include "kernel.h"
#include "page_alloc.h"
#include "pgtable.h"
#include "tlbflush.h"

#define PROT_ALL (ARCH_PROT_READ | ARCH_PROT_WRITE | ARCH_PROT_EXEC | ARCH_PROT_DEVICE)

/* What an operation leaves to do once the lock is dropped. */
struct pt_batch {
	pte_t *freelist;	/* unlinked tables, chained through entry 0 */
	uintptr_t flush_lo, flush_hi;
	bool flush;
};

static pte_t *table_at(uintptr_t pa)
{
	return (pte_t *)pa;
}

static unsigned int index_of(uintptr_t va, unsigned int level)
{
	return (unsigned int)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

static pte_t load_entry(const pte_t *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED);
}

static void store_entry(pte_t *e, pte_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

/* Level of a leaf of @size bytes; PT_MAX_LEVELS if none. */
static unsigned int level_of(size_t size)
{
	for (unsigned int l = 0; l < PT_MAX_LEVELS; l++) {
		if (size == PT_LEVEL_SIZE(l))
			return l;
	}
	return PT_MAX_LEVELS;
}

static bool leaf_level_ok(const struct pt *pt, unsigned int level)
{
	return level < pt->fmt->levels && ((pt->leaf_levels >> level) & 1u);
}

bool pt_page_size_ok(const struct pt *pt, size_t size)
{
	return leaf_level_ok(pt, level_of(size));
}

/*
 * The entry counter of a table from the page allocator; NULL for a boot
 * table, which is never freed and so needs no count.
 */
static struct page *counted(pte_t *table)
{
	struct page *pg = virt_to_page(table);

	return pg && (pg->flags & PG_PGTABLE) ? pg : NULL;
}

static void table_get(pte_t *table)
{
	struct page *pg = counted(table);

	if (pg)
		pg->pt_entries++;
}

/* One entry fewer; true when @table is now empty and may be freed. */
static bool table_put(pte_t *table)
{
	struct page *pg = counted(table);

	return pg && --pg->pt_entries == 0;
}

static pte_t *alloc_table(struct pt *pt)
{
	pte_t *t;
	struct page *pg;

	if (pt->boot_alloc) {
		t = table_at(pt->boot_alloc());
		if (t)
			pt->stats.boot_pages++;
		return t;
	}
	t = alloc_pages(0, __GFP_ZERO);
	if (!t)
		return NULL;
	pg = virt_to_page(t);
	pg->flags |= PG_PGTABLE;
	pg->pt_entries = 0;
	pt->stats.table_pages++;
	pt->stats.tables_allocated++;
	return t;
}

static void batch_flush(struct pt_batch *b, uintptr_t lo, uintptr_t hi)
{
	if (!b->flush) {
		b->flush_lo = lo;
		b->flush_hi = hi;
		b->flush = true;
		return;
	}
	b->flush_lo = MIN(b->flush_lo, lo);
	b->flush_hi = MAX(b->flush_hi, hi);
}

/*
 * @path[@level] has just lost an entry and is empty (table_put() said so):
 * unlink it and every table above it that empties in turn, the root
 * excepted, onto @b's list.  The range each covered joins the flush, so
 * that no CPU keeps a cached link to it.
 */
static void prune(struct pt *pt, pte_t *const *path, unsigned int level, uintptr_t va,
		  struct pt_batch *b)
{
	for (unsigned int l = level; l + 1 < pt->fmt->levels; l++) {
		pte_t *t = path[l];
		uintptr_t span = PT_LEVEL_SIZE(l + 1);
		bool parent_empty;

		store_entry(&path[l + 1][index_of(va, l + 1)], 0);
		parent_empty = table_put(path[l + 1]);
		t[0] = (pte_t)(uintptr_t)b->freelist;
		b->freelist = t;
		batch_flush(b, ALIGN_DOWN(va, span), ALIGN_DOWN(va, span) + span);
		if (!parent_empty)
			return;
	}
}

/* Flush what @b collected, then free its tables.  The lock is not held. */
static void batch_finish(struct pt *pt, struct pt_batch *b)
{
	if (b->flush)
		flush_tlb_kernel_range(b->flush_lo, b->flush_hi - b->flush_lo);
	while (b->freelist) {
		pte_t *t = b->freelist;
		struct page *pg = virt_to_page(t);

		b->freelist = (pte_t *)(uintptr_t)t[0];
		t[0] = 0;
		pg->flags &= ~PG_PGTABLE;
		pg->pt_entries = 0;
		free_pages(t, 0);
		spin_lock(&pt->lock);
		pt->stats.table_pages--;
		pt->stats.tables_freed++;
		spin_unlock(&pt->lock);
	}
}

/*
 * The leaf that maps @va: its entry, level and table path; false if @va is
 * not mapped.  Lock held.
 */
static bool find_leaf(const struct pt *pt, uintptr_t va, pte_t *entry, unsigned int *level)
{
	const struct pt_format *f = pt->fmt;
	pte_t *t = pt->root;

	if (!f->va_ok(va))
		return false;
	for (unsigned int l = f->levels; l-- > 0;) {
		pte_t e = load_entry(&t[index_of(va, l)]);

		if (!f->present(e))
			return false;
		if (f->is_leaf(e, l)) {
			*entry = e;
			*level = l;
			return true;
		}
		if (l == 0)
			return false;	/* a level-0 entry is always a leaf: corrupt */
		t = table_at(f->entry_pa(e, l));
	}
	return false;
}

int pt_init(struct pt *pt, const struct pt_format *fmt, unsigned int leaf_levels,
	    uintptr_t pa_limit, uintptr_t (*boot_alloc)(void))
{
	*pt = (struct pt){
		.fmt = fmt,
		.leaf_levels = leaf_levels,
		.pa_limit = pa_limit,
		.boot_alloc = boot_alloc,
		.lock = SPINLOCK_INIT,
	};
	pt->root = alloc_table(pt);
	return pt->root ? 0 : KERR_NOMEM;
}

void pt_boot_done(struct pt *pt)
{
	spin_lock(&pt->lock);
	pt->boot_alloc = NULL;
	spin_unlock(&pt->lock);
}

/*
 * Put one leaf of @level at @va, making the tables on the way.  On
 * failure, tables this call made and left empty are pruned onto @b.
 * Lock held.
 */
static int map_one(struct pt *pt, uintptr_t va, uintptr_t pa, unsigned int level,
		   unsigned int prot, struct pt_batch *b)
{
	const struct pt_format *f = pt->fmt;
	pte_t *path[PT_MAX_LEVELS];
	pte_t *t = pt->root;
	unsigned int l = f->levels - 1;
	pte_t *e;
	int err;

	for (;; l--) {
		pte_t cur;

		path[l] = t;
		e = &t[index_of(va, l)];
		if (l == level)
			break;
		cur = load_entry(e);
		if (!f->present(cur)) {
			pte_t *child = alloc_table(pt);

			if (!child) {
				err = KERR_NOMEM;
				goto undo;
			}
			store_entry(e, f->mk_table((uintptr_t)child));
			table_get(t);
			t = child;
		} else if (f->is_leaf(cur, l)) {
			err = KERR_EXIST;
			goto undo;
		} else {
			t = table_at(f->entry_pa(cur, l));
		}
	}
	if (f->present(load_entry(e))) {
		err = KERR_EXIST;
		goto undo;
	}
	store_entry(e, f->mk_leaf(pa, level, prot));
	table_get(t);
	return 0;

undo:
	/* path[l] is the deepest table reached; only a table made here can be empty. */
	if (l + 1 < f->levels && counted(path[l]) && counted(path[l])->pt_entries == 0)
		prune(pt, path, l, va, b);
	return err;
}

int pt_map(struct pt *pt, uintptr_t va, uintptr_t pa, size_t size, size_t page_size,
	   unsigned int prot)
{
	unsigned int level = level_of(page_size);
	struct pt_batch b = { 0 };
	uintptr_t last = va + size - 1;
	size_t off = 0;
	int err = 0;

	if (!leaf_level_ok(pt, level) || size == 0)
		return KERR_INVAL;
	if (!(prot & ARCH_PROT_READ) || (prot & ~PROT_ALL) ||
	    ((prot & ARCH_PROT_WRITE) && (prot & ARCH_PROT_EXEC)))
		return KERR_INVAL;
	if ((va | pa | size) & (page_size - 1))
		return KERR_ALIGN;
	/* Both ends canonical and on the same side of the hole between the halves. */
	if (last < va || !pt->fmt->va_ok(va) || !pt->fmt->va_ok(last) || ((va ^ last) >> 63))
		return KERR_RANGE;
	if (pa + size < pa || pa + size > pt->pa_limit)
		return KERR_RANGE;

	spin_lock(&pt->lock);
	for (; off < size; off += page_size) {
		err = map_one(pt, va + off, pa + off, level, prot, &b);
		if (err)
			break;
	}
	spin_unlock(&pt->lock);
	batch_finish(pt, &b);
	if (err) {
		/* Take back what this call mapped; it empties the tables it made. */
		if (off)
			pt_unmap(pt, va, off);
		return err;
	}
	if (pt->fmt->flush_on_map)
		flush_tlb_kernel_range(va, size);
	return 0;
}

/*
 * Make the tables down to the level-0 table that maps @va, and count one
 * more entry in that table than it holds - a pin, so that unmapping its
 * last leaf does not empty it and it stays until the kernel stops.  On
 * failure, tables this call made and left empty are pruned onto @b.
 * Lock held.
 */
static int pin_one(struct pt *pt, uintptr_t va, struct pt_batch *b)
{
	const struct pt_format *f = pt->fmt;
	pte_t *path[PT_MAX_LEVELS];
	pte_t *t = pt->root;
	unsigned int l = f->levels - 1;

	for (; l > 0; l--) {
		pte_t *e = &t[index_of(va, l)];
		pte_t cur = load_entry(e);

		path[l] = t;
		if (!f->present(cur)) {
			pte_t *child = alloc_table(pt);

			if (!child)
				goto undo;
			store_entry(e, f->mk_table((uintptr_t)child));
			table_get(t);
			t = child;
		} else if (f->is_leaf(cur, l)) {
			return KERR_EXIST;	/* a large leaf: nothing below it to pin */
		} else {
			t = table_at(f->entry_pa(cur, l));
		}
	}
	table_get(t);
	return 0;

undo:
	if (l + 1 < f->levels && counted(path[l]) && counted(path[l])->pt_entries == 0)
		prune(pt, path, l, va, b);
	return KERR_NOMEM;
}

/* pt_prepare()'s and pt_release()'s checks of their range: 0 or the error. */
static int prepare_range_error(const struct pt *pt, uintptr_t va, size_t size)
{
	uintptr_t last = va + size - 1;

	if ((va | size) & (PAGE_SIZE_4K - 1))
		return KERR_ALIGN;
	if (size == 0)
		return KERR_INVAL;
	if (last < va || !pt->fmt->va_ok(va) || !pt->fmt->va_ok(last) || ((va ^ last) >> 63))
		return KERR_RANGE;
	return 0;
}

int pt_prepare(struct pt *pt, uintptr_t va, size_t size)
{
	const uintptr_t span = PT_LEVEL_SIZE(1);
	struct pt_batch b = { 0 };
	uintptr_t last = va + size - 1, a;
	int err = prepare_range_error(pt, va, size);

	if (err)
		return err;
	spin_lock(&pt->lock);
	for (a = ALIGN_DOWN(va, span); a <= last; a += span) {
		err = pin_one(pt, a, &b);
		if (err || a + span < a)
			break;
	}
	spin_unlock(&pt->lock);
	batch_finish(pt, &b);
	/* Nothing half done: the pins taken before the failure go again. */
	if (err && a > ALIGN_DOWN(va, span))
		BUG_ON(pt_release(pt, ALIGN_DOWN(va, span), a - ALIGN_DOWN(va, span)) != 0);
	return err;
}

/*
 * Take back the pin of the level-0 table that maps @va; prune it (and the
 * tables above it that empty in turn) onto @b if it is empty now.
 * KERR_INVAL if no level-0 table maps @va.  Lock held.
 */
static int unpin_one(struct pt *pt, uintptr_t va, struct pt_batch *b)
{
	const struct pt_format *f = pt->fmt;
	pte_t *path[PT_MAX_LEVELS];
	pte_t *t = pt->root;

	for (unsigned int l = f->levels - 1; l > 0; l--) {
		pte_t cur = load_entry(&t[index_of(va, l)]);

		path[l] = t;
		if (!f->present(cur) || f->is_leaf(cur, l))
			return KERR_INVAL;
		t = table_at(f->entry_pa(cur, l));
	}
	path[0] = t;
	if (table_put(t))
		prune(pt, path, 0, va, b);
	return 0;
}

int pt_release(struct pt *pt, uintptr_t va, size_t size)
{
	const uintptr_t span = PT_LEVEL_SIZE(1);
	struct pt_batch b = { 0 };
	uintptr_t last = va + size - 1;
	int err = prepare_range_error(pt, va, size);

	if (err)
		return err;
	spin_lock(&pt->lock);
	for (uintptr_t a = ALIGN_DOWN(va, span); a <= last && !err; a += span) {
		err = unpin_one(pt, a, &b);
		if (a + span < a)
			break;
	}
	spin_unlock(&pt->lock);
	batch_finish(pt, &b);
	return err;
}

/* Does a leaf cross @boundary (cover bytes on both sides of it)?  Lock held. */
static bool leaf_straddles(const struct pt *pt, uintptr_t boundary)
{
	pte_t e;
	unsigned int l;

	if (!find_leaf(pt, boundary, &e, &l))
		return false;
	return !IS_ALIGNED(boundary, PT_LEVEL_SIZE(l));
}

int pt_unmap(struct pt *pt, uintptr_t va, size_t size)
{
	const struct pt_format *f = pt->fmt;
	/* The first address of the upper half: where the hole between the halves ends. */
	const uintptr_t upper = (uintptr_t)0 - ((uintptr_t)1 << (PT_LEVEL_SHIFT(f->levels) - 1));
	struct pt_batch b = { 0 };
	uintptr_t last = va + size - 1, a = va;

	if ((va | size) & (PAGE_SIZE_4K - 1))
		return KERR_ALIGN;
	if (size == 0)
		return 0;
	if (last < va)
		return KERR_RANGE;

	spin_lock(&pt->lock);
	/* Only the leaves at the two ends can reach outside the range. */
	if (leaf_straddles(pt, va) || leaf_straddles(pt, last + 1)) {
		spin_unlock(&pt->lock);
		return KERR_INVAL;
	}
	for (;;) {
		pte_t *path[PT_MAX_LEVELS];
		pte_t *t = pt->root;
		uintptr_t next = upper;	/* from inside the hole, where mappings start again */

		for (unsigned int l = f->va_ok(a) ? f->levels : 0; l-- > 0;) {
			pte_t *e = &t[index_of(a, l)];
			pte_t cur = load_entry(e);

			path[l] = t;
			if (!f->present(cur)) {
				next = ALIGN_DOWN(a, PT_LEVEL_SIZE(l)) + PT_LEVEL_SIZE(l);
				break;
			}
			if (l == 0 || f->is_leaf(cur, l)) {
				store_entry(e, 0);
				batch_flush(&b, a, a + PT_LEVEL_SIZE(l));
				if (table_put(t))
					prune(pt, path, l, a, &b);
				next = a + PT_LEVEL_SIZE(l);
				break;
			}
			t = table_at(f->entry_pa(cur, l));
		}
		/* next <= a: wrapped past the top of the address space. */
		if (next <= a || next > last)
			break;
		a = next;
	}
	spin_unlock(&pt->lock);
	batch_finish(pt, &b);
	return 0;
}

int pt_translate(struct pt *pt, uintptr_t va, uintptr_t *pa, size_t *page_size,
		 unsigned int *prot)
{
	pte_t e;
	unsigned int l;
	bool found;

	spin_lock(&pt->lock);
	found = find_leaf(pt, va, &e, &l);
	spin_unlock(&pt->lock);
	if (!found)
		return KERR_FAULT;
	if (pa)
		*pa = pt->fmt->entry_pa(e, l) + (va & (PT_LEVEL_SIZE(l) - 1));
	if (page_size)
		*page_size = PT_LEVEL_SIZE(l);
	if (prot)
		*prot = pt->fmt->entry_prot(e);
	return 0;
}

int pt_map_identity(struct pt *pt, uintptr_t base, uintptr_t end, unsigned int prot)
{
	uintptr_t a = ALIGN_DOWN(base, PAGE_SIZE_4K);

	end = ALIGN_UP(end, PAGE_SIZE_4K);
	while (a < end) {
		uintptr_t pa;
		size_t size;
		int err = KERR_INVAL;

		if (pt_translate(pt, a, &pa, &size, NULL) == 0) {
			a = ALIGN_DOWN(a, size) + size;
			continue;
		}
		for (unsigned int l = pt->fmt->levels; l-- > 0;) {
			size = PT_LEVEL_SIZE(l);
			if (!leaf_level_ok(pt, l) || !IS_ALIGNED(a, size) || end - a < size)
				continue;
			err = pt_map(pt, a, a, size, size, prot);
			if (err != KERR_EXIST)
				break;
		}
		if (err)
			return err;
		a += size;
	}
	return 0;
}

void pt_get_stats(struct pt *pt, struct arch_pt_stats *st)
{
	spin_lock(&pt->lock);
	*st = pt->stats;
	spin_unlock(&pt->lock);
}
