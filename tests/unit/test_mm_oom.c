/* Specification of kernel/mm when memory runs out. Every operation that
 * allocates is run again and again with 0, 1, 2, ... free pages left
 * until it succeeds; each failure must return its error (-ENOMEM, or
 * FAULT_OOM for a fault) and leave an address space that is still sound:
 *
 *   - vma_validate() holds, every valid PTE lies inside a VMA, and rss
 *     counts them;
 *   - no VMA says read-only where a stale TLB entry still allows writing;
 *   - once memory is back the address space works, and destroying it
 *     returns page_free_count() exactly to where it started.
 *
 * Memory is exhausted by taking every free page ("the hog") and giving
 * back as many as the step wants; kmalloc objects are exhausted the same
 * way when a test needs an allocation to fail inside kmalloc. */
#include <criterion/criterion.h>

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/share.h"
#include "tests/unit/mm_test.h"

#define BASE 0x10000000UL
#define P(i) (BASE + (u64)(i)*PG)

static struct mm *mm, *other;

static void teardown(void)
{
	test_drop_mm(&other);
	test_drop_mm(&mm);
	test_end();
}

/* ---- the hog ---- */

static struct page *hog[HOST_PHYS_PAGES];
static size_t hogged;

/* Takes every free page but `left`. */
static void hog_all_but(size_t left)
{
	struct page *pg;
	while ((pg = page_alloc(0)))
		hog[hogged++] = pg;
	for (size_t i = 0; i < left && hogged > 0; i++)
		page_put(hog[--hogged]);
}

static void hog_release(void)
{
	while (hogged > 0)
		page_put(hog[--hogged]);
}

/* ---- soundness ---- */

struct pte_check {
	struct mm *mm;
	u64 count;
};

static void pte_in_vma(u64 va, pte_t pte, void *ctx)
{
	struct pte_check *c = ctx;
	struct vma *v = vma_find(c->mm, va);
	cr_assert_not_null(v, "a PTE at %#lx outside every VMA", va);
	if (!(v->prot & VM_WRITE))
		cr_assert(!(pte & PTE_W), "writable PTE at %#lx in a VMA without write", va);
	c->count++;
}

static void expect_sound(struct mm *m)
{
	struct pte_check c = {.mm = m};
	EXPECT_VALID(m);
	mm_host_for_each_pte(m, pte_in_vma, &c);
	cr_assert_eq(m->rss, c.count, "rss %lu, valid PTEs %lu", m->rss, c.count);
}

/* Every page of [first, first+n) that a VMA lets the user write can be
 * written, and every one it does not is refused (a stale TLB entry from
 * before a failed call would let the write through). */
static void expect_writes_match_vmas(struct mm *m, int first, int n)
{
	for (int i = first; i < first + n; i++) {
		struct vma *v = vma_find(m, P(i));
		const char *why;
		enum fault_result r = user_write64(m, P(i), 0x5a5a, &why);
		if (v && (v->prot & VM_WRITE))
			cr_assert_eq(r, FAULT_OK, "page %d: %s", i, why);
		else
			cr_assert_neq(r, FAULT_OK, "page %d written though its VMA forbids it", i);
	}
}

/* Runs op with 0, 1, 2, ... free pages until it succeeds; after each
 * failure the address space must be sound. */
#define SWEEP(result_ok, op)                                                                       \
	for (size_t left_ = 0;; left_++) {                                                         \
		hog_all_but(left_);                                                                \
		long r_ = (long)(op);                                                              \
		hog_release();                                                                     \
		bool ok_ = (result_ok)(r_);                                                        \
		expect_sound(mm);                                                                  \
		if (ok_)                                                                           \
			break;                                                                     \
		cr_assert_lt(left_, 64, "still failing with %zu free pages", left_);               \
	}

static bool ok_zero(long r)
{
	cr_assert(r == 0 || r == -ENOMEM, "out of memory must give -ENOMEM, not %ld", r);
	return r == 0;
}

static bool ok_nonneg(long r)
{
	cr_assert(r >= 0 || r == -ENOMEM, "out of memory must give -ENOMEM, not %ld", r);
	return r >= 0;
}

/* ---- the sweeps ---- */

TEST_BOTH_PAGERS(oom, mmap_fixed_over_a_mapping, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 8 * PG, RW);
	for (int i = 0; i < 8; i++)
		EXPECT_WRITE(mm, P(i), i + 1);
	SWEEP(ok_nonneg,
	      mm_mmap(mm, P(2), 4 * PG, VM_READ, MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED, NULL, 0));
	EXPECT_PICTURE(prot, mm, BASE, "wwrrrrww");
	EXPECT_READ(mm, P(1), 2);
	EXPECT_READ(mm, P(6), 7);
}

