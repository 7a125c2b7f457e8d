/* pmap: every change to a user address space's leaf PTEs, and its fences
 * (see pmap.h). Each change that takes a permission or a page away records
 * it in a struct fence_batch; pmap_batch_end fences every hart that may
 * cache one of the old entries, and only then drops the page references
 * the change let go of. That order lives here and nowhere else. */
#include "kernel/mm/pmap.h"
#include "include/uapi/errno.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/swap.h"

static void (*page_copied_hook)(u64 old_pa);

void mm_on_page_copied(void (*fn)(u64 old_pa))
{
	page_copied_hook = fn;
}

/* ---------------------------------------------------------------- batches */

void pmap_batch_begin(struct fence_batch *b, struct mm *mm)
{
	b->mm = mm;
	b->nva = 0;
	b->all = false;
	b->more = NULL;
	b->npages = 0;
}

/* The PTE of page va lost a permission or its page. */
static void batch_va(struct fence_batch *b, u64 va)
{
	if (b->nva < BATCH_VAS)
		b->va[b->nva] = va;
	b->nva++;
}

/* Fences every hart that may cache a recorded PTE, then drops the
 * references; the batch is empty afterwards. */
void pmap_batch_end(struct fence_batch *b)
{
	if (b->all || b->nva > BATCH_VAS)
		mm_tlb_flush(b->mm, MM_FLUSH_ALL);
	else
		for (int i = 0; i < b->nva; i++)
			mm_tlb_flush(b->mm, b->va[i]);
	/* Only now can no hart reach these pages through the old PTEs. */
	for (u64 i = 0; i < b->npages; i++)
		page_put(i < BATCH_PAGES ? b->pages[i] : b->more[i - BATCH_PAGES]);
	if (b->more)
		kpage_free(b->more);
	b->nva = 0;
	b->all = false;
	b->more = NULL;
	b->npages = 0;
}

/* A reference to drop once the recorded addresses are fenced. */
static void batch_page(struct fence_batch *b, struct page *pg)
{
	if (b->npages == BATCH_PAGES && !b->more)
		b->more = kpage_alloc();
	if (b->npages == BATCH_PAGES + (b->more ? BATCH_MORE_PAGES : 0))
		pmap_batch_end(b);
	if (b->npages < BATCH_PAGES)
		b->pages[b->npages++] = pg;
	else
		b->more[b->npages++ - BATCH_PAGES] = pg;
}

/* A page-table page no entry points at any more, to free after a fence of
 * the whole TLB: a hart may cache the walk through it, and a fence that
 * names one address drops only leaf entries. */
static void batch_table(struct fence_batch *b, struct page *table)
{
	batch_page(b, table);
	b->all = true; /* after: an early finish above did not cover it */
}

/* ---------------------------------------------------------------- queries */

u64 pmap_prot_bits(u32 prot)
{
	if (prot == 0)
		return PTE_R;
	u64 bits = PTE_U;
	if (prot & (VM_READ | VM_WRITE))
		bits |= PTE_R; /* W without R is reserved in Sv39 */
	if (prot & VM_WRITE)
		bits |= PTE_W;
	if (prot & VM_EXEC)
		bits |= PTE_X;
	return bits;
}

u32 pmap_pte_prot(pte_t pte)
{
	if (!(pte & PTE_U))
		return 0;
	return (pte & PTE_R ? VM_READ : 0) | (pte & PTE_W ? VM_WRITE : 0) |
	       (pte & PTE_X ? VM_EXEC : 0);
}

__always_inline pte_t pmap_lookup(struct mm *mm, u64 va)
{
	mm_assert_locked(mm);
	pte_t *pte = pt_find(mm->root, va);
	return pte ? *pte : 0;
}

void pmap_count(struct mm *mm, u64 start, u64 end, u64 *resident, u64 *swapped)
{
	mm_assert_locked(mm);
	*resident = *swapped = 0;
	for (u64 va = start; va < end;) {
		u64 table_end = MIN(end, ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1));
		pagetable_t table = pt_leaf_table(mm->root, va);
		for (; table && va < table_end; va += PAGE_SIZE) {
			*resident += pte_valid(table[PT_INDEX(va, 0)]);
			*swapped += pte_is_swap(table[PT_INDEX(va, 0)]);
		}
		va = table_end;
	}
}

