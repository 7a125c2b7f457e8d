/* The eager pager: mmap fills every page the process may touch at once,
 * so a fault is a write to a copy-on-write page, a stale TLB entry, or a
 * page that was never filled: past the end of a file, one a fill had no
 * memory for, or in a heap grown lazily on request (MNEMO_SBRK_LAZY). */
#include "kernel/mm/pager.h"
#include "kernel/mm/pagetable.h"

/* What the process can touch is filled now; a PROT_NONE range (a guard
 * page, a reservation) waits until mprotect opens it. Shared anonymous
 * memory is the exception: mm_mmap fills it whatever its protection. */
static int eager_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	if (vma->prot == 0)
		return 0;
	return pager_populate(mm, vma, start, end);
}

static void eager_mprotect(struct mm *mm, struct vma *vma, u32 old_prot)
{
	if (old_prot == 0 && vma->prot != 0)
		pager_populate(mm, vma, vma->start, vma->end);
}

static enum fault_result eager_fault(struct mm *mm, struct vma *vma, u64 va,
				     enum fault_access access)
{
	pte_t *pte = pt_walk(mm->root, va, NULL);
	if (!pte || !pte_valid(*pte)) {
		/* Missing: a page past the end of a file (the fill says
		 * FAULT_SIGBUS again), one a fill had no memory for, or one
		 * of a lazily grown heap. */
		return pager_fill_page(mm, vma, va);
	}
	if (access == FAULT_WRITE && (*pte & PTE_COW))
		return pager_break_cow(mm, vma, pte, va);
	mm_tlb_flush(mm, va);
	return FAULT_OK;
}

const struct pager_ops eager_pager = {
    .name = "eager",
    .mmap = eager_mmap,
    .mprotect = eager_mprotect,
    .fault = eager_fault,
};
