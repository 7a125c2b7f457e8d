/* Specification of swap and reclaim (kernel/mm/swap.c, reclaim.c), with a
 * disk in host memory (host_blk.c):
 *
 *   - reclaim sends a page to swap only after its second chance: the
 *     first pass of the clock clears the accessed bits it finds;
 *   - an evicted page's PTE becomes a swap entry ('S'), its frame is
 *     freed and one slot is taken; touching it reads it back, and the
 *     slot is freed once no entry names it;
 *   - a page that fork shared copy-on-write leaves RAM once and comes back
 *     as one page shared by both (the swap cache), still copy-on-write;
 *   - a pinned page (a crypto request's, a futex waiter's) never leaves;
 *   - fork copies swap entries, and munmap or destroying an mm frees the
 *     slots its entries held;
 *   - a fault reads the slots after its own along (read-ahead), a window
 *     that grows while the pages read ahead are used (1, 3, 7, 15) and
 *     shrinks by half per miss when they are not; such a page nobody
 *     asks for is dropped by reclaim without a write, but a cached page a
 *     shared mapping wrote is written out first;
 *   - a full swap device stops reclaim; a read error kills the access
 *     with its reason and loses no slot.
 *
 * Pictures: as test_mm_fork.c's, and 'S' for a swap entry. Every test
 * ends with every page and every slot given back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/mm/reclaim.h"
#include "kernel/mm/share.h"
#include "kernel/mm/swap.h"
#include "tests/unit/host_blk.h"
#include "tests/unit/mm_test.h"
#include "tests/unit/rng.h"

#define BASE	     0x10000000UL
#define P(i)	     (BASE + (u64)(i)*PG)
#define PTES(m, pic) EXPECT_PICTURE(pte, m, BASE, pic)

static struct mm *mm, *child;

/* Boots with a disk of slots pages used as swap; mm is the first mm. */
static void start(const char *pager, u64 slots)
{
	test_boot(HOST_PHYS_PAGES, pager);
	host_blk_attach(slots * PG);
	cr_assert_eq(swap_init(), 0);
	test_free0 = page_free_count();
	mm = test_new_mm();
}

static u64 swap_used(void)
{
	u64 total, used;
	swap_usage(&total, &used);
	return used;
}

static void teardown(void)
{
	test_end_mm(&child);
	test_end_mm(&mm);
	cr_assert_eq(swap_used(), 0, "%lu slots not given back", (unsigned long)swap_used());
	cr_assert_eq(swap_cached_pages(), 0, "pages left in the swap cache");
	test_end();
}

static struct page *page_at(struct mm *m, u64 va)
{
	pte_t *pte = mm_host_pte(m, va);
	cr_assert(pte && pte_valid(*pte), "nothing mapped at %#lx", va);
	return pa_to_page(pte_pa(*pte));
}

/* n pages at BASE, page i holding 100 + i. */
static void fill(struct mm *m, int n)
{
	MAP_AT(m, BASE, n * PG, RW);
	for (int i = 0; i < n; i++)
		EXPECT_WRITE(m, P(i), 100 + i);
}

TEST_BOTH_PAGERS(swap, pages_leave_after_a_second_chance_and_come_back, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 4);
	PTES(mm, "wwww");
	u64 free = page_free_count();

	cr_assert_eq(reclaim_pages(4), 4);
	PTES(mm, "SSSS");
	cr_assert_eq(mm->swapped, 4);
	cr_assert_eq(mm->rss, 0);
	cr_assert_eq(page_free_count(), free + 4, "each frame freed");
	cr_assert_eq(swap_used(), 4);
	cr_assert_eq(host_blk_writes, 4);

	EXPECT_READ(mm, P(2), 102);
	PTES(mm, "SSwS");
	cr_assert_eq(swap_used(), 3, "the slot goes with its last entry");
	/* Page 3 went out right after page 2, to the next slot: it was read
	 * with it, and waits in the swap cache. */
	cr_assert_eq(swap_cached_pages(), 1, "the next slot read ahead");
	cr_assert_eq(host_blk_reads, 2);
	EXPECT_READ(mm, P(3), 103);
	cr_assert_eq(host_blk_reads, 2, "page 3 came from the cache");
	cr_assert_eq(swap_cached_pages(), 0);
	EXPECT_WRITE(mm, P(0), 7);
	EXPECT_READ(mm, P(0), 7);
	EXPECT_READ(mm, P(1), 101);
	PTES(mm, "wwww");
	cr_assert_eq(mm->swapped, 0);
	cr_assert_eq(swap_used(), 0);
}

