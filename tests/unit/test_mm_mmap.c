/* Specification of mmap, munmap, mprotect and sbrk on a real address space
 * (kernel/mm/mmap.c, mm.c): POSIX's meaning with Linux's errors. Ranges
 * start and end on any page boundary; a VMA a range cuts is split there,
 * and neighbours that become alike merge again. Each test runs on a fresh
 * mm over 16 MiB of simulated RAM; at the end the mm is destroyed and
 * every page must be back.
 *
 * Pictures (see mm_test.h) show 1 character per page from BASE:
 *   VMAS   '.' free, 'A' 'B' ... one letter per VMA
 *   PROTS  '.' free, '-' none, 'r' read, 'w' read-write, 'x' read-exec
 *   PTES   '.' not present, 'r' / 'w' present read-only / writable */
#include <criterion/criterion.h>

#include "include/uapi/sysinfo.h"
#include "kernel/mm/pager.h"
#include "tests/unit/mm_test.h"

#define BASE	  0x10000000UL
#define P(i)	  (BASE + (u64)(i)*PG)
#define MMAP_BASE 0x2000000000UL /* mmap.c: where addr 0 looks first */

#define VMAS(pic)  EXPECT_PICTURE(vma, mm, BASE, pic)
#define PROTS(pic) EXPECT_PICTURE(prot, mm, BASE, pic)
#define PTES(pic)  EXPECT_PICTURE(pte, mm, BASE, pic)

static struct mm *mm;

static void setup(void)
{
	mm = test_start("lazy");
}

/* Every test ends here: the VMAs are sound, and destroying the mm gives
 * back every page it ever took. */
static void teardown(void)
{
	test_end_mm(&mm);
	test_end();
}

TestSuite(mmap, .init = setup, .fini = teardown);

static long map(u64 addr, u64 len, u32 prot, u32 flags)
{
	return mm_mmap(mm, addr, len, prot, flags, NULL, 0);
}

/* Writes the word 100+i at the start of each page i in [first, first+n). */
static void mark(int first, int n)
{
	for (int i = first; i < first + n; i++)
		EXPECT_WRITE(mm, P(i), 100 + i);
}

/* ------------------------------------------------------------------ mmap */

Test(mmap, address_zero_picks_free_ranges_far_above_the_heap)
{
	long a = map(0, 3 * PG, RW, MNEMO_MAP_PRIVATE);
	long b = map(0, 5 * PG, VM_READ, MNEMO_MAP_PRIVATE);

	cr_assert_geq(a, (long)MMAP_BASE);
	cr_assert_geq(b, (long)MMAP_BASE);
	cr_assert_eq(a % PG, 0);
	cr_assert_eq(b % PG, 0);
	cr_assert(b >= a + 3 * (long)PG || b + 5 * (long)PG <= a, "overlap");
	cr_assert_eq(mm->nvmas, 2);
}

Test(mmap, length_is_rounded_up_to_whole_pages)
{
	/* ....  ->  AA.. */
	cr_assert_eq(map(P(0), PG + 1, RW, MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED), (long)P(0));
	VMAS("AA..");
}

Test(mmap, a_free_hint_is_taken_rounded_down_to_a_page)
{
	cr_assert_eq(map(P(5), PG, RW, MNEMO_MAP_PRIVATE), (long)P(5));
	cr_assert_eq(map(P(10) + 123, PG, VM_READ, MNEMO_MAP_PRIVATE), (long)P(10));
	VMAS(".....A....B.");
}

Test(mmap, a_hint_over_a_mapping_goes_elsewhere_and_replaces_nothing)
{
	/* AAAA  stays  AAAA */
	MAP_AT(mm, P(0), 4 * PG, RW);
	mark(0, 4);
	long a = map(P(2), 4 * PG, RW, MNEMO_MAP_PRIVATE);

	cr_assert_gt(a, 0);
	cr_assert(a >= (long)P(4) || a + 4 * (long)PG <= (long)P(0), "placed over [P0, P4)");
	VMAS("AAAA");
	EXPECT_READ(mm, P(2), 102);
}

Test(mmap, a_hint_in_the_first_pages_is_ignored)
{
	long a = map(PG, PG, RW, MNEMO_MAP_PRIVATE);
	cr_assert_geq(a, (long)MMAP_BASE);
}