u64 pmap_next_present(struct mm *mm, u64 va, u64 end)
{
	mm_assert_locked(mm);
	while (va < end) {
		u64 table_end = MIN(end, ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1));
		pagetable_t table = pt_leaf_table(mm->root, va);
		for (; table && va < table_end; va += PAGE_SIZE)
			if (pte_valid(table[PT_INDEX(va, 0)]))
				return va;
		va = table_end;
	}
	return end;
}

/* ---------------------------------------------------------------- changes */

int pmap_enter(struct mm *mm, u64 va, struct page *pg, u64 bits)
{
	mm_assert_locked(mm);
	pte_t *pte = pt_walk(mm->root, va, &mm->pt_pages);
	if (!pte)
		return -ENOMEM;
	if (*pte)
		panic("pmap_enter: %p already mapped", (void *)va);
	*pte = pte_make(page_to_pa(pg), bits | PTE_V | PTE_A | PTE_D);
	mm->rss++;
	/* No fence: invalid to valid (see pmap.h). */
	return 0;
}

int pmap_enter_pages(struct mm *mm, u64 va, struct page **pages, u64 n, u64 bits)
{
	mm_assert_locked(mm);
	pagetable_t table = NULL;
	for (u64 i = 0; i < n; i++, va += PAGE_SIZE) {
		/* One walk per level-0 table (2 MiB), not per page. */
		if (!table || PT_INDEX(va, 0) == 0) {
			pte_t *pte = pt_walk(mm->root, va, &mm->pt_pages);
			if (!pte)
				return -ENOMEM;
			table = pte - PT_INDEX(va, 0);
		}
		pte_t *pte = &table[PT_INDEX(va, 0)];
		if (*pte)
			panic("pmap_enter_pages: %p already mapped", (void *)va);
		*pte = pte_make(page_to_pa(pages[i]), bits | PTE_V | PTE_A | PTE_D);
		mm->rss++;
		pages[i] = NULL;
	}
	/* No fence: invalid to valid (see pmap.h). */
	return 0;
}

void pmap_protect(struct mm *mm, u64 start, u64 end, u32 prot)
{
	mm_assert_locked(mm);
	u64 bits = pmap_prot_bits(prot);
	struct fence_batch b;
	pmap_batch_begin(&b, mm);
	for (u64 va = start; va < end;) {
		u64 table_end = MIN(end, ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1));
		pagetable_t table = pt_leaf_table(mm->root, va);
		for (; table && va < table_end; va += PAGE_SIZE) {
			pte_t *pte = &table[PT_INDEX(va, 0)];
			if (!pte_valid(*pte))
				continue;
			u64 want = *pte & PTE_COW ? bits & ~PTE_W : bits;
			pte_t new = (*pte & ~(PTE_U | PTE_R | PTE_W | PTE_X)) | want;
			if (new != *pte) {
				*pte = new;
				batch_va(&b, va);
			}
		}
		va = table_end;
	}
	pmap_batch_end(&b);
}

/* The child's entry for a private page of the parent's (see pmap_copy). */
static int copy_private(pte_t *src, pte_t *dst, u64 va, struct fence_batch *b)
{
	struct page *pg = pa_to_page(pte_pa(*src));
	if ((pg->flags & PG_SHARED) && page_refcount(pg) == 1) {
		/* Its other holders let go: the sharing is over, and the page
		 * may be copy-on-write from now on. Else, once in swap, it
		 * would come back writable in both (fault.c). Only a PTE of
		 * the parent's, which is locked, could give it out again. */
		pg->flags &= ~PG_SHARED;
	}
	if ((pg->flags & PG_SHARED) && page_refcount(pg) > 1) {
		struct page *copy = page_alloc(0);
		if (!copy)
			return -ENOMEM;
		memcpy(page_kva(copy), page_kva(pg), PAGE_SIZE);
		*dst = pte_make(page_to_pa(copy), *src & PTE_FLAGS_MASK);
		return 0;
	}
	/* Every private page, writable now or not: a later mprotect may
	 * make it writable, and it must stay private then. */
	if (*src & PTE_W)
		batch_va(b, va);
	*src = (*src & ~PTE_W) | PTE_COW;
	*dst = *src;
	page_get(pg);
	return 0;
}

