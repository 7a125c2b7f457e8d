/* Specification of fork's copy-on-write and of mm_destroy (kernel/mm/mm.c,
 * pager.c), under both pagers:
 *
 *   - after mm_fork, each present page of a private mapping is shared,
 *     read-only with PTE_COW in both parent and child, with one reference
 *     per PTE; no data is copied;
 *   - the first write on either side gives one side a copy: the other
 *     sharers, when nothing else holds the page, they can be locked and
 *     no other hart has them loaded (the writer keeps its page and needs
 *     no fence), else the writer; a write makes the page writable again
 *     when nobody else holds it;
 *   - shared mappings stay shared;
 *   - a page that could be written later (after mprotect) must not stay
 *     shared between the two either;
 *   - destroying parent and child in any order gives back every page, and
 *     a fork that runs out of memory leaks nothing.
 *
 * Pictures: '.' not present, 'w' writable, 'r' read-only, 'c' copy-on-write. */
#include <criterion/criterion.h>

#include "kernel/mm/uaccess.h"
#include "tests/unit/mm_test.h"

#define BASE 0x10000000UL
#define P(i) (BASE + (u64)(i)*PG)

#define PTES(m, pic) EXPECT_PICTURE(pte, m, BASE, pic)

static struct mm *mm, *child;

static void teardown(void)
{
	mm_host_loaded_elsewhere = NULL;
	test_end_mm(&child);
	test_end_mm(&mm);
	test_end();
}

static bool is_eager(const char *pager)
{
	return strcmp(pager, "eager") == 0;
}

/* The page mapped at va in m. */
static struct page *page_at(struct mm *m, u64 va)
{
	pte_t *pte = mm_host_pte(m, va);
	cr_assert(pte && pte_valid(*pte), "nothing mapped at %#lx", va);
	return pa_to_page(pte_pa(*pte));
}

/* Forks the loaded parent, as the fork system call does. */
static struct mm *fork_mm(void)
{
	mm_host_load(mm);
	struct mm *c = mm_fork(mm);
	cr_assert_not_null(c);
	EXPECT_VALID(c);
	return c;
}

/* Starts a test with one page at P(0) that the parent wrote 1 into, then
 * forked: mm and child share it copy-on-write. */
static void fork_one_page(const char *pager)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	EXPECT_WRITE(mm, P(0), 1);
	child = fork_mm();
}

TEST_BOTH_PAGERS(fork, private_pages_become_copy_on_write_in_both, .fini = teardown)
{
	/* parent: ww. r  ->  parent and child: cc. c (eager: ccc c); the
	 * read-only page too, since mprotect may make it writable later */
	mm = test_start(pager);
	MAP_AT(mm, P(0), 3 * PG, RW);
	MAP_AT(mm, P(3), PG, VM_READ);
	EXPECT_WRITE(mm, P(0), 10);
	EXPECT_WRITE(mm, P(1), 11);
	EXPECT_READ(mm, P(3), 0);
	u64 rss = mm->rss;

	child = fork_mm();
	const char *want = is_eager(pager) ? "cccc" : "cc.c";
	PTES(mm, want);
	PTES(child, want);
	EXPECT_PICTURE(vma, child, BASE, "AAAB");
	cr_assert_eq(child->rss, rss);
	cr_assert_eq(page_at(child, P(0)), page_at(mm, P(0)), "shared, not copied");
	cr_assert_eq(page_at(child, P(3)), page_at(mm, P(3)));
	cr_assert_eq(page_refcount(page_at(mm, P(0))), 2, "one reference per PTE");
	cr_assert_eq(page_refcount(page_at(mm, P(3))), 2);
	EXPECT_READ(child, P(1), 11);
	EXPECT_READ(mm, P(1), 11);
}

TEST_BOTH_PAGERS(fork, a_write_gives_the_other_side_the_copy, .fini = teardown)
{
	fork_one_page(pager);
	struct page *orig = page_at(mm, P(0));

	EXPECT_WRITE(child, P(0), 2);
	PTES(child, "w");
	PTES(mm, "c");
	cr_assert_eq(page_at(child, P(0)), orig, "the writer keeps its page");
	struct page *copy = page_at(mm, P(0));
	cr_assert_neq(copy, orig);
	cr_assert_eq(page_refcount(orig), 1);
	cr_assert_eq(page_refcount(copy), 1);
	EXPECT_READ(child, P(0), 2);
	EXPECT_READ(mm, P(0), 1);

	/* The parent is now the only holder: no copy, just writable again. */
	u64 free_before = page_free_count();
	EXPECT_WRITE(mm, P(0), 3);
	PTES(mm, "w");
	cr_assert_eq(page_at(mm, P(0)), copy);
	cr_assert_eq(page_free_count(), free_before, "a needless copy");
	EXPECT_READ(child, P(0), 2);
}