TEST_BOTH_PAGERS(swap, pages_read_ahead_and_never_asked_for_are_dropped, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 4);
	cr_assert_eq(reclaim_pages(4), 4);
	u64 free = page_free_count();
	EXPECT_READ(mm, P(0), 100);
	cr_assert_eq(swap_cached_pages(), 1, "page 1 read ahead: a first miss's window");
	cr_assert_eq(page_free_count(), free - 2);
	cr_assert_eq(swap_used(), 3);
	/* Clean (the slot has it): reclaim frees it without a write. */
	u64 writes = host_blk_writes;
	cr_assert_eq(swap_drop_cached(8), 1);
	cr_assert_eq(host_blk_writes, writes);
	cr_assert_eq(swap_cached_pages(), 0);
	cr_assert_eq(page_free_count(), free - 1);
	cr_assert_eq(swap_used(), 3, "the entries still name their slots");
	EXPECT_READ(mm, P(3), 103);
	EXPECT_READ(mm, P(1), 101);
	EXPECT_READ(mm, P(2), 102);
}

/* Reads P(from..to) in order; each miss's batch size (pages read from
 * the disk) goes to sizes[], their number is returned. */
static int walk(struct mm *m, int from, int to, u64 *sizes)
{
	int n = 0;
	for (int i = from; i <= to; i++) {
		u64 reads = host_blk_reads;
		EXPECT_READ(m, P(i), 100 + i);
		if (host_blk_reads != reads)
			sizes[n++] = host_blk_reads - reads;
	}
	return n;
}

TEST_BOTH_PAGERS(swap, a_walk_in_order_reads_ever_more_ahead, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 40);
	cr_assert_eq(reclaim_pages(40), 40); /* slots 0 to 39, in order */
	u64 sizes[40];
	int n = walk(mm, 0, 39, sizes);
	/* 1, 3, 7, 15 ahead, each window from the hits of the last; then
	 * 15 again, cut short by the end of the run. */
	u64 want[] = {2, 4, 8, 16, 10};
	cr_assert_eq(n, 5, "%d misses", n);
	for (int i = 0; i < n; i++)
		cr_assert_eq(sizes[i], want[i], "miss %d read %lu pages, not %lu", i,
			     (unsigned long)sizes[i], (unsigned long)want[i]);
	cr_assert_eq(host_blk_reads, 40, "each slot read once");
	cr_assert_eq(swap_cached_pages(), 0);
}

TEST_BOTH_PAGERS(swap, a_jump_with_nothing_read_ahead_used_reads_only_its_page, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 40);
	cr_assert_eq(reclaim_pages(40), 40);
	u64 reads = host_blk_reads;
	EXPECT_READ(mm, P(0), 100);
	cr_assert_eq(host_blk_reads, reads + 2, "a first miss reads one ahead");
	EXPECT_READ(mm, P(20), 120); /* far past the run read (0 and 1) */
	cr_assert_eq(host_blk_reads, reads + 3, "a jump reads one page");
	EXPECT_READ(mm, P(10), 110); /* behind it */
	cr_assert_eq(host_blk_reads, reads + 4);
	EXPECT_READ(mm, P(35), 135);
	cr_assert_eq(host_blk_reads, reads + 5);
	cr_assert_eq(swap_cached_pages(), 1, "page 1, never asked for");
	cr_assert_eq(swap_drop_cached(64), 1);
	for (int i = 1; i < 40; i++)
		EXPECT_READ(mm, P(i), 100 + i);
}

TEST_BOTH_PAGERS(swap, the_window_shrinks_by_half_per_miss_that_wasted_it, .fini = teardown)
{
	start(pager, 128);
	fill(mm, 64);
	cr_assert_eq(reclaim_pages(64), 64);
	u64 sizes[64];
	cr_assert_eq(walk(mm, 0, 29, sizes), 4, "a window of 15 at the fourth miss");
	/* The walk's 15 hits open the window once more, wide. */
	u64 reads = host_blk_reads;
	EXPECT_READ(mm, P(50), 150);
	cr_assert_eq(host_blk_reads - reads, 14, "slots 50 to 63");
	/* Then misses with none of those used: 7, 3, 1 ahead. */
	u64 want[][2] = {{40, 8}, {30, 4}, {36, 2}};
	for (int i = 0; i < 3; i++) {
		reads = host_blk_reads;
		EXPECT_READ(mm, P(want[i][0]), 100 + want[i][0]);
		cr_assert_eq(host_blk_reads - reads, want[i][1],
			     "the miss at %lu read %lu, not %lu", (unsigned long)want[i][0],
			     (unsigned long)(host_blk_reads - reads), (unsigned long)want[i][1]);
	}
	cr_assert_gt(swap_drop_cached(128), 0);
	for (int i = 0; i < 64; i++)
		EXPECT_READ(mm, P(i), 100 + i);
}

