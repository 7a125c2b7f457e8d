/* Page-table pages: walking, creating and freeing Sv39 tables. The callers
 * (mm.c, kmap) decide what the entries mean and when to fence. */
#ifndef KERNEL_MM_PAGETABLE_H
#define KERNEL_MM_PAGETABLE_H

#include "kernel/mm/pte.h"

/* A zeroed page-table page, or NULL; *count (may be NULL) is incremented. */
pagetable_t pt_alloc(u64 *count);
void pt_free(pagetable_t pt, u64 *count);

/* The level-0 entry for va. With count != NULL, missing intermediate
 * tables are created (and counted); returns NULL when one is missing and
 * count is NULL, or when memory runs out. */
pte_t *pt_walk(pagetable_t root, u64 va, u64 *count);

/* The level-0 table that maps va (the 2 MiB around it), or NULL if there
 * is none (or a larger leaf maps it): for walking a range a table at a
 * time. Inline, as pt_find: a fault looks up a PTE several times, and
 * under QEMU each call and return costs a lookup of translated code. */
static __always_inline pagetable_t pt_leaf_table(pagetable_t root, u64 va)
{
	pte_t l2 = root[PT_INDEX(va, 2)];
	if (!pte_valid(l2) || pte_leaf(l2))
		return NULL;
	pte_t l1 = ((pagetable_t)mm_pa_to_kva(pte_pa(l2)))[PT_INDEX(va, 1)];
	return pte_valid(l1) && !pte_leaf(l1) ? mm_pa_to_kva(pte_pa(l1)) : NULL;
}

/* The level-0 entry for va, or NULL if no table holds one: pt_walk that
 * creates nothing. */
static __always_inline pte_t *pt_find(pagetable_t root, u64 va)
{
	pagetable_t table = pt_leaf_table(root, va);
	return table ? &table[PT_INDEX(va, 0)] : NULL;
}

/* Maps [va, va+size) to [pa, ...) with perm | PTE_V | PTE_A | PTE_D, using
 * the largest leaves alignment allows when huge is true. Kernel use only;
 * 0 or -ENOMEM. */
int pt_map_range(pagetable_t root, u64 va, u64 pa, u64 size, u64 perm, bool huge, u64 *count);

/* Frees the intermediate tables under root's entries [first, last] (level 2
 * indices), which must hold no leaves any more, and clears those entries. */
void pt_free_tables(pagetable_t root, int first, int last, u64 *count);

/* Unhooks the level-0 table that maps va if it maps nothing any more, and
 * then the level-1 table above it if that is left empty. An unhooked
 * table stops being counted (in *count and the total) and is returned in
 * out[] as a plain page that still holds its reference: the caller frees
 * it once no hart can be walking it (after a full fence). Returns how
 * many (0, 1 or 2). */
struct page;
int pt_prune(pagetable_t root, u64 va, u64 *count, struct page *out[2]);

/* Pages used as page tables, over the whole system. */
u64 pt_pages_total(void);

#endif
