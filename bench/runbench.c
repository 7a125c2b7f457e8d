/* runbench: the benchmarks that init runs with mode=bench. Each row is
 * measured several times (the median is kept) with the rdtime clock, and
 * printed in one table between `--- bench ---` and `--- end ---`:
 *
 *   benchmark  figure  unit  reference  ratio
 *
 * A reference is either a fixed figure (the target and what
 * xv6-riscv measured) or another row (up to two) of the same run; the ratio is
 * figure / reference. A row whose ratio is a target is paired with its
 * first reference: a trial of the reference follows each of its own, and
 * the reference's figure and the ratio printed are the medians of those,
 * so that a host that slows down for a second weighs on both alike
 * ("interleaved"). To add a benchmark, write a function that runs one
 * trial and add a row to bench_rows[].
 *
 * No floating point: figures are kept in thousandths (x1000). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <crypto.h>
#include <mnemo.h>

#define PAGE	   4096L
#define MAX_TRIALS 9

/* ---------------------------------------------------------------- timing */

/* Nanoseconds in ticks rdtime ticks. */
static uint64_t bench_ns(uint64_t ticks)
{
	uint64_t hz = mnemo_timebase();

	/* Split so that ticks * 1e9 cannot overflow for long runs. */
	return ticks / hz * 1000000000ull + ticks % hz * 1000000000ull / hz;
}

/* Keeps the compiler from dropping work on buf. */
static inline void bench_use(void *buf)
{
	__asm__ volatile("" : : "r"(buf) : "memory");
}

/* ---------------------------------------------------------------- benchmarks
 * Each runs one trial and returns its figure x1000 (so a time in µs is
 * returned in ns), or 0 if it could not run. */

static uint64_t bench_null_syscall(void)
{
	const long n = 100000;
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++)
		getppid();
	return bench_ns(mnemo_rdtime() - t0) / n;
}

/* An ecall that trap.S answers as soon as it has saved the registers, and
 * returns from at once: the floor under the null system call, measured
 * in the same run, so that the host's load weighs on both alike. */
static uint64_t bench_trap_floor(void)
{
	const long n = 100000;
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++)
		mnemo_trap_floor();
	return bench_ns(mnemo_rdtime() - t0) / n;
}

/* The same ecall, with the kernel's page table loaded into satp and this
 * process's back before the return: the floor under a switch between two
 * processes, as QEMU 7.2 empties its software TLB (and its cache of
 * translated-code lookups) at every change of ASID, and each page and
 * each block of code touched afterwards is looked up again. A pipe
 * ping-pong makes two such switches. */
static uint64_t bench_switch_floor(void)
{
	const long n = 20000;
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++)
		mnemo_switch_floor();
	return bench_ns(mnemo_rdtime() - t0) / n;
}

static uint64_t bench_zero_page(void)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));
	const long n = 20000;
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++) {
		memset(page, 0, PAGE);
		bench_use(page);
	}
	return bench_ns(mnemo_rdtime() - t0) / n;
}

/* fork, then the child does exit(0) or exec(argv); the parent waits. */
static uint64_t bench_fork_common(long n, char *const argv[])
{
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++) {
		int status, pid = fork();
		if (pid < 0)
			return 0;
		if (pid == 0) {
			if (argv)
				execv(argv[0], argv);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || status != 0)
			return 0;
	}
	/* ms x1000 = µs */
	return bench_ns(mnemo_rdtime() - t0) / n / 1000;
}

static uint64_t bench_fork_exit_wait(void)
{
	return bench_fork_common(200, NULL);
}

static uint64_t bench_fork_exec_wait(void)
{
	char *argv[] = {"/bin/true", NULL};

	return bench_fork_common(50, argv);
}

static uint64_t bench_sbrk_touch(void)
{
	const long pages = (16L << 20) / PAGE;
	uint64_t t0 = mnemo_rdtime(), ns;
	char *p = sbrk(pages * PAGE);

	if (p == (char *)-1)
		return 0;
	for (long i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	ns = bench_ns(mnemo_rdtime() - t0);
	sbrk(-pages * PAGE);
	return ns / pages;
}

static uint64_t bench_pipe_throughput(void)
{
	static char buf[PAGE];
	const long total = 32L << 20;
	int fds[2], pid, status;
	long got = 0, n;
	uint64_t t0;

	if (pipe(fds) < 0)
		return 0;
	t0 = mnemo_rdtime();
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		memset(buf, 'w', sizeof(buf));
		for (long sent = 0; sent < total; sent += PAGE)
			if (write(fds[1], buf, PAGE) != PAGE)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		got += n;
	uint64_t ns = bench_ns(mnemo_rdtime() - t0);
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0 || got != total || ns == 0)
		return 0;
	/* MiB/s x1000 */
	return (uint64_t)(total >> 20) * 1000000000000ull / ns;
}

