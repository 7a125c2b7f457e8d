/* Specification of the ramfs as a whole (kernel/fs inode, dir, fdata,
 * path, namespace, readdir, cpio, fsinit), driven through its internal
 * interface on the host: building the tree from an archive, resolving
 * paths, the POSIX errors of create/link/unlink, link counts, files that
 * outlive their names, holes, getcwd, directory reads, and that nothing
 * leaks. */
#include "tests/unit/fs_host.h"

#include "kernel/fs/cpio.c"
#include "kernel/fs/dir.c"
#include "kernel/fs/fdata.c"
#include "kernel/fs/fsinit.c"
#include "kernel/fs/inode.c"
#include "kernel/fs/namespace.c"
#include "kernel/fs/path.c"
#include "kernel/fs/readdir.c"

/* A page's address, or NULL for a hole (these tests never swap). */
static void *fdata_lookup(const struct fdata *fd, u64 pgidx)
{
	int err;
	return fdata_page((struct fdata *)fd, pgidx, &err);
}

/* ------------------------------------------------------------ helpers */

static struct inode *lookup(struct inode *cwd, const char *path)
{
	struct inode *ip = NULL;
	int err = fs_lookup(cwd, path, &ip);

	cr_assert_eq(err, 0, "lookup %s: %d", path, err);
	inode_put(ip); /* the tree keeps it alive */
	return ip;
}

static int lookup_err(struct inode *cwd, const char *path)
{
	struct inode *ip;
	int err = fs_lookup(cwd, path, &ip);

	if (!err)
		inode_put(ip);
	return err;
}

static u32 nlink_of(struct inode *ip)
{
	return ip->nlink;
}

/* Creates (or truncates) path and writes n bytes of data at off. */
static struct inode *write_at(const char *path, u64 off, const void *data, size_t n)
{
	struct iobuf b = {.user = false, .k = (void *)data};
	struct inode *ip;

	cr_assert_eq(ns_create(NULL, path, MNEMO_T_FILE, 0, 0, false, &ip), 0, "create %s", path);
	inode_io_lock(ip);
	cr_assert_eq(__inode_write(ip, &b, off, n), (long)n);
	inode_io_unlock(ip);
	inode_put(ip);
	return ip;
}

static void mkdir_ok(struct inode *cwd, const char *path)
{
	struct inode *ip;

	cr_assert_eq(ns_create(cwd, path, MNEMO_T_DIR, 0, 0, true, &ip), 0, "mkdir %s", path);
	inode_put(ip);
}

static int mkdir_err(const char *path)
{
	struct inode *ip;
	int err = ns_create(NULL, path, MNEMO_T_DIR, 0, 0, true, &ip);

	if (!err)
		inode_put(ip);
	return err;
}

static char *getcwd_of(struct inode *dir, char *buf, size_t size, long *len)
{
	*len = ns_getcwd(dir, buf, size);
	return buf;
}

/* An archive under construction (as in test_fs_cpio.c). */
static u8 archive[1 << 16];
static size_t archive_len;

static void ar_add(const char *name, u32 mode, u32 ino, u32 nlink, const void *data, size_t n,
		   u32 rmajor)
{
	char hdr[CPIO_HEADER_LEN + 1];

	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		 ino, mode, 0, 0, nlink, 0, (u32)n, 0, 0, rmajor, 0, (u32)strlen(name) + 1, 0);
	memcpy(archive + archive_len, hdr, CPIO_HEADER_LEN);
	archive_len += CPIO_HEADER_LEN;
	memcpy(archive + archive_len, name, strlen(name) + 1);
	archive_len = ALIGN_UP(archive_len + strlen(name) + 1, 4);
	memcpy(archive + archive_len, data, n);
	archive_len = ALIGN_UP(archive_len + n, 4);
}

static void empty_fs(void)
{
	fs_init(NULL, 0);
}

/* ------------------------------------------------------------ fs_init */