int pmap_copy(struct mm *parent, struct mm *child, u64 start, u64 end, bool shared, u32 prot,
	      struct fence_batch *b)
{
	mm_assert_locked(parent);
	int err = 0;
	/* A level-0 table (2 MiB) at a time: one walk per table, not page. */
	for (u64 va = start; va < end && !err;) {
		u64 table_end = MIN(end, ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1));
		if (mm_current_killed()) {
			err = -EINTR;
			break;
		}
		pagetable_t src_table = pt_leaf_table(parent->root, va);
		pagetable_t dst_table = NULL;
		for (; src_table && va < table_end && !err; va += PAGE_SIZE) {
			pte_t *src = &src_table[PT_INDEX(va, 0)];
			if (!*src)
				continue;
			if (!dst_table) {
				pte_t *first = pt_walk(child->root, va, &child->pt_pages);
				if (!first) {
					err = -ENOMEM;
					break;
				}
				dst_table = first - PT_INDEX(va, 0);
			}
			pte_t *dst = &dst_table[PT_INDEX(va, 0)];
			if (pte_is_swap(*src) && !shared && swap_slot_shared(pte_swap_slot(*src))) {
				/* A page the parent shares out, in swap: as
				 * copy_private, the child gets a copy. */
				struct page *copy;
				if ((err = swap_copy(pte_swap_slot(*src), &copy)) < 0) {
					err = -ENOMEM; /* fork has no EIO */
					break;
				}
				*dst = pte_make(page_to_pa(copy),
						pmap_prot_bits(prot) | PTE_V | PTE_A | PTE_D);
				child->rss++;
				continue;
			}
			if (pte_is_swap(*src)) {
				/* Both name the slot; whoever faults first reads it
				 * into the swap cache, where the other finds it. */
				*dst = *src;
				swap_dup(pte_swap_slot(*src));
				child->swapped++;
				continue;
			}
			if (shared) {
				*dst = *src;
				page_get(pa_to_page(pte_pa(*src)));
			} else if ((err = copy_private(src, dst, va, b)) < 0) {
				break;
			}
			child->rss++;
		}
		va = table_end;
	}
	return err;
}

/* pmap_unshare when others still hold the page: the copy is ours. Out of
 * line, so that the common case saves no registers for it. */
static __attribute__((noinline)) enum fault_result unshare_copy(struct mm *mm, u64 va, pte_t *pte,
								u64 flags)
{
	struct page *old = pa_to_page(pte_pa(*pte));
	struct page *pg = page_alloc(0);
	if (!pg)
		return FAULT_OOM;
	memcpy(page_kva(pg), page_kva(old), PAGE_SIZE);
	struct fence_batch b;
	pmap_batch_begin(&b, mm);
	*pte = pte_make(page_to_pa(pg), flags);
	/* If the other sharers let go of the old page before the fence, it
	 * must not be freed while a hart may still read it through its
	 * TLB. */
	batch_page(&b, old);
	batch_va(&b, va);
	pmap_batch_end(&b);
	/* A futex waiter of this mm may sleep on the old page's key (it
	 * pinned it before a fork); the word at va lives in the copy now. */
	if (page_copied_hook)
		page_copied_hook(page_to_pa(old));
	return FAULT_OK;
}

enum fault_result pmap_unshare(struct mm *mm, u64 va, bool writable)
{
	mm_assert_locked(mm);
	pte_t *pte = pt_find(mm->root, va);
	if (!pte || !pte_valid(*pte) || !(*pte & PTE_COW))
		panic("pmap_unshare: %p is not copy-on-write", (void *)va);
	struct page *old = pa_to_page(pte_pa(*pte));
	u64 flags = *pte & PTE_FLAGS_MASK & ~PTE_COW;
	if (writable)
		flags |= PTE_W;
	if (page_refcount(old) > 1)
		return unshare_copy(mm, va, pte, flags);
	/* The other sharers are gone: the page is ours alone. The entry only
	 * gains permissions, so no fence and nothing to drop: a hart that
	 * still caches the read-only one takes one more fault, which finds
	 * the PTE writable and fences (fault_resolve). */
	*pte = pte_make(page_to_pa(old), flags);
	return FAULT_OK;
}

