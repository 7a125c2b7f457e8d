/* Processes: fork, exit and wait statuses, waitpid, getpid/getppid,
 * kill, sleep and the clocks, procinfo, CPU-bound children running at
 * once, and the trap entry's own answer to trap_floor. */
#include <signal.h>

#include "include/uapi/syscall.h"

#include "test.h"

#define NCHILDREN 20
#define NBUSY	  4

static int exit_with(long status)
{
	return (int)status;
}

static int spin_forever(long unused)
{
	(void)unused;
	for (volatile long i = 0;; i++)
		;
	return 0;
}

static void test_fork_exit_wait(void)
{
	int fds[2], pid, status = 12345, parent = getpid();
	int child_pid = 0, child_ppid = 0;

	pipe(fds);
	pid = fork();
	if (pid == 0) {
		int ids[2] = {getpid(), getppid()};
		write(fds[1], ids, sizeof(ids));
		_exit(0);
	}
	CHECK("fork", pid > 0, "%s", strerror(errno));
	read(fds[0], &child_pid, sizeof(int));
	read(fds[0], &child_ppid, sizeof(int));
	close(fds[0]);
	close(fds[1]);
	CHECK("getpid-child", child_pid == pid && pid != parent, "child says %d, fork said %d",
	      child_pid, pid);
	CHECK("getppid-child", child_ppid == parent, "%d, expected %d", child_ppid, parent);
	CHECK("wait-returns-pid", wait(&status) == pid && status == 0, "status %d", status);

	CHECK("exit-0", test_in_child(exit_with, 0) == 0);
	CHECK("exit-7", test_in_child(exit_with, 7) == 7);
	CHECK("exit-minus-1", test_in_child(exit_with, -1) == -1);
	CHECK("exit-300", test_in_child(exit_with, 300) == 300);

	pid = fork();
	if (pid == 0)
		_exit(3);
	CHECK("wait-null-status", wait(NULL) == pid);
	expect_errno("wait-echild", wait(&status), ECHILD);
	expect_errno("waitpid-echild", waitpid(1, &status, 0), ECHILD);
}

/* waitpid picks its child; WNOHANG does not block. */
static void test_waitpid(void)
{
	int fast, slow, status = -5;

	slow = fork();
	if (slow == 0) {
		sleep(1);
		_exit(2);
	}
	fast = fork();
	if (fast == 0)
		_exit(1);
	CHECK("waitpid-wnohang", waitpid(slow, &status, WNOHANG) == 0);
	CHECK("waitpid-slow-first",
	      waitpid(slow, &status, 0) == slow && WIFEXITED(status) && WEXITSTATUS(status) == 2,
	      "status %#x", status);
	CHECK("waitpid-any",
	      waitpid(-1, &status, 0) == fast && WIFEXITED(status) && WEXITSTATUS(status) == 1,
	      "status %#x", status);

	/* Many children, reaped in any order, each status seen once. */
	int sum = 0, reaped = 0;
	for (int i = 0; i < NCHILDREN; i++)
		if (fork() == 0)
			_exit(i);
	for (int pid; (pid = wait(&status)) > 0; reaped++)
		sum += WEXITSTATUS(status);
	CHECK("wait-many", reaped == NCHILDREN && sum == NCHILDREN * (NCHILDREN - 1) / 2,
	      "reaped %d, sum %d", reaped, sum);
}

static void test_kill(void)
{
	int pid, status = 0, t0;

	pid = fork();
	if (pid == 0)
		spin_forever(0);
	CHECK("kill-running", kill(pid, SIGKILL) == 0, "%s", strerror(errno));
	CHECK("kill-running-status", test_wait_status(pid) == -1);

	pid = fork();
	if (pid == 0) {
		sleep(100);
		_exit(5);
	}
	sleep(1);
	t0 = uptime();
	kill(pid, SIGKILL);
	status = test_wait_status(pid);
	/* Well before the 100 s it asked for, even on a loaded host. */
	CHECK("kill-sleeping", status == -1 && uptime() - t0 < 500, "status %d after %d ticks",
	      status, uptime() - t0);

	/* A child blocked reading a pipe is killed too. */
	int fds[2];
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		char c;
		read(fds[0], &c, 1);
		_exit(6);
	}
	sleep(1);
	kill(pid, SIGKILL);
	CHECK("kill-blocked-reader", test_wait_status(pid) == -1);
	close(fds[0]);
	close(fds[1]);

	expect_errno("kill-esrch", kill(30000, SIGKILL), ESRCH);
}

static void test_clocks(void)
{
	int t0 = uptime();
	uint64_t r0 = mnemo_rdtime(), tb = mnemo_timebase();

	CHECK("timebase", tb == 10000000, "%llu Hz", (unsigned long long)tb);
	CHECK("sleep", sleep(1) == 0);
	int dt = uptime() - t0;
	uint64_t dr = mnemo_rdtime() - r0;
	/* The upper bounds leave room for a loaded host. */
	CHECK("uptime-advances", dt >= 100 && dt < 1000, "%d ticks for sleep(1)", dt);
	CHECK("rdtime-advances", dr >= tb * 99 / 100 && dr < tb * 10, "%llu ticks",
	      (unsigned long long)dr);
}

