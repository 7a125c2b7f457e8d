/* munmap and mprotect: any page-aligned range, splitting the VMAs it cuts
 * and merging neighbours that become alike (checked with pictures of the
 * address space, see vmtest.h); the contents of what stays mapped; the
 * errors; an unmapped range kills whoever touches it, gives EFAULT to
 * system calls and can be mapped again. Works in /tmp/t_mprotect. */
#include "vmtest.h"

#define TDIR "t_mprotect"
/* This program's window in the arena; every test starts with it empty. */
#define WIN ((char *)(VM_ARENA + 0x010000000UL))
#define RW  (PROT_READ | PROT_WRITE)

static char *pg(int i)
{
	return WIN + i * PAGE;
}

/* Maps npages read-write pages at page 0 of the window and marks them. */
static int map_window(long npages, uint32_t seed)
{
	if (vm_anon_at((uintptr_t)WIN, npages * PAGE, RW) != WIN)
		return CHECK("map-window", 0, "errno %d (%s)", errno, strerror(errno));
	vm_mark(WIN, npages, seed);
	return 1;
}

static void clear_window(void)
{
	munmap(WIN, 64 * PAGE);
}

/* ---------------------------------------------------------------- munmap */

static void test_munmap_split(void)
{
	char *p;

	if (!map_window(8, 1))
		return;
	vm_check_picture("munmap-before", WIN, 8, "wwwwwwww");
	CHECK_OK("munmap-middle", munmap(pg(3), 2 * PAGE));
	vm_check_picture("munmap-middle-splits", WIN, 8, "www..www");
	CHECK("munmap-middle-rest-kept",
	      vm_mark_errors(pg(0), 3, 1) == 0 && vm_mark_errors(pg(5), 3, 1) == 0);
	CHECK_OK("munmap-first-page", munmap(pg(0), PAGE));
	vm_check_picture("munmap-first-page-picture", WIN, 8, ".ww..www");
	CHECK_OK("munmap-last-page", munmap(pg(7), PAGE));
	vm_check_picture("munmap-last-page-picture", WIN, 8, ".ww..ww.");
	/* Over a hole, cutting both pieces. */
	CHECK_OK("munmap-across-hole", munmap(pg(2), 4 * PAGE));
	vm_check_picture("munmap-across-hole-picture", WIN, 8, ".w....w.");
	CHECK("munmap-across-hole-rest-kept",
	      vm_mark_errors(pg(1), 1, 1) == 0 && vm_mark_errors(pg(6), 1, 1) == 0);
	/* A length that is not a whole number of pages takes whole pages. */
	CHECK_OK("munmap-short-length", munmap(pg(1), 10));
	vm_check_picture("munmap-short-length-picture", WIN, 8, "......w.");
	CHECK_OK("munmap-nothing-there", munmap(pg(20), 4 * PAGE));
	CHECK_OK("munmap-rest", munmap(WIN, 8 * PAGE));
	vm_check_picture("munmap-all-gone", WIN, 8, "........");

	/* The range can be mapped again, and is fresh memory. */
	map_window(8, 2);
	munmap(pg(2), 4 * PAGE);
	p = vm_anon_at((uintptr_t)pg(2), 4 * PAGE, RW);
	CHECK("remap-after-munmap", p == pg(2));
	CHECK("remap-zeroed", p == pg(2) && vm_nonzero(p, 4 * PAGE) == 0);
	vm_check_picture("remap-merges", WIN, 8, "wwwwwwww");
	CHECK("remap-neighbours-kept",
	      vm_mark_errors(pg(0), 2, 2) == 0 && vm_mark_errors(pg(6), 2, 2) == 0);
	clear_window();

	/* Never-touched pages (lazy pager): unmapping them costs nothing
	 * and the touched ones around stay. */
	if (vm_anon_at((uintptr_t)WIN, 16 * PAGE, RW) == WIN) {
		pg(0)[0] = 'a';
		pg(15)[0] = 'z';
		CHECK_OK("munmap-untouched", munmap(pg(1), 14 * PAGE));
		CHECK("munmap-untouched-ends-kept", pg(0)[0] == 'a' && pg(15)[0] == 'z');
		vm_check_picture("munmap-untouched-picture", WIN, 16, "w..............w");
	}
	clear_window();
}