Test(fsinit, an_empty_archive_still_gives_dev_and_tmp, .init = empty_fs)
{
	struct inode *con = lookup(NULL, "/dev/console"), *null = lookup(NULL, "/dev/null");

	cr_assert_eq(con->type, MNEMO_T_DEVICE);
	cr_assert_eq(con->major, MNEMO_DEV_CONSOLE);
	cr_assert_eq(null->major, MNEMO_DEV_NULL);
	cr_assert(inode_is_dir(lookup(NULL, "/tmp")));
	cr_assert_eq(nlink_of(fs_root_inode), 4, "., .., dev/.., tmp/..");
	cr_assert_eq(fs_root_inode->dir.parent, fs_root_inode);
}

Test(fsinit, the_archive_becomes_the_tree)
{
	static char big[10000];
	struct inode *hello, *link, *deep;
	char buf[16] = {0};

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = 'a' + i % 26;
	ar_add(".", CPIO_S_IFDIR | 0755, 1, 2, "", 0, 0);
	ar_add("./bin", CPIO_S_IFDIR | 0755, 2, 2, "", 0, 0);
	ar_add("./bin/hello", CPIO_S_IFREG | 0755, 3, 2, "", 0, 0); /* data comes later */
	ar_add("bin/big", CPIO_S_IFREG | 0644, 4, 1, big, sizeof(big), 0);
	ar_add("x/y/z", CPIO_S_IFREG | 0644, 5, 1, "deep", 4, 0); /* parents missing */
	ar_add("bin/link", CPIO_S_IFREG | 0755, 3, 2, "hello!", 6, 0);
	ar_add("dev/tty", CPIO_S_IFCHR | 0600, 6, 1, "", 0, 9);
	ar_add("sym", 0120777, 7, 1, "bin", 3, 0); /* symbolic links are skipped */
	ar_add("TRAILER!!!", 0, 0, 1, "", 0, 0);
	fs_init(archive, archive_len);

	hello = lookup(NULL, "/bin/hello");
	link = lookup(NULL, "bin/link");
	cr_assert_eq(hello, link, "hard links share their inode");
	cr_assert_eq(nlink_of(hello), 2);
	cr_assert_eq(inode_size(hello), 6);
	cr_assert_eq(inode_read(hello, buf, 0, sizeof(buf)), 6);
	cr_assert_str_eq(buf, "hello!");

	cr_assert_eq(inode_size(lookup(NULL, "bin/big")), sizeof(big));
	{
		static char back[10000];

		cr_assert_eq(inode_read(lookup(NULL, "bin/big"), back, 0, sizeof(back)),
			     (long)sizeof(back));
		cr_assert_eq(memcmp(back, big, sizeof(big)), 0);
	}
	deep = lookup(NULL, "x/y/z");
	cr_assert_eq(inode_read(deep, buf, 0, 4), 4);
	cr_assert_eq(memcmp(buf, "deep", 4), 0);
	cr_assert_eq(lookup(NULL, "dev/tty")->major, 9);
	cr_assert_eq(lookup_err(NULL, "sym"), -ENOENT);
	cr_assert_eq(lookup(NULL, "/dev/null")->major, MNEMO_DEV_NULL, "still added");
	cr_assert_eq(inode_read(lookup(NULL, "bin"), buf, 0, 1), -EISDIR);
}

Test(fsinit, a_malformed_archive_keeps_what_came_before)
{
	ar_add("good", CPIO_S_IFREG | 0644, 1, 1, "ok", 2, 0);
	ar_add("bad", CPIO_S_IFREG | 0644, 2, 1, "xx", 2, 0);
	archive[archive_len - 8 - 20] = 'Q'; /* a digit of the second header */
	fs_init(archive, archive_len);
	cr_assert_eq(inode_size(lookup(NULL, "good")), 2);
	cr_assert_eq(lookup_err(NULL, "bad"), -ENOENT);
	lookup(NULL, "/dev/console");
}

