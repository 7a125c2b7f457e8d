/* ftruncate and truncate (kernel/fs/sys_file.c, sys_path.c):
 *   - shrinking keeps the bytes below the new end and frees the pages
 *     past it; growing again reads zeros there, not the old bytes;
 *   - growing makes a hole: a file of 1 GiB takes no memory until written,
 *     and reads as zeros;
 *   - the largest file (512 GiB) is fine, a byte more is EFBIG;
 *   - POSIX's and Linux's errors: EBADF, EINVAL (negative length, not a
 *     regular file open for writing), EISDIR, ENOENT, EFAULT;
 *   - shrinking a mapped file takes the pages past the new end from every
 *     mapping, shared or private (their frames are freed at once), and a
 *     touch there kills with SIGBUS's reason; the pages below stay. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "test.h"

#define TDIR	"t_truncate"
#define PAGE	4096L
#define MAXFILE (512L << 30)

/* The buffers, touched before the first count (main): a page of ours
 * the lazy pager fills between two counts would look like a leak. */
static uint8_t wbuf[3 * PAGE], rbuf[3 * PAGE];

/* Writes n bytes of pattern seed at offset 0 of a new file name; returns
 * the descriptor, open read-write. */
static int make_file(const char *name, long n, uint32_t seed)
{
	uint8_t *buf = wbuf;
	int fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0644);

	test_pattern_fill(buf, n, seed, 0);
	if (fd >= 0 && write(fd, buf, n) != n) {
		close(fd);
		return -1;
	}
	return fd;
}

/* read() at an offset (mnemo has no pread). */
static long read_at(int fd, void *buf, long n, long off)
{
	return lseek(fd, off, SEEK_SET) == off ? read(fd, buf, n) : -1;
}

static long size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

static void test_shrink_and_grow(void)
{
	uint8_t *buf = rbuf;
	long before = test_settle();
	int fd = make_file("f", 10000, 7);

	if (!CHECK_OK("file-made", fd))
		return;
	CHECK_OK("ftruncate-shrink", ftruncate(fd, 5000));
	CHECK("shrink-size", size_of(fd) == 5000, "size %ld", size_of(fd));
	CHECK("shrink-keeps-bytes",
	      read_at(fd, buf, 10000, 0) == 5000 && test_pattern_diff(buf, 5000, 7, 0) < 0);
	CHECK_OK("ftruncate-grow", ftruncate(fd, 10000));
	long n = read_at(fd, buf, 10000, 0);
	long nonzero = 0;
	for (long i = 5000; i < n; i++)
		nonzero += buf[i] != 0;
	CHECK("grow-reads-zeros-past-the-cut",
	      n == 10000 && nonzero == 0 && test_pattern_diff(buf, 5000, 7, 0) < 0,
	      "read %ld, %ld old bytes came back", n, nonzero);
	CHECK_OK("truncate-by-name", truncate("f", 0));
	CHECK("truncate-size", size_of(fd) == 0, "size %ld", size_of(fd));
	close(fd);
	unlink("f");
	test_check_free("shrink-frees", before);
}

static void test_hole(void)
{
	char c = 1;
	int fd = open("hole", O_CREAT | O_TRUNC | O_RDWR, 0644);
	long before = test_settle();

	if (!CHECK_OK("hole-made", fd))
		return;
	CHECK_OK("ftruncate-1gib", ftruncate(fd, 1L << 30));
	CHECK("hole-size", size_of(fd) == 1L << 30, "size %ld", size_of(fd));
	test_check_free("hole-takes-no-memory", before);
	CHECK("hole-reads-zero", read_at(fd, &c, 1, 512L << 20) == 1 && c == 0);
	CHECK_OK("largest-file", ftruncate(fd, MAXFILE));
	expect_errno("past-largest-efbig", ftruncate(fd, MAXFILE + 1), EFBIG);
	CHECK("efbig-changes-nothing", size_of(fd) == MAXFILE, "size %ld", size_of(fd));
	close(fd);
	unlink("hole");
}

