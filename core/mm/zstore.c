/*
 * zstore.c - the compressed page store proper (zstore.h): size classes,
 * zspages, handles, the reserve and the figures.
 *
 * Layout, as zsmalloc: class i keeps blocks of up to (i + 1) * ZSTORE_ALIGN
 * bytes in slots of that size, packed end to end across the pages of a
 * zspage (a slot may straddle two of them).  A class's zspages with a free
 * slot are on its list; a full one is on none; an empty one gives its
 * pages back at once (to the reserve while it is short).  Which slots of
 * a zspage are in use is a bitmap in its descriptor, so a free never
 * trusts anything written in the pages.
 *
 * Descriptors (one per zspage, at most one per page of the limit) and
 * handle entries (ZSTORE_HANDLES_PER_PAGE per page of the limit) are
 * allocated at boot, a page at a time behind a directory, so the store
 * never allocates metadata under pressure and no large contiguous run is
 * needed.
 */
#include "bitops.h"
#include "compiler.h"
#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "lz4.h"
#include "mm_debug.h"
#include "mm_debug_internal.h"
#include "mm_misuse.h"
#include "page_alloc.h"
#include "printk.h"
#include "spinlock.h"
#include "zstore.h"
#include "zstore_internal.h"

#define NONE UINT32_MAX

struct zspage {
	void *page[ZSTORE_ZSPAGE_MAX_PAGES];
	uint64_t used[ZSTORE_ZSPAGE_MAX_OBJS / 64];
	uint32_t prev, next;       /* class list, or the free descriptors */
	uint16_t inuse;
	uint8_t cls;
	uint8_t npages;            /* 0: descriptor not in use */
	uint8_t objs;              /* slots: its class's, or fewer on a short reserve */
};

enum { ZE_FREE, ZE_SAME, ZE_SLOT };

struct zs_entry {
	uint32_t gen;              /* a handle's high half; bumped when the entry is reused */
	uint16_t len;              /* block length (ZE_SLOT) */
	uint8_t kind;
	uint8_t pad;
	union {
		uint64_t fill;                                 /* ZE_SAME */
		struct { uint32_t zspage, obj; } slot;         /* ZE_SLOT */
		uint32_t next_free;                            /* ZE_FREE */
	};
};

struct zs_class {
	uint16_t size;             /* slot bytes */
	uint8_t pages;             /* pages per zspage */
	uint8_t objs;              /* slots per zspage */
	uint8_t use;               /* the class that serves this one's blocks (itself, or a merged larger one) */
	uint32_t partial;          /* first zspage with a free slot */
	size_t zspages;
};

#define ZSP_PER_CHUNK (PAGE_SIZE / sizeof(struct zspage))
#define ZE_PER_CHUNK (PAGE_SIZE / sizeof(struct zs_entry))

static DEFINE_LOCK_CLASS(zstore_lock_class, "zstore");
static spinlock_t zs_lock = SPINLOCK_INIT_CLASS(&zstore_lock_class);

static struct {
	bool ready;
	size_t limit_pages;
	struct zs_class cls[ZSTORE_NR_CLASSES];
	struct zspage **zsp_dir;   /* chunks of descriptors */
	size_t nr_zspages, zsp_dir_pages;
	uint32_t free_zspage;
	struct zs_entry **ze_dir;  /* chunks of handle entries */
	size_t nr_handles, ze_dir_pages;
	uint32_t free_entry;
	void *reserve[2 * ZSTORE_RESERVE_PAGES];
	size_t nr_reserve;
	size_t zspage_pages;
	size_t meta_bytes;
	/* figures */
	uint64_t stored, same_filled, compressed_bytes, slot_bytes;
	uint64_t stores, loads, frees, rejected, full, misuse, corrupt;
} zs;

/* Work areas, used under zs_lock only: the hash table and two page-sized buffers. */
static struct lz4_state lz4_state;
static uint8_t block_buf[ZSTORE_MAX_OBJ];
static uint8_t map_buf[ZSTORE_MAX_OBJ];
/* Interrupt state of the CPU that mapped, until zstore_unmap(). */
static unsigned long zs_map_flags;

