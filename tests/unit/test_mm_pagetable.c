/* Specification of the Sv39 page-table mechanics (kernel/mm/pagetable.c,
 * pte.h): three levels of 512 entries; pt_walk finds, and on request
 * creates, the level-0 entry of an address; pt_map_range maps with the
 * largest leaves alignment allows; pt_free_tables gives back every
 * intermediate table. Every table created is counted, and the counts and
 * page_free_count() return exactly to where they were. */
#include <criterion/criterion.h>
#include <signal.h>

#include "kernel/mm/page.h"
#include "kernel/mm/pagetable.h"
#include "tests/unit/mm_host.h"
#include "tests/unit/mm_test.h"

#define GIB  (1UL << 30)
#define MIB2 (1UL << 21)

static u64 free0, count;
static pagetable_t root;

static void setup(void)
{
	mm_host_boot(HOST_PHYS_PAGES);
	free0 = page_free_count();
	count = 0;
	root = pt_alloc(&count);
	cr_assert_not_null(root);
}

static void teardown(void)
{
	mm_host_halt();
}

TestSuite(pagetable, .init = setup, .fini = teardown);

/* The entry for va at the given level, by hand, or NULL if a table above
 * it is missing. */
static pte_t *entry_at(u64 va, int level)
{
	pagetable_t pt = root;
	for (int l = PT_LEVELS - 1; l > level; l--) {
		pte_t e = pt[PT_INDEX(va, l)];
		if (!pte_valid(e) || pte_leaf(e))
			return NULL;
		pt = mm_pa_to_kva(pte_pa(e));
	}
	return &pt[PT_INDEX(va, level)];
}

static void free_root(void)
{
	pt_free_tables(root, 0, PT_ENTRIES - 1, &count);
	pt_free(root, &count);
	cr_assert_eq(count, 0);
	cr_assert_eq(page_free_count(), free0);
	cr_assert_eq(pt_pages_total(), 0);
}

/* Clears every leaf below va..va+size at the given level. */
static void clear_leaves(u64 va, u64 size, int level)
{
	for (u64 a = va; a < va + size; a += PT_LEVEL_SIZE(level))
		*entry_at(a, level) = 0;
}

Test(pagetable, pte_helpers_round_trip)
{
	u64 pa = 0x80123000UL;
	pte_t pte = pte_make(pa, PTE_V | PTE_R | PTE_U | PTE_COW);

	cr_assert_eq(pte_pa(pte), pa);
	cr_assert_eq(pte & PTE_FLAGS_MASK, PTE_V | PTE_R | PTE_U | PTE_COW);
	cr_assert_eq(pte >> 10, pa >> 12, "PPN in bits 10 and up");
	cr_assert(pte_valid(pte));
	cr_assert(pte_leaf(pte));
	cr_assert(!pte_leaf(pte_make(pa, PTE_V)), "V alone points to a table");
	cr_assert(!pte_valid(pte & ~PTE_V));
	cr_assert_eq(PT_INDEX(0x3fffffffffUL, 2), 255);
	cr_assert_eq(PT_INDEX(0x40201000UL, 2), 1);
	cr_assert_eq(PT_INDEX(0x40201000UL, 1), 1);
	cr_assert_eq(PT_INDEX(0x40201000UL, 0), 1);
}

Test(pagetable, a_new_table_is_zeroed_and_counted)
{
	cr_assert_eq(count, 1);
	cr_assert_eq(pt_pages_total(), 1);
	cr_assert_eq(page_free_count(), free0 - 1);
	for (int i = 0; i < PT_ENTRIES; i++)
		cr_assert_eq(root[i], 0, "entry %d", i);
	free_root();
}

Test(pagetable, walking_without_a_count_never_allocates)
{
	cr_assert_null(pt_walk(root, 0x12345000UL, NULL));
	cr_assert_eq(count, 1);
	cr_assert_eq(page_free_count(), free0 - 1);
	free_root();
}

Test(pagetable, walking_with_a_count_creates_the_two_missing_tables)
{
	u64 va = 0x12345000UL;
	pte_t *pte = pt_walk(root, va, &count);

	cr_assert_not_null(pte);
	cr_assert_eq(*pte, 0);
	cr_assert_eq(count, 3);
	cr_assert_eq(page_free_count(), free0 - 3);
	cr_assert_eq(pte, entry_at(va, 0), "the level-0 entry of va");
	cr_assert_eq(root[PT_INDEX(va, 2)] & PTE_FLAGS_MASK, PTE_V, "a table pointer is V only");

	/* Found again without creating anything, by both kinds of walk. */
	cr_assert_eq(pt_walk(root, va, NULL), pte);
	cr_assert_eq(pt_walk(root, va, &count), pte);
	cr_assert_eq(count, 3);
	/* The same 2 MiB: same table. Another 2 MiB: one more. Another GiB: two. */
	cr_assert_eq(pt_walk(root, va + PAGE_SIZE, &count), pte + 1);
	cr_assert_eq(count, 3);
	cr_assert_not_null(pt_walk(root, va + MIB2, &count));
	cr_assert_eq(count, 4);
	cr_assert_not_null(pt_walk(root, va + GIB, &count));
	cr_assert_eq(count, 6);
	free_root();
}

Test(pagetable, walking_through_a_huge_leaf_panics, .signal = SIGABRT)
{
	pt_map_range(root, GIB, GIB, GIB, PTE_R, /*huge=*/true, &count);
	pt_walk(root, GIB + PAGE_SIZE, NULL);
}