/* Three sharers: the two that did not write get one copy between them,
 * still copy-on-write. */
TEST_BOTH_PAGERS(fork, the_sharers_that_did_not_write_share_one_copy, .fini = teardown)
{
	fork_one_page(pager);
	struct mm *third = mm_fork(mm);
	cr_assert_not_null(third);
	struct page *orig = page_at(mm, P(0));
	u64 free_before = page_free_count();

	EXPECT_WRITE(third, P(0), 3);
	cr_assert_eq(page_at(third, P(0)), orig);
	cr_assert_eq(page_at(mm, P(0)), page_at(child, P(0)));
	cr_assert_neq(page_at(mm, P(0)), orig);
	cr_assert_eq(page_refcount(page_at(mm, P(0))), 2);
	cr_assert_eq(page_free_count(), free_before - 1, "one copy, not two");
	PTES(mm, "c");
	PTES(child, "c");
	EXPECT_WRITE(child, P(0), 2);
	EXPECT_READ(mm, P(0), 1);
	EXPECT_READ(third, P(0), 3);
	test_end_mm(&third);
}

/* Anything but the sharers' PTEs holding the page (here a pin, as a
 * crypto request's or a futex waiter's) and the writer takes the copy:
 * the pinned page must stay the one the others map. */
TEST_BOTH_PAGERS(fork, a_pinned_page_stays_where_it_is_and_the_writer_gets_a_copy, .fini = teardown)
{
	fork_one_page(pager);
	struct page *orig = page_at(mm, P(0)), *pin = NULL;
	page_get(orig); /* a pin */
	pin = orig;

	EXPECT_WRITE(child, P(0), 2);
	cr_assert_neq(page_at(child, P(0)), orig);
	cr_assert_eq(page_at(mm, P(0)), orig);
	EXPECT_READ(mm, P(0), 1);
	page_put(pin);
}

/* A sharer another hart has loaded (running there, or that hart idle
 * since) would need that hart fenced if its PTE moved: the writer, loaded
 * here alone, takes the copy instead, and no other hart is fenced. */
TEST_BOTH_PAGERS(fork, a_sharer_loaded_elsewhere_keeps_its_page_and_the_writer_copies,
		 .fini = teardown)
{
	fork_one_page(pager);
	struct page *orig = page_at(mm, P(0));
	mm_host_loaded_elsewhere = child;
	u64 remote = mm_host_remote_flushes, free_before = page_free_count();

	EXPECT_WRITE(mm, P(0), 2);
	mm_host_loaded_elsewhere = NULL;
	cr_assert_eq(page_at(child, P(0)), orig, "the loaded sharer's PTE moved");
	cr_assert_neq(page_at(mm, P(0)), orig);
	cr_assert_eq(mm_host_remote_flushes, remote, "another hart was fenced");
	cr_assert_eq(page_free_count(), free_before - 1, "one copy");
	cr_assert_eq(page_refcount(orig), 1);
	PTES(mm, "w");
	PTES(child, "c");
	EXPECT_READ(child, P(0), 1);
	EXPECT_READ(mm, P(0), 2);
}

/* A writer loaded on another hart too (a thread of it runs there) still
 * keeps its page when no sharer is: the sharers' move fences nobody else,
 * and the writer's entry only gains permissions, while a copy for the
 * writer would fence that hart. (The simulated TLB keeps the read-only
 * entry, so the write faults once more, and pmap_sync fences this hart.) */
TEST_BOTH_PAGERS(fork, a_writer_loaded_elsewhere_still_keeps_its_page, .fini = teardown)
{
	fork_one_page(pager);
	struct page *orig = page_at(mm, P(0));
	mm_host_loaded_elsewhere = mm;
	u64 remote = mm_host_remote_flushes;

	EXPECT_WRITE(mm, P(0), 2);
	mm_host_loaded_elsewhere = NULL;
	cr_assert_eq(page_at(mm, P(0)), orig, "the writer keeps its page");
	cr_assert_neq(page_at(child, P(0)), orig);
	cr_assert_eq(mm_host_remote_flushes, remote, "another hart was fenced");
	EXPECT_READ(child, P(0), 1);
	EXPECT_READ(mm, P(0), 2);
}

/* The parent's TLB held a writable entry from before the fork: the fork
 * must fence it, or the parent's next write goes into the shared page. */
TEST_BOTH_PAGERS(fork, fences_the_parents_writable_entries, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	EXPECT_WRITE(mm, P(0), 1);
	u64 fences = mm_host_flushes;
	child = fork_mm();
	cr_assert_gt(mm_host_flushes, fences, "no fence at all");

	EXPECT_WRITE(mm, P(0), 2); /* parent still loaded */
	EXPECT_READ(child, P(0), 1);
	EXPECT_READ(mm, P(0), 2);
}