/* ---- metadata -------------------------------------------------------------------- */

static struct zspage *zspage_at(uint32_t i)
{
	return &zs.zsp_dir[i / ZSP_PER_CHUNK][i % ZSP_PER_CHUNK];
}

static struct zs_entry *entry_at(uint32_t i)
{
	return &zs.ze_dir[i / ZE_PER_CHUNK][i % ZE_PER_CHUNK];
}

static zs_handle_t handle_of(uint32_t idx, const struct zs_entry *e)
{
	return ((uint64_t)e->gen << 32) | ((uint64_t)idx + 1);
}

/*
 * The live entry @h names, or NULL with *@err: KERR_DOUBLE_FREE when @h
 * is the entry's latest handle and already freed, KERR_BAD_PTR otherwise.
 */
static struct zs_entry *lookup(zs_handle_t h, int *err)
{
	uint64_t idx = (h & 0xffffffffu) - 1;
	struct zs_entry *e;

	*err = KERR_BAD_PTR;
	if (!zs.ready || (h & 0xffffffffu) == 0 || idx >= zs.nr_handles)
		return NULL;
	e = entry_at((uint32_t)idx);
	if (e->gen != (uint32_t)(h >> 32))
		return NULL;
	if (e->kind == ZE_FREE) {
		*err = KERR_DOUBLE_FREE;
		return NULL;
	}
	return e;
}

