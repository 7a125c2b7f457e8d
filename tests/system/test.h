/* Helpers for the system test programs (header only, static functions).
 *
 * A test program is a group of related checks. Each check prints one line,
 * `PASS name` or `FAIL name: why`, which /bin/runtests counts. Lines are
 * written with a single write() so that the output of a parent and its
 * children never interleaves inside a line, and no stdio buffer is ever
 * duplicated by fork().
 *
 * Exit statuses here are mnemo's raw ones: waitpid() with MNEMO_WAIT_RAW
 * yields the int passed to exit(), and -1 for a process that a signal
 * ended (killed or faulted). Tests of the POSIX status use WIFEXITED and
 * its kin on a plain wait. */
#ifndef TESTS_SYSTEM_TEST_H
#define TESTS_SYSTEM_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <crypto.h>
#include <mnemo.h>

/* mnemo's page size (meminfo's page_size). */
#define TEST_PAGE 4096L

/* A status no exit() of ours uses: "could not even fork". */
#define TEST_NO_CHILD (-1000)

static int test_nfailed;

/* Writes a whole formatted line to fd 1 in one write(). */
static inline void test_vprint(const char *fmt, va_list ap)
{
	char line[512];
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);

	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(1, line, n);
}

static inline void __attribute__((format(printf, 1, 2))) test_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_vprint(fmt, ap);
	va_end(ap);
}

/* Reports one check: `PASS name`, or `FAIL name: why` (why is a printf
 * format; leading spaces are dropped). Returns ok. */
static inline int __attribute__((format(printf, 3, 4)))
test_report(const char *name, int ok, const char *why, ...)
{
	char msg[400];
	va_list ap;

	if (ok) {
		test_print("PASS %s", name);
		return 1;
	}
	va_start(ap, why);
	vsnprintf(msg, sizeof(msg), why, ap);
	va_end(ap);
	/* CHECK prefixes a space so that its format is never empty. */
	const char *m = msg + strspn(msg, " ");
	test_print("FAIL %s: %s", name, m[0] ? m : "check failed");
	test_nfailed++;
	return 0;
}

/* CHECK(name, cond, fmt, ...): the message is printed only on failure.
 * Evaluates to cond (as 0/1), so a test can stop early on a failure. */
#define CHECK(name, cond, ...) test_report((name), !!(cond), " " __VA_ARGS__)

/* Checks that a system call succeeded (did not return -1); on failure the
 * message names the errno. Evaluates to the success. */
