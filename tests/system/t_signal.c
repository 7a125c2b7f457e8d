/* Signals: handlers, masks, sigsuspend, default actions and wait
 * statuses, faults caught by a handler, interrupted calls (EINTR and
 * SA_RESTART), alarm, sigreturn's restoring of every register, and the
 * errors a hostile caller gets. Each part that could disturb the runner
 * (a signal to a group, a killed process) runs in a child. */
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "include/uapi/syscall.h"
#include "test.h"

/* The kernel's (Linux's) numbers, which test.h does not name. */
#define EPERM_KERNEL 1
#define ESRCH_KERNEL 3

static volatile sig_atomic_t hits, last_sig, depth, max_depth;
static volatile siginfo_t last_info;

static void count(int sig)
{
	hits++;
	last_sig = sig;
}

static void with_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_sig = sig;
	last_info = *si;
}

static int set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

static int set_info_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {.sa_sigaction = fn, .sa_flags = flags | SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* Blocks sig; the mask before goes in *old. 0 or -1. */
static int block_signal(int sig, sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigprocmask(SIG_BLOCK, &set, old);
}

/* The POSIX status of child pid (plain waitpid, not the raw one). */
static int posix_status(int pid)
{
	int status = -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Waits until pid sleeps in the kernel (procinfo says so): the handshake
 * before a signal that must find it blocked in a call. 0, or -1 after
 * 5 s. */
static int wait_sleeping(int pid)
{
	for (int i = 0; i < 500; i++) {
		if (test_thread_sleeping(pid))
			return 0;
		usleep(10000);
	}
	return -1;
}

static void test_handlers(void)
{
	hits = 0;
	CHECK("sigaction", set_handler(SIGUSR1, count, 0) == 0, "%s", strerror(errno));
	CHECK("raise-runs-handler", raise(SIGUSR1) == 0 && hits == 1 && last_sig == SIGUSR1,
	      "hits %d, sig %d", hits, last_sig);

	hits = 0;
	set_info_handler(SIGUSR2, with_info, 0);
	raise(SIGUSR2);
	CHECK("siginfo-from-raise",
	      hits == 1 && last_info.si_signo == SIGUSR2 && last_info.si_code == SI_TKILL &&
		  last_info.si_pid == getpid(),
	      "hits %d, signo %d, code %d, pid %d", hits, last_info.si_signo, last_info.si_code,
	      last_info.si_pid);
	hits = 0;
	kill(getpid(), SIGUSR2);
	CHECK("siginfo-from-kill",
	      hits == 1 && last_info.si_signo == SIGUSR2 && last_info.si_code == SI_USER &&
		  last_info.si_pid == getpid(),
	      "hits %d, signo %d, code %d, pid %d", hits, last_info.si_signo, last_info.si_code,
	      last_info.si_pid);

	struct sigaction old;
	CHECK("sigaction-old", sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == count);
	CHECK("signal-returns-old", signal(SIGUSR1, SIG_DFL) == count);

	/* Ignored, explicitly or by default: nothing happens. */
	signal(SIGUSR1, SIG_IGN);
	CHECK("ignored-survives", raise(SIGUSR1) == 0);
	CHECK("sigchld-default-ignored", raise(SIGCHLD) == 0 && raise(SIGWINCH) == 0);
	signal(SIGUSR1, SIG_DFL);

	/* SA_RESETHAND: once, then the default again. */
	hits = 0;
	set_handler(SIGUSR1, count, SA_RESETHAND);
	raise(SIGUSR1);
	CHECK("resethand", hits == 1 && signal(SIGUSR1, SIG_DFL) == SIG_DFL);
}

static void nested(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (hits++ == 0)
		raise(sig); /* with SA_NODEFER it runs inside this one */
	depth--;
}

static void test_nodefer(void)
{
	hits = depth = max_depth = 0;
	set_handler(SIGUSR1, nested, 0);
	raise(SIGUSR1);
	CHECK("deferred-while-handling", hits == 2 && max_depth == 1, "hits %d, depth %d", hits,
	      max_depth);
	hits = depth = max_depth = 0;
	set_handler(SIGUSR1, nested, SA_NODEFER);
	raise(SIGUSR1);
	CHECK("nodefer-nests", hits == 2 && max_depth == 2, "hits %d, depth %d", hits, max_depth);
	signal(SIGUSR1, SIG_DFL);
}

static void test_masks(void)
{
	sigset_t set, old, pending;
	hits = 0;
	set_handler(SIGUSR1, count, 0);
	CHECK("block", block_signal(SIGUSR1, &old) == 0);
	raise(SIGUSR1);
	raise(SIGUSR1); /* the classic signals do not queue */
	CHECK("blocked-not-delivered", hits == 0);
	CHECK("sigpending", sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1) == 1);
	CHECK("unblock-delivers-once", sigprocmask(SIG_SETMASK, &old, NULL) == 0 && hits == 1,
	      "hits %d", hits);
	sigpending(&pending);
	CHECK("pending-cleared", sigismember(&pending, SIGUSR1) == 0);

	/* SIGKILL and SIGSTOP cannot be blocked, caught or ignored. */
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, &old);
	sigprocmask(SIG_SETMASK, NULL, &set);
	CHECK("kill-stop-unblockable", !sigismember(&set, SIGKILL) && !sigismember(&set, SIGSTOP) &&
					   sigismember(&set, SIGINT));
	sigprocmask(SIG_SETMASK, &old, NULL);
	expect_errno("catch-sigkill", set_handler(SIGKILL, count, 0), EINVAL);
	expect_errno("ignore-sigstop", signal(SIGSTOP, SIG_IGN) == SIG_ERR ? -1 : 0, EINVAL);
	expect_errno("sigaction-bad-signal", set_handler(NSIG, count, 0), EINVAL);
	expect_errno("sigaction-signal-0", set_handler(0, count, 0), EINVAL);
	expect_errno("sigprocmask-bad-how", sigprocmask(7, &set, NULL), EINVAL);
	signal(SIGUSR1, SIG_DFL);
}

