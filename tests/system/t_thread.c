/* Threads and <pthread.h>: many threads created and joined, each with its
 * own errno and tid and the process's pid; a counter under a mutex ends
 * exactly N*K; a condition variable hands items from a producer to
 * consumers with none lost; pthread_once runs once; keys keep a value per
 * thread and run their destructors; detached threads leave no mapping
 * behind; the leader may end first (pthread_exit) and the process lives
 * on; exit() from any thread, and kill, end every thread, and the parent
 * sees the process once; exec from a thread that is not the leader keeps
 * the pid. Each group runs in a child of its own, and its memory must all
 * come back when it is reaped. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "include/uapi/syscall.h"
#include "test.h"
#include "vmtest.h"

#define NTHREADS 24

static volatile uint32_t gate; /* threads wait on it until it is opened */

/* The bare call: futex_wait() sets errno when the gate opens just before
 * it sleeps (EAGAIN), and the threads check their errno across this. */
static void gate_wait(void)
{
	while (__atomic_load_n(&gate, __ATOMIC_ACQUIRE) == 0)
		test_syscall(SYS_futex_wait, (long)&gate, 0, 0);
}

static void gate_open(void)
{
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	futex_wake((uint32_t *)&gate, -1);
}

static volatile uint32_t arrived;

struct who {
	long index;
	int tid, pid, errno_ok;
};

/* Sets errno to its own value, waits for every other thread to have done
 * the same, and checks its errno is still its own. */
static void *who_am_i(void *arg)
{
	struct who *w = arg;

	errno = 1000 + (int)w->index;
	w->tid = gettid();
	w->pid = getpid();
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	gate_wait();
	w->errno_ok = errno == 1000 + (int)w->index;
	return (void *)(w->index * 2);
}

static void group_create_join(void)
{
	pthread_t t[NTHREADS];
	struct who w[NTHREADS];
	int created = 0, bad_ret = 0, bad_errno = 0, bad_pid = 0, dup_tid = 0;
	int maps = vm_map_count();

	errno = 7;
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct who){.index = i};
		if (pthread_create(&t[i], NULL, who_am_i, &w[i]) == 0)
			created++;
	}
	CHECK("thread-create", created == NTHREADS, "%d of %d created", created, NTHREADS);
	while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < (uint32_t)created)
		usleep(1000); /* a bounded poll: the runner's watchdog bounds it */
	gate_open();
	for (int i = 0; i < created; i++) {
		void *ret = NULL;
		if (pthread_join(t[i], &ret) != 0 || (long)ret != 2L * i)
			bad_ret++;
		bad_errno += !w[i].errno_ok;
		bad_pid += w[i].pid != getpid();
		for (int j = 0; j < i; j++)
			dup_tid += w[j].tid == w[i].tid;
		dup_tid += w[i].tid == getpid() || w[i].tid <= 0;
	}
	CHECK("thread-join-value", bad_ret == 0, "%d joins gave a wrong value", bad_ret);
	CHECK("thread-own-errno", bad_errno == 0 && errno == 7,
	      "%d threads saw another's errno; main's is %d", bad_errno, errno);
	CHECK("thread-getpid", bad_pid == 0, "%d threads had another pid", bad_pid);
	CHECK("thread-gettid", dup_tid == 0 && gettid() == getpid(),
	      "%d tids repeat or are the pid; main's tid %d pid %d", dup_tid, gettid(), getpid());
	CHECK("thread-join-unmaps", vm_map_count() == maps, "%d mappings before, %d after", maps,
	      vm_map_count());
	CHECK("thread-join-self", pthread_join(pthread_self(), NULL) == EDEADLK, "not EDEADLK");
	CHECK("thread-equal",
	      pthread_equal(pthread_self(), pthread_self()) && !pthread_equal(pthread_self(), t[0]),
	      "pthread_equal is wrong");
}

