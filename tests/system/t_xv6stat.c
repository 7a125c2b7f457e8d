/* xv6's fstat and stat fill xv6's struct stat, and return -1 for a
 * pointer the kernel cannot write, as on xv6, rather than faulting in the
 * library. An xv6 program, built against compat/xv6. */
#include "compat/xv6/kernel/fcntl.h"
#include "compat/xv6/kernel/fs.h"
#include "compat/xv6/kernel/stat.h"
#include "compat/xv6/kernel/types.h"
#include "compat/xv6/user/user.h"
#include "tests/system/xv6test.h"

#define TFILE "/tmp/t_xv6stat"

static struct stat *bad_st;

/* Exits 0 if fstat and stat refuse bad_st, 3 if either took it. */
static void stat_bad(void)
{
	int fd = open("/", O_RDONLY), r1 = fstat(fd, bad_st), r2 = stat("/", bad_st);

	close(fd);
	exit(r1 == -1 && r2 == -1 ? 0 : 3);
}

static void test_bad_pointers(void)
{
	struct {
		const char *name;
		struct stat *st;
	} cases[] = {
	    {"xv6-stat-at-8", (struct stat *)8},
	    {"xv6-stat-in-text", (struct stat *)(uint64)stat_bad},
	    {"xv6-stat-kernel", (struct stat *)0xffffffc080200000UL},
	};

	for (int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad_st = cases[i].st;
		int status = xv6test_in_child(stat_bad);
		XV6_CHECK(cases[i].name, status == 0, "fstat/stat at %p: status %d (0: both -1)",
			  cases[i].st, status);
	}
}

static void test_layout(void)
{
	struct stat st;
	int fd = open(TFILE, O_CREATE | O_RDWR), r;

	write(fd, "hello", 5);
	memset(&st, 0xff, sizeof(st));
	r = fstat(fd, &st);
	XV6_CHECK("xv6-fstat-file",
		  r == 0 && st.type == T_FILE && st.size == 5 && st.nlink == 1 && st.dev == 1 &&
		      st.ino > ROOTINO,
		  "r %d type %d size %d nlink %d dev %d ino %d", r, st.type, (int)st.size, st.nlink,
		  st.dev, st.ino);
	close(fd);
	unlink(TFILE);

	memset(&st, 0xff, sizeof(st));
	r = stat("/", &st);
	XV6_CHECK("xv6-stat-root", r == 0 && st.type == T_DIR && st.ino == ROOTINO,
		  "r %d type %d ino %d", r, st.type, st.ino);
	XV6_CHECK("xv6-stat-missing", stat("/no/such/file", &st) == -1, "stat of nothing worked");
}

int main(void)
{
	test_bad_pointers();
	test_layout();
	return xv6test_done();
}
