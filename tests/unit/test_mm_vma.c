/* Specification of the VMA set (kernel/mm/vma.c): an address-ordered list
 * and a red-black tree over the same VMAs, each node keeping a bound on
 * the free gaps in its subtree so that vma_find_gap finds the lowest
 * fitting hole in O(log n), amortised. These tests use a bare struct mm (no page table, no
 * pager): only the VMA bookkeeping is under test, and vma_validate() runs
 * after every change. */
#include <criterion/criterion.h>
#include <signal.h>

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/vma.h"
#include "tests/unit/mm_host.h"
#include "tests/unit/mm_test.h"

#define BASE 0x100000UL /* pictures start here */

static struct mm mm;
static u64 free0;

static void setup(void)
{
	mm_host_boot(HOST_PHYS_PAGES);
	free0 = page_free_count();
	memset(&mm, 0, sizeof(mm));
	list_init(&mm.vmas);
	/* The test is the kernel code that changes the set: it holds the lock. */
	sleeplock_init(&mm.lock, "mm");
	sleeplock_acquire(&mm.lock);
}

static void teardown(void)
{
	mm_host_halt();
}

TestSuite(vma, .init = setup, .fini = teardown);

/* Adds the VMA [BASE + first*PG, BASE + (first+n)*PG). */
static struct vma *add(u64 first, u64 n)
{
	struct vma *v =
	    vma_alloc(BASE + first * PG, BASE + (first + n) * PG, VM_READ, false, VMA_MMAP);
	cr_assert_not_null(v);
	vma_insert(&mm, v);
	EXPECT_VALID(&mm);
	return v;
}

static void drop(struct vma *v)
{
	vma_remove(&mm, v);
	vma_free(v);
	EXPECT_VALID(&mm);
}

static void drop_all(void)
{
	struct vma *v;
	while ((v = vma_first(&mm)))
		drop(v);
	cr_assert_eq(mm.nvmas, 0);
	cr_assert_eq(page_free_count(), free0, "VMAs leaked");
}

#define EXPECT_VMAS(pic) EXPECT_PICTURE(vma, &mm, BASE, pic)

/* ---- insert, find, walk ---- */

Test(vma, an_empty_set)
{
	cr_assert_null(vma_first(&mm));
	cr_assert_null(vma_last(&mm));
	cr_assert_null(vma_find(&mm, BASE));
	cr_assert_null(vma_find_from(&mm, 0));
	cr_assert(!vma_overlaps(&mm, 0, MM_USER_TOP));
	EXPECT_VALID(&mm);
}

Test(vma, inserting_in_any_order_keeps_address_order)
{
	/* ........  ->  ..AA.BBB.C */
	struct vma *c = add(9, 1), *a = add(2, 2), *b = add(5, 3);

	EXPECT_VMAS("..AA.BBB.C");
	cr_assert_eq(mm.nvmas, 3);
	cr_assert_eq(vma_first(&mm), a);
	cr_assert_eq(vma_next(&mm, a), b);
	cr_assert_eq(vma_next(&mm, b), c);
	cr_assert_null(vma_next(&mm, c));
	cr_assert_eq(vma_last(&mm), c);
	cr_assert_eq(vma_prev(&mm, c), b);
	cr_assert_null(vma_prev(&mm, a));
	cr_assert_eq(b->gap, PG, "one free page below B");
	cr_assert_eq(a->gap, BASE + 2 * PG, "everything below A");
	drop_all();
}

Test(vma, find_takes_start_inclusive_and_end_exclusive)
{
	/* ..AA.BBB.. */
	struct vma *a = add(2, 2), *b = add(5, 3);

	cr_assert_null(vma_find(&mm, BASE + 2 * PG - 1));
	cr_assert_eq(vma_find(&mm, BASE + 2 * PG), a);
	cr_assert_eq(vma_find(&mm, BASE + 4 * PG - 1), a);
	cr_assert_null(vma_find(&mm, BASE + 4 * PG));
	cr_assert_eq(vma_find(&mm, BASE + 5 * PG), b);
	cr_assert_null(vma_find(&mm, BASE + 8 * PG));
	drop_all();
}

