/* Sv39 page-table mechanics, independent of what the mappings mean. */
#include "kernel/mm/pagetable.h"
#include "include/uapi/errno.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/page.h"

static u64 pt_total; /* atomic */

pagetable_t pt_alloc(u64 *count)
{
	struct page *pg = page_alloc(0);
	if (!pg)
		return NULL;
	pg->flags |= PG_PAGETABLE;
	pagetable_t pt = page_kva(pg);
	memset(pt, 0, PAGE_SIZE);
	if (count)
		(*count)++;
	__atomic_fetch_add(&pt_total, 1, __ATOMIC_RELAXED);
	return pt;
}

void pt_free(pagetable_t pt, u64 *count)
{
	struct page *pg = kva_to_page(pt);
	pg->flags &= ~PG_PAGETABLE;
	if (count)
		(*count)--;
	__atomic_fetch_sub(&pt_total, 1, __ATOMIC_RELAXED);
	page_put(pg);
}

u64 pt_pages_total(void)
{
	return __atomic_load_n(&pt_total, __ATOMIC_RELAXED);
}

pte_t *pt_walk(pagetable_t root, u64 va, u64 *count)
{
	pagetable_t pt = root;
	for (int level = PT_LEVELS - 1; level > 0; level--) {
		pte_t *pte = &pt[PT_INDEX(va, level)];
		if (pte_valid(*pte)) {
			if (pte_leaf(*pte))
				panic("pt_walk: huge leaf at %p", (void *)va);
			pt = mm_pa_to_kva(pte_pa(*pte));
			continue;
		}
		if (!count)
			return NULL;
		pagetable_t next = pt_alloc(count);
		if (!next)
			return NULL;
		*pte = pte_make(mm_kva_to_pa(next), PTE_V);
		pt = next;
	}
	return &pt[PT_INDEX(va, 0)];
}

/* No valid entry and no swap entry: nothing left to map or to free. */
static bool table_empty(pagetable_t pt)
{
	for (int i = 0; i < PT_ENTRIES; i++)
		if (pt[i])
			return false;
	return true;
}

/* Clears *entry, which points at table pt, and hands pt out uncounted. */
static struct page *unhook(pte_t *entry, pagetable_t pt, u64 *count)
{
	*entry = 0;
	struct page *pg = kva_to_page(pt);
	pg->flags &= ~PG_PAGETABLE;
	if (count)
		(*count)--;
	__atomic_fetch_sub(&pt_total, 1, __ATOMIC_RELAXED);
	return pg;
}

int pt_prune(pagetable_t root, u64 va, u64 *count, struct page *out[2])
{
	pte_t *l2 = &root[PT_INDEX(va, 2)];
	if (!pte_valid(*l2) || pte_leaf(*l2))
		return 0;
	pagetable_t l1_table = mm_pa_to_kva(pte_pa(*l2));
	pte_t *l1 = &l1_table[PT_INDEX(va, 1)];
	if (!pte_valid(*l1) || pte_leaf(*l1))
		return 0;
	pagetable_t l0_table = mm_pa_to_kva(pte_pa(*l1));
	if (!table_empty(l0_table))
		return 0;
	out[0] = unhook(l1, l0_table, count);
	if (!table_empty(l1_table))
		return 1;
	out[1] = unhook(l2, l1_table, count);
	return 2;
}

/* Installs one leaf of the given level, creating tables above it. */
static int map_leaf(pagetable_t root, u64 va, u64 pa, int leaf_level, u64 flags, u64 *count)
{
	pagetable_t pt = root;
	for (int level = PT_LEVELS - 1; level > leaf_level; level--) {
		pte_t *pte = &pt[PT_INDEX(va, level)];
		if (!pte_valid(*pte)) {
			pagetable_t next = pt_alloc(count);
			if (!next)
				return -ENOMEM;
			*pte = pte_make(mm_kva_to_pa(next), PTE_V);
		} else if (pte_leaf(*pte)) {
			panic("map_leaf: %p already mapped by a huge leaf", (void *)va);
		}
		pt = mm_pa_to_kva(pte_pa(*pte));
	}
	pt[PT_INDEX(va, leaf_level)] = pte_make(pa, flags);
	return 0;
}

int pt_map_range(pagetable_t root, u64 va, u64 pa, u64 size, u64 perm, bool huge, u64 *count)
{
	u64 flags = perm | PTE_V | PTE_A | PTE_D;
	u64 end = va + size;
	while (va < end) {
		int level = 0;
		if (huge)
			for (level = 2; level > 0; level--) {
				u64 sz = PT_LEVEL_SIZE(level);
				if ((va & (sz - 1)) == 0 && (pa & (sz - 1)) == 0 && end - va >= sz)
					break;
			}
		int err = map_leaf(root, va, pa, level, flags, count);
		if (err)
			return err;
		va += PT_LEVEL_SIZE(level);
		pa += PT_LEVEL_SIZE(level);
	}
	return 0;
}

static void free_subtree(pagetable_t pt, int level, u64 *count)
{
	for (int i = 0; i < PT_ENTRIES; i++) {
		pte_t pte = pt[i];
		if (!pte_valid(pte))
			continue;
		if (pte_leaf(pte) || level == 0)
			panic("pt_free_tables: leaf still mapped");
		free_subtree(mm_pa_to_kva(pte_pa(pte)), level - 1, count);
	}
	pt_free(pt, count);
}

void pt_free_tables(pagetable_t root, int first, int last, u64 *count)
{
	for (int i = first; i <= last; i++) {
		pte_t pte = root[i];
		if (!pte_valid(pte))
			continue;
		if (pte_leaf(pte))
			panic("pt_free_tables: huge leaf in user half");
		free_subtree(mm_pa_to_kva(pte_pa(pte)), PT_LEVELS - 2, count);
		root[i] = 0;
	}
}
