/* Process groups and sessions (kernel/proc/pgrp.c): setpgid, getpgid,
 * setsid, tcsetpgrp and tcgetpgrp, with the errors POSIX gives them, and
 * kill(0, sig) and kill(-pgid, sig) reaching exactly the group named
 * (kernel/proc/sys_signal.c). The console's Ctrl-C, which signals its
 * foreground group, is tested from the host: scripts/ctrlc-test.
 *
 * The children here wait in pause() with SIGUSR1 and SIGUSR2 at their
 * default action (the end), so a signal shows in their wait status; the
 * test itself blocks both, and sigpending() says whether a kill meant for
 * a group reached it. */
#include <signal.h>

#include "test.h"

#define NO_SUCH_PID 999999 /* well above any pid a test run reaches */

/* Pipes a child tells its parent it is ready through, and waits on for
 * the word to go. */
struct handshake {
	int ready[2], go[2];
};

static int handshake_open(struct handshake *h)
{
	if (pipe(h->ready) < 0)
		return -1;
	if (pipe(h->go) < 0) {
		close(h->ready[0]);
		close(h->ready[1]);
		return -1;
	}
	return 0;
}

static void handshake_close(struct handshake *h)
{
	close(h->ready[0]);
	close(h->ready[1]);
	close(h->go[0]);
	close(h->go[1]);
}

/* In a child: SIGUSR1 and SIGUSR2 unblocked, at their default action. */
static void child_default_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* Forks a child that joins group pgid (0: its own), says it is ready
 * and waits for signals; the parent puts it in the group too (the first
 * of the two calls to run makes it so). Returns its pid, or -1. */
static int spawn_waiter(int pgid, struct handshake *h)
{
	int pid = fork();

	if (pid == 0) {
		setpgid(0, pgid);
		child_default_signals();
		(void)!write(h->ready[1], "r", 1);
		for (;;)
			pause();
	}
	if (pid > 0) {
		setpgid(pid, pgid ? pgid : pid);
		char c;
		(void)!read(h->ready[0], &c, 1);
	}
	return pid;
}

/* Is pid, a child, still running? (Not reaped.) */
static int running(int pid)
{
	int status;
	return waitpid(pid, &status, WNOHANG) == 0;
}

/* Waits up to 5 s for child pid to end; returns the signal that ended
 * it, 0 if it exited, -1 if it could not be waited for, and -2 if it is
 * still running (a signal that missed it: *pid is then left for
 * reap_all, else set to 0). */
static int end_signal(int *pid)
{
	int status;

	for (int i = 0; i < 500; i++) {
		int r = waitpid(*pid, &status, WNOHANG);
		if (r < 0)
			return -1;
		if (r == *pid) {
			*pid = 0;
			return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		}
		usleep(10000);
	}
	return -2;
}