Test(vma, find_from_gives_the_containing_or_next_vma)
{
	/* ..AA.BBB.. */
	struct vma *a = add(2, 2), *b = add(5, 3);

	cr_assert_eq(vma_find_from(&mm, 0), a);
	cr_assert_eq(vma_find_from(&mm, BASE + 3 * PG), a);
	cr_assert_eq(vma_find_from(&mm, BASE + 4 * PG), b, "in the hole: the next one");
	cr_assert_eq(vma_find_from(&mm, BASE + 7 * PG), b);
	cr_assert_null(vma_find_from(&mm, BASE + 8 * PG), "past the last one");
	drop_all();
}

Test(vma, overlaps_tests_half_open_ranges)
{
	/* ..AA.BBB.. */
	add(2, 2);
	add(5, 3);

	cr_assert(!vma_overlaps(&mm, BASE, BASE + 2 * PG), "ends where A starts");
	cr_assert(vma_overlaps(&mm, BASE, BASE + 2 * PG + 1));
	cr_assert(!vma_overlaps(&mm, BASE + 4 * PG, BASE + 5 * PG), "exactly the hole");
	cr_assert(vma_overlaps(&mm, BASE + 4 * PG, BASE + 6 * PG));
	cr_assert(vma_overlaps(&mm, BASE + 6 * PG, BASE + 6 * PG + 1), "inside B");
	cr_assert(vma_overlaps(&mm, 0, MM_USER_TOP), "around everything");
	cr_assert(!vma_overlaps(&mm, BASE + 8 * PG, MM_USER_TOP));
	drop_all();
}

Test(vma, inserting_an_overlapping_vma_panics, .signal = SIGABRT)
{
	add(2, 4);
	add(5, 2);
}

Test(vma, inserting_a_vma_around_another_panics, .signal = SIGABRT)
{
	add(4, 1);
	add(2, 6);
}

/* ---- remove and adjust ---- */

Test(vma, removing_updates_the_next_gap)
{
	/* AA.BB.CC  ->  AA....CC  ->  ......CC  ->  ........ */
	struct vma *a = add(0, 2), *b = add(3, 2), *c = add(6, 2);

	drop(b);
	EXPECT_VMAS("AA....BB");
	cr_assert_eq(c->gap, 4 * PG);
	drop(a);
	EXPECT_VMAS("......AA");
	cr_assert_eq(c->gap, BASE + 6 * PG);
	drop(c);
	EXPECT_VMAS("........");
	drop_all();
}

Test(vma, adjusting_moves_bounds_and_gaps)
{
	/* AA...BB.  ->  AAAA.BB.  ->  .AAA.BB.  ->  .AAA..B. */
	struct vma *a = add(0, 2), *b = add(5, 2);

	vma_adjust(&mm, a, a->start, BASE + 4 * PG);
	EXPECT_VALID(&mm);
	EXPECT_VMAS("AAAA.BB.");
	cr_assert_eq(b->gap, PG);
	vma_adjust(&mm, a, BASE + PG, a->end);
	EXPECT_VALID(&mm);
	EXPECT_VMAS(".AAA.BB.");
	cr_assert_eq(a->gap, BASE + PG);
	vma_adjust(&mm, b, BASE + 6 * PG, b->end);
	EXPECT_VALID(&mm);
	EXPECT_VMAS(".AAA..B.");
	cr_assert_eq(b->gap, 2 * PG);
	drop_all();
}

Test(vma, validate_notices_a_broken_gap_and_an_overlap)
{
	struct vma *a = add(0, 2), *b = add(4, 2);

	b->gap += PG;
	cr_assert(!vma_validate(&mm), "a wrong gap went unnoticed");
	b->gap -= PG;
	cr_assert(vma_validate(&mm));
	a->end = BASE + 5 * PG; /* behind the tree's back */
	cr_assert(!vma_validate(&mm), "an overlap went unnoticed");
	a->end = BASE + 2 * PG;
	b->start += 1;
	cr_assert(!vma_validate(&mm), "an unaligned bound went unnoticed");
	b->start -= 1;
	drop_all();
}

/* ---- attributes and backing ---- */

