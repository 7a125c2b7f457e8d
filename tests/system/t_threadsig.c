/* Signals and threads together: a signal sent to the process runs in a
 * thread that does not block it; raise and pthread_kill reach the thread
 * named; a fault runs the handler in the thread that made it, or ends the
 * whole process; a deadly signal ends every thread, and wait says which
 * signal. Each case runs in a child, whose exit status is its verdict. */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "test.h"

static volatile int handler_tid, hits;
static volatile uint32_t gate; /* futex word: the main thread's go-ahead */

static void note_tid(int sig)
{
	(void)sig;
	handler_tid = gettid();
	hits++;
}

static void catch_usr1(void)
{
	struct sigaction sa = {.sa_handler = note_tid};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static void block_usr1(int how)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(how, &set, NULL);
}

/* A thread that leaves SIGUSR1 unblocked and waits until it has run its
 * handler, then reports its tid. */
static void *wait_for_usr1(void *arg)
{
	(void)arg;
	block_usr1(SIG_UNBLOCK);
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	futex_wake((uint32_t *)&gate, 1);
	while (hits == 0)
		pause();
	return (void *)(long)gettid();
}

/* kill() to the process, blocked by the main thread: the other thread
 * takes it. */
static int process_signal_to_unblocked_thread(long unused)
{
	(void)unused;
	pthread_t t;
	void *ret;
	catch_usr1();
	block_usr1(SIG_BLOCK); /* inherited by the thread, which unblocks */
	if (pthread_create(&t, NULL, wait_for_usr1, NULL) != 0)
		return 1;
	while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0)
		futex_wait((uint32_t *)&gate, 0);
	kill(getpid(), SIGUSR1);
	pthread_join(t, &ret);
	return hits == 1 && handler_tid == (int)(long)ret && handler_tid != gettid() ? 0 : 2;
}

/* raise() in a thread runs the handler there. */
static void *raise_here(void *arg)
{
	(void)arg;
	raise(SIGUSR1);
	return (void *)(long)gettid();
}

static int raise_in_thread(long unused)
{
	(void)unused;
	pthread_t t;
	void *ret;
	catch_usr1();
	pthread_create(&t, NULL, raise_here, NULL);
	pthread_join(t, &ret);
	return hits == 1 && handler_tid == (int)(long)ret ? 0 : 1;
}

/* pthread_kill names the thread; the main thread, which blocks nothing,
 * must not take it. (After the join the pthread_t is gone: POSIX leaves
 * its use undefined, and mnemo's lives in the freed stack.) */
static int pthread_kill_reaches(long unused)
{
	(void)unused;
	pthread_t t;
	void *ret;
	catch_usr1();
	block_usr1(SIG_BLOCK);
	pthread_create(&t, NULL, wait_for_usr1, NULL);
	block_usr1(SIG_UNBLOCK);
	while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0)
		futex_wait((uint32_t *)&gate, 0);
	if (pthread_kill(t, SIGUSR1) != 0)
		return 1;
	pthread_join(t, &ret);
	return hits == 1 && handler_tid == (int)(long)ret ? 0 : 3;
}

/* A fault in a thread, caught there: the handler fixes the page. */
static char *page;
static volatile int fault_tid;

static void fix(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_tid = gettid();
	mprotect(page, TEST_PAGE, PROT_READ | PROT_WRITE);
	(void)si;
}

static void *write_page(void *arg)
{
	(void)arg;
	((volatile char *)page)[5] = 7;
	return (void *)(long)gettid();
}

