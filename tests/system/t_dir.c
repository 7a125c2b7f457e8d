/* Directories and names: mkdir, chdir, getcwd, link, unlink, mknod,
 * reading a directory as struct mnemo_dirent records and with readdir(),
 * a directory of 500 entries, one that shrinks, and the errors. Works in /tmp/t_dir. */
#include "test.h"

#include <dirent.h>

#include "include/uapi/dirent.h"
#include "include/uapi/stat.h"
#include "include/uapi/syscall.h"

#define TDIR  "t_dir"
#define BIG_N 500

/* Raw calls: mknod's (path, major, minor) and the kernel's own stat
 * record are mnemo's, not POSIX's. */
static long raw_mknod(const char *path, int major, int minor)
{
	return test_syscall(SYS_mknod, (long)path, major, minor);
}

static long raw_fstat(int fd, struct mnemo_stat *st)
{
	return test_syscall(SYS_fstat, fd, (long)st, 0);
}

static int make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static long nlink_of(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : (long)st.st_nlink;
}

/* Reads directory path; calls fn for every used record. Returns the
 * number of used records, or -1 (and -2 on a short record). */
static int read_dir(const char *path, void (*fn)(const struct mnemo_dirent *, void *), void *arg)
{
	struct mnemo_dirent de;
	int fd = open(path, O_RDONLY);
	int n = 0;
	long r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, &de, sizeof(de))) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		n++;
		if (fn)
			fn(&de, arg);
	}
	close(fd);
	return r == 0 ? n : -2;
}

/* Records which of ".", "..", "a", "b", "c" were seen (bits 0..4) and the
 * inode number of ".". */
struct seen {
	int bits;
	int other;
	unsigned dot_inum;
};

static void note_small(const struct mnemo_dirent *de, void *arg)
{
	static const char *const names[] = {".", "..", "a", "b", "c"};
	struct seen *s = arg;

	for (int i = 0; i < 5; i++) {
		if (strncmp(de->name, names[i], MNEMO_DIRSIZ) == 0) {
			s->bits |= 1 << i;
			if (i == 0)
				s->dot_inum = de->inum;
			return;
		}
	}
	s->other++;
}

static void test_mkdir_chdir(void)
{
	char cwd[128], buf[64];
	int fd;

	CHECK("mkdir", mkdir("d", 0777) == 0, "%s", strerror(errno));
	expect_errno("mkdir-eexist", mkdir("d", 0777), EEXIST);
	expect_errno("mkdir-enoent", mkdir("missing/d", 0777), ENOENT);
	make_file("file");
	expect_errno("mkdir-enotdir", mkdir("file/d", 0777), ENOTDIR);
	fd = open("file", O_RDONLY);
	CHECK("getdents-enotdir",
	      test_syscall(SYS_getdents, fd, (long)buf, sizeof(buf)) == -KERR_ENOTDIR);
	close(fd);
	expect_errno("mkdir-over-file", mkdir("file", 0777), EEXIST);

	CHECK("getcwd", getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/tmp/" TDIR) == 0,
	      "got '%s'", cwd);
	CHECK("chdir", chdir("d") == 0, "%s", strerror(errno));
	CHECK("getcwd-sub", getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/tmp/" TDIR "/d") == 0,
	      "got '%s'", cwd);
	CHECK("relative-after-chdir",
	      make_file("inner") == 0 && nlink_of("/tmp/" TDIR "/d/inner") == 1);
	unlink("inner");
	CHECK("chdir-dotdot",
	      chdir("..") == 0 && getcwd(cwd, sizeof(cwd)) != NULL &&
		  strcmp(cwd, "/tmp/" TDIR) == 0,
	      "got '%s'", cwd);
	CHECK("chdir-root-dotdot",
	      chdir("/..") == 0 && getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/") == 0,
	      "got '%s'", cwd);
	chdir("/tmp/" TDIR);
	expect_errno("getcwd-erange", getcwd(cwd, 4) == NULL ? -1 : 0, ERANGE);
	expect_errno("chdir-enotdir", chdir("file"), ENOTDIR);
	expect_errno("chdir-enoent", chdir("missing"), ENOENT);

	CHECK("unlink-empty-dir", unlink("d") == 0, "%s", strerror(errno));
	unlink("file");
}

