/* Copy-on-write fork: after fork both processes see the old contents and
 * each one's writes stay its own, whether the write is the program's or
 * the kernel's (read() into a page shared copy-on-write); memory that is
 * truly read-only stays so; MAP_SHARED anonymous memory stays shared.
 * Each group runs in a child of its own and must give back every page
 * (vm_run_group), so free memory returns after both sides exit. */
#include "vmtest.h"

#include "include/uapi/syscall.h"

#define RW	 (PROT_READ | PROT_WRITE)
#define NPAGES	 64
#define BIGPAGES 1024

/* One byte over a pipe: the other side may go on. */
static void sync_send(int fd)
{
	(void)!write(fd, "s", 1);
}

static int sync_wait(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

/* The three kinds of private memory a program has. */
static char data_area[4 * PAGE] __attribute__((aligned(PAGE)));

struct areas {
	char *map;  /* NPAGES of mmap'd memory */
	char *heap; /* 4 pages from sbrk */
};

static void areas_mark(const struct areas *a, uint32_t seed)
{
	vm_mark(a->map, NPAGES, seed);
	vm_mark(a->heap, 4, seed);
	vm_mark(data_area, 4, seed);
}

static long areas_errors(const struct areas *a, uint32_t seed)
{
	return vm_mark_errors(a->map, NPAGES, seed) + vm_mark_errors(a->heap, 4, seed) +
	       vm_mark_errors(data_area, 4, seed);
}

/* Both sides see the old contents; each one's writes are private. */
static void test_private_after_fork(void)
{
	struct areas a = {vm_anon(NULL, NPAGES * PAGE, RW, 0), sbrk(4 * PAGE)};
	int to_child[2], to_parent[2], pid, status;

	if (!CHECK("cow-setup", a.map != MAP_FAILED && a.heap != (char *)-1 &&
				    pipe(to_child) == 0 && pipe(to_parent) == 0))
		return;
	areas_mark(&a, 1);
	pid = fork();
	if (pid == 0) {
		/* Bit 0: old contents not seen; bit 1: own writes lost;
		 * bit 2: the parent's writes showed through. */
		int r = areas_errors(&a, 1) ? 1 : 0;
		areas_mark(&a, 2);
		r |= areas_errors(&a, 2) ? 2 : 0;
		sync_send(to_parent[1]);
		sync_wait(to_child[0]);
		r |= areas_errors(&a, 2) ? 4 : 0;
		_exit(r);
	}
	CHECK("cow-fork", pid > 0);
	sync_wait(to_parent[0]);
	CHECK("cow-parent-keeps-old", areas_errors(&a, 1) == 0, "%ld pages show the child's writes",
	      areas_errors(&a, 1));
	areas_mark(&a, 3);
	sync_send(to_child[1]);
	status = test_wait_status(pid);
	CHECK("cow-child-sees-old", status >= 0 && !(status & 1), "status %d", status);
	CHECK("cow-child-writes", status >= 0 && !(status & 2), "status %d", status);
	CHECK("cow-child-private", status >= 0 && !(status & 4), "status %d", status);
	CHECK("cow-parent-writes", areas_errors(&a, 3) == 0);
}

/* Untouched lazy pages: whoever touches first gets zeros of its own. */
static void test_untouched_after_fork(void)
{
	char *p = vm_anon(NULL, NPAGES * PAGE, RW, 0);
	int pid;

	if (!CHECK("untouched-setup", p != MAP_FAILED))
		return;
	pid = fork();
	if (pid == 0) {
		int r = vm_nonzero(p, NPAGES * PAGE) != 0;
		memset(p, 'c', NPAGES * PAGE);
		_exit(r);
	}
	CHECK("untouched-child", test_wait_status(pid) == 0);
	CHECK("untouched-parent-still-zero", vm_nonzero(p, NPAGES * PAGE) == 0);
}

/* A kernel write into a page that is copy-on-write. */
static int child_reads_into(long arg)
{
	char *buf = (char *)arg;
	int fds[2];
	static char src[5000];

	/* The pipe's descriptors land in a copy-on-write page too (raw call:
	 * the kernel stores them). */
	if (test_syscall(SYS_pipe, (long)(buf + 2 * PAGE), 0, 0) != 0)
		return 1;
	memcpy(fds, buf + 2 * PAGE, sizeof(fds));
	memset(src, 'C', sizeof(src));
	if (write(fds[1], src, sizeof(src)) != sizeof(src))
		return 2;
	/* 5000 bytes from offset 100: across the first two pages. */
	if (read_full(fds[0], buf + 100, 5000) != 5000)
		return 3;
	for (long i = 0; i < 2 * PAGE; i++)
		if (buf[i] != (i >= 100 && i < 5100 ? 'C' : 'P'))
			return 4;
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static void test_kernel_write(void)
{
	char *buf = vm_anon(NULL, 3 * PAGE, RW, 0);
	int fds[2], pid, status;

	if (!CHECK("kernel-write-setup", buf != MAP_FAILED && pipe(fds) == 0))
		return;
	memset(buf, 'P', 3 * PAGE);
	/* The child's read() breaks copy-on-write in the child... */
	status = test_in_child(child_reads_into, (long)buf);
	CHECK("kernel-write-child", status == 0, "status %d", status);
	CHECK("kernel-write-parent-unchanged",
	      buf[0] == 'P' && buf[100] == 'P' && buf[5099] == 'P' && buf[2 * PAGE] == 'P');

	/* ...and the parent's read() in the parent, while the child still
	 * holds the old page and checks it afterwards. */
	int go[2];
	pipe(go);
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		sync_wait(go[0]);
		for (long i = 0; i < 3 * PAGE; i++)
			if (buf[i] != 'P')
				_exit(1);
		_exit(0);
	}
	write(fds[1], "QQQQQQQQ", 8);
	CHECK("kernel-write-parent-read",
	      read(fds[0], buf + PAGE - 4, 8) == 8 && memcmp(buf + PAGE - 4, "QQQQQQQQ", 8) == 0);
	sync_send(go[1]);
	status = test_wait_status(pid);
	CHECK("kernel-write-child-unchanged", status == 0, "status %d", status);
	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(go[1]);
}

/* Read-only stays read-only: copy-on-write is only for writable memory. */
static int mprotect_dance_and_write(long arg)
{
	char *p = (char *)arg;

	/* Through read-only and back: the page is still shared with the
	 * parent, so the write must still copy it. */
	if (mprotect(p, PAGE, PROT_READ) < 0 || mprotect(p, PAGE, RW) < 0)
		return 1;
	if (p[0] != 'p')
		return 3;
	p[0] = 'c';
	return p[0] == 'c' ? 0 : 2;
}

static int read_into(long arg)
{
	int fd = open("/bin/t_cow", O_RDONLY);
	long r = read(fd, (char *)arg, 16);

	return r == -1 && errno == EFAULT ? 0 : 1;
}

static void test_read_only_after_fork(void)
{
	char *ro = vm_anon(NULL, PAGE, PROT_READ, 0);
	char *rw = vm_anon(NULL, 2 * PAGE, RW, 0);
	char *file;
	int fd;

	if (!CHECK("read-only-setup", ro != MAP_FAILED && rw != MAP_FAILED))
		return;
	CHECK("read-only-present", ro[0] == 0); /* fault it in before fork */
	CHECK("read-only-write-kills", test_in_child(vm_child_write, (long)ro) == -1);
	CHECK("read-only-read-efault", test_in_child(read_into, (long)ro) == 0);

	/* Written, then made read-only: still read-only in the child. */
	memset(rw, 'p', 2 * PAGE);
	mprotect(rw, PAGE, PROT_READ);
	CHECK("mprotected-write-kills", test_in_child(vm_child_write, (long)rw) == -1);
	CHECK("mprotected-read-efault", test_in_child(read_into, (long)rw) == 0);
	CHECK("mprotected-parent-unchanged", rw[0] == 'p');
	mprotect(rw, PAGE, RW);

	/* Read-only and back again in the child, then a write: a copy. */
	CHECK("mprotect-dance-child",
	      test_in_child(mprotect_dance_and_write, (long)rw + PAGE) == 0);
	CHECK("mprotect-dance-parent-unchanged", rw[PAGE] == 'p');

	/* The same in the parent, while a child holds the page. */
	int go[2], done[2], pid;
	pipe(go);
	pipe(done);
	pid = fork();
	if (pid == 0) {
		sync_send(done[1]);
		sync_wait(go[0]);
		_exit(rw[0] == 'p' && rw[PAGE] == 'p' ? 0 : 1);
	}
	sync_wait(done[0]);
	CHECK("mprotect-dance-parent", mprotect_dance_and_write((long)rw) == 0);
	sync_send(go[1]);
	CHECK("mprotect-dance-child-unchanged", test_wait_status(pid) == 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);

	/* Read-only or PROT_NONE at fork, opened up in the child only: the
	 * page is still the parent's too, so the child's write must copy. */
	for (int none = 0; none <= 1; none++) {
		rw[0] = 'p';
		mprotect(rw, PAGE, none ? PROT_NONE : PROT_READ);
		int status = test_in_child(mprotect_dance_and_write, (long)rw);
		mprotect(rw, PAGE, RW);
		CHECK(none ? "prot-none-at-fork-child-writes" : "read-only-at-fork-child-writes",
		      status == 0 && rw[0] == 'p', "status %d, the parent sees %c", status, rw[0]);
	}

	/* A private, read-only file mapping. */
	fd = open("/bin/t_cow", O_RDONLY);
	file = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (CHECK("read-only-file-setup", file != MAP_FAILED && file[1] == 'E'))
		CHECK("read-only-file-write-kills",
		      test_in_child(vm_child_write, (long)file + 1) == -1);
	close(fd);
}

/* A private file mapping: written pages are private copies, untouched
 * ones still show the file; after fork either kind is copied on write. */
static char file_byte; /* the file's byte at PAGE + 1 */

static int child_writes_file_copy(long arg)
{
	char *p = (char *)arg;
	int r = p[100] == 'x' && p[1] == 'E' && p[PAGE + 1] == file_byte ? 0 : 1;

	p[100] = 'c';
	p[PAGE + 1] = (char)~file_byte;
	return r;
}

static void test_private_file_after_fork(void)
{
	int fd = open("/bin/t_cow", O_RDONLY);
	char *p = mmap(NULL, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);

	if (!CHECK("private-file-setup", p != MAP_FAILED && lseek(fd, PAGE + 1, SEEK_SET) >= 0 &&
					     read(fd, &file_byte, 1) == 1))
		return;
	p[100] = 'x'; /* the first page becomes a private copy; the second
		       * is not touched before fork */
	CHECK("private-file-child", test_in_child(child_writes_file_copy, (long)p) == 0);
	CHECK("private-file-parent-unchanged", p[100] == 'x' && p[PAGE + 1] == file_byte);
	close(fd);
}

/* MAP_SHARED anonymous memory is the same memory in parent and child. */
static int child_writes_shared(long arg)
{
	char *s = (char *)arg;

	for (int i = 0; i < 4; i++)
		s[i * PAGE] = 'c';
	return 0;
}

static void test_shared_anon(void)
{
	char *s = mmap(NULL, 4 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2], pid, status;

	if (!CHECK("shared-anon-setup", s != MAP_FAILED))
		return;
	/* Pages 0 and 1 touched before fork, 2 and 3 not. */
	s[0] = 'a';
	s[PAGE] = 'a';
	CHECK("shared-anon-child", test_in_child(child_writes_shared, (long)s) == 0);
	CHECK("shared-anon-touched-seen", s[0] == 'c' && s[PAGE] == 'c', "parent sees %c %c", s[0],
	      s[PAGE]);
	CHECK("shared-anon-untouched-seen", s[2 * PAGE] == 'c' && s[3 * PAGE] == 'c',
	      "parent sees %#x %#x", s[2 * PAGE], s[3 * PAGE]);

	/* Made PROT_NONE, then opened up after fork on both sides: still
	 * one memory (the eager pager does not fill PROT_NONE pages). */
	char *n = mmap(NULL, PAGE, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (CHECK("shared-anon-none-setup", n != MAP_FAILED)) {
		pid = fork();
		if (pid == 0)
			_exit(mprotect(n, PAGE, RW) == 0 && (n[0] = 'c') == 'c' ? 0 : 1);
		status = test_wait_status(pid);
		CHECK("shared-anon-none-child", status == 0, "status %d", status);
		CHECK("shared-anon-none-seen", mprotect(n, PAGE, RW) == 0 && n[0] == 'c',
		      "parent sees %#x", n[0]);
	}

	/* The parent's writes reach a child that is still running, and a
	 * grandchild's reach both. */
	pipe(go);
	pipe(done);
	pid = fork();
	if (pid == 0) {
		sync_wait(go[0]);
		int ok = s[1] == 'p' && s[PAGE + 1] == 'p' && s[3 * PAGE + 1] == 'p';
		int g = fork();
		if (g == 0) {
			s[2] = 'g';
			s[3 * PAGE + 2] = 'g';
			_exit(0);
		}
		ok &= test_wait_status(g) == 0 && s[2] == 'g' && s[3 * PAGE + 2] == 'g';
		_exit(ok ? 0 : 1);
	}
	s[1] = 'p';
	s[PAGE + 1] = 'p';
	s[3 * PAGE + 1] = 'p';
	sync_send(go[1]);
	status = test_wait_status(pid);
	CHECK("shared-anon-parent-writes-seen", status == 0, "status %d", status);
	CHECK("shared-anon-grandchild-seen", s[2] == 'g' && s[3 * PAGE + 2] == 'g');
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

/* Many pages, checked word by word in the child. */
static void test_many_pages(void)
{
	uint8_t *p = vm_anon(NULL, BIGPAGES * PAGE, RW, 0);
	int pid, status;

	if (!CHECK("many-setup", p != MAP_FAILED))
		return;
	test_pattern_fill(p, BIGPAGES * PAGE, 11, 0);
	pid = fork();
	if (pid == 0) {
		int r = test_pattern_diff(p, BIGPAGES * PAGE, 11, 0) >= 0;
		for (long i = 0; i < BIGPAGES; i += 2)
			p[i * PAGE] ^= 0xff;
		_exit(r);
	}
	status = test_wait_status(pid);
	CHECK("many-child-sees-all", status == 0, "status %d", status);
	CHECK("many-parent-unchanged", test_pattern_diff(p, BIGPAGES * PAGE, 11, 0) < 0);

	/* The child is gone: the parent's pages are its own again, so
	 * writing them needs no copies. */
	long before = test_settle();
	for (long i = 0; i < BIGPAGES; i++)
		p[i * PAGE] = 1;
	test_check_free("many-no-copy-when-alone", before);
}

/* The writer of a page shared copy-on-write keeps the page, and a sibling
 * that does not write gets the copy (kernel/mm/fault.c, fault_break_cow):
 * a sibling running on another hart at that moment must be fenced before
 * the writer's stores land, or it goes on reading the writer's page through
 * its TLB and sees them. The child reads its pages in a loop on its hart,
 * the parent writes each of them, again and again, and the child must only
 * ever see what was there at the fork. */
#define RACE_PAGES  64
#define RACE_ROUNDS 8

static void test_reader_on_another_hart(void)
{
	uint64_t *p = vm_anon(NULL, RACE_PAGES * PAGE, RW, 0);
	/* [0]: the child has read every page once; [1]: the parent is done;
	 * [2]: what the child saw that it should not have. */
	volatile uint64_t *flags = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (!CHECK("race-setup", p != MAP_FAILED && flags != MAP_FAILED))
		return;
	for (long i = 0; i < RACE_PAGES; i++)
		p[i * (PAGE / 8)] = 1000 + (uint64_t)i;
	int pid = fork();
	if (pid == 0) {
		uint64_t passes = 0;
		while (!flags[1]) {
			for (long i = 0; i < RACE_PAGES; i++) {
				uint64_t v = ((volatile uint64_t *)p)[i * (PAGE / 8)];
				if (v != 1000 + (uint64_t)i && !flags[2])
					flags[2] = v;
			}
			if (++passes == 1)
				flags[0] = 1;
		}
		_exit(flags[2] ? 1 : 0);
	}
	if (!CHECK("race-fork", pid > 0, "%s", strerror(errno)))
		return;
	while (!flags[0])
		; /* the handshake: the child is reading, on some hart */
	for (uint64_t r = 1; r <= RACE_ROUNDS; r++)
		for (long i = 0; i < RACE_PAGES; i++)
			p[i * (PAGE / 8)] = r << 32 | (uint64_t)i;
	flags[1] = 1;
	int status = test_wait_status(pid);
	CHECK("race-reader-sees-only-its-copy", status == 0 && flags[2] == 0,
	      "the child saw %#lx (status %d): the writer's store through a stale entry",
	      (unsigned long)flags[2], status);
	munmap(p, RACE_PAGES * PAGE);
	munmap((void *)flags, PAGE);
}

/* The same, with the sibling asleep: its hart, idle, keeps the sibling's
 * address space loaded while it polls (sched.c's idle) and may still
 * cache the entry of the page the writer keeps, so the writer's fault must
 * fence that hart too, or the sibling, woken there, reads the writer's
 * store. Each round forks a child that reads the page and sleeps on a
 * pipe; the parent writes the page after 0 to 72 us (the child's watch of
 * the pipe lasts 20 us, its hart polls 50 more) and wakes it; the child
 * must read what was there at the fork. (With mm_tlb_flush's remote
 * fences left out, 6 to 78 of 100 rounds read the writer's store, in
 * four runs.) */
#define SLEEPER_ROUNDS 100

static void test_sleeping_reader(void)
{
	volatile uint64_t *p = vm_anon(NULL, PAGE, RW, 0);
	int go[2], back[2], bad = 0, rounds = 0;

	if (!CHECK("sleeper-setup", p != MAP_FAILED && pipe(go) == 0 && pipe(back) == 0))
		return;
	for (uint64_t r = 0; r < SLEEPER_ROUNDS; r++, rounds++) {
		*p = 2 * r;
		int pid = fork();
		if (pid == 0) {
			uint64_t seen = *p;
			sync_send(back[1]);
			if (!sync_wait(go[0]))
				_exit(2);
			_exit(*p == seen && seen == 2 * r ? 0 : 1);
		}
		if (pid < 0 || !sync_wait(back[0]))
			break;
		test_spin_us(r % 10 * 8);
		*p = 2 * r + 1;
		sync_send(go[1]);
		bad += test_wait_status(pid) != 0;
	}
	close(go[0]), close(go[1]), close(back[0]), close(back[1]);
	munmap((void *)p, PAGE);
	CHECK("sleeper-reads-only-its-copy", bad == 0 && rounds == SLEEPER_ROUNDS,
	      "%d of %d sleeping children read the writer's store through a stale entry", bad,
	      rounds);
}

int main(void)
{
	vm_run_group("group-private-after-fork", test_private_after_fork);
	vm_run_group("group-untouched-after-fork", test_untouched_after_fork);
	vm_run_group("group-kernel-write", test_kernel_write);
	vm_run_group("group-read-only-after-fork", test_read_only_after_fork);
	vm_run_group("group-private-file-after-fork", test_private_file_after_fork);
	vm_run_group("group-shared-anon", test_shared_anon);
	vm_run_group("group-many-pages", test_many_pages);
	vm_run_group("group-reader-on-another-hart", test_reader_on_another_hart);
	vm_run_group("group-sleeping-reader", test_sleeping_reader);
	return test_done();
}