/* A directory of @chunks pages, each page allocated; false (all freed) if memory ran out. */
static void **alloc_chunked(size_t chunks, size_t *dir_pages)
{
	size_t pages = (chunks * sizeof(void *) + PAGE_SIZE - 1) / PAGE_SIZE;
	void **dir = page_alloc(pages, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);

	if (!dir)
		return NULL;
	for (size_t i = 0; i < chunks; i++) {
		dir[i] = page_alloc(1, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
		if (!dir[i]) {
			while (i-- > 0)
				page_free(dir[i], 1);
			page_free(dir, pages);
			return NULL;
		}
	}
	*dir_pages = pages;
	zs.meta_bytes += (pages + chunks) * PAGE_SIZE;
	return dir;
}

/* Slots of class @size: the zspage of 1 to 4 pages that wastes the least (ties: fewer pages). */
static void class_setup(struct zs_class *c, size_t size)
{
	size_t best_waste = SIZE_MAX;

	c->size = (uint16_t)size;
	for (size_t k = 1; k <= ZSTORE_ZSPAGE_MAX_PAGES; k++) {
		size_t objs = MIN(k * PAGE_SIZE / size, (size_t)ZSTORE_ZSPAGE_MAX_OBJS);
		/* Waste per page, in 1/4096ths, so zspages of different sizes compare. */
		size_t waste = (k * PAGE_SIZE - objs * size) * 4096 / (k * PAGE_SIZE);

		if (waste < best_waste) {
			best_waste = waste;
			c->pages = (uint8_t)k;
			c->objs = (uint8_t)objs;
		}
	}
	c->partial = NONE;
}

int zstore_init(void)
{
	size_t zsp_chunks, ze_chunks;

	zs.limit_pages = (size_t)CONFIG_ZSTORE_LIMIT_KB * 1024 / PAGE_SIZE;
	for (size_t i = 0; i < ZSTORE_NR_CLASSES; i++)
		class_setup(&zs.cls[i], (i + 1) * ZSTORE_ALIGN);
	/*
	 * As zsmalloc: a class whose zspage holds as many slots in as many
	 * pages as the next larger one's gains nothing from its smaller
	 * slots, and is served by that one, so fewer zspages stand half
	 * empty.
	 */
	for (size_t i = ZSTORE_NR_CLASSES; i-- > 0;) {
		struct zs_class *c = &zs.cls[i], *up = &zs.cls[MIN(i + 1, ZSTORE_NR_CLASSES - 1)];

		c->use = (uint8_t)i;
		if (i + 1 < ZSTORE_NR_CLASSES && c->pages == up->pages && c->objs == up->objs)
			c->use = up->use;
	}

	zsp_chunks = (zs.limit_pages + ZSP_PER_CHUNK - 1) / ZSP_PER_CHUNK;
	ze_chunks = (zs.limit_pages * ZSTORE_HANDLES_PER_PAGE + ZE_PER_CHUNK - 1) / ZE_PER_CHUNK;
	zs.zsp_dir = (struct zspage **)alloc_chunked(zsp_chunks, &zs.zsp_dir_pages);
	if (!zs.zsp_dir)
		return KERR_NOMEM;
	zs.ze_dir = (struct zs_entry **)alloc_chunked(ze_chunks, &zs.ze_dir_pages);
	if (!zs.ze_dir)
		return KERR_NOMEM;
	zs.nr_zspages = zsp_chunks * ZSP_PER_CHUNK;
	zs.nr_handles = ze_chunks * ZE_PER_CHUNK;
	/* Free lists in index order, so the first handles are the lowest. */
	for (uint32_t i = 0; i < zs.nr_zspages; i++)
		zspage_at(i)->next = i + 1 < zs.nr_zspages ? i + 1 : NONE;
	for (uint32_t i = 0; i < zs.nr_handles; i++)
		entry_at(i)->next_free = i + 1 < zs.nr_handles ? i + 1 : NONE;
	zs.free_zspage = 0;
	zs.free_entry = 0;
	zs.ready = true;

	zswap_init();
	/* The tick's hook: without SMP there is no tick and this registers nothing that runs. */
	return zs_background_init();
}

/* ---- the reserve ------------------------------------------------------------------ */

/* Room in the reserve for one more page (store lock held). */
static bool reserve_short(void)
{
	return zs.nr_reserve < ZSTORE_RESERVE_PAGES &&
	       zs.zspage_pages + zs.nr_reserve < zs.limit_pages;
}

bool zs_reserve_donate(void *page)
{
	unsigned long flags = spin_lock_irqsave(&zs_lock);
	bool take = zs.ready && reserve_short();

	if (take) {
		zs.reserve[zs.nr_reserve++] = page;
		/*
		 * From here the page is the store's (reserve, then zspage) until
		 * it goes back to the page allocator: never the caller's leak,
		 * as a slab's pages are not (issue 19: caches are not leaks).
		 */
		if (DEBUG_LEAK)
			debug_page_internal(page);
	}
	spin_unlock_irqrestore(&zs_lock, flags);
	return take;
}

/* Top the reserve up to ZSTORE_RESERVE_PAGES within the limit; no lock held. */
void zs_reserve_refill(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&zs_lock);
		bool want = zs.ready && reserve_short();
		void *p;

		spin_unlock_irqrestore(&zs_lock, flags);
		if (!want)
			return;
		p = page_alloc(1, GFP_KERNEL | __GFP_NOWARN);
		if (!p)
			return;
		if (!zs_reserve_donate(p)) {
			page_free(p, 1);
			return;
		}
	}
}

void zs_spill_free(struct zs_spill *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		page_free(s->page[i], 1);
	s->n = 0;
}

/* ---- slots ------------------------------------------------------------------------- */

static void list_del(struct zs_class *c, struct zspage *z)
{
	if (z->prev != NONE)
		zspage_at(z->prev)->next = z->next;
	else
		c->partial = z->next;
	if (z->next != NONE)
		zspage_at(z->next)->prev = z->prev;
	z->prev = z->next = NONE;
}

static void list_add(struct zs_class *c, uint32_t i, struct zspage *z)
{
	z->prev = NONE;
	z->next = c->partial;
	if (c->partial != NONE)
		zspage_at(c->partial)->prev = i;
	c->partial = i;
}

/*
 * A new zspage for class @ci from the reserve: its index, or NONE with
 * *@err.  A reserve too short for the class's zspage gives a smaller one
 * (fewer slots, more waste) rather than none: reclaim refills the
 * reserve one page at a time and must always make progress.  The tick
 * leaves ZSTORE_ZSPAGE_MAX_PAGES pages to reclaim.
 */
