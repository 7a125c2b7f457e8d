/* VMA bookkeeping: an address-ordered list. */
#include "kernel/mm/vma.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"

struct vma *vma_alloc(u64 start, u64 end, u32 prot, bool shared, enum vma_role role)
{
	struct vma *v = kzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->shared = shared;
	v->role = role;
	list_init(&v->link);
	return v;
}

void vma_free(struct vma *vma) { kfree(vma); }

struct vma *vma_first(struct mm *mm)
{
	return list_empty(&mm->vmas) ? NULL : list_entry(mm->vmas.next, struct vma, link);
}

struct vma *vma_next(struct mm *mm, struct vma *vma)
{
	return vma->link.next == &mm->vmas ? NULL : list_entry(vma->link.next, struct vma, link);
}

struct vma *vma_find_from(struct mm *mm, u64 addr)
{
	struct vma *v;
	for_each_vma(mm, v)
		if (v->end > addr)
			return v;
	return NULL;
}

struct vma *vma_find(struct mm *mm, u64 addr)
{
	struct vma *v = vma_find_from(mm, addr);
	return v && v->start <= addr ? v : NULL;
}

bool vma_overlaps(struct mm *mm, u64 start, u64 end)
{
	struct vma *v = vma_find_from(mm, start);
	return v && v->start < end;
}

void vma_insert(struct mm *mm, struct vma *vma)
{
	struct vma *next = vma_find_from(mm, vma->start);
	if (next && next->start < vma->end)
		panic("vma_insert: [%p, %p) overlaps", (void *)vma->start, (void *)vma->end);
	list_insert_after(next ? next->link.prev : mm->vmas.prev, &vma->link);
	mm->nvmas++;
}

void vma_remove(struct mm *mm, struct vma *vma)
{
	list_del(&vma->link);
	mm->nvmas--;
}
