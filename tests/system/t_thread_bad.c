/* thread_create against hostile arguments and limits: a missing,
 * misaligned or kernel stack, a misaligned, unmapped, read-only or kernel
 * clear-tid word give EINVAL or EFAULT and take nothing; a stack or TLS
 * pointer that is aligned but points nowhere kills the process (with its
 * one-line reason), not the kernel; a clear-tid word unmapped or made
 * read-only before the thread exits is ignored; creating threads until the
 * process table is full gives EAGAIN, and all of them can still be joined;
 * a child forked by a thread is the process's, and any thread may wait for
 * it; a join asleep while the thread forks still wakes. Every group runs in a child, and its memory
 * must all come back. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "include/uapi/syscall.h"
#include "test.h"
#include "vmtest.h"

/* user/lib/thread_start.S: thread_create, then fn(arg) in the thread. */
long __mnemo_thread_start(void *stack, void *tls, volatile uint32_t *clear_tid, void (*fn)(void *),
			  void *arg);

#define KERNEL_ADDR 0xffffffc000100000UL

static long raw_create(uint64_t stack, uint64_t tls, uint64_t ctid)
{
	return test_syscall(SYS_thread_create, (long)stack, (long)tls, (long)ctid);
}

static void group_bad_args(void)
{
	char *page = vm_anon(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
	uint64_t stack = (uint64_t)page + PAGE; /* would be fine */
	char *ro = vm_anon(NULL, PAGE, PROT_READ, 0);
	char *gone = vm_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);
	munmap(gone, PAGE);

	CHECK("create-null-stack", raw_create(0, 0, 0) == -KERR_EINVAL, "not EINVAL");
	CHECK("create-misaligned-stack", raw_create(stack - 8, 0, 0) == -KERR_EINVAL, "not EINVAL");
	CHECK("create-kernel-stack", raw_create(KERNEL_ADDR, 0, 0) == -KERR_EINVAL, "not EINVAL");
	CHECK("create-misaligned-ctid", raw_create(stack, 0, (uint64_t)page + 2) == -KERR_EINVAL,
	      "not EINVAL");
	CHECK("create-unmapped-ctid", raw_create(stack, 0, (uint64_t)gone) == -KERR_EFAULT,
	      "not EFAULT");
	CHECK("create-readonly-ctid", raw_create(stack, 0, (uint64_t)ro) == -KERR_EFAULT,
	      "not EFAULT");
	CHECK("create-kernel-ctid", raw_create(stack, 0, KERNEL_ADDR) == -KERR_EFAULT,
	      "not EFAULT");
	CHECK("create-null-ctid-page", raw_create(stack, 0, 4) == -KERR_EFAULT, "not EFAULT");
}

static volatile uint32_t forever;

static void touch_errno(void *arg)
{
	(void)arg;
	errno = 5; /* through tp */
	thread_exit(0);
}

/* In a child: a thread with an aligned stack or TLS that points nowhere;
 * the caller waits forever, so only the thread's fault can end it. */
static int bad_pointer_thread(long which)
{
	char *stack = vm_anon(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, 0);
	void *tls;
	__asm__ volatile("mv %0, tp" : "=r"(tls));
	void *sp = stack + 4 * PAGE;

	if (which == 0)
		sp = (void *)0x100000; /* unmapped, aligned */
	else
		tls = (void *)0x10;
	if (__mnemo_thread_start(sp, tls, NULL, touch_errno, NULL) < 0)
		return 3;
	while (!forever)
		futex_wait((uint32_t *)&forever, 0);
	return 4;
}

static void group_bad_pointers(void)
{
	int st = test_in_child(bad_pointer_thread, 0);
	CHECK("bad-stack-kills", st == -1, "status %d, expected -1 (killed by the fault)", st);
	st = test_in_child(bad_pointer_thread, 1);
	CHECK("bad-tls-kills", st == -1, "status %d, expected -1 (killed by the fault)", st);
}

static volatile uint32_t release;

static void exit_when_released(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&release, __ATOMIC_ACQUIRE))
		futex_wait((uint32_t *)&release, 0);
	thread_exit(0);
}

static int threads_of_me(void)
{
	struct mnemo_procinfo p[TEST_MAX_PROCS];
	int n = procinfo(p, TEST_MAX_PROCS), count = 0;

	for (int i = 0; i < n && i < TEST_MAX_PROCS; i++)
		count += p[i].pid == getpid() && p[i].state != TEST_PROC_ZOMBIE;
	return count;
}

/* In a child: the thread's clear-tid word is unmapped (0) or made
 * read-only (1) before it exits; the process goes on. */