static uint32_t zspage_new(unsigned int ci, enum zs_mode mode, int *err)
{
	struct zs_class *c = &zs.cls[ci];
	size_t keep = mode == ZS_TRYLOCK ? ZSTORE_ZSPAGE_MAX_PAGES : 0;
	size_t pages = c->pages;
	struct zspage *z;
	uint32_t i;

	if (zs.zspage_pages + 1 > zs.limit_pages || zs.free_zspage == NONE) {
		*err = KERR_LIMIT;
		return NONE;
	}
	pages = MIN(pages, zs.limit_pages - zs.zspage_pages);
	if (zs.nr_reserve < keep + 1) {
		*err = KERR_NOMEM;
		return NONE;
	}
	pages = MIN(pages, zs.nr_reserve - keep);
	i = zs.free_zspage;
	z = zspage_at(i);
	zs.free_zspage = z->next;
	*z = (struct zspage){
		.cls = (uint8_t)ci, .npages = (uint8_t)pages,
		.objs = pages == c->pages ? c->objs : (uint8_t)(pages * PAGE_SIZE / c->size),
	};
	for (unsigned int p = 0; p < pages; p++)
		z->page[p] = zs.reserve[--zs.nr_reserve];
	zs.zspage_pages += pages;
	c->zspages++;
	list_add(c, i, z);
	return i;
}

/* Give @z's pages back: to the reserve while it is short, the rest to @spill. */
static void zspage_release(uint32_t i, struct zspage *z, struct zs_spill *spill)
{
	struct zs_class *c = &zs.cls[z->cls];

	list_del(c, z);
	for (unsigned int p = 0; p < z->npages; p++) {
		if (zs.nr_reserve < ARRAY_SIZE(zs.reserve))
			zs.reserve[zs.nr_reserve++] = z->page[p];
		else
			spill->page[spill->n++] = z->page[p];
	}
	zs.zspage_pages -= z->npages;
	c->zspages--;
	z->npages = 0;
	z->next = zs.free_zspage;
	zs.free_zspage = i;
}

/* Where slot @obj of @z starts: its page and offset in it. */
static uint8_t *slot_addr(const struct zspage *z, size_t size, uint32_t obj, size_t *room)
{
	size_t off = (size_t)obj * size;

	*room = PAGE_SIZE - off % PAGE_SIZE;    /* bytes before the next page */
	return (uint8_t *)z->page[off / PAGE_SIZE] + off % PAGE_SIZE;
}

static void slot_write(const struct zspage *z, size_t size, uint32_t obj, const void *src,
		       size_t len)
{
	size_t room;
	uint8_t *dst = slot_addr(z, size, obj, &room);

	if (len <= room) {
		memcpy(dst, src, len);
	} else {
		/* Straddles: the rest starts the next page of the zspage. */
		memcpy(dst, src, room);
		memcpy(z->page[(size_t)obj * size / PAGE_SIZE + 1], (const uint8_t *)src + room,
		       len - room);
	}
}

/* The block of a slot, contiguous: in place, or copied into map_buf. */
static const void *slot_read(const struct zspage *z, size_t size, uint32_t obj, size_t len)
{
	size_t room;
	const uint8_t *src = slot_addr(z, size, obj, &room);

	if (len <= room)
		return src;
	memcpy(map_buf, src, room);
	memcpy(map_buf + room, z->page[(size_t)obj * size / PAGE_SIZE + 1], len - room);
	return map_buf;
}

/* Take a free slot of class @ci: 0 with *@zi and *@obj, or the error. */
static int slot_alloc(unsigned int ci, enum zs_mode mode, uint32_t *zi, uint32_t *obj)
{
	struct zs_class *c = &zs.cls[ci];
	uint32_t i = c->partial;
	struct zspage *z;
	int err;

	if (i == NONE) {
		i = zspage_new(ci, mode, &err);
		if (i == NONE)
			return err;
	}
	z = zspage_at(i);
	for (uint32_t w = 0; w < ARRAY_SIZE(z->used); w++) {
		uint64_t freebits = ~z->used[w];
		uint32_t o;

		if (!freebits)
			continue;
		o = w * 64 + lowest_bit((unsigned long)freebits);
		if (o >= z->objs)
			break;
		z->used[w] |= 1ull << (o % 64);
		if (++z->inuse == z->objs)
			list_del(c, z);
		*zi = i;
		*obj = o;
		return 0;
	}
	/* A zspage on the partial list always has a free slot below objs. */
	BUG_ON(1);
	return KERR_BAD_PTR;
}