TEST_BOTH_PAGERS(swap, a_cached_page_written_through_a_shared_mapping_is_written_out,
		 .fini = teardown)
{
	start(pager, 64);
	cr_assert_eq(mm_mmap(mm, BASE, 2 * PG, RW, MNEMO_MAP_SHARED | MNEMO_MAP_FIXED, NULL, 0),
		     (long)BASE);
	EXPECT_WRITE(mm, P(0), 100);
	EXPECT_WRITE(mm, P(1), 101);
	mm_host_load(mm);
	child = mm_fork(mm);
	cr_assert_not_null(child);
	cr_assert_eq(reclaim_pages(2), 2);
	PTES(mm, "SS");
	PTES(child, "SS");
	/* The child brings page 0 back (page 1 comes along, read ahead) and
	 * writes it; the parent's entry still names the slot. */
	EXPECT_WRITE(child, P(0), 55);
	test_drop_mm(&child);
	cr_assert_eq(swap_cached_pages(), 2, "page 0 for the parent's entry, page 1 read ahead");
	u64 writes = host_blk_writes;
	cr_assert_eq(swap_drop_cached(8), 2);
	cr_assert_eq(host_blk_writes, writes + 1, "page 0, newer than its slot, written first");
	EXPECT_READ(mm, P(0), 55);
	EXPECT_READ(mm, P(1), 101);
}

TEST_BOTH_PAGERS(swap, a_page_touched_since_the_last_pass_stays, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 4);
	/* The first pass finds all four young and only clears their
	 * accessed bits; the second takes the first page it meets. */
	cr_assert_eq(reclaim_pages(1), 1);
	PTES(mm, "Swww");
	for (int i = 1; i < 4; i++)
		cr_assert(!(*mm_host_pte(mm, P(i)) & PTE_A), "page %d passed once", i);
	/* The hand is at page 1 now. Touch 1 and 3 (through a fresh TLB, so
	 * that the walk sets A as the hardware does). */
	mm_host_load(NULL);
	EXPECT_READ(mm, P(1), 101);
	EXPECT_READ(mm, P(3), 103);
	cr_assert_eq(reclaim_pages(1), 1);
	PTES(mm, "SwSw");
	for (int i = 0; i < 4; i++)
		EXPECT_READ(mm, P(i), 100 + i);
}

TEST_BOTH_PAGERS(swap, a_copy_on_write_page_comes_back_shared, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 2);
	mm_host_load(mm);
	child = mm_fork(mm);
	cr_assert_not_null(child);
	PTES(mm, "cc");
	PTES(child, "cc");
	u64 free = page_free_count();

	cr_assert_eq(reclaim_pages(2), 2);
	PTES(mm, "SS");
	PTES(child, "SS");
	cr_assert_eq(swap_used(), 2, "one slot per page, not per PTE");
	cr_assert_eq(page_free_count(), free + 2);

	EXPECT_READ(child, P(0), 100);
	cr_assert_eq(swap_cached_pages(), 2,
		     "the parent's entry still names the slot; page 1 "
		     "was read ahead");
	EXPECT_READ(mm, P(0), 100);
	cr_assert_eq(page_at(mm, P(0)), page_at(child, P(0)), "one page for both, as before");
	PTES(mm, "cS");
	PTES(child, "cS");
	cr_assert_eq(page_refcount(page_at(mm, P(0))), 2);
	cr_assert_eq(swap_cached_pages(), 1, "page 1, read ahead");
	cr_assert_eq(host_blk_reads, 2, "each slot read once");

	EXPECT_WRITE(child, P(1), 55);
	EXPECT_READ(mm, P(1), 101);
	EXPECT_READ(child, P(1), 55);
	EXPECT_WRITE(mm, P(0), 66);
	EXPECT_READ(child, P(0), 100);
}

TEST_BOTH_PAGERS(swap, a_pinned_page_stays, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 3);
	struct page *pin;
	cr_assert_eq(mm_pin_page(mm, P(1), &pin), 0);
	cr_assert_eq(reclaim_pages(3), 2);
	PTES(mm, "SwS");
	mm_unpin(&pin, 1);
	cr_assert_eq(reclaim_pages(1), 1);
	PTES(mm, "SSS");
	EXPECT_READ(mm, P(1), 101);
}

/* A page given out with map_shared_pages is mapped outside its owner's
 * family: each of its PTEs leaves on its own, the page waits in the swap
 * cache until the last has, and only then is it written (once) and freed.
 * It comes back as one page for both sides, writable in its owner (not
 * copy-on-write), and a fork of the owner while it is out gets a copy. */