static int fault_caught_in_thread(long unused)
{
	(void)unused;
	pthread_t t;
	void *ret;
	page = mmap(NULL, TEST_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sigaction sa = {.sa_sigaction = fix, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	pthread_create(&t, NULL, write_page, NULL);
	pthread_join(t, &ret);
	return fault_tid == (int)(long)ret && page[5] == 7 ? 0 : 1;
}

/* pause() in a thread with a signal already there for it: pause returns
 * at once, having run the handler. The signal is sent while the thread
 * spins in user mode, where it cannot take it, so pause is usually its
 * first trap. Any other trap first (a timer interrupt, or a page fault on
 * the way to pause, when memory is short and its page went to swap)
 * delivers it before pause, which then rightly sleeps until the alarm:
 * the handler tells the two apart by the instruction before the pc it
 * interrupted, an ecall when it comes on the way back from pause, and
 * such a round is not counted. A pause made of sigprocmask and then
 * sigsuspend ran the handler on the way back from the first and slept in
 * the second until the alarm. */
static volatile int started, go, early, alarmed, usr1_from_call;

#define ECALL 0x00000073u

static void note_usr1_where(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)si;
	const uint32_t *pc = (const uint32_t *)((ucontext_t *)ctx)->uc_mcontext.gregs[REG_PC];
	usr1_from_call = pc[-1] == ECALL;
	hits++;
}

static void note_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static void *spin_then_pause(void *arg)
{
	(void)arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	__atomic_store_n(&started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
	if (hits)
		early++;
	else
		pause();
	return NULL;
}

static int pause_takes_pending_signal(long unused)
{
	(void)unused;
	const int rounds = 20;
	struct sigaction sa = {.sa_sigaction = note_usr1_where, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGALRM, note_alarm);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM); /* both for the thread alone */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < rounds && !alarmed; i++) {
		pthread_t t;
		hits = 0;
		started = go = 0;
		if (pthread_create(&t, NULL, spin_then_pause, NULL) != 0)
			return 1;
		while (!__atomic_load_n(&started, __ATOMIC_ACQUIRE))
			;
		alarm(1);
		if (pthread_kill(t, SIGUSR1) != 0)
			return 2;
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
		alarm(0);
		if (hits != 1)
			return 3;
		if (!usr1_from_call && alarmed) {
			early++; /* taken before pause: not this round's question */
			alarmed = 0;
		}
	}
	return alarmed ? 4 : early == rounds ? 5 : 0;
}

/* Threads that sleep for ever; the process ends only by a signal. */
static void *sleep_forever(void *arg)
{
	(void)arg;
	uint32_t never = 0;
	for (;;)
		futex_wait(&never, 0);
	return NULL;
}

static void *fault_now(void *arg)
{
	(void)arg;
	*(volatile int *)0 = 1;
	return NULL;
}

static int __attribute__((noreturn)) threads_then(long what)
{
	pthread_t t;
	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, sleep_forever, NULL);
	if (what == 1) { /* a fault in another thread, with no handler */
		pthread_create(&t, NULL, fault_now, NULL);
		pthread_join(t, NULL);
	}
	if (what == 2) /* the default action of SIGTERM, from the process itself */
		kill(getpid(), SIGTERM);
	for (;;)
		pause();
}

static int status_of_child(int (*fn)(long), long arg)
{
	int pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

int main(void)
{
	CHECK("kill-goes-to-unblocked-thread",
	      test_in_child(process_signal_to_unblocked_thread, 0) == 0);
	CHECK("raise-in-thread", test_in_child(raise_in_thread, 0) == 0);
	CHECK("pthread-kill", test_in_child(pthread_kill_reaches, 0) == 0);
	CHECK("fault-caught-in-thread", test_in_child(fault_caught_in_thread, 0) == 0);
	int r = test_in_child(pause_takes_pending_signal, 0);
	CHECK("pause-takes-pending-signal", r == 0, "child gave %d", r);

	int st = status_of_child(threads_then, 1);
	CHECK("fault-in-thread-ends-all", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x",
	      st);
	st = status_of_child(threads_then, 2);
	CHECK("sigterm-ends-all", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);

	int pid = fork();
	if (pid == 0)
		threads_then(0);
	/* Once its threads exist (procinfo counts them), SIGKILL, sent to
	 * one of its threads' ids: that names the whole process, as on
	 * Linux. */
	int other_tid = 0;
	for (int i = 0; i < 500 && !other_tid; i++) {
		int n = procinfo(test_procs, TEST_MAX_PROCS), threads = 0, tid = 0;
		for (int k = 0; k < n && k < TEST_MAX_PROCS; k++) {
			threads += test_procs[k].pid == pid;
			if (test_procs[k].pid == pid && test_procs[k].tid != pid)
				tid = test_procs[k].tid;
		}
		if (threads == 4)
			other_tid = tid;
		else
			usleep(10000);
	}
	int killed = kill(other_tid, SIGKILL);
	st = -1;
	waitpid(pid, &st, 0);
	CHECK("sigkill-by-tid-ends-all", killed == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "kill gave %d, status %#x", killed, st);
	return test_done();
}