static void slot_free(uint32_t i, uint32_t obj, struct zs_spill *spill)
{
	struct zspage *z = zspage_at(i);
	struct zs_class *c = &zs.cls[z->cls];

	z->used[obj / 64] &= ~(1ull << (obj % 64));
	if (z->inuse-- == z->objs)
		list_add(c, i, z);
	if (!z->inuse)
		zspage_release(i, z, spill);
}

/* ---- store, map, load, free --------------------------------------------------------- */

static bool same_filled(const void *page, uint64_t *fill)
{
#ifdef CONFIG_ZSTORE_SAME_FILLED
	const uint64_t *w = page;

	for (size_t i = 1; i < PAGE_SIZE / sizeof(*w); i++)
		if (w[i] != w[0])
			return false;
	*fill = w[0];
	return true;
#else
	(void)page;
	(void)fill;
	return false;
#endif
}

static uint32_t entry_take(void)
{
	uint32_t i = zs.free_entry;
	struct zs_entry *e;

	if (i == NONE)
		return NONE;
	e = entry_at(i);
	zs.free_entry = e->next_free;
	/* A new generation: handles of the entry's earlier lives no longer match. */
	if (++e->gen == 0)
		e->gen = 1;
	return i;
}

static void entry_put(uint32_t i, struct zs_entry *e)
{
	e->kind = ZE_FREE;
	e->next_free = zs.free_entry;
	zs.free_entry = i;
}

int zs_store(const void *page, zs_handle_t *h, enum zs_mode mode)
{
	unsigned long flags;
	struct zs_entry *e;
	uint64_t fill;
	uint32_t idx, zi, obj;
	int len, err = 0;

	if (!page || !h || ((uintptr_t)page & (PAGE_SIZE - 1)))
		return KERR_INVAL;
	if (!zs.ready)
		return KERR_NOMEM;
	if (mode == ZS_TRYLOCK) {
		flags = irq_save();
		if (!spin_trylock(&zs_lock)) {
			irq_restore(flags);
			return KERR_LIMIT;
		}
	} else {
		flags = spin_lock_irqsave(&zs_lock);
	}
	idx = entry_take();
	if (idx == NONE) {
		zs.full++;
		err = KERR_LIMIT;
		goto out;
	}
	e = entry_at(idx);
	if (same_filled(page, &fill)) {
		e->kind = ZE_SAME;
		e->fill = fill;
		e->len = 0;
		zs.same_filled++;
	} else {
		len = lz4_compress(page, PAGE_SIZE, block_buf, ZSTORE_MAX_OBJ,
				   CONFIG_ZSTORE_ACCELERATION, &lz4_state);
		if (len < 0) {
			/* KERR_NOSPC: longer than the largest class, nothing to gain. */
			zs.rejected++;
			err = KERR_NOSPC;
		} else {
			unsigned int ci = zs.cls[((unsigned int)len + ZSTORE_ALIGN - 1) / ZSTORE_ALIGN - 1].use;

			err = slot_alloc(ci, mode, &zi, &obj);
			if (err) {
				zs.full++;
			} else {
				slot_write(zspage_at(zi), zs.cls[ci].size, obj, block_buf, (size_t)len);
				e->kind = ZE_SLOT;
				e->len = (uint16_t)len;
				e->slot.zspage = zi;
				e->slot.obj = obj;
				zs.compressed_bytes += (uint64_t)len;
				zs.slot_bytes += zs.cls[ci].size;
			}
		}
		if (err) {
			entry_put(idx, e);
			goto out;
		}
	}
	zs.stored++;
	zs.stores++;
	*h = handle_of(idx, e);
out:
	spin_unlock_irqrestore(&zs_lock, flags);
	return err;
}