static int backing_refs;
Test(vma, validate_notices_a_bound_below_a_gap)
{
	add(0, 1);
	add(9, 1);
	add(11, 1);
	struct vma *root = rb_entry(mm.vma_tree.node, struct vma, rb);
	u64 bound = root->subtree_gap;

	root->subtree_gap = 7 * PG; /* below the 8-page hole */
	cr_assert(!vma_validate(&mm), "a bound below a gap went unnoticed");
	root->subtree_gap = bound;
	drop_all();
}

/* The largest gap of the set, by walking the list. */
static u64 largest_gap(void)
{
	u64 g = 0;
	struct vma *v;
	for_each_vma(&mm, v)
	{
		g = MAX(g, v->gap);
	}
	return g;
}

/* A 399-page hole is filled, which leaves the bounds above it too high;
 * a search that needs more than any gap has finds nothing in the tree,
 * and lowers every bound it passed to the truth. */
static void fill_a_large_hole(void)
{
	add(0, 1);
	add(400, 1);
	for (u64 i = 0; i < 40; i++)
		add(402 + 2 * i, 1);
	add(1, 399);
	cr_assert_eq(largest_gap(), BASE, "the room below the first VMA");
}

Test(vma, a_search_that_finds_nothing_lowers_the_bounds_it_passed)
{
	fill_a_large_hole();
	struct vma *last = vma_last(&mm);
	cr_assert_eq(vma_find_gap(&mm, 300 * PG, PG, MM_USER_TOP), last->end,
		     "no hole fits: above the last");
	cr_assert_eq(rb_entry(mm.vma_tree.node, struct vma, rb)->subtree_gap, largest_gap());
	EXPECT_VALID(&mm);
	drop_all();
}

Test(vma, a_search_from_the_top_that_finds_nothing_lowers_the_bounds_too)
{
	fill_a_large_hole();
	struct vma *last = vma_last(&mm);
	cr_assert_eq(vma_find_gap_top(&mm, 300 * PG, PG, last->end), 0, "no hole fits");
	cr_assert_eq(rb_entry(mm.vma_tree.node, struct vma, rb)->subtree_gap, largest_gap());
	EXPECT_VALID(&mm);
	drop_all();
}

static void backing_get(void *obj)
{
	(void)obj;
	backing_refs++;
}
static void backing_put(void *obj)
{
	(void)obj;
	backing_refs--;
}
static const struct vm_backing_ops backing_ops = {.get = backing_get, .put = backing_put};

Test(vma, a_duplicate_copies_attributes_and_takes_its_own_backing_reference)
{
	struct vm_backing file = {.ops = &backing_ops, .obj = &backing_refs, .writable = true};
	struct vma *v = vma_alloc(BASE, BASE + 3 * PG, VM_READ | VM_EXEC, true, VMA_TEXT);

	vma_set_backing(v, &file, 5 * PG);
	cr_assert_eq(backing_refs, 1);
	struct vma *d = vma_dup(v);
	cr_assert_eq(backing_refs, 2);
	cr_assert_eq(d->start, v->start);
	cr_assert_eq(d->end, v->end);
	cr_assert_eq(d->prot, VM_READ | VM_EXEC);
	cr_assert(d->shared);
	cr_assert_eq(d->role, VMA_TEXT);
	cr_assert_eq(d->offset, 5 * PG);
	cr_assert_eq(d->file.obj, &backing_refs);
	cr_assert(d->file.writable);
	vma_free(v);
	vma_free(d);
	cr_assert_eq(backing_refs, 0);
	cr_assert_eq(page_free_count(), free0);
}

Test(vma, anonymous_vmas_take_no_backing_reference)
{
	struct vma *v = vma_alloc(BASE, BASE + PG, VM_READ, false, VMA_MMAP);
	vma_set_backing(v, NULL, 0);
	struct vma *d = vma_dup(v);
	cr_assert_null(d->file.ops);
	vma_free(v);
	vma_free(d);
	cr_assert_eq(page_free_count(), free0);
}

/* ---- placement ---- */

