/* The physical page allocator: a binary buddy system over all of RAM, with
 * a small cache of single pages per hart in front of it so that the common
 * case (one page, on this hart) takes no shared lock.
 *
 * Locking: buddy_lock guards the free lists and the PG_FREE/order fields of
 * free pages. Each hart's cache has a lock of its own, which only that hart
 * takes, except when memory runs out and another hart drains every cache
 * back into the buddy lists. Order: a cache's lock, then buddy_lock.
 * nr_free is atomic. */
#include "kernel/mm/page.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"

#define CACHE_HIGH  64 /* a cache above this gives half back to the buddy */
#define CACHE_BATCH 16

struct page *page_array; /* descriptors, one per RAM page */
u64 page_first_pfn, page_npages;
static u64 nr_total;
static u64 nr_free; /* atomic */

static struct spinlock buddy_lock = SPINLOCK_INIT("buddy");
static struct list free_lists[PAGE_MAX_ORDER + 1];

struct page_cache {
	struct spinlock lock;
	struct list pages; /* (lock) */
	int count;	   /* (lock) */
} __attribute__((aligned(64)));
static struct page_cache caches[MM_NCPU];

void page_bad_pa(u64 pa)
{
	panic("pa_to_page: %p is not RAM", (void *)pa);
}

u64 page_alloc_setup(u64 ram_start, u64 ram_end, u64 array_pa)
{
	page_first_pfn = ram_start >> PAGE_SHIFT;
	page_npages = (ram_end >> PAGE_SHIFT) - page_first_pfn;
	page_array = mm_pa_to_kva(array_pa);
	memset(page_array, 0, page_npages * sizeof(struct page));
	for (u64 i = 0; i < page_npages; i++) {
		page_array[i].flags = PG_RESERVED;
		list_init(&page_array[i].link);
	}
	for (int o = 0; o <= PAGE_MAX_ORDER; o++)
		list_init(&free_lists[o]);
	for (int c = 0; c < MM_NCPU; c++) {
		spin_init(&caches[c].lock, "page_cache");
		list_init(&caches[c].pages);
	}
	return PAGE_ROUND_UP(array_pa + page_npages * sizeof(struct page));
}

/* Puts the run of 2^order pages headed by pg on the free lists, merging it
 * with its buddy as long as the buddy is free too. buddy_lock held. */
static void buddy_free(struct page *pg, unsigned order)
{
	assert(spin_holding(&buddy_lock));
	u64 idx = (u64)(pg - page_array);
	while (order < PAGE_MAX_ORDER) {
		u64 bidx = idx ^ (1UL << order);
		if (bidx >= page_npages)
			break;
		struct page *buddy = &page_array[bidx];
		if (!(buddy->flags & PG_FREE) || buddy->order != order)
			break;
		list_del(&buddy->link);
		buddy->flags &= ~PG_FREE;
		idx &= ~(1UL << order);
		order++;
	}
	pg = &page_array[idx];
	pg->flags = PG_FREE;
	pg->order = (u8)order;
	list_push_front(&free_lists[order], &pg->link);
}

/* Takes a run of 2^order pages off the free lists, splitting a larger one
 * if needed. buddy_lock held. */
static struct page *buddy_alloc(unsigned order)
{
	assert(spin_holding(&buddy_lock));
	unsigned o = order;
	while (o <= PAGE_MAX_ORDER && list_empty(&free_lists[o]))
		o++;
	if (o > PAGE_MAX_ORDER)
		return NULL;
	struct page *pg = list_entry(free_lists[o].next, struct page, link);
	list_del(&pg->link);
	pg->flags = 0;
	/* Give back the upper halves until the run has the wanted size. */
	while (o > order) {
		o--;
		struct page *half = pg + (1UL << o);
		half->flags = PG_FREE;
		half->order = (u8)o;
		list_push_front(&free_lists[o], &half->link);
	}
	pg->order = (u8)order;
	return pg;
}

void page_alloc_init(u64 start, u64 end)
{
	start = PAGE_ROUND_UP(start);
	end = PAGE_ROUND_DOWN(end);
	spin_lock(&buddy_lock);
	for (u64 pa = start; pa < end; pa += PAGE_SIZE) {
		struct page *pg = pa_to_page(pa);
		pg->flags = 0;
		pg->refcount = 0;
		buddy_free(pg, 0);
		nr_total++;
		nr_free++;
	}
	spin_unlock(&buddy_lock);
}

