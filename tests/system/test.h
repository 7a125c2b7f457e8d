/* Helpers for the system test programs (header only, static functions).
 *
 * A test program is a group of related checks. Each check prints one line,
 * `PASS name` or `FAIL name: why`, which /bin/runtests counts. Lines are
 * written with a single write() so that the output of a parent and its
 * children never interleaves inside a line, and no stdio buffer is ever
 * duplicated by fork().
 *
 * Exit statuses are mnemo's raw ones: wait() yields the int passed to
 * exit(), and -1 for a process that was killed or faulted. */
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

#include <mnemo.h>

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

/* The exit status of a child, waited for with waitpid (raw, mnemo's). */
static inline int test_wait_status(int pid)
{
	int status = TEST_NO_CHILD;

	if (waitpid(pid, &status, 0) != pid)
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

/* Waits until the free-page count has stayed the same for 50 ms (at most
 * 2 s): other processes (an orphan init has yet to reap, the crypto
 * server) are done with what they were doing. Take a "before" count for a
 * leak check after this. */
static inline void test_settle(void)
{
	long last = free_page_count();

	for (int still = 0, tick = 0; still < 5 && tick < 200; tick++) {
		usleep(10000);
		long now = free_page_count();
		still = now == last ? still + 1 : 0;
		last = now;
	}
}

#endif