#define COUNT_THREADS 4
#define COUNT_EACH    20000

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_up(void *arg)
{
	(void)arg;
	for (int i = 0; i < COUNT_EACH; i++) {
		pthread_mutex_lock(&count_lock);
		long c = counter;
		/* A window for another thread, were the lock not held. */
		__asm__ volatile("" ::: "memory");
		counter = c + 1;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

static void group_mutex(void)
{
	pthread_t t[COUNT_THREADS];
	int n = 0;

	for (int i = 0; i < COUNT_THREADS; i++)
		n += pthread_create(&t[i], NULL, count_up, NULL) == 0;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	CHECK("mutex-counter", n == COUNT_THREADS && counter == (long)COUNT_THREADS * COUNT_EACH,
	      "%d threads, counter %ld, expected %ld", n, counter,
	      (long)COUNT_THREADS * COUNT_EACH);
	CHECK("mutex-trylock",
	      pthread_mutex_trylock(&count_lock) == 0 &&
		  pthread_mutex_trylock(&count_lock) == EBUSY &&
		  pthread_mutex_unlock(&count_lock) == 0,
	      "trylock did not lock, or locked twice");

	pthread_mutexattr_t a;
	pthread_mutex_t r;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&r, &a);
	int ok = pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == 0 &&
		 pthread_mutex_unlock(&r) == 0 && pthread_mutex_unlock(&r) == 0 &&
		 pthread_mutex_unlock(&r) == EPERM;
	CHECK("mutex-recursive", ok, "a recursive mutex did not nest");
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&r, &a);
	ok = pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == EDEADLK &&
	     pthread_mutex_unlock(&r) == 0 && pthread_mutex_unlock(&r) == EPERM;
	CHECK("mutex-errorcheck", ok, "an error-checking mutex did not say so");
}

/* A bounded queue under a mutex, two condition variables. */
#define QUEUE	  8
#define ITEMS	  3000
#define CONSUMERS 3

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_nonempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_nonfull = PTHREAD_COND_INITIALIZER;
static long q_items[QUEUE];
static int q_head, q_len;
static long consumed_sum[CONSUMERS], consumed_count[CONSUMERS];

static void *consume(void *arg)
{
	long me = (long)arg;

	for (;;) {
		pthread_mutex_lock(&q_lock);
		while (q_len == 0)
			pthread_cond_wait(&q_nonempty, &q_lock);
		long item = q_items[q_head];
		q_head = (q_head + 1) % QUEUE;
		q_len--;
		pthread_cond_signal(&q_nonfull);
		pthread_mutex_unlock(&q_lock);
		if (item < 0)
			return NULL; /* the end: one per consumer */
		consumed_sum[me] += item;
		consumed_count[me]++;
	}
}

static void produce(long item)
{
	pthread_mutex_lock(&q_lock);
	while (q_len == QUEUE)
		pthread_cond_wait(&q_nonfull, &q_lock);
	q_items[(q_head + q_len) % QUEUE] = item;
	q_len++;
	pthread_cond_signal(&q_nonempty);
	pthread_mutex_unlock(&q_lock);
}

static void group_cond(void)
{
	pthread_t t[CONSUMERS];
	int n = 0;
	long sum = 0, count = 0;

	for (long i = 0; i < CONSUMERS; i++)
		n += pthread_create(&t[i], NULL, consume, (void *)i) == 0;
	for (long i = 1; i <= ITEMS; i++)
		produce(i);
	for (int i = 0; i < n; i++)
		produce(-1);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < CONSUMERS; i++) {
		sum += consumed_sum[i];
		count += consumed_count[i];
	}
	CHECK("cond-queue",
	      n == CONSUMERS && count == ITEMS && sum == (long)ITEMS * (ITEMS + 1) / 2,
	      "%d consumers took %ld items summing %ld", n, count, sum);
	CHECK("cond-destroy", pthread_cond_destroy(&q_nonempty) == 0, "busy with no waiter");
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static volatile int once_runs, once_seen_bad;

