/* exec: argument passing (this program re-executed with --echo-argv
 * prints what it received), exit statuses of other programs, and the
 * failures (missing file, not an ELF, a truncated or foreign ELF) after
 * which the caller must go on unharmed. Works in /tmp/t_exec. */
#include <stdlib.h>

#include "test.h"

#define TDIR  "t_exec"
#define SELF  "/bin/t_exec"
#define NARGS 24

static volatile long canary = 0x1234abcd;

/* The --echo-argv mode: prints argc and every argument, one a line
 * (written piece by piece: an argument may be longer than a line of
 * test_print). */
static int echo_argv(int argc, char *argv[])
{
	char head[32];

	test_print("argc=%d", argc);
	for (int i = 0; i < argc; i++) {
		int n = snprintf(head, sizeof(head), "argv[%d]=", i);
		if (write(1, head, n) != n || write_all(1, argv[i], strlen(argv[i])) < 0 ||
		    write(1, "\n", 1) != 1)
			return 4;
	}
	return argv[argc] == NULL ? 0 : 3;
}

/* Runs SELF with argv in a child, collecting its output in out.
 * Returns the child's exit status. */
static int run_capture(char *const argv[], char *out, size_t size)
{
	int fds[2], pid;
	long n;

	pipe(fds);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		close(fds[1]);
		execv(SELF, argv);
		_exit(99);
	}
	close(fds[1]);
	n = read_full(fds[0], out, size - 1);
	out[n < 0 ? 0 : n] = '\0';
	close(fds[0]);
	return test_wait_status(pid);
}

static void test_argv(void)
{
	static char out[8192], want[8192], longarg[1001];
	char *argv[NARGS + 2];
	int status, len;

	char *few[] = {"t_exec", "--echo-argv", "one", "two words", "", NULL};
	status = run_capture(few, out, sizeof(out));
	CHECK("exec-argv",
	      status == 0 && strcmp(out, "argc=5\nargv[0]=t_exec\nargv[1]=--echo-argv\n"
					 "argv[2]=one\nargv[3]=two words\nargv[4]=\n") == 0,
	      "status %d, output '%.80s'", status, out);

	/* Many arguments and a long one. */
	memset(longarg, 'L', 1000);
	argv[0] = "t_exec";
	argv[1] = "--echo-argv";
	for (int i = 2; i < NARGS; i++)
		argv[i] = i == 10 ? longarg : "arg";
	argv[NARGS] = NULL;
	len = snprintf(want, sizeof(want), "argc=%d\n", NARGS);
	for (int i = 0; i < NARGS; i++)
		len += snprintf(want + len, sizeof(want) - len, "argv[%d]=%s\n", i, argv[i]);
	status = run_capture(argv, out, sizeof(out));
	CHECK("exec-many-args", status == 0 && strcmp(out, want) == 0, "status %d, %zu bytes",
	      status, strlen(out));
}

/* Exit status of running path with no arguments in a child. */
static int run_status(const char *path)
{
	int pid = fork();

	if (pid == 0) {
		char *argv[] = {(char *)path, NULL};
		execv(path, argv);
		_exit(99);
	}
	return test_wait_status(pid);
}

/* Writes n bytes of data to path; returns 0 or -1. */
static int write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	int r;

	if (fd < 0)
		return -1;
	r = write_all(fd, data, n);
	close(fd);
	return r;
}

/* exec that fails must leave the caller as it was. */
static void expect_exec_fails(const char *name, const char *path, int err)
{
	char *argv[] = {(char *)path, NULL};
	char *heap = malloc(32);
	char survived[64];

	strcpy(heap, "still here");
	expect_errno(name, execv(path, argv), err);
	snprintf(survived, sizeof(survived), "%s-survives", name);
	CHECK(survived, canary == 0x1234abcd && strcmp(heap, "still here") == 0 && getpid() > 0,
	      "the caller's memory changed");
	free(heap);
}

static void test_exec_failures(void)
{
	static uint8_t elf[256 << 10];
	long n;
	int fd;

	CHECK("exec-true", run_status("/bin/true") == 0);
	CHECK("exec-false", run_status("/bin/false") == 1);

	expect_exec_fails("exec-enoent", "/bin/no-such-program", ENOENT);
	expect_exec_fails("exec-enoent-dir", "/no/such/dir/prog", ENOENT);
	CHECK("exec-directory", execv("/bin", (char *[]){"bin", NULL}) == -1);

	write_file("script", "#!/bin/sh\necho hi\n", 18);
	expect_exec_fails("exec-not-elf", "script", ENOEXEC);
	write_file("empty", "", 0);
	expect_exec_fails("exec-empty-file", "empty", ENOEXEC);

	fd = open(SELF, O_RDONLY);
	n = read_full(fd, elf, sizeof(elf));
	close(fd);
	if (!CHECK("exec-read-self", n > 4096 && n < (long)sizeof(elf), "read %ld bytes of " SELF,
		   n))
		return;
	write_file("hdronly", elf, 64);
	expect_exec_fails("exec-elf-header-only", "hdronly", ENOEXEC);
	write_file("half", elf, n / 2);
	expect_exec_fails("exec-elf-truncated", "half", ENOEXEC);
	elf[18] = 0x3e; /* e_machine: x86-64, not RISC-V */
	write_file("foreign", elf, n);
	expect_exec_fails("exec-elf-foreign", "foreign", ENOEXEC);

	unlink("script");
	unlink("empty");
	unlink("hdronly");
	unlink("half");
	unlink("foreign");
}

int main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "--echo-argv") == 0)
		return echo_argv(argc, argv);
	if (test_enter_tmp(TDIR) < 0)
		return 1;
	test_argv();
	test_exec_failures();
	test_leave_tmp(TDIR);
	return test_done();
}
