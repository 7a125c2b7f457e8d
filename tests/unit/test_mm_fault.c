/* Specification of page faults, access_ok and the uaccess helpers on a
 * real address space (kernel/mm/mm.c, pager*.c, uaccess.c), under both
 * pagers:
 *
 *   - lazy fills a page at its first touch, eager at mmap time; either way
 *     a fresh anonymous page reads as zeros;
 *   - an access the VMA forbids is FAULT_SEGV with a reason that fits
 *     "segfault at ADDR pc PC: <reason>";
 *   - mm_access_ok looks at VMAs only: it never allocates, but for the
 *     stack, which grows over a buffer below it as over a touch;
 *   - a stack made by mm_map_stack grows down on a fault below it, its
 *     guard page moving along, to its limit and no further, and stops a
 *     page short of another mapping;
 *   - copy_to_user and friends check access_ok, then copy, faulting lazy
 *     and copy-on-write pages in as the trap handler would;
 *   - file-backed VMAs show the file's page (shared) or a copy (private),
 *     and SIGBUS past the end of the file.
 *
 * User accesses go through the simulated MMU and TLB (mm_host_user.c). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "kernel/mm/pager.h"
#include "kernel/mm/uaccess.h"
#include "tests/unit/mm_test.h"

#define BASE 0x10000000UL
#define P(i) (BASE + (u64)(i)*PG)

#define PTES(pic) EXPECT_PICTURE(pte, mm, BASE, pic)

static struct mm *mm;

static void teardown(void)
{
	test_end_mm(&mm);
	test_end();
}

static bool is_eager(const char *pager)
{
	return strcmp(pager, "eager") == 0;
}

/* ----------------------------------------------------------------- faults */

TEST_BOTH_PAGERS(fault, a_fresh_page_reads_as_zeros, .fini = teardown)
{
	static u8 buf[PAGE_SIZE];

	mm = test_start(pager);
	MAP_AT(mm, P(0), 4 * PG, RW);
	MAP_AT(mm, P(4), 2 * PG, VM_READ);
	if (is_eager(pager)) {
		PTES("wwwwrr"); /* all filled by mmap */
		cr_assert_eq(mm->rss, 6);
	} else {
		PTES("......"); /* nothing until touched */
		cr_assert_eq(mm->rss, 0);
	}
	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(user_load(mm, P(1), buf, PAGE_SIZE, &test_why), FAULT_OK);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		cr_assert_eq(buf[i], 0, "byte %zu of a fresh page is %#x", i, buf[i]);
	EXPECT_READ(mm, P(5), 0);
	if (!is_eager(pager)) {
		PTES(".w...r"); /* a read of a writable page maps it writable */
		cr_assert_eq(mm->rss, 2);
	}
}

TEST_BOTH_PAGERS(fault, a_write_lands_in_the_page_and_stays, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, RW);
	EXPECT_WRITE(mm, P(1) + 24, 0x1234);
	u64 *kva = mm_host_page_kva(mm, P(1));
	cr_assert_not_null(kva);
	cr_assert_eq(kva[3], 0x1234, "the word is in the physical page behind the PTE");
	EXPECT_READ(mm, P(1) + 24, 0x1234);
}

TEST_BOTH_PAGERS(fault, a_write_to_a_read_only_mapping_is_segv, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, VM_READ);
	EXPECT_SEGV(user_write64(mm, P(0), 1, &test_why), "write to read-only mapping");
	EXPECT_READ(mm, P(0), 0);
	EXPECT_SEGV(user_write64(mm, P(0), 1, &test_why), "write to read-only mapping");
}

TEST_BOTH_PAGERS(fault, execution_needs_an_executable_mapping, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	MAP_AT(mm, P(1), PG, VM_READ | VM_EXEC);
	EXPECT_SEGV(user_fetch(mm, P(0), &test_why), "execute of non-executable mapping");
	cr_assert_eq(user_fetch(mm, P(1), &test_why), FAULT_OK);
}

