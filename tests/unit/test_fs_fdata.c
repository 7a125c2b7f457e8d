/* Specification of kernel/fs/fdata.c, the radix tree that holds a
 * regular file's pages: what it allocates for small, large and sparse
 * files, that truncation frees exactly the pages past the cut (and the
 * index pages with them), that it survives allocation failures without
 * leaking, and a randomized run against a simple model. */
#include "tests/unit/fs_host.h"

#include "kernel/fs/fdata.c"

/* A page's address, or NULL for a hole (these tests never swap). */
static void *fdata_lookup(const struct fdata *fd, u64 pgidx)
{
	int err;
	return fdata_page((struct fdata *)fd, pgidx, &err);
}

/* Pages of index a dense file of npages needs (npages > 1). */
static long index_pages(u64 npages)
{
	long n = 0;

	for (u64 level = npages; level > 1;) {
		level = (level + FDATA_FANOUT - 1) / FDATA_FANOUT;
		n += level;
	}
	return n;
}

/* Gives page idx a fresh page tagged with its index. */
static void put_tagged(struct fdata *fd, u64 idx)
{
	bool fresh;
	u64 *page = fdata_get(fd, idx, true, &fresh);

	cr_assert_not_null(page, "page %lu", (unsigned long)idx);
	cr_assert(fresh);
	for (size_t i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		cr_assert_eq(page[i], 0, "a new page is zeroed");
	page[0] = idx;
}

static void expect_tagged(struct fdata *fd, u64 idx)
{
	u64 *page = fdata_lookup(fd, idx);

	cr_assert_not_null(page, "page %lu present", (unsigned long)idx);
	cr_assert_eq(page[0], idx, "page %lu holds its own data", (unsigned long)idx);
}

Test(fdata, empty_tree_is_all_holes)
{
	struct fdata fd = {0};

	cr_assert_null(fdata_lookup(&fd, 0));
	cr_assert_null(fdata_lookup(&fd, 123456));
	cr_assert_null(fdata_lookup(&fd, ~0UL));
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}

Test(fdata, a_one_page_file_needs_no_index)
{
	struct fdata fd = {0};

	put_tagged(&fd, 0);
	cr_assert_eq(fd.height, 0);
	cr_assert_eq(fs_host_pages, 1);
	expect_tagged(&fd, 0);
	cr_assert_null(fdata_lookup(&fd, 1));
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
	cr_assert_null(fd.root);
}

Test(fdata, a_16_mib_file_costs_nine_pages_of_index)
{
	struct fdata fd = {0};
	u64 npages = (16UL << 20) / PAGE_SIZE;

	for (u64 i = 0; i < npages; i++)
		put_tagged(&fd, i);
	cr_assert_eq(fd.height, 2);
	cr_assert_eq(index_pages(npages), 9);
	cr_assert_eq(fs_host_pages, (long)npages + 9);
	for (u64 i = 0; i < npages; i++)
		expect_tagged(&fd, i);
	cr_assert_null(fdata_lookup(&fd, npages));
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}

Test(fdata, getting_an_existing_page_returns_it_unchanged)
{
	struct fdata fd = {0};
	bool fresh;

	put_tagged(&fd, 700);
	cr_assert_eq(fdata_get(&fd, 700, true, &fresh), fdata_lookup(&fd, 700));
	cr_assert(!fresh);
	expect_tagged(&fd, 700);
	fdata_truncate(&fd, 0);
}

Test(fdata, insert_fills_a_hole_but_never_replaces)
{
	struct fdata fd = {0};
	void *mine = kpage_alloc_zeroed(), *other = kpage_alloc_zeroed();

	cr_assert_eq(fdata_insert(&fd, 1000, mine), mine);
	cr_assert_eq(fdata_lookup(&fd, 1000), mine);
	cr_assert_eq(fdata_insert(&fd, 1000, other), mine, "the page there stays");
	fs_host_fail_after(0);
	cr_assert_null(fdata_insert(&fd, 1UL << 20, other), "no index page, no room");
	fs_host_fail_never();
	kpage_free(other);
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}

/* A hole before the first page:  ........X  then  X.......X */
Test(fdata, sparse_pages_leave_holes_between)
{
	struct fdata fd = {0};
	u64 far = 3 * FDATA_FANOUT * FDATA_FANOUT + 5; /* needs height 3 */

	put_tagged(&fd, far);
	cr_assert_eq(fd.height, 3);
	cr_assert_eq(fs_host_pages, 1 + 3, "one data page and one index page per level");
	put_tagged(&fd, 0);
	expect_tagged(&fd, far);
	expect_tagged(&fd, 0);
	cr_assert_null(fdata_lookup(&fd, 1));
	cr_assert_null(fdata_lookup(&fd, far - 1));
	cr_assert_null(fdata_lookup(&fd, far + 1));
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}

/* Growing keeps the old tree as slot 0: X (h0) -> X...X (h1) -> ... */
Test(fdata, the_tree_grows_upward_keeping_its_pages)
{
	struct fdata fd = {0};

	put_tagged(&fd, 0);
	put_tagged(&fd, 1);
	cr_assert_eq(fd.height, 1);
	put_tagged(&fd, FDATA_FANOUT);
	cr_assert_eq(fd.height, 2);
	put_tagged(&fd, FDATA_FANOUT * FDATA_FANOUT);
	cr_assert_eq(fd.height, 3);
	expect_tagged(&fd, 0);
	expect_tagged(&fd, 1);
	expect_tagged(&fd, FDATA_FANOUT);
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}

Test(fdata, pages_past_the_largest_file_are_refused)
{
	struct fdata fd = {0};
	bool fresh;

	cr_assert_null(fdata_get(&fd, FDATA_MAX_PAGES, true, &fresh));
	cr_assert_null(fdata_get(&fd, ~0UL, true, &fresh));
	cr_assert_eq(fs_host_pages, 0);
	put_tagged(&fd, FDATA_MAX_PAGES - 1);
	expect_tagged(&fd, FDATA_MAX_PAGES - 1);
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}

/* XXXXXXXXXX (2000) -> XXX....... (600) -> XX........ (300) -> X (1) */
Test(fdata, truncation_frees_pages_and_index_past_the_cut)
{
	struct fdata fd = {0};

	for (u64 i = 0; i < 2000; i++)
		put_tagged(&fd, i);
	fdata_truncate(&fd, 600);
	cr_assert_eq(fs_host_pages, 600 + index_pages(600));
	for (u64 i = 0; i < 600; i++)
		expect_tagged(&fd, i);
	for (u64 i = 600; i < 2000; i++)
		cr_assert_null(fdata_lookup(&fd, i));

	fdata_truncate(&fd, 300);
	cr_assert_eq(fd.height, 1, "the root shrinks when one index page is enough");
	cr_assert_eq(fs_host_pages, 300 + 1);
	expect_tagged(&fd, 299);

	fdata_truncate(&fd, 1);
	cr_assert_eq(fd.height, 0);
	cr_assert_eq(fs_host_pages, 1);
	expect_tagged(&fd, 0);

	/* And it grows again from there. */
	put_tagged(&fd, 5000);
	expect_tagged(&fd, 0);
	expect_tagged(&fd, 5000);
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}

Test(fdata, truncation_of_a_sparse_file_with_a_hole_at_zero)
{
	struct fdata fd = {0};

	put_tagged(&fd, 100000);
	put_tagged(&fd, 100);
	fdata_truncate(&fd, 50);
	cr_assert_null(fdata_lookup(&fd, 100));
	cr_assert_null(fdata_lookup(&fd, 100000));
	cr_assert_eq(fs_host_pages, 0, "nothing below the cut: every page goes");
	cr_assert_eq(fd.height, 0);
}

Test(fdata, allocation_failures_leak_nothing)
{
	/* Growing from height 0 to 3 takes three new roots, two index pages
	 * below and the data page: each of those six fails in turn. */
	for (long fail = 0; fail < 7; fail++) {
		struct fdata fd = {0};
		bool fresh;

		put_tagged(&fd, 0);
		fs_host_fail_after(fail);
		void *page = fdata_get(&fd, 2 * FDATA_FANOUT * FDATA_FANOUT + 7, true, &fresh);
		fs_host_fail_never();
		if (fail < 6) {
			cr_assert_null(page, "allocation %ld failed", fail);
			cr_assert(!fresh);
		} else {
			cr_assert_not_null(page);
		}
		expect_tagged(&fd, 0);
		fdata_truncate(&fd, 0);
		cr_assert_eq(fs_host_pages, 0, "no leak when allocation %ld fails", fail);
	}
}

/* Random gets and truncations, checked against an array of tags. */
Test(fdata, randomized_against_a_model)
{
	enum { SPACE = 3000, STEPS = 20000 };
	static bool present[SPACE];
	struct fdata fd = {0};
	u64 rng = 88172645463325252ULL;

	for (int step = 0; step < STEPS; step++) {
		u64 r;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		r = rng % SPACE;
		if (rng % 97 == 0) {
			fdata_truncate(&fd, r);
			for (u64 i = r; i < SPACE; i++)
				present[i] = false;
		} else if (!present[r]) {
			put_tagged(&fd, r);
			present[r] = true;
		}
		if (step % 1000 == 0) {
			long live = 0;

			for (u64 i = 0; i < SPACE; i++) {
				if (present[i]) {
					expect_tagged(&fd, i);
					live++;
				} else {
					cr_assert_null(fdata_lookup(&fd, i));
				}
			}
			cr_assert_geq(fs_host_pages, live);
		}
	}
	fdata_truncate(&fd, 0);
	cr_assert_eq(fs_host_pages, 0);
}