/* ------------------------------------------------------------ paths */

Test(path, resolution, .init = empty_fs)
{
	struct inode *tmp = lookup(NULL, "/tmp");

	cr_assert_eq(lookup(NULL, "/"), fs_root_inode);
	cr_assert_eq(lookup(NULL, "///"), fs_root_inode);
	cr_assert_eq(lookup(NULL, "/.."), fs_root_inode, ".. at the root stays there");
	cr_assert_eq(lookup(NULL, "../../.."), fs_root_inode);
	cr_assert_eq(lookup(NULL, "tmp/"), tmp);
	cr_assert_eq(lookup(NULL, "tmp//./"), tmp);
	cr_assert_eq(lookup(tmp, "."), tmp);
	cr_assert_eq(lookup(tmp, ".."), fs_root_inode);
	cr_assert_eq(lookup(tmp, "../dev/./null"), lookup(NULL, "/dev/null"));
	cr_assert_eq(lookup(tmp, "/tmp"), tmp, "absolute paths ignore the cwd");
	cr_assert_eq(lookup_err(NULL, ""), -ENOENT);
	cr_assert_eq(lookup_err(NULL, "nothing"), -ENOENT);
	cr_assert_eq(lookup_err(NULL, "tmp/nothing/x"), -ENOENT);
	cr_assert_eq(lookup_err(NULL, "dev/null/x"), -ENOTDIR);
	cr_assert_eq(lookup_err(NULL, "dev/null/"), -ENOTDIR);
}

Test(path, names_up_to_255_bytes, .init = empty_fs)
{
	char path[300] = "/tmp/";

	memset(path + 5, 'n', 255);
	mkdir_ok(NULL, path);
	cr_assert(inode_is_dir(lookup(NULL, path)));
	strcat(path, "n");
	cr_assert_eq(lookup_err(NULL, path), -ENAMETOOLONG);
	cr_assert_eq(mkdir_err(path), -ENAMETOOLONG);
	strcat(path, "/x");
	cr_assert_eq(mkdir_err(path), -ENAMETOOLONG);
}

/* ------------------------------------------------------------ create */

Test(create, errors_of_mkdir_and_open, .init = empty_fs)
{
	struct inode *ip, *again;

	cr_assert_eq(mkdir_err("/"), -EEXIST);
	cr_assert_eq(mkdir_err("."), -EEXIST);
	cr_assert_eq(mkdir_err("tmp/.."), -EEXIST);
	cr_assert_eq(mkdir_err("tmp"), -EEXIST);
	cr_assert_eq(mkdir_err("nothing/d"), -ENOENT);
	cr_assert_eq(mkdir_err("dev/null/d"), -ENOTDIR);
	cr_assert_eq(mkdir_err("tmp/d/"), 0, "a trailing slash is fine for a directory");

	cr_assert_eq(ns_create(NULL, "tmp/f/", MNEMO_T_FILE, 0, 0, false, &ip), -EISDIR);
	cr_assert_eq(ns_create(NULL, "tmp/f", MNEMO_T_FILE, 0, 0, true, &ip), 0);
	cr_assert_eq(ns_create(NULL, "tmp/f", MNEMO_T_FILE, 0, 0, false, &again), 0);
	cr_assert_eq(ip, again, "without O_EXCL the file there is opened");
	cr_assert_eq(ns_create(NULL, "tmp/f", MNEMO_T_FILE, 0, 0, true, &again), -EEXIST);
	cr_assert_eq(ns_create(NULL, "tmp/f/", MNEMO_T_FILE, 0, 0, false, &again), -ENOTDIR);
	inode_put(ip);
	inode_put(ip);
}

