/* runtests [NAME...]: the system-test runner that init starts with
 * mode=test. Runs every /bin/t_* program (or the ones named) one after
 * another, echoes their output, counts the `PASS ` and `FAIL ` lines, and
 * after each test checks that free memory came back exactly, i.e.
 * that the kernel freed everything the test used and nothing else moved.
 * Ends with the line `N passed, N failed` and exits 0 only when nothing
 * failed.
 *
 * The runner itself must not allocate memory between the two counts
 * of a test: it has no malloc, uses only fixed buffers, warms up its stack
 * and the kernel's first-use allocations with one dry run, and shares no
 * page with the watchdog, which runs a fresh image of this program (a
 * forked one would make every page the runner writes during the test a
 * copy-on-write copy). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mnemo.h>

#include "include/uapi/dirent.h"
#include "test.h"

#define RUNNER_MAX_TESTS      128
#define RUNNER_TIMEOUT_TICKS  (60 * 100)  /* per test: 60 s */
#define RUNNER_FUZZ_TICKS     (150 * 100) /* t_fuzz: 90 s of rounds, then its last */
#define RUNNER_PRESSURE_TICKS (180 * 100) /* p_*: more than RAM through the disk */
#define RUNNER_MAX_PROCS      TEST_MAX_PROCS

struct runner_result {
	int passed;   /* checks that passed */
	int failed;   /* checks that failed */
	int nchecks;  /* names in runner_checks */
	int repeats;  /* lines that named a check already counted */
	int status;   /* the test's exit status */
	int timedout; /* the watchdog killed it */
};

/* The checks the current test has reported, by name, so that each counts
 * once (runner_count_check). */
#define RUNNER_MAX_CHECKS 1024
#define RUNNER_CHECK_NAME 64
static struct runner_check {
	char name[RUNNER_CHECK_NAME];
	int failed;
} runner_checks[RUNNER_MAX_CHECKS];

static char runner_names[RUNNER_MAX_TESTS][MNEMO_DIRSIZ + 1];
static int runner_count;
static struct mnemo_procinfo runner_procs[RUNNER_MAX_PROCS];

static int runner_is_test_name(const char *name)
{
	return strncmp(name, "t_", 2) == 0;
}

/* Fills runner_names with the /bin/t_* programs, sorted. Returns 0 or -1. */
static int runner_find_tests(void)
{
	struct mnemo_dirent de;
	int fd = open("/bin", O_RDONLY);

	if (fd < 0) {
		test_print("runtests: cannot open /bin: %s", strerror(errno));
		return -1;
	}
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		char name[MNEMO_DIRSIZ + 1];

		if (de.inum == 0)
			continue;
		memcpy(name, de.name, MNEMO_DIRSIZ);
		name[MNEMO_DIRSIZ] = '\0';
		if (!runner_is_test_name(name))
			continue;
		if (runner_count == RUNNER_MAX_TESTS) {
			test_print("runtests: more than %d tests; ignoring %s", RUNNER_MAX_TESTS,
				   name);
			continue;
		}
		/* Insertion sort: a few dozen names. */
		int i = runner_count++;
		while (i > 0 && strcmp(runner_names[i - 1], name) > 0) {
			strcpy(runner_names[i], runner_names[i - 1]);
			i--;
		}
		strcpy(runner_names[i], name);
	}
	close(fd);
	return 0;
}

/* Kills pid and every descendant of it, so that no grandchild keeps the
 * output pipe open after the test is gone. Children are found through
 * procinfo's ppid, before the kill reparents them to init. */
static void runner_kill_tree(int pid)
{
	int n = procinfo(runner_procs, RUNNER_MAX_PROCS);
	int tree[RUNNER_MAX_PROCS];
	int ntree = 0;

	if (n > RUNNER_MAX_PROCS)
		n = RUNNER_MAX_PROCS;
	tree[ntree++] = pid;
	for (int i = 0; i < ntree; i++)
		for (int j = 0; j < n && ntree < RUNNER_MAX_PROCS; j++)
			if (runner_procs[j].ppid == tree[i] && runner_procs[j].pid != tree[i])
				tree[ntree++] = runner_procs[j].pid;
	for (int i = 0; i < ntree; i++)
		kill(tree[i], SIGKILL);
}

/* The watchdog (`runtests --watchdog DEADLINE FD`, a child of the runner):
 * says it is running its own image by closing FD, then at the deadline
 * (in ticks since boot) kills every other child of the runner, the test,
 * with all its descendants. The runner kills the watchdog once the test
 * has ended. */