/* Ends and reaps the children of pids[0..n) that are left. */
static void reap_all(const int *pids, int n)
{
	for (int i = 0; i < n; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
}

/* Which of SIGUSR1 (1) and SIGUSR2 (2) are pending for the test; takes
 * them. */
static int take_pending(void)
{
	sigset_t pending;
	int got = 0;

	sigpending(&pending);
	if (sigismember(&pending, SIGUSR1))
		got |= 1;
	if (sigismember(&pending, SIGUSR2))
		got |= 2;
	/* Ignoring a signal discards it where it is pending (POSIX). */
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	return got;
}

static void test_getpgid(void)
{
	int pgrp = getpgrp();

	CHECK("getpgrp", pgrp > 0, "%d", pgrp);
	CHECK("getpgid-0-is-own", getpgid(0) == pgrp, "%d, getpgrp %d", getpgid(0), pgrp);
	CHECK("getpgid-self", getpgid(getpid()) == pgrp, "%d, getpgrp %d", getpgid(getpid()), pgrp);
	expect_errno("getpgid-esrch", getpgid(NO_SUCH_PID), ESRCH);

	/* A child starts in its parent's group. */
	int pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK("getpgid-child-inherits", getpgid(pid) == pgrp, "%d, expected %d", getpgid(pid),
	      pgrp);
	reap_all(&pid, 1);
}

static void test_setpgid(void)
{
	struct handshake h;
	int pids[3] = {0, 0, 0};

	expect_errno("setpgid-negative-pgid-einval", setpgid(0, -1), EINVAL);
	expect_errno("setpgid-not-a-child-esrch", setpgid(1, 0), ESRCH);
	expect_errno("setpgid-parent-esrch", setpgid(getppid(), 0), ESRCH);
	expect_errno("setpgid-no-such-pid-esrch", setpgid(NO_SUCH_PID, 0), ESRCH);
	CHECK_OK("setpgid-own-group-again", setpgid(0, getpgrp()));

	if (handshake_open(&h) < 0) {
		CHECK("setpgid-pipes", 0, "%s", strerror(errno));
		return;
	}
	/* A child in a new group named after it, a second joining it. */
	pids[0] = spawn_waiter(0, &h);
	CHECK("setpgid-new-group", pids[0] > 0 && getpgid(pids[0]) == pids[0], "pid %d in %d",
	      pids[0], getpgid(pids[0]));
	pids[1] = spawn_waiter(pids[0], &h);
	CHECK("setpgid-join-group", pids[1] > 0 && getpgid(pids[1]) == pids[0], "pid %d in %d",
	      pids[1], getpgid(pids[1]));
	/* Back into the parent's group, which is in the same session. */
	CHECK_OK("setpgid-back-to-parents-group", setpgid(pids[1], getpgrp()));
	CHECK("setpgid-back-moved", getpgid(pids[1]) == getpgrp(), "in %d", getpgid(pids[1]));
	expect_errno("setpgid-no-such-group-eperm", setpgid(pids[1], NO_SUCH_PID), EPERM);

	/* A session leader cannot move, nor can anything join its group
	 * from another session. */
	int fds[2];
	if (pipe(fds) == 0) {
		pids[2] = fork();
		if (pids[2] == 0) {
			int r[3];
			r[0] = setsid();
			r[1] = setpgid(0, 0) < 0 ? errno : 0;
			r[2] = setsid() < 0 ? errno : 0;
			(void)!write(fds[1], r, sizeof(r));
			for (;;)
				pause();
		}
		int r[3] = {0, 0, 0};
		(void)!read(fds[0], r, sizeof(r));
		close(fds[0]);
		close(fds[1]);
		CHECK("setsid-returns-pid", r[0] == pids[2], "%d, pid %d", r[0], pids[2]);
		CHECK("setsid-new-group", getpgid(pids[2]) == pids[2], "in %d", getpgid(pids[2]));
		CHECK("setpgid-session-leader-self-eperm", r[1] == EPERM, "errno %d", r[1]);
		CHECK("setsid-twice-eperm", r[2] == EPERM, "errno %d", r[2]);
		expect_errno("setpgid-session-leader-eperm", setpgid(pids[2], pids[2]), EPERM);
		expect_errno("setpgid-child-other-session-eperm", setpgid(pids[2], getpgrp()),
			     EPERM);
		expect_errno("setpgid-group-other-session-eperm", setpgid(pids[1], pids[2]), EPERM);
	}
	reap_all(pids, 3);
	handshake_close(&h);

	/* A group leader cannot start a session (its group would have
	 * members in two sessions). */
	int pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(setsid() < 0 && errno == EPERM ? 0 : 1);
	}
	int st = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	CHECK("setsid-group-leader-eperm", st == 0, "the child's check said %d", st);
}

/* The console's foreground group. The test runs in init's session with
 * the console as fd 0 (runtests keeps it), but opens the console itself
 * so as not to depend on that. A child in a session of its own makes its
 * group the foreground one: nothing in test mode reads the console. */
static void test_tcpgrp(void)
{
	int con = open("/dev/console", O_RDWR);
	int fds[2];

	if (!CHECK_OK("tcpgrp-open-console", con) || !CHECK_OK("tcpgrp-pipe", pipe(fds)))
		return;
	expect_errno("tcgetpgrp-pipe-enotty", tcgetpgrp(fds[0]), ENOTTY);
	expect_errno("tcsetpgrp-pipe-enotty", tcsetpgrp(fds[1], getpgrp()), ENOTTY);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		expect_errno("tcgetpgrp-devnull-enotty", tcgetpgrp(null), ENOTTY);
		close(null);
	}
	int fg = tcgetpgrp(con);
	CHECK("tcgetpgrp-console", fg >= 0, "%s", strerror(errno));
	expect_errno("tcsetpgrp-zero-einval", tcsetpgrp(con, 0), EINVAL);
	expect_errno("tcsetpgrp-negative-einval", tcsetpgrp(con, -3), EINVAL);
	expect_errno("tcsetpgrp-no-such-group-eperm", tcsetpgrp(con, NO_SUCH_PID), EPERM);

	int pid = fork();
	if (pid == 0) {
		/* r: setsid, the parent's group (another session), its own. */
		int r[4];
		r[0] = setsid() == getpid() ? 0 : errno;
		r[1] = tcsetpgrp(con, getppid()) < 0 ? errno : 0;
		r[2] = tcsetpgrp(con, getpgrp()) < 0 ? errno : 0;
		r[3] = tcgetpgrp(con);
		(void)!write(fds[1], r, sizeof(r));
		_exit(0);
	}
	int r[4] = {-1, -1, -1, -1};
	if (pid > 0)
		(void)!read(fds[0], r, sizeof(r));
	CHECK("tcpgrp-setsid", r[0] == 0, "errno %d", r[0]);
	CHECK("tcsetpgrp-other-session-eperm", r[1] == EPERM, "errno %d", r[1]);
	CHECK("tcsetpgrp-own-group", r[2] == 0, "errno %d", r[2]);
	CHECK("tcgetpgrp-reads-it-back", r[3] == pid, "%d, expected %d", r[3], pid);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	close(con);
}