Test(create, directory_link_counts, .init = empty_fs)
{
	struct inode *a;

	mkdir_ok(NULL, "a");
	a = lookup(NULL, "a");
	cr_assert_eq(nlink_of(a), 2);
	mkdir_ok(NULL, "a/b");
	mkdir_ok(NULL, "a/c");
	write_at("a/f", 0, "x", 1);
	cr_assert_eq(nlink_of(a), 4, "2 + one per subdirectory");
	cr_assert_eq(ns_unlink(NULL, "a/b"), 0);
	cr_assert_eq(nlink_of(a), 3);
}

/* ------------------------------------------------------------ unlink, link */

Test(unlink, errors, .init = empty_fs)
{
	mkdir_ok(NULL, "d");
	write_at("d/f", 0, "x", 1);
	cr_assert_eq(ns_unlink(NULL, "d"), -ENOTEMPTY);
	cr_assert_eq(ns_unlink(NULL, "d/."), -EINVAL);
	cr_assert_eq(ns_unlink(NULL, "d/.."), -EINVAL);
	cr_assert_eq(ns_unlink(NULL, "/"), -EBUSY);
	cr_assert_eq(ns_unlink(NULL, "d/nothing"), -ENOENT);
	cr_assert_eq(ns_unlink(NULL, "d/f/"), -ENOTDIR);
	cr_assert_eq(ns_unlink(NULL, "d/f/x"), -ENOTDIR);
	cr_assert_eq(ns_unlink(NULL, ""), -ENOENT);
	cr_assert_eq(ns_unlink(NULL, "d/f"), 0);
	cr_assert_eq(ns_unlink(NULL, "d/"), 0, "an empty directory goes");
	cr_assert_eq(lookup_err(NULL, "d"), -ENOENT);
}

Test(unlink, an_open_file_outlives_its_name, .init = empty_fs)
{
	long pages = fs_host_pages, objs = fs_host_objs;
	static char data[3 * 4096], back[3 * 4096];
	struct inode *ip;

	long with_file;

	memset(data, 'q', sizeof(data));
	write_at("tmp/f", 0, data, sizeof(data));
	with_file = fs_host_pages;
	cr_assert_eq(fs_lookup(NULL, "tmp/f", &ip), 0); /* as an open file would */
	cr_assert_eq(ns_unlink(NULL, "tmp/f"), 0);
	cr_assert_eq(lookup_err(NULL, "tmp/f"), -ENOENT);
	cr_assert_eq(nlink_of(ip), 0);
	cr_assert_eq(inode_read(ip, back, 0, sizeof(back)), (long)sizeof(back));
	cr_assert_eq(memcmp(back, data, sizeof(data)), 0);
	cr_assert_eq(fs_host_pages, with_file, "the pages stay until the last close");
	inode_put(ip);
	cr_assert_eq(fs_host_pages, pages);
	cr_assert_eq(fs_host_objs, objs);
}

Test(link, hard_links, .init = empty_fs)
{
	struct inode *ip = write_at("tmp/a", 0, "data", 4);
	char buf[4];

	cr_assert_eq(ns_link(NULL, "tmp/a", "b"), 0);
	cr_assert_eq(nlink_of(ip), 2);
	cr_assert_eq(lookup(NULL, "b"), ip);
	cr_assert_eq(ns_link(NULL, "tmp/a", "b"), -EEXIST);
	cr_assert_eq(ns_link(NULL, "tmp/a", "/"), -EEXIST);
	cr_assert_eq(ns_link(NULL, "tmp", "t2"), -EPERM, "no links to directories");
	cr_assert_eq(ns_link(NULL, "nothing", "t3"), -ENOENT);
	cr_assert_eq(ns_link(NULL, "tmp/a", "nodir/x"), -ENOENT);
	cr_assert_eq(ns_link(NULL, "tmp/a", "dev/null/x"), -ENOTDIR);
	cr_assert_eq(ns_unlink(NULL, "tmp/a"), 0);
	cr_assert_eq(nlink_of(ip), 1);
	cr_assert_eq(inode_read(lookup(NULL, "b"), buf, 0, 4), 4);
	cr_assert_eq(memcmp(buf, "data", 4), 0);
}