TEST_BOTH_PAGERS(swap, a_shared_out_page_leaves_one_pte_at_a_time, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 2);
	child = test_new_mm(); /* not of mm's family: the other side */
	long at = map_shared_pages(mm, child, P(0), 2 * PG);
	cr_assert_gt(at, 0);
	u64 free = page_free_count();

	cr_assert_eq(reclaim_pages(2), 2);
	PTES(mm, "SS");
	EXPECT_PICTURE(pte, child, (u64)at, "SS");
	cr_assert_eq(swap_used(), 2, "one slot per page, not per PTE");
	cr_assert_eq(host_blk_writes, 2, "each page written once, after its last PTE went");
	cr_assert_eq(page_free_count(), free + 2);

	EXPECT_READ(child, (u64)at, 100);
	EXPECT_WRITE(mm, P(0), 77);
	PTES(mm, "wS");
	cr_assert_eq(page_at(mm, P(0)), page_at(child, (u64)at), "one page for both, as before");
	EXPECT_READ(child, (u64)at, 77);
	EXPECT_WRITE(child, (u64)at + PG, 55);
	EXPECT_READ(mm, P(1), 55);

	cr_assert_eq(reclaim_pages(2), 2);
	struct mm *copy = mm_fork(mm);
	cr_assert_not_null(copy);
	PTES(copy, "ww");
	EXPECT_WRITE(copy, P(0), 1);
	EXPECT_WRITE(copy, P(1), 2);
	EXPECT_READ(mm, P(0), 77);
	EXPECT_READ(child, (u64)at + PG, 55);
	EXPECT_WRITE(mm, P(1), 9);
	EXPECT_READ(child, (u64)at + PG, 9);
	EXPECT_READ(copy, P(1), 2);
	test_end_mm(&copy);
}

TEST_BOTH_PAGERS(swap, fork_and_munmap_count_the_slots, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 3);
	cr_assert_eq(reclaim_pages(3), 3);
	mm_host_load(mm);
	child = mm_fork(mm);
	cr_assert_not_null(child);
	PTES(child, "SSS");
	cr_assert_eq(child->swapped, 3);
	cr_assert_eq(swap_used(), 3);
	cr_assert_eq(mm_munmap(mm, P(0), 3 * PG), 0);
	cr_assert_eq(swap_used(), 3, "the child's entries still name them");
	EXPECT_READ(child, P(2), 102);
	cr_assert_eq(swap_used(), 2);
	test_drop_mm(&child);
	cr_assert_eq(swap_used(), 0, "exit frees the rest");
}

TEST_BOTH_PAGERS(swap, a_full_disk_stops_reclaim, .fini = teardown)
{
	start(pager, 2);
	fill(mm, 4);
	cr_assert_eq(reclaim_pages(4), 2);
	cr_assert_eq(swap_used(), 2);
	cr_assert_eq(mm->swapped, 2);
	for (int i = 0; i < 4; i++)
		EXPECT_READ(mm, P(i), 100 + i);
}

TEST_BOTH_PAGERS(swap, a_read_error_kills_the_access_and_loses_nothing, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 2);
	cr_assert_eq(reclaim_pages(2), 2);
	host_blk_fail_after = 0;
	u64 v;
	EXPECT_REFUSED(user_read64(mm, P(0), &v, &test_why), FAULT_IOERR,
		       "the swap device could not read the page back");
	PTES(mm, "SS");
	cr_assert_eq(swap_cached_pages(), 0);
	cr_assert_eq(swap_used(), 2);
}

TEST_BOTH_PAGERS(swap, a_write_error_keeps_the_page, .fini = teardown)
{
	start(pager, 64);
	fill(mm, 1);
	host_blk_fail_after = 0;
	cr_assert_eq(reclaim_pages(1), 0, "nothing freed");
	PTES(mm, "S");
	cr_assert_eq(swap_cached_pages(), 1, "the page waits in the cache");
	host_blk_fail_after = -1;
	EXPECT_READ(mm, P(0), 100);
	PTES(mm, "w");
	cr_assert_eq(swap_cached_pages(), 0);
}

/* Lazy only: the eager pager fills the whole mapping at mmap, which then
 * fails with ENOMEM, as the request alone cannot fit. */
Test(swap_lazy, a_fault_with_no_free_page_reclaims, .fini = teardown)
{
	start("lazy", 4096);
	u64 n = page_free_count() + 64; /* more than RAM */
	cr_assert_eq(mm_mmap(mm, BASE, n * PG, RW, MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED, NULL, 0),
		     (long)BASE);
	for (u64 i = 0; i < n; i++)
		EXPECT_WRITE(mm, P(i), i * 3);
	cr_assert_gt(mm->swapped, 0);
	for (u64 i = 0; i < n; i++)
		EXPECT_READ(mm, P(i), i * 3);
}

/* ---- a mapped object's pages (a file's): the object's reverse map.
 * The object keeps its pages and hands them out; reclaim takes one from
 * every PTE that maps it (reclaim_unmap_object_page), after which the
 * object alone holds it and may send it to swap (fdata.c does). */