#define CHECK_OK(name, result)                                                                     \
	test_report((name), (long)(result) != -1, "%s failed: %s", #result, strerror(errno))

/* Checks that result is -1 with errno err. Call it as
 * expect_errno("name", open("/nope", O_RDONLY), ENOENT): errno is read
 * after the call has been evaluated. */
static inline int expect_errno(const char *name, long result, int err)
{
	int e = errno;

	if (result == -1 && e == err)
		return test_report(name, 1, " ");
	if (result != -1)
		return test_report(name, 0, "returned %ld, expected -1 with errno %d (%s)", result,
				   err, strerror(err));
	return test_report(name, 0, "errno %d (%s), expected %d (%s)", e, strerror(e), err,
			   strerror(err));
}

/* The exit status of a child, waited for with waitpid: the raw one,
 * mnemo's (MNEMO_WAIT_RAW). */
static inline int test_wait_status(int pid)
{
	int status = TEST_NO_CHILD;

	if (waitpid(pid, &status, MNEMO_WAIT_RAW) != pid)
		return TEST_NO_CHILD;
	return status;
}

/* Runs fn(arg) in a child process and returns the child's exit status:
 * what fn returned, -1 if the child was killed or faulted, TEST_NO_CHILD
 * if fork failed. Used to test that something kills only the child. */
static inline int test_in_child(int (*fn)(long), long arg)
{
	int pid = fork();

	if (pid < 0)
		return TEST_NO_CHILD;
	if (pid == 0)
		_exit(fn(arg));
	return test_wait_status(pid);
}

/* Runs the program argv[0] with argv, input on its stdin (fed by a writer
 * child, so that neither side can block the other) and its stdout and
 * stderr into out (at most out_max bytes, *out_len of them filled).
 * Returns its exit status, or TEST_NO_CHILD. */
static inline int test_run(char *const argv[], const void *input, size_t in_len, uint8_t *out,
			   size_t out_max, size_t *out_len)
{
	int in[2], res[2];
	size_t got = 0;
	long n;

	*out_len = 0;
	if (pipe(in) < 0)
		return TEST_NO_CHILD;
	if (pipe(res) < 0) {
		close(in[0]);
		close(in[1]);
		return TEST_NO_CHILD;
	}
	int pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		dup2(res[1], 2);
		close(in[0]);
		close(in[1]);
		close(res[0]);
		close(res[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	int writer = fork();
	if (writer == 0) {
		close(res[0]);
		_exit(write_all(in[1], input, in_len) == 0 ? 0 : 1);
	}
	close(in[0]);
	close(in[1]);
	close(res[1]);
	while (got < out_max && (n = read(res[0], out + got, out_max - got)) > 0)
		got += (size_t)n;
	close(res[0]);
	*out_len = got;
	if (writer > 0)
		test_wait_status(writer);
	return pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
}

/* Spins for us microseconds without a system call, so that a partner
 * waits that long (for timing a race's window, never as a handshake). */
static inline void test_spin_us(uint64_t us)
{
	uint64_t until = mnemo_rdtime() + mnemo_timebase() / 1000000 * us;
	while (mnemo_rdtime() < until)
		;
}

/* Whole reads and writes: read_full() and write_all() from <mnemo.h>. */

/* A reproducible byte stream: byte i of stream seed. Writers fill with it,
 * readers compare against it, so a lost, repeated or reordered block is
 * caught, not only a changed sum. Bytes come in 64-bit words, stored
 * little-endian (as RISC-V does), so whole words can be filled at once. */
static inline uint64_t test_pattern_word(uint32_t seed, uint64_t k)
{
	uint64_t x = k * 0x9e3779b97f4a7c15ull + seed;

	x ^= x >> 29;
	return x;
}

static inline uint8_t test_pattern_byte(uint32_t seed, uint64_t i)
{
	return (uint8_t)(test_pattern_word(seed, i >> 3) >> ((i & 7) * 8));
}

static inline void test_pattern_fill(uint8_t *buf, size_t n, uint32_t seed, uint64_t offset)
{
	size_t i = 0;

	for (; i < n && ((offset + i) & 7); i++)
		buf[i] = test_pattern_byte(seed, offset + i);
	for (; i + 8 <= n; i += 8) {
		uint64_t w = test_pattern_word(seed, (offset + i) >> 3);
		memcpy(buf + i, &w, 8);
	}
	for (; i < n; i++)
		buf[i] = test_pattern_byte(seed, offset + i);
}

/* Index of the first byte that differs from the pattern, or -1. */
static inline long test_pattern_diff(const uint8_t *buf, size_t n, uint32_t seed, uint64_t offset)
{
	size_t i = 0;

	for (; i < n && ((offset + i) & 7); i++)
		if (buf[i] != test_pattern_byte(seed, offset + i))
			return (long)i;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = test_pattern_word(seed, (offset + i) >> 3);
		if (memcmp(buf + i, &w, 8) != 0)
			break;
	}
	for (; i < n; i++)
		if (buf[i] != test_pattern_byte(seed, offset + i))
			return (long)i;
	return -1;
}

/* A running checksum (Fletcher-like, so the order of bytes matters). */
struct test_sum {
	uint64_t a, b;
};

static inline void test_sum_add(struct test_sum *s, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->a += buf[i];
		s->b += s->a;
	}
}

static inline uint64_t test_sum_value(const struct test_sum *s)
{
	return s->b ^ (s->a << 40);
}

/* Makes the directory /tmp/NAME (removing a leftover empty one first) and
 * makes it the working directory, so that a test's files stay together.
 * Returns 0 or -1. */
static inline int test_enter_tmp(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/%s", name);
	unlink(path);
	if (mkdir(path, 0777) < 0 || chdir(path) < 0) {
		test_report("tmpdir", 0, "cannot create and enter %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Leaves /tmp/NAME and removes it; it must be empty by then. */
static inline void test_leave_tmp(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/%s", name);
	if (chdir("/") < 0 || unlink(path) < 0)
		test_report("tmpdir-cleanup", 0, "cannot remove %s: %s", path, strerror(errno));
}

/* A raw system call, bypassing the library: returns the kernel's a0,
 * i.e. the result or -errno with Linux's numbers (include/uapi/errno.h),
 * which picolibc's errno.h numbers differ from for some names. */
static inline long test_syscall(long nr, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a7 __asm__("a7") = nr;

	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
	return r_a0;
}

/* Error numbers as the kernel returns them (Linux's, include/uapi/errno.h),
 * for checking raw results; picolibc's errno values differ for some. */
#define KERR_ENOENT  2
#define KERR_EBADF   9
#define KERR_EFAULT  14
#define KERR_EEXIST  17
#define KERR_ENOTDIR 20
#define KERR_EINVAL  22
#define KERR_ENOSYS  38

/* The status a test program exits with: 0 when every check passed. */
static inline int test_done(void)
{
	return test_nfailed ? 1 : 0;
}

/* ---------------------------------------------------------------- settling
 *
 * Leak checks compare free memory exactly, in both directions: free
 * pages plus the unused space in the kernel's slabs, in bytes
 * (free_memory_bytes). Counting pages alone would be exact for user
 * memory but not for kernel objects: a process's records that a test
 * frees and makes again can land on a slab page shared with records that
 * live on, and leave one page more or fewer in use with nothing leaked.
 * A count is taken only once nothing the caller set going is still
 * letting go of memory. That is the case when:
 *   - the caller has no child, running or zombie (a process frees its
 *     memory when it exits, its kernel stack when it is reaped);
 *   - there is no orphan: every child of init (PID 1) is the caller, one
 *     of its ancestors or the crypto server (an orphan's pages go when it
 *     exits and init reaps it);
 *   - the crypto server (PID 2) is asleep with no child: it sleeps only
 *     while it waits for a request, and by then it has unmapped the last
 *     one and freed the page tables under it (its self-test at boot forks
 *     a child), or while the kernel waits to start it again after a crash
 *     (then it has no memory at all, and is about to take some);
 *   - and then free memory holds still for TEST_SETTLE_STILL
 *     samples 10 ms apart. Nothing else in the kernel frees pages later
 *     (a page goes back when its last reference does, page tables after
 *     their fence, at once; per-hart page caches count as free), so this
 *     only catches a process the rules above do not see; test_settle_moves
 *     counts the times it did. */

#define TEST_MAX_PROCS	   256 /* the kernel's NPROC */
#define TEST_SETTLE_TICKS  500 /* a killed process with 100 MiB takes its time */
#define TEST_SETTLE_STILL  2
#define TEST_PROC_SLEEPING 1
#define TEST_PROC_ZOMBIE   4

static struct mnemo_procinfo test_procs[TEST_MAX_PROCS];
static char test_settle_why[128]; /* why the last test_settle() gave up */
static int test_settle_moves;	  /* counts that moved while all was quiet */

/* Whether pid is the caller or one of its ancestors, among the n
 * processes in test_procs. */
static inline int test_is_ancestor(int n, int pid)
{
	int cur = getpid();

	for (int depth = 0; cur > 0 && depth <= n; depth++) {
		int parent = 0;

		if (cur == pid)
			return 1;
		for (int i = 0; i < n; i++)
			if (test_procs[i].pid == cur)
				parent = test_procs[i].ppid;
		cur = parent;
	}
	return 0;
}

/* Whether the processes are quiet (the first three rules above); if
 * not, test_settle_why says who is not. */
/* Is the thread (or process) with this tid asleep in the kernel, as
 * procinfo says? The handshake before poking a thread that must be
 * blocked in a call. Uses test_procs: one caller at a time. */
static inline int test_thread_sleeping(int tid)
{
	int n = procinfo(test_procs, TEST_MAX_PROCS);

	for (int i = 0; i < n && i < TEST_MAX_PROCS; i++)
		if (test_procs[i].tid == tid)
			return test_procs[i].state == TEST_PROC_SLEEPING;
	return 0;
}

static inline int test_procs_quiet(void)
{
	int n = procinfo(test_procs, TEST_MAX_PROCS);
	int me = getpid();

	if (n < 0 || n > TEST_MAX_PROCS) {
		snprintf(test_settle_why, sizeof(test_settle_why), "procinfo gave %d", n);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const struct mnemo_procinfo *p = &test_procs[i];
		const char *what = NULL;

		if (p->ppid == me)
			what = p->state == TEST_PROC_ZOMBIE ? "child not reaped" : "child running";
		else if (p->pid == CRYPTO_SERVER_PID && p->state != TEST_PROC_SLEEPING)
			what = "crypto server busy";
		else if (p->pid == CRYPTO_SERVER_PID && p->mem_bytes + p->swap_bytes == 0)
			what = "crypto server restarting";
		else if (p->ppid == CRYPTO_SERVER_PID)
			what = "crypto server's child";
		else if (p->ppid == 1 && p->pid != CRYPTO_SERVER_PID &&
			 !test_is_ancestor(n, p->pid))
			what =
			    p->state == TEST_PROC_ZOMBIE ? "orphan not reaped" : "orphan running";
		if (what) {
			snprintf(test_settle_why, sizeof(test_settle_why), "%s: pid %d (%.16s)",
				 what, p->pid, p->name);
			return 0;
		}
	}
	return 1;
}

/* Waits (TEST_SETTLE_TICKS at most) until the machine is settled, as
 * above, and returns free memory in bytes then; -1 if it did not settle,
 * with the reason in test_settle_why. Call it for both counts of a leak
 * check (test_check_free does the second). */
static inline long test_settle(void)
{
	static int warm;
	int deadline = uptime() + TEST_SETTLE_TICKS;
	long last = -1;
	int still = 0;

	/* procinfo fills only as many records as there are processes: map
	 * the whole buffer now, not between two counts. */
	if (!warm) {
		memset(test_procs, 0, sizeof(test_procs));
		warm = 1;
	}
	for (;;) {
		if (test_procs_quiet()) {
			long now = free_memory_bytes();

			if (last >= 0 && now != last) {
				test_settle_moves++;
				snprintf(test_settle_why, sizeof(test_settle_why),
					 "free memory kept moving (%ld, then %ld bytes)", last,
					 now);
			}
			still = now == last ? still + 1 : 0;
			last = now;
			if (still == TEST_SETTLE_STILL)
				return now;
		} else {
			last = -1;
			still = 0;
		}
		if (uptime() >= deadline)
			return -1;
		usleep(10000);
	}
}

/* What a leak check says when free memory went from before to after
 * (bytes, as test_settle returns them): how much was not freed, or how
 * much more is free than before (memory freed that was not taken). */
static inline void test_free_diff(char *buf, size_t size, long before, long after)
{
	long diff = after < before ? before - after : after - before;
	const char *what = after < before ? "not freed" : "more free than before";

	if (diff % TEST_PAGE == 0)
		snprintf(buf, size, "%ld pages %s", diff / TEST_PAGE, what);
	else
		snprintf(buf, size, "%ld bytes %s", diff, what);
}

/* The leak check: settles and checks that free memory is before (a
 * count test_settle returned), exactly. Returns whether it is. */
static inline int test_check_free(const char *name, long before)
{
	long after = test_settle();
	char why[80];

	if (before < 0 || after < 0)
		return test_report(name, 0, "did not settle %s: %s",
				   before < 0 ? "before" : "after", test_settle_why);
	test_free_diff(why, sizeof(why), before, after);
	return test_report(name, after == before, "%s", why);
}

#endif