/* trap_floor returns 0 and leaves the argument registers alone, with its
 * argument 0 (the trap alone) or not (satp loaded with the kernel's table
 * and this one back on the way: a return with the kernel's still loaded
 * would fault at the first user instruction and kill the test). */
static void trap_floor_call(const char *name, long arg)
{
	register long a0 __asm__("a0") = arg;
	register long a1 __asm__("a1") = 101;
	register long a2 __asm__("a2") = 102;
	register long a3 __asm__("a3") = 103;
	register long a4 __asm__("a4") = 104;
	register long a5 __asm__("a5") = 105;
	register long a6 __asm__("a6") = 106;
	register long a7 __asm__("a7") = SYS_trap_floor;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6),
			   "+r"(a7)
			 :
			 : "memory");
	CHECK(name,
	      a0 == 0 && a1 == 101 && a2 == 102 && a3 == 103 && a4 == 104 && a5 == 105 &&
		  a6 == 106 && a7 == SYS_trap_floor,
	      "a0..a7 = %ld %ld %ld %ld %ld %ld %ld %ld", a0, a1, a2, a3, a4, a5, a6, a7);
}

static void test_trap_floor_call(void)
{
	trap_floor_call("trap-floor", 0);
	trap_floor_call("switch-floor", 1);
	/* Many in a row, with memory used between: each comes back to
	 * this process's own pages. */
	static volatile long words[512];
	long bad = 0;
	for (long i = 0; i < 2000; i++) {
		words[i % 512] = i;
		mnemo_switch_floor();
		bad += words[i % 512] != i;
	}
	CHECK("switch-floor-keeps-memory", bad == 0, "%ld words changed", bad);
}

/* trap.S answers trap_floor for an ecall only: a timer interrupt that
 * arrives while a7 happens to hold its number must resume the program
 * where it stopped, not one instruction on. Two counters go up in turn
 * for 50 ms (several ticks of the timer); a skipped instruction leaves
 * them apart, or sends the program astray, which fails the run too. */
static void test_trap_floor_interrupted(void)
{
	uint64_t until = mnemo_rdtime() + mnemo_timebase() / 20;
	register long a7 __asm__("a7") = SYS_trap_floor;
	long x = 0, y = 0, now;

	__asm__ volatile("1:\n\t"
			 "addi %0, %0, 1\n\t"
			 "addi %1, %1, 1\n\t"
			 "addi %0, %0, 1\n\t"
			 "addi %1, %1, 1\n\t"
			 "rdtime %2\n\t"
			 "bltu %2, %3, 1b"
			 : "+r"(x), "+r"(y), "=&r"(now)
			 : "r"(until), "r"(a7));
	CHECK("trap-floor-not-on-interrupt", x == y, "counters %ld and %ld", x, y);
}

static void test_procinfo(void)
{
	struct mnemo_procinfo pi[64];
	int n = procinfo(pi, 64), me = -1;

	for (int i = 0; i < n && i < 64; i++)
		if (pi[i].pid == getpid())
			me = i;
	CHECK("procinfo", n >= 2 && me >= 0, "%d processes, self %s", n,
	      me >= 0 ? "found" : "missing");
	CHECK("procinfo-self",
	      me >= 0 && pi[me].ppid == getppid() &&
		  strncmp(pi[me].name, "t_proc", MNEMO_PROC_NAME) == 0,
	      "name '%.16s'", me >= 0 ? pi[me].name : "");
	CHECK("procinfo-max-0", procinfo(pi, 0) == n);
}

/* A grandchild whose parent exits is adopted by init (pid 1). */
static void test_orphan(void)
{
	int fds[2], ppid = 0;

	pipe(fds);
	int pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			close(fds[0]);
			for (int i = 0; i < 10 && getppid() != 1; i++)
				sleep(1);
			int p = getppid();
			write(fds[1], &p, sizeof(p));
			_exit(0);
		}
		_exit(0);
	}
	close(fds[1]);
	test_wait_status(pid);
	CHECK("orphan-adopted-by-init",
	      read(fds[0], &ppid, sizeof(ppid)) == sizeof(ppid) && ppid == 1, "ppid %d", ppid);
	close(fds[0]);
}

/* Work whose result the parent can check: 4 such children at once. */
static int busy(long seed)
{
	uint32_t x = (uint32_t)seed;

	for (long i = 0; i < 20000000; i++)
		x = x * 1103515245u + 12345u;
	return (int)(x & 0x7f);
}

static void test_busy_children(void)
{
	int pids[NBUSY], ok = 0, t0 = uptime();

	for (int i = 0; i < NBUSY; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(busy(i + 1));
	}
	for (int i = 0; i < NBUSY; i++)
		ok += pids[i] > 0 && test_wait_status(pids[i]) == busy(i + 1);
	CHECK("busy-children", ok == NBUSY, "%d of %d correct", ok, NBUSY);
	test_print("t_proc: %d CPU-bound children took %d ticks", NBUSY, uptime() - t0);
}

int main(void)
{
	test_fork_exit_wait();
	test_waitpid();
	test_kill();
	test_clocks();
	test_trap_floor_call();
	test_trap_floor_interrupted();
	test_procinfo();
	test_orphan();
	test_busy_children();
	return test_done();
}