TEST_BOTH_PAGERS(oom, munmap_in_the_middle, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 8 * PG, RW);
	for (int i = 0; i < 8; i++)
		EXPECT_WRITE(mm, P(i), i + 1);
	SWEEP(ok_zero, mm_munmap(mm, P(2), 3 * PG));
	EXPECT_PICTURE(vma, mm, BASE, "AA...BBB");
	EXPECT_READ(mm, P(7), 8);
}

TEST_BOTH_PAGERS(oom, mprotect_across_vmas, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 3 * PG, RW);
	MAP_AT(mm, P(3), 3 * PG, RW | VM_EXEC);
	for (int i = 0; i < 6; i++)
		EXPECT_WRITE(mm, P(i), i + 1);
	SWEEP(ok_zero, mm_mprotect(mm, P(1), 3 * PG, VM_READ));
	EXPECT_PICTURE(prot, mm, BASE, "wrrrXX");
	expect_writes_match_vmas(mm, 0, 6);
}

TEST_BOTH_PAGERS(oom, sbrk_growing, .fini = teardown)
{
	mm = test_start(pager);
	mm->brk_start = mm->brk = P(0);
	cr_assert_eq(mm_sbrk(mm, PG, MNEMO_SBRK_PAGER), (long)P(0));
	SWEEP(ok_nonneg, mm_sbrk(mm, 6 * PG, MNEMO_SBRK_PAGER));
	cr_assert_eq(mm->brk, P(7));
	EXPECT_WRITE(mm, P(6), 1);
}

static bool fault_ok(long r)
{
	cr_assert(r == FAULT_OK || r == FAULT_OOM, "out of memory must be FAULT_OOM, not %ld", r);
	return r == FAULT_OK;
}

TEST_BOTH_PAGERS(oom, a_fault_far_from_other_pages, .fini = teardown)
{
	/* A new page table and a page: FAULT_OOM until both fit. */
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, 0);
	MAP_AT(mm, 0x40000000UL, PG, 0);
	cr_assert_eq(mm_mprotect(mm, 0x40000000UL, PG, RW), 0);
	const char *why;
	SWEEP(fault_ok, user_write64(mm, 0x40000000UL, 9, &why));
	EXPECT_READ(mm, 0x40000000UL, 9);
}

TEST_BOTH_PAGERS(oom, breaking_copy_on_write, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	EXPECT_WRITE(mm, P(0), 1);
	other = mm_fork(mm);
	cr_assert_not_null(other);
	const char *why;
	SWEEP(fault_ok, user_write64(other, P(0), 2, &why));
	EXPECT_READ(mm, P(0), 1);
	EXPECT_READ(other, P(0), 2);
}

TEST_BOTH_PAGERS(oom, map_shared_pages, .fini = teardown)
{
	mm = test_start(pager);
	other = mm_create();
	cr_assert_not_null(other);
	MAP_AT(mm, P(0), 3 * PG, RW);
	EXPECT_WRITE(mm, P(0), 1);
	long at = -1;
	SWEEP(ok_nonneg, at = map_shared_pages(mm, other, P(0), 3 * PG));
	expect_sound(other);
	cr_assert_eq(other->nvmas, 1, "failed attempts left VMAs behind");
	cr_assert_eq(page_refcount(pa_to_page(pte_pa(*mm_host_pte(mm, P(0))))), 2);
	EXPECT_READ(other, (u64)at, 1);
}

/* mprotect fails in its second split (no kmalloc object left for it),
 * after it already took write permission away from the first VMA: the
 * pages it changed must not stay writable through the TLB. */
TEST_BOTH_PAGERS(oom, a_failed_mprotect_leaves_no_stale_writable_entry, .fini = teardown)
{
	/* AAABBB (rw, rwx), mprotect [1, 4) read-only: split A at 1, change
	 * A's upper part, then split B at 4 fails */
	static void *objs[HOST_PHYS_PAGES * (PAGE_SIZE / 128)];
	size_t nobjs = 0;
	void *o;

	mm = test_start(pager);
	MAP_AT(mm, P(0), 3 * PG, RW);
	MAP_AT(mm, P(3), 3 * PG, RW | VM_EXEC);
	for (int i = 0; i < 6; i++)
		EXPECT_WRITE(mm, P(i), i + 1); /* writable entries in the TLB */
	hog_all_but(0);
	while ((o = kmalloc(sizeof(struct vma))))
		objs[nobjs++] = o;
	kfree(objs[--nobjs]); /* room for exactly one new VMA */

	int r = mm_mprotect(mm, P(1), 3 * PG, VM_READ);
	while (nobjs > 0)
		kfree(objs[--nobjs]);
	hog_release();
	cr_assert_eq(r, -ENOMEM);
	expect_sound(mm);
	expect_writes_match_vmas(mm, 0, 6);
}
