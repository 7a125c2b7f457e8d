/* The eager pager: mmap fills every page at once, so a fault is a write
 * to a copy-on-write page, a stale TLB entry, or a page that was never
 * filled: past the end of a file, or in a heap grown lazily on request
 * (MNEMO_SBRK_LAZY). */
#include "include/uapi/errno.h"
#include "kernel/mm/pager.h"
#include "kernel/mm/pagetable.h"

static int eager_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		enum fault_result r = pager_fill_page(mm, vma, va);
		if (r == FAULT_SIGBUS)
			break; /* past the end of the file: touching it will fault */
		if (r != FAULT_OK)
			return -ENOMEM;
	}
	return 0;
}

static enum fault_result eager_fault(struct mm *mm, struct vma *vma, u64 va,
				     enum fault_access access)
{
	pte_t *pte = pt_walk(mm->root, va, NULL);
	if (!pte || !pte_valid(*pte)) {
		/* A page past the end of a file, which the fill reports as
		 * FAULT_SIGBUS again, or one of a lazily grown heap. */
		return pager_fill_page(mm, vma, va);
	}
	if (access == FAULT_WRITE && (*pte & PTE_COW))
		return pager_break_cow(mm, pte, va);
	mm_tlb_flush(mm, va);
	return FAULT_OK;
}

const struct pager_ops eager_pager = {
    .name = "eager",
    .mmap = eager_mmap,
    .fault = eager_fault,
};