static void once_fn(void)
{
	/* Slow enough that others arrive while it runs. */
	for (volatile int i = 0; i < 200000; i++)
		;
	once_runs++;
}

static void *call_once(void *arg)
{
	(void)arg;
	gate_wait();
	pthread_once(&once, once_fn);
	if (once_runs != 1)
		once_seen_bad++;
	return NULL;
}

static void group_once(void)
{
	pthread_t t[8];
	int n = 0;

	for (int i = 0; i < 8; i++)
		n += pthread_create(&t[i], NULL, call_once, NULL) == 0;
	gate_open();
	pthread_once(&once, once_fn);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	CHECK("once", n == 8 && once_runs == 1 && once_seen_bad == 0,
	      "ran %d times; %d threads returned before it was done", once_runs, once_seen_bad);
}

static pthread_key_t key;
static volatile int destructed, destructed_bad;

static void key_destructor(void *v)
{
	if ((long)v < 100 || (long)v >= 100 + NTHREADS)
		destructed_bad++;
	__atomic_fetch_add(&destructed, 1, __ATOMIC_SEQ_CST);
}

static void *use_key(void *arg)
{
	long i = (long)arg;
	int ok = pthread_getspecific(key) == NULL;

	pthread_setspecific(key, (void *)(100 + i));
	gate_wait();
	ok = ok && pthread_getspecific(key) == (void *)(100 + i);
	return (void *)(long)ok;
}

static void group_keys(void)
{
	pthread_t t[8];
	int n = 0, ok = 0;

	if (!CHECK("key-create", pthread_key_create(&key, key_destructor) == 0, "failed"))
		return;
	pthread_setspecific(key, (void *)77);
	for (long i = 0; i < 8; i++)
		n += pthread_create(&t[i], NULL, use_key, (void *)i) == 0;
	gate_open();
	for (int i = 0; i < n; i++) {
		void *r;
		pthread_join(t[i], &r);
		ok += (long)r;
	}
	CHECK("key-per-thread", n == 8 && ok == 8 && pthread_getspecific(key) == (void *)77,
	      "%d of %d threads kept their own value; main's is %p", ok, n,
	      pthread_getspecific(key));
	CHECK("key-destructors", destructed == 8 && destructed_bad == 0,
	      "%d destructor calls (%d with a wrong value), expected 8", destructed,
	      destructed_bad);
	pthread_key_delete(key);
	int deleted_refuses = pthread_setspecific(key, (void *)1) == EINVAL;
	pthread_key_t k2;
	pthread_key_create(&k2, NULL);
	CHECK("key-delete", pthread_getspecific(k2) == NULL && deleted_refuses,
	      "a new key reads an old value, or a deleted key takes one");
}

static volatile uint32_t detached_done;

static void *detached_body(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&detached_done, 1, __ATOMIC_SEQ_CST);
	futex_wake((uint32_t *)&detached_done, 1);
	return NULL;
}

static int thread_count(void)
{
	struct mnemo_procinfo p[TEST_MAX_PROCS];
	int n = procinfo(p, TEST_MAX_PROCS), count = 0;

	for (int i = 0; i < n && i < TEST_MAX_PROCS; i++)
		count += p[i].pid == getpid() && p[i].state != TEST_PROC_ZOMBIE;
	return count;
}