static void test_read_dir(void)
{
	struct seen s = {0};
	struct stat st;
	int n;

	mkdir("r", 0777);
	make_file("r/a");
	make_file("r/b");
	make_file("r/c");
	n = read_dir("r", note_small, &s);
	CHECK("readdir-count", n == 5, "%d records", n);
	CHECK("readdir-names", s.bits == 0x1f && s.other == 0, "seen mask %#x, %d others", s.bits,
	      s.other);
	CHECK("readdir-dot-inum", stat("r", &st) == 0 && s.dot_inum == (unsigned)st.st_ino,
	      "'.' %u, stat %lu", s.dot_inum, (unsigned long)st.st_ino);
	expect_errno("unlink-enotempty", unlink("r"), ENOTEMPTY);
	unlink("r/a");
	unlink("r/b");
	unlink("r/c");
	CHECK("readdir-after-unlink", read_dir("r", NULL, NULL) == 2);
	CHECK("unlink-dir-emptied", unlink("r") == 0, "%s", strerror(errno));
	expect_errno("unlink-enoent", unlink("r"), ENOENT);
	expect_errno("unlink-enoent-path", unlink("missing/x"), ENOENT);
}

static void test_links(void)
{
	char buf[8] = {0};
	int fd;

	fd = open("orig", O_CREAT | O_WRONLY, 0644);
	write(fd, "data", 4);
	close(fd);
	mkdir("sub", 0777);
	CHECK("link", link("orig", "sub/alias") == 0, "%s", strerror(errno));
	CHECK("link-nlink", nlink_of("orig") == 2 && nlink_of("sub/alias") == 2, "nlink %ld",
	      nlink_of("orig"));
	fd = open("sub/alias", O_RDONLY);
	CHECK("link-same-data", read(fd, buf, sizeof(buf)) == 4 && memcmp(buf, "data", 4) == 0);
	close(fd);
	expect_errno("link-eexist", link("orig", "sub/alias"), EEXIST);
	expect_errno("link-enoent", link("missing", "x"), ENOENT);
	expect_errno("link-enoent-dir", link("orig", "missing/x"), ENOENT);
	CHECK("link-dir-refused", link("sub", "subalias") == -1);

	CHECK("unlink-one-name", unlink("orig") == 0 && nlink_of("sub/alias") == 1);
	CHECK("unlink-last-name", unlink("sub/alias") == 0 && nlink_of("sub/alias") == -1);
	unlink("sub");
}

static void test_mknod(void)
{
	struct mnemo_stat mst;
	char buf[4];
	int fd;

	CHECK("mknod-console", raw_mknod("cons", MNEMO_DEV_CONSOLE, 0) == 0);
	fd = open("cons", O_WRONLY);
	CHECK("mknod-console-open", fd >= 0, "%s", strerror(errno));
	CHECK("mknod-console-fstat",
	      raw_fstat(fd, &mst) == 0 && mst.type == MNEMO_T_DEVICE &&
		  mst.major == MNEMO_DEV_CONSOLE,
	      "type %u major %u", mst.type, mst.major);
	CHECK("mknod-console-write", write(fd, "t_dir: console node\n", 20) == 20);
	expect_errno("mknod-console-espipe", lseek(fd, 0, SEEK_SET), ESPIPE);
	close(fd);

	CHECK("mknod-null", raw_mknod("null", MNEMO_DEV_NULL, 0) == 0);
	fd = open("null", O_RDWR);
	CHECK("mknod-null-io", fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, buf, 4) == 0);
	close(fd);
	CHECK("mknod-eexist", raw_mknod("null", MNEMO_DEV_NULL, 0) == -KERR_EEXIST);
	CHECK("mknod-enoent", raw_mknod("missing/n", MNEMO_DEV_NULL, 0) == -KERR_ENOENT);
	unlink("cons");
	unlink("null");
}

static void note_big(const struct mnemo_dirent *de, void *arg)
{
	char *seen = arg;
	int i;

	if (de->name[0] != 'e' || de->name[1] == '\0')
		return;
	i = 0;
	for (int k = 1; k < MNEMO_DIRSIZ && de->name[k]; k++) {
		if (de->name[k] < '0' || de->name[k] > '9')
			return;
		i = i * 10 + de->name[k] - '0';
	}
	if (i < BIG_N)
		seen[i]++;
}