static int runner_watchdog(int argc, char *argv[])
{
	int deadline = argc > 2 ? atoi(argv[2]) : 0;

	if (argc > 3)
		close(atoi(argv[3]));
	while (uptime() < deadline)
		sleep(1);
	int n = procinfo(runner_procs, RUNNER_MAX_PROCS);
	int pids[RUNNER_MAX_PROCS], npids = 0;
	for (int i = 0; i < n && i < RUNNER_MAX_PROCS; i++)
		if (runner_procs[i].ppid == getppid() && runner_procs[i].pid != getpid())
			pids[npids++] = runner_procs[i].pid;
	for (int i = 0; i < npids; i++)
		runner_kill_tree(pids[i]);
	return 0;
}

/* Starts the watchdog for a test ending at deadline; returns its pid
 * once it runs its own image (so that it shares no page with us), or -1. */
static int runner_start_watchdog(int deadline)
{
	char when[16], fd[16];
	char *argv[] = {"runtests", "--watchdog", when, fd, NULL};
	int ready[2], pid;
	char c;

	if (pipe(ready) < 0)
		return -1;
	snprintf(when, sizeof(when), "%d", deadline);
	snprintf(fd, sizeof(fd), "%d", ready[1]);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		execv("/bin/runtests", argv);
		_exit(127);
	}
	close(ready[1]);
	/* EOF: the new image closed its end (or the exec failed and the
	 * child exited). */
	while (pid > 0 && read(ready[0], &c, 1) > 0)
		;
	close(ready[0]);
	return pid;
}

/* Counts the check named by name[0..n) once in r, however many lines
 * report it (a helper called twice, a child and its parent both saying
 * it): a name seen before adds nothing, except that a FAIL turns its
 * earlier PASS into a failure. */
static void runner_count_check(struct runner_result *r, const char *name, size_t n, int failed)
{
	if (n > RUNNER_CHECK_NAME - 1)
		n = RUNNER_CHECK_NAME - 1;
	for (int i = 0; i < r->nchecks; i++) {
		struct runner_check *c = &runner_checks[i];
		if (strncmp(c->name, name, n) != 0 || c->name[n] != '\0')
			continue;
		r->repeats++;
		if (failed && !c->failed) {
			c->failed = 1;
			r->passed--;
			r->failed++;
		}
		return;
	}
	/* Past the table's end a check is counted without being remembered. */
	if (r->nchecks < RUNNER_MAX_CHECKS) {
		struct runner_check *c = &runner_checks[r->nchecks++];
		memcpy(c->name, name, n);
		c->name[n] = '\0';
		c->failed = failed;
	}
	if (failed)
		r->failed++;
	else
		r->passed++;
}

/* Feeds one line of the test's output: echo, and count `PASS name` and
 * `FAIL name: why`. */
static void runner_line(struct runner_result *r, const char *line, size_t n)
{
	char out[260];

	if (n > sizeof(out) - 1)
		n = sizeof(out) - 1;
	memcpy(out, line, n);
	out[n] = '\n';
	(void)!write(1, out, n + 1);
	if (n < 5 || (memcmp(line, "PASS ", 5) != 0 && memcmp(line, "FAIL ", 5) != 0))
		return;
	int failed = line[0] == 'F';
	size_t len = 0;
	while (5 + len < n && line[5 + len] != ' ' && line[5 + len] != '\r' &&
	       !(failed && line[5 + len] == ':'))
		len++;
	runner_count_check(r, line + 5, len, failed);
}

static char runner_buf[1024];
static char runner_linebuf[256];

/* Reads the test's output until every writer has closed the pipe. */
static void runner_collect(int fd, struct runner_result *r)
{
	char *buf = runner_buf, *line = runner_linebuf;
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(runner_buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || len == sizeof(runner_linebuf)) {
				runner_line(r, line, len);
				len = 0;
				if (buf[i] == '\n')
					continue;
			}
			line[len++] = buf[i];
		}
	}
	if (len > 0)
		runner_line(r, line, len);
}

/* The ticks test name may run before its watchdog kills it. */
static int runner_timeout(const char *name)
{
	if (strcmp(name, "t_fuzz") == 0)
		return RUNNER_FUZZ_TICKS;
	return strncmp(name, "p_", 2) == 0 ? RUNNER_PRESSURE_TICKS : RUNNER_TIMEOUT_TICKS;
}

/* Runs /bin/NAME with argv and fills r. Returns 0, or -1 if it could not
 * be started at all. */