static void test_errors(void)
{
	int fd = make_file("e", 100, 3), p[2];

	expect_errno("ftruncate-ebadf", ftruncate(-1, 0), EBADF);
	expect_errno("ftruncate-closed-ebadf", ftruncate(60, 0), EBADF);
	expect_errno("ftruncate-negative", ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = open("e", O_RDONLY);
	expect_errno("ftruncate-read-only", ftruncate(fd, 0), EINVAL);
	close(fd);
	if (pipe(p) == 0) {
		expect_errno("ftruncate-pipe", ftruncate(p[1], 0), EINVAL);
		close(p[0]);
		close(p[1]);
	}
	fd = open(".", O_RDONLY);
	expect_errno("ftruncate-directory", ftruncate(fd, 0), EINVAL);
	close(fd);
	expect_errno("truncate-directory", truncate(".", 0), EISDIR);
	expect_errno("truncate-enoent", truncate("nope", 0), ENOENT);
	expect_errno("truncate-negative", truncate("e", -1), EINVAL);
	expect_errno("truncate-efault", truncate((const char *)8, 0), EFAULT);
	CHECK("errors-change-nothing", (fd = open("e", O_RDONLY)) >= 0 && size_of(fd) == 100);
	close(fd);
	unlink("e");
}

#define MAPPED 64 /* pages of the mapped file */

/* Touches page `page` of the mapping at p; the child's exit status. */
static int touch_status(volatile char *p, long page)
{
	int pid = fork();

	if (pid == 0) {
		(void)p[page * PAGE];
		exit(0);
	}
	return pid < 0 ? 1000 : test_wait_status(pid);
}

static void test_mapped(int flags, const char *kind)
{
	char name[32], check[48];
	int fd = open("mapped", O_CREAT | O_TRUNC | O_RDWR, 0644);

	snprintf(name, sizeof(name), "mapped-%s", kind);
	if (!CHECK(name, fd >= 0 && ftruncate(fd, MAPPED * PAGE) == 0, "%s", strerror(errno)))
		return;
	char *p = mmap(NULL, MAPPED * PAGE, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (!CHECK(name, p != MAP_FAILED, "mmap: %s", strerror(errno)))
		return;
	for (long i = 0; i < MAPPED; i++)
		p[i * PAGE] = (char)(i + 1);
	long before = free_page_count();
	int err = ftruncate(fd, PAGE);
	long freed = free_page_count() - before;
	snprintf(check, sizeof(check), "%s-shrink", name);
	CHECK(check, err == 0, "%s", strerror(errno));
	/* Shared: the file's 63 pages, held by the file and the mapping.
	 * Private: the mapping's 63 copies, and the 63 file pages the faults
	 * read them from. At least those: the file's index of its pages may
	 * shrink too. Before mappings let go, only the file's were freed. */
	long held = flags & MAP_SHARED ? MAPPED - 1 : 2 * (MAPPED - 1);
	snprintf(check, sizeof(check), "%s-frees", name);
	CHECK(check, freed >= held, "%ld pages freed by cutting %d mapped pages, %ld held", freed,
	      MAPPED - 1, held);
	snprintf(check, sizeof(check), "%s-sigbus", name);
	CHECK(check, touch_status(p, 1) == -1 && touch_status(p, MAPPED - 1) == -1,
	      "a touch past the new end did not kill");
	snprintf(check, sizeof(check), "%s-kept", name);
	CHECK(check, p[0] == 1 && touch_status(p, 0) == 0, "the page below the end changed");
	munmap(p, MAPPED * PAGE);
	close(fd);
	unlink("mapped");
}

int main(void)
{
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	memset(wbuf, 1, sizeof(wbuf));
	memset(rbuf, 1, sizeof(rbuf));
	test_shrink_and_grow();
	test_hole();
	test_errors();
	test_mapped(MAP_SHARED, "shared");
	test_mapped(MAP_PRIVATE, "private");
	test_leave_tmp(TDIR);
	return test_done();
}
