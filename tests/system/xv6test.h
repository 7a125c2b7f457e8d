/* Helpers for the system tests that are xv6 programs: built against
 * compat/xv6 alone, as a student's xv6 program would be, with no POSIX
 * header (the two sets of declarations clash). They report as test.h's
 * tests do, one line per check, `PASS name` or `FAIL name: why`, each in
 * one write() (xv6's printf writes a line of under 256 bytes at once).
 *
 * Include the compat headers first, by their path from the repository
 * root ("compat/xv6/user/user.h"): the tests are built without
 * compat/xv6 on the include path. */
#ifndef TESTS_SYSTEM_XV6TEST_H
#define TESTS_SYSTEM_XV6TEST_H

/* A status no exit() of ours uses: "could not even fork". */
#define XV6TEST_NO_CHILD (-1000)

static int xv6test_nfailed;

/* XV6_CHECK(name, cond, fmt, ...): prints `PASS name`, or `FAIL name: `
 * and the message. Evaluates to cond (as 0/1). */
#define XV6_CHECK(name, cond, fmt, ...)                                                            \
	xv6test_report((name), !!(cond))                                                           \
	    ? 1                                                                                    \
	    : (printf("FAIL %s: " fmt "\n", (name), ##__VA_ARGS__), 0)

/* Prints the PASS line when ok; the caller prints the FAIL line. */
static inline int xv6test_report(const char *name, int ok)
{
	if (ok)
		printf("PASS %s\n", name);
	else
		xv6test_nfailed++;
	return ok;
}

/* Runs fn in a child process, which then exits with 0, and returns the
 * child's exit status: -1 when it was killed (a fault), or
 * XV6TEST_NO_CHILD. */
static inline int xv6test_in_child(void (*fn)(void))
{
	int pid = fork(), status = XV6TEST_NO_CHILD;

	if (pid < 0)
		return XV6TEST_NO_CHILD;
	if (pid == 0) {
		fn();
		exit(0);
	}
	if (wait(&status) != pid)
		return XV6TEST_NO_CHILD;
	return status;
}

/* main's return value: 1 if any check failed. */
static inline int xv6test_done(void)
{
	return xv6test_nfailed != 0;
}

#endif