/* The handler's mask: sa_mask and the signal itself are blocked while it
 * runs, and the old mask is back after it returns. */
static volatile int usr2_blocked_inside;
static void look_at_mask(int sig)
{
	sigset_t now;
	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &now);
	usr2_blocked_inside = sigismember(&now, SIGUSR2) && sigismember(&now, SIGUSR1);
}

static void test_handler_mask(void)
{
	struct sigaction sa = {.sa_handler = look_at_mask};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK("handler-mask",
	      usr2_blocked_inside && !sigismember(&now, SIGUSR2) && !sigismember(&now, SIGUSR1));
	signal(SIGUSR1, SIG_DFL);
}

/* Default actions, as the parent's wait sees them. */
static int die_of(long sig)
{
	raise((int)sig);
	return 99; /* not reached for a deadly one */
}

static void test_default_actions(void)
{
	int pid = fork();
	if (pid == 0)
		_exit(die_of(SIGTERM));
	int st = posix_status(pid);
	CHECK("sigterm-kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !WIFEXITED(st),
	      "status %#x", st);

	pid = fork();
	if (pid == 0)
		_exit(300);
	st = posix_status(pid);
	CHECK("exit-status-posix", WIFEXITED(st) && WEXITSTATUS(st) == 300 % 256, "status %#x", st);

	pid = fork();
	if (pid == 0)
		for (;;)
			;
	kill(pid, SIGKILL);
	st = posix_status(pid);
	CHECK("sigkill-status", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);

	/* A fault with no handler: SIGSEGV, and the kernel's one line. */
	pid = fork();
	if (pid == 0) {
		*(volatile int *)0 = 1;
		_exit(0);
	}
	st = posix_status(pid);
	CHECK("fault-status-sigsegv", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x", st);

	pid = fork();
	if (pid == 0) {
		__asm__ volatile(".word 0"); /* an illegal instruction */
		_exit(0);
	}
	st = posix_status(pid);
	CHECK("illegal-status-sigill", WIFSIGNALED(st) && WTERMSIG(st) == SIGILL, "status %#x", st);

	/* mnemo's raw status (xv6's): -1 for a killed child. */
	pid = fork();
	if (pid == 0)
		_exit(die_of(SIGTERM));
	CHECK("raw-status-killed", test_wait_status(pid) == -1);
}

/* A fault that a handler resolves: it maps the page writable and returns,
 * and the store runs again. */
static char *fault_page;
static volatile int fault_code;
static volatile void *fault_addr;

static void fix_fault(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	mprotect(fault_page, TEST_PAGE, PROT_READ | PROT_WRITE);
}

static void test_fault_handler(void)
{
	fault_page = mmap(NULL, TEST_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hits = 0;
	set_info_handler(SIGSEGV, fix_fault, 0);
	((volatile char *)fault_page)[123] = 42;
	CHECK("segv-handler-retries", hits == 1 && fault_page[123] == 42, "hits %d", hits);
	CHECK("segv-accerr", fault_code == SEGV_ACCERR && fault_addr == fault_page + 123,
	      "code %d, addr %p (page %p)", fault_code, (void *)fault_addr, fault_page);
	munmap(fault_page, TEST_PAGE);
	signal(SIGSEGV, SIG_DFL);
}

/* MAPERR, checked with a handler that leaves the process by exit. */
static void exit_on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	_exit(si->si_code == SEGV_MAPERR && si->si_addr == fault_page ? 40 : 41);
}

static void test_maperr(void)
{
	fault_page = mmap(NULL, TEST_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(fault_page, TEST_PAGE);
	int pid = fork();
	if (pid == 0) {
		set_info_handler(SIGSEGV, exit_on_fault, 0);
		*(volatile char *)fault_page = 1;
		_exit(42);
	}
	int st = posix_status(pid);
	CHECK("segv-maperr", WIFEXITED(st) && WEXITSTATUS(st) == 40, "status %#x", st);

	/* A fault inside the SIGSEGV handler (blocked there): death. */
	pid = fork();
	if (pid == 0) {
		set_info_handler(SIGSEGV, with_info, 0);
		struct sigaction sa;
		sigaction(SIGSEGV, NULL, &sa);
		sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))(uintptr_t)fault_page;
		sigaction(SIGSEGV, &sa, NULL); /* a handler that is not there */
		*(volatile char *)fault_page = 1;
		_exit(0);
	}
	st = posix_status(pid);
	CHECK("fault-in-handler-kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x",
	      st);
}

