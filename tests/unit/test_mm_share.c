/* Specification of page sharing between address spaces (kernel/mm/share.c,
 * seed 001), under both pagers:
 *
 *   - map_shared_pages(src, dst, va, size) maps src's pages behind
 *     [va, va+size) into a new VMA_SHM of dst and returns the address with
 *     the same offset into the first page; dst's PTEs carry PTE_S and each
 *     holds its own reference, so writes show on both sides;
 *   - lazy source pages are faulted in first, and copy-on-write ones are
 *     broken, so the two really share;
 *   - a source range with a hole is -EFAULT and leaks nothing;
 *   - unmap_shared_pages removes only such mappings (-EINVAL otherwise);
 *   - either side may be destroyed first; nothing is freed twice, and the
 *     count comes back once both are gone.
 *
 * Pictures: '.' not present, 'w' writable, 'r' read-only, 's' shared in. */
#include <criterion/criterion.h>

#include "kernel/mm/share.h"
#include "tests/unit/mm_test.h"

#define BASE 0x10000000UL
#define P(i) (BASE + (u64)(i)*PG)

static struct mm *src, *dst;
static void start(const char *pager)
{
	src = test_start(pager);
	dst = mm_create();
	cr_assert_not_null(dst);
}

static void teardown(void)
{
	test_end_mm(&dst);
	test_end_mm(&src);
	test_end();
}

/* The page mapped at va in m. */
static struct page *page_at(struct mm *m, u64 va)
{
	pte_t *pte = mm_host_pte(m, va);
	cr_assert(pte && pte_valid(*pte), "nothing mapped at %#lx", va);
	return pa_to_page(pte_pa(*pte));
}

/* Shares [va, va+size) of src into dst; asserts success. */
static u64 share(u64 va, u64 size)
{
	long at = map_shared_pages(src, dst, va, size);
	cr_assert_geq(at, 0, "map_shared_pages gave %ld", at);
	EXPECT_VALID(src);
	EXPECT_VALID(dst);
	return (u64)at;
}

TEST_BOTH_PAGERS(share, maps_the_same_pages_at_the_same_offset, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), 3 * PG, RW);
	EXPECT_WRITE(src, P(0), 10);
	EXPECT_WRITE(src, P(1), 11);
	EXPECT_WRITE(src, P(2), 12);

	/* 100 bytes into page 0, two pages long: pages 0..2 */
	u64 at = share(P(0) + 100, 2 * PG);
	u64 base = at - 100;
	cr_assert_eq(at % PG, 100, "same offset into the first page");
	struct vma *v = vma_find(dst, at);
	cr_assert_not_null(v);
	cr_assert_eq(v->start, base);
	cr_assert_eq(v->end, base + 3 * PG);
	cr_assert_eq(v->role, VMA_SHM);
	cr_assert(v->shared);
	EXPECT_PICTURE(pte, dst, base, "sss");
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(page_at(dst, base + i * PG), page_at(src, P(i)), "page %d", i);
		cr_assert_eq(page_refcount(page_at(src, P(i))), 2, "page %d: one per PTE", i);
		EXPECT_READ(dst, base + i * PG, 10 + i);
	}
	cr_assert_eq(dst->rss, 3);
}

TEST_BOTH_PAGERS(share, writes_are_visible_both_ways, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), 2 * PG, RW);
	u64 at = share(P(0), 2 * PG);
	EXPECT_WRITE(dst, at + PG + 8, 77);
	EXPECT_READ(src, P(1) + 8, 77);
	EXPECT_WRITE(src, P(0), 88);
	EXPECT_READ(dst, at, 88);
}

TEST_BOTH_PAGERS(share, lazy_source_pages_are_faulted_in_first, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), 4 * PG, RW);
	u64 at = share(P(1), 2 * PG);
	EXPECT_PICTURE(pte, src, P(1), "ww");
	EXPECT_READ(dst, at, 0);
	EXPECT_WRITE(dst, at + PG, 5);
	EXPECT_READ(src, P(2), 5);
}

/* The source forked earlier: its pages are copy-on-write. Sharing gives
 * the source its own copy first, so the source and the destination share
 * one page and the source's child keeps the old one. */