static void page_ready(struct page *pg, unsigned order)
{
	pg->refcount = 1;
	pg->flags = 0;
	pg->order = (u8)order;
	list_init(&pg->link);
	pg->private = 0;
	__atomic_fetch_sub(&nr_free, 1UL << order, __ATOMIC_RELAXED);
}

/* Gives every cached page back to the buddy lists, so that the last free
 * pages can be found (and merged into runs) when memory runs out. */
static void drain_caches(void)
{
	for (int i = 0; i < MM_NCPU; i++) {
		struct page_cache *c = &caches[i];
		spin_lock(&c->lock);
		spin_lock(&buddy_lock);
		while (c->count > 0) {
			struct page *p = list_entry(c->pages.next, struct page, link);
			list_del(&p->link);
			c->count--;
			buddy_free(p, 0);
		}
		spin_unlock(&buddy_lock);
		spin_unlock(&c->lock);
	}
}

static struct page *page_alloc_try(unsigned order)
{
	struct page *pg = NULL;
	if (order == 0) {
		push_off();
		struct page_cache *c = &caches[mm_cpu_id()];
		spin_lock(&c->lock);
		if (c->count == 0) {
			spin_lock(&buddy_lock);
			for (int i = 0; i < CACHE_BATCH; i++) {
				struct page *p = buddy_alloc(0);
				if (!p)
					break;
				p->flags = PG_CACHED;
				list_push_back(&c->pages, &p->link);
				c->count++;
			}
			spin_unlock(&buddy_lock);
		}
		if (c->count > 0) {
			pg = list_entry(c->pages.next, struct page, link);
			list_del(&pg->link);
			c->count--;
		}
		spin_unlock(&c->lock);
		pop_off();
	} else {
		spin_lock(&buddy_lock);
		pg = buddy_alloc(order);
		spin_unlock(&buddy_lock);
	}
	return pg;
}

struct page *page_alloc(unsigned order)
{
	if (order > PAGE_MAX_ORDER)
		return NULL;
	struct page *pg = page_alloc_try(order);
	if (!pg) {
		drain_caches();
		pg = page_alloc_try(order);
	}
	if (pg)
		page_ready(pg, order);
	return pg;
}

static void page_release(struct page *pg)
{
	unsigned order = pg->order;
	__atomic_fetch_add(&nr_free, 1UL << order, __ATOMIC_RELAXED);
	if (order == 0) {
		push_off();
		struct page_cache *c = &caches[mm_cpu_id()];
		spin_lock(&c->lock);
		pg->flags = PG_CACHED;
		list_push_front(&c->pages, &pg->link);
		if (++c->count > CACHE_HIGH) {
			spin_lock(&buddy_lock);
			while (c->count > CACHE_HIGH / 2) {
				struct page *p = list_entry(c->pages.prev, struct page, link);
				list_del(&p->link);
				c->count--;
				buddy_free(p, 0);
			}
			spin_unlock(&buddy_lock);
		}
		spin_unlock(&c->lock);
		pop_off();
		return;
	}
	spin_lock(&buddy_lock);
	buddy_free(pg, order);
	spin_unlock(&buddy_lock);
}

void page_get(struct page *pg)
{
	if (__atomic_fetch_add(&pg->refcount, 1, __ATOMIC_RELAXED) == 0)
		panic("page_get: page %p is free", (void *)page_to_pa(pg));
}

void page_put(struct page *pg)
{
	u32 old = __atomic_fetch_sub(&pg->refcount, 1, __ATOMIC_ACQ_REL);
	if (old == 0)
		panic("page_put: page %p freed twice", (void *)page_to_pa(pg));
	if (old == 1)
		page_release(pg);
}

void *kpage_alloc(void)
{
	struct page *pg = page_alloc(0);
	return pg ? page_kva(pg) : NULL;
}

void *kpage_alloc_zeroed(void)
{
	void *p = kpage_alloc();
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void kpage_free(void *kva)
{
	page_put(kva_to_page(kva));
}

u64 page_free_count(void)
{
	return __atomic_load_n(&nr_free, __ATOMIC_RELAXED);
}
u64 page_total_count(void)
{
	return nr_total;
}
