/* The eager pager: every page a process may touch is filled when it is
 * mapped, so the process takes no fault on it later (only copy-on-write
 * breaks, stale TLB entries, and pages a fill could not get memory for).
 * What cannot be touched gets no frame: a PROT_NONE range (a guard page, a
 * reservation) is filled when mprotect opens it. */
#include "kernel/mm/internal.h"

static int eager_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	if (vma->prot == 0)
		return 0;
	return fault_populate(mm, vma, start, end);
}

static void eager_mprotect(struct mm *mm, struct vma *vma, u32 old_prot)
{
	if (old_prot == 0 && vma->prot != 0)
		fault_populate(mm, vma, vma->start, vma->end);
}

const struct pager_ops eager_pager = {
    .name = "eager",
    .mmap = eager_mmap,
    .mprotect = eager_mprotect,
};