TEST_BOTH_PAGERS(share, a_copy_on_write_source_page_is_broken_first, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), PG, RW);
	EXPECT_WRITE(src, P(0), 1);
	mm_host_load(src);
	struct mm *child = mm_fork(src);
	cr_assert_not_null(child);

	u64 at = share(P(0), PG);
	cr_assert_eq(page_at(dst, at), page_at(src, P(0)));
	cr_assert_neq(page_at(child, P(0)), page_at(src, P(0)));
	EXPECT_WRITE(dst, at, 2);
	EXPECT_READ(src, P(0), 2);
	EXPECT_READ(child, P(0), 1);
	test_destroy_mm(child);
}

/* A read-only source page that fork made copy-on-write is shared too: it
 * must be the source's own first, so that when the source later makes it
 * writable and writes, the write lands in the page the destination sees
 * (it used to move to a copy, leaving the destination behind). */
TEST_BOTH_PAGERS(share, a_read_only_copy_on_write_page_stays_shared_after_mprotect,
		 .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), PG, RW);
	EXPECT_WRITE(src, P(0), 1);
	cr_assert_eq(mm_mprotect(src, P(0), PG, VM_READ), 0);
	mm_host_load(src);
	struct mm *child = mm_fork(src);
	cr_assert_not_null(child);

	u64 at = share(P(0), PG);
	EXPECT_PICTURE(pte, src, P(0), "r");
	cr_assert_eq(page_at(dst, at), page_at(src, P(0)));
	cr_assert_eq(mm_mprotect(src, P(0), PG, RW), 0);
	EXPECT_WRITE(src, P(0), 2);
	cr_assert_eq(page_at(dst, at), page_at(src, P(0)), "one page for both, still");
	EXPECT_READ(dst, at, 2);
	EXPECT_READ(child, P(0), 1);
	test_destroy_mm(child);
}

/* A fork of the source after sharing: the source keeps sharing with the
 * destination; the child has the contents but not the sharing. */
TEST_BOTH_PAGERS(share, the_source_keeps_sharing_after_it_forks, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), PG, RW);
	EXPECT_WRITE(src, P(0), 1);
	u64 at = share(P(0), PG);
	mm_host_load(src);
	struct mm *child = mm_fork(src);
	cr_assert_not_null(child);

	EXPECT_WRITE(src, P(0), 2);
	EXPECT_READ(dst, at, 2);
	EXPECT_WRITE(dst, at, 3);
	EXPECT_READ(src, P(0), 3);
	EXPECT_READ(child, P(0), 1);
	EXPECT_WRITE(child, P(0), 4);
	EXPECT_READ(src, P(0), 3);
	test_destroy_mm(child);
}

TEST_BOTH_PAGERS(share, a_hole_in_the_source_is_efault_and_leaks_nothing, .fini = teardown)
{
	/* src: AA.  ->  sharing [0, 3) fails; dst gets nothing */
	start(pager);
	MAP_AT(src, P(0), 2 * PG, RW);
	EXPECT_WRITE(src, P(0), 1);
	cr_assert_eq(map_shared_pages(src, dst, P(0), 3 * PG), -EFAULT);
	cr_assert_eq(map_shared_pages(src, dst, P(1) + 8, PG), -EFAULT, "runs into the hole");
	cr_assert_eq(dst->nvmas, 0);
	cr_assert_eq(dst->rss, 0);
	cr_assert_eq(page_refcount(page_at(src, P(0))), 1, "a reference was kept");
	u64 before = page_free_count();
	test_end_mm(&src);
	test_end_mm(&dst);
	cr_assert_gt(page_free_count(), before);
}

TEST_BOTH_PAGERS(share, guard_and_prot_none_sources_are_efault, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), PG, 0);
	mm_lock(src);
	mm_map_anon(src, P(1), P(2), 0, VMA_GUARD);
	mm_unlock(src);
	cr_assert_eq(map_shared_pages(src, dst, P(0), PG), -EFAULT);
	cr_assert_eq(map_shared_pages(src, dst, P(1), PG), -EFAULT);
	cr_assert_eq(dst->nvmas, 0);
}

Test(share, nonsense_requests_fail, .fini = teardown)
{
	start("lazy");
	MAP_AT(src, P(0), PG, RW);
	cr_assert_eq(map_shared_pages(src, dst, P(0), 0), -EINVAL, "size 0");
	cr_assert_eq(map_shared_pages(src, src, P(0), PG), -EINVAL, "into itself");
	cr_assert_eq(map_shared_pages(src, dst, ~0UL - 10, 100), -EFAULT, "overflow");
	cr_assert_eq(map_shared_pages(src, dst, MM_USER_TOP - 8, 16), -EFAULT, "kernel half");
	cr_assert_eq(dst->nvmas, 0);
}

