/* The xv6 programs of tests/xv6 (built unchanged against compat/xv6 into
 * every image, as /bin/xv6*): each run with arguments and input, its exit
 * status and output checked. xv6 programs report only through those (an
 * exit status and text), so this is their driver. A program found in /bin
 * that the table below does not know is still run once, with no
 * arguments and empty input, and must exit 0.
 *
 * Works in /tmp/t_xv6progs. */
#include <dirent.h>
#include <stdlib.h>

#include "test.h"

#define TDIR "t_xv6progs"
#define OUT  8192

static uint8_t out[OUT + 1];
static size_t out_len;

/* Runs /bin/PROG with up to three arguments (NULL ends them) and input;
 * the output is in out, NUL-terminated. Returns the exit status. */
static int run(const char *input, const char *prog, const char *a1, const char *a2, const char *a3)
{
	char path[64];
	char *argv[] = {path, (char *)a1, (char *)a2, (char *)a3, NULL};

	snprintf(path, sizeof(path), "/bin/%s", prog);
	int status = test_run(argv, input, strlen(input), out, OUT, &out_len);
	out[out_len] = '\0';
	return status;
}

/* Checks a run: its status and its whole output. */
static void expect_run(const char *name, int status, int want_status, const char *want_out)
{
	CHECK(name, status == want_status && strcmp((char *)out, want_out) == 0,
	      "status %d (expected %d), output \"%s\" (expected \"%s\")", status, want_status,
	      (char *)out, want_out);
}

static void test_echo(void)
{
	expect_run("xv6echo-words", run("", "xv6echo", "hello", "xv6", NULL), 0, "hello xv6\n");
	expect_run("xv6echo-nothing", run("", "xv6echo", NULL, NULL, NULL), 0, "\n");
}

static void test_cat(void)
{
	int fd = open("cat.txt", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	int wrote = fd >= 0 && write_all(fd, "one\ntwo\n", 8) == 0;

	if (fd >= 0)
		close(fd);
	CHECK("xv6cat-setup", wrote, "%s", strerror(errno));
	expect_run("xv6cat-stdin", run("piped\nin\n", "xv6cat", NULL, NULL, NULL), 0,
		   "piped\nin\n");
	expect_run("xv6cat-files", run("", "xv6cat", "cat.txt", "cat.txt", NULL), 0,
		   "one\ntwo\none\ntwo\n");
	expect_run("xv6cat-missing", run("", "xv6cat", "nope", NULL, NULL), 1,
		   "xv6cat: cannot open nope\n");
	unlink("cat.txt");
}

/* xv6ls's line for name: the name padded to 14 bytes, its xv6 type
 * (1 directory, 2 file), inode number and size. */
static void ls_line(char *line, size_t max, const char *name, int type, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	snprintf(line, max, "%-14s %d %d %d\n", name, type, (int)st.st_ino, (int)st.st_size);
}

static void test_ls(void)
{
	char want[256], line[64];
	int fd;

	mkdir("d", 0777);
	fd = open("f", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd >= 0) {
		(void)!write(fd, "12345", 5);
		close(fd);
	}
	/* A directory reads as ".", "..", then its slots in order
	 * (kernel/fs/readdir.c): in a new directory, the order the entries
	 * were made in. */
	want[0] = '\0';
	ls_line(line, sizeof(line), ".", 1, ".");
	strcat(want, line);
	ls_line(line, sizeof(line), "..", 1, "..");
	strcat(want, line);
	ls_line(line, sizeof(line), "d", 1, "d");
	strcat(want, line);
	ls_line(line, sizeof(line), "f", 2, "f");
	strcat(want, line);
	expect_run("xv6ls-directory", run("", "xv6ls", ".", NULL, NULL), 0, want);
	ls_line(want, sizeof(want), "f", 2, "f");
	expect_run("xv6ls-file", run("", "xv6ls", "f", NULL, NULL), 0, want);
	expect_run("xv6ls-missing", run("", "xv6ls", "nope", NULL, NULL), 0,
		   "xv6ls: cannot open nope\n");
	unlink("f");
	unlink("d");
}

static void test_layout(void)
{
	int status = run("", "xv6layout", NULL, NULL, NULL);

	CHECK("xv6layout",
	      status == 0 && strstr((char *)out, "PGSIZE           4096\n") &&
		  strstr((char *)out, "MAXVA            0x4000000000\n") &&
		  strstr((char *)out, "TRAPFRAME        0x3fffffe000\n"),
	      "status %d, output \"%s\"", status, (char *)out);
}

static void test_mem_and_mmap(void)
{
	expect_run("xv6mem", run("", "xv6mem", NULL, NULL, NULL), 0, "xv6mem: ok\n");
	expect_run("xv6mmap", run("", "xv6mmap", NULL, NULL, NULL), 0, "xv6mmap: ok\n");
	struct stat st;
	expect_errno("xv6mmap-cleaned-up", stat("xv6mmap.data", &st), ENOENT);
}

/* The programs the checks above know. */
static const char *const known[] = {"xv6cat", "xv6echo", "xv6layout", "xv6ls", "xv6mem", "xv6mmap"};

/* Every /bin/xv6* program: the known ones must be there, and any other
 * runs with no arguments and empty input and exits 0. */
static void test_all_present(void)
{
	int found = 0, others = 0, bad = 0;
	char first_bad[64] = "";
	DIR *dir = opendir("/bin");
	struct dirent *de;

	if (!CHECK("xv6-programs-listed", dir != NULL, "%s", strerror(errno)))
		return;
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "xv6", 3) != 0)
			continue;
		int is_known = 0;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			is_known |= strcmp(de->d_name, known[i]) == 0;
		if (is_known) {
			found++;
			continue;
		}
		others++;
		int status = run("", de->d_name, NULL, NULL, NULL);
		if (status != 0 && bad++ == 0)
			snprintf(first_bad, sizeof(first_bad), "%.40s (status %d)", de->d_name,
				 status);
	}
	closedir(dir);
	CHECK("xv6-programs-all-built", found == (int)(sizeof(known) / sizeof(known[0])),
	      "%d of the %d programs of tests/xv6 in /bin", found,
	      (int)(sizeof(known) / sizeof(known[0])));
	CHECK("xv6-programs-others-run", bad == 0, "%d of %d other programs failed; first: %s", bad,
	      others, first_bad);
}

int main(void)
{
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	test_echo();
	test_cat();
	test_ls();
	test_layout();
	test_mem_and_mmap();
	test_all_present();
	test_leave_tmp(TDIR);
	return test_done();
}
