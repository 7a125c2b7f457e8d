/* The pager wrappers and the mechanisms both pagers share. */
#include "kernel/mm/pager.h"
#include "include/uapi/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/tlb.h"
#include "kernel/mm/vma.h"

int pager_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	mm_assert_locked(mm);
	return mm->pager->mmap(mm, vma, start, end);
}

int pager_mmap_as(struct mm *mm, const struct pager_ops *pager, struct vma *vma, u64 start, u64 end)
{
	mm_assert_locked(mm);
	return pager->mmap(mm, vma, start, end);
}

void pager_mprotect(struct mm *mm, struct vma *vma, u32 old_prot)
{
	mm_assert_locked(mm);
	if (mm->pager->mprotect)
		mm->pager->mprotect(mm, vma, old_prot);
}

void pager_munmap(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	mm_assert_locked(mm);
	if (mm->pager->munmap)
		mm->pager->munmap(mm, vma, start, end);
	else
		mm_unmap_pages(mm, start, end);
}

enum fault_result pager_fault(struct mm *mm, struct vma *vma, u64 va, enum fault_access access)
{
	mm_assert_locked(mm);
	return mm->pager->fault(mm, vma, va, access);
}

bool pager_access_ok(struct mm *mm, u64 addr, u64 len, bool write)
{
	mm_assert_locked(mm);
	if (mm->pager->access_ok)
		return mm->pager->access_ok(mm, addr, len, write);
	return mm_range_covered(mm, addr, len, write);
}

bool mm_range_covered(struct mm *mm, u64 addr, u64 len, bool write)
{
	u64 end = addr + (len ? len : 1);
	if (end < addr || end > MM_USER_TOP)
		return false;
	u32 need = write ? VM_WRITE : VM_READ | VM_WRITE;
	struct vma *v = vma_find(mm, addr);
	while (v && (v->prot & need)) {
		if (v->end >= end)
			return true;
		struct vma *next = vma_next(mm, v);
		if (!next || next->start != v->end)
			return false;
		v = next;
	}
	return false;
}

/* The page a file-backed VMA shows at va: the file's own page for a shared
 * mapping, a private copy otherwise. */
static enum fault_result file_page(struct vma *vma, u64 va, struct page **out)
{
	u64 pgoff = (vma->offset + (va - vma->start)) >> PAGE_SHIFT;
	struct page *fp;
	int err = vma->file.ops->get_page(vma->file.obj, pgoff, &fp);
	if (err == -ENXIO)
		return FAULT_SIGBUS;
	if (err)
		return FAULT_OOM;
	if (vma->shared) {
		*out = fp;
		return FAULT_OK;
	}
	struct page *pg = page_alloc(0);
	if (pg)
		memcpy(page_kva(pg), page_kva(fp), PAGE_SIZE);
	page_put(fp);
	if (!pg)
		return FAULT_OOM;
	*out = pg;
	return FAULT_OK;
}

int pager_populate(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		if (mm_current_killed())
			return -EINTR;
		pte_t *pte = pt_walk(mm->root, va, NULL);
		if (pte && pte_valid(*pte))
			continue;
		enum fault_result r = pager_fill_page(mm, vma, va);
		if (r == FAULT_SIGBUS)
			break; /* past the end of the file: touching it will fault */
		if (r != FAULT_OK)
			return -ENOMEM;
	}
	return 0;
}

enum fault_result pager_fill_page(struct mm *mm, struct vma *vma, u64 va)
{
	struct page *pg;
	if (vma->file.ops) {
		enum fault_result r = file_page(vma, va, &pg);
		if (r != FAULT_OK)
			return r;
	} else {
		pg = page_alloc(0);
		if (!pg)
			return FAULT_OOM;
		memset(page_kva(pg), 0, PAGE_SIZE);
	}
	if (mm_install_page(mm, vma, va, pg, 0) < 0) {
		page_put(pg);
		return FAULT_OOM;
	}
	return FAULT_OK;
}

enum fault_result pager_break_cow(struct mm *mm, struct vma *vma, pte_t *pte, u64 va)
{
	struct page *old = pa_to_page(pte_pa(*pte));
	u64 flags = *pte & PTE_FLAGS_MASK & ~PTE_COW;
	if (vma->prot & VM_WRITE)
		flags |= PTE_W;
	struct tlb_gather tlb;
	tlb_gather_init(&tlb, mm);
	if (page_refcount(old) == 1) {
		/* The other sharers are gone: the page is ours alone. */
		*pte = pte_make(page_to_pa(old), flags);
	} else {
		struct page *pg = page_alloc(0);
		if (!pg)
			return FAULT_OOM;
		memcpy(page_kva(pg), page_kva(old), PAGE_SIZE);
		*pte = pte_make(page_to_pa(pg), flags);
		/* Our reference to the old page goes only after the fence:
		 * if the other sharers let go meanwhile, it would be freed
		 * while a hart may still read it through its TLB. */
		tlb_gather_page(&tlb, old);
	}
	tlb_gather_va(&tlb, va);
	tlb_gather_finish(&tlb);
	return FAULT_OK;
}

void mm_unmap_pages(struct mm *mm, u64 start, u64 end)
{
	struct tlb_gather tlb;
	tlb_gather_init(&tlb, mm);
	/* A level-0 table (2 MiB) at a time; absent tables are skipped. */
	for (u64 va = start; va < end;) {
		u64 table_end = MIN(end, ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1));
		pagetable_t table = pt_leaf_table(mm->root, va);
		u64 table_va = va;
		bool emptied = false;
		for (; table && va < table_end; va += PAGE_SIZE) {
			pte_t *pte = &table[PT_INDEX(va, 0)];
			if (pte_valid(*pte)) {
				struct page *pg = pa_to_page(pte_pa(*pte));
				*pte = 0;
				mm->rss--;
				tlb_gather_va(&tlb, va);
				tlb_gather_page(&tlb, pg);
				emptied = true;
			}
		}
		/* A table left with nothing goes too, so that an mm that maps
		 * and unmaps ever new ranges (the crypto server) never grows. */
		struct page *tables[2];
		int n = emptied ? pt_prune(mm->root, table_va, &mm->pt_pages, tables) : 0;
		for (int i = 0; i < n; i++)
			tlb_gather_table(&tlb, tables[i]);
		va = table_end;
	}
	tlb_gather_finish(&tlb);
}