Test(vma, find_gap_takes_the_lowest_hole_that_fits)
{
	/* AA.BB...CC..DD  (pages from BASE) */
	add(0, 2);
	add(3, 2);
	add(8, 2);
	add(12, 2);
	u64 lo = BASE, hi = MM_USER_TOP;

	cr_assert_eq(vma_find_gap(&mm, PG, lo, hi), BASE + 2 * PG, "the one-page hole");
	cr_assert_eq(vma_find_gap(&mm, 2 * PG, lo, hi), BASE + 5 * PG);
	cr_assert_eq(vma_find_gap(&mm, 3 * PG, lo, hi), BASE + 5 * PG, "an exact fit");
	cr_assert_eq(vma_find_gap(&mm, 4 * PG, lo, hi), BASE + 14 * PG, "above the last");
	cr_assert_eq(vma_find_gap(&mm, PG, 0 + PG, hi), PG, "below the first");
	drop_all();
}

Test(vma, find_gap_keeps_within_low_and_high)
{
	/* AA.BB...CC..DD */
	add(0, 2);
	add(3, 2);
	add(8, 2);
	add(12, 2);

	cr_assert_eq(vma_find_gap(&mm, PG, BASE + 3 * PG, MM_USER_TOP), BASE + 5 * PG,
		     "low skips the first hole");
	cr_assert_eq(vma_find_gap(&mm, PG, BASE + 6 * PG, MM_USER_TOP), BASE + 6 * PG,
		     "low inside a hole");
	cr_assert_eq(vma_find_gap(&mm, 2 * PG, BASE + 6 * PG, MM_USER_TOP), BASE + 6 * PG);
	cr_assert_eq(vma_find_gap(&mm, 3 * PG, BASE + 6 * PG, MM_USER_TOP), BASE + 14 * PG,
		     "the rest of the hole is too small");
	cr_assert_eq(vma_find_gap(&mm, 2 * PG, BASE + 2 * PG, BASE + 7 * PG), BASE + 5 * PG,
		     "high cuts the hole it ends in");
	cr_assert_eq(vma_find_gap(&mm, 3 * PG, BASE + 2 * PG, BASE + 7 * PG), 0,
		     "nothing fits below high");
	cr_assert_eq(vma_find_gap(&mm, PG, BASE + 14 * PG, BASE + 15 * PG), BASE + 14 * PG);
	cr_assert_eq(vma_find_gap(&mm, 2 * PG, BASE + 14 * PG, BASE + 15 * PG), 0);
	drop_all();
}

Test(vma, find_gap_refuses_nonsense)
{
	add(0, 2);
	cr_assert_eq(vma_find_gap(&mm, 0, PG, MM_USER_TOP), 0, "zero length");
	cr_assert_eq(vma_find_gap(&mm, PG, ~0UL - 10, ~0UL), 0, "low + len overflows");
	cr_assert_eq(vma_find_gap(&mm, 4 * PG, MM_USER_TOP - 2 * PG, MM_USER_TOP), 0);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, BASE + 2 * PG), 0, "all taken");
	drop_all();
}

/* ---- the lookup cache (mm->vma_cache) ----
 * vma_find_from tries the VMA last inserted, or the one after the VMA
 * last removed, before the tree. Each test fails (or ASan stops it) if a
 * removal leaves the cache on a freed VMA or the cache answers for an
 * address it does not hold. */

Test(vma, lookup_cache_moves_on_when_its_vma_goes)
{
	/* A.B.C, C cached: removed, the lookup must not find it. */
	struct vma *a = add(0, 1), *b = add(2, 1), *c = add(4, 1);
	cr_assert_eq(vma_find(&mm, BASE + 4 * PG), c);
	drop(c);
	cr_assert_null(vma_find(&mm, BASE + 4 * PG), "the removed VMA");
	cr_assert_null(vma_find_from(&mm, BASE + 3 * PG));
	c = add(4, 1);
	drop(b); /* not the cached one */
	cr_assert_null(vma_find(&mm, BASE + 2 * PG));
	cr_assert_eq(vma_find_from(&mm, BASE + PG), c);
	cr_assert_eq(vma_find(&mm, BASE), a);
	drop_all();
}