TEST_BOTH_PAGERS(fault, unmapped_and_kernel_addresses_are_segv, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(1), PG, RW);
	EXPECT_SEGV(user_read64(mm, P(0), &(u64){0}, &test_why), "unmapped address");
	EXPECT_SEGV(user_read64(mm, P(2), &(u64){0}, &test_why), "unmapped address");
	EXPECT_SEGV(user_read64(mm, 0, &(u64){0}, &test_why), "unmapped address");
	EXPECT_SEGV(user_write64(mm, MM_USER_TOP, 1, &test_why), "kernel address");
	EXPECT_SEGV(user_write64(mm, 0xffffffc000001000UL, 1, &test_why), "kernel address");
	cr_assert_eq(mm->rss, is_eager(pager) ? 1 : 0, "a refused fault maps nothing");
}

TEST_BOTH_PAGERS(fault, the_guard_page_is_a_stack_overflow, .fini = teardown)
{
	mm = test_start(pager);
	mm_lock(mm);
	cr_assert_eq(mm_map_anon(mm, P(0), P(1), 0, VMA_GUARD), 0);
	cr_assert_eq(mm_map_anon(mm, P(1), P(3), RW, VMA_STACK), 0);
	mm_unlock(mm);
	EXPECT_WRITE(mm, P(1), 1);
	EXPECT_SEGV(user_write64(mm, P(1) - 8, 1, &test_why), "stack overflow into the guard page");
	PTES(".w"); /* the guard page never gets a frame */
}

/* A stack of two pages under P(10), allowed down to P(4); its guard at
 * P(7). */
static void map_test_stack(void)
{
	mm_lock(mm);
	cr_assert_eq(mm_map_stack(mm, P(10), 2 * PG, 6 * PG), 0);
	mm_unlock(mm);
}

TEST_BOTH_PAGERS(fault, the_stack_grows_down_to_its_limit, .fini = teardown)
{
	mm = test_start(pager);
	map_test_stack();
	PTES(is_eager(pager) ? "........ww" : "..........");
	EXPECT_WRITE(mm, P(6) + 8, 5); /* below the guard: it moves to P(5) */
	PTES(is_eager(pager) ? "......wwww" : "......w...");
	mm_lock(mm);
	struct vma *guard = vma_find(mm, P(5)), *stack = vma_find(mm, P(6));
	cr_assert(guard && guard->role == VMA_GUARD && guard->start == P(5) && guard->end == P(6));
	cr_assert(stack && stack->role == VMA_STACK && stack->start == P(6) && stack->end == P(10));
	mm_unlock(mm);
	EXPECT_WRITE(mm, P(4), 7); /* the lowest page allowed */
	EXPECT_READ(mm, P(6) + 8, 5);
	EXPECT_SEGV(user_write64(mm, P(4) - 8, 1, &test_why), "stack overflow past its size limit");
	PTES(is_eager(pager) ? "....wwwwww" : "....w.w...");
}

TEST_BOTH_PAGERS(fault, the_stack_stops_a_page_short_of_a_mapping, .fini = teardown)
{
	mm = test_start(pager);
	map_test_stack();
	MAP_AT(mm, P(4), PG, RW); /* MAP_FIXED may go into the stack's room */
	EXPECT_WRITE(mm, P(6), 1);
	EXPECT_SEGV(user_write64(mm, P(5), 1, &test_why), "stack overflow into another mapping");
	EXPECT_SEGV(user_write64(mm, P(3), 1, &test_why), "unmapped address");
}

TEST_BOTH_PAGERS(fault, access_ok_grows_the_stack_over_a_buffer, .fini = teardown)
{
	mm = test_start(pager);
	map_test_stack();
	cr_assert(mm_access_ok(mm, P(5) + 100, 2 * PG, true));
	PTES(is_eager(pager) ? ".....wwwww" : "..........");
	cr_assert(!mm_access_ok(mm, P(3), 8, true), "below the limit");
	cr_assert(!mm_access_ok(mm, P(11), 8, true), "above the stack: not the stack's");
}

TEST_BOTH_PAGERS(fault, a_forked_stack_grows_too, .fini = teardown)
{
	mm = test_start(pager);
	map_test_stack();
	struct mm *child = mm_fork(mm);
	cr_assert_not_null(child);
	EXPECT_WRITE(child, P(4), 3);
	EXPECT_SEGV(user_write64(child, P(3), 1, &test_why), "stack overflow past its size limit");
	mm_lock(mm);
	cr_assert_eq(vma_find(mm, P(8))->start, P(8), "the parent's stack stays");
	mm_unlock(mm);
	test_destroy_mm(child); /* unloaded first, as exit does */
}