static int runner_run(const char *name, char *const argv[], struct runner_result *r)
{
	char path[8 + MNEMO_DIRSIZ];
	int fds[2];
	int pid, dog, deadline;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "/bin/%s", name);
	deadline = uptime() + runner_timeout(name);
	dog = runner_start_watchdog(deadline);
	if (dog < 0)
		test_print("runtests: no watchdog for %s: %s", name, strerror(errno));
	if (pipe(fds) < 0) {
		test_print("FAIL %s: runner: pipe: %s", name, strerror(errno));
		pid = -1;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		test_print("FAIL %s: runner: fork: %s", name, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[1]);
		execv(path, argv);
		test_print("FAIL %s: exec %s: %s", name, path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);

	runner_collect(fds[0], r);
	close(fds[0]);
	r->status = -1;
	if (waitpid(pid, &r->status, MNEMO_WAIT_RAW) != pid)
		test_print("runtests: waitpid %d: %s", pid, strerror(errno));
	/* The watchdog acts only after the deadline; asking it how it ended
	 * would race with its exit. */
	r->timedout = uptime() >= deadline;
out:
	if (dog > 0) {
		kill(dog, SIGKILL);
		waitpid(dog, NULL, 0);
	}
	return pid < 0 ? -1 : 0;
}

/* Runs one test program with the leak check; adds to the totals. The
 * two counts are taken once the machine has settled (test_settle: the
 * test and its orphans reaped, the crypto server idle) and must be
 * equal: less free memory is a leak, more means the test freed something
 * it did not make, either way a bug. */
static void runner_test(const char *name, int *passed, int *failed)
{
	char *argv[] = {(char *)name, NULL};
	struct runner_result r;
	long before = test_settle();
	int start = uptime();
	long after;

	test_print("--- %s", name);
	if (before < 0)
		test_print("runtests: did not settle before %s: %s", name, test_settle_why);
	if (runner_run(name, argv, &r) < 0) {
		(*failed)++;
		return;
	}
	if (r.timedout) {
		test_print("FAIL %s: timed out after %d s", name, runner_timeout(name) / 100);
		r.failed++;
	} else if (r.status != 0 && r.failed == 0) {
		test_print("FAIL %s: exited with status %d", name, r.status);
		r.failed++;
	} else if (r.passed == 0 && r.failed == 0) {
		test_print("FAIL %s: reported no checks", name);
		r.failed++;
	}

	after = test_settle();
	if (before < 0 || after < 0) {
		test_print("FAIL %s-leak: cannot count free memory: %s", name, test_settle_why);
		r.failed++;
	} else if (after != before) {
		char why[80];

		test_free_diff(why, sizeof(why), before, after);
		test_print("FAIL %s-leak: %s", name, why);
		r.failed++;
	}
	if (r.repeats)
		test_print("runtests: %d lines of %s named a check it had reported already; each "
			   "check counted once",
			   r.repeats, name);
	int ticks = uptime() - start;
	test_print("--- %s: %d passed, %d failed, %d.%02d s", name, r.passed, r.failed, ticks / 100,
		   ticks % 100);
	*passed += r.passed;
	*failed += r.failed;
}

/* One dry run of the whole machinery (this program with --noop, which
 * prints one line), so that the runner's own stack pages and the kernel's
 * first-use allocations (the pipe, /tmp's first directory block) are not
 * counted as a leak of the first test. It starts once the services the
 * kernel starts at boot have settled (the crypto server runs a self-test
 * in a child). */
static void runner_warm_up(void)
{
	char *argv[] = {"runtests", "--noop", NULL};
	struct runner_result r;

	/* Touch every static buffer now (a lazy pager maps them on first use). */
	memset(runner_procs, 0, sizeof(runner_procs));
	memset(runner_buf, 0, sizeof(runner_buf));
	memset(runner_linebuf, 0, sizeof(runner_linebuf));
	memset(runner_checks, 0, sizeof(runner_checks));
	mkdir("/tmp", 0777);
	if (mkdir("/tmp/.warm", 0777) == 0)
		unlink("/tmp/.warm");
	test_settle();
	runner_run("runtests", argv, &r);
}

int main(int argc, char *argv[])
{
	int passed = 0, failed = 0;

	if (argc > 1 && strcmp(argv[1], "--noop") == 0) {
		test_print("(runtests: warm-up)");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--watchdog") == 0)
		return runner_watchdog(argc, argv);

	if (argc > 1) {
		for (int i = 1; i < argc && runner_count < RUNNER_MAX_TESTS; i++)
			snprintf(runner_names[runner_count++], MNEMO_DIRSIZ + 1, "%s", argv[i]);
	} else if (runner_find_tests() < 0) {
		failed++;
	}
	if (runner_count == 0) {
		test_print("runtests: no test programs found");
		failed++;
	}

	runner_warm_up();
	for (int i = 0; i < runner_count; i++)
		runner_test(runner_names[i], &passed, &failed);

	/* test_settle's rules should leave nothing to wait for but the count
	 * itself: say so if the count moved when they held. */
	if (test_settle_moves)
		test_print("runtests: free memory moved %d times after the machine had settled",
			   test_settle_moves);
	test_print("%d passed, %d failed", passed, failed);
	return failed == 0 ? 0 : 1;
}
