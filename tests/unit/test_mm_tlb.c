/* Specification of the fence-then-free rule (kernel/mm/tlb.c), under both
 * pagers: a page whose PTE is removed or replaced goes back to the
 * allocator only after the TLB fence, even when another holder of the page
 * lets go of it in between. The other holder (a process on another hart)
 * is played by mm_host_other_holder; the wrapped page_put fails the test
 * when a page is freed while the simulated TLB still maps it. */
#include <criterion/criterion.h>

#include "kernel/mm/share.h"
#include "tests/unit/mm_test.h"

#define BASE 0x10000000UL

static struct mm *mm, *child;

static void teardown(void)
{
	test_end_mm(&child);
	test_end_mm(&mm);
	test_end();
}

static struct page *page_at(struct mm *m, u64 va)
{
	pte_t *pte = mm_host_pte(m, va);
	cr_assert(pte && pte_valid(*pte), "nothing mapped at %#lx", va);
	return pa_to_page(pte_pa(*pte));
}

/* A reference of the test's own to pg, standing for the other holder. */
static void share_with_other_hart(struct page *pg)
{
	page_get(pg);
	mm_host_other_holder = pg;
}

TEST_BOTH_PAGERS(tlb, munmap_frees_after_the_fence, .fini = teardown)
{
	/* w -> . while another holder drops the page: freed after the fence */
	mm = test_start(pager);
	MAP_AT(mm, BASE, PG, RW);
	EXPECT_WRITE(mm, BASE, 7); /* the TLB caches the PTE */
	share_with_other_hart(page_at(mm, BASE));

	cr_assert_eq(mm_munmap(mm, BASE, PG), 0);
	cr_assert_null(mm_host_other_holder, "the other holder let go");
	EXPECT_PICTURE(pte, mm, BASE, ".");
}

TEST_BOTH_PAGERS(tlb, copy_on_write_frees_the_old_page_after_the_fence, .fini = teardown)
{
	/* c -> w (a copy) while the other sharer drops the old page */
	mm = test_start(pager);
	MAP_AT(mm, BASE, PG, RW);
	EXPECT_WRITE(mm, BASE, 7);
	child = mm_fork(mm);
	cr_assert_not_null(child);
	struct page *old = page_at(mm, BASE);
	page_get(old);
	test_drop_mm(&child); /* the sharer is now only the other hart */
	mm_host_other_holder = old;
	EXPECT_READ(mm, BASE, 7); /* the TLB caches the read-only PTE */

	EXPECT_WRITE(mm, BASE, 8); /* refcount 2: copies, drops the old one */
	cr_assert_null(mm_host_other_holder, "the other holder let go");
	cr_assert_neq(page_at(mm, BASE), old);
	EXPECT_PICTURE(pte, mm, BASE, "w");
	EXPECT_READ(mm, BASE, 8);
}

TEST_BOTH_PAGERS(tlb, unmap_shared_frees_after_the_fence, .fini = teardown)
{
	/* a page shared in from another mm is unmapped while its source
	 * drops it */
	mm = test_start(pager);
	child = test_new_mm();
	MAP_AT(child, BASE, PG, RW);
	EXPECT_WRITE(child, BASE, 5);
	mm_host_load(mm);
	long at = map_shared_pages(child, mm, BASE, PG);
	cr_assert_geq(at, 0);
	EXPECT_READ(mm, (u64)at, 5);
	struct page *pg = page_at(mm, (u64)at);
	test_drop_mm(&child); /* the source is gone: two holders left */
	share_with_other_hart(pg);

	cr_assert_eq(unmap_shared_pages(mm, (u64)at, PG), 0);
	cr_assert_null(mm_host_other_holder, "the other holder let go");
}