TEST_BOTH_PAGERS(fault, prot_none_is_unreadable_until_mprotect, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, 0);
	PTES(".."); /* nothing to touch, nothing filled */
	EXPECT_SEGV(user_read64(mm, P(0), &(u64){0}, &test_why), "read of unreadable mapping");
	cr_assert_eq(mm_mprotect(mm, P(0), 2 * PG, RW), 0);
	PTES(is_eager(pager) ? "ww" : ".."); /* eager fills once opened */
	EXPECT_WRITE(mm, P(1), 9);
	EXPECT_READ(mm, P(1), 9);
}

/* PROT_EXEC alone: the PTE gets X without R, so a user load faults, and
 * mm_fault refuses it (vma_permits: executable does not imply readable),
 * whether the page is filled yet or not. Calling it resolved while the
 * PTE still forbids the load would make the hart retry the load forever.
 * Instruction fetches keep working. */
TEST_BOTH_PAGERS(fault, a_read_of_an_exec_only_mapping_is_refused, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, VM_EXEC);
	EXPECT_SEGV(user_read64(mm, P(1), &(u64){0}, &test_why), "read of unreadable mapping");
	cr_assert_eq(user_fetch(mm, P(0), &test_why), FAULT_OK);
	EXPECT_SEGV(user_read64(mm, P(0), &(u64){0}, &test_why), "read of unreadable mapping");
	EXPECT_SEGV(user_write64(mm, P(0), 1, &test_why), "write to read-only mapping");
	cr_assert_eq(user_fetch(mm, P(0), &test_why), FAULT_OK);
	cr_assert_eq(user_fetch(mm, P(1), &test_why), FAULT_OK);
}

Test(fault, a_fault_on_a_present_page_only_fences, .init = NULL, .fini = teardown)
{
	mm = test_start("lazy");
	MAP_AT(mm, P(0), PG, RW);
	EXPECT_WRITE(mm, P(0), 1);
	u64 rss = mm->rss, flushes = mm_host_flushes, local = mm_host_local_flushes;

	/* This hart cached the entry read-only (as if from before a gain
	 * of permissions): the write faults, and the fence of this hart
	 * alone must drop that entry, as any other hart that cached it
	 * faults on its own. */
	u64 vpn = P(0) >> PAGE_SHIFT;
	struct mm_host_tlb_entry *e = &mm_host_tlb[vpn % MM_HOST_TLB_SIZE];
	cr_assert(e->valid && e->vpn == vpn, "the write left no TLB entry");
	e->pte &= ~PTE_W;
	EXPECT_WRITE(mm, P(0), 2); /* livelocks if the entry stays */
	cr_assert_eq(mm->rss, rss);
	cr_assert_eq(mm_host_local_flushes, local + 1);
	cr_assert_eq(mm_host_flushes, flushes, "a fence of every hart");
	EXPECT_READ(mm, P(0), 2);
}

/* -------------------------------------------------------------- access_ok */

TEST_BOTH_PAGERS(access_ok, a_range_may_cross_adjacent_vmas, .fini = teardown)
{
	/* AABB (rw, rwx) */
	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, RW);
	MAP_AT(mm, P(2), 2 * PG, RW | VM_EXEC);
	cr_assert(mm_access_ok(mm, P(0), 4 * PG, true));
	cr_assert(mm_access_ok(mm, P(1) + 5, 2 * PG, false));
	cr_assert(!mm_access_ok(mm, P(0), 4 * PG + 1, false), "one byte past the end");
}

TEST_BOTH_PAGERS(access_ok, a_hole_fails, .fini = teardown)
{
	/* AA.B */
	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, RW);
	MAP_AT(mm, P(3), PG, RW);
	cr_assert(mm_access_ok(mm, P(0), 2 * PG, false));
	cr_assert(!mm_access_ok(mm, P(0), 4 * PG, false));
	cr_assert(!mm_access_ok(mm, P(2) - 1, 2, false),
		  "the last byte before the hole and one in it");
	cr_assert(!mm_access_ok(mm, P(2), PG, false));
}

