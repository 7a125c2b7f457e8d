/* Use-after-free detection inside the simulated RAM. The whole RAM is one
 * host allocation, so ASan alone cannot tell a freed page or kmalloc object
 * from a live one. Linked with MM_HOST_WRAP (-Wl,--wrap=...), every call
 * from one kernel file into the page allocator or kmalloc comes here first:
 * freed pages and objects are poisoned, fresh ones unpoisoned, so ASan
 * reports the first touch of freed memory, by the kernel, by the simulated
 * MMU (a stale TLB entry) or by a test.
 *
 * The allocators' own bookkeeping stays addressable: struct page lives in
 * the never-freed descriptor array, and a free kmalloc object keeps its
 * first 8 bytes (the free-list link). Calls inside page.c and kmalloc.c are
 * not wrapped, so kzalloc and kpage_* are re-implemented here on top of the
 * wrapped calls.
 *
 * The same wrapper checks the fence-then-free rule: a page going back to
 * the allocator must be in no TLB entry of the simulated hart; and it can
 * play the page's other holder (mm_host_other_holder, see mm_host.h). */
#include <criterion/criterion.h>
#include <sanitizer/asan_interface.h>
#include <string.h>

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "tests/unit/mm_host.h"

struct page *__real_page_alloc(unsigned order);
void __real_page_put(struct page *pg);
void *__real_kmalloc(size_t size);
void __real_kfree(void *p);

#define SLAB_MIN_SHIFT 4 /* kmalloc.c's smallest class: 16 bytes */
#define SLAB_MAX_SIZE  (PAGE_SIZE / 2)

struct page *__wrap_page_alloc(unsigned order)
{
	struct page *pg = __real_page_alloc(order);
	if (pg)
		ASAN_UNPOISON_MEMORY_REGION(page_kva(pg), PAGE_SIZE << order);
	return pg;
}

struct page *mm_host_other_holder;

/* A page on its way back to the allocator must be in no TLB entry: a hart
 * could read or write it through that entry after its next owner got it
 * (fence, then free). */
static void expect_in_no_tlb(struct page *pg)
{
	u64 pa = page_to_pa(pg), end = pa + (PAGE_SIZE << pg->order);
	for (int i = 0; i < MM_HOST_TLB_SIZE; i++) {
		const struct mm_host_tlb_entry *e = &mm_host_tlb[i];
		if (e->valid && pte_valid(e->pte) && pte_pa(e->pte) >= pa && pte_pa(e->pte) < end)
			cr_assert_fail("page %#lx freed while the TLB still maps it at %#lx: "
				       "freed before the fence",
				       pte_pa(e->pte), e->vpn << PAGE_SHIFT);
	}
}

void __wrap_page_put(struct page *pg)
{
	if (pg == mm_host_other_holder) {
		/* The other holder lets go at the worst moment: just before
		 * the kernel drops its own reference. */
		mm_host_other_holder = NULL;
		__wrap_page_put(pg);
	}
	bool last = page_refcount(pg) == 1;
	void *kva = page_kva(pg);
	size_t size = PAGE_SIZE << pg->order;
	if (last)
		expect_in_no_tlb(pg);
	__real_page_put(pg);
	if (last)
		ASAN_POISON_MEMORY_REGION(kva, size);
}

static size_t slab_object_size(const void *p)
{
	struct page *pg = kva_to_page((void *)PAGE_ROUND_DOWN((u64)p));
	return pg->flags & PG_SLAB ? (size_t)1 << (pg->slab_class + SLAB_MIN_SHIFT) : 0;
}

void *__wrap_kmalloc(size_t size)
{
	void *p = __real_kmalloc(size);
	size_t objsize = p ? slab_object_size(p) : 0;
	if (objsize) {
		/* Only the bytes asked for: an overflow into the rest of the
		 * object is reported too. */
		size_t n = size ? size : 1;
		ASAN_UNPOISON_MEMORY_REGION(p, n);
		ASAN_POISON_MEMORY_REGION((u8 *)p + n, objsize - n);
	}
	return p;
}

void *__wrap_kzalloc(size_t size)
{
	void *p = __wrap_kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void __wrap_kfree(void *p)
{
	if (!p)
		return;
	size_t objsize = slab_object_size(p);
	if (!objsize) {
		__real_kfree(p); /* a page run: page_put poisons it */
		return;
	}
	ASAN_UNPOISON_MEMORY_REGION(p, objsize);
	__real_kfree(p);
	ASAN_POISON_MEMORY_REGION((u8 *)p + sizeof(void *), objsize - sizeof(void *));
}

void *__wrap_kpage_alloc(void)
{
	struct page *pg = __wrap_page_alloc(0);
	return pg ? page_kva(pg) : NULL;
}

void *__wrap_kpage_alloc_zeroed(void)
{
	void *p = __wrap_kpage_alloc();
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void __wrap_kpage_free(void *kva)
{
	__wrap_page_put(kva_to_page(kva));
}
