/* The set of VMAs of an mm: an address-ordered list for walking, and a
 * red-black tree over the same VMAs for O(log n) lookup, augmented with a
 * bound on the free gaps in each subtree for placement in O(log n),
 * amortised. Internal to
 * kernel/mm. mm->lock must be held for all of these but vma_alloc,
 * vma_dup, vma_set_backing and vma_free, which touch no mm; those that
 * change the set assert it. Lookups do not: their callers, which act on
 * the answer and so must hold the lock, assert it themselves, and a test
 * or a debugger may look without it. */
#ifndef KERNEL_MM_VMA_H
#define KERNEL_MM_VMA_H

#include "kernel/mm/mm.h"

struct vma *vma_alloc(u64 start, u64 end, u32 prot, bool shared, enum vma_role role);
/* Makes vma map b (may be NULL: anonymous) from offset; takes a reference. */
void vma_set_backing(struct vma *vma, const struct vm_backing *b, u64 offset);
/* A copy of v's attributes and backing, in no mm. */
struct vma *vma_dup(const struct vma *v);
/* Frees vma and drops its backing's reference. */
void vma_free(struct vma *vma);

/* The VMA containing addr, or NULL. */
struct vma *vma_find(struct mm *mm, u64 addr);
/* The first VMA ending above addr (containing it or after it), or NULL. */
struct vma *vma_find_from(struct mm *mm, u64 addr);
struct vma *vma_first(struct mm *mm);
struct vma *vma_last(struct mm *mm);
struct vma *vma_next(struct mm *mm, struct vma *vma);
struct vma *vma_prev(struct mm *mm, struct vma *vma);
/* Does any VMA overlap [start, end)? */
bool vma_overlaps(struct mm *mm, u64 start, u64 end);
/* Adds vma, which must not overlap any other. */
void vma_insert(struct mm *mm, struct vma *vma);
void vma_remove(struct mm *mm, struct vma *vma);
/* Moves vma's bounds; the new range must not overlap a neighbour. */
void vma_adjust(struct mm *mm, struct vma *vma, u64 start, u64 end);
/* The lowest address a in [low, high) with [a, a+len) free, or 0. It
 * remembers where it ended (mm->place_*), so mm->lock must be held. */
u64 vma_find_gap(struct mm *mm, u64 len, u64 low, u64 high);
/* The highest such address, or 0. It may lower the tree's bounds, so
 * mm->lock must be held here too. */
u64 vma_find_gap_top(struct mm *mm, u64 len, u64 low, u64 high);
/* Splits v at addr (strictly inside it): v keeps [start, addr), a new VMA
 * takes [addr, end). Returns the new VMA, or NULL when out of memory. */
struct vma *vma_split(struct mm *mm, struct vma *v, u64 addr);
/* Joins alike neighbours among the VMAs touching [start, end], so that
 * mprotect and mmap leave no needless splits behind. */
void vma_merge_range(struct mm *mm, u64 start, u64 end);
/* Joins v with its neighbours where alike (v may be freed), finding
 * them on the list, not in the tree: for mmap's new VMA. */
void vma_merge_neighbours(struct mm *mm, struct vma *v);
/* Do VMAs that allow the access cover every byte of [addr, addr+len)
 * (addr alone when len is 0)? Writable implies readable. */
bool vma_covers(struct mm *mm, u64 addr, u64 len, bool write);
/* The same answer without the lock, when it is yes and [addr, addr+len)
 * lies inside the one VMA that vma_covers last found and no VMA has
 * changed since; false when it cannot tell (ask vma_covers). */
bool vma_covers_unlocked(struct mm *mm, u64 addr, u64 len, bool write);
/* Sets v's protection (its PTEs are the caller's). */
void vma_set_prot(struct mm *mm, struct vma *v, u32 prot);

/* Checks the tree, the list, the gaps and their bounds, ordering and placement's rule
 * (mm->place_*); false if broken. */
bool vma_validate(struct mm *mm);

#define for_each_vma(mm, v) for (v = vma_first(mm); v; v = vma_next(mm, v))

#endif
