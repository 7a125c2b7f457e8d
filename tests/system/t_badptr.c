/* Bad pointers: every system call that takes a pointer is given 0, a
 * kernel address, -1, an unmapped user address and the byte just past the
 * heap; each must fail with EFAULT, never kill the caller nor bring the
 * kernel down. Calls are made raw (ecall), so that the library cannot
 * stand in between, each in a child of its own, whose exit status is the
 * raw result. Works in /tmp/t_badptr. */
#include "test.h"

#include "include/uapi/stat.h"
#include "include/uapi/syscall.h"

#define TDIR "t_badptr"
#define SELF "/bin/t_badptr"
#define PAGE 4096L
/* Exit status of this program when a faulty exec wrongly succeeded. */
#define EXEC_RAN 77

/* Descriptors and names the calls use, set up by main. */
static int file_fd, pipe_wr, null_fd;

static long sys(long nr, long a0, long a1, long a2)
{
	return test_syscall(nr, a0, a1, a2);
}

static long c_read(long p)
{
	return sys(SYS_read, file_fd, p, 16);
}

static long c_read0(long p)
{
	return sys(SYS_read, file_fd, p, 0);
}

static long c_write(long p)
{
	return sys(SYS_write, pipe_wr, p, 16);
}

static long c_write0(long p)
{
	return sys(SYS_write, pipe_wr, p, 0);
}

static long c_write_null(long p)
{
	return sys(SYS_write, null_fd, p, 16);
}

static long c_pipe(long p)
{
	return sys(SYS_pipe, p, 0, 0);
}

static long c_fstat(long p)
{
	return sys(SYS_fstat, file_fd, p, 0);
}

static long c_fstat_xv6(long p)
{
	return sys(SYS_fstat, file_fd, p, MNEMO_STAT_XV6);
}

static long c_open(long p)
{
	return sys(SYS_open, p, O_RDONLY, 0);
}

static long c_open_creat(long p)
{
	return sys(SYS_open, p, O_CREAT | O_WRONLY, 0);
}

static long c_mkdir(long p)
{
	return sys(SYS_mkdir, p, 0, 0);
}

static long c_chdir(long p)
{
	return sys(SYS_chdir, p, 0, 0);
}

static long c_unlink(long p)
{
	return sys(SYS_unlink, p, 0, 0);
}

static long c_link_old(long p)
{
	return sys(SYS_link, p, (long)"new", 0);
}

static long c_link_new(long p)
{
	return sys(SYS_link, (long)"file", p, 0);
}

static long c_mknod(long p)
{
	return sys(SYS_mknod, p, 2, 0);
}

static long c_exec_path(long p)
{
	char *argv[] = {"t_badptr", "--exec-ran", NULL};

	return sys(SYS_exec, p, (long)argv, 0);
}

static long c_exec_argv(long p)
{
	return sys(SYS_exec, (long)SELF, p, 0);
}

static long c_exec_arg(long p)
{
	char *argv[] = {"t_badptr", "--exec-ran", (char *)p, NULL};

	return sys(SYS_exec, (long)SELF, (long)argv, 0);
}

/* wait() stores the status of a zombie child through the pointer; a null
 * pointer is allowed there (the status is not wanted), so that case must
 * reap the child instead. */
static long c_wait(long p)
{
	int pid = fork();

	if (pid == 0)
		_exit(0);
	return sys(SYS_wait, p, -1, 0);
}

static long c_getcwd(long p)
{
	return sys(SYS_getcwd, p, 64, 0);
}

static long c_meminfo(long p)
{
	return sys(SYS_meminfo, p, 0, 0);
}

static long c_procinfo(long p)
{
	return sys(SYS_procinfo, p, 4, 0);
}

static long c_vmmaps(long p)
{
	return sys(SYS_vmmaps, 0, p, 4);
}

static const struct {
	const char *name;
	long (*call)(long p);
} calls[] = {
    {"read", c_read},
    {"read-len0", c_read0},
    {"write", c_write},
    {"write-len0", c_write0},
    {"write-devnull", c_write_null},
    {"pipe", c_pipe},
    {"fstat", c_fstat},
    {"fstat-xv6", c_fstat_xv6},
    {"open", c_open},
    {"open-creat", c_open_creat},
    {"mkdir", c_mkdir},
    {"chdir", c_chdir},
    {"unlink", c_unlink},
    {"link-old", c_link_old},
    {"link-new", c_link_new},
    {"mknod", c_mknod},
    {"exec-path", c_exec_path},
    {"exec-argv", c_exec_argv},
    {"exec-arg", c_exec_arg},
    {"wait", c_wait},
    {"getcwd", c_getcwd},
    {"meminfo", c_meminfo},
    {"procinfo", c_procinfo},
    {"vmmaps", c_vmmaps},
};

static struct {
	const char *name;
	long addr;
} addrs[] = {
    {"null", 0},     {"kernel", (long)0xffffffc080200000ul},
    {"minus1", -1},  {"unmapped", 0x3000000000l},
    {"heap-end", 0}, /* sbrk(0), set by main */
};

static int run_call(long index)
{
	int call = (int)(index / 16), addr = (int)(index % 16);

	return (int)calls[call].call(addrs[addr].addr);
}

int main(int argc, char *argv[])
{
	int fds[2];
	char name[64];

	if (argc == 0 || (argc > 1 && strcmp(argv[1], "--exec-ran") == 0))
		return EXEC_RAN;
	if (test_enter_tmp(TDIR) < 0)
		return 1;

	file_fd = open(SELF, O_RDONLY);
	null_fd = open("/dev/null", O_WRONLY);
	pipe(fds);
	pipe_wr = fds[1];
	close(open("file", O_CREAT | O_WRONLY, 0644));
	/* Align the break, so that sbrk(0) starts an unmapped page. */
	long brk = (long)sbrk(0);
	if (brk % PAGE)
		sbrk(PAGE - brk % PAGE);
	addrs[4].addr = (long)sbrk(0);

	for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
		for (size_t a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++) {
			int status = test_in_child(run_call, (long)(c * 16 + a));
			snprintf(name, sizeof(name), "badptr-%s-%s", calls[c].name, addrs[a].name);
			if (calls[c].call == c_wait && addrs[a].addr == 0) {
				CHECK(name, status > 0, "wait(0) gave %d, not a pid", status);
				continue;
			}
			/* A null element just ends argv: exec must run. */
			if (calls[c].call == c_exec_arg && addrs[a].addr == 0) {
				CHECK(name, status == EXEC_RAN, "exec gave %d", status);
				continue;
			}
			CHECK(name, status == -KERR_EFAULT, "result %d%s", status,
			      status == -1	   ? " (or the caller was killed)"
			      : status == EXEC_RAN ? " (exec ran the program)"
						   : "");
		}
	}

	/* Nothing was created under a garbage name, and the process is fine. */
	int stray = unlink("new") == 0;
	CHECK("badptr-caller-intact", getpid() > 0 && write(pipe_wr, "ok", 2) == 2);
	CHECK("badptr-no-stray-link", !stray);
	close(file_fd);
	close(null_fd);
	close(fds[0]);
	close(fds[1]);
	unlink("file");
	test_leave_tmp(TDIR);
	return test_done();
}