Test(vma, lookup_cache_moves_on_when_a_merge_frees_its_vma)
{
	/* AB, alike and side by side: B (cached) is merged into A and freed. */
	struct vma *a = add(0, 1);
	add(1, 1);
	vma_merge_range(&mm, BASE, BASE + 2 * PG);
	EXPECT_VALID(&mm);
	EXPECT_VMAS("AA..");
	cr_assert_eq(vma_find(&mm, BASE + PG), a);
	cr_assert_null(vma_find_from(&mm, BASE + 2 * PG));
	struct vma *b = add(2, 1);
	b->prot = VM_READ | VM_WRITE;
	vma_merge_neighbours(&mm, b); /* not alike: both stay */
	EXPECT_VMAS("AAB.");
	cr_assert_eq(vma_find(&mm, BASE + 2 * PG), b);
	struct vma *c = add(3, 1);
	c->prot = VM_READ | VM_WRITE;
	vma_merge_neighbours(&mm, c); /* c, cached, goes into b */
	EXPECT_VALID(&mm);
	EXPECT_VMAS("AABB");
	cr_assert_eq(vma_find(&mm, BASE + 3 * PG), b);
	drop_all();
}

Test(vma, lookup_cache_answers_only_for_its_own_range)
{
	/* A split caches the upper half; the lower half is still found. */
	struct vma *a = add(2, 4);
	struct vma *hi = vma_split(&mm, a, BASE + 4 * PG);
	EXPECT_VALID(&mm);
	cr_assert_eq(vma_find(&mm, BASE + 3 * PG), a);
	cr_assert_eq(vma_find(&mm, BASE + 4 * PG), hi);
	cr_assert_eq(vma_find_from(&mm, BASE), a, "below both");
	cr_assert_null(vma_find(&mm, BASE + PG));
	vma_adjust(&mm, hi, hi->start, BASE + 5 * PG);
	cr_assert_null(vma_find(&mm, BASE + 5 * PG), "past the cached VMA's new end");
	drop_all();
}

/* ---- placement's hint (mm->place_*) ----
 * vma_find_gap starts where its last search from the bottom ended. Each
 * test below fails if one of the ways a hole can grow again forgets to
 * pull that hint down. */

/* Maps what vma_find_gap(len, BASE) answers, as mmap does. */
static struct vma *place(u64 len)
{
	u64 a = vma_find_gap(&mm, len, BASE, MM_USER_TOP);
	cr_assert(a >= BASE && (a - BASE) % PG == 0, "placed at %#lx", a);
	return add((a - BASE) / PG, len / PG);
}

Test(vma, find_gap_hint_moves_up_as_pages_are_placed)
{
	for (int i = 0; i < 8; i++)
		place(PG);
	EXPECT_VMAS("ABCDEFGH..");
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 8 * PG);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE + 3 * PG, MM_USER_TOP), BASE + 8 * PG,
		     "from a low below the hint");
	drop_all();
}

Test(vma, find_gap_hint_comes_down_when_a_vma_goes)
{
	struct vma *v[8];
	for (int i = 0; i < 8; i++)
		v[i] = place(PG);
	drop(v[3]);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 3 * PG, "the hole left");
	place(PG);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 8 * PG);
	drop(v[7]); /* the last VMA: the room above it grows, no gap changes */
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 7 * PG,
		     "the room above the last");
	drop_all();
}

Test(vma, find_gap_hint_comes_down_when_a_vma_shrinks)
{
	struct vma *b, *c, *d;
	add(0, 2);
	b = add(2, 2);
	c = add(4, 2);
	d = add(6, 2);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 8 * PG);
	vma_adjust(&mm, b, b->start + PG, b->end); /* from below */
	EXPECT_VALID(&mm);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 2 * PG);
	place(PG);
	vma_adjust(&mm, c, c->start, c->end - PG); /* from above */
	EXPECT_VALID(&mm);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 5 * PG);
	place(PG);
	vma_adjust(&mm, d, d->start, d->end - PG); /* the last one */
	EXPECT_VALID(&mm);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 7 * PG);
	drop_all();
}

Test(vma, find_gap_hint_comes_down_when_a_split_is_undone)
{
	/* A split moves v's end down before its upper half goes in: for a
	 * moment there is a hole, and the hint must not be above it. */
	struct vma *a = place(4 * PG);
	place(PG);
	struct vma *hi = vma_split(&mm, a, BASE + 2 * PG);
	EXPECT_VALID(&mm);
	drop(hi);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + 2 * PG);
	drop_all();
}

