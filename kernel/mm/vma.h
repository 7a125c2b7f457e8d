/* The set of VMAs of an mm, ordered by address. mm->lock held for all. */
#ifndef KERNEL_MM_VMA_H
#define KERNEL_MM_VMA_H

#include "kernel/mm/mm.h"

struct vma *vma_alloc(u64 start, u64 end, u32 prot, bool shared, enum vma_role role);
void vma_free(struct vma *vma);

/* The VMA containing addr, or NULL. */
struct vma *vma_find(struct mm *mm, u64 addr);
/* The first VMA ending above addr (containing it or after it), or NULL. */
struct vma *vma_find_from(struct mm *mm, u64 addr);
struct vma *vma_first(struct mm *mm);
struct vma *vma_next(struct mm *mm, struct vma *vma);
/* Does any VMA overlap [start, end)? */
bool vma_overlaps(struct mm *mm, u64 start, u64 end);
/* Adds vma, which must not overlap any other. */
void vma_insert(struct mm *mm, struct vma *vma);
void vma_remove(struct mm *mm, struct vma *vma);

#define for_each_vma(mm, v) for (v = vma_first(mm); v; v = vma_next(mm, v))

#endif