static int ctid_goes_away(long how)
{
	char *stack = vm_anon(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, 0);
	uint32_t *ctid = vm_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);
	void *tls;
	__asm__ volatile("mv %0, tp" : "=r"(tls));

	*ctid = 1;
	/* The thread shares our TLS block: it touches no thread-local
	 * variable, and exits by the raw call. */
	if (__mnemo_thread_start(stack + 4 * PAGE, tls, ctid, exit_when_released, NULL) < 0)
		return 3;
	if (how == 0)
		munmap(ctid, PAGE);
	else
		mprotect(ctid, PAGE, PROT_READ);
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	futex_wake((uint32_t *)&release, 1);
	for (int i = 0; i < 500 && threads_of_me() > 1; i++)
		usleep(10000);
	if (threads_of_me() != 1)
		return 5;
	return how == 1 && *ctid != 1 ? 6 : 0;
}

static void group_ctid_gone(void)
{
	int st = test_in_child(ctid_goes_away, 0);
	CHECK("ctid-unmapped-ignored", st == 0, "status %d", st);
	st = test_in_child(ctid_goes_away, 1);
	CHECK("ctid-readonly-ignored", st == 0, "status %d", st);
}

static volatile uint32_t gate;

static void *wait_gate(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		futex_wait((uint32_t *)&gate, 0);
	return NULL;
}

#define MAX_THREADS 300

static void group_table_full(void)
{
	static pthread_t t[MAX_THREADS];
	pthread_attr_t a;
	int n = 0, err = 0;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
	while (n < MAX_THREADS && (err = pthread_create(&t[n], &a, wait_gate, NULL)) == 0)
		n++;
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	futex_wake((uint32_t *)&gate, -1);
	int joined = 0;
	for (int i = 0; i < n; i++)
		joined += pthread_join(t[i], NULL) == 0;
	CHECK("table-full-eagain", err == EAGAIN && n > 100 && n < MAX_THREADS,
	      "%d threads, then error %d (%s)", n, err, strerror(err));
	CHECK("table-full-joined", joined == n, "%d of %d joined", joined, n);
	/* And the table has room again. */
	pthread_t again;
	int e = pthread_create(&again, NULL, wait_gate, NULL);
	CHECK("table-full-recovers", e == 0 && pthread_join(again, NULL) == 0, "error %d", e);
}

static int fork_pipe[2];

static void *fork_child(void *arg)
{
	(void)arg;
	int pid = fork();
	if (pid == 0)
		_exit(4);
	(void)!write(fork_pipe[1], &pid, sizeof(pid));
	return NULL;
}

static volatile int joiner_tid;

/* Forks once the main thread sleeps in pthread_join on this thread's
 * word, then ends: the join's futex wait spans the fork. */
static void *fork_under_join(void *arg)
{
	(void)arg;
	for (int i = 0; i < 500 && !test_thread_sleeping(joiner_tid); i++)
		usleep(10000);
	return fork_child(NULL);
}

/* A join asleep across a fork: after the fork the thread's first write
 * to its descriptor's page (or the kernel's zeroing of the word) moves
 * the process to a copy, whose key is not the one the joiner sleeps on;
 * the copy wakes it (futex_page_copied) and it sleeps again on the new
 * key. Before that, the join slept forever. */
static void group_join_across_fork(void)
{
	pthread_t t;
	int pid = 0;

	if (pipe(fork_pipe) < 0)
		return;
	joiner_tid = gettid();
	pthread_create(&t, NULL, fork_under_join, NULL);
	int joined = pthread_join(t, NULL) == 0;
	if (read(fork_pipe[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = 0;
	int st = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	CHECK("join-across-fork", joined && st == 4, "join %d, the child's status %d", joined, st);
}

/* The child is the process's, whichever thread forked it: the main
 * thread waits for it. */
static void group_fork_from_thread(void)
{
	pthread_t t;
	int pid = 0;

	if (pipe(fork_pipe) < 0)
		return;
	pthread_create(&t, NULL, fork_child, NULL);
	if (read(fork_pipe[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = 0;
	pthread_join(t, NULL);
	int st = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	CHECK("fork-from-thread", st == 4, "main's wait for its thread's child gave %d", st);
}

int main(void)
{
	vm_run_group("thread-bad-args", group_bad_args);
	vm_run_group("thread-bad-pointers", group_bad_pointers);
	vm_run_group("thread-ctid-gone", group_ctid_gone);
	vm_run_group("thread-table-full", group_table_full);
	vm_run_group("thread-fork", group_fork_from_thread);
	vm_run_group("thread-join-fork", group_join_across_fork);
	return test_done();
}