TEST_BOTH_PAGERS(access_ok, zero_length_still_checks_the_start, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	cr_assert(mm_access_ok(mm, P(0), 0, true));
	cr_assert(mm_access_ok(mm, P(1) - 1, 0, true));
	cr_assert(!mm_access_ok(mm, P(1), 0, false));
	cr_assert(!mm_access_ok(mm, MM_USER_TOP, 0, false));
}

TEST_BOTH_PAGERS(access_ok, writing_needs_a_writable_mapping, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	MAP_AT(mm, P(1), PG, VM_READ);
	cr_assert(mm_access_ok(mm, P(0), 2 * PG, false));
	cr_assert(!mm_access_ok(mm, P(0), 2 * PG, true));
	cr_assert(!mm_access_ok(mm, P(1), 1, true));
}

/* access_ok answers from the range it last found in one VMA without the
 * lock (vma_covers_unlocked): every change of the VMAs must end that. */
TEST_BOTH_PAGERS(access_ok, a_remembered_answer_ends_with_mprotect, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, RW);
	cr_assert(mm_access_ok(mm, P(0), 8, true));
	cr_assert(mm_access_ok(mm, P(1), 8, true), "inside the range just found");
	cr_assert_eq(mm_mprotect(mm, P(0), 2 * PG, VM_READ), 0);
	cr_assert(!mm_access_ok(mm, P(1), 8, true), "read-only now");
	cr_assert(mm_access_ok(mm, P(1), 8, false));
}

TEST_BOTH_PAGERS(access_ok, a_remembered_answer_ends_with_munmap, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 4 * PG, RW);
	cr_assert(mm_access_ok(mm, P(0), 8, false));
	cr_assert_eq(mm_munmap(mm, P(3), PG), 0); /* the VMA shrinks */
	cr_assert(!mm_access_ok(mm, P(3), 8, false), "unmapped tail");
	cr_assert(mm_access_ok(mm, P(2), 8, false));
	cr_assert_eq(mm_munmap(mm, P(0), 3 * PG), 0); /* and goes */
	cr_assert(!mm_access_ok(mm, P(1), 8, false), "unmapped");
	MAP_AT(mm, P(0), PG, VM_READ);
	cr_assert(!mm_access_ok(mm, P(0), 8, true), "mapped again, read-only");
}

/* One thread's locked checks remember one VMA and then the other, with no
 * VMA changing in between, while another thread asks without the lock
 * about the hole between them: a reader that mixed the start of one
 * remembered range with the end of the other would say yes. */
static volatile bool asking;

static void *remember_in_turn(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&asking, __ATOMIC_RELAXED)) {
		cr_assert(mm_access_ok(mm, P(0), 8, true));
		cr_assert(mm_access_ok(mm, P(2), 8, true));
	}
	return NULL;
}

TEST_BOTH_PAGERS(access_ok, an_answer_without_the_lock_is_never_a_mix, .fini = teardown)
{
	/* A.B */
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	MAP_AT(mm, P(2), PG, RW);
	pthread_t t;
	asking = true;
	cr_assert_eq(pthread_create(&t, NULL, remember_in_turn, NULL), 0);
	long wrong = 0, asked = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 100000; i++, asked++)
			wrong += vma_covers_unlocked(mm, P(1), 8, false);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < 1 && wrong == 0);
	__atomic_store_n(&asking, false, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	cr_assert_eq(wrong, 0, "the hole was said to be mapped %ld times in %ld asks", wrong,
		     asked);
}

TEST_BOTH_PAGERS(access_ok, overflow_and_kernel_addresses_fail, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, MM_USER_TOP - PG, PG, RW);
	cr_assert(mm_access_ok(mm, MM_USER_TOP - PG, PG, true));
	cr_assert(!mm_access_ok(mm, MM_USER_TOP - PG, PG + 1, true));
	cr_assert(!mm_access_ok(mm, MM_USER_TOP - 8, ~0UL, false), "wraps around");
	cr_assert(!mm_access_ok(mm, ~0UL - 8, 4, false));
	cr_assert(!mm_access_ok(NULL, P(0), 1, false), "no address space at all");
}

TEST_BOTH_PAGERS(access_ok, prot_none_and_guard_pages_fail, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, 0);
	mm_lock(mm);
	mm_map_anon(mm, P(1), P(2), 0, VMA_GUARD);
	mm_unlock(mm);
	cr_assert(!mm_access_ok(mm, P(0), 1, false));
	cr_assert(!mm_access_ok(mm, P(1), 1, false));
}