Test(mmap, fixed_replaces_what_was_there)
{
	/* AAAAAAAA (rw)  ->  AABBBCCC (rw, r, rw); B reads as fresh zeros */
	MAP_AT(mm, P(0), 8 * PG, RW);
	mark(0, 8);
	cr_assert_eq(mm->rss, 8);

	MAP_AT(mm, P(2), 3 * PG, VM_READ);
	VMAS("AABBBCCC");
	PROTS("wwrrrwww");
	cr_assert_eq(mm->rss, 5, "the three replaced pages are gone");
	EXPECT_READ(mm, P(1), 101);
	EXPECT_READ(mm, P(2), 0);
	EXPECT_READ(mm, P(4), 0);
	EXPECT_READ(mm, P(5), 105);
}

Test(mmap, fixed_next_to_a_like_mapping_merges_with_it)
{
	/* AAAA....  ->  AAAAAAAA (one VMA)  ->  middle replaced, still one */
	MAP_AT(mm, P(0), 4 * PG, RW);
	MAP_AT(mm, P(4), 4 * PG, RW);
	VMAS("AAAAAAAA");
	cr_assert_eq(mm->nvmas, 1);
	mark(0, 8);
	MAP_AT(mm, P(3), 2 * PG, RW);
	VMAS("AAAAAAAA");
	cr_assert_eq(mm->nvmas, 1);
	EXPECT_READ(mm, P(2), 102);
	EXPECT_READ(mm, P(3), 0);
	EXPECT_READ(mm, P(5), 105);
}

Test(mmap, fixed_noreplace_refuses_an_overlap_and_changes_nothing)
{
	/* ..AA  ->  EEXIST for [0, 3)  ->  ..AAAA after [4, 6) */
	u32 flags = MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED_NOREPLACE;

	MAP_AT(mm, P(2), 2 * PG, RW);
	mark(2, 2);
	cr_assert_eq(map(P(0), 3 * PG, RW, flags), -EEXIST);
	cr_assert_eq(map(P(3), PG, RW, flags), -EEXIST);
	VMAS("..AA");
	EXPECT_READ(mm, P(3), 103);
	cr_assert_eq(map(P(4), 2 * PG, RW, flags), (long)P(4));
	VMAS("..AAAA");
}

Test(mmap, invalid_requests_are_einval)
{
	const u32 priv = MNEMO_MAP_PRIVATE, fixed = MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED;

	cr_assert_eq(map(P(0), 0, RW, fixed), -EINVAL, "length 0");
	cr_assert_eq(map(P(0) + 8, PG, RW, fixed), -EINVAL, "unaligned fixed address");
	cr_assert_eq(map(P(0) + 8, PG, RW, priv | MNEMO_MAP_FIXED_NOREPLACE), -EINVAL);
	cr_assert_eq(mm_mmap(mm, P(0), PG, RW, fixed, NULL, 100), -EINVAL, "unaligned offset");
	cr_assert_eq(map(P(0), PG, RW, MNEMO_MAP_SHARED | MNEMO_MAP_PRIVATE), -EINVAL, "both");
	cr_assert_eq(map(P(0), PG, RW, MNEMO_MAP_FIXED), -EINVAL, "neither shared nor private");
	cr_assert_eq(map(P(0), PG, 0x8, fixed), -EINVAL, "unknown protection bit");
	cr_assert_eq(map(0, ~0UL - 5, RW, priv), -EINVAL, "length overflows when rounded");
	cr_assert_eq(mm_mmap(mm, P(0), 2 * PG, RW, fixed, NULL, ~0UL & ~(PG - 1)), -EINVAL,
		     "offset + length overflows");
	cr_assert_eq(map(MM_USER_TOP - PG, 2 * PG, RW, fixed), -EINVAL, "past user space");
	cr_assert_eq(map(MM_USER_TOP, PG, RW, fixed), -EINVAL, "at the top of user space");
	cr_assert_eq(map(0, PG, RW, fixed), -EINVAL, "fixed at address 0");
	cr_assert_eq(mm->nvmas, 0);
}