/* kill(-pgid, sig) reaches every process of group pgid and nothing else;
 * kill(0, sig) from a member reaches its own group and nothing else. */
static void test_kill_group(void)
{
	struct handshake h;
	int a[2] = {0, 0}, b[2] = {0, 0}, c = 0, k = 0;

	if (handshake_open(&h) < 0) {
		CHECK("kill-group-pipes", 0, "%s", strerror(errno));
		return;
	}
	/* Groups: A = {a0, a1}, B = {b0, b1}, C = {c}, and the test's own. */
	a[0] = spawn_waiter(0, &h);
	a[1] = spawn_waiter(a[0], &h);
	b[0] = spawn_waiter(0, &h);
	b[1] = spawn_waiter(b[0], &h);
	c = spawn_waiter(0, &h);
	if (a[0] < 0 || a[1] < 0 || b[0] < 0 || b[1] < 0 || c < 0) {
		CHECK("kill-group-fork", 0, "%s", strerror(errno));
		goto out;
	}

	expect_errno("kill-no-such-group-esrch", kill(-NO_SUCH_PID, SIGUSR1), ESRCH);
	CHECK_OK("kill-group-sig-0", kill(-a[0], 0));
	CHECK("kill-group-sig-0-sends-nothing", running(a[0]) && running(a[1]), " ");

	CHECK_OK("kill-minus-pgid", kill(-a[0], SIGUSR1));
	int s0 = end_signal(&a[0]), s1 = end_signal(&a[1]);
	CHECK("kill-minus-pgid-reaches-leader", s0 == SIGUSR1, "ended by %d", s0);
	CHECK("kill-minus-pgid-reaches-member", s1 == SIGUSR1, "ended by %d", s1);
	CHECK("kill-minus-pgid-spares-others", running(b[0]) && running(b[1]) && running(c),
	      "a process outside the group ended");
	CHECK("kill-minus-pgid-spares-caller", take_pending() == 0, "the caller got it");

	/* kill(0, ...) from a child of the test put in group B: it ignores
	 * SIGUSR2 itself and reports the call's result. */
	k = fork();
	if (k == 0) {
		setpgid(0, b[0]);
		child_default_signals();
		signal(SIGUSR2, SIG_IGN);
		char ch;
		(void)!read(h.go[0], &ch, 1);
		_exit(kill(0, SIGUSR2) == 0 ? 0 : 1);
	}
	if (k > 0) {
		setpgid(k, b[0]);
		(void)!write(h.go[1], "g", 1);
	}
	int sk = k > 0 ? end_signal(&k) : -1;
	CHECK("kill-zero-ok", sk == 0, "the sender ended with signal %d", sk);
	int sb0 = end_signal(&b[0]), sb1 = end_signal(&b[1]);
	CHECK("kill-zero-reaches-group", sb0 == SIGUSR2 && sb1 == SIGUSR2, "ended by %d and %d",
	      sb0, sb1);
	CHECK("kill-zero-spares-others", running(c), "group C's process ended");
	CHECK("kill-zero-spares-parent", take_pending() == 0, "the parent got it");

	/* The test's own group: kill(0) reaches the caller (blocked: pending)
	 * and c, in a group of its own, not at all. */
	CHECK_OK("kill-zero-own-group", kill(0, SIGUSR1));
	CHECK("kill-zero-reaches-caller", take_pending() == 1, "SIGUSR1 not pending");
	CHECK("kill-zero-own-spares-others", running(c), "group C's process ended");
out:
	reap_all(a, 2);
	reap_all(b, 2);
	reap_all(&c, 1);
	if (k > 0)
		reap_all(&k, 1);
	handshake_close(&h);
}

int main(void)
{
	sigset_t set;

	/* Blocked here, so that a kill that reaches the test shows as
	 * pending rather than ending it. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A group of the test's own: kill(0, ...) must not reach the runner. */
	if (!CHECK_OK("setpgid-own-group", setpgid(0, 0)) ||
	    !CHECK("setpgid-own-group-is-pid", getpgrp() == getpid(), "in %d", getpgrp()))
		return test_done();

	test_getpgid();
	test_setpgid();
	test_tcpgrp();
	test_kill_group();
	return test_done();
}