TEST_BOTH_PAGERS(access_ok, never_allocates_or_faults_in, .fini = teardown)
{
	mm = test_start(pager);
	MAP_AT(mm, P(0), 64 * PG, RW);
	u64 free_before = page_free_count(), rss = mm->rss;
	u64 tables = mm->pt_pages;

	cr_assert(mm_access_ok(mm, P(0), 64 * PG, true));
	cr_assert(mm_access_ok(mm, P(7), 1, false));
	cr_assert_eq(page_free_count(), free_before);
	cr_assert_eq(mm->rss, rss);
	cr_assert_eq(mm->pt_pages, tables);
}

/* ---------------------------------------------------------------- uaccess */

TEST_BOTH_PAGERS(uaccess, copy_to_user_fills_pages_as_a_user_write_would, .fini = teardown)
{
	static u8 src[3 * PAGE_SIZE], back[3 * PAGE_SIZE];

	mm = test_start(pager);
	MAP_AT(mm, P(0), 4 * PG, RW);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (u8)(i * 7 + 1);
	cr_assert_eq(copy_to_user((void *)(P(0) + 100), src, sizeof(src)), 0);
	cr_assert(!mm_host_sum, "the user-access window was left open");
	cr_assert_eq(mm->rss, 4);
	cr_assert_eq(user_load(mm, P(0) + 100, back, sizeof(back), &test_why), FAULT_OK);
	cr_assert_arr_eq(back, src, sizeof(src));
}

TEST_BOTH_PAGERS(uaccess, copy_from_user_reads_across_vmas, .fini = teardown)
{
	u64 words[4] = {0};

	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, RW);
	MAP_AT(mm, P(1), PG, VM_READ | VM_EXEC);
	EXPECT_WRITE(mm, P(1) - 16, 11);
	EXPECT_WRITE(mm, P(1) - 8, 22);
	cr_assert_eq(copy_from_user(words, (void *)(P(1) - 16), sizeof(words)), 0);
	cr_assert_eq(words[0], 11);
	cr_assert_eq(words[1], 22);
	cr_assert_eq(words[2], 0);
	cr_assert(!mm_host_sum);
}

TEST_BOTH_PAGERS(uaccess, bad_user_ranges_are_efault, .fini = teardown)
{
	u64 word = 5;

	mm = test_start(pager);
	MAP_AT(mm, P(0), PG, VM_READ);
	cr_assert_eq(copy_to_user((void *)P(0), &word, 8), -EFAULT, "read-only");
	EXPECT_READ(mm, P(0), 0);
	cr_assert_eq(copy_to_user((void *)P(1), &word, 8), -EFAULT, "unmapped");
	cr_assert_eq(copy_from_user(&word, (void *)(P(1) - 4), 8), -EFAULT, "runs off the end");
	cr_assert_eq(word, 5);
	cr_assert_eq(copy_from_user(&word, (void *)MM_USER_TOP, 8), -EFAULT, "kernel address");
	cr_assert_eq(copy_from_user(&word, (void *)P(0), 0), 0, "zero bytes at a good address");
	cr_assert_eq(copy_from_user(&word, (void *)P(1), 0), -EFAULT, "zero bytes at a bad one");
	cr_assert_eq(put_user_u64((u64 *)P(0), 1), -EFAULT);
	cr_assert_eq(get_user_u64(&word, (u64 *)P(0)), 0);
	cr_assert_eq(word, 0);
	cr_assert(!mm_host_sum);
}

Test(uaccess, without_an_address_space_everything_is_efault, .fini = teardown)
{
	u64 word = 0;

	mm = test_start("lazy");
	MAP_AT(mm, P(0), PG, RW);
	mm_host_load(NULL); /* a kernel thread */
	cr_assert_eq(copy_from_user(&word, (void *)P(0), 8), -EFAULT);
	cr_assert_eq(strncpy_from_user((char *)&word, (char *)P(0), 8), -EFAULT);
}

/* A string may end just before an unmapped page: only the pages it uses
 * must be readable. */