Test(mmap, the_last_page_of_user_space_can_be_mapped)
{
	u64 top = MM_USER_TOP - 2 * PG;
	cr_assert_eq(map(top, 2 * PG, RW, MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED), (long)top);
	EXPECT_WRITE(mm, MM_USER_TOP - 8, 7);
	EXPECT_READ(mm, MM_USER_TOP - 8, 7);
}

Test(mmap, no_room_is_enomem)
{
	cr_assert_eq(map(0, MM_USER_TOP, RW, MNEMO_MAP_PRIVATE), -ENOMEM);
	cr_assert_eq(mm->nvmas, 0);
}

/* ---------------------------------------------------------------- munmap */

Test(mmap, munmap_in_the_middle_splits)
{
	/* AAAAAAAA  ->  AA...BBB */
	MAP_AT(mm, P(0), 8 * PG, RW);
	mark(0, 8);

	cr_assert_eq(mm_munmap(mm, P(2), 3 * PG), 0);
	VMAS("AA...BBB");
	PTES("ww...www");
	cr_assert_eq(mm->rss, 5);
	EXPECT_READ(mm, P(1), 101);
	EXPECT_READ(mm, P(5), 105);
	EXPECT_SEGV(user_write64(mm, P(3), 1, &test_why), "unmapped address");
}

Test(mmap, munmap_of_the_head_or_the_tail)
{
	/* AAAAAA  ->  .AAAAA  ->  .AAAA. */
	MAP_AT(mm, P(0), 6 * PG, RW);
	mark(0, 6);
	cr_assert_eq(mm_munmap(mm, P(0), PG), 0);
	VMAS(".AAAAA");
	cr_assert_eq(mm_munmap(mm, P(5), PG), 0);
	VMAS(".AAAA.");
	PTES(".wwww.");
	EXPECT_READ(mm, P(1), 101);
	EXPECT_READ(mm, P(4), 104);
}

Test(mmap, munmap_across_several_vmas)
{
	/* AABBBCCD (rw, r, rw, x)  ->  A.....CD  (letters renamed: A.....BC) */
	MAP_AT(mm, P(0), 2 * PG, RW);
	MAP_AT(mm, P(2), 3 * PG, VM_READ);
	MAP_AT(mm, P(5), 2 * PG, RW);
	MAP_AT(mm, P(7), PG, VM_READ | VM_EXEC);
	VMAS("AABBBCCD");
	EXPECT_WRITE(mm, P(0), 1);
	EXPECT_WRITE(mm, P(6), 6);

	cr_assert_eq(mm_munmap(mm, P(1), 5 * PG), 0);
	VMAS("A.....BC");
	PROTS("w.....wx");
	EXPECT_READ(mm, P(0), 1);
	EXPECT_READ(mm, P(6), 6);
	cr_assert_eq(mm->nvmas, 3);
}

Test(mmap, munmap_of_everything_and_of_a_hole)
{
	MAP_AT(mm, P(2), 2 * PG, RW);
	cr_assert_eq(mm_munmap(mm, P(8), 4 * PG), 0, "a hole is fine");
	VMAS("..AA");
	cr_assert_eq(mm_munmap(mm, 0, P(100)), 0);
	VMAS("....");
	cr_assert_eq(mm->nvmas, 0);
}

Test(mmap, munmap_rounds_the_length_up_and_refuses_nonsense)
{
	MAP_AT(mm, P(0), 4 * PG, RW);
	cr_assert_eq(mm_munmap(mm, P(0), 1), 0);
	VMAS(".AAA");
	cr_assert_eq(mm_munmap(mm, P(1) + 8, PG), -EINVAL, "unaligned address");
	cr_assert_eq(mm_munmap(mm, P(1), 0), -EINVAL, "length 0");
	cr_assert_eq(mm_munmap(mm, MM_USER_TOP - PG, 2 * PG), -EINVAL, "past user space");
	cr_assert_eq(mm_munmap(mm, P(1), ~0UL - PG), -EINVAL, "overflow");
	VMAS(".AAA");
}

