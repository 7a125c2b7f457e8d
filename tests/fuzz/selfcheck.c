/* fuzz --check-clean, which the suite runs as t_fuzz_clean: a check of
 * the harness, not of the kernel. A round's leak check is exact only if
 * the parent takes no page of its own between its two counts, and what
 * it runs there depends on what the children left: the cleanup
 * (clean.c) reads as many directory entries, as deep, as they made. So:
 * count, let a child leave the most the cleanup handles (directories
 * nested as deep as it goes, more entries in each than it reads in one
 * pass, the grammar's long names), clean up as a round does, count
 * again: free memory must be back exactly, as after a round. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "tests/system/test.h"

#define FZ_CHECK_LEVELS (FZ_MAX_DEPTH - 1) /* /tmp/fz and the directories in it */
#define FZ_CHECK_FILES	(FZ_DIR_BATCH + 1) /* per directory: two passes of fz_list */

/* The names at the top of /tmp that the grammar may create (path.c). */
static const char *const fz_check_top[] = {"/tmp/fz", "/tmp/fz0", "/tmp/fz1", "/tmp/" FZ_TOP_LONG};

/* Creates an empty file; whether it could. */
static bool fz_check_file(const char *name)
{
	int fd = open(name, O_CREAT | O_WRONLY, 0666);

	return fd >= 0 && close(fd) == 0;
}

/* In the child: every top name, a file of the longest name in /tmp/fz,
 * and /tmp/fz/d/d/... FZ_CHECK_LEVELS levels deep, each level holding
 * FZ_CHECK_FILES files. Exits 0 if all of it was made. */
static void fz_check_mess(void)
{
	static char long_name[FZ_NAME_LONG_LEN + 1];
	char name[16];
	bool ok = true;

	memset(long_name, 'n', FZ_NAME_LONG_LEN);
	for (size_t i = 0; i < sizeof(fz_check_top) / sizeof(fz_check_top[0]); i++)
		ok = ok && mkdir(fz_check_top[i], 0777) == 0;
	ok = ok && chdir("/tmp/fz") == 0 && fz_check_file(long_name);
	for (int level = 1; ok && level <= FZ_CHECK_LEVELS; level++) {
		for (int i = 0; ok && i < FZ_CHECK_FILES; i++) {
			snprintf(name, sizeof(name), "f%d", i);
			ok = fz_check_file(name);
		}
		if (level < FZ_CHECK_LEVELS)
			ok = ok && mkdir("d", 0777) == 0 && chdir("d") == 0;
	}
	_exit(ok ? 0 : 1);
}

int fz_check_clean(const struct fz_opts *o)
{
	long before = test_settle();
	int pid = fork();

	(void)o;
	if (pid == 0)
		fz_check_mess();
	int status = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	CHECK("fuzz-clean-made", status == 0, "the child that makes the files exited with %d",
	      status);
	fz_clean_shared_in();
	fz_clean_tmp();
	int left = 0;
	for (size_t i = 0; i < sizeof(fz_check_top) / sizeof(fz_check_top[0]); i++) {
		int fd = open(fz_check_top[i], O_RDONLY);
		left += fd >= 0 || errno != ENOENT;
		if (fd >= 0)
			close(fd);
	}
	CHECK("fuzz-clean-gone", left == 0, "%d of the names at the top of /tmp are left", left);
	test_check_free("fuzz-clean-leak", before);
	return test_done();
}