int zstore_store(const void *page, zs_handle_t *h)
{
	/* Here allocating is allowed: the reserve is full before the store needs it. */
	zs_reserve_refill();
	return zs_store(page, h, ZS_RESERVE_ONLY);
}

void zs_report(int err, zs_handle_t h)
{
	mm_report_misuse("zstore", err, (const void *)(uintptr_t)h);
}

/* Misuse counted under the lock: the report itself prints, after it. */
static int bad_handle(int err)
{
	zs.misuse++;
	return err;
}

int zstore_map(zs_handle_t h, struct zstore_obj *obj)
{
	unsigned long flags = spin_lock_irqsave(&zs_lock);
	int err;
	struct zs_entry *e = lookup(h, &err);

	if (!e) {
		bad_handle(KERR_BAD_PTR);
		spin_unlock_irqrestore(&zs_lock, flags);
		zs_report(KERR_BAD_PTR, h);
		return KERR_BAD_PTR;
	}
	*obj = (struct zstore_obj){ 0 };
	if (e->kind == ZE_SAME) {
		obj->same_filled = true;
		obj->fill = e->fill;
	} else {
		struct zspage *z = zspage_at(e->slot.zspage);

		obj->data = slot_read(z, zs.cls[z->cls].size, e->slot.obj, e->len);
		obj->len = e->len;
	}
	/* Unlocked by zstore_unmap(); the flags wait in the store. */
	zs_map_flags = flags;
	return 0;
}

void zstore_unmap(zs_handle_t h)
{
	(void)h;
	spin_unlock_irqrestore(&zs_lock, zs_map_flags);
}

/* Decode @e into @page; 0 or KERR_CORRUPT.  Store lock held. */
static int decode(const struct zs_entry *e, void *page)
{
	struct zspage *z;
	int n;

	if (e->kind == ZE_SAME) {
		uint64_t *w = page;

		for (size_t i = 0; i < PAGE_SIZE / sizeof(*w); i++)
			w[i] = e->fill;
		return 0;
	}
	z = zspage_at(e->slot.zspage);
	n = lz4_decompress(slot_read(z, zs.cls[z->cls].size, e->slot.obj, e->len), e->len, page,
			   PAGE_SIZE);
	/* The format has no end marker: only a whole page is the page. */
	if (n != (int)PAGE_SIZE) {
		zs.corrupt++;
		return KERR_CORRUPT;
	}
	return 0;
}

int zs_load(zs_handle_t h, void *page, void **spare)
{
	unsigned long flags;
	struct zs_entry *e;
	int err;

	if (!page)
		return KERR_INVAL;
	flags = spin_lock_irqsave(&zs_lock);
	e = lookup(h, &err);
	if (!e) {
		err = bad_handle(KERR_BAD_PTR);
	} else if (e->kind == ZE_SAME) {
		err = decode(e, page);
	} else if (zs_cache_copy(h, page)) {
		err = 0;
	} else {
		err = decode(e, page);
		if (!err)
			zs_cache_insert(h, page, spare);
	}
	if (!err)
		zs.loads++;
	spin_unlock_irqrestore(&zs_lock, flags);
	if (err == KERR_BAD_PTR)
		zs_report(err, h);
	return err;
}

int zstore_load(zs_handle_t h, void *page)
{
	/* A page for the cache, taken before the lock, unless memory is short. */
	void *spare = NULL;
	int err;

	if (zs_cache_wants_page() && !zswap_under_pressure())
		spare = page_alloc(1, GFP_KERNEL | __GFP_NOWARN);
	err = zs_load(h, page, &spare);
	if (spare)
		page_free(spare, 1);
	return err;
}