Test(mmap, munmap_fences_the_tlb_for_the_pages_it_drops)
{
	MAP_AT(mm, P(0), 2 * PG, RW);
	mark(0, 2); /* both now in the TLB */
	u64 before = mm_host_flushes;
	cr_assert_eq(mm_munmap(mm, P(0), 2 * PG), 0);
	cr_assert_gt(mm_host_flushes, before);
	EXPECT_SEGV(user_read64(mm, P(1), &(u64){0}, &test_why), "unmapped address");
}

/* -------------------------------------------------------------- mprotect */

Test(mmap, mprotect_in_the_middle_splits_into_three)
{
	/* AAAAAA (rw)  ->  AABBCC (rw, r, rw) */
	MAP_AT(mm, P(0), 6 * PG, RW);
	mark(0, 6);

	cr_assert_eq(mm_mprotect(mm, P(2), 2 * PG, VM_READ), 0);
	VMAS("AABBCC");
	PROTS("wwrrww");
	PTES("wwrrww");
	EXPECT_READ(mm, P(2), 102);
	EXPECT_SEGV(user_write64(mm, P(3), 1, &test_why), "write to read-only mapping");
	EXPECT_WRITE(mm, P(4), 44);
}

Test(mmap, mprotect_back_to_the_old_protection_merges_into_one)
{
	/* AABBCC (rw, r, rw)  ->  AAAAAA (rw) */
	MAP_AT(mm, P(0), 6 * PG, RW);
	mark(0, 6);
	cr_assert_eq(mm_mprotect(mm, P(2), 2 * PG, VM_READ), 0);
	VMAS("AABBCC");

	cr_assert_eq(mm_mprotect(mm, P(2), 2 * PG, RW), 0);
	VMAS("AAAAAA");
	cr_assert_eq(mm->nvmas, 1);
	EXPECT_WRITE(mm, P(3), 33);
	EXPECT_READ(mm, P(2), 102);
}

Test(mmap, mprotect_to_the_same_protection_changes_nothing)
{
	/* AAAAAA (rw)  ->  AAAAAA (one VMA, not three) */
	MAP_AT(mm, P(0), 6 * PG, RW);
	cr_assert_eq(mm_mprotect(mm, P(2), 2 * PG, RW), 0);
	VMAS("AAAAAA");
	cr_assert_eq(mm->nvmas, 1);
}

Test(mmap, mprotect_joining_a_like_neighbour)
{
	/* AABB (r, rw)  ->  AAAA (rw) */
	MAP_AT(mm, P(0), 2 * PG, VM_READ);
	MAP_AT(mm, P(2), 2 * PG, RW);
	VMAS("AABB");
	cr_assert_eq(mm_mprotect(mm, P(0), 2 * PG, RW), 0);
	VMAS("AAAA");
	PROTS("wwww");
	cr_assert_eq(mm->nvmas, 1);
}

Test(mmap, mprotect_across_several_vmas)
{
	/* AABBCC (rw, r, x)  ->  ABBBBC (rw, r, x) */
	MAP_AT(mm, P(0), 2 * PG, RW);
	MAP_AT(mm, P(2), 2 * PG, VM_READ);
	MAP_AT(mm, P(4), 2 * PG, VM_READ | VM_EXEC);
	cr_assert_eq(mm_mprotect(mm, P(1), 4 * PG, VM_READ), 0);
	PROTS("wrrrrx");
	VMAS("ABBBBC");
}

Test(mmap, mprotect_over_unmapped_pages_is_enomem_and_changes_nothing)
{
	/* AA.B  stays  AA.B */
	MAP_AT(mm, P(0), 2 * PG, RW);
	MAP_AT(mm, P(3), PG, RW);
	cr_assert_eq(mm_mprotect(mm, P(0), 4 * PG, VM_READ), -ENOMEM);
	cr_assert_eq(mm_mprotect(mm, P(2), PG, VM_READ), -ENOMEM);
	cr_assert_eq(mm_mprotect(mm, P(1), 3 * PG, VM_READ), -ENOMEM);
	PROTS("ww.w");
	VMAS("AA.B");
}