/* Two mappings made separately merge when they touch and are alike. */
static void test_merge(void)
{
	vm_anon_at((uintptr_t)pg(0), 4 * PAGE, RW);
	vm_anon_at((uintptr_t)pg(4), 4 * PAGE, RW);
	vm_check_picture("merge-adjacent-alike", WIN, 8, "wwwwwwww");
	vm_anon_at((uintptr_t)pg(8), PAGE, PROT_READ);
	vm_check_picture("merge-not-unlike", WIN, 9, "wwwwwwww|r");
	/* Shared and private memory never merge. */
	mmap(pg(9), PAGE, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	mmap(pg(10), PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	vm_check_picture("merge-not-shared-private", WIN, 11, "wwwwwwww|r|w|w");
	clear_window();
}

/* ---------------------------------------------------------------- mprotect */

/* The smallest case of a new protection that makes a VMA like the one
 * after it: the two must merge and the call go on past them.
 *
 * An earlier kernel walked on to the VMA it had just freed by merging:
 * reading freed memory, the walk stopped early (this check fails), looped
 * forever or corrupted the address space, depending on the allocator. To
 * make the first, harmless, outcome the likely one should that come back,
 * the VMA allocator's pages are first given free slots (many VMAs made,
 * every other one freed), so that a freed VMA's first word (its start)
 * becomes a kernel address, which ends the walk. */
static int mprotect_merge_next_ok = 1;

#define SCRATCH ((char *)(VM_ARENA + 0x011000000UL))

static void test_mprotect_merge_next(void)
{
	for (int i = 0; i < 64; i++)
		vm_anon_at((uintptr_t)(SCRATCH + i * PAGE), PAGE, i % 2 ? PROT_READ : RW);
	for (int i = 0; i < 64; i += 2)
		munmap(SCRATCH + i * PAGE, PAGE);
	if (!map_window(3, 6))
		return;
	mprotect(pg(0), PAGE, PROT_READ);
	mprotect(pg(2), PAGE, PROT_READ);
	vm_check_picture("mprotect-merge-next-before", WIN, 3, "r|w|r");
	CHECK_OK("mprotect-merge-next", mprotect(WIN, 3 * PAGE, RW));
	if (vm_check_picture("mprotect-merge-next-picture", WIN, 3, "www"))
		CHECK("mprotect-merge-next-writable", (pg(2)[8] = 'w') == 'w');
	clear_window();
	munmap(SCRATCH, 64 * PAGE);
}

/* Steps that would merge a VMA with the next one by mprotect run only
 * when the smallest case worked; else they fail without being tried
 * (trying could bring the kernel down and end the whole suite). */
static int merge_next_allowed(const char *name)
{
	return mprotect_merge_next_ok ||
	       CHECK(name, 0,
		     "not tried: mprotect-merge-next failed (the kernel may be using a freed VMA)");
}

static void test_mprotect_split(void)
{
	if (!map_window(8, 3))
		return;
	CHECK_OK("mprotect-middle", mprotect(pg(2), 4 * PAGE, PROT_READ));
	vm_check_picture("mprotect-middle-splits", WIN, 8, "ww|rrrr|ww");
	CHECK("mprotect-data-kept", vm_mark_errors(WIN, 8, 3) == 0);
	CHECK("mprotect-read-only-kills", test_in_child(vm_child_write, (long)pg(3)) == -1);
	CHECK("mprotect-read-only-readable", test_in_child(vm_child_read, (long)pg(3)) == 0);
	CHECK("mprotect-rest-writable", (pg(1)[8] = 'w') == 'w' && (pg(6)[8] = 'w') == 'w');
	if (!merge_next_allowed("mprotect-back")) {
		clear_window();
		return;
	}
	CHECK_OK("mprotect-back", mprotect(pg(2), 4 * PAGE, RW));
	vm_check_picture("mprotect-back-merges", WIN, 8, "wwwwwwww");
	CHECK("mprotect-back-writable", (pg(3)[8] = 'w') == 'w');

	/* Edges, then one call over three different VMAs. */
	CHECK_OK("mprotect-first", mprotect(pg(0), PAGE, PROT_READ));
	vm_check_picture("mprotect-first-picture", WIN, 8, "r|wwwwwww");
	CHECK_OK("mprotect-last", mprotect(pg(7), PAGE, PROT_NONE));
	vm_check_picture("mprotect-last-picture", WIN, 8, "r|wwwwww|-");
	CHECK_OK("mprotect-exec", mprotect(pg(3), 2 * PAGE, PROT_READ | PROT_EXEC));
	vm_check_picture("mprotect-exec-picture", WIN, 8, "r|ww|xx|ww|-");
	CHECK_OK("mprotect-across-three", mprotect(pg(2), 4 * PAGE, PROT_READ));
	vm_check_picture("mprotect-across-three-picture", WIN, 8, "r|w|rrrr|w|-");
	CHECK_OK("mprotect-all", mprotect(WIN, 8 * PAGE, RW));
	if (!vm_check_picture("mprotect-all-merges", WIN, 8, "wwwwwwww")) {
		/* Some page may not be readable: stop before touching it. */
		clear_window();
		return;
	}
	CHECK("mprotect-all-data-kept", vm_mark_errors(WIN, 8, 3) == 0);

	/* A length that is not a whole number of pages takes whole pages. */
	CHECK_OK("mprotect-short-length", mprotect(pg(0), 1, PROT_READ));
	vm_check_picture("mprotect-short-length-picture", WIN, 8, "r|wwwwwww");

	/* PROT_NONE keeps the data for when access comes back. */
	CHECK_OK("mprotect-none", mprotect(WIN, 8 * PAGE, PROT_NONE));
	vm_check_picture("mprotect-none-picture", WIN, 8, "--------");
	CHECK("mprotect-none-read-kills", test_in_child(vm_child_read, (long)pg(5)) == -1);
	CHECK_OK("mprotect-none-back", mprotect(WIN, 8 * PAGE, RW));
	CHECK("mprotect-none-data-kept", vm_mark_errors(WIN, 8, 3) == 0);
	clear_window();

	/* Never-touched pages made read-only read as zeros; made writable
	 * again they take stores. */
	if (vm_anon_at((uintptr_t)WIN, 4 * PAGE, RW) == WIN) {
		CHECK_OK("mprotect-untouched", mprotect(WIN, 4 * PAGE, PROT_READ));
		CHECK("mprotect-untouched-zero", vm_nonzero(WIN, 4 * PAGE) == 0);
		mprotect(WIN, 4 * PAGE, RW);
		CHECK("mprotect-untouched-writable", (pg(2)[1] = 'u') == 'u');
	}
	clear_window();
}

/* ---------------------------------------------------------------- files */

static int make_file(const char *name, long npages, uint32_t seed)
{
	static uint8_t buf[PAGE];
	int fd = open(name, O_CREAT | O_TRUNC | O_RDWR);

	if (fd < 0)
		return -1;
	for (long i = 0; i < npages; i++) {
		test_pattern_fill(buf, PAGE, seed, i * PAGE);
		if (write_all(fd, buf, PAGE) < 0) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* The file offset vmmaps gives for the mapping holding page i. */
static long offset_at(int i)
{
	const struct mnemo_vmmap *m = vm_find((uintptr_t)pg(i));

	return m ? (long)(m->offset + ((uintptr_t)pg(i) - m->start)) : -1;
}

/* Pieces of a file mapping keep their file offsets. */
static void test_file_split(void)
{
	int fd = make_file("file", 8, 7), bad = 0;
	char *p;

	if (!CHECK("file-setup", fd >= 0))
		return;
	p = mmap(WIN, 8 * PAGE, RW, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (!CHECK("file-map", p == WIN)) {
		close(fd);
		return;
	}
	CHECK_OK("file-munmap-page", munmap(pg(2), PAGE));
	CHECK_OK("file-mprotect-page", mprotect(pg(5), PAGE, PROT_READ));
	vm_check_picture("file-split-picture", WIN, 8, "ww.ww|r|ww");
	for (int i = 0; i < 8; i++)
		if (i != 2)
			bad += offset_at(i) != i * PAGE ||
			       test_pattern_diff((uint8_t *)pg(i), PAGE, 7, i * PAGE) >= 0;
	CHECK("file-split-offsets", bad == 0, "%d pages at the wrong offset", bad);
	if (!merge_next_allowed("file-mprotect-back")) {
		clear_window();
		close(fd);
		unlink("file");
		return;
	}
	CHECK_OK("file-mprotect-back", mprotect(pg(5), PAGE, RW));
	vm_check_picture("file-merge-picture", WIN, 8, "ww.wwwww");
	CHECK("file-merge-offset", offset_at(7) == 7 * PAGE);
	/* Putting the page back at the right offset joins the pieces. */
	p = mmap(pg(2), PAGE, RW, MAP_SHARED | MAP_FIXED, fd, 2 * PAGE);
	CHECK("file-remap-page",
	      p == pg(2) && test_pattern_diff((uint8_t *)p, PAGE, 7, 2 * PAGE) < 0);
	vm_check_picture("file-remap-merges", WIN, 8, "wwwwwwww");
	/* At another offset it stays a piece of its own. */
	p = mmap(pg(2), PAGE, RW, MAP_SHARED | MAP_FIXED, fd, 6 * PAGE);
	CHECK("file-remap-other-offset",
	      p == pg(2) && test_pattern_diff((uint8_t *)p, PAGE, 7, 6 * PAGE) < 0);
	vm_check_picture("file-remap-other-offset-picture", WIN, 8, "ww|w|wwwww");
	clear_window();
	close(fd);
	unlink("file");
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void)
{
	char before[64];

	map_window(4, 4);
	munmap(pg(2), PAGE);
	vm_picture((uintptr_t)WIN, 4, before);

	expect_errno("munmap-unaligned", munmap(pg(0) + 8, PAGE), EINVAL);
	expect_errno("munmap-len-0", munmap(pg(0), 0), EINVAL);
	expect_errno("munmap-kernel-half", munmap((void *)VM_KERNEL_HALF, PAGE), EINVAL);
	expect_errno("munmap-reaches-kernel-half",
		     munmap((void *)(VM_KERNEL_HALF - PAGE), 2 * PAGE), EINVAL);
	expect_errno("munmap-kernel-base", munmap((void *)0xffffffc000000000UL, PAGE), EINVAL);
	expect_errno("munmap-overflow", munmap(pg(0), -PAGE), EINVAL);

	expect_errno("mprotect-unaligned", mprotect(pg(0) + 8, PAGE, PROT_READ), EINVAL);
	expect_errno("mprotect-len-0", mprotect(pg(0), 0, PROT_READ), EINVAL);
	expect_errno("mprotect-kernel-half", mprotect((void *)VM_KERNEL_HALF, PAGE, PROT_READ),
		     EINVAL);
	expect_errno("mprotect-reaches-kernel-half",
		     mprotect((void *)(VM_KERNEL_HALF - PAGE), 2 * PAGE, PROT_READ), EINVAL);
	expect_errno("mprotect-overflow", mprotect(pg(0), -PAGE, PROT_READ), EINVAL);
	/* A page in the range is not mapped: ENOMEM, and nothing changes,
	 * not even the part before the hole. */
	expect_errno("mprotect-hole", mprotect(pg(0), 4 * PAGE, PROT_READ), ENOMEM);
	expect_errno("mprotect-hole-at-end", mprotect(pg(1), 2 * PAGE, PROT_READ), ENOMEM);
	expect_errno("mprotect-hole-at-start", mprotect(pg(2), 2 * PAGE, PROT_READ), ENOMEM);
	expect_errno("mprotect-unmapped", mprotect(pg(10), PAGE, PROT_READ), ENOMEM);
	vm_check_picture("errors-change-nothing", WIN, 4, before);
	CHECK("errors-data-kept",
	      vm_mark_errors(WIN, 2, 4) == 0 && vm_mark_errors(pg(3), 1, 4) == 0);
	clear_window();
}

/* ---------------------------------------------------------------- after munmap */

static void test_after_munmap(void)
{
	int fd = open("io", O_CREAT | O_TRUNC | O_RDWR), pfd[2];
	char *p;

	if (!map_window(4, 5) || !CHECK("io-open", fd >= 0))
		return;
	write(fd, "0123456789abcdef", 16);
	CHECK_OK("after-munmap", munmap(pg(1), 2 * PAGE));
	CHECK("after-munmap-read-kills", test_in_child(vm_child_read, (long)pg(1)) == -1);
	CHECK("after-munmap-write-kills", test_in_child(vm_child_write, (long)pg(2) + 100) == -1);
	CHECK("after-munmap-neighbours-live", test_in_child(vm_child_write, (long)pg(0)) == 0 &&
						  test_in_child(vm_child_write, (long)pg(3)) == 0);
	expect_errno("after-munmap-write-efault", write(fd, pg(1), 10), EFAULT);
	lseek(fd, 0, SEEK_SET);
	expect_errno("after-munmap-read-efault", read(fd, pg(2), 10), EFAULT);
	/* A buffer that runs from a live page into the unmapped one. */
	lseek(fd, 0, SEEK_SET);
	expect_errno("after-munmap-read-across-efault", read(fd, pg(1) - 8, 16), EFAULT);
	if (CHECK_OK("after-munmap-pipe-setup", pipe(pfd))) {
		expect_errno("after-munmap-pipe-write-efault", write(pfd[1], pg(1), 10), EFAULT);
		close(pfd[0]);
		close(pfd[1]);
	}
	/* And it can be mapped again. */
	p = vm_anon_at((uintptr_t)pg(1), 2 * PAGE, RW);
	lseek(fd, 0, SEEK_SET);
	CHECK("after-munmap-remap-read", p == pg(1) && read(fd, pg(2), 16) == 16 &&
					     memcmp(pg(2), "0123456789abcdef", 16) == 0);
	clear_window();
	close(fd);
	unlink("io");
}

/* What cannot be touched gets no frame, under either pager: a 16 MiB
 * PROT_NONE reservation costs at most a few pages and the stack's guard
 * page has none; opening one page of the reservation makes it usable (the
 * eager pager fills it then). These are bounds, not exact counts: besides
 * the one frame, the kernel may need a page-table page per level (three
 * in Sv39) and, for the VMA records that mmap and the split by mprotect
 * make, a new kmalloc slab page or none, depending on how full the slab
 * of their size is. The runner's exact count after this program checks
 * that all of it comes back. */
static void test_prot_none_costs_nothing(void)
{
	const long size = 16L << 20;
	const struct mnemo_vmmap *guard = vm_find_named("[guard]");

	CHECK("guard-page-has-no-frame", guard && guard->resident == 0, "%s, %llu resident",
	      guard ? "found" : "no [guard] mapping",
	      guard ? (unsigned long long)guard->resident : 0ULL);
	long before = test_settle();
	char *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!CHECK("prot-none-reserve", p != MAP_FAILED, "%s", strerror(errno)))
		return;
	long used = before - free_memory_bytes();
	CHECK("prot-none-reserve-costs-nothing", used <= 4 * PAGE,
	      "16 MiB of PROT_NONE took %ld bytes", used);
	CHECK_OK("prot-none-open-one", mprotect(p + size / 2, PAGE, PROT_READ | PROT_WRITE));
	p[size / 2] = 7;
	used = before - free_memory_bytes();
	CHECK("prot-none-open-one-costs-one", p[size / 2] == 7 && used <= 5 * PAGE,
	      "opening one page took %ld bytes in all", used);
	munmap(p, size);
}

int main(void)
{
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	clear_window();
	/* Each group in a child of its own, so that one that breaks the
	 * address space (or the kernel) does not take the others along. */
	vm_run_group("group-munmap-split", test_munmap_split);
	vm_run_group("group-merge", test_merge);
	mprotect_merge_next_ok =
	    vm_run_group("group-mprotect-merge-next", test_mprotect_merge_next);
	vm_run_group("group-mprotect-split", test_mprotect_split);
	vm_run_group("group-file-split", test_file_split);
	vm_run_group("group-errors", test_errors);
	vm_run_group("group-after-munmap", test_after_munmap);
	vm_run_group("group-prot-none-costs-nothing", test_prot_none_costs_nothing);
	test_leave_tmp(TDIR);
	return test_done();
}