int zs_free(zs_handle_t h, struct zs_spill *spill)
{
	unsigned long flags = spin_lock_irqsave(&zs_lock);
	int err;
	struct zs_entry *e = lookup(h, &err);
	uint32_t idx = (uint32_t)((h & 0xffffffffu) - 1);

	if (!e) {
		bad_handle(err);
		spin_unlock_irqrestore(&zs_lock, flags);
		zs_report(err, h);
		return err;
	}
	if (e->kind == ZE_SAME) {
		zs.same_filled--;
	} else {
		struct zspage *z = zspage_at(e->slot.zspage);

		zs.compressed_bytes -= e->len;
		zs.slot_bytes -= zs.cls[z->cls].size;
		zs_cache_forget(h);
		slot_free(e->slot.zspage, e->slot.obj, spill);
	}
	entry_put(idx, e);
	zs.stored--;
	zs.frees++;
	spin_unlock_irqrestore(&zs_lock, flags);
	return 0;
}

int zstore_free(zs_handle_t h)
{
	struct zs_spill spill = { .n = 0 };
	int err = zs_free(h, &spill);

	zs_spill_free(&spill);
	return err;
}

unsigned long zs_lock_store(void)
{
	return spin_lock_irqsave(&zs_lock);
}

void zs_unlock_store(unsigned long flags)
{
	spin_unlock_irqrestore(&zs_lock, flags);
}

/* ---- figures ---------------------------------------------------------------------- */

void zstore_get_stats(struct zstore_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&zs_lock);

	*st = (struct zstore_stats){
		.stored = zs.stored, .same_filled = zs.same_filled,
		.compressed_bytes = zs.compressed_bytes, .stores = zs.stores, .loads = zs.loads,
		.frees = zs.frees, .rejected = zs.rejected, .full = zs.full, .misuse = zs.misuse,
		.corrupt = zs.corrupt, .limit_pages = zs.limit_pages,
		.zspage_pages = zs.zspage_pages, .reserve_pages = zs.nr_reserve,
		.slot_bytes = zs.slot_bytes, .meta_bytes = zs.meta_bytes,
		.handles = zs.nr_handles,
		.cache_pages = zs_cache_pages(),
	};
	zs_cache_counts(&st->cache_hits, &st->cache_misses);
	spin_unlock_irqrestore(&zs_lock, flags);
	st->used_bytes = (st->zspage_pages + st->reserve_pages + st->cache_pages) * PAGE_SIZE +
			 st->meta_bytes;
	zswap_fill_stats(st);
	zs_background_fill_stats(st);
}

unsigned int zstore_ratio_x100(const struct zstore_stats *st)
{
	/* Same-filled pages take no bytes: count them as one byte so a store of only them is finite. */
	uint64_t out = st->compressed_bytes + st->same_filled;

	return out ? (unsigned int)(st->stored * PAGE_SIZE * 100 / out) : 0;
}

long zstore_gain_pages(const struct zstore_stats *st)
{
	size_t cost = (st->used_bytes + PAGE_SIZE - 1) / PAGE_SIZE;

	return (long)st->swapped_out - (long)cost;
}

void zstore_print_stats(const char *when)
{
	struct zstore_stats st;
	unsigned int r;

	zstore_get_stats(&st);
	r = zstore_ratio_x100(&st);
	printk("zstore: %s: stored %llu (same-filled %llu) in %llu bytes, ratio %u.%02u; "
	       "rejected %llu, full %llu; memory %zu bytes (%zu zspage + %zu reserve + %zu cache "
	       "pages, %zu metadata bytes, slot waste %zu bytes); swapped out %llu of %llu, "
	       "faults %llu (cache hits %llu), freed %llu, gain %ld pages; background %llu\n",
	       when, (unsigned long long)st.stored, (unsigned long long)st.same_filled,
	       (unsigned long long)st.compressed_bytes, r / 100, r % 100,
	       (unsigned long long)st.rejected, (unsigned long long)st.full, st.used_bytes,
	       st.zspage_pages, st.reserve_pages, st.cache_pages, st.meta_bytes,
	       st.zspage_pages * PAGE_SIZE - (size_t)st.compressed_bytes,
	       (unsigned long long)st.swapped_out, (unsigned long long)st.swappable,
	       (unsigned long long)st.faults, (unsigned long long)st.cache_hits,
	       (unsigned long long)st.pages_freed, zstore_gain_pages(&st),
	       (unsigned long long)st.bg_compressed);
}