TEST_BOTH_PAGERS(share, unmap_removes_only_shared_in_mappings, .fini = teardown)
{
	/* dst: its own AA at P0, the shared pages somewhere else */
	start(pager);
	MAP_AT(src, P(0), 2 * PG, RW);
	MAP_AT(dst, P(0), 2 * PG, RW);
	u64 at = share(P(0), 2 * PG);

	cr_assert_eq(unmap_shared_pages(dst, P(0), PG), -EINVAL, "dst's own memory");
	cr_assert_eq(unmap_shared_pages(dst, at + PG, 2 * PG), -EINVAL, "runs past the end");
	cr_assert_eq(unmap_shared_pages(dst, at, 0), -EINVAL);
	cr_assert_eq(unmap_shared_pages(src, P(0), PG), -EINVAL, "the source's own pages");
	EXPECT_PICTURE(vma, dst, P(0), "AA");
	cr_assert_eq(page_refcount(page_at(src, P(1))), 2);

	cr_assert_eq(unmap_shared_pages(dst, at + 5, 2 * PG - 5), 0, "rounded out to pages");
	cr_assert_null(vma_find(dst, at));
	cr_assert_eq(dst->nvmas, 1);
	cr_assert_eq(page_refcount(page_at(src, P(1))), 1);
	EXPECT_SEGV(user_read64(dst, at, &(u64){0}, &test_why), "unmapped address");
	EXPECT_WRITE(src, P(1), 9);
}

TEST_BOTH_PAGERS(share, the_source_may_go_first, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), 2 * PG, RW);
	EXPECT_WRITE(src, P(1), 21);
	u64 at = share(P(0), 2 * PG);
	test_end_mm(&src);
	EXPECT_READ(dst, at + PG, 21);
	EXPECT_WRITE(dst, at, 22);
	EXPECT_READ(dst, at, 22);
	cr_assert_eq(page_refcount(page_at(dst, at)), 1, "dst holds the last reference");
}

TEST_BOTH_PAGERS(share, the_destination_may_go_first, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), 2 * PG, RW);
	u64 at = share(P(0), 2 * PG);
	EXPECT_WRITE(dst, at, 31);
	test_end_mm(&dst);
	EXPECT_READ(src, P(0), 31);
	cr_assert_eq(page_refcount(page_at(src, P(0))), 1);
	EXPECT_WRITE(src, P(0), 32);
}

TEST_BOTH_PAGERS(share, the_same_pages_may_be_shared_twice, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), PG, RW);
	u64 a = share(P(0), PG), b = share(P(0), PG);
	cr_assert_neq(a, b);
	cr_assert_eq(page_refcount(page_at(src, P(0))), 3);
	EXPECT_WRITE(dst, a, 7);
	EXPECT_READ(dst, b, 7);
	cr_assert_eq(unmap_shared_pages(dst, a, PG), 0);
	cr_assert_eq(page_refcount(page_at(src, P(0))), 2);
}

/* A read-only source page is shared read-only: the destination may not
 * write it, not even after mprotect (which would write into memory the
 * source itself cannot write, and into every page sharing it
 * copy-on-write). */
TEST_BOTH_PAGERS(share, a_read_only_source_cannot_be_written_through_the_destination,
		 .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), PG, RW);
	EXPECT_WRITE(src, P(0), 1);
	cr_assert_eq(mm_mprotect(src, P(0), PG, VM_READ), 0);
	u64 at = share(P(0), PG);

	EXPECT_PICTURE(pte, dst, at, "s");
	cr_assert(!(*mm_host_pte(dst, at) & PTE_W));
	EXPECT_SEGV(user_write64(dst, at, 2, &test_why), "write to read-only mapping");
	int r = mm_mprotect(dst, at, PG, RW);
	if (r == 0)
		user_write64(dst, at, 3, &test_why);
	EXPECT_READ(src, P(0), 1);
}

/* A range over a writable and a read-only VMA of the source: the
 * destination's write to the read-only part must be refused, not retried
 * forever. */
