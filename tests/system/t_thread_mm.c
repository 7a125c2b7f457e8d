/* One address space, several harts at once: threads faulting on the same
 * fresh pages get one page each, with every thread's writes in it; a page
 * one thread unmaps or write-protects faults in another that is reading or
 * writing it at that moment on another hart (the process is killed); a
 * fork while a thread writes leaves the child a still copy (the writer's
 * hart was fenced before the page went copy-on-write); read() and write()
 * into a buffer another thread unmaps and maps again return a count or
 * EFAULT, never worse; a read blocked on a pipe keeps the pipe open when
 * another thread closes the descriptor; close, dup2 and read race without
 * harm; a stress of threads mapping, faulting, writing and unmapping while
 * others read shared data that must never change; crypto requests from
 * several threads at once. Each group runs in a child process, and all its
 * memory must come back. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "test.h"
#include "vmtest.h"

static volatile uint32_t go;
static volatile uint32_t ready;

static void wait_go(void)
{
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) == 0)
		futex_wait((uint32_t *)&go, 0);
}

static void start_all(uint32_t n)
{
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	futex_wake((uint32_t *)&go, -1);
}

/* ---------------------------------------------------------- same-page faults */

#define RACE_THREADS 4
#define RACE_PAGES   64

static char *race_area;

static void *race_touch(void *arg)
{
	long me = (long)arg;

	wait_go();
	for (long p = 0; p < RACE_PAGES; p++)
		race_area[p * PAGE + me * 8] = (char)(1 + me);
	return NULL;
}