static void group_detach(void)
{
	pthread_attr_t a;
	pthread_t t;
	int maps = vm_map_count(), n = 0;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 16; i++)
		n += pthread_create(&t, &a, detached_body, NULL) == 0;
	for (;;) {
		uint32_t d = __atomic_load_n(&detached_done, __ATOMIC_SEQ_CST);
		if (d >= (uint32_t)n)
			break;
		futex_wait((uint32_t *)&detached_done, d);
	}
	/* Gone from the kernel's table once ended (nobody waits for them). */
	for (int i = 0; i < 500 && thread_count() > 1; i++)
		usleep(10000);
	CHECK("detach-ends", n == 16 && thread_count() == 1, "%d created, %d threads left", n,
	      thread_count());
	/* A joinable one, detached after it was made, and joined: the
	 * mappings of the detached ones go at the next create or join. */
	pthread_t j;
	pthread_create(&j, NULL, detached_body, NULL);
	pthread_join(j, NULL);
	CHECK("detach-unmapped", vm_map_count() == maps, "%d mappings before, %d after", maps,
	      vm_map_count());
	pthread_create(&j, NULL, detached_body, NULL);
	CHECK("detach-later",
	      pthread_detach(j) == 0 && pthread_detach(j) == EINVAL &&
		  pthread_join(j, NULL) == EINVAL,
	      "detach of a joinable thread");
}

/* Forks while detached threads end: one on its way out may hold the
 * library's lock of its list of ended threads just then, and only the
 * forking thread goes on in the child, so nobody there would unlock it.
 * The child must still make and join a thread. A child that hangs
 * fails the group by its time limit. */
static void *end_at_once(void *arg)
{
	return arg;
}

static void group_fork_while_threads_end(void)
{
	const int forks = 300;
	pthread_attr_t a;
	pthread_t t;
	int bad = 0;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < forks; i++) {
		for (int k = 0; k < 3; k++)
			pthread_create(&t, &a, end_at_once, NULL);
		int pid = fork();
		if (pid == 0) {
			pthread_t c;
			_exit(pthread_create(&c, NULL, end_at_once, NULL) == 0 &&
				      pthread_join(c, NULL) == 0
				  ? 0
				  : 1);
		}
		bad += pid < 0 || test_wait_status(pid) != 0;
	}
	CHECK("fork-while-threads-end", bad == 0, "%d of %d children could not make a thread", bad,
	      forks);
}

/* The leader ends first; the other thread lives on, then ends the
 * process with exit status 5 (or 0 by ending last with pthread_exit). */
static volatile uint32_t leader_pid;

static int leader_gone(void)
{
	struct mnemo_procinfo p[TEST_MAX_PROCS];
	int n = procinfo(p, TEST_MAX_PROCS);

	for (int i = 0; i < n && i < TEST_MAX_PROCS; i++)
		if (p[i].pid == (int)leader_pid && p[i].tid == (int)leader_pid)
			return p[i].state == TEST_PROC_ZOMBIE;
	return 0;
}

static void *outlive_leader(void *arg)
{
	for (int i = 0; i < 500 && !leader_gone(); i++)
		usleep(10000);
	if (!leader_gone() || getpid() != (int)leader_pid)
		exit(9);
	if (arg)
		exit(5);
	pthread_exit(NULL);
}

static int leader_exits_first(long exit_with_status)
{
	pthread_t t;

	leader_pid = getpid();
	if (pthread_create(&t, NULL, outlive_leader, (void *)exit_with_status) != 0)
		return 8;
	pthread_exit(NULL);
}

static void check_once_reaped(const char *name, int pid)
{
	int again = waitpid(pid, NULL, WNOHANG);
	CHECK(name, again == -1 && errno == ECHILD, "a second wait gave %d", again);
}

static void group_leader_exit(void)
{
	int pid = fork();
	if (pid == 0)
		_exit(leader_exits_first(1));
	int st = test_wait_status(pid);
	CHECK("leader-exit-first", st == 5, "status %d, expected 5 from the other thread's exit",
	      st);
	check_once_reaped("leader-exit-wait-once", pid);
	pid = fork();
	if (pid == 0)
		_exit(leader_exits_first(0));
	st = test_wait_status(pid);
	CHECK("leader-exit-last-thread", st == 0, "status %d, expected 0", st);
}

/* Threads that block forever, in the kernel and in user mode. */
static int block_pipe[2];
static volatile uint32_t blocked;