TEST_BOTH_PAGERS(share, a_range_of_mixed_protections_does_not_livelock, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), PG, RW);
	MAP_AT(src, P(1), PG, VM_READ);
	u64 at = share(P(0), 2 * PG);
	EXPECT_WRITE(dst, at, 1);
	EXPECT_READ(src, P(0), 1);
	enum fault_result r = user_write64(dst, at + PG, 2, &test_why);
	cr_assert_eq(r, FAULT_SEGV, "write to the read-only page gave %d", r);
	EXPECT_READ(src, P(1), 0);
}

/* ---- the helpers the futexes and the crypto service use ---- */

TEST_BOTH_PAGERS(share, pin_page_faults_in_and_takes_a_reference, .fini = teardown)
{
	struct page *pg;

	start(pager);
	MAP_AT(src, P(0), PG, RW);
	MAP_AT(src, P(1), PG, VM_READ);
	cr_assert_eq(mm_pin_page(src, P(0) + 16, &pg), 0);
	cr_assert_eq(pg, page_at(src, P(0)));
	cr_assert_eq(page_refcount(pg), 2);
	page_put(pg);
	cr_assert_eq(mm_pin_page(src, P(1), &pg), 0, "read-only is pinned too");
	cr_assert_eq(pg, page_at(src, P(1)));
	page_put(pg);
	cr_assert_eq(mm_pin_page(src, P(2), &pg), -EFAULT, "unmapped");
	cr_assert_eq(mm_pin_page(src, MM_USER_TOP, &pg), -EFAULT);
}

/* A crypto request pins the client's pages: they are made the client's own
 * (copy-on-write broken) and held, and exactly those pages are mapped into
 * the server, writable, whatever the client does to its mapping later. */
TEST_BOTH_PAGERS(share, pinned_pages_reach_the_server_whatever_the_client_does, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), 3 * PG, RW);
	EXPECT_WRITE(src, P(0), 1);
	mm_host_load(src);
	struct mm *child = mm_fork(src);
	cr_assert_not_null(child);

	struct page *pinned[3];
	cr_assert_eq(mm_pin_count(P(0) + 8, 2 * PG), 3);
	cr_assert_eq(mm_pin_range(src, P(0) + 8, 2 * PG, pinned), 0);
	EXPECT_PICTURE(pte, src, P(0), "www");
	cr_assert_eq(pinned[0], page_at(src, P(0)));
	cr_assert_eq(page_refcount(pinned[0]), 2, "copy-on-write broken, then pinned");
	cr_assert_eq(mm_mprotect(src, P(0), 3 * PG, VM_READ), 0); /* the client changes its mind */

	long at = mm_map_pages(dst, pinned, 3);
	cr_assert_geq(at, 0);
	EXPECT_PICTURE(pte, dst, (u64)at, "sss");
	EXPECT_WRITE(dst, (u64)at, 2);
	EXPECT_READ(src, P(0), 2);
	cr_assert_eq(mm_munmap(src, P(0), 3 * PG), 0); /* or lets go of it */
	EXPECT_WRITE(dst, (u64)at + 2 * PG, 3);
	cr_assert_eq(unmap_shared_pages(dst, (u64)at, 3 * PG), 0);
	mm_unpin(pinned, 3);
	EXPECT_READ(child, P(0), 1);
	test_destroy_mm(child);
}

TEST_BOTH_PAGERS(share, only_writable_ranges_are_pinned, .fini = teardown)
{
	start(pager);
	MAP_AT(src, P(0), 2 * PG, RW);
	MAP_AT(src, P(2), PG, VM_READ);
	struct page *pinned[4];
	u64 free_before = page_free_count();
	cr_assert_eq(mm_pin_range(src, P(1), 2 * PG, pinned), -EFAULT, "read-only page");
	cr_assert_eq(mm_pin_range(src, P(3), PG, pinned), -EFAULT, "a hole");
	cr_assert_eq(mm_pin_range(src, P(0), 0, pinned), -EFAULT, "empty");
	cr_assert_eq(mm_pin_range(src, MM_USER_TOP - PG, 2 * PG, pinned), -EFAULT);
	cr_assert_eq(mm_pin_count(MM_USER_TOP - PG, 2 * PG), 0);
	/* The page faulted in before the refusal stays mapped; nothing is
	 * held beyond it. */
	cr_assert_leq(free_before - page_free_count(), 3);
	cr_assert_eq(page_refcount(page_at(src, P(1))), 1);
}