TEST_BOTH_PAGERS(fork, shared_mappings_stay_shared, .fini = teardown)
{
	mm = test_start(pager);
	cr_assert_eq(mm_mmap(mm, P(0), 2 * PG, RW, MNEMO_MAP_SHARED | MNEMO_MAP_FIXED, NULL, 0),
		     (long)P(0));
	EXPECT_WRITE(mm, P(0), 1);
	child = fork_mm();
	PTES(mm, "w");
	PTES(child, "w");
	cr_assert_eq(page_at(child, P(0)), page_at(mm, P(0)));
	EXPECT_WRITE(child, P(0), 2);
	EXPECT_READ(mm, P(0), 2);
	EXPECT_WRITE(mm, P(0), 3);
	EXPECT_READ(child, P(0), 3);
}

/* A page of shared anonymous memory nobody touched before the fork is
 * still one page for both afterwards. */
TEST_BOTH_PAGERS(fork, untouched_shared_pages_are_shared_too, .fini = teardown)
{
	mm = test_start(pager);
	cr_assert_eq(mm_mmap(mm, P(0), 2 * PG, RW, MNEMO_MAP_SHARED | MNEMO_MAP_FIXED, NULL, 0),
		     (long)P(0));
	child = fork_mm();
	EXPECT_WRITE(child, P(1), 5);
	EXPECT_READ(mm, P(1), 5);
	EXPECT_WRITE(mm, P(1) + 8, 6);
	EXPECT_READ(child, P(1) + 8, 6);
}

/* The same, for shared memory mapped inaccessible and opened up before
 * the fork. */
TEST_BOTH_PAGERS(fork, shared_pages_opened_by_mprotect_are_shared_too, .fini = teardown)
{
	mm = test_start(pager);
	cr_assert_eq(mm_mmap(mm, P(0), 2 * PG, 0, MNEMO_MAP_SHARED | MNEMO_MAP_FIXED, NULL, 0),
		     (long)P(0));
	cr_assert_eq(mm_mprotect(mm, P(0), 2 * PG, RW), 0);
	child = fork_mm();
	EXPECT_WRITE(child, P(1), 5);
	EXPECT_READ(mm, P(1), 5);
}

TEST_BOTH_PAGERS(fork, untouched_pages_are_filled_separately, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, RW);
	child = fork_mm();
	EXPECT_WRITE(child, P(1), 5);
	EXPECT_READ(mm, P(1), 0);
	cr_assert_neq(page_at(mm, P(1)), page_at(child, P(1)));
}

/* mprotect can make a page writable again after the fork: a page that
 * was read-only at fork time is still shared by both, and must not become
 * writable in place. */
TEST_BOTH_PAGERS(fork, a_page_read_only_at_fork_stays_private_after_mprotect, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	EXPECT_WRITE(mm, P(0), 1);
	cr_assert_eq(mm_mprotect(mm, P(0), PG, VM_READ), 0);
	child = fork_mm();

	cr_assert_eq(mm_mprotect(mm, P(0), PG, RW), 0);
	EXPECT_WRITE(mm, P(0), 2);
	EXPECT_READ(child, P(0), 1);

	cr_assert_eq(mm_mprotect(child, P(0), PG, RW), 0);
	EXPECT_WRITE(child, P(0), 3);
	EXPECT_READ(mm, P(0), 2);
}

TEST_BOTH_PAGERS(fork, a_prot_none_page_stays_private_after_mprotect, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	EXPECT_WRITE(mm, P(0), 1);
	cr_assert_eq(mm_mprotect(mm, P(0), PG, 0), 0);
	child = fork_mm();

	cr_assert_eq(mm_mprotect(child, P(0), PG, RW), 0);
	EXPECT_WRITE(child, P(0), 2);
	cr_assert_eq(mm_mprotect(mm, P(0), PG, VM_READ), 0);
	EXPECT_READ(mm, P(0), 1);
}

TEST_BOTH_PAGERS(fork, copy_on_write_pages_stay_read_only_through_mprotect, .fini = teardown)
{
	fork_one_page(pager);
	cr_assert_eq(mm_mprotect(mm, P(0), PG, RW | VM_EXEC), 0);
	PTES(mm, "c");
	EXPECT_WRITE(mm, P(0), 2);
	EXPECT_READ(child, P(0), 1);
}

