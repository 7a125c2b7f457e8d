/* The benchmarks of threads, included by runbench.c, each beside its
 * process-based counterpart:
 *
 *   thread create+join          vs fork+exit+wait
 *   futex ping-pong, 2 threads  vs the pipe ping-pong between processes
 *   mutex+condvar handoff       vs the futex ping-pong
 *
 * Each ping-pong or handoff round trip is two sleeps and two wakeups in
 * the kernel. */
#include <pthread.h>

static void *bench_thread_nothing(void *arg)
{
	return arg;
}

/* µs for pthread_create + pthread_join of a thread that returns at once
 * (x1000: ns). */
static uint64_t bench_thread_create_join(void)
{
	const long n = 200;
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, bench_thread_nothing, NULL) != 0 ||
		    pthread_join(t, NULL) != 0)
			return 0;
	}
	/* ms x1000 = µs, as fork+exit+wait's row */
	return bench_ns(mnemo_rdtime() - t0) / n / 1000;
}

/* The word the two threads pass back and forth: 0 for main's turn, 1 for
 * the other's, 2 to stop. */
static volatile uint32_t bench_turn;

static void *bench_futex_partner(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t t = __atomic_load_n(&bench_turn, __ATOMIC_ACQUIRE);
		if (t == 2)
			return NULL;
		if (t == 0) {
			futex_wait((uint32_t *)&bench_turn, 0);
			continue;
		}
		__atomic_store_n(&bench_turn, 0, __ATOMIC_RELEASE);
		futex_wake((uint32_t *)&bench_turn, 1);
	}
}

static uint64_t bench_futex_pingpong(void)
{
	const long n = 2000;
	pthread_t t;
	uint64_t t0, ns;

	bench_turn = 0;
	if (pthread_create(&t, NULL, bench_futex_partner, NULL) != 0)
		return 0;
	t0 = mnemo_rdtime();
	for (long i = 0; i < n; i++) {
		__atomic_store_n(&bench_turn, 1, __ATOMIC_RELEASE);
		futex_wake((uint32_t *)&bench_turn, 1);
		while (__atomic_load_n(&bench_turn, __ATOMIC_ACQUIRE) == 1)
			futex_wait((uint32_t *)&bench_turn, 1);
	}
	ns = bench_ns(mnemo_rdtime() - t0);
	__atomic_store_n(&bench_turn, 2, __ATOMIC_RELEASE);
	futex_wake((uint32_t *)&bench_turn, 1);
	pthread_join(t, NULL);
	return ns / n;
}

/* A turn passed under a mutex: each side waits on the condition variable
 * until the turn is its own, gives it to the other and signals. Each
 * pass wakes a thread asleep in pthread_cond_wait, which must then take
 * the mutex its waker just let go: a round trip is two handoffs. */
static pthread_mutex_t bench_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bench_cv = PTHREAD_COND_INITIALIZER;
static int bench_owner; /* (bench_m) whose turn: 0 main, 1 the partner, 2 stop */

static void *bench_mutex_partner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bench_m);
	for (;;) {
		while (bench_owner == 0)
			pthread_cond_wait(&bench_cv, &bench_m);
		if (bench_owner == 2)
			break;
		bench_owner = 0;
		pthread_cond_signal(&bench_cv);
	}
	pthread_mutex_unlock(&bench_m);
	return NULL;
}

static uint64_t bench_mutex_handoff(void)
{
	const long n = 2000;
	pthread_t t;
	uint64_t t0, ns;

	bench_owner = 0;
	if (pthread_create(&t, NULL, bench_mutex_partner, NULL) != 0)
		return 0;
	t0 = mnemo_rdtime();
	pthread_mutex_lock(&bench_m);
	for (long i = 0; i < n; i++) {
		bench_owner = 1;
		pthread_cond_signal(&bench_cv);
		while (bench_owner == 1)
			pthread_cond_wait(&bench_cv, &bench_m);
	}
	ns = bench_ns(mnemo_rdtime() - t0);
	bench_owner = 2;
	pthread_cond_signal(&bench_cv);
	pthread_mutex_unlock(&bench_m);
	pthread_join(t, NULL);
	return ns / n;
}