Test(vma, find_gap_hint_remembers_only_holes_shorter_than_it_looked_for)
{
	/* A.B.C...: a search for 2 pages passes the one-page holes, which a
	 * search for one page must still find. */
	add(0, 1);
	add(2, 1);
	add(4, 1);
	cr_assert_eq(vma_find_gap(&mm, 2 * PG, BASE, MM_USER_TOP), BASE + 5 * PG);
	add(5, 2);
	cr_assert_eq(vma_find_gap(&mm, 2 * PG, BASE, MM_USER_TOP), BASE + 7 * PG);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE + PG, "a hole it passed");
	cr_assert_eq(vma_find_gap(&mm, PG, BASE + 2 * PG, MM_USER_TOP), BASE + 3 * PG);
	drop_all();
}

Test(vma, find_gap_hint_is_not_taken_below_its_base)
{
	/* A search from a higher low starts the hint there; one from lower
	 * down must still see the holes below. */
	add(1, 1);
	add(4, 4);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE + 4 * PG, MM_USER_TOP), BASE + 8 * PG);
	cr_assert_eq(vma_find_gap(&mm, PG, BASE, MM_USER_TOP), BASE);
	cr_assert_eq(vma_find_gap(&mm, 2 * PG, BASE + PG, MM_USER_TOP), BASE + 2 * PG);
	drop_all();
}

/* What vma_find_gap must return, by a plain walk over the list. */
static u64 linear_gap(u64 len, u64 low, u64 high)
{
	if (len == 0 || low + len < low || low + len > high)
		return 0;
	u64 prev_end = 0;
	struct vma *v;
	for (v = vma_first(&mm);; v = vma_next(&mm, v)) {
		u64 next_start = v ? v->start : ~0UL;
		u64 s = MAX(prev_end, low), e = MIN(next_start, high);
		if (e > s && e - s >= len)
			return s;
		if (!v || next_start >= high)
			return 0;
		prev_end = v->end;
	}
}

/* Random sets of VMAs in a 1024-page window, changed one step at a time
 * (insert, remove, grow, shrink), with random placement queries after each
 * step compared against the linear scan. */
Test(vma, find_gap_agrees_with_a_linear_scan_on_random_sets)
{
	enum { WINDOW = 1024, STEPS = 4000 };
	rng_seed(2024);
	for (int step = 0; step < STEPS; step++) {
		u64 first = rng_below(WINDOW), n = 1 + rng_below(16);
		u64 start = BASE + first * PG, end = start + n * PG;
		int what = (int)rng_below(4);
		struct vma *v = vma_find_from(&mm, start);
		if (what <= 1 && !vma_overlaps(&mm, start, end)) {
			add(first, n);
		} else if (what == 2 && v) {
			drop(v);
		} else if (what == 3 && v) {
			/* Move v's end anywhere between its start and its
			 * neighbour. */
			struct vma *next = vma_next(&mm, v);
			u64 limit = next ? next->start : v->end + 8 * PG;
			u64 span = (limit - v->start) / PG;
			vma_adjust(&mm, v, v->start, v->start + (1 + rng_below(span)) * PG);
			EXPECT_VALID(&mm);
		}
		for (int q = 0; q < 8; q++) {
			u64 len = (1 + rng_below(rng_below(4) ? 8 : 64)) * PG;
			u64 low = BASE - 4 * PG + rng_below(WINDOW + 32) * PG;
			u64 high = rng_below(4) ? MM_USER_TOP : low + rng_below(WINDOW) * PG;
			cr_assert_eq(vma_find_gap(&mm, len, low, high), linear_gap(len, low, high),
				     "step %d: len %#lx low %#lx high %#lx", step, len, low, high);
		}
	}
	drop_all();
}

/* mmap's way: most searches from one low, each answer mapped, among
 * random removals, shrinks, splits and merges, every answer compared with
 * the linear scan; so the hint is used and pulled down all the time. */