TEST_BOTH_PAGERS(uaccess, strncpy_from_user_reads_only_what_the_string_uses, .fini = teardown)
{
	char buf[64];
	const char hello[] = "hello";

	mm = test_start(pager);
	MAP_AT(mm, P(0), 2 * PG, RW);
	u64 at = P(2) - sizeof(hello); /* the NUL is the mapping's last byte */
	cr_assert_eq(user_store(mm, at, hello, sizeof(hello), &test_why), FAULT_OK);
	cr_assert_eq(strncpy_from_user(buf, (char *)at, sizeof(buf)), 5);
	cr_assert_str_eq(buf, "hello");

	/* Across the page boundary inside the mapping. */
	u64 mid = P(1) - 3;
	cr_assert_eq(user_store(mm, mid, hello, sizeof(hello), &test_why), FAULT_OK);
	cr_assert_eq(strncpy_from_user(buf, (char *)mid, sizeof(buf)), 5);
	cr_assert_str_eq(buf, "hello");

	/* No NUL before the end of the mapping. */
	cr_assert_eq(user_store(mm, P(2) - 2, "xy", 2, &test_why), FAULT_OK);
	cr_assert_eq(strncpy_from_user(buf, (char *)(P(2) - 2), sizeof(buf)), -EFAULT);
	/* No NUL within size. */
	cr_assert_eq(strncpy_from_user(buf, (char *)mid, 5), -ENAMETOOLONG);
	cr_assert_eq(strncpy_from_user(buf, (char *)mid, 6), 5);
	/* A long string over many pages. */
	MAP_AT(mm, P(4), 3 * PG, RW);
	static char longstr[2 * PAGE_SIZE + 10];
	memset(longstr, 'z', sizeof(longstr) - 1);
	cr_assert_eq(user_store(mm, P(4) + 5, longstr, sizeof(longstr), &test_why), FAULT_OK);
	static char lbuf[3 * PAGE_SIZE];
	cr_assert_eq(strncpy_from_user(lbuf, (char *)(P(4) + 5), sizeof(lbuf)),
		     (long)sizeof(longstr) - 1);
	cr_assert_str_eq(lbuf, longstr);
	cr_assert(!mm_host_sum);
}

/* -------------------------------------------------------- file-backed VMAs */

/* A stand-in for an inode: npages pages, each filled with its index + 1,
 * and the count of references VMAs hold on it. */
struct file {
	struct page *pages[8];
	u64 npages;
	int refs;
};

static int file_get_page(void *obj, u64 pgoff, struct page **out)
{
	struct file *f = obj;
	if (pgoff >= f->npages)
		return -ENXIO;
	page_get(f->pages[pgoff]);
	*out = f->pages[pgoff];
	return 0;
}
static void file_get(void *obj)
{
	((struct file *)obj)->refs++;
}
static void file_put(void *obj)
{
	struct file *f = obj;
	cr_assert_gt(f->refs, 0, "file reference dropped twice");
	f->refs--;
}
static void file_name(void *obj, char *buf, size_t size)
{
	(void)obj;
	snprintf(buf, size, "/data");
}
static const struct vm_backing_ops file_ops = {
    .get_page = file_get_page, .get = file_get, .put = file_put, .name = file_name};

static struct file file;

static struct vm_backing file_open(u64 npages, bool writable)
{
	file.npages = npages;
	file.refs = 0;
	for (u64 i = 0; i < npages; i++) {
		file.pages[i] = page_alloc(0);
		memset(page_kva(file.pages[i]), (int)(i + 1), PAGE_SIZE);
	}
	return (struct vm_backing){.ops = &file_ops, .obj = &file, .writable = writable};
}

/* The first word of the file's page i. */
static u64 file_word(u64 i)
{
	return *(u64 *)page_kva(file.pages[i]);
}

static u64 fill_word(int byte)
{
	u64 w;
	memset(&w, byte, sizeof(w));
	return w;
}

/* Destroys the mm first: then no VMA may hold the file any more. */
static void file_close(void)
{
	test_destroy_mm(mm);
	mm = NULL;
	cr_assert_eq(file.refs, 0, "VMAs still hold %d references on the file", file.refs);
	for (u64 i = 0; i < file.npages; i++) {
		cr_assert_eq(page_refcount(file.pages[i]), 1, "file page %lu still mapped", i);
		page_put(file.pages[i]);
	}
}