static void *block_futex(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
	uint32_t never = 0;
	while (!never)
		futex_wait(&never, 0);
	return NULL;
}

static void *block_read(void *arg)
{
	char c;
	(void)arg;
	__atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
	while (read(block_pipe[0], &c, 1) >= 0)
		;
	return NULL;
}

static void *block_spin(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
	while (!gate)
		__asm__ volatile("" ::: "memory");
	return NULL;
}

static void *exit_three(void *arg)
{
	(void)arg;
	while (__atomic_load_n(&blocked, __ATOMIC_SEQ_CST) < 3)
		usleep(1000);
	exit(3);
}

/* Starts the three blockers; with exiter, a fourth thread that calls
 * exit(3) once they run; main then joins one (blocking forever). */
static int blockers(long exiter)
{
	pthread_t t;

	if (pipe(block_pipe) < 0)
		return 10;
	pthread_create(&t, NULL, block_futex, NULL);
	pthread_create(&t, NULL, block_read, NULL);
	pthread_create(&t, NULL, block_spin, NULL);
	if (exiter) {
		pthread_t e;
		pthread_create(&e, NULL, exit_three, NULL);
	} else {
		while (__atomic_load_n(&blocked, __ATOMIC_SEQ_CST) < 3)
			usleep(1000);
		/* The parent kills us once it reads this byte. */
		char c = 1;
		(void)!write(3, &c, 1);
	}
	pthread_join(t, NULL);
	return 11;
}

static void group_exit_all(void)
{
	int pid = fork();
	if (pid == 0)
		_exit(blockers(1));
	int st = test_wait_status(pid);
	CHECK("exit-ends-all", st == 3, "status %d, expected 3 from a thread's exit()", st);
	check_once_reaped("exit-wait-once", pid);
}

static void group_kill_all(void)
{
	int p[2];
	char c;

	if (pipe(p) < 0)
		return;
	int pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 3);
		_exit(blockers(0));
	}
	close(p[1]);
	int got = read(p[0], &c, 1);
	close(p[0]);
	CHECK("kill-threads-running", got == 1, "the child's threads did not start");
	kill(pid, SIGKILL);
	int st = test_wait_status(pid);
	CHECK("kill-ends-all", st == -1, "status %d, expected -1", st);
	check_once_reaped("kill-wait-once", pid);
}

static void *exec_true(void *arg)
{
	char *argv[] = {"true", NULL};
	(void)arg;
	__atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&blocked, __ATOMIC_SEQ_CST) < 4)
		usleep(1000);
	execv("/bin/true", argv);
	exit(12);
}

static void group_exec(void)
{
	int pid = fork();
	if (pid == 0) {
		pthread_t t;
		pipe(block_pipe);
		pthread_create(&t, NULL, block_futex, NULL);
		pthread_create(&t, NULL, block_read, NULL);
		pthread_create(&t, NULL, block_spin, NULL);
		pthread_create(&t, NULL, exec_true, NULL);
		pthread_join(t, NULL); /* main blocks: exec must end it too */
		_exit(13);
	}
	int st = test_wait_status(pid);
	CHECK("exec-from-thread", st == 0, "status %d, expected 0 from /bin/true", st);
	check_once_reaped("exec-wait-once", pid);
}

int main(void)
{
	vm_run_group("thread-create-join", group_create_join);
	vm_run_group("thread-mutex", group_mutex);
	vm_run_group("thread-cond", group_cond);
	vm_run_group("thread-once", group_once);
	vm_run_group("thread-keys", group_keys);
	vm_run_group("thread-detach", group_detach);
	vm_run_group("thread-fork-while-threads-end", group_fork_while_threads_end);
	vm_run_group("thread-leader-exit", group_leader_exit);
	vm_run_group("thread-exit-all", group_exit_all);
	vm_run_group("thread-kill-all", group_kill_all);
	vm_run_group("thread-exec", group_exec);
	return test_done();
}