/* ------------------------------------------------------------ data */

Test(data, holes_read_as_zeros, .init = empty_fs)
{
	static u8 buf[20000];
	struct inode *ip = write_at("tmp/h", 10000, "end", 3);

	cr_assert_eq(inode_size(ip), 10003);
	cr_assert_eq(inode_read(ip, buf, 0, sizeof(buf)), 10003, "reads stop at the size");
	for (int i = 0; i < 10000; i++)
		cr_assert_eq(buf[i], 0);
	cr_assert_eq(memcmp(buf + 10000, "end", 3), 0);
	cr_assert_eq(inode_read(ip, buf, 10003, 10), 0, "end of file");
	cr_assert_eq(inode_read(ip, buf, 1UL << 40, 10), 0);
	cr_assert_eq(fs_host_pages, 2, "only the page written, and its index page");
}

Test(data, truncation_then_growth_reads_zeros, .init = empty_fs)
{
	static u8 data[9000], buf[12000];
	struct inode *ip;

	memset(data, 0xee, sizeof(data));
	ip = write_at("tmp/t", 0, data, sizeof(data));
	inode_io_lock(ip);
	cr_assert_eq(__inode_truncate(ip, 5000), 0);
	cr_assert_eq(__inode_truncate(ip, 12000), 0);
	cr_assert_eq(__inode_truncate(ip, FS_MAX_FILE_SIZE + 1), -EFBIG);
	inode_io_unlock(ip);
	cr_assert_eq(inode_read(ip, buf, 0, sizeof(buf)), 12000);
	for (int i = 0; i < 12000; i++)
		cr_assert_eq(buf[i], i < 5000 ? 0xee : 0, "byte %d", i);
	cr_assert_eq(fs_host_pages, 3, "pages past the cut were freed: two and an index");
}

Test(data, writes_past_the_largest_file_fail, .init = empty_fs)
{
	struct iobuf b = {.user = false, .k = "x"};
	struct inode *ip = write_at("tmp/big", 0, "", 0);

	inode_io_lock(ip);
	cr_assert_eq(__inode_write(ip, &b, FS_MAX_FILE_SIZE, 1), -EFBIG);
	cr_assert_eq(__inode_write(ip, &b, FS_MAX_FILE_SIZE - 1, 1), 1);
	cr_assert_eq(ip->size, FS_MAX_FILE_SIZE);
	inode_io_unlock(ip);
}

Test(data, a_fault_writes_nothing_past_the_size, .init = empty_fs)
{
	struct iobuf bad = {.user = true, .u = NULL};
	u8 buf[8];
	struct inode *ip = write_at("tmp/f", 0, "abc", 3);

	inode_io_lock(ip);
	cr_assert_eq(__inode_write(ip, &bad, 2, 4096), -EFAULT);
	cr_assert_eq(ip->size, 3);
	inode_io_unlock(ip);
	cr_assert_eq(inode_read(ip, buf, 0, 8), 3);
	cr_assert_eq(fs_host_pages, 1);
}

Test(data, out_of_memory_during_a_write_keeps_what_was_written, .init = empty_fs)
{
	static u8 data[3 * 4096];
	struct iobuf b = {.user = false, .k = data};
	struct inode *ip = write_at("tmp/f", 0, "", 0);

	inode_io_lock(ip);
	fs_host_fail_after(2); /* page 0, index page, then page 1 fails */
	cr_assert_eq(__inode_write(ip, &b, 0, sizeof(data)), 4096);
	fs_host_fail_never();
	cr_assert_eq(ip->size, 4096);
	fs_host_fail_after(0);
	cr_assert_eq(__inode_write(ip, &b, 3 * 4096, 1), -ENOMEM);
	fs_host_fail_never();
	inode_io_unlock(ip);
}