Test(mmap, mprotect_refuses_nonsense)
{
	MAP_AT(mm, P(0), 2 * PG, RW);
	cr_assert_eq(mm_mprotect(mm, P(0) + 8, PG, VM_READ), -EINVAL, "unaligned");
	cr_assert_eq(mm_mprotect(mm, P(0), 0, VM_READ), -EINVAL, "length 0");
	cr_assert_eq(mm_mprotect(mm, P(0), PG, 0x10), -EINVAL, "unknown bit");
	cr_assert_eq(mm_mprotect(mm, MM_USER_TOP - PG, 2 * PG, VM_READ), -EINVAL);
	PROTS("ww");
}

Test(mmap, prot_none_keeps_the_data_out_of_reach)
{
	/* ww  ->  --  (present, not user accessible)  ->  rr */
	MAP_AT(mm, P(0), 2 * PG, RW);
	mark(0, 2);
	cr_assert_eq(mm_mprotect(mm, P(0), 2 * PG, 0), 0);
	PROTS("--");
	PTES("nn");
	EXPECT_SEGV(user_read64(mm, P(1), &(u64){0}, &test_why), "read of unreadable mapping");
	cr_assert_eq(mm_mprotect(mm, P(0), 2 * PG, VM_READ), 0);
	EXPECT_READ(mm, P(1), 101);
	PTES("rr");
}

Test(mmap, mprotect_of_a_guard_page_is_enomem)
{
	mm_lock(mm);
	cr_assert_eq(mm_map_anon(mm, P(0), P(1), 0, VMA_GUARD), 0);
	mm_unlock(mm);
	cr_assert_eq(mm_mprotect(mm, P(0), PG, RW), -ENOMEM);
	PROTS("g");
}

Test(mmap, mprotect_fences_after_taking_write_away)
{
	MAP_AT(mm, P(0), PG, RW);
	EXPECT_WRITE(mm, P(0), 5); /* a writable entry in the TLB */
	cr_assert_eq(mm_mprotect(mm, P(0), PG, VM_READ), 0);
	EXPECT_SEGV(user_write64(mm, P(0), 6, &test_why), "write to read-only mapping");
	EXPECT_READ(mm, P(0), 5);
}

/* ------------------------------------------------------------------ sbrk */

#define HEAP	       P(16)
#define HEAPS(pic)     EXPECT_PICTURE(vma, mm, HEAP, pic)
#define HEAP_PTES(pic) EXPECT_PICTURE(pte, mm, HEAP, pic)

static void heap_at(u64 va)
{
	mm->brk_start = mm->brk = va; /* as exec sets it up */
}

/* The heap stops below the room the stack keeps to grow into (its floor
 * at P(24), the guard's lowest place P(23)). */
TEST_BOTH_PAGERS(sbrk, stops_below_the_stacks_room, .fini = teardown)
{
	mm = test_start(pager);
	heap_at(HEAP);
	mm_lock(mm);
	cr_assert_eq(mm_map_stack(mm, P(32), 2 * PG, 8 * PG), 0);
	mm_unlock(mm);
	cr_assert_eq(mm_sbrk(mm, 7 * PG, MNEMO_SBRK_LAZY), (long)HEAP, "up to the guard's place");
	cr_assert_eq(mm_sbrk(mm, 1, MNEMO_SBRK_LAZY), -ENOMEM, "into the stack's room");
	cr_assert_eq(mm->brk, HEAP + 7 * PG);
}

TEST_BOTH_PAGERS(sbrk, grows_and_shrinks_the_heap_vma, .fini = teardown)
{
	mm = test_start(pager);
	heap_at(HEAP);
	cr_assert_eq(mm_sbrk(mm, 0, MNEMO_SBRK_PAGER), (long)HEAP);
	cr_assert_eq(mm_sbrk(mm, 2 * PG + 1, MNEMO_SBRK_PAGER), (long)HEAP);
	cr_assert_eq(mm->brk, HEAP + 2 * PG + 1);
	HEAPS("AAA.");
	cr_assert_eq(vma_find(mm, HEAP)->role, VMA_HEAP);
	EXPECT_WRITE(mm, HEAP + 2 * PG, 3);
	EXPECT_WRITE(mm, HEAP, 1);

	cr_assert_eq(mm_sbrk(mm, PG, MNEMO_SBRK_PAGER), (long)(HEAP + 2 * PG + 1));
	HEAPS("AAAA.");
	cr_assert_eq(mm->nvmas, 1);

	cr_assert_eq(mm_sbrk(mm, -(long)(2 * PG + 1), MNEMO_SBRK_PAGER), (long)(HEAP + 3 * PG + 1));
	cr_assert_eq(mm->brk, HEAP + PG);
	HEAPS("A...");
	EXPECT_READ(mm, HEAP, 1);
	EXPECT_SEGV(user_read64(mm, HEAP + 2 * PG, &(u64){0}, &test_why), "unmapped address");

	cr_assert_eq(mm_sbrk(mm, -(long)PG, MNEMO_SBRK_PAGER), (long)(HEAP + PG));
	HEAPS("....");
	cr_assert_eq(mm->nvmas, 0);
	cr_assert_eq(mm->rss, 0);
}