/* A directory of 500 entries: create, list, delete. */
static void test_big_dir(void)
{
	static char seen[BIG_N];
	char name[32];
	int made = 0, gone = 0, once = 0, n;

	mkdir("big", 0777);
	for (int i = 0; i < BIG_N; i++) {
		snprintf(name, sizeof(name), "big/e%d", i);
		made += make_file(name) == 0;
	}
	CHECK("bigdir-create", made == BIG_N, "created %d of %d", made, BIG_N);
	n = read_dir("big", note_big, seen);
	for (int i = 0; i < BIG_N; i++)
		once += seen[i] == 1;
	CHECK("bigdir-list", n == BIG_N + 2 && once == BIG_N, "%d records, %d names once", n, once);
	CHECK("bigdir-lookup",
	      nlink_of("big/e0") == 1 && nlink_of("big/e499") == 1 && nlink_of("big/e500") == -1);
	for (int i = 0; i < BIG_N; i++) {
		snprintf(name, sizeof(name), "big/e%d", i);
		gone += unlink(name) == 0;
	}
	CHECK("bigdir-delete", gone == BIG_N && read_dir("big", NULL, NULL) == 2, "deleted %d",
	      gone);
	CHECK("bigdir-rmdir", unlink("big") == 0, "%s", strerror(errno));
}

/* A directory that grows to 1000 entries and shrinks back to one gives
 * its tables' memory back (it would keep them until it was removed), to
 * the byte. */
#define SHRINK_NAME "shrink/e%d"

static void test_dir_shrinks(void)
{
	char name[32];

	mkdir("shrink", 0777);
	make_file("shrink/keep");
	long before = test_settle();
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), SHRINK_NAME, i);
		make_file(name);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), SHRINK_NAME, i);
		unlink(name);
	}
	test_check_free("dir-shrink-frees", before);
	unlink("shrink/keep");
	unlink("shrink");
}

static void note_long(const struct mnemo_dirent *de, void *arg)
{
	int *found = arg;

	*found += memcmp(de->name, "abcdefghijklmnopqrstuvwxyz", MNEMO_DIRSIZ) == 0;
}

/* Whether readdir() of directory path yields name, whole. */
static int readdir_finds(const char *path, const char *name)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	int found = 0;

	while (dir && (entry = readdir(dir)) != NULL)
		found += strcmp(entry->d_name, name) == 0;
	if (dir)
		closedir(dir);
	return found == 1;
}

/* Names longer than an xv6 record are kept whole: readdir() (and so ls)
 * shows them as created, while read() of the directory shows the first
 * MNEMO_DIRSIZ bytes; a name or a path too long is refused. */
static void test_long_names(void)
{
	static const char name26[] = "abcdefghijklmnopqrstuvwxyz";
	char path[301];
	int found = 0;

	CHECK("name-14-chars", make_file("abcdefghijklmn") == 0 && nlink_of("abcdefghijklmn") == 1);
	unlink("abcdefghijklmn");
	CHECK("name-26-chars",
	      make_file(name26) == 0 && nlink_of(name26) == 1 && nlink_of("abcdefghijklmn") == -1);
	CHECK("name-26-record", read_dir(".", note_long, &found) >= 3 && found == 1,
	      "%d records with the first %d bytes", found, MNEMO_DIRSIZ);
	CHECK("name-26-readdir", readdir_finds(".", name26));
	unlink(name26);

	memset(path, 'n', 255);
	path[255] = '\0';
	CHECK("name-255-readdir", make_file(path) == 0 && readdir_finds(".", path));
	unlink(path);

	memset(path, 'p', 300);
	path[300] = '\0';
	expect_errno("name-too-long", make_file(path), ENAMETOOLONG);
	for (int i = 1; i < 300; i += 2)
		path[i] = '/';
	expect_errno("path-too-long", open(path, O_RDONLY), ENAMETOOLONG);
}

int main(void)
{
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	test_mkdir_chdir();
	test_read_dir();
	test_links();
	test_mknod();
	test_big_dir();
	test_dir_shrinks();
	test_long_names();
	test_leave_tmp(TDIR);
	return test_done();
}