struct object {
	struct page *pages[2];
	struct vm_mappings maps;
	int refs;
};
static struct object obj;

static int obj_get_page(void *o, u64 pgoff, struct page **out)
{
	struct object *ob = o;
	if (pgoff >= 2)
		return -ENXIO;
	page_get(ob->pages[pgoff]);
	*out = ob->pages[pgoff];
	return 0;
}
static void obj_get(void *o)
{
	((struct object *)o)->refs++;
}
static void obj_put(void *o)
{
	((struct object *)o)->refs--;
}
static void obj_name(void *o, char *buf, size_t size)
{
	(void)o;
	snprintf(buf, size, "object");
}
static struct vm_mappings *obj_mappings(void *o)
{
	return &((struct object *)o)->maps;
}
static const struct vm_backing_ops obj_ops = {.get_page = obj_get_page,
					      .get = obj_get,
					      .put = obj_put,
					      .name = obj_name,
					      .mappings = obj_mappings};

/* The object's two pages, holding 200 and 201, mapped at P(0) and P(1)
 * of mm with this type (shared or private). */
static void obj_map(const char *pager, u32 type)
{
	start(pager, 64);
	vm_mappings_init(&obj.maps);
	obj.refs = 0;
	for (int i = 0; i < 2; i++) {
		obj.pages[i] = page_alloc(0);
		*(u64 *)page_kva(obj.pages[i]) = 200 + (u64)i;
	}
	struct vm_backing b = {.ops = &obj_ops, .obj = &obj, .writable = true};
	cr_assert_eq(mm_mmap(mm, BASE, 2 * PG, RW, type | MNEMO_MAP_FIXED, &b, 0), (long)BASE);
}

static bool mapped(struct mm *m, u64 va)
{
	pte_t *pte = mm_host_pte(m, va);
	return pte && pte_valid(*pte);
}

static void obj_teardown(void)
{
	test_end_mm(&child);
	test_end_mm(&mm);
	cr_assert(list_empty(&obj.maps.vmas), "a VMA left in the object's reverse map");
	cr_assert_eq(obj.refs, 0);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(page_refcount(obj.pages[i]), 1, "object page %d still mapped", i);
		page_put(obj.pages[i]);
	}
	teardown();
}

TEST_BOTH_PAGERS(object, a_mapped_page_leaves_every_mapping_after_its_second_chance,
		 .fini = obj_teardown)
{
	obj_map(pager, MNEMO_MAP_SHARED);
	EXPECT_READ(mm, P(0), 200);
	child = mm_fork(mm);
	cr_assert_not_null(child);
	EXPECT_WRITE(child, P(0), 7);
	EXPECT_READ(child, P(1), 201);
	struct page *pg = obj.pages[0];
	cr_assert_eq(page_refcount(pg), 3, "the object's and two PTEs");

	cr_assert_not(reclaim_unmap_object_page(&obj.maps, 0, pg, 1), "accessed: a second chance");
	cr_assert_eq(page_refcount(pg), 3);
	cr_assert(reclaim_unmap_object_page(&obj.maps, 0, pg, 1));
	cr_assert_eq(page_refcount(pg), 1, "the object alone holds it");
	cr_assert_eq(mapped(mm, P(0)), false);
	cr_assert_eq(mapped(child, P(0)), false);
	cr_assert_eq(mapped(child, P(1)), true, "page 1 is not touched");

	/* A touch maps the object's page again, the write still in it. */
	EXPECT_READ(mm, P(0), 7);
	EXPECT_READ(child, P(0), 7);
	cr_assert_eq(page_refcount(pg), 3);
}

TEST_BOTH_PAGERS(object, a_pinned_mapped_page_stays, .fini = obj_teardown)
{
	obj_map(pager, MNEMO_MAP_SHARED);
	EXPECT_READ(mm, P(1), 201);
	struct page *pg = obj.pages[1];
	page_get(pg); /* a crypto request's pin, say */
	cr_assert_not(reclaim_unmap_object_page(&obj.maps, 1, pg, 1));
	cr_assert_not(reclaim_unmap_object_page(&obj.maps, 1, pg, 1), "pinned");
	cr_assert(mapped(mm, P(1)), "still mapped");
	page_put(pg);
	cr_assert(reclaim_unmap_object_page(&obj.maps, 1, pg, 1));
	cr_assert_not(mapped(mm, P(1)));
}

