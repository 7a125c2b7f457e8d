/* Large files: 16 MiB written and read back with a checksum, random
 * reads, and an unlinked file that stays readable while open and gives
 * its pages back when closed. Works in /tmp/t_bigfile. */
#include "test.h"

#define TDIR	 "t_bigfile"
#define BIG_SIZE (16L << 20)
#define CHUNK	 (64L << 10)
#define SEED	 0x5eed
#define PAGE	 4096L

static uint8_t chunk[CHUNK];

/* Writes the pattern file of size bytes; returns its checksum or 0 on a
 * failure (reported as check name). */
static uint64_t write_big(const char *name, const char *path, long size)
{
	struct test_sum sum = {0};
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	if (fd < 0) {
		CHECK(name, 0, "cannot open %s: %s", path, strerror(errno));
		return 0;
	}
	for (long off = 0; off < size; off += CHUNK) {
		test_pattern_fill(chunk, CHUNK, SEED, off);
		test_sum_add(&sum, chunk, CHUNK);
		if (write_all(fd, chunk, CHUNK) < 0) {
			CHECK(name, 0, "at offset %ld: %s", off, strerror(errno));
			close(fd);
			return 0;
		}
	}
	close(fd);
	CHECK(name, 1);
	return test_sum_value(&sum);
}

/* Reads fd from its current offset to the end, checking the pattern;
 * returns the checksum, or 0 on a failure (reported under name). */
static uint64_t read_big(int fd, const char *name)
{
	struct test_sum sum = {0};
	long off = 0, n;

	while ((n = read_full(fd, chunk, CHUNK)) > 0) {
		long bad = test_pattern_diff(chunk, n, SEED, off);
		if (bad >= 0) {
			CHECK(name, 0, "byte %ld differs", off + bad);
			return 0;
		}
		test_sum_add(&sum, chunk, n);
		off += n;
	}
	if (!CHECK(name, n == 0 && off == BIG_SIZE, "read %ld bytes, last result %ld (%s)", off, n,
		   strerror(errno)))
		return 0;
	return test_sum_value(&sum);
}

static void test_big_file(void)
{
	struct stat st;
	uint64_t wsum, rsum;
	int fd, bad = 0;

	/* The file exists, empty, before the count: then writing it takes
	 * only its data pages and the index pages over them, and truncating
	 * it must give back exactly those. */
	fd = open("big", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	long before = test_settle();
	wsum = write_big("big-write", "big", BIG_SIZE);
	long taken = before - test_settle();
	CHECK("big-write-takes-pages", taken >= BIG_SIZE, "only %ld bytes taken", taken);
	CHECK("big-size", stat("big", &st) == 0 && st.st_size == BIG_SIZE, "size %ld",
	      (long)st.st_size);
	fd = open("big", O_RDONLY);
	rsum = read_big(fd, "big-read");
	CHECK("big-checksum", wsum != 0 && wsum == rsum, "wrote %#llx, read %#llx",
	      (unsigned long long)wsum, (unsigned long long)rsum);

	/* Reads at scattered offsets, crossing page boundaries. */
	for (long i = 0; i < 64; i++) {
		long off = (i * 2654435761L) % (BIG_SIZE - 8192);
		if (lseek(fd, off, SEEK_SET) != off || read_full(fd, chunk, 5000) != 5000 ||
		    test_pattern_diff(chunk, 5000, SEED, off) >= 0)
			bad++;
	}
	CHECK("big-random-reads", bad == 0, "%d of 64 reads wrong", bad);
	close(fd);

	/* Truncating gives every page back. */
	fd = open("big", O_WRONLY | O_TRUNC);
	close(fd);
	test_check_free("big-trunc-frees", before);
	unlink("big");
}

/* An unlinked file stays readable through an open descriptor; its pages
 * are freed on the last close. */
static void test_unlink_open(void)
{
	struct stat st;
	long start, written;
	uint64_t wsum, rsum;
	int fd;

	start = test_settle();
	wsum = write_big("unlink-open-write", "gone", BIG_SIZE);
	written = test_settle();
	CHECK("unlink-open-pages-used", start - written >= BIG_SIZE, "only %ld bytes used",
	      start - written);

	fd = open("gone", O_RDONLY);
	CHECK("unlink-open", fd >= 0 && unlink("gone") == 0, "%s", strerror(errno));
	expect_errno("unlink-open-name-gone", stat("gone", &st), ENOENT);
	CHECK("unlink-open-fstat",
	      fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == BIG_SIZE,
	      "nlink %ld size %ld", (long)st.st_nlink, (long)st.st_size);
	CHECK("unlink-open-kept", start - test_settle() >= BIG_SIZE,
	      "pages freed while still open");
	rsum = read_big(fd, "unlink-open-read");
	CHECK("unlink-open-checksum", wsum != 0 && rsum == wsum);
	close(fd);
	test_check_free("unlink-open-freed-on-close", start);
}

int main(void)
{
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	memset(chunk, 0, sizeof(chunk)); /* map our buffer before counting pages */
	test_big_file();
	test_unlink_open();
	test_leave_tmp(TDIR);
	return test_done();
}