/* What a page fault on a shared mapping of the file does (mmap.c): takes
 * ip->lock, which a user copy must therefore not hold, and fills a hole
 * with a zeroed page. */
static struct inode *faulting_inode;
static u64 faulting_page;

static void fault_in_page(void)
{
	bool fresh;

	inode_lock(faulting_inode);
	cr_assert_not_null(fdata_get(&faulting_inode->data, faulting_page, true, &fresh));
	inode_unlock(faulting_inode);
}

Test(data, user_copies_let_page_faults_take_the_inode_lock, .init = empty_fs)
{
	static u8 data[2 * 4096], back[2 * 4096];
	struct iobuf src = {.user = true, .u = data}, dst = {.user = true, .u = back};
	struct inode *ip = write_at("tmp/m", 0, "", 0);

	memset(data, 'm', sizeof(data));
	faulting_inode = ip;
	faulting_page = 1; /* a hole the write is filling */
	fs_host_during_copy = fault_in_page;
	inode_io_lock(ip);
	cr_assert_eq(__inode_write(ip, &src, 0, sizeof(data)), (long)sizeof(data));
	cr_assert_eq(__inode_read(ip, &dst, 0, sizeof(back)), (long)sizeof(back));
	inode_io_unlock(ip);
	fs_host_during_copy = NULL;
	cr_assert_eq(memcmp(back, data, sizeof(data)), 0, "the write went into the faulted page");
	cr_assert_eq(fs_host_pages, 3, "two data pages and an index page: nothing left over");
}

Test(data, bytes_stored_past_the_end_vanish_when_the_file_grows, .init = empty_fs)
{
	static u8 buf[3 * 4096];
	struct inode *ip = write_at("tmp/s", 0, "abc", 3);
	u8 *page = fdata_lookup(&ip->data, 0);

	/* A shared mapping may store past the end of the file. */
	memset(page + 3, 'X', 100);
	write_at("tmp/s", 50, "y", 1);
	cr_assert_eq(inode_read(ip, buf, 0, sizeof(buf)), 51);
	for (int i = 3; i < 50; i++)
		cr_assert_eq(buf[i], 0, "byte %d of the gap", i);

	memset(page + 51, 'X', 100);
	inode_io_lock(ip);
	cr_assert_eq(__inode_truncate(ip, 8000), 0);
	inode_io_unlock(ip);
	cr_assert_eq(inode_read(ip, buf, 0, sizeof(buf)), 8000);
	for (int i = 51; i < 8000; i++)
		cr_assert_eq(buf[i], 0, "byte %d after growing", i);
}

/* ------------------------------------------------------------ getcwd */

Test(getcwd, paths_and_errors, .init = empty_fs)
{
	char buf[64];
	long len;
	struct inode *c;

	getcwd_of(NULL, buf, sizeof(buf), &len);
	cr_assert_eq(len, 1);
	cr_assert_str_eq(buf, "/");
	mkdir_ok(NULL, "tmp/abc");
	mkdir_ok(NULL, "tmp/abc/de");
	c = lookup(NULL, "tmp/abc/de");
	cr_assert_str_eq(getcwd_of(c, buf, sizeof(buf), &len), "/tmp/abc/de");
	cr_assert_eq(len, 11);
	getcwd_of(c, buf, 12, &len);
	cr_assert_eq(len, 11, "exactly enough room");
	getcwd_of(c, buf, 11, &len);
	cr_assert_eq(len, -ERANGE);
	getcwd_of(fs_root_inode, buf, 1, &len);
	cr_assert_eq(len, -ERANGE);
	getcwd_of(fs_root_inode, buf, 0, &len);
	cr_assert_eq(len, -ERANGE);
}