TEST_BOTH_PAGERS(object, a_private_copy_stays_when_the_object_page_goes, .fini = obj_teardown)
{
	obj_map(pager, MNEMO_MAP_PRIVATE);
	EXPECT_WRITE(mm, P(0), 9); /* a copy of its own */
	EXPECT_READ(mm, P(1), 201);
	struct page *pg = obj.pages[0];
	cr_assert_eq(page_refcount(pg), 1, "the object's page is not mapped");
	cr_assert(reclaim_unmap_object_page(&obj.maps, 0, pg, 1));
	EXPECT_READ(mm, P(0), 9);
	/* A private mapping maps a copy even of a page it only read. */
	cr_assert_eq(page_refcount(obj.pages[1]), 1);
	cr_assert(reclaim_unmap_object_page(&obj.maps, 1, obj.pages[1], 1));
	cr_assert(mapped(mm, P(1)), "the copy stays");
	EXPECT_READ(mm, P(1), 201);
}

TEST_BOTH_PAGERS(object, the_reverse_map_follows_splits_and_unmaps, .fini = obj_teardown)
{
	obj_map(pager, MNEMO_MAP_SHARED);
	/* mprotect splits the VMA in two: page 1 is found in the upper one, at
	 * its own offset. */
	cr_assert_eq(mm_mprotect(mm, P(1), PG, VM_READ), 0);
	EXPECT_READ(mm, P(1), 201);
	cr_assert_not(reclaim_unmap_object_page(&obj.maps, 1, obj.pages[1], 1));
	cr_assert(reclaim_unmap_object_page(&obj.maps, 1, obj.pages[1], 1));
	cr_assert_not(mapped(mm, P(1)));
	cr_assert_eq(mm_munmap(mm, BASE, 2 * PG), 0);
	cr_assert(list_empty(&obj.maps.vmas), "munmap takes the VMAs out");
}

/* ---- against a model: random writes, reads, forks, exits, reclaim,
 * cache drops and injected write and read errors on up to three address
 * spaces of one family, each with private memory (copied by fork) and a
 * MAP_SHARED region (one for all); every value read is the model's, a
 * read error leaves the page to be read again, and at the end every page
 * and slot is back (teardown). Seeded: a failure names its step;
 * MM_SWAP_SEED runs another seed, MM_SWAP_TRACE=1 prints every step. It
 * found a slot reused after a failed write still marked clean, so that
 * the cache dropped a page the disk did not have. */
#define R_PRIVATE 40 /* pages at P(0) */
#define R_SHARED  16 /* pages at P(64) */
#define R_SPACES  3
#define R_STEPS	  20000

static struct mm *r_mm[R_SPACES];
static u64 r_private[R_SPACES][R_PRIVATE];
static u64 r_shared[R_SHARED];
static int r_n;

static u64 r_va(int page)
{
	return page < R_PRIVATE ? P(page) : P(64 + page - R_PRIVATE);
}

static u64 *r_model(int s, int page)
{
	return page < R_PRIVATE ? &r_private[s][page] : &r_shared[page - R_PRIVATE];
}

static void r_check(int step, int s, int page, bool may_fail)
{
	u64 got = 0;
	const char *why = NULL;
	enum fault_result r = user_read64(r_mm[s], r_va(page), &got, &why);
	if (may_fail && r == FAULT_IOERR)
		return; /* the slot stays: a later read brings the page back */
	cr_assert_eq(r, FAULT_OK, "step %d: space %d page %d: fault %d (%s)", step, s, page, r,
		     why ? why : "");
	cr_assert_eq(got, *r_model(s, page), "step %d: space %d page %d holds %#lx, not %#lx", step,
		     s, page, (unsigned long)got, (unsigned long)*r_model(s, page));
}