TEST_BOTH_PAGERS(sbrk, refuses_what_it_cannot_do, .fini = teardown)
{
	mm = test_start(pager);
	heap_at(HEAP);
	MAP_AT(mm, HEAP + 4 * PG, PG, RW);
	cr_assert_eq(mm_sbrk(mm, -1, MNEMO_SBRK_PAGER), -ENOMEM, "below the start");
	cr_assert_eq(mm_sbrk(mm, 5 * PG, MNEMO_SBRK_PAGER), -ENOMEM, "into another mapping");
	cr_assert_eq(mm_sbrk(mm, (long)(page_total_count() + 1) * (long)PG, MNEMO_SBRK_PAGER),
		     -ENOMEM, "more than all of RAM");
	cr_assert_eq(mm->brk, HEAP);
	cr_assert_eq(mm_sbrk(mm, 4 * PG, MNEMO_SBRK_PAGER), (long)HEAP,
		     "exactly up to the mapping");
	HEAPS("AAAAB");
}

/* sbrk's fill argument overrides the pager: EAGER fills the new pages
 * now, LAZY on their first touch; both extend the one heap VMA. */
TEST_BOTH_PAGERS(sbrk, fills_now_or_on_first_touch_whatever_the_pager, .fini = teardown)
{
	mm = test_start(pager);
	heap_at(HEAP);
	cr_assert_eq(mm_sbrk(mm, 2 * PG, MNEMO_SBRK_EAGER), (long)HEAP);
	HEAP_PTES("ww..");
	cr_assert_eq(mm_sbrk(mm, 2 * PG, MNEMO_SBRK_LAZY), (long)(HEAP + 2 * PG));
	HEAP_PTES("ww..");
	HEAPS("AAAA.");
	EXPECT_WRITE(mm, HEAP + 3 * PG, 7);
	HEAP_PTES("ww.w");
	EXPECT_READ(mm, HEAP + 2 * PG, 0);
	cr_assert_eq(mm->rss, 4);
}

/* Only a lazy heap may outgrow RAM: it reserves addresses, as a lazy
 * mmap does. An eager one that runs out of memory leaves no page behind. */
TEST_BOTH_PAGERS(sbrk, only_a_lazy_heap_may_outgrow_ram, .fini = teardown)
{
	mm = test_start(pager);
	long ram = (long)page_total_count() * (long)PG;
	heap_at(HEAP);
	cr_assert_eq(mm_sbrk(mm, ram + PG, MNEMO_SBRK_PAGER), -ENOMEM);
	cr_assert_eq(mm_sbrk(mm, ram + PG, MNEMO_SBRK_EAGER), -ENOMEM);
	cr_assert_eq(mm_sbrk(mm, ram, MNEMO_SBRK_EAGER), -ENOMEM, "more than the free pages");
	cr_assert_eq(mm->rss, 0);
	cr_assert_eq(mm->brk, HEAP);
	HEAPS("..");

	cr_assert_eq(mm_sbrk(mm, ram + PG, MNEMO_SBRK_LAZY), (long)HEAP);
	EXPECT_WRITE(mm, HEAP + ram, 5);
	cr_assert_eq(mm->rss, 1);
	cr_assert_eq(mm_sbrk(mm, -(ram + PG), MNEMO_SBRK_PAGER), (long)(HEAP + ram + PG));
	cr_assert_eq(mm->rss, 0);
}

/* The heap VMA is the one holding brk_start; a program may still
 * mprotect or munmap part of its heap. Moving the break afterwards must
 * leave sound, non-overlapping VMAs. */