Test(getcwd, a_removed_working_directory, .init = empty_fs)
{
	struct inode *d, *ip;
	char buf[64];
	long len;

	mkdir_ok(NULL, "tmp/gone");
	cr_assert_eq(fs_lookup(NULL, "tmp/gone", &d), 0); /* a process's cwd */
	cr_assert_eq(ns_unlink(NULL, "tmp/gone"), 0);
	getcwd_of(d, buf, sizeof(buf), &len);
	cr_assert_eq(len, -ENOENT);
	cr_assert_eq(lookup(d, "."), d);
	cr_assert_eq(lookup_err(d, ".."), -ENOENT);
	cr_assert_eq(ns_create(d, "new", MNEMO_T_FILE, 0, 0, false, &ip), -ENOENT);
	cr_assert_eq(ns_create(d, "..", MNEMO_T_DIR, 0, 0, false, &ip), -ENOENT);
	inode_put(d);
}

/* ------------------------------------------------------------ readdir */

Test(readdir, records_in_order_with_short_names, .init = empty_fs)
{
	struct mnemo_dirent recs[8];
	struct inode *d;
	u64 pos = 0;

	mkdir_ok(NULL, "d");
	d = lookup(NULL, "d");
	write_at("d/one", 0, "", 0);
	write_at("d/a-name-longer-than-fourteen", 0, "", 0);
	write_at("d/three", 0, "", 0);
	cr_assert_eq(ns_unlink(NULL, "d/one"), 0);

	cr_assert_eq(dir_read(d, recs, 15, &pos), -EINVAL, "room for a record needed");
	cr_assert_eq(dir_read(d, recs, 3 * sizeof(recs[0]) + 5, &pos), 3 * sizeof(recs[0]));
	cr_assert_eq(strncmp(recs[0].name, ".", 14), 0);
	cr_assert_eq(recs[0].inum, d->ino);
	cr_assert_eq(strncmp(recs[1].name, "..", 14), 0);
	cr_assert_eq(recs[1].inum, fs_root_inode->ino);
	cr_assert_eq(memcmp(recs[2].name, "a-name-longer-", 14), 0, "cut to 14 bytes");
	cr_assert_eq(dir_read(d, recs, sizeof(recs), &pos), sizeof(recs[0]), "resumes");
	cr_assert_eq(strncmp(recs[0].name, "three", 14), 0);
	cr_assert_eq(recs[0].inum, lookup(NULL, "d/three")->ino);
	cr_assert_eq(dir_read(d, recs, sizeof(recs), &pos), 0, "the end");
	pos = 0;
	cr_assert_eq(dir_read(d, NULL, sizeof(recs), &pos), -EFAULT);
}

/* The record of getdents() at offset off of buf. */
static const struct mnemo_dirent_long *long_rec(const void *buf, size_t off)
{
	return (const struct mnemo_dirent_long *)((const char *)buf + off);
}

Test(readdir, getdents_gives_whole_names_from_the_same_position, .init = empty_fs)
{
	char name255[256];
	_Alignas(8) char buf[1024];
	struct mnemo_dirent rec;
	struct inode *d;
	char path[300];
	u64 pos = 0;
	long n;

	memset(name255, 'n', 255);
	name255[255] = '\0';
	mkdir_ok(NULL, "d");
	d = lookup(NULL, "d");
	write_at("d/a-name-longer-than-fourteen", 0, "", 0);
	snprintf(path, sizeof(path), "d/%s", name255);
	write_at(path, 0, "", 0);

	/* ".": 8 + 2 -> 16 bytes; "..": 16; the 27-byte name: 8 + 28 -> 40. */
	cr_assert_eq(dir_getdents(d, buf, 15, &pos), -EINVAL, "room for a record needed");
	cr_assert_eq(dir_getdents(d, buf, 16 + 16 + 40 + 100, &pos), 16 + 16 + 40);
	cr_assert_eq(long_rec(buf, 0)->reclen, 16);
	cr_assert_str_eq(long_rec(buf, 0)->name, ".");
	cr_assert_eq(long_rec(buf, 0)->inum, d->ino);
	cr_assert_str_eq(long_rec(buf, 16)->name, "..");
	cr_assert_eq(long_rec(buf, 32)->namelen, 27);
	cr_assert_str_eq(long_rec(buf, 32)->name, "a-name-longer-than-fourteen");
	cr_assert_eq(long_rec(buf, 32)->reclen, 40);

	n = dir_getdents(d, buf, sizeof(buf), &pos);
	cr_assert_eq(n, 8 + 256, "the 255-byte name, whole");
	cr_assert_str_eq(long_rec(buf, 0)->name, name255);
	cr_assert_eq(dir_getdents(d, buf, sizeof(buf), &pos), 0, "the end");

	pos = 2;
	cr_assert_eq(dir_read(d, &rec, sizeof(rec), &pos), sizeof(rec),
		     "read() shares the position");
	cr_assert_eq(memcmp(rec.name, "a-name-longer-", 14), 0);
	cr_assert_eq(dir_getdents(d, buf, sizeof(buf), &pos), 8 + 256);
	pos = 0;
	cr_assert_eq(dir_getdents(d, NULL, sizeof(buf), &pos), -EFAULT);
}