static void r_run(const char *pager)
{
	start(pager, 512);
	const char *env = getenv("MM_SWAP_SEED");
	u64 seed = env ? strtoull(env, NULL, 0) : 0x5eed;
	rng_seed(seed);
	memset(r_private, 0, sizeof(r_private));
	memset(r_shared, 0, sizeof(r_shared));
	r_mm[0] = mm;
	mm = NULL; /* r_mm owns them now */
	r_n = 1;
	MAP_AT(r_mm[0], P(0), R_PRIVATE * PG, RW);
	cr_assert_eq(mm_mmap(r_mm[0], P(64), R_SHARED * PG, RW,
			     MNEMO_MAP_SHARED | MNEMO_MAP_ANONYMOUS | MNEMO_MAP_FIXED, NULL, 0),
		     (long)P(64));
	for (int step = 0; step < R_STEPS; step++) {
		int s = (int)rng_below((u64)r_n), page = (int)rng_below(R_PRIVATE + R_SHARED);
		u64 what = rng_below(100);
		if (getenv("MM_SWAP_TRACE"))
			fprintf(stderr, "step %d: s %d page %d what %lu n %d\n", step, s, page,
				(unsigned long)what, r_n);
		if (what < 35) {
			u64 val = rng_next() | 1;
			const char *why = NULL;
			cr_assert_eq(user_write64(r_mm[s], r_va(page), val, &why), FAULT_OK,
				     "step %d: write: %s (seed %#lx)", step, why ? why : "",
				     (unsigned long)seed);
			*r_model(s, page) = val;
			if (getenv("MM_SWAP_TRACE"))
				fprintf(stderr, "  wrote %#lx\n", (unsigned long)val);
		} else if (what < 60) {
			r_check(step, s, page, false);
		} else if (what < 64) {
			/* A read that the disk may fail. */
			host_blk_fail_after = (long)rng_below(2);
			r_check(step, s, page, true);
			host_blk_fail_after = -1;
		} else if (what < 80) {
			/* Writes may fail too: the pages stay in the cache. */
			host_blk_fail_after = rng_below(4) == 0 ? (long)rng_below(8) : -1;
			reclaim_pages(1 + rng_below(32));
			host_blk_fail_after = -1;
		} else if (what < 85) {
			swap_drop_cached(1 + rng_below(16));
		} else if (what < 92 && r_n < R_SPACES) {
			r_mm[r_n] = mm_fork(r_mm[s]);
			cr_assert_not_null(r_mm[r_n], "step %d: fork", step);
			memcpy(r_private[r_n], r_private[s], sizeof(r_private[s]));
			r_n++;
		} else if (what >= 92 && r_n > 1 && s > 0) {
			test_drop_mm(&r_mm[s]);
			r_mm[s] = r_mm[r_n - 1];
			memcpy(r_private[s], r_private[r_n - 1], sizeof(r_private[s]));
			r_mm[--r_n] = NULL;
		}
		if (step % 100 == 99)
			for (int t = 0; t < r_n; t++)
				for (int p = 0; p < R_PRIVATE + R_SHARED; p++)
					r_check(step, t, p, false);
	}
	for (int t = 0; t < r_n; t++)
		for (int p = 0; p < R_PRIVATE + R_SHARED; p++)
			r_check(R_STEPS, t, p, false);
	for (int t = r_n - 1; t >= 0; t--)
		test_end_mm(&r_mm[t]);
}

TEST_BOTH_PAGERS(swap_random, a_family_under_reclaim_matches_the_model, .fini = teardown)
{
	r_run(pager);
	cr_assert_gt(host_blk_writes, 0, "nothing went to swap: the test tests nothing");
}

/* The same against a model, with pages given out: the family's members
 * (forked from mm, each with R_PRIVATE private pages) and two address
 * spaces outside it, each of which maps a range of some member's pages
 * with map_shared_pages, drops it, maps another... The model is a box per
 * page that can be written: a member's page and the page an outside space
 * maps from it are the same box; a fork gives the child boxes of its own
 * with the same values (copy-on-write, or a copy of a page given out).
 * Reclaim, dropped cache pages, failed reads and writes, forks and exits
 * in between; a member that exits leaves its given-out pages to the other
 * side. MM_SWAP_SEED as above. */
#define S_OUTSIDE 2
#define S_MAX	  16 /* pages one outside space maps at once */
#define S_BOXES	  (R_SPACES * R_PRIVATE * (R_STEPS / 8 + 2))

static u64 *s_box;		       /* the values */
static u64 s_nbox;		       /* boxes handed out */
static u64 s_fam[R_SPACES][R_PRIVATE]; /* a member's page: its box */
static struct mm *s_out[S_OUTSIDE];
static u64 s_at[S_OUTSIDE], s_len[S_OUTSIDE]; /* its mapping: address, pages */
static u64 s_out_box[S_OUTSIDE][S_MAX];

static u64 s_new_box(u64 val)
{
	cr_assert_lt(s_nbox, S_BOXES);
	s_box[s_nbox] = val;
	return s_nbox++;
}

static void s_expect(int step, struct mm *m, u64 va, u64 box, bool may_fail)
{
	u64 got = 0;
	const char *why = NULL;
	enum fault_result r = user_read64(m, va, &got, &why);
	if (may_fail && r == FAULT_IOERR)
		return;
	cr_assert_eq(r, FAULT_OK, "step %d: read at %#lx: fault %d (%s)", step, (unsigned long)va,
		     r, why ? why : "");
	cr_assert_eq(got, s_box[box], "step %d: %#lx holds %#lx, not %#lx", step, (unsigned long)va,
		     (unsigned long)got, (unsigned long)s_box[box]);
}

static void s_check_all(int step)
{
	for (int t = 0; t < r_n; t++)
		for (int p = 0; p < R_PRIVATE; p++)
			s_expect(step, r_mm[t], P(p), s_fam[t][p], false);
	for (int o = 0; o < S_OUTSIDE; o++)
		for (u64 k = 0; k < s_len[o]; k++)
			s_expect(step, s_out[o], s_at[o] + k * PG, s_out_box[o][k], false);
}

