/* The pager table and the wrappers every pager call goes through. */
#include "kernel/lib/string.h"
#include "kernel/mm/internal.h"

static const struct pager_ops *const pagers[] = {&lazy_pager, &eager_pager};

const struct pager_ops *pager_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(pagers); i++)
		if (strcmp(pagers[i]->name, name) == 0)
			return pagers[i];
	return NULL;
}

int pager_mmap_as(struct mm *mm, const struct pager_ops *pager, struct vma *vma, u64 start, u64 end)
{
	mm_assert_locked(mm);
	return pager->mmap ? pager->mmap(mm, vma, start, end) : 0;
}

int pager_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	return pager_mmap_as(mm, mm->pager, vma, start, end);
}

void pager_mprotect(struct mm *mm, struct vma *vma, u32 old_prot)
{
	mm_assert_locked(mm);
	if (mm->pager->mprotect)
		mm->pager->mprotect(mm, vma, old_prot);
}