Test(readdir, stat_of_a_directory, .init = empty_fs)
{
	struct mnemo_stat st;

	inode_stat(lookup(NULL, "/dev"), &st);
	cr_assert_eq(st.type, MNEMO_T_DIR);
	cr_assert_eq(st.size, 4 * sizeof(struct mnemo_dirent));
	cr_assert_eq(st.nlink, 2);
	inode_stat(lookup(NULL, "/dev/null"), &st);
	cr_assert_eq(st.type, MNEMO_T_DEVICE);
	cr_assert_eq(st.major, MNEMO_DEV_NULL);
	cr_assert_eq(st.nlink, 1);
}

/* ------------------------------------------------------------ scale, leaks */

Test(scale, many_files_come_and_go_without_a_leak, .init = empty_fs)
{
	long pages = fs_host_pages, objs = fs_host_objs;
	char path[64];

	for (int round = 0; round < 3; round++) {
		mkdir_ok(NULL, "tmp/many");
		for (int i = 0; i < 1000; i++) {
			snprintf(path, sizeof(path), "tmp/many/file-number-%d", i);
			write_at(path, (u64)i * 100, path, strlen(path));
		}
		for (int i = 0; i < 1000; i++) {
			snprintf(path, sizeof(path), "tmp/many/file-number-%d", i);
			cr_assert_eq(inode_size(lookup(NULL, path)), (u64)i * 100 + strlen(path));
		}
		for (int i = 0; i < 1000; i++) {
			snprintf(path, sizeof(path), "tmp/many/file-number-%d", i);
			cr_assert_eq(ns_unlink(NULL, path), 0);
		}
		cr_assert_eq(ns_unlink(NULL, "tmp/many"), 0);
		cr_assert_eq(fs_host_pages, pages);
		cr_assert_eq(fs_host_objs, objs);
	}
}

Test(scale, failed_creations_unwind, .init = empty_fs)
{
	long pages = fs_host_pages, objs = fs_host_objs;
	struct inode *ip;

	for (long fail = 0; fail < 6; fail++) {
		int err;

		fs_host_fail_after(fail);
		err = ns_create(NULL, "tmp/d", MNEMO_T_DIR, 0, 0, true, &ip);
		fs_host_fail_never();
		if (err == 0) {
			inode_put(ip);
			cr_assert_eq(ns_unlink(NULL, "tmp/d"), 0);
		} else {
			cr_assert_eq(err, -ENOMEM);
			cr_assert_eq(lookup_err(NULL, "tmp/d"), -ENOENT);
		}
		cr_assert_eq(fs_host_pages, pages);
		cr_assert_eq(fs_host_objs, objs, "no leak when allocation %ld fails", fail);
		cr_assert_eq(nlink_of(lookup(NULL, "tmp")), 2);
	}
}