static void s_run(const char *pager)
{
	start(pager, 512);
	const char *env = getenv("MM_SWAP_SEED");
	u64 seed = env ? strtoull(env, NULL, 0) : 0x5eed;
	rng_seed(seed);
	s_box = calloc(S_BOXES, sizeof(*s_box));
	s_nbox = 0;
	r_mm[0] = mm;
	mm = NULL;
	r_n = 1;
	MAP_AT(r_mm[0], P(0), R_PRIVATE * PG, RW);
	for (int p = 0; p < R_PRIVATE; p++)
		s_fam[0][p] = s_new_box(0);
	for (int o = 0; o < S_OUTSIDE; o++) {
		s_out[o] = test_new_mm();
		s_len[o] = 0;
	}
	for (int step = 0; step < R_STEPS; step++) {
		int s = (int)rng_below((u64)r_n), o = (int)rng_below(S_OUTSIDE);
		int p = (int)rng_below(R_PRIVATE);
		u64 what = rng_below(100), val = rng_next() | 1;
		const char *why = NULL;
		if (what < 20) {
			cr_assert_eq(user_write64(r_mm[s], P(p), val, &why), FAULT_OK,
				     "step %d: write: %s (seed %#lx)", step, why ? why : "",
				     (unsigned long)seed);
			s_box[s_fam[s][p]] = val;
		} else if (what < 35 && s_len[o]) {
			u64 k = rng_below(s_len[o]);
			cr_assert_eq(user_write64(s_out[o], s_at[o] + k * PG, val, &why), FAULT_OK,
				     "step %d: write outside: %s (seed %#lx)", step, why ? why : "",
				     (unsigned long)seed);
			s_box[s_out_box[o][k]] = val;
		} else if (what < 45) {
			s_expect(step, r_mm[s], P(p), s_fam[s][p], false);
		} else if (what < 50 && s_len[o]) {
			u64 k = rng_below(s_len[o]);
			host_blk_fail_after = (long)rng_below(2);
			s_expect(step, s_out[o], s_at[o] + k * PG, s_out_box[o][k], true);
			host_blk_fail_after = -1;
		} else if (what < 65) {
			host_blk_fail_after = rng_below(4) == 0 ? (long)rng_below(8) : -1;
			reclaim_pages(1 + rng_below(32));
			host_blk_fail_after = -1;
		} else if (what < 70) {
			swap_drop_cached(1 + rng_below(16));
		} else if (what < 82) {
			/* The outside space o maps [p, p+len) of member s instead
			 * of what it mapped. */
			if (s_len[o])
				cr_assert_eq(unmap_shared_pages(s_out[o], s_at[o], s_len[o] * PG),
					     0);
			u64 len = 1 + rng_below(MIN(S_MAX, R_PRIVATE - p));
			long at = map_shared_pages(r_mm[s], s_out[o], P(p), len * PG);
			cr_assert_gt(at, 0, "step %d: map_shared_pages: %ld", step, at);
			s_at[o] = (u64)at;
			s_len[o] = len;
			for (u64 k = 0; k < len; k++)
				s_out_box[o][k] = s_fam[s][p + k];
		} else if (what < 86 && s_len[o]) {
			cr_assert_eq(unmap_shared_pages(s_out[o], s_at[o], s_len[o] * PG), 0);
			s_len[o] = 0;
		} else if (what < 93 && r_n < R_SPACES) {
			r_mm[r_n] = mm_fork(r_mm[s]);
			cr_assert_not_null(r_mm[r_n], "step %d: fork", step);
			for (int q = 0; q < R_PRIVATE; q++)
				s_fam[r_n][q] = s_new_box(s_box[s_fam[s][q]]);
			r_n++;
		} else if (what >= 93 && r_n > 1 && s > 0) {
			test_drop_mm(&r_mm[s]);
			r_mm[s] = r_mm[r_n - 1];
			memcpy(s_fam[s], s_fam[r_n - 1], sizeof(s_fam[s]));
			r_mm[--r_n] = NULL;
		}
		if (step % 100 == 99)
			s_check_all(step);
	}
	s_check_all(R_STEPS);
	for (int o = 0; o < S_OUTSIDE; o++)
		test_end_mm(&s_out[o]);
	for (int t = r_n - 1; t >= 0; t--)
		test_end_mm(&r_mm[t]);
	free(s_box);
}

TEST_BOTH_PAGERS(swap_random, pages_given_out_under_reclaim_match_the_model, .fini = teardown)
{
	s_run(pager);
	cr_assert_gt(host_blk_writes, 0, "nothing went to swap: the test tests nothing");
}
