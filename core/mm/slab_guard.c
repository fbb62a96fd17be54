/*
 * slab_guard.c - guard objects of named slab caches (slab_guard.h), as
 * KFENCE samples every slab cache and not only kmalloc's.
 *
 * A guard object is no slab object: it lies in the guard pool's address
 * space, owned by its cache there (debug_guard.c), so that
 * kmem_cache_free() to another cache, or kfree(), is refused and reported
 * as a slab refuses another cache's object.  The cache counts it as it
 * counts a slab object - an allocation, a free, an active object
 * (kmem_cache_get_stats()) - so that its figures and a destroy with a
 * live object (refused, reported) read the same whichever way the object
 * was served.  Slab red zones, poison and owner tracks are not added: the
 * guard pages and canary are the red zone, the unmapped page after a free
 * the poison, and the pool's slot keeps the owner.
 */
#include "irq.h"
#include "kerrno.h"
#include "kstring.h"
#include "percpu.h"
#include "slab.h"
#include "slab_def.h"
#include "slab_guard.h"
#include "spinlock.h"

/* Book an allocation or a free of @c on this CPU, as the slab paths do. */
static void count(struct kmem_cache *c, bool alloc)
{
	unsigned long irq = irq_save();
	struct kmem_cache_cpu *cpu = this_cpu_ptr(c->cpu_slab);

	if (alloc)
		percpu_counter_add(cpu->allocs, 1);
	else
		percpu_counter_add(cpu->frees, 1);
	irq_restore(irq);
}

void *slab_guard_alloc(struct kmem_cache *c, gfp_t flags)
{
	void *obj;

	/* kmalloc() sampled its call already; the pool layer samples its own growth. */
	if (c->flags & (SLAB_KMALLOC | SLAB_SKIP_GUARD))
		return NULL;
	obj = guard_alloc_for(c, c->object_size, c->align);
	if (!obj)
		return NULL;
	/* A fresh page every time: constructed now, as a slab constructs its objects. */
	if (c->ctor)
		c->ctor(obj);
	if (flags & __GFP_ZERO)
		memset(obj, 0, c->object_size);
	count(c, true);
	return obj;
}

int slab_guard_free(struct kmem_cache *c, const void *obj)
{
	size_t size;
	int err = guard_free_for(c, obj, &size);

	if (err) {
		spin_lock_irqsafe(&c->lock);
		c->misuse++;
		spin_unlock_irqsafe(&c->lock);
		return err;
	}
	count(c, false);
	return 0;
}