static long map_file(u64 va, u64 len, u32 prot, u32 type, const struct vm_backing *b, u64 off)
{
	return mm_mmap(mm, va, len, prot, type | MNEMO_MAP_FIXED, b, off);
}

TEST_BOTH_PAGERS(file, a_private_mapping_reads_the_file_and_writes_a_copy, .fini = teardown)
{
	mm = test_start(pager);
	struct vm_backing b = file_open(3, false);
	cr_assert_eq(map_file(P(0), 3 * PG, RW, MNEMO_MAP_PRIVATE, &b, 0), (long)P(0));
	cr_assert_eq(file.refs, 1);
	EXPECT_READ(mm, P(2), fill_word(3));
	EXPECT_WRITE(mm, P(1), 77);
	EXPECT_READ(mm, P(1), 77);
	cr_assert_eq(file_word(1), fill_word(2), "the file itself is untouched");
	file_close();
}

TEST_BOTH_PAGERS(file, a_shared_mapping_writes_the_file, .fini = teardown)
{
	mm = test_start(pager);
	struct vm_backing b = file_open(2, true);
	cr_assert_eq(map_file(P(0), 2 * PG, RW, MNEMO_MAP_SHARED, &b, 0), (long)P(0));
	EXPECT_WRITE(mm, P(1), 55);
	cr_assert_eq(file_word(1), 55);
	cr_assert_eq(mm_host_page_kva(mm, P(1)), page_kva(file.pages[1]), "the file's own page");
	file_close();
}

TEST_BOTH_PAGERS(file, a_page_wholly_past_the_end_of_the_file_is_sigbus, .fini = teardown)
{
	mm = test_start(pager);
	struct vm_backing b = file_open(2, false);
	cr_assert_eq(map_file(P(0), 4 * PG, VM_READ, MNEMO_MAP_PRIVATE, &b, 0), (long)P(0));
	EXPECT_READ(mm, P(1), fill_word(2));
	EXPECT_REFUSED(user_read64(mm, P(2), &(u64){0}, &test_why), FAULT_SIGBUS,
		       "access past the end of the file");
	EXPECT_REFUSED(user_read64(mm, P(3), &(u64){0}, &test_why), FAULT_SIGBUS,
		       "access past the end of the file");
	file_close();
}

TEST_BOTH_PAGERS(file, a_writable_shared_mapping_needs_a_writable_file, .fini = teardown)
{
	mm = test_start(pager);
	struct vm_backing b = file_open(2, false);
	cr_assert_eq(map_file(P(0), PG, RW, MNEMO_MAP_SHARED, &b, 0), -EACCES);
	cr_assert_eq(map_file(P(0), PG, RW, MNEMO_MAP_PRIVATE, &b, 0), (long)P(0));
	cr_assert_eq(map_file(P(1), PG, VM_READ, MNEMO_MAP_SHARED, &b, PG), (long)P(1));
	cr_assert_eq(mm_mprotect(mm, P(1), PG, RW), -EACCES);
	cr_assert_eq(mm_mprotect(mm, P(0), PG, VM_READ), 0, "private: any protection");
	file_close();
}

TEST_BOTH_PAGERS(file, a_split_mapping_keeps_each_part_at_its_file_offset, .fini = teardown)
{
	/* file pages 1..5 at P0..P4 (AAAAA)  ->  munmap P1, mprotect P3 (A.BCD)
	 * ->  each part still shows its own page  ->  mprotect back (A.BBB) */
	mm = test_start(pager);
	struct vm_backing b = file_open(6, false);
	cr_assert_eq(map_file(P(0), 5 * PG, VM_READ, MNEMO_MAP_PRIVATE, &b, PG), (long)P(0));
	cr_assert_eq(mm_munmap(mm, P(1), PG), 0);
	cr_assert_eq(mm_mprotect(mm, P(3), PG, RW), 0);
	cr_assert_eq(file.refs, 4, "one reference per VMA");
	EXPECT_READ(mm, P(0), fill_word(2));
	EXPECT_READ(mm, P(2), fill_word(4));
	EXPECT_READ(mm, P(3), fill_word(5));
	EXPECT_READ(mm, P(4), fill_word(6));
	cr_assert_eq(mm_mprotect(mm, P(3), PG, VM_READ), 0);
	cr_assert_eq(file.refs, 2, "merged back: one reference less");
	file_close();
}