/* 1 GiB + 2 MiB + 4 KiB at an address and a physical address aligned to
 * 1 GiB: one leaf of each size, and just the tables the small two need. */
Test(pagetable, huge_mapping_uses_the_largest_leaf_alignment_allows)
{
	u64 va = 2 * GIB, pa = 0x80000000UL, size = GIB + MIB2 + PAGE_SIZE;

	cr_assert_eq(pt_map_range(root, va, pa, size, PTE_R | PTE_W, /*huge=*/true, &count), 0);
	cr_assert_eq(count, 3, "a level-1 table for the 2 MiB leaf, a level-0 one for 4 KiB");

	pte_t l2 = *entry_at(va, 2), l1 = *entry_at(va + GIB, 1),
	      l0 = *entry_at(va + GIB + MIB2, 0);
	u64 want = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	cr_assert_eq(l2 & PTE_FLAGS_MASK, want);
	cr_assert_eq(pte_pa(l2), pa);
	cr_assert_eq(l1 & PTE_FLAGS_MASK, want);
	cr_assert_eq(pte_pa(l1), pa + GIB);
	cr_assert_eq(l0 & PTE_FLAGS_MASK, want);
	cr_assert_eq(pte_pa(l0), pa + GIB + MIB2);
	cr_assert_eq(*entry_at(va + GIB + MIB2 + PAGE_SIZE, 0), 0, "nothing past the end");

	clear_leaves(va, GIB, 2);
	clear_leaves(va + GIB, MIB2, 1);
	clear_leaves(va + GIB + MIB2, PAGE_SIZE, 0);
	free_root();
}

/* The physical side decides too: 2 MiB alignment of pa gives 2 MiB leaves
 * even where va would allow 1 GiB. */
Test(pagetable, huge_mapping_respects_physical_alignment)
{
	u64 va = GIB, pa = 0x80200000UL;

	cr_assert_eq(pt_map_range(root, va, pa, GIB, PTE_R, /*huge=*/true, &count), 0);
	cr_assert_eq(count, 2, "one level-1 table holding 512 leaves of 2 MiB");
	for (u64 i = 0; i < 512; i++) {
		pte_t e = *entry_at(va + i * MIB2, 1);
		cr_assert(pte_leaf(e), "2 MiB leaf %lu", i);
		cr_assert_eq(pte_pa(e), pa + i * MIB2);
	}
	clear_leaves(va, GIB, 1);
	free_root();
}

Test(pagetable, small_mapping_uses_only_4k_leaves)
{
	u64 va = GIB, pa = 0x80000000UL, size = 2 * MIB2;

	cr_assert_eq(pt_map_range(root, va, pa, size, PTE_R | PTE_X, /*huge=*/false, &count), 0);
	cr_assert_eq(count, 4, "a level-1 table and two level-0 tables");
	for (u64 a = va; a < va + size; a += PAGE_SIZE) {
		pte_t *e = pt_walk(root, a, NULL);
		cr_assert_not_null(e);
		cr_assert_eq(pte_pa(*e), pa + (a - va));
		cr_assert_eq(*e & PTE_FLAGS_MASK, PTE_V | PTE_R | PTE_X | PTE_A | PTE_D);
	}
	clear_leaves(va, size, 0);
	free_root();
}

Test(pagetable, free_tables_gives_back_every_table_in_the_range)
{
	rng_seed(5);
	for (int i = 0; i < 300; i++) {
		u64 va = rng_below(MM_USER_TOP) & ~(PAGE_SIZE - 1);
		cr_assert_not_null(pt_walk(root, va, &count));
	}
	cr_assert_gt(count, 300);
	cr_assert_eq(page_free_count(), free0 - count);
	cr_assert_eq(pt_pages_total(), count);

	pt_free_tables(root, 0, 255, &count);
	cr_assert_eq(count, 1, "only the root is left");
	for (int i = 0; i < PT_ENTRIES; i++)
		cr_assert_eq(root[i], 0, "entry %d still set", i);
	free_root();
}

Test(pagetable, free_tables_leaves_entries_outside_its_range)
{
	pt_walk(root, 0x1000, &count);		   /* level-2 slot 0 */
	pt_walk(root, 300 * GIB + 0x1000, &count); /* slot 300 */

	pt_free_tables(root, 0, 255, &count);
	cr_assert_eq(count, 3);
	cr_assert_eq(root[0], 0);
	cr_assert(pte_valid(root[300]));
	free_root();
}

Test(pagetable, free_tables_panics_on_a_leaf_left_behind, .signal = SIGABRT)
{
	pte_t *e = pt_walk(root, 0x5000, &count);
	*e = pte_make(0x80000000UL, PTE_V | PTE_R | PTE_U);
	pt_free_tables(root, 0, 255, &count);
}

Test(pagetable, out_of_memory_in_a_walk_returns_null)
{
	static struct page *hog[HOST_PHYS_PAGES];
	size_t n = 0;
	struct page *pg;

	while ((pg = page_alloc(0)))
		hog[n++] = pg;
	cr_assert_null(pt_walk(root, 0x7000, &count));
	cr_assert_eq(pt_map_range(root, GIB, 0x80000000UL, PAGE_SIZE, PTE_R, false, &count),
		     -ENOMEM);
	page_put(hog[--n]); /* one table: still not enough for a walk */
	cr_assert_null(pt_walk(root, 0x7000, &count));
	for (size_t i = 0; i < n; i++)
		page_put(hog[i]);
	cr_assert_not_null(pt_walk(root, 0x7000, &count));
	free_root();
}