/* sigsuspend, with the signal blocked until the wait: no race. */
static void test_sigsuspend(void)
{
	sigset_t old, none;
	hits = 0;
	set_handler(SIGUSR1, count, 0);
	block_signal(SIGUSR1, &old);
	int parent = getpid();
	int pid = fork();
	if (pid == 0)
		_exit(kill(parent, SIGUSR1) == 0 ? 0 : 1);
	sigemptyset(&none);
	int r = sigsuspend(&none);
	int e = errno;
	sigset_t after;
	sigprocmask(SIG_BLOCK, NULL, &after);
	CHECK("sigsuspend", r == -1 && e == EINTR && hits == 1 && sigismember(&after, SIGUSR1),
	      "returned %d errno %d, hits %d", r, e, hits);
	waitpid(pid, NULL, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* A read blocked on a pipe: EINTR without SA_RESTART; with it, the read
 * goes on and returns the byte written after the signal. The handler
 * tells the child that it ran, through a second pipe: then the child
 * writes the byte. */
static int handled_fd;
static void note_handled(int sig)
{
	(void)sig;
	hits++;
	write(handled_fd, "h", 1);
}

static int read_pipe(long restart)
{
	int data[2], handled[2];
	char c = 0;
	pipe(data);
	pipe(handled);
	handled_fd = handled[1];
	set_handler(SIGUSR1, note_handled, restart ? SA_RESTART : 0);
	int parent = getpid();
	int pid = fork();
	if (pid == 0) {
		close(data[0]);
		if (wait_sleeping(parent) < 0)
			_exit(1);
		kill(parent, SIGUSR1);
		if (read(handled[0], &c, 1) == 1)
			write(data[1], "x", 1);
		_exit(0);
	}
	close(data[1]);
	hits = 0;
	long r = read(data[0], &c, 1);
	int e = errno;
	waitpid(pid, NULL, 0);
	close(data[0]);
	if (restart)
		return r == 1 && c == 'x' && hits == 1 ? 0 : 10 + (int)r;
	return r == -1 && e == EINTR && hits == 1 ? 0 : 20 + (int)r;
}

static void test_interrupted_calls(void)
{
	int st = test_in_child(read_pipe, 0);
	CHECK("read-eintr", st == 0, "child status %d", st);
	st = test_in_child(read_pipe, 1);
	CHECK("read-sa-restart", st == 0, "child status %d", st);
}

static void on_alarm(int sig)
{
	(void)sig;
	hits++;
}

static int alarm_then_pause(long unused)
{
	(void)unused;
	hits = 0;
	set_handler(SIGALRM, on_alarm, 0);
	alarm(5);
	unsigned left = alarm(1);
	int r = pause();
	return r == -1 && errno == EINTR && hits == 1 && left >= 4 && left <= 5 ? 0 : 1;
}

static void test_alarm(void)
{
	CHECK("alarm-pause", test_in_child(alarm_then_pause, 0) == 0);
	int pid = fork();
	if (pid == 0) {
		alarm(1);
		for (;;)
			pause();
	}
	int st = posix_status(pid);
	CHECK("alarm-default-kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM, "status %#x", st);
}

/* sigreturn restores every register: registers hold known values across
 * an ecall (kill of myself) during which a handler runs and clobbers
 * every temporary; afterwards each must hold its value. */
static void clobber(int sig)
{
	(void)sig;
	hits++;
	__asm__ volatile("li t0, -1\n li t1, -1\n li t2, -1\n li t3, -1\n li t4, -1\n"
			 "li t5, -1\n li t6, -1\n li a1, -1\n li a2, -1\n li a3, -1\n"
			 "li a4, -1\n li a5, -1\n li a6, -1\n" ::
			     : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4",
			       "a5", "a6");
}

static void test_registers(void)
{
	uint64_t out[14];
	hits = 0;
	set_handler(SIGUSR1, clobber, 0);
	register long a0 __asm__("a0") = getpid();
	register long a1 __asm__("a1") = SIGUSR1;
	register long a7 __asm__("a7") = SYS_kill;
	register uint64_t *o __asm__("s1") = out;
	__asm__ volatile("li t0, 0x105\n li t1, 0x106\n li t2, 0x107\n li t3, 0x128\n"
			 "li t4, 0x129\n li t5, 0x130\n li t6, 0x131\n li a2, 0x112\n"
			 "li a3, 0x113\n li a4, 0x114\n li a5, 0x115\n li a6, 0x116\n"
			 "ecall\n"
			 "sd t0, 0(s1)\n sd t1, 8(s1)\n sd t2, 16(s1)\n sd t3, 24(s1)\n"
			 "sd t4, 32(s1)\n sd t5, 40(s1)\n sd t6, 48(s1)\n sd a1, 56(s1)\n"
			 "sd a2, 64(s1)\n sd a3, 72(s1)\n sd a4, 80(s1)\n sd a5, 88(s1)\n"
			 "sd a6, 96(s1)\n sd a7, 104(s1)\n"
			 : "+r"(a0), "+r"(a1), "+r"(a7)
			 : "r"(o)
			 : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a2", "a3", "a4", "a5", "a6",
			   "memory");
	static const uint64_t want[14] = {0x105,   0x106, 0x107, 0x128, 0x129, 0x130, 0x131,
					  SIGUSR1, 0x112, 0x113, 0x114, 0x115, 0x116, SYS_kill};
	int bad = -1;
	for (int i = 0; i < 14 && bad < 0; i++)
		if (out[i] != want[i])
			bad = i;
	CHECK("sigreturn-restores-registers", hits == 1 && a0 == 0 && bad < 0,
	      "hits %d, a0 %ld, register %d is %#lx", hits, a0, bad, bad < 0 ? 0 : out[bad]);
	signal(SIGUSR1, SIG_DFL);
}

/* A handler may change the registers it returns to (ucontext). */
static void skip_insn(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ctx;
	uc->uc_mcontext.gregs[REG_PC] += 4; /* past the faulting sw (4 bytes) */
	hits++;
}

static void test_ucontext(void)
{
	hits = 0;
	set_info_handler(SIGSEGV, skip_insn, 0);
	volatile int *p = (volatile int *)0;
	__asm__ volatile(".option push\n .option norvc\n sw zero, 0(%0)\n .option pop" ::"r"(p)
			 : "memory");
	CHECK("ucontext-pc", hits == 1, "hits %d", hits);
	signal(SIGSEGV, SIG_DFL);
}

/* A frame the kernel cannot push (sp points nowhere): death, explained. */
static int bad_stack(long unused)
{
	(void)unused;
	set_handler(SIGUSR1, count, 0);
	register long a0 __asm__("a0") = getpid();
	register long a1 __asm__("a1") = SIGUSR1;
	register long a7 __asm__("a7") = SYS_kill;
	__asm__ volatile("mv s2, sp\n li sp, 0x400\n ecall\n mv sp, s2"
			 : "+r"(a0)
			 : "r"(a1), "r"(a7)
			 : "s2", "memory");
	return 0;
}

/* sigreturn with no frame at sp: death, never the kernel's trouble. */
static int bogus_sigreturn(long unused)
{
	(void)unused;
	register long a7 __asm__("a7") = SYS_sigreturn;
	__asm__ volatile("mv s2, sp\n li sp, 0x3000000000\n ecall\n mv sp, s2" ::"r"(a7)
			 : "s2", "a0", "memory");
	return 0;
}

static void test_hostile(void)
{
	int pid = fork();
	if (pid == 0)
		_exit(bad_stack(0));
	int st = posix_status(pid);
	CHECK("bad-stack-kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x", st);
	pid = fork();
	if (pid == 0)
		_exit(bogus_sigreturn(0));
	st = posix_status(pid);
	CHECK("bogus-sigreturn-kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x",
	      st);

	CHECK("sigaction-bad-act", test_syscall(SYS_sigaction, SIGUSR1, 0x10, 0) == -KERR_EFAULT);
	CHECK("sigaction-bad-old",
	      test_syscall(SYS_sigaction, SIGUSR1, 0, (long)0xffffffc080200000ul) == -KERR_EFAULT);
	CHECK("sigprocmask-bad-set",
	      test_syscall(SYS_sigprocmask, SIG_BLOCK, 8, 0) == -KERR_EFAULT);
	CHECK("sigpending-bad", test_syscall(SYS_sigpending, 8, 0, 0) == -KERR_EFAULT);
	expect_errno("kill-bad-signal", kill(getpid(), NSIG), EINVAL);
	expect_errno("kill-negative-signal", kill(getpid(), -1), EINVAL);
	expect_errno("kill-init", kill(1, SIGTERM), EPERM);
	expect_errno("kill-no-such", kill(30000, SIGTERM), ESRCH);
	CHECK("kill-0-exists", kill(getpid(), 0) == 0);
	CHECK("tkill-bad-tid", test_syscall(SYS_tkill, 0, SIGUSR1, 0) == -KERR_EINVAL &&
				   test_syscall(SYS_tkill, -5, SIGUSR1, 0) == -KERR_EINVAL);
	CHECK("tkill-bad-signal", test_syscall(SYS_tkill, getpid(), NSIG, 0) == -KERR_EINVAL);
	CHECK("tkill-init", test_syscall(SYS_tkill, 1, SIGTERM, 0) == -EPERM_KERNEL);
	CHECK("tkill-no-such", test_syscall(SYS_tkill, 30000, SIGTERM, 0) == -ESRCH_KERNEL);
	expect_errno("kill-0-no-such", kill(30000, 0), ESRCH);
}

/* fork: handlers and mask are inherited, pending signals are not; exec:
 * handlers go back to the default, ignored signals stay ignored. */
static int exec_child_report(void)
{
	struct sigaction a, b;
	sigaction(SIGUSR1, NULL, &a);
	sigaction(SIGUSR2, NULL, &b);
	return a.sa_handler == SIG_DFL && b.sa_handler == SIG_IGN ? 0 : 1;
}

static void test_fork_exec(void)
{
	sigset_t old, pending;
	hits = 0;
	set_handler(SIGUSR1, count, 0);
	block_signal(SIGUSR1, &old);
	raise(SIGUSR1);
	int pid = fork();
	if (pid == 0) {
		sigset_t mask;
		struct sigaction a;
		sigpending(&pending);
		sigprocmask(SIG_BLOCK, NULL, &mask);
		sigaction(SIGUSR1, NULL, &a);
		_exit(!sigismember(&pending, SIGUSR1) && sigismember(&mask, SIGUSR1) &&
			      a.sa_handler == count
			  ? 0
			  : 1);
	}
	CHECK("fork-inherits", test_wait_status(pid) == 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK("parent-keeps-pending", hits == 1);

	signal(SIGUSR2, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"t_signal", "--exec-report", NULL};
		execv("/bin/t_signal", argv);
		_exit(2);
	}
	CHECK("exec-resets-handlers", test_wait_status(pid) == 0);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* SIGCHLD to a parent with a handler, with the child's pid and status. */
static void test_sigchld(void)
{
	sigset_t old, none;
	hits = 0;
	set_info_handler(SIGCHLD, with_info, 0);
	block_signal(SIGCHLD, &old);
	int pid = fork();
	if (pid == 0)
		_exit(7);
	sigemptyset(&none);
	sigsuspend(&none);
	CHECK("sigchld",
	      hits == 1 && last_info.si_pid == pid && last_info.si_code == CLD_EXITED &&
		  last_info.si_status == 7,
	      "hits %d, pid %d (want %d), code %d, status %d", hits, last_info.si_pid, pid,
	      last_info.si_code, last_info.si_status);
	waitpid(pid, NULL, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGCHLD, SIG_DFL);
}

/* SIGSTOP stops; SIGCONT lets it go on. */
static void test_stop_cont(void)
{
	int fds[2];
	pipe(fds);
	int pid = fork();
	if (pid == 0) {
		close(fds[0]);
		raise(SIGSTOP);
		write(fds[1], "c", 1);
		_exit(0);
	}
	close(fds[1]);
	int stopped = wait_sleeping(pid) == 0;
	kill(pid, SIGCONT);
	char c = 0;
	long r = read(fds[0], &c, 1);
	close(fds[0]);
	CHECK("stop-then-continue", stopped && r == 1 && c == 'c' && test_wait_status(pid) == 0);
}

/* Signals that land while their process faults pages in, by the
 * thousand: each fault completes, the handler (which faults pages of its
 * own in) runs between them, and every byte written is still there. */
#define STORM_PAGES 1024
static char *storm_area, *storm_handler_area;
static volatile int storm_handled;

static void storm_handler(int sig)
{
	(void)sig;
	/* A fault inside the handler, on a page of its own. */
	storm_handler_area[(storm_handled % 64) * TEST_PAGE] = (char)storm_handled;
	storm_handled++;
}

static int storm_child(int ready_fd)
{
	storm_area = mmap(NULL, STORM_PAGES * TEST_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	storm_handler_area =
	    mmap(NULL, 64 * TEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (storm_area == MAP_FAILED || storm_handler_area == MAP_FAILED)
		return 1;
	set_handler(SIGUSR1, storm_handler, SA_RESTART);
	write(ready_fd, "r", 1);
	for (int round = 0; round < 4; round++) {
		for (long i = 0; i < STORM_PAGES; i++)
			test_pattern_fill((uint8_t *)storm_area + i * TEST_PAGE, 64, round, i * 64);
		for (long i = 0; i < STORM_PAGES; i++)
			if (test_pattern_diff((uint8_t *)storm_area + i * TEST_PAGE, 64, round,
					      i * 64) >= 0)
				return 2;
		/* Pages go and come back: the next round faults them in again. */
		munmap(storm_area, STORM_PAGES * TEST_PAGE);
		if (mmap(storm_area, STORM_PAGES * TEST_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != storm_area)
			return 3;
	}
	return storm_handled > 0 ? 0 : 4;
}

static void test_signal_storm(void)
{
	int ready[2];
	pipe(ready);
	int pid = fork();
	if (pid == 0) {
		close(ready[0]);
		_exit(storm_child(ready[1]));
	}
	close(ready[1]);
	char c;
	int sent = 0, st = TEST_NO_CHILD, r = 0;
	if (read(ready[0], &c, 1) == 1)
		while ((r = waitpid(pid, &st, WNOHANG | MNEMO_WAIT_RAW)) == 0 &&
		       kill(pid, SIGUSR1) == 0)
			sent++;
	close(ready[0]);
	if (r != pid)
		st = test_wait_status(pid);
	CHECK("signals-during-faults", sent > 0 && st == 0, "child status %d after %d signals", st,
	      sent);
}

int main(int argc, char *argv[])
{
	if (argc > 1 && strcmp(argv[1], "--exec-report") == 0)
		return exec_child_report();
	test_handlers();
	test_nodefer();
	test_masks();
	test_handler_mask();
	test_default_actions();
	test_fault_handler();
	test_maperr();
	test_sigsuspend();
	test_interrupted_calls();
	test_alarm();
	test_registers();
	test_ucontext();
	test_hostile();
	test_fork_exec();
	test_sigchld();
	test_stop_cont();
	test_signal_storm();
	return test_done();
}
