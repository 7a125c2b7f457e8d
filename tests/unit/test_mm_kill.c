/* Specification of kernel/mm when the caller is killed in the middle of a
 * long operation (mm_current_killed(), played by mm_host_kill_after): the
 * loops that fill, share or copy page after page stop with -EINTR instead
 * of taking the rest of memory for a process that is about to exit, and
 * leave nothing behind:
 *
 *   - eager mmap and sbrk give back the pages they had filled;
 *   - map_shared_pages and mm_pin_range stop before taking more;
 *   - fork stops (NULL) and the half-made child is freed. */
#include <criterion/criterion.h>

#include "kernel/mm/share.h"
#include "tests/unit/mm_test.h"

#define BASE  0x10000000UL
#define NPAGE 200

static struct mm *mm, *other;

static void teardown(void)
{
	test_drop_mm(&other);
	test_drop_mm(&mm);
	test_end();
}

Test(kill, eager_mmap_stops_and_unmaps, .fini = teardown)
{
	mm = test_start("eager");
	u64 free_before = page_free_count();
	mm_host_kill_after = 10;
	long r = mm_mmap(mm, BASE, NPAGE * PG, RW, MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED, NULL, 0);
	cr_assert_eq(r, -EINTR);
	EXPECT_PICTURE(vma, mm, BASE, "...");
	cr_assert_eq(mm->rss, 0);
	cr_assert_geq(page_free_count() + 3, free_before, "at most the page tables stay");
}

Test(kill, eager_sbrk_stops_and_gives_back, .fini = teardown)
{
	mm = test_start("eager");
	mm->brk_start = mm->brk = BASE;
	mm_host_kill_after = 5;
	cr_assert_eq(mm_sbrk(mm, NPAGE * PG, MNEMO_SBRK_PAGER), -EINTR);
	cr_assert_eq(mm->brk, BASE);
	cr_assert_eq(mm->rss, 0);
}

Test(kill, map_shared_pages_stops_before_taking_more, .fini = teardown)
{
	mm = test_start("lazy");
	other = test_new_mm();
	MAP_AT(mm, BASE, NPAGE * PG, RW);
	mm_host_load(mm);
	mm_host_kill_after = 20;
	cr_assert_eq(map_shared_pages(mm, other, BASE, NPAGE * PG), -EINTR);
	cr_assert_lt(mm->rss, NPAGE, "stopped filling the source");
	cr_assert_eq(other->rss, 0);
	cr_assert_eq(other->nvmas, 0);
}

Test(kill, pin_range_stops_and_holds_nothing, .fini = teardown)
{
	static struct page *pinned[NPAGE];
	mm = test_start("lazy");
	MAP_AT(mm, BASE, NPAGE * PG, RW);
	mm_host_kill_after = 20;
	cr_assert_eq(mm_pin_range(mm, BASE, NPAGE * PG, pinned), -EINTR);
	cr_assert_lt(mm->rss, NPAGE);
	cr_assert_eq(page_refcount(pa_to_page(pte_pa(*mm_host_pte(mm, BASE)))), 1);
}

Test(kill, fork_stops_and_frees_the_child, .fini = teardown)
{
	mm = test_start("lazy");
	/* Many 2 MiB tables, so the copy checks more than once. */
	for (int i = 0; i < 8; i++) {
		u64 va = BASE + (u64)i * PT_LEVEL_SIZE(1);
		MAP_AT(mm, va, PG, RW);
		EXPECT_WRITE(mm, va, i);
	}
	u64 free_before = page_free_count();
	mm_host_kill_after = 3;
	cr_assert_null(mm_fork(mm));
	cr_assert_eq(page_free_count(), free_before, "the half-made child is gone");
	/* The parent's pages may stay copy-on-write; they are its own. */
	EXPECT_WRITE(mm, BASE, 9);
	cr_assert_eq(page_free_count(), free_before, "no copy was needed");
}
