/* Specification of kernel/fs/cpio.c, the reader of "newc" archives: the
 * fields and padding it decodes, where it stops, every way a malformed
 * archive is refused, and agreement with what GNU cpio writes. */
#include "tests/unit/fs_host.h"

#include "kernel/fs/cpio.c"

/* An archive under construction. */
struct archive {
	u8 buf[8192];
	size_t len;
};

static void pad4(struct archive *a)
{
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

static void add_entry(struct archive *a, const char *name, u32 mode, u32 ino, u32 nlink,
		      const void *data, size_t size)
{
	char hdr[CPIO_HEADER_LEN + 1];

	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		 ino, mode, 0, 0, nlink, 0, (u32)size, 3, 1, 5, 7, (u32)strlen(name) + 1, 0);
	memcpy(a->buf + a->len, hdr, CPIO_HEADER_LEN);
	a->len += CPIO_HEADER_LEN;
	memcpy(a->buf + a->len, name, strlen(name) + 1);
	a->len += strlen(name) + 1;
	pad4(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	pad4(a);
}

static void add_trailer(struct archive *a)
{
	add_entry(a, "TRAILER!!!", 0, 0, 1, "", 0);
}

Test(cpio, an_empty_buffer_has_no_entries)
{
	struct cpio_reader r;
	struct cpio_entry e;

	cpio_reader_init(&r, NULL, 100);
	cr_assert_eq(cpio_next(&r, &e), 0);
	cpio_reader_init(&r, "", 0);
	cr_assert_eq(cpio_next(&r, &e), 0);
}

Test(cpio, entries_decode_with_their_padding)
{
	static struct archive a;
	struct cpio_reader r;
	struct cpio_entry e;

	add_entry(&a, "bin", CPIO_S_IFDIR | 0755, 10, 2, "", 0);
	add_entry(&a, "bin/hello", CPIO_S_IFREG | 0644, 11, 1, "hello", 5);
	add_entry(&a, "dev/x", CPIO_S_IFCHR | 0600, 12, 1, "", 0);
	add_trailer(&a);
	cpio_reader_init(&r, a.buf, a.len);

	cr_assert_eq(cpio_next(&r, &e), 1);
	cr_assert_str_eq(e.name, "bin");
	cr_assert_eq(e.namelen, 3);
	cr_assert_eq(e.mode & CPIO_S_IFMT, CPIO_S_IFDIR);
	cr_assert_eq(e.size, 0);

	cr_assert_eq(cpio_next(&r, &e), 1);
	cr_assert_str_eq(e.name, "bin/hello");
	cr_assert_eq(e.mode, CPIO_S_IFREG | 0644);
	cr_assert_eq(e.ino, 11);
	cr_assert_eq(e.nlink, 1);
	cr_assert_eq(e.size, 5);
	cr_assert_eq(memcmp(e.data, "hello", 5), 0);
	cr_assert_eq(e.dev_major, 3);
	cr_assert_eq(e.dev_minor, 1);

	cr_assert_eq(cpio_next(&r, &e), 1);
	cr_assert_str_eq(e.name, "dev/x");
	cr_assert_eq(e.rdev_major, 5);
	cr_assert_eq(e.rdev_minor, 7);

	cr_assert_eq(cpio_next(&r, &e), 0, "the trailer ends it");
	cr_assert_eq(cpio_next(&r, &e), 0, "and stays ended");
}

Test(cpio, anything_after_the_trailer_is_ignored)
{
	static struct archive a;
	struct cpio_reader r;
	struct cpio_entry e;

	add_trailer(&a);
	memset(a.buf + a.len, 'z', 100);
	a.len += 100;
	cpio_reader_init(&r, a.buf, a.len);
	cr_assert_eq(cpio_next(&r, &e), 0);
}

Test(cpio, a_missing_trailer_ends_at_the_buffer_end)
{
	static struct archive a;
	struct cpio_reader r;
	struct cpio_entry e;

	add_entry(&a, "f", CPIO_S_IFREG, 1, 1, "abc", 3);
	cpio_reader_init(&r, a.buf, a.len);
	cr_assert_eq(cpio_next(&r, &e), 1);
	cr_assert_eq(cpio_next(&r, &e), 0);
}

Test(cpio, the_last_data_may_lack_its_padding)
{
	static struct archive a;
	struct cpio_reader r;
	struct cpio_entry e;

	add_entry(&a, "f", CPIO_S_IFREG, 1, 1, "abcde", 5);
	cpio_reader_init(&r, a.buf, a.len - 3);
	cr_assert_eq(cpio_next(&r, &e), 1);
	cr_assert_eq(e.size, 5);
	cr_assert_eq(cpio_next(&r, &e), 0);
}

/* Builds a one-entry archive, lets corrupt() damage it, and expects
 * cpio_next() to refuse it. */
static void expect_refused(void (*corrupt)(struct archive *a))
{
	static struct archive a;
	struct cpio_reader r;
	struct cpio_entry e;

	memset(&a, 0, sizeof(a));
	add_entry(&a, "name", CPIO_S_IFREG, 1, 1, "0123456789", 10);
	add_trailer(&a);
	corrupt(&a);
	cpio_reader_init(&r, a.buf, a.len);
	cr_assert_eq(cpio_next(&r, &e), -EINVAL);
}

static void bad_magic(struct archive *a)
{
	a->buf[5] = '7';
}
static void bad_digit(struct archive *a)
{
	a->buf[6 + 8 * CPIO_FILESIZE + 3] = 'g';
}
static void short_header(struct archive *a)
{
	a->len = CPIO_HEADER_LEN - 1;
}
static void name_cut(struct archive *a)
{
	a->len = CPIO_HEADER_LEN + 3;
}
static void data_cut(struct archive *a)
{
	a->len = CPIO_HEADER_LEN + 8 + 5;
}
static void no_nul(struct archive *a)
{
	a->buf[CPIO_HEADER_LEN + 4] = 'x';
}
static void nul_inside(struct archive *a)
{
	a->buf[CPIO_HEADER_LEN + 1] = 0;
}
static void namesize_zero(struct archive *a)
{
	memcpy(a->buf + 6 + 8 * CPIO_NAMESIZE, "00000000", 8);
}
static void huge_size(struct archive *a)
{
	memcpy(a->buf + 6 + 8 * CPIO_FILESIZE, "ffffffff", 8);
}

Test(cpio, malformed_archives_are_refused)
{
	expect_refused(bad_magic);
	expect_refused(bad_digit);
	expect_refused(short_header);
	expect_refused(name_cut);
	expect_refused(data_cut);
	expect_refused(no_nul);
	expect_refused(nul_inside);
	expect_refused(namesize_zero);
	expect_refused(huge_size);
}

Test(cpio, reads_what_gnu_cpio_writes)
{
	char dir[] = "/tmp/fs_cpio_XXXXXX", cmd[512];
	static u8 buf[1 << 16];
	struct cpio_reader r;
	struct cpio_entry e;
	size_t len;
	FILE *f;
	int files = 0, dirs = 0;
	bool saw_big = false;

	if (system("command -v cpio >/dev/null 2>&1") != 0)
		cr_skip_test("no cpio on this host");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p a/b && printf 'x%%.0s' $(seq 1 5001) > a/b/big && "
		 "echo hi > top && ln top a/link && "
		 "find . | sort | cpio -o -H newc --quiet > ../%s.cpio",
		 dir, dir + 5);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.cpio", dir);
	f = fopen(cmd, "rb");
	cr_assert_not_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);

	cpio_reader_init(&r, buf, len);
	while (cpio_next(&r, &e) == 1) {
		if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFDIR)
			dirs++;
		if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG)
			files++;
		if (strcmp(e.name, "a/b/big") == 0) {
			saw_big = true;
			cr_assert_eq(e.size, 5001);
			for (size_t i = 0; i < e.size; i++)
				cr_assert_eq(e.data[i], 'x');
		}
		if (strcmp(e.name, "top") == 0 || strcmp(e.name, "a/link") == 0)
			cr_assert_eq(e.nlink, 2);
	}
	cr_assert(saw_big);
	cr_assert_eq(dirs, 3, ". a a/b");
	cr_assert_eq(files, 3);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s.cpio", dir, dir);
	cr_assert_eq(system(cmd), 0);
}
