/* The kernel's access to user memory (access_ok and the copy helpers)
 * against mappings: a zero-length buffer still has its address checked;
 * a buffer may run across two adjacent mappings; read() cannot write into
 * read-only or PROT_NONE memory (EFAULT) but fills never-touched lazy
 * pages; a path that runs into an unmapped page is EFAULT, one whose NUL
 * is the mapping's last byte is fine. Works in /tmp/t_uaccess. */
#include "vmtest.h"

#include "include/uapi/syscall.h"

#define TDIR "t_uaccess"
#define RW   (PROT_READ | PROT_WRITE)
#define WIN  ((char *)(VM_ARENA + 0x030000000UL))
/* Where a path names the file "f" of the test's directory. */
#define F_PATH "/tmp/t_uaccess/f"

static char *pg(int i)
{
	return WIN + i * PAGE;
}

static void clear_window(void)
{
	munmap(WIN, 16 * PAGE);
}

/* A private page at pg(i) and a shared one at pg(i + 1): two mappings
 * that touch but can never merge. */
static int two_adjacent(const char *name, int i)
{
	char *a = vm_anon_at((uintptr_t)pg(i), PAGE, RW);
	char *b = mmap(pg(i + 1), PAGE, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	return a == pg(i) && b == pg(i + 1) && vm_check_picture(name, pg(i), 2, "w|w");
}

static int open_data(void)
{
	return open("data", O_RDONLY);
}

/* ---------------------------------------------------------------- zero length */

static void test_zero_length(void)
{
	int fd = open_data(), pfd[2];
	char *unmapped = pg(1);

	vm_anon_at((uintptr_t)pg(0), PAGE, RW);
	if (!CHECK_OK("zero-pipe-setup", pipe(pfd)))
		return;
	expect_errno("zero-read-file-unmapped", read(fd, unmapped, 0), EFAULT);
	expect_errno("zero-write-pipe-unmapped", write(pfd[1], unmapped, 0), EFAULT);
	expect_errno("zero-read-pipe-unmapped", read(pfd[0], unmapped, 0), EFAULT);
	expect_errno("zero-write-file-kernel", write(pfd[1], (void *)0xffffffc080200000UL, 0),
		     EFAULT);
	expect_errno("zero-read-kernel-half", read(fd, (void *)VM_KERNEL_HALF, 0), EFAULT);
	CHECK("zero-read-mapped", read(fd, pg(0), 0) == 0);
	CHECK("zero-write-mapped", write(pfd[1], pg(0), 0) == 0);
	/* The byte before the unmapped page is still fine. */
	CHECK("zero-read-last-byte", read(fd, pg(1) - 1, 0) == 0);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
	clear_window();
}

/* ---------------------------------------------------------------- crossing */

static void test_across_mappings(void)
{
	int fd = open_data(), pfd[2];
	long bad;

	/* Neither page touched yet: the copy faults both in. */
	if (!two_adjacent("across-two-mappings-setup", 0) ||
	    !CHECK_OK("across-pipe-setup", pipe(pfd)))
		return;
	CHECK("read-across-two-mappings", read(fd, pg(1) - PAGE / 2, PAGE) == PAGE);
	bad = test_pattern_diff((uint8_t *)pg(1) - PAGE / 2, PAGE, 1, 0);
	CHECK("read-across-contents", bad < 0, "byte %ld differs", bad);
	CHECK("read-across-rest-zero",
	      vm_nonzero(pg(0), PAGE / 2) == 0 && vm_nonzero(pg(1) + PAGE / 2, PAGE / 2) == 0);

	/* And the other way: write() from across into a pipe. */
	char back[PAGE];
	CHECK("write-across-two-mappings", write(pfd[1], pg(1) - 100, 200) == 200 &&
					       read(pfd[0], back, 200) == 200 &&
					       memcmp(back, pg(1) - 100, 200) == 0);
	close(pfd[0]);
	close(pfd[1]);
	clear_window();

	/* Anonymous memory next to a shared file mapping: read() lands in
	 * the file through the second half. */
	int out = open("out", O_CREAT | O_TRUNC | O_RDWR);
	char z[PAGE] = {0};
	write(out, z, PAGE);
	char *a = vm_anon_at((uintptr_t)pg(0), PAGE, RW);
	char *f = mmap(pg(1), PAGE, RW, MAP_SHARED | MAP_FIXED, out, 0);
	if (CHECK("anon-then-file", a == pg(0) && f == pg(1))) {
		lseek(fd, 0, SEEK_SET);
		CHECK("read-across-into-file", read(fd, pg(1) - 8, 16) == 16);
		lseek(out, 0, SEEK_SET);
		CHECK("read-across-file-sees",
		      read(out, back, 8) == 8 && test_pattern_diff((uint8_t *)back, 8, 1, 8) < 0);
	}
	clear_window();
	close(out);
	unlink("out");

	/* Across into memory that may not be written: nothing is done. */
	vm_anon_at((uintptr_t)pg(0), PAGE, RW);
	vm_anon_at((uintptr_t)pg(1), PAGE, PROT_READ);
	lseek(fd, 0, SEEK_SET);
	expect_errno("read-across-into-read-only", read(fd, pg(1) - 8, 16), EFAULT);
	/* ...or is not there at all. */
	munmap(pg(1), PAGE);
	lseek(fd, 0, SEEK_SET);
	expect_errno("read-across-into-unmapped", read(fd, pg(1) - 8, 16), EFAULT);
	expect_errno("write-across-into-unmapped", write(1, pg(1) - 8, 16), EFAULT);
	clear_window();
	close(fd);
}

/* ---------------------------------------------------------------- protections */

static void test_read_only(void)
{
	int fd = open_data(), pfd[2];
	struct stat *st = (struct stat *)pg(0);

	vm_anon_at((uintptr_t)pg(0), PAGE, PROT_READ);
	vm_anon_at((uintptr_t)pg(2), PAGE, PROT_NONE);
	expect_errno("read-into-read-only", read(fd, pg(0), 10), EFAULT);
	expect_errno("read-into-prot-none", read(fd, pg(2), 10), EFAULT);
	/* Raw calls: the library's fstat and pipe store through the pointer
	 * themselves, which would fault in user mode. */
	CHECK("fstat-into-read-only", test_syscall(SYS_fstat, fd, (long)st, 0) == -KERR_EFAULT);
	CHECK("pipe-into-read-only", test_syscall(SYS_pipe, (long)pg(0), 0, 0) == -KERR_EFAULT);
	if (CHECK_OK("read-only-pipe-setup", pipe(pfd))) {
		write(pfd[1], "abc", 3);
		expect_errno("pipe-read-into-read-only", read(pfd[0], pg(0), 3), EFAULT);
		/* The kernel may read what the program may read. */
		CHECK("write-from-read-only", write(pfd[1], pg(0), 10) == 10);
		expect_errno("write-from-prot-none", write(pfd[1], pg(2), 10), EFAULT);
		close(pfd[0]);
		close(pfd[1]);
	}
	CHECK("read-only-still-zero", vm_nonzero(pg(0), PAGE) == 0);

	/* A read-only private mapping of a file. */
	char *p = mmap(pg(4), PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (CHECK("file-read-only-map", p == pg(4))) {
		lseek(fd, 0, SEEK_SET);
		expect_errno("read-into-read-only-file", read(fd, p, 10), EFAULT);
	}
	/* A writable private mapping of a file: read() writes the copy. */
	int other = open("data", O_RDONLY);
	p = mmap(pg(6), PAGE, RW, MAP_PRIVATE | MAP_FIXED, other, 0);
	if (CHECK("file-private-map", p == pg(6))) {
		lseek(fd, PAGE, SEEK_SET);
		CHECK("read-into-private-file-mapping",
		      read(fd, p, 64) == 64 && test_pattern_diff((uint8_t *)p, 64, 1, PAGE) < 0);
		char first[64];
		lseek(other, 0, SEEK_SET);
		CHECK("read-into-private-file-unchanged",
		      read(other, first, 64) == 64 &&
			  test_pattern_diff((uint8_t *)first, 64, 1, 0) < 0);
	}
	close(other);
	clear_window();
	close(fd);
}

/* ---------------------------------------------------------------- lazy pages */

static void test_untouched(void)
{
	int fd = open_data(), pfd[2];
	const struct mnemo_vmmap *m;
	long bad;

	vm_anon_at((uintptr_t)WIN, 8 * PAGE, RW);
	/* Three whole pages straight from the file, none touched before. */
	CHECK("read-into-untouched", read(fd, pg(1), 3 * PAGE) == 3 * PAGE);
	bad = test_pattern_diff((uint8_t *)pg(1), 3 * PAGE, 1, 0);
	CHECK("read-into-untouched-contents", bad < 0, "byte %ld differs", bad);
	m = vm_find((uintptr_t)WIN);
	CHECK("read-into-untouched-resident", m && m->resident >= 3, "%llu pages resident",
	      m ? (unsigned long long)m->resident : 0ULL);
	/* From a pipe, and out of an untouched page (zeros). */
	if (CHECK_OK("untouched-pipe-setup", pipe(pfd))) {
		CHECK("write-from-untouched", write(pfd[1], pg(5), 100) == 100);
		memset(pg(6), 'x', 100);
		CHECK("read-pipe-into-untouched",
		      read(pfd[0], pg(7) + 50, 100) == 100 && vm_nonzero(pg(7), PAGE) == 0);
		close(pfd[0]);
		close(pfd[1]);
	}
	clear_window();
	close(fd);
}

/* ---------------------------------------------------------------- strings */

/* Places path so that its NUL, if with_nul, is the last byte before end;
 * without it, the path's last character is. Returns where it starts. */
static char *place_path(char *end, const char *path, int with_nul)
{
	size_t n = strlen(path) + (with_nul ? 1 : 0);

	memcpy(end - n, path, n);
	return end - n;
}

static void test_strings(void)
{
	char *p;
	int fd;

	vm_anon_at((uintptr_t)pg(0), PAGE, RW);
	/* pg(1) is not mapped. */
	p = place_path(pg(1), F_PATH, 1);
	fd = open(p, O_RDONLY);
	CHECK("path-nul-on-last-byte", fd >= 0, "open: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	p = place_path(pg(1), F_PATH, 0);
	expect_errno("path-into-unmapped-open", open(p, O_RDONLY), EFAULT);
	expect_errno("path-into-unmapped-mkdir", mkdir(p, 0777), EFAULT);
	expect_errno("path-into-unmapped-unlink", unlink(p), EFAULT);
	expect_errno("path-into-unmapped-chdir", chdir(p), EFAULT);
	expect_errno("path-in-unmapped", open(pg(1) + 10, O_RDONLY), EFAULT);
	fd = open(F_PATH, O_RDONLY);
	CHECK("path-file-still-there", fd >= 0);
	close(fd);

	/* Into PROT_NONE memory. */
	vm_anon_at((uintptr_t)pg(1), PAGE, PROT_NONE);
	expect_errno("path-into-prot-none", open(p, O_RDONLY), EFAULT);
	clear_window();

	/* Across two adjacent mappings. */
	if (two_adjacent("path-two-mappings-setup", 0)) {
		p = pg(1) - 5;
		strcpy(p, F_PATH);
		fd = open(p, O_RDONLY);
		CHECK("path-across-two-mappings", fd >= 0, "open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	clear_window();
}

int main(void)
{
	int fd;

	if (test_enter_tmp(TDIR) < 0)
		return 1;
	fd = open("data", O_CREAT | O_TRUNC | O_WRONLY);
	for (long off = 0; off < 3 * PAGE; off += PAGE) {
		static uint8_t buf[PAGE];
		test_pattern_fill(buf, PAGE, 1, off);
		write(fd, buf, PAGE);
	}
	close(fd);
	close(open("f", O_CREAT | O_WRONLY));
	clear_window();

	test_zero_length();
	test_across_mappings();
	test_read_only();
	test_untouched();
	test_strings();

	/* A path argument may have left a stray file or directory. */
	unlink("f");
	unlink("data");
	test_leave_tmp(TDIR);
	return test_done();
}
