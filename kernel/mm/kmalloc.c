/* kmalloc: power-of-two size classes from 16 bytes to 2 KiB, each served
 * from one-page slabs; bigger requests get a run of whole pages.
 *
 * A slab's free objects form a list threaded through the objects; its
 * struct page holds the list head and the count in use. A slab that
 * becomes empty goes straight back to the page allocator. Which slab an
 * object lands in depends on what its neighbours did, so the free-page
 * count alone does not come back exactly after a burst of allocations:
 * objects that outlive it can end up on fewer or more pages. Leak checks
 * therefore count a slab's free space as free memory (kmalloc_usage).
 * Each class has its own lock, guarding its partial list, its counts and
 * its slabs' fields. */
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/mm/page.h"

#define MIN_SHIFT 4
#define NCLASSES  8 /* 16 .. 2048 */

struct size_class {
	struct spinlock lock;
	struct list partial; /* slabs with at least one free object */
	u64 slabs;	     /* pages this class holds */
	u64 inuse;	     /* objects handed out from them */
};

/* Set up at compile time: kmalloc works from the first call, on any hart,
 * with no init call to race with. */
#define SIZE_CLASS(i)                                                                              \
	{                                                                                          \
		SPINLOCK_INIT("kmalloc"), LIST_INIT(classes[i].partial)                            \
	}
static struct size_class classes[NCLASSES] = {
    SIZE_CLASS(0), SIZE_CLASS(1), SIZE_CLASS(2), SIZE_CLASS(3),
    SIZE_CLASS(4), SIZE_CLASS(5), SIZE_CLASS(6), SIZE_CLASS(7),
};
_Static_assert(NCLASSES == 8, "one SIZE_CLASS per class above");

static int class_of(size_t size)
{
	int c = 0;
	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

static struct page *slab_new(int cls)
{
	struct page *pg = page_alloc(0);
	if (!pg)
		return NULL;
	size_t objsize = (size_t)1 << (cls + MIN_SHIFT);
	char *base = page_kva(pg);
	void *head = NULL;
	for (size_t off = PAGE_SIZE; off >= objsize; off -= objsize) {
		void **obj = (void **)(base + off - objsize);
		*obj = head;
		head = obj;
	}
	pg->flags |= PG_SLAB;
	pg->slab_class = (u8)cls;
	pg->slab.freelist = head;
	pg->slab.inuse = 0;
	return pg;
}

void *kmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > PAGE_SIZE / 2) {
		/* Sizes can come from user arguments: refuse what no run could
		 * hold before the shift below overflows. */
		if (size > (PAGE_SIZE << PAGE_MAX_ORDER))
			return NULL;
		unsigned order = 0;
		while ((PAGE_SIZE << order) < size)
			order++;
		struct page *pg = page_alloc(order);
		return pg ? page_kva(pg) : NULL;
	}
	int cls = class_of(size);
	struct size_class *sc = &classes[cls];
	spin_lock(&sc->lock);
	struct page *pg;
	if (list_empty(&sc->partial)) {
		spin_unlock(&sc->lock);
		pg = slab_new(cls);
		if (!pg)
			return NULL;
		spin_lock(&sc->lock);
		list_push_front(&sc->partial, &pg->link);
		sc->slabs++;
	} else {
		pg = list_entry(sc->partial.next, struct page, link);
	}
	void **obj = pg->slab.freelist;
	/* A slab on the partial list has a free object, and a free object
	 * links only to its own slab: anything else is memory written after
	 * it was freed (or freed twice), said here rather than found later. */
	if (!obj || ((uptr)*obj && PAGE_ROUND_DOWN((uptr)*obj) != (uptr)page_kva(pg)))
		panic("kmalloc: class %d's slab %p is corrupt (free list %p -> %p)", cls,
		      page_kva(pg), (void *)obj, obj ? *obj : NULL);
	pg->slab.freelist = *obj;
	pg->slab.inuse++;
	sc->inuse++;
	if (!pg->slab.freelist)
		list_del(&pg->link);
	spin_unlock(&sc->lock);
	return obj;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct page *pg = kva_to_page((void *)PAGE_ROUND_DOWN((u64)p));
	if (!(pg->flags & PG_SLAB)) {
		page_put(pg);
		return;
	}
	struct size_class *sc = &classes[pg->slab_class];
	spin_lock(&sc->lock);
	if (p == pg->slab.freelist || pg->slab.inuse == 0)
		panic("kfree: %p freed twice", p);
	bool was_full = pg->slab.freelist == NULL;
	*(void **)p = pg->slab.freelist;
	pg->slab.freelist = p;
	pg->slab.inuse--;
	sc->inuse--;
	if (pg->slab.inuse == 0) {
		if (!was_full)
			list_del(&pg->link);
		sc->slabs--;
		pg->flags &= ~PG_SLAB;
		spin_unlock(&sc->lock);
		page_put(pg);
		return;
	}
	if (was_full)
		list_push_front(&sc->partial, &pg->link);
	spin_unlock(&sc->lock);
}

void kmalloc_usage(struct kmalloc_usage *u)
{
	u->slab_pages = 0;
	u->object_bytes = 0;
	for (int cls = 0; cls < NCLASSES; cls++) {
		struct size_class *sc = &classes[cls];
		spin_lock(&sc->lock);
		u->slab_pages += sc->slabs;
		u->object_bytes += sc->inuse << (cls + MIN_SHIFT);
		spin_unlock(&sc->lock);
	}
}