TEST_BOTH_PAGERS(sbrk, after_mprotect_split_the_heap, .fini = teardown)
{
	/* AAA (heap)  ->  ABC (rw, r, rw)  ->  grow by one page: ABCC */
	mm = test_start(pager);
	heap_at(HEAP);
	cr_assert_eq(mm_sbrk(mm, 3 * PG, MNEMO_SBRK_PAGER), (long)HEAP);
	cr_assert_eq(mm_mprotect(mm, HEAP + PG, PG, VM_READ), 0);
	HEAPS("ABC.");

	/* C is the heap's top, read-write: it grows. */
	cr_assert_eq(mm_sbrk(mm, PG, MNEMO_SBRK_PAGER), (long)(HEAP + 3 * PG));
	EXPECT_VALID(mm);
	cr_assert_eq(mm->brk, HEAP + 4 * PG);
	HEAPS("ABCC.");
	cr_assert_eq(vma_find(mm, HEAP + PG)->prot, VM_READ, "the read-only page was remapped");
	EXPECT_WRITE(mm, HEAP + 3 * PG, 4);
}

TEST_BOTH_PAGERS(sbrk, shrinking_after_mprotect_split_the_heap, .fini = teardown)
{
	/* AAA (heap)  ->  ABC (rw, r, rw)  ->  shrink by one page: AB. */
	mm = test_start(pager);
	heap_at(HEAP);
	cr_assert_eq(mm_sbrk(mm, 3 * PG, MNEMO_SBRK_PAGER), (long)HEAP);
	cr_assert_eq(mm_mprotect(mm, HEAP + PG, PG, VM_READ), 0);

	cr_assert_eq(mm_sbrk(mm, -(long)PG, MNEMO_SBRK_PAGER), (long)(HEAP + 3 * PG));
	EXPECT_VALID(mm);
	HEAPS("AB..");
}

TEST_BOTH_PAGERS(sbrk, after_munmap_made_a_hole_in_the_heap, .fini = teardown)
{
	/* AAA (heap)  ->  A.B  ->  grow by one page: A.BB */
	mm = test_start(pager);
	heap_at(HEAP);
	cr_assert_eq(mm_sbrk(mm, 3 * PG, MNEMO_SBRK_PAGER), (long)HEAP);
	cr_assert_eq(mm_munmap(mm, HEAP + PG, PG), 0);
	HEAPS("A.B.");

	cr_assert_eq(mm_sbrk(mm, PG, MNEMO_SBRK_PAGER), (long)(HEAP + 3 * PG));
	EXPECT_VALID(mm);
	cr_assert_eq(mm->brk, HEAP + 4 * PG);
	HEAPS("A.BB.");
	EXPECT_SEGV(user_read64(mm, HEAP + PG, &(u64){0}, &test_why), "unmapped address");
	EXPECT_WRITE(mm, HEAP + 3 * PG, 4);
}

/* -------------------------------------------------------------- describe */

Test(mmap, describe_lists_each_vma_with_its_resident_pages)
{
	struct mnemo_vmmap out[4];

	heap_at(HEAP);
	cr_assert_eq(mm_sbrk(mm, 2 * PG, MNEMO_SBRK_PAGER), (long)HEAP);
	MAP_AT(mm, P(0), 3 * PG, VM_READ);
	EXPECT_WRITE(mm, HEAP, 1);
	EXPECT_READ(mm, P(1), 0);

	cr_assert_eq(mm_describe(mm, out, 1), 2, "the count of all VMAs, even past max");
	cr_assert_eq(mm_describe(mm, out, 4), 2);
	cr_assert_eq(out[0].start, P(0));
	cr_assert_eq(out[0].end, P(3));
	cr_assert_eq(out[0].prot, MNEMO_PROT_READ);
	cr_assert_eq(out[0].flags, MNEMO_MAP_PRIVATE);
	cr_assert_eq(out[0].resident, 1);
	cr_assert_str_eq(out[0].backing, "[anon]");
	cr_assert_eq(out[1].start, HEAP);
	cr_assert_eq(out[1].resident, 1);
	cr_assert_str_eq(out[1].backing, "[heap]");
}