Test(vma, find_gap_hint_agrees_with_a_linear_scan_as_mmap_uses_it)
{
	enum { WINDOW = 512, STEPS = 6000 };
	rng_seed(11);
	for (int step = 0; step < STEPS; step++) {
		u64 len = (1 + rng_below(rng_below(4) ? 2 : 6)) * PG;
		u64 low = rng_below(8) ? BASE : BASE + rng_below(WINDOW) * PG;
		u64 a = vma_find_gap(&mm, len, low, MM_USER_TOP);
		cr_assert_eq(a, linear_gap(len, low, MM_USER_TOP), "step %d: len %#lx low %#lx",
			     step, len, low);
		if (a + len <= BASE + WINDOW * PG && rng_below(3)) {
			struct vma *v = vma_alloc(a, a + len, VM_READ, false, VMA_MMAP);
			cr_assert_not_null(v);
			vma_insert(&mm, v);
			vma_merge_neighbours(&mm, v); /* v may be gone */
			EXPECT_VALID(&mm);
		}
		u64 at = BASE + rng_below(WINDOW) * PG;
		struct vma *v = vma_find_from(&mm, at), *w;
		for_each_vma(&mm, w)
		{
			if (w->end > at)
				break;
		}
		cr_assert_eq(v, w, "step %d: vma_find_from(%#lx)", step, at);
		int what = (int)rng_below(8);
		if (!v || what >= 5)
			continue;
		if (what <= 1) {
			drop(v);
		} else if (what == 2 && v->end - v->start > PG) {
			u64 pages = (v->end - v->start) / PG;
			u64 cut = v->start + (1 + rng_below(pages - 1)) * PG;
			if (rng_below(2))
				vma_adjust(&mm, v, v->start, cut);
			else
				vma_adjust(&mm, v, cut, v->end);
			EXPECT_VALID(&mm);
		} else if (what == 3 && v->end - v->start > PG) {
			u64 pages = (v->end - v->start) / PG;
			struct vma *hi =
			    vma_split(&mm, v, v->start + (1 + rng_below(pages - 1)) * PG);
			cr_assert_not_null(hi);
			hi->prot = VM_READ | VM_WRITE;
			EXPECT_VALID(&mm);
		} else if (what == 4) {
			v->prot = VM_READ;
			vma_merge_range(&mm, v->start, v->end);
			EXPECT_VALID(&mm);
		}
	}
	drop_all();
}

/* Ten thousand VMAs: every one found, placement still right, all freed. */
Test(vma, ten_thousand_vmas)
{
	enum { N = 10000 };
	static u64 firsts[N];
	for (int i = 0; i < N; i++)
		firsts[i] = (u64)i * 3 + (i % 7 == 0); /* holes of 1 and 2 pages */
	rng_seed(99);
	for (int i = N - 1; i > 0; i--) {
		int j = (int)rng_below((u64)i + 1);
		u64 t = firsts[i];
		firsts[i] = firsts[j];
		firsts[j] = t;
	}
	for (int i = 0; i < N; i++) {
		struct vma *v = vma_alloc(BASE + firsts[i] * PG, BASE + (firsts[i] + 1) * PG,
					  VM_READ, false, VMA_MMAP);
		vma_insert(&mm, v);
		if (i % 1000 == 999)
			EXPECT_VALID(&mm);
	}
	cr_assert_eq(mm.nvmas, N);
	EXPECT_VALID(&mm);
	for (int i = 0; i < N; i++) {
		u64 a = BASE + firsts[i] * PG;
		struct vma *v = vma_find(&mm, a + 17);
		cr_assert(v && v->start == a, "VMA at %#lx not found", a);
	}
	for (int q = 0; q < 2000; q++) {
		u64 len = (1 + rng_below(3)) * PG, low = BASE + rng_below(3 * N) * PG;
		cr_assert_eq(vma_find_gap(&mm, len, low, MM_USER_TOP),
			     linear_gap(len, low, MM_USER_TOP), "len %#lx low %#lx", len, low);
	}
	for (int i = 0; i < N; i++) {
		struct vma *v = vma_find(&mm, BASE + firsts[i] * PG);
		vma_remove(&mm, v);
		vma_free(v);
		if (i % 1000 == 999)
			EXPECT_VALID(&mm);
	}
	drop_all();
}