static void group_fault_once(void)
{
	pthread_t t[RACE_THREADS];
	long missing = 0;

	race_area = vm_anon(NULL, RACE_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
	for (long i = 0; i < RACE_THREADS; i++)
		pthread_create(&t[i], NULL, race_touch, (void *)i);
	start_all(RACE_THREADS);
	for (int i = 0; i < RACE_THREADS; i++)
		pthread_join(t[i], NULL);
	for (long p = 0; p < RACE_PAGES; p++)
		for (long i = 0; i < RACE_THREADS; i++)
			missing += race_area[p * PAGE + i * 8] != (char)(1 + i);
	CHECK("fault-race-one-page", missing == 0,
	      "%ld writes lost: two faults gave one address two pages", missing);
	vm_maps();
	const struct mnemo_vmmap *m = vm_find((uint64_t)race_area);
	CHECK("fault-race-resident", m && m->resident == RACE_PAGES,
	      "%ld pages resident, expected %d", m ? (long)m->resident : -1L, RACE_PAGES);
}

/* ----------------------------------------- a page taken from under a thread */

static volatile char *victim;
static volatile uint32_t touching;

static void *keep_reading(void *arg)
{
	long sum = 0;
	(void)arg;
	for (;;) {
		sum += victim[0];
		__atomic_store_n(&touching, 1, __ATOMIC_RELEASE);
		if (sum == -1)
			break;
	}
	return (void *)sum;
}

static void *keep_writing(void *arg)
{
	(void)arg;
	for (uint32_t i = 0;; i++) {
		*(volatile uint32_t *)victim = i;
		__atomic_store_n(&touching, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* In a child: a thread touches the page in a loop; once it runs, how()
 * takes the page away. The thread must fault at once (the child dies,
 * -1); if it still runs 2 s later, its hart kept the old translation. */
static int take_page_from_thread(long how)
{
	pthread_t t;

	victim = vm_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);
	victim[0] = 1;
	pthread_create(&t, NULL, how == 2 ? keep_writing : keep_reading, NULL);
	while (!__atomic_load_n(&touching, __ATOMIC_ACQUIRE))
		usleep(1000);
	if (how == 1)
		munmap((void *)victim, PAGE);
	else
		mprotect((void *)victim, PAGE, PROT_READ);
	int deadline = uptime() + 200;
	while (uptime() < deadline)
		usleep(10000);
	return 2;
}

static void group_unmap_under_thread(void)
{
	int st = test_in_child(take_page_from_thread, 1);
	CHECK("unmap-faults-reader", st == -1,
	      "status %d: the reading thread did not fault on the unmapped page", st);
	st = test_in_child(take_page_from_thread, 2);
	CHECK("mprotect-faults-writer", st == -1,
	      "status %d: the writing thread did not fault on the read-only page", st);
}

/* ----------------------------------------------- fork while a thread writes */

static volatile uint32_t *cow_word;
static volatile uint32_t cow_stop;

static void *cow_writer(void *arg)
{
	(void)arg;
	for (uint32_t i = 1; !__atomic_load_n(&cow_stop, __ATOMIC_RELAXED); i++) {
		*cow_word = i;
		__atomic_store_n(&touching, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void group_cow_fence(void)
{
	pthread_t t;
	int bad = 0, rounds = 5;

	cow_word = vm_anon(NULL, PAGE, PROT_READ | PROT_WRITE, 0);
	*cow_word = 1;
	pthread_create(&t, NULL, cow_writer, NULL);
	while (!__atomic_load_n(&touching, __ATOMIC_ACQUIRE))
		usleep(1000);
	for (int r = 0; r < rounds; r++) {
		int pid = fork();
		if (pid == 0) {
			/* The child's copy: nobody writes it, so it stands still. */
			uint32_t first = *cow_word;
			int deadline = uptime() + 10;
			while (uptime() < deadline)
				if (*cow_word != first)
					_exit(1);
			_exit(0);
		}
		bad += test_wait_status(pid) != 0;
	}
	__atomic_store_n(&cow_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	CHECK("cow-fences-writer", bad == 0,
	      "%d of %d children saw the parent's thread write their copy", bad, rounds);
}

/* -------------------------------------- I/O into a buffer that comes and goes */

#define IO_LEN (16 * PAGE)

static char *io_buf;
static int io_fd;
static volatile uint32_t io_stop;
static long io_results[4]; /* full, short, EFAULT, anything else */

static void *io_loop(void *arg)
{
	long writing = (long)arg;

	wait_go();
	while (!__atomic_load_n(&io_stop, __ATOMIC_RELAXED)) {
		long r;
		if (writing) {
			r = write(io_fd, io_buf, IO_LEN);
		} else {
			lseek(io_fd, 0, SEEK_SET);
			r = read(io_fd, io_buf, IO_LEN);
		}
		int k = r == IO_LEN ? 0 : r >= 0 ? 1 : errno == EFAULT ? 2 : 3;
		__atomic_fetch_add(&io_results[k], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void group_io_unmap(void)
{
	pthread_t t[2];
	char name[] = "t_thread_mm.data";

	if (test_enter_tmp("t_thread_mm") < 0)
		return;
	io_buf = vm_anon(NULL, IO_LEN, PROT_READ | PROT_WRITE, 0);
	memset(io_buf, 'x', IO_LEN);
	io_fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	(void)!write(io_fd, io_buf, IO_LEN);
	int null_fd = open("/dev/null", O_WRONLY);
	pthread_create(&t[0], NULL, io_loop, (void *)0);
	start_all(1);
	int deadline = uptime() + 50, cycles = 0;
	while (uptime() < deadline) {
		munmap(io_buf, IO_LEN);
		if (mmap(io_buf, IO_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		cycles++;
	}
	__atomic_store_n(&io_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t[0], NULL);
	CHECK("read-into-unmapped", io_results[3] == 0 && cycles > 0,
	      "%ld reads gave another error (full %ld, short %ld, EFAULT %ld; %d unmaps)",
	      io_results[3], io_results[0], io_results[1], io_results[2], cycles);
	/* The same for write() from the buffer, to /dev/null. */
	memset(io_results, 0, sizeof(io_results));
	io_stop = 0;
	io_fd = null_fd;
	pthread_create(&t[1], NULL, io_loop, (void *)1);
	deadline = uptime() + 50;
	while (uptime() < deadline) {
		munmap(io_buf, IO_LEN);
		if (mmap(io_buf, IO_LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) == MAP_FAILED)
			break;
	}
	__atomic_store_n(&io_stop, 1, __ATOMIC_RELAXED);
	pthread_join(t[1], NULL);
	CHECK("write-from-unmapped", io_results[3] == 0,
	      "%ld writes gave another error (full %ld, short %ld, EFAULT %ld)", io_results[3],
	      io_results[0], io_results[1], io_results[2]);
	close(null_fd);
	unlink(name);
	test_leave_tmp("t_thread_mm");
}

/* --------------------------------------------------- close() under a read() */

static int close_pipe[2];
static volatile int close_tid;

static void *blocked_reader(void *arg)
{
	char c = 0;
	(void)arg;
	close_tid = gettid();
	long r = read(close_pipe[0], &c, 1);
	return (void *)(r == 1 && c == 'x' ? 1L : r == 1 ? 2L : r == 0 ? 3L : 4L);
}

static volatile uint32_t fd_stop;
static long fd_odd;

static void *fd_churn(void *arg)
{
	long me = (long)arg;
	char buf[8];

	while (!__atomic_load_n(&fd_stop, __ATOMIC_RELAXED)) {
		int fd = 3 + (int)(me % 4);
		switch (me % 3) {
		case 0: {
			long r = read(fd, buf, sizeof(buf));
			if (r < 0 && errno != EBADF)
				__atomic_fetch_add(&fd_odd, 1, __ATOMIC_RELAXED);
			break;
		}
		case 1:
			close(fd);
			break;
		default:
			if (dup2(0, fd) < 0 && errno != EBADF)
				__atomic_fetch_add(&fd_odd, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	return NULL;
}

static void group_close_read(void)
{
	pthread_t t;
	void *r = NULL;

	pipe(close_pipe);
	pthread_create(&t, NULL, blocked_reader, NULL);
	for (int i = 0; i < 500 && !(close_tid && test_thread_sleeping(close_tid)); i++)
		usleep(10000);
	close(close_pipe[0]);
	long w = write(close_pipe[1], "x", 1);
	pthread_join(t, &r);
	CHECK("close-under-read", w == 1 && (long)r == 1,
	      "write gave %ld, the blocked read's end %ld (1: read the byte)", w, (long)r);
	close(close_pipe[1]);

	/* Descriptors 3..6 closed, dup'ed over and read at once: stdin is
	 * the runner's pipe, which gets nothing (reads would block), so
	 * reads go to /dev/null copies instead. */
	int devnull = open("/dev/null", O_RDONLY);
	dup2(devnull, 0);
	close(devnull);
	pthread_t c[6];
	for (long i = 0; i < 6; i++)
		pthread_create(&c[i], NULL, fd_churn, (void *)i);
	int deadline = uptime() + 50;
	while (uptime() < deadline)
		usleep(10000);
	__atomic_store_n(&fd_stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 6; i++)
		pthread_join(c[i], NULL);
	CHECK("close-dup2-read-race", fd_odd == 0, "%ld calls gave an odd error", fd_odd);
	for (int fd = 3; fd < 7; fd++)
		close(fd);
}

/* -------------------------------------------------------------- the stress */

#define SHARED_PAGES 16
#define STRESS_SEC   2

static uint64_t *shared;
static uint64_t shared_sum;
static volatile uint32_t stress_stop;
static long stress_bad[4];

static uint64_t sum_shared(void)
{
	uint64_t s = 0;
	for (long i = 0; i < SHARED_PAGES * PAGE / 8; i++)
		s += shared[i] * (uint64_t)(i + 1);
	return s;
}

static void *stress_reader(void *arg)
{
	long me = (long)arg;
	wait_go();
	while (!__atomic_load_n(&stress_stop, __ATOMIC_RELAXED))
		if (sum_shared() != shared_sum)
			__atomic_fetch_add(&stress_bad[me], 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *stress_mutator(void *arg)
{
	long me = (long)arg;
	uint32_t seed = 1000 + me;
	wait_go();
	while (!__atomic_load_n(&stress_stop, __ATOMIC_RELAXED)) {
		long n = 1 + seed % 8;
		char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (p == MAP_FAILED)
			continue;
		vm_mark(p, n, seed);
		if (me % 2)
			mprotect(p, n * PAGE, PROT_READ);
		if (vm_mark_errors(p, n, seed))
			__atomic_fetch_add(&stress_bad[me], 1, __ATOMIC_RELAXED);
		munmap(p, n * PAGE);
		seed = seed * 1103515245 + 12345;
	}
	return NULL;
}

static void group_stress(void)
{
	pthread_t t[4];

	shared = vm_anon(NULL, SHARED_PAGES * PAGE, PROT_READ | PROT_WRITE, 0);
	for (long i = 0; i < SHARED_PAGES * PAGE / 8; i++)
		shared[i] = i * 0x9e3779b97f4a7c15ULL;
	shared_sum = sum_shared();
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, i < 2 ? stress_reader : stress_mutator, (void *)i);
	start_all(4);
	int deadline = uptime() + STRESS_SEC * 100;
	while (uptime() < deadline)
		usleep(10000);
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK("stress-readers-see-still-data", stress_bad[0] + stress_bad[1] == 0,
	      "%ld sums of the shared pages were wrong", stress_bad[0] + stress_bad[1]);
	CHECK("stress-mutators-own-pages", stress_bad[2] + stress_bad[3] == 0,
	      "%ld fresh mappings did not hold what was written", stress_bad[2] + stress_bad[3]);
}

/* ------------------------------------------------- crypto from several threads */

#define CRYPTO_THREADS 4
#define CRYPTO_DATA    300

static void *crypto_client(void *arg)
{
	long me = (long)arg;
	uint64_t size = CRYPTO_OP_HEADER_SIZE + 4 + CRYPTO_DATA;
	struct crypto_op *op = malloc(size);
	long ok = 0;

	if (!op)
		return NULL;
	for (int round = 0; round < 5; round++) {
		op->type = CRYPTO_OP_TYPE_ENCRYPT;
		op->state = CRYPTO_OP_STATE_INIT;
		op->key_size = 4;
		op->data_size = CRYPTO_DATA;
		memcpy(op->payload, "k3y!", 4);
		for (int i = 0; i < CRYPTO_DATA; i++)
			op->payload[4 + i] = (uint8_t)(i + me);
		int queued = 0;
		for (int tries = 0; tries < 500 && !queued; tries++) {
			queued = crypto_op(op, size) == 0;
			if (!queued && errno != ESRCH && errno != EBUSY && errno != EAGAIN)
				break;
			if (!queued)
				usleep(10000);
		}
		if (!queued || crypto_wait(op) != CRYPTO_OP_STATE_DONE)
			continue;
		int right = 1;
		for (int i = 0; i < CRYPTO_DATA; i++)
			right &= op->payload[4 + i] == (uint8_t)((uint8_t)(i + me) ^ "k3y!"[i % 4]);
		ok += right;
	}
	free(op);
	return (void *)ok;
}

static void group_crypto(void)
{
	pthread_t t[CRYPTO_THREADS];
	long ok = 0;

	for (long i = 0; i < CRYPTO_THREADS; i++)
		pthread_create(&t[i], NULL, crypto_client, (void *)i);
	for (int i = 0; i < CRYPTO_THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		ok += (long)r;
	}
	CHECK("crypto-from-threads", ok == CRYPTO_THREADS * 5, "%ld of %d requests came back right",
	      ok, CRYPTO_THREADS * 5);
}

int main(void)
{
	vm_run_group("thread-fault-race", group_fault_once);
	vm_run_group("thread-unmap", group_unmap_under_thread);
	vm_run_group("thread-cow", group_cow_fence);
	vm_run_group("thread-io-unmap", group_io_unmap);
	vm_run_group("thread-close", group_close_read);
	vm_run_group("thread-stress", group_stress);
	vm_run_group("thread-crypto", group_crypto);
	return test_done();
}