static uint64_t bench_pipe_pingpong(void)
{
	const long n = 2000;
	int ping[2], pong[2], pid, status;
	char c = 'x';
	uint64_t t0, ns;

	if (pipe(ping) < 0)
		return 0;
	if (pipe(pong) < 0) {
		close(ping[0]);
		close(ping[1]);
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		close(ping[1]);
		close(pong[0]);
		while (read(ping[0], &c, 1) == 1)
			write(pong[1], &c, 1);
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	t0 = mnemo_rdtime();
	for (long i = 0; i < n && pid > 0; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			pid = -1;
	ns = bench_ns(mnemo_rdtime() - t0);
	close(ping[1]);
	close(pong[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 0;
	return ns / n;
}

/* ---------------------------------------------------------------- signals */

static void bench_on_signal(int sig)
{
	(void)sig;
}

static void bench_catch_usr1(void)
{
	struct sigaction sa = {.sa_handler = bench_on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* raise(SIGUSR1) with a handler: the kill call, the frame pushed, the
 * handler, sigreturn; beside the null system call. */
static uint64_t bench_signal_self(void)
{
	const long n = 20000;
	uint64_t t0;

	bench_catch_usr1();
	t0 = mnemo_rdtime();
	for (long i = 0; i < n; i++)
		raise(SIGUSR1);
	uint64_t ns = bench_ns(mnemo_rdtime() - t0);
	signal(SIGUSR1, SIG_DFL);
	return ns / n;
}

/* Two processes signal each other in turn (kill, then sigsuspend until
 * the answer), SIGUSR1 blocked between: beside the pipe ping-pong. */
static uint64_t bench_signal_pingpong(void)
{
	const long n = 2000;
	int parent = getpid(), pid, status;
	sigset_t usr1, none, old;
	uint64_t t0, ns;

	bench_catch_usr1();
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = fork();
	if (pid == 0) {
		for (long i = 0; i < n; i++) {
			sigsuspend(&none);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	t0 = mnemo_rdtime();
	for (long i = 0; i < n && pid > 0; i++) {
		kill(pid, SIGUSR1);
		sigsuspend(&none);
	}
	ns = bench_ns(mnemo_rdtime() - t0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 0;
	return ns / n;
}

/* ---------------------------------------------------------------- the crypto service
 * (seed 001): the service against doing the same work in the client, a
 * small request's round trip, and the page sharing underneath. */

#define BENCH_XOR_DATA (1L << 20)
#define BENCH_XOR_KEY  16
#define BENCH_XOR_SIZE (CRYPTO_OP_HEADER_SIZE + BENCH_XOR_KEY + BENCH_XOR_DATA)

/* A request for the whole run, built once: key and data, type ENCRYPT. */
static struct crypto_op *bench_xor_request(void)
{
	static struct crypto_op *op;

	if (!op) {
		op = malloc(BENCH_XOR_SIZE);
		if (!op)
			return NULL;
		memset(op->payload, 0x5a, BENCH_XOR_KEY + BENCH_XOR_DATA);
		op->type = CRYPTO_OP_TYPE_ENCRYPT;
		op->key_size = BENCH_XOR_KEY;
		op->data_size = BENCH_XOR_DATA;
	}
	op->state = CRYPTO_OP_STATE_INIT;
	return op;
}

/* MiB/s x1000 for n MiB in ns. */
static uint64_t bench_mib_per_s(long mib, uint64_t ns)
{
	return ns ? (uint64_t)mib * 1000000000000ull / ns : 0;
}

/* 1 MiB XORed by the server: crypto_op, then crypto_wait. */
static uint64_t bench_crypto_xor(void)
{
	const long n = 8;
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++) {
		struct crypto_op *op = bench_xor_request();
		if (!op || crypto_op(op, BENCH_XOR_SIZE) < 0 ||
		    crypto_wait(op) != CRYPTO_OP_STATE_DONE)
			return 0;
	}
	return bench_mib_per_s(n, bench_ns(mnemo_rdtime() - t0));
}

/* The same 1 MiB XORed here, by the server's own code (crypto_serve). */
static uint64_t bench_local_xor(void)
{
	const long n = 8;
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++) {
		struct crypto_op *op = bench_xor_request();
		if (!op || crypto_serve(op, BENCH_XOR_SIZE) != CRYPTO_OP_STATE_DONE)
			return 0;
		bench_use(op);
	}
	return bench_mib_per_s(n, bench_ns(mnemo_rdtime() - t0));
}

/* A 64-byte request (8 bytes of key, 32 of data) there and back, the
 * client sleeping on the futex. */
static uint64_t bench_crypto_round_trip(void)
{
	static union {
		struct crypto_op op;
		uint8_t bytes[64];
	} req;
	const long n = 2000;
	uint64_t t0 = mnemo_rdtime();

	req.op.type = CRYPTO_OP_TYPE_ENCRYPT;
	req.op.key_size = 8;
	req.op.data_size = 64 - CRYPTO_OP_HEADER_SIZE - 8;
	for (long i = 0; i < n; i++) {
		req.op.state = CRYPTO_OP_STATE_INIT;
		if (crypto_op(&req.op, sizeof(req)) < 0 ||
		    crypto_wait(&req.op) != CRYPTO_OP_STATE_DONE)
			return 0;
	}
	return bench_ns(mnemo_rdtime() - t0) / n;
}

/* map_shared_pages of 256 of a child's pages into us, then
 * unmap_shared_pages; per page. */
static uint64_t bench_share_pages(void)
{
	const long pages = 256, n = 20;
	char *raw = malloc((pages + 1) * PAGE);
	char *buf = (char *)(((uintptr_t)raw + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	int ready[2], hold[2], status;
	uint64_t ns = 0;
	char c;

	if (!raw || pipe(ready) < 0 || pipe(hold) < 0) {
		free(raw);
		return 0;
	}
	int pid = fork();
	if (pid == 0) {
		/* Make the pages the child's own, then wait to be let go. */
		close(hold[1]);
		for (long i = 0; i < pages; i++)
			buf[i * PAGE] = 1;
		(void)!write(ready[1], "r", 1);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(hold[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		uint64_t t0 = mnemo_rdtime();
		for (long i = 0; i < n; i++) {
			char *at = map_shared_pages(pid, 0, buf, pages * PAGE);
			if (at == (char *)-1 || unmap_shared_pages(at, pages * PAGE) < 0) {
				t0 = 0;
				break;
			}
		}
		if (t0)
			ns = bench_ns(mnemo_rdtime() - t0);
	}
	close(hold[1]);
	close(ready[0]);
	close(ready[1]);
	free(raw);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 0;
	return ns / (n * pages);
}

/* ---------------------------------------------------------------- memory */

#include "bench_string.h"
#include "bench_swap.h"
#include "bench_thread.h"
#include "bench_vm.h"

/* ---------------------------------------------------------------- the table */

struct bench_row {
	const char *name;
	const char *unit;
	uint64_t (*run)(void); /* one trial, figure x1000, 0: failed */
	int trials;
	/* A fixed reference: the target and xv6-riscv's figure. */
	const char *fixed_label; /* NULL: none */
	uint64_t fixed;		 /* x1000 */
	/* A reference measured in this run: the name of another row. */
	const char *same_run;
	const char *same_run2; /* a second one, or NULL */
	int paired;	       /* same_run is measured between this row's trials */
	uint64_t figure;       /* x1000, filled in by bench_measure */
	uint64_t paired_ref;   /* x1000: same_run's median when paired */
	uint64_t paired_ratio; /* x1000: the median of the trials' ratios */
};

static struct bench_row bench_rows[] = {
    {"trap floor (ecall, no C)", "us", bench_trap_floor, 5, NULL, 0, NULL},
    {"switch floor (ecall, satp)", "us", bench_switch_floor, 5, NULL, 0, "trap floor (ecall, no C)",
     NULL, 1},
    {"null syscall (getppid)", "us", bench_null_syscall, 5, "target 1.3, xv6 73", 1300,
     "trap floor (ecall, no C)", "zero 4 KiB (memset)", 1},
    {"zero 4 KiB (memset)", "us", bench_zero_page, 5, NULL, 0, NULL},
    {"fork+exit+wait", "ms", bench_fork_exit_wait, 5, "target 0.28, xv6 2.8", 280, NULL},
    {"fork+exec+wait (true)", "ms", bench_fork_exec_wait, 3, NULL, 0, "fork+exit+wait"},
    {"sbrk+touch 16 MiB", "us/page", bench_sbrk_touch, 3, "xv6 64", 64000, "zero 4 KiB (memset)"},
    {"pipe 4 KiB writes, 32 MiB", "MiB/s", bench_pipe_throughput, 3, "target 100, xv6 0.17", 100000,
     NULL},
    {"pipe ping-pong 1 byte", "us", bench_pipe_pingpong, 5, NULL, 0, "null syscall (getppid)",
     "switch floor (ecall, satp)", 1},
    {"signal to self, handled", "us", bench_signal_self, 5, NULL, 0, "null syscall (getppid)"},
    {"signal ping-pong", "us", bench_signal_pingpong, 5, NULL, 0, "pipe ping-pong 1 byte"},
    {"thread create+join", "ms", bench_thread_create_join, 5, NULL, 0, "fork+exit+wait"},
    {"futex ping-pong, 2 threads", "us", bench_futex_pingpong, 5, NULL, 0, "pipe ping-pong 1 byte"},
    {"mutex+cond handoff, 2 threads", "us", bench_mutex_handoff, 5, NULL, 0,
     "futex ping-pong, 2 threads"},
    {"XOR 1 MiB in the client", "MiB/s", bench_local_xor, 3, NULL, 0, NULL},
    {"crypto_op XOR 1 MiB", "MiB/s", bench_crypto_xor, 3, NULL, 0, "XOR 1 MiB in the client"},
    {"crypto_op 64 B round trip", "us", bench_crypto_round_trip, 5, NULL, 0,
     "pipe ping-pong 1 byte"},
    {"map+unmap shared 256 pages", "us/page", bench_share_pages, 3, NULL, 0, "sbrk+touch 16 MiB"},
    {"mmap first touch 16 MiB", "us/page", bench_first_touch, 3, NULL, 0, "null syscall (getppid)",
     "zero 4 KiB (memset)"},
    /* Five pairs: one pair's ratio moves by a fifth on a busy 2-core
     * host, and a trial costs some 30 ms. */
    {"COW write fault 16 MiB", "us/page", bench_cow_fault, 5, NULL, 0, "mmap first touch 16 MiB",
     "zero 4 KiB (memset)", 1},
    {"mmap+munmap 1 page, 10 maps", "us", bench_mmap_among_10, 5, NULL, 0, NULL},
    {"mmap+munmap 1 page, 10k maps", "us", bench_mmap_among_10k, 5, NULL, 0,
     "mmap+munmap 1 page, 10 maps", NULL, 1},
    {"memcpy 16 MiB", "ms", bench_memcpy_16mib, 3, NULL, 0, NULL},
    {"word copy 16 MiB", "ms", bench_word_copy_16mib, 3, NULL, 0, "memcpy 16 MiB"},
    {"fork+exit+wait, 16 MiB", "ms", bench_fork_16mib, 3, "xv6 310; target 1/20 of memcpy", 310000,
     "memcpy 16 MiB", "word copy 16 MiB"},
    {"page tables, 64 MiB touched", "%", bench_pagetable_overhead, 1, "target 0.5", 500, NULL},
    /* The C library's string functions (bench_string.h), in MiB/s; five
     * trials, as each is short (a few ms) and a busy host upsets some. */
    {"word loop copy 4 MiB", "MiB/s", bench_words_4m, 5, NULL, 0, NULL},
    {"libc memcpy 16 B", "MiB/s", bench_memcpy_16, 5, NULL, 0, NULL},
    {"libc memcpy 256 B", "MiB/s", bench_memcpy_256, 5, NULL, 0, NULL},
    {"libc memcpy 4 KiB", "MiB/s", bench_memcpy_4k, 5, NULL, 0, "word loop copy 4 MiB"},
    {"libc memcpy 4 KiB misaligned", "MiB/s", bench_memcpy_4k_mis, 5, NULL, 0, "libc memcpy 4 KiB"},
    {"libc memcpy 4 MiB", "MiB/s", bench_memcpy_4m, 5, "Linux/glibc, same QEMU", 250000,
     "word loop copy 4 MiB"},
    {"libc memcpy 4 MiB misaligned", "MiB/s", bench_memcpy_4m_mis, 5, NULL, 0, "libc memcpy 4 MiB"},
    {"libc memmove 256 B up", "MiB/s", bench_memmove_256, 5, NULL, 0, "libc memcpy 256 B"},
    {"libc memmove 4 KiB up", "MiB/s", bench_memmove_4k, 5, NULL, 0, "word loop copy 4 MiB"},
    {"libc memmove 4 KiB up, mis.", "MiB/s", bench_memmove_4k_mis, 5, NULL, 0,
     "libc memmove 4 KiB up"},
    {"libc memmove 4 MiB up", "MiB/s", bench_memmove_4m, 5, NULL, 0, "libc memcpy 4 MiB"},
    {"libc memset 16 B", "MiB/s", bench_memset_16, 5, NULL, 0, NULL},
    {"libc memset 256 B", "MiB/s", bench_memset_256, 5, NULL, 0, NULL},
    {"libc memset 4 KiB", "MiB/s", bench_memset_4k, 5, NULL, 0, "word loop copy 4 MiB"},
    {"libc memset 4 KiB misaligned", "MiB/s", bench_memset_4k_mis, 5, NULL, 0, "libc memset 4 KiB"},
    {"libc memset 4 MiB", "MiB/s", bench_memset_4m, 5, NULL, 0, "libc memcpy 4 MiB"},
    {"libc strlen 16 B", "MiB/s", bench_strlen_16, 5, NULL, 0, NULL},
    {"libc strlen 256 B", "MiB/s", bench_strlen_256, 5, NULL, 0, NULL},
    {"libc strlen 4 KiB", "MiB/s", bench_strlen_4k, 5, NULL, 0, "word loop copy 4 MiB"},
    {"libc strlen 4 KiB misaligned", "MiB/s", bench_strlen_4k_mis, 5, NULL, 0, "libc strlen 4 KiB"},
    {"libc memcmp 16 B", "MiB/s", bench_memcmp_16, 5, NULL, 0, NULL},
    {"libc memcmp 256 B", "MiB/s", bench_memcmp_256, 5, NULL, 0, NULL},
    {"libc memcmp 4 KiB", "MiB/s", bench_memcmp_4k, 5, NULL, 0, "word loop copy 4 MiB"},
    {"libc memcmp 4 KiB misaligned", "MiB/s", bench_memcmp_4k_mis, 5, NULL, 0, "libc memcmp 4 KiB"},
};

/* `runbench swap`, on a machine of 32 MiB with the swap disk. */
static struct bench_row bench_swap_rows[] = {
    {"first touch, fits (16 MiB)", "MiB/s", bench_touch_fits, 3, NULL, 0, NULL},
    {"first touch, fits", "us/page", bench_first_touch, 3, NULL, 0, NULL},
    {"first touch past RAM", "MiB/s", bench_swap_out, 3, NULL, 0, "first touch, fits (16 MiB)"},
    {"swap-in, in order", "MiB/s", bench_swap_in, 1, NULL, 0, "first touch, fits (16 MiB)"},
    {"fault on a swapped page", "us", bench_swapped_fault, 1, NULL, 0, "first touch, fits"},
    {"0.5x RAM, in sequence", "us/page", bench_ws_seq_small, 3, NULL, 0, NULL},
    {"1.5x RAM, in sequence", "us/page", bench_ws_seq_big, 3, NULL, 0, "0.5x RAM, in sequence"},
    {"0.5x RAM, at random", "us/page", bench_ws_rand_small, 3, NULL, 0, NULL},
    {"1.5x RAM, at random", "us/page", bench_ws_rand_big, 3, NULL, 0, "0.5x RAM, at random"},
};

/* The table this run measures: the main one, or the swap one. */
static struct bench_row *rows = bench_rows;
static int nrows = (int)(sizeof(bench_rows) / sizeof(bench_rows[0]));

static struct bench_row *bench_find(const char *name)
{
	for (int i = 0; i < nrows; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

static uint64_t bench_median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* Runs a row's trials (a trial of its reference after each, if paired)
 * and keeps the medians; a figure of 0 if any trial failed. A first run
 * is not timed, so that no trial pays for a first use: QEMU translating
 * the row's code, or (were the guest's memory not allocated before the
 * boot, -mem-prealloc in the Makefile) the host's own page fault at the
 * first use of a page of guest memory, which put the first
 * copy-on-write trial of a boot at 14-15 us a page, the next ones at 4-6. */
static void bench_measure(struct bench_row *row)
{
	uint64_t v[MAX_TRIALS], ref[MAX_TRIALS], ratio[MAX_TRIALS];
	int n = row->trials < MAX_TRIALS ? row->trials : MAX_TRIALS;
	struct bench_row *other = row->paired ? bench_find(row->same_run) : NULL;

	row->figure = 0;
	(void)row->run();
	for (int i = 0; i < n; i++) {
		v[i] = row->run();
		if (v[i] == 0)
			return;
		if (other) {
			ref[i] = other->run();
			if (ref[i] == 0)
				return;
			ratio[i] = v[i] * 1000 / ref[i];
		}
	}
	row->figure = bench_median(v, n);
	if (other) {
		row->paired_ref = bench_median(ref, n);
		row->paired_ratio = bench_median(ratio, n);
	}
}

/* Formats a x1000 value with three decimals (fewer for large values). */
static const char *bench_fmt(char *buf, size_t size, uint64_t milli)
{
	if (milli >= 100000)
		snprintf(buf, size, "%llu", (unsigned long long)((milli + 500) / 1000));
	else
		snprintf(buf, size, "%llu.%03llu", (unsigned long long)(milli / 1000),
			 (unsigned long long)(milli % 1000));
	return buf;
}

/* One line: the first of a row carries its name, figure and unit; a
 * second reference goes on a line of its own below. The ratio is the
 * figure over ref unless given (paired rows). */
static void bench_print_line(const struct bench_row *row, int first, const char *ref_label,
			     uint64_t ref, uint64_t given_ratio)
{
	char fig[32], refv[32], ratio[32], refcell[80];

	if (ref_label && ref && row->figure)
		snprintf(refcell, sizeof(refcell), "%s (%s)", bench_fmt(refv, sizeof(refv), ref),
			 ref_label);
	else
		snprintf(refcell, sizeof(refcell), "-");
	if (ref && row->figure)
		bench_fmt(ratio, sizeof(ratio),
			  given_ratio ? given_ratio : row->figure * 1000 / ref);
	else
		snprintf(ratio, sizeof(ratio), "-");
	if (first)
		printf("%-28s %10s  %-8s %-44s %8s\n", row->name,
		       row->figure ? bench_fmt(fig, sizeof(fig), row->figure) : "failed", row->unit,
		       refcell, ratio);
	else
		printf("%-28s %10s  %-8s %-44s %8s\n", "", "", "", refcell, ratio);
}

static void bench_print_table(void)
{
	printf("--- bench ---\n");
	printf("%-28s %10s  %-8s %-44s %8s\n", "benchmark", "figure", "unit", "reference", "ratio");
	for (int i = 0; i < nrows; i++) {
		const struct bench_row *row = &rows[i];
		const struct bench_row *other = row->same_run ? bench_find(row->same_run) : NULL;
		int lines = 0;

		if (row->fixed_label)
			bench_print_line(row, lines++ == 0, row->fixed_label, row->fixed, 0);
		if (other) {
			char label[64];
			snprintf(label, sizeof(label), "%s, %s", other->name,
				 row->paired ? "interleaved" : "this run");
			bench_print_line(row, lines++ == 0, label,
					 row->paired ? row->paired_ref : other->figure,
					 row->paired ? row->paired_ratio : 0);
		}
		other = row->same_run2 ? bench_find(row->same_run2) : NULL;
		if (other) {
			char label[64];
			snprintf(label, sizeof(label), "%s, this run", other->name);
			bench_print_line(row, lines++ == 0, label, other->figure, 0);
		}
		if (lines == 0)
			bench_print_line(row, 1, NULL, 0, 0);
	}
	printf("--- end ---\n");
	fflush(stdout);
}

int main(int argc, char *argv[])
{
	int failed = 0;

	if (argc > 1 && strcmp(argv[1], "swap") == 0) {
		rows = bench_swap_rows;
		nrows = (int)(sizeof(bench_swap_rows) / sizeof(bench_swap_rows[0]));
	}
	for (int i = 0; i < nrows; i++) {
		bench_measure(&rows[i]);
		failed += rows[i].figure == 0;
	}
	bench_print_table();
	return failed ? 1 : 0;
}
