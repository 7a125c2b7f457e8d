/* The lazy pager: mmap only records the range; each page is filled on the
 * first touch (demand paging). The default. */
#include "kernel/mm/pager.h"
#include "kernel/mm/pagetable.h"

static int lazy_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	(void)mm, (void)vma, (void)start, (void)end;
	return 0;
}

static enum fault_result lazy_fault(struct mm *mm, struct vma *vma, u64 va,
				    enum fault_access access)
{
	pte_t *pte = pt_walk(mm->root, va, NULL);
	if (!pte || !pte_valid(*pte))
		return pager_fill_page(mm, vma, va);
	if (access == FAULT_WRITE && (*pte & PTE_COW))
		return pager_break_cow(mm, vma, pte, va);
	/* Present and allowed: a stale TLB entry from before a change. */
	mm_tlb_flush(mm, va);
	return FAULT_OK;
}

const struct pager_ops lazy_pager = {
    .name = "lazy",
    .mmap = lazy_mmap,
    .fault = lazy_fault,
};
