/* Files: open/read/write/close, the open flags, lseek, dup/dup2,
 * fstat/stat, and the errors of each. Works in /tmp/t_file. */
#include "test.h"

#include "include/uapi/syscall.h"

#define TDIR "t_file"

static const char file_text[] = "0123456789abcdefghijklmnopqrstuvwxyz";
#define TEXT_LEN ((long)sizeof(file_text) - 1)

/* Creates path holding text; returns 0 or -1. */
static int make_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	int ok;

	if (fd < 0)
		return -1;
	ok = write_all(fd, text, strlen(text)) == 0;
	close(fd);
	return ok ? 0 : -1;
}

/* Size of path by stat(), or -1. */
static long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

static void test_basic_io(void)
{
	char buf[64];
	struct stat st;
	int fd;

	fd = open("f", O_CREAT | O_WRONLY, 0644);
	CHECK_OK("open-create", fd);
	CHECK("write", write(fd, file_text, TEXT_LEN) == TEXT_LEN, "%s", strerror(errno));
	CHECK("close", close(fd) == 0, "%s", strerror(errno));

	fd = open("f", O_RDONLY);
	CHECK_OK("open-read", fd);
	memset(buf, 0, sizeof(buf));
	CHECK("read-all",
	      read(fd, buf, sizeof(buf)) == TEXT_LEN && memcmp(buf, file_text, TEXT_LEN) == 0,
	      "content differs");
	CHECK("read-eof", read(fd, buf, sizeof(buf)) == 0);
	CHECK("read-zero-len", read(fd, buf, 0) == 0);
	CHECK("fstat-file",
	      fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == TEXT_LEN &&
		  st.st_nlink == 1,
	      "size %ld nlink %ld mode %o", (long)st.st_size, (long)st.st_nlink, (int)st.st_mode);
	close(fd);

	CHECK("stat-file", size_of("f") == TEXT_LEN);
	CHECK("stat-dir", stat("/", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK("stat-abs-path", size_of("/tmp/" TDIR "/f") == TEXT_LEN);

	/* Rewriting the middle keeps the rest. */
	fd = open("f", O_WRONLY);
	CHECK("overwrite-middle", lseek(fd, 10, SEEK_SET) == 10 && write(fd, "XY", 2) == 2);
	close(fd);
	fd = open("f", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK("overwrite-result",
	      read(fd, buf, sizeof(buf)) == TEXT_LEN && memcmp(buf, "0123456789XYcdef", 16) == 0,
	      "got %.16s", buf);
	close(fd);
	CHECK("unlink-file", unlink("f") == 0, "%s", strerror(errno));
	expect_errno("unlink-gone", stat("f", &st), ENOENT);
}

static void test_lseek(void)
{
	char c = 0;
	int fd;

	make_file("s", file_text);
	fd = open("s", O_RDWR);
	CHECK("lseek-set", lseek(fd, 5, SEEK_SET) == 5 && read(fd, &c, 1) == 1 && c == '5');
	CHECK("lseek-cur", lseek(fd, 2, SEEK_CUR) == 8 && read(fd, &c, 1) == 1 && c == '8');
	CHECK("lseek-cur-0", lseek(fd, 0, SEEK_CUR) == 9);
	CHECK("lseek-end", lseek(fd, 0, SEEK_END) == TEXT_LEN && read(fd, &c, 1) == 0);
	CHECK("lseek-end-neg",
	      lseek(fd, -1, SEEK_END) == TEXT_LEN - 1 && read(fd, &c, 1) == 1 && c == 'z');
	CHECK("lseek-write-extends", lseek(fd, 0, SEEK_END) == TEXT_LEN && write(fd, "!", 1) == 1 &&
					 size_of("s") == TEXT_LEN + 1);
	expect_errno("lseek-negative", lseek(fd, -1, SEEK_SET), EINVAL);
	expect_errno("lseek-bad-whence", lseek(fd, 0, 7), EINVAL);
	close(fd);
	unlink("s");
}

static void test_open_flags(void)
{
	char buf[16];
	int fd;

	make_file("t", "abc");
	fd = open("t", O_WRONLY | O_TRUNC);
	CHECK("o-trunc", fd >= 0 && size_of("t") == 0, "size %ld", size_of("t"));
	close(fd);

	make_file("t", "abc");
	fd = open("t", O_WRONLY | O_APPEND);
	CHECK("o-append", fd >= 0 && write(fd, "def", 3) == 3 && size_of("t") == 6);
	/* O_APPEND writes at the end even after a seek. */
	CHECK("o-append-after-seek",
	      lseek(fd, 0, SEEK_SET) == 0 && write(fd, "g", 1) == 1 && size_of("t") == 7);
	close(fd);
	fd = open("t", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	CHECK("o-append-content", read(fd, buf, sizeof(buf)) == 7 && strcmp(buf, "abcdefg") == 0,
	      "got '%s'", buf);
	close(fd);

	expect_errno("o-excl-exists", open("t", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	fd = open("u", O_CREAT | O_EXCL | O_WRONLY, 0644);
	CHECK("o-excl-new", fd >= 0, "%s", strerror(errno));
	close(fd);
	/* O_CREAT on an existing file opens it, keeping its content. */
	fd = open("t", O_CREAT | O_RDWR, 0644);
	CHECK("o-creat-existing", fd >= 0 && size_of("t") == 7);
	close(fd);

	fd = open("t", O_RDONLY);
	expect_errno("write-on-rdonly", write(fd, "x", 1), EBADF);
	close(fd);
	fd = open("t", O_WRONLY);
	expect_errno("read-on-wronly", read(fd, buf, 1), EBADF);
	close(fd);
	unlink("t");
	unlink("u");
}

static void test_dup(void)
{
	int fd, fd2, fd3;
	char c;

	make_file("d", file_text);
	fd = open("d", O_RDONLY);
	fd2 = dup(fd);
	CHECK("dup", fd2 >= 0 && fd2 != fd, "%s", strerror(errno));
	/* The duplicate shares the file offset. */
	CHECK("dup-shares-offset", read(fd, &c, 1) == 1 && lseek(fd2, 0, SEEK_CUR) == 1);
	close(fd2);
	CHECK("dup-lowest-fd", dup(fd) == fd2);
	close(fd2);

	CHECK("dup2", dup2(fd, 20) == 20 && read(20, &c, 1) == 1 && c == '1');
	CHECK("dup2-same", dup2(fd, fd) == fd);
	fd3 = open("/dev/null", O_RDONLY);
	/* dup2 onto an open descriptor closes it first. */
	CHECK("dup2-replaces", dup2(fd, fd3) == fd3 && read(fd3, &c, 1) == 1 && c == '2');
	close(fd3);
	close(20);
	close(fd);
	/* The original can go; the duplicate keeps the file open. */
	fd = open("d", O_RDONLY);
	fd2 = dup(fd);
	close(fd);
	CHECK("dup-survives-close", read(fd2, &c, 1) == 1 && c == '0');
	close(fd2);

	expect_errno("dup-bad", dup(55), EBADF);
	expect_errno("dup2-bad-old", dup2(55, 3), EBADF);
	expect_errno("dup2-bad-new", dup2(0, 100000), EBADF);
	unlink("d");
}

static void test_errors(void)
{
	struct stat st;
	char buf[4];
	int fd, fds[2];

	expect_errno("enoent-open", open("missing", O_RDONLY), ENOENT);
	expect_errno("enoent-dir", open("missing/x", O_CREAT | O_WRONLY, 0644), ENOENT);
	expect_errno("enoent-empty-path", open("", O_RDONLY), ENOENT);
	expect_errno("enoent-stat", stat("missing", &st), ENOENT);

	make_file("plain", "x");
	expect_errno("enotdir-open", open("plain/x", O_RDONLY), ENOTDIR);
	expect_errno("enotdir-create", open("plain/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
	unlink("plain");

	expect_errno("eisdir-write", open(".", O_WRONLY), EISDIR);
	expect_errno("eisdir-rdwr", open("/tmp", O_RDWR), EISDIR);
	fd = open(".", O_RDONLY);
	CHECK("open-dir-rdonly", fd >= 0, "%s", strerror(errno));
	expect_errno("write-on-dir-fd", write(fd, "x", 1), EBADF);
	close(fd);

	expect_errno("ebadf-read", read(-1, buf, 1), EBADF);
	expect_errno("ebadf-write", write(64, buf, 1), EBADF);
	expect_errno("ebadf-read-huge-fd", read(1 << 30, buf, 1), EBADF);
	expect_errno("ebadf-close", close(50), EBADF);
	expect_errno("ebadf-fstat", fstat(50, &st), EBADF);
	fd = open(".", O_RDONLY);
	CHECK("fstat-unknown-layout", test_syscall(SYS_fstat, fd, (long)&st, 2) == -KERR_EINVAL);
	close(fd);
	expect_errno("ebadf-lseek", lseek(50, 0, SEEK_SET), EBADF);
	fd = open("/dev/null", O_RDONLY);
	close(fd);
	expect_errno("ebadf-close-twice", close(fd), EBADF);

	CHECK_OK("pipe-for-lseek", pipe(fds));
	expect_errno("espipe-pipe", lseek(fds[0], 0, SEEK_SET), ESPIPE);
	close(fds[0]);
	close(fds[1]);
	fd = open("/dev/console", O_RDWR);
	CHECK("open-console", fd >= 0, "%s", strerror(errno));
	expect_errno("espipe-console", lseek(fd, 0, SEEK_CUR), ESPIPE);
	close(fd);
}

/* Opens /dev/null until the table is full: EMFILE, then all close. */
static void test_emfile(void)
{
	int fds[200];
	int n = 0, fd, err = 0;

	while (n < 200) {
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0) {
			err = errno;
			break;
		}
		fds[n++] = fd;
	}
	CHECK("emfile", n < 200 && err == EMFILE, "opened %d, errno %d (%s)", n, err,
	      strerror(err));
	CHECK("emfile-count", n >= 32, "only %d descriptors", n);
	expect_errno("emfile-dup", dup(0), EMFILE);
	expect_errno("emfile-pipe", pipe((int[2]){0, 0}), EMFILE);
	while (n > 0)
		close(fds[--n]);
	fd = open("/dev/null", O_RDONLY);
	CHECK("emfile-recovers", fd >= 0, "%s", strerror(errno));
	close(fd);
}

static void test_devnull(void)
{
	char buf[8];
	struct stat st;
	int fd = open("/dev/null", O_RDWR);

	CHECK("devnull-write", fd >= 0 && write(fd, "hello", 5) == 5);
	CHECK("devnull-read-eof", read(fd, buf, sizeof(buf)) == 0);
	CHECK("devnull-fstat", fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
	close(fd);
}

int main(void)
{
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	test_basic_io();
	test_lseek();
	test_open_flags();
	test_dup();
	test_errors();
	test_emfile();
	test_devnull();
	test_leave_tmp(TDIR);
	return test_done();
}
