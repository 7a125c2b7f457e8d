/* Physical page frames: one struct page per frame, a buddy allocator for
 * runs of 2^order pages, and per-hart caches of single pages.
 *
 * A page is freed by dropping its last reference: page_put(). */
#ifndef KERNEL_MM_PAGE_H
#define KERNEL_MM_PAGE_H

#include "kernel/lib/list.h"
#include "kernel/mm/mm_arch.h"
#include "kernel/types.h"

#define PAGE_MAX_ORDER 10 /* largest run: 2^10 pages = 4 MiB */

enum page_flags {
	PG_FREE = 1 << 0,      /* heads a free run in the buddy lists */
	PG_PAGETABLE = 1 << 1, /* a page-table page */
	PG_CACHED = 1 << 2,    /* in a per-hart cache */
	PG_SLAB = 1 << 3,      /* carved into kmalloc objects */
	PG_RESERVED = 1 << 4,  /* never given to the allocator */
	PG_SHARED = 1 << 5,    /* mapped into another process by map_shared_pages */
};

struct page {
	u32 refcount;	  /* atomic; 0 when free */
	u16 flags;	  /* enum page_flags */
	u8 order;	  /* order of the run this page heads */
	u8 slab_class;	  /* PG_SLAB: the kmalloc size class */
	struct list link; /* free list, cache, or the owner's list */
	union {
		struct { /* PG_SLAB */
			void *freelist;
			u32 inuse;
		} slab;
		u64 private; /* for the owner */
	};
};

/* Places the descriptor array for RAM [ram_start, ram_end) at physical
 * address array_pa and marks every page reserved. Returns the end of the
 * array; the caller then frees the usable ranges with page_alloc_init(). */
u64 page_alloc_setup(u64 ram_start, u64 ram_end, u64 array_pa);
/* Gives the allocator the physical range [start, end), page-aligned inward. */
void page_alloc_init(u64 start, u64 end);

/* Returns the head of 2^order contiguous pages with refcount 1, or NULL.
 * The contents are not zeroed. */
struct page *page_alloc(unsigned order);
/* Drops one reference; the run goes back to the allocator at zero. */
void page_put(struct page *pg);
void page_get(struct page *pg);
static inline u32 page_refcount(const struct page *pg)
{
	return __atomic_load_n(&pg->refcount, __ATOMIC_RELAXED);
}

/* Inline: the fault paths convert many times, and under QEMU a call and
 * its return cost two lookups of translated code, more than the sums. */
extern struct page *page_array; /* page.c; set once at boot */
extern u64 page_first_pfn, page_npages;
void page_bad_pa(u64 pa) __attribute__((noreturn));
static inline u64 page_to_pa(const struct page *pg)
{
	return (page_first_pfn + (u64)(pg - page_array)) << PAGE_SHIFT;
}
static inline struct page *pa_to_page(u64 pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	if (pfn < page_first_pfn || pfn >= page_first_pfn + page_npages)
		page_bad_pa(pa);
	return &page_array[pfn - page_first_pfn];
}
static inline void *page_kva(const struct page *pg)
{
	return mm_pa_to_kva(page_to_pa(pg));
}
static inline struct page *kva_to_page(const void *kva)
{
	return pa_to_page(mm_kva_to_pa(kva));
}

/* Convenience for kernel memory: one page, by kernel virtual address. */
void *kpage_alloc(void);	/* not zeroed; NULL when out of memory */
void *kpage_alloc_zeroed(void); /* zeroed */
void kpage_free(void *kva);	/* drops the reference */

u64 page_free_count(void);  /* pages free now, including per-hart caches */
u64 page_total_count(void); /* pages managed */

#endif