TEST_BOTH_PAGERS(fork, copy_to_user_breaks_copy_on_write, .fini = teardown)
{
	u64 val = 42;

	fork_one_page(pager);
	mm_host_load(child); /* the child runs read(fd, buf, ...) */
	cr_assert_eq(copy_to_user((void *)P(0), &val, sizeof(val)), 0);
	EXPECT_READ(child, P(0), 42);
	EXPECT_READ(mm, P(0), 1);
}

TEST_BOTH_PAGERS(fork, three_generations_share_until_each_writes, .fini = teardown)
{
	fork_one_page(pager);
	mm_host_load(child);
	struct mm *grandchild = mm_fork(child);
	cr_assert_not_null(grandchild);
	cr_assert_eq(page_refcount(page_at(mm, P(0))), 3);

	EXPECT_WRITE(child, P(0), 2);
	cr_assert_eq(page_refcount(page_at(mm, P(0))), 2);
	EXPECT_WRITE(grandchild, P(0), 3);
	EXPECT_READ(mm, P(0), 1);
	EXPECT_READ(child, P(0), 2);
	EXPECT_READ(grandchild, P(0), 3);
	test_destroy_mm(grandchild);
}

TEST_BOTH_PAGERS(fork, the_child_gets_the_vmas_the_break_and_the_pager, .fini = teardown)
{
	mm = test_start(pager);
	mm->brk_start = P(20);
	mm->brk = P(20);
	cr_assert_eq(mm_sbrk(mm, 2 * PG, MNEMO_SBRK_PAGER), (long)P(20));
	MAP_AT(mm, P(0), 2 * PG, RW);
	MAP_AT(mm, P(3), PG, VM_READ | VM_EXEC);
	child = fork_mm();
	cr_assert_eq(child->brk_start, P(20));
	cr_assert_eq(child->brk, P(22));
	cr_assert_str_eq(mm_pager_name(child), pager);
	EXPECT_PICTURE(vma, child, BASE, "AA.B................CC.");
	EXPECT_PICTURE(prot, child, BASE, "ww.x................ww.");
	cr_assert_eq(mm_sbrk(child, PG, MNEMO_SBRK_PAGER), (long)P(22), "the child's heap works");
}

TEST_BOTH_PAGERS(fork, the_parent_may_go_first, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 4 * PG, RW);
	for (int i = 0; i < 4; i++)
		EXPECT_WRITE(mm, P(i), 100 + i);
	child = fork_mm();
	test_destroy_mm(mm);
	mm = NULL;
	for (int i = 0; i < 4; i++)
		EXPECT_READ(child, P(i), 100 + i);
	EXPECT_WRITE(child, P(2), 7); /* the last holder: writable in place */
	EXPECT_READ(child, P(2), 7);
}

TEST_BOTH_PAGERS(fork, the_child_may_go_first, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 4 * PG, RW);
	for (int i = 0; i < 4; i++)
		EXPECT_WRITE(mm, P(i), 100 + i);
	child = fork_mm();
	EXPECT_WRITE(child, P(1), 1);
	test_destroy_mm(child);
	child = NULL;
	for (int i = 0; i < 4; i++)
		EXPECT_READ(mm, P(i), 100 + i);
}

/* A fork that runs out of memory at any point returns NULL, leaves the
 * parent working, and leaks nothing. */
TEST_BOTH_PAGERS(fork, running_out_of_memory_at_any_point_leaks_nothing, .fini = teardown)
{
	static struct page *hog[HOST_PHYS_PAGES];

	mm = test_start(pager);
	MAP_AT(mm, P(0), 4 * PG, RW);
	MAP_AT(mm, P(1024), 2 * PG, VM_READ); /* another page-table page */
	MAP_AT(mm, 0x40000000UL, PG, RW);     /* another gigabyte */
	for (int i = 0; i < 4; i++)
		EXPECT_WRITE(mm, P(i), 100 + i);
	EXPECT_WRITE(mm, 0x40000000UL, 9);
	mm_host_load(mm);

	for (size_t left = 0;; left++) {
		size_t n = 0;
		struct page *pg;
		while ((pg = page_alloc(0)))
			hog[n++] = pg;
		for (size_t i = 0; i < left; i++)
			page_put(hog[--n]);
		struct mm *c = mm_fork(mm);
		if (c) {
			test_destroy_mm(c);
			mm_host_load(mm);
		} else {
			cr_assert_eq(page_free_count(), left,
				     "with %zu pages free, the failed fork "
				     "kept %ld",
				     left, (long)(left - page_free_count()));
		}
		while (n > 0)
			page_put(hog[--n]);
		EXPECT_VALID(mm);
		for (int i = 0; i < 4; i++)
			EXPECT_WRITE(mm, P(i), 100 + i); /* the parent still works */
		if (c)
			break;
		cr_assert_lt(left, 64, "fork still fails with %zu free pages", left);
	}
}
