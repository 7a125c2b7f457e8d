/* The limits compat/xv6 declares are the kernel's: a path of MAXPATH
 * bytes is refused and one of MAXPATH-1 is taken, exec takes MAXARG
 * arguments and refuses one more, and a file of MAXFILE blocks (xv6's
 * largest) can be written. An xv6 program, built against compat/xv6. */
#include "compat/xv6/kernel/fcntl.h"
#include "compat/xv6/kernel/fs.h"
#include "compat/xv6/kernel/param.h"
#include "compat/xv6/kernel/stat.h"
#include "compat/xv6/kernel/types.h"
#include "compat/xv6/user/user.h"
#include "tests/system/xv6test.h"

#define TDIR "/tmp/t_xv6limits/"

/* Fills path with TDIR and then 'x's up to len bytes, NUL-terminated. */
static void long_path(char *path, int len)
{
	int n = strlen(TDIR);

	memmove(path, TDIR, n);
	memset(path + n, 'x', len - n);
	path[len] = '\0';
}

static void test_maxpath(void)
{
	static char path[MAXPATH + 1];
	int fd;

	long_path(path, MAXPATH - 1);
	fd = open(path, O_CREATE | O_WRONLY);
	XV6_CHECK("xv6-maxpath-less-one", fd >= 0, "a path of MAXPATH-1 = %d bytes was refused",
		  MAXPATH - 1);
	if (fd >= 0)
		close(fd);
	unlink(path);

	long_path(path, MAXPATH);
	fd = open(path, O_CREATE | O_WRONLY);
	XV6_CHECK("xv6-maxpath-refused", fd < 0, "a path of MAXPATH = %d bytes was taken", MAXPATH);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

static char *args[MAXARG + 2];
static int nargs;

/* Execs /bin/true with nargs arguments; exits 7 if exec fails. */
static void exec_true(void)
{
	for (int i = 0; i < nargs; i++)
		args[i] = "true";
	args[nargs] = 0;
	exec("/bin/true", args);
	exit(7);
}

static void test_maxarg(void)
{
	int status;

	nargs = MAXARG;
	status = xv6test_in_child(exec_true);
	XV6_CHECK("xv6-maxarg", status == 0, "exec with MAXARG = %d arguments: status %d", MAXARG,
		  status);
	nargs = MAXARG + 1;
	status = xv6test_in_child(exec_true);
	XV6_CHECK("xv6-maxarg-refused", status == 7,
		  "exec with MAXARG+1 = %d arguments: status %d (7: refused)", MAXARG + 1, status);
}

static void test_maxfile(void)
{
	static char block[BSIZE];
	int fd = open(TDIR "big", O_CREATE | O_RDWR), n = 0;

	for (int i = 0; fd >= 0 && i < MAXFILE; i++)
		n += write(fd, block, BSIZE) == BSIZE;
	XV6_CHECK("xv6-maxfile", n == MAXFILE, "wrote %d of MAXFILE = %d blocks", n, (int)MAXFILE);
	close(fd);
	unlink(TDIR "big");
}

int main(void)
{
	if (mkdir(TDIR) < 0) {
		printf("FAIL xv6-limits-setup: mkdir %s\n", TDIR);
		return 1;
	}
	test_maxpath();
	test_maxarg();
	test_maxfile();
	unlink(TDIR);
	return xv6test_done();
}