void pmap_destroy_range(struct mm *mm, u64 start, u64 end)
{
	mm_assert_locked(mm);
	assert(__atomic_load_n(&mm->users, __ATOMIC_ACQUIRE) == 0);
	u64 span = PT_LEVEL_SIZE(1);
	for (u64 va = start; va < end;) {
		u64 table_end = MIN(end, ALIGN_DOWN(va, span) + span);
		pagetable_t table = pt_leaf_table(mm->root, va);
		for (; table && va < table_end; va += PAGE_SIZE) {
			pte_t *pte = &table[PT_INDEX(va, 0)];
			if (pte_valid(*pte))
				page_put(pa_to_page(pte_pa(*pte)));
			else if (pte_is_swap(*pte))
				swap_put(pte_swap_slot(*pte));
			*pte = 0;
		}
		va = table_end;
	}
}

void pmap_replace_page(struct mm *mm, u64 va, struct page *pg)
{
	mm_assert_locked(mm);
	pte_t *pte = pt_find(mm->root, va);
	if (!pte || !pte_valid(*pte))
		panic("pmap_replace_page: %p is not mapped", (void *)va);
	struct page *old = pa_to_page(pte_pa(*pte));
	*pte = pte_make(page_to_pa(pg), *pte & PTE_FLAGS_MASK);
	/* One address and one page: no batch. Fence, then free. */
	mm_tlb_flush(mm, va);
	page_put(old);
}

void pmap_remove(struct mm *mm, u64 start, u64 end, u64 lo, u64 hi)
{
	mm_assert_locked(mm);
	struct fence_batch b;
	pmap_batch_begin(&b, mm);
	u64 span = PT_LEVEL_SIZE(1);
	for (u64 va = start; va < end;) {
		u64 table_va = ALIGN_DOWN(va, span);
		u64 table_end = MIN(end, table_va + span);
		pagetable_t table = pt_leaf_table(mm->root, va);
		for (; table && va < table_end; va += PAGE_SIZE) {
			pte_t *pte = &table[PT_INDEX(va, 0)];
			if (pte_is_swap(*pte)) {
				/* Nothing a hart can cache: no fence. */
				swap_put(pte_swap_slot(*pte));
				*pte = 0;
				mm->swapped--;
				continue;
			}
			if (!pte_valid(*pte))
				continue;
			struct page *pg = pa_to_page(pte_pa(*pte));
			*pte = 0;
			mm->rss--;
			batch_va(&b, va);
			batch_page(&b, pg);
		}
		/* A table no VMA can use goes too, so that an mm that maps
		 * and unmaps ever new ranges (the crypto server) never grows. */
		if (table && table_va >= lo && table_va + span <= hi) {
			struct page *tables[2];
			int n = pt_prune(mm->root, table_va, &mm->pt_pages, tables);
			for (int i = 0; i < n; i++)
				batch_table(&b, tables[i]);
		}
		va = table_end;
	}
	pmap_batch_end(&b);
}

int pmap_swap_in(struct mm *mm, u64 va, struct page *pg, u64 bits)
{
	mm_assert_locked(mm);
	pte_t *pte = pt_find(mm->root, va);
	if (!pte || !pte_is_swap(*pte))
		panic("pmap_swap_in: %p is not swapped out", (void *)va);
	*pte = pte_make(page_to_pa(pg), bits | PTE_V | PTE_A | PTE_D);
	mm->swapped--;
	mm->rss++;
	/* No fence: invalid to valid (see pmap.h). */
	return 0;
}

void pmap_swap_out(struct mm *mm, u64 va, u64 slot)
{
	mm_assert_locked(mm);
	pte_t *pte = pt_find(mm->root, va);
	if (!pte || !pte_valid(*pte))
		panic("pmap_swap_out: %p is not mapped", (void *)va);
	struct fence_batch b;
	pmap_batch_begin(&b, mm);
	struct page *pg = pa_to_page(pte_pa(*pte));
	*pte = pte_swap_make(slot);
	mm->rss--;
	mm->swapped++;
	batch_va(&b, va);
	batch_page(&b, pg);
	pmap_batch_end(&b);
}

bool pmap_young(struct mm *mm, u64 va)
{
	mm_assert_locked(mm);
	pte_t *pte = pt_find(mm->root, va);
	if (!pte || !pte_valid(*pte) || !(*pte & PTE_A))
		return false;
	/* No fence: a hart that still caches the entry uses the page without
	 * setting A again, and the page only looks older than it is. */
	*pte &= ~PTE_A;
	return true;
}

void pmap_sync(struct mm *mm, u64 va)
{
	mm_assert_locked(mm);
	mm_tlb_flush_local(mm, va);
}
