/* lbench: the benchmark that `make bench-linux` runs on mnemo and on
 * Debian's Linux, on the same QEMU machine. One POSIX source, built twice:
 * by the project's rule for mnemo (picolibc and user/lib) and by Debian's
 * riscv64-linux-gnu-gcc (static glibc) for Linux. Only the clock and the
 * rows that use mnemo's own system calls differ, under __linux__.
 *
 * Each row is measured LB_TRIALS times and the median printed, as one
 * line a program reads (scripts/bench-linux makes the table):
 *
 *   row   NAME  FIGURE  UNIT                    rows both systems run
 *   only  NAME  FIGURE  UNIT  REFERENCE  FIGURE  mnemo's own calls, against
 *                                                the same work done in
 *                                                the process
 *
 * between `--- lbench ---` and `--- lbench end ---`. FIGURE has three
 * decimals, or is `failed`. Figures are kept in thousandths (x1000), with
 * no floating point: mnemo's programs are built for soft float. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <time.h>
#else
#include <crypto.h>
#include <mnemo.h>
#endif

#define PAGE	  4096L
#define LB_TRIALS 5
#define LB_RW	  (PROT_READ | PROT_WRITE)

/* ---------------------------------------------------------------- timing */

/* A monotonic clock in ns. mnemo's library has no clock_gettime, so there
 * the rdtime counter is read directly; Linux's clock_gettime reads the
 * same counter (in its vDSO, without a system call). */
static uint64_t lb_now(void)
{
#ifdef __linux__
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#else
	uint64_t hz = mnemo_timebase(), t = mnemo_rdtime();

	/* Split so that t * 1e9 cannot overflow. */
	return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
#endif
}

/* Keeps the compiler from dropping work on buf. */
static inline void lb_use(void *buf)
{
	__asm__ volatile("" : : "r"(buf) : "memory");
}

/* MiB/s x1000 for bytes moved in ns. */
static uint64_t lb_mib_per_s(uint64_t bytes, uint64_t ns)
{
	return ns ? bytes * 1000000000ull / ns * 1000 / (1 << 20) : 0;
}

static char *lb_map(long len)
{
	char *p = mmap(NULL, len, LB_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Writes one byte into every page of [p, p + len). */
static void lb_touch(char *p, long len)
{
	for (long off = 0; off < len; off += PAGE)
		p[off] = 1;
	lb_use(p);
}

/* ---------------------------------------------------------------- the rows
 * Each runs one trial and returns its figure x1000 (so a time in µs comes
 * back in ns), or 0 if it could not run. */

static uint64_t lb_getppid(void)
{
	const long n = 100000;
	uint64_t t0 = lb_now();

	for (long i = 0; i < n; i++)
		getppid();
	return (lb_now() - t0) / n;
}

/* ms x1000 per fork, the child doing exec(argv) or _exit(0), the parent
 * waiting. */
static uint64_t lb_fork_common(long n, char *const argv[])
{
	uint64_t t0 = lb_now();

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
	return (lb_now() - t0) / n / 1000;
}

static uint64_t lb_fork_exit(void)
{
	return lb_fork_common(100, NULL);
}

/* /bin/true: mnemo's own; on Linux the same source (user/bin/true.c),
 * built static with glibc, not busybox. */
static uint64_t lb_fork_exec(void)
{
	char *argv[] = {"/bin/true", NULL};

	return lb_fork_common(30, argv);
}

#define LB_BIG (16L << 20)

/* µs per page (x1000: ns) of the first write to each page of a fresh
 * anonymous mapping: a fault that allocates and zeroes a page. */
static uint64_t lb_first_touch(void)
{
	char *p = lb_map(LB_BIG);
	uint64_t t0, ns;

	if (!p)
		return 0;
	t0 = lb_now();
	lb_touch(p, LB_BIG);
	ns = lb_now() - t0;
	munmap(p, LB_BIG);
	return ns / (LB_BIG / PAGE);
}

/* µs per page for munmap of a mapping whose pages are all touched. */
static uint64_t lb_munmap_touched(void)
{
	char *p = lb_map(LB_BIG);
	uint64_t t0;

	if (!p)
		return 0;
	lb_touch(p, LB_BIG);
	t0 = lb_now();
	if (munmap(p, LB_BIG) != 0)
		return 0;
	return (lb_now() - t0) / (LB_BIG / PAGE);
}

/* ms per fork+exit+wait of a process with 16 MiB touched: fork copies
 * page-table entries, not the pages. */
static uint64_t lb_fork_16mib(void)
{
	const long n = 10;
	char *p = lb_map(LB_BIG);
	uint64_t t0, ns;
	int ok = 1;

	if (!p)
		return 0;
	lb_touch(p, LB_BIG);
	t0 = lb_now();
	for (long i = 0; i < n && ok; i++) {
		int status, pid = fork();
		if (pid == 0)
			_exit(0);
		ok = pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
	}
	ns = lb_now() - t0;
	munmap(p, LB_BIG);
	return ok ? ns / n / 1000 : 0;
}

/* µs per page of a write fault on a copy-on-write page: the parent writes
 * 4 MiB that a child still shares, so every page is copied. */
static uint64_t lb_cow_fault(void)
{
	const long len = 4L << 20;
	char *p = lb_map(len);
	int hold[2], status, pid;
	uint64_t t0, ns;
	char c = 0;

	if (!p)
		return 0;
	if (pipe(hold) < 0) {
		munmap(p, len);
		return 0;
	}
	lb_touch(p, len);
	pid = fork();
	if (pid == 0) {
		/* Keep the pages shared until the parent is done. */
		close(hold[1]);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(hold[0]);
	t0 = lb_now();
	for (long off = 0; off < len; off += PAGE)
		p[off] = 2;
	lb_use(p);
	ns = lb_now() - t0;
	close(hold[1]);
	munmap(p, len);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 0;
	return ns / (len / PAGE);
}

/* MiB/s through a pipe, 32 MiB in writes of 4 KiB, to a child. */
static uint64_t lb_pipe_throughput(void)
{
	static char buf[PAGE];
	const long total = 32L << 20;
	int fds[2], pid, status;
	long got = 0, n;
	uint64_t t0, ns;

	if (pipe(fds) < 0)
		return 0;
	t0 = lb_now();
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
	ns = lb_now() - t0;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0 || got != total)
		return 0;
	return lb_mib_per_s(total, ns);
}

/* µs per round trip of one byte to a child and back, over two pipes. */
static uint64_t lb_pipe_pingpong(void)
{
	const long n = 2000;
	int ping[2], pong[2], pid, status;
	uint64_t t0, ns;
	char c = 'x';

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
			if (write(pong[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	t0 = lb_now();
	for (long i = 0; i < n && pid > 0; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			pid = -1;
	ns = lb_now() - t0;
	close(ping[1]);
	close(pong[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 0;
	return ns / n;
}

/* µs per mmap+munmap of a page while n other mappings exist: single
 * pages whose protections alternate (read-only, none) so that they stay
 * n mappings even side by side; the timed read-write page merges with
 * none of them. */
#define LB_MAX_MAPS 10000
static char *lb_maps[LB_MAX_MAPS];

static uint64_t lb_mmap_among(long n)
{
	const long rounds = 2000;
	uint64_t t0, ns;
	long made = 0;
	int ok = n <= LB_MAX_MAPS;

	for (; ok && made < n; made++) {
		lb_maps[made] = mmap(NULL, PAGE, made % 2 ? PROT_NONE : PROT_READ,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (lb_maps[made] == MAP_FAILED)
			ok = 0;
	}
	t0 = lb_now();
	for (long i = 0; i < rounds && ok; i++) {
		char *p = lb_map(PAGE);
		ok = p && munmap(p, PAGE) == 0;
	}
	ns = lb_now() - t0;
	for (long i = 0; i < made; i++)
		if (lb_maps[i] != MAP_FAILED)
			munmap(lb_maps[i], PAGE);
	return ok ? ns / rounds : 0;
}

static uint64_t lb_mmap_among_10(void)
{
	return lb_mmap_among(10);
}

static uint64_t lb_mmap_among_10k(void)
{
	return lb_mmap_among(10000);
}

/* µs per mprotect of one touched page in the middle of 16 to read-only
 * and back: the mapping splits in three and merges again. */
static uint64_t lb_mprotect(void)
{
	const long pages = 16, rounds = 2000;
	char *p = lb_map(pages * PAGE), *mid;
	uint64_t t0, ns;
	int ok = 1;

	if (!p)
		return 0;
	lb_touch(p, pages * PAGE);
	mid = p + pages / 2 * PAGE;
	t0 = lb_now();
	for (long i = 0; i < rounds && ok; i++)
		ok = mprotect(mid, PAGE, PROT_READ) == 0 && mprotect(mid, PAGE, LB_RW) == 0;
	ns = lb_now() - t0;
	munmap(p, pages * PAGE);
	return ok ? ns / rounds : 0;
}

/* MiB/s of the C library's memcpy, 4 MiB between two touched mappings. */
static uint64_t lb_memcpy(void)
{
	const long len = 4L << 20, n = 8;
	char *src = lb_map(len), *dst = lb_map(len);
	uint64_t t0, ns = 0;

	if (src && dst) {
		lb_touch(src, len);
		lb_touch(dst, len);
		t0 = lb_now();
		for (long i = 0; i < n; i++) {
			memcpy(dst, src, len);
			lb_use(dst);
		}
		ns = lb_now() - t0;
	}
	if (src)
		munmap(src, len);
	if (dst)
		munmap(dst, len);
	return lb_mib_per_s(n * len, ns);
}

/* MiB/s of writing 8 MiB to a new file in /tmp in 64 KiB writes and
 * reading it back: 8 MiB over the time of both. /tmp is in memory on both
 * systems (mnemo's file system; the initramfs's tmpfs on Linux). */
static uint64_t lb_file(void)
{
	static char buf[64 << 10];
	const char *path = "/tmp/lbench.dat";
	const long len = 8L << 20;
	long moved = 0, n;
	uint64_t t0, ns;
	int fd;

	memset(buf, 'f', sizeof(buf));
	t0 = lb_now();
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return 0;
	for (long off = 0; off < len; off += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (long)sizeof(buf))
			break;
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			moved += n;
		close(fd);
	}
	ns = lb_now() - t0;
	unlink(path);
	return moved == len ? lb_mib_per_s(len, ns) : 0;
}

/* ---------------------------------------------------------------- mnemo only */

#ifndef __linux__
/* A 64-byte request: 8 bytes of key, 32 of data. */
union lb_request {
	struct crypto_op op;
	uint8_t bytes[64];
};

static void lb_request_init(union lb_request *req)
{
	req->op.type = CRYPTO_OP_TYPE_ENCRYPT;
	req->op.key_size = 8;
	req->op.data_size = sizeof(*req) - CRYPTO_OP_HEADER_SIZE - 8;
	req->op.state = CRYPTO_OP_STATE_INIT;
}

/* µs per 64-byte request to the crypto server and back. */
static uint64_t lb_crypto_round_trip(void)
{
	static union lb_request req;
	const long n = 2000;
	uint64_t t0 = lb_now();

	for (long i = 0; i < n; i++) {
		lb_request_init(&req);
		if (crypto_op(&req.op, sizeof(req)) < 0 ||
		    crypto_wait(&req.op) != CRYPTO_OP_STATE_DONE)
			return 0;
	}
	return (lb_now() - t0) / n;
}

/* The same request served here, by the server's own code. */
static uint64_t lb_crypto_local(void)
{
	static union lb_request req;
	const long n = 2000;
	uint64_t t0 = lb_now();

	for (long i = 0; i < n; i++) {
		lb_request_init(&req);
		if (crypto_serve(&req.op, sizeof(req)) != CRYPTO_OP_STATE_DONE)
			return 0;
		lb_use(&req);
	}
	return (lb_now() - t0) / n;
}

#define LB_SHARE_PAGES 256

/* µs per page for map_shared_pages of 256 touched pages of a child into
 * this process and unmap_shared_pages. */
static uint64_t lb_share_pages(void)
{
	const long len = LB_SHARE_PAGES * PAGE, n = 20;
	char *buf = lb_map(len);
	int ready[2], hold[2], status, pid;
	uint64_t ns = 0;
	char c;

	if (!buf)
		return 0;
	if (pipe(ready) < 0 || pipe(hold) < 0) {
		munmap(buf, len);
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		/* Pages of the child's own, then wait to be let go. */
		close(hold[1]);
		lb_touch(buf, len);
		(void)!write(ready[1], "r", 1);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(hold[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		uint64_t t0 = lb_now();
		int ok = 1;
		for (long i = 0; i < n && ok; i++) {
			char *at = map_shared_pages(pid, 0, buf, len);
			ok = at != (char *)-1 && unmap_shared_pages(at, len) == 0;
		}
		ns = ok ? lb_now() - t0 : 0;
	}
	close(hold[1]);
	close(ready[0]);
	close(ready[1]);
	munmap(buf, len);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 0;
	return ns / (n * LB_SHARE_PAGES);
}

/* The nearest thing in one process: mmap 256 pages, touch them, munmap. */
static uint64_t lb_map_touch_unmap(void)
{
	const long len = LB_SHARE_PAGES * PAGE, n = 20;
	uint64_t t0 = lb_now();

	for (long i = 0; i < n; i++) {
		char *p = lb_map(len);
		if (!p)
			return 0;
		lb_touch(p, len);
		munmap(p, len);
	}
	return (lb_now() - t0) / (n * LB_SHARE_PAGES);
}
#endif

/* ---------------------------------------------------------------- the table */

struct lb_row {
	const char *name;
	const char *unit;
	uint64_t (*run)(void);
	/* mnemo only: the row measured in-process to compare with. */
	const struct lb_row *reference;
};

static const struct lb_row lb_rows[] = {
    {"getppid (null syscall)", "us", lb_getppid, NULL},
    {"fork+exit+wait", "ms", lb_fork_exit, NULL},
    {"fork+exec+wait (/bin/true)", "ms", lb_fork_exec, NULL},
    {"mmap first touch 16 MiB", "us/page", lb_first_touch, NULL},
    {"munmap touched 16 MiB", "us/page", lb_munmap_touched, NULL},
    {"fork+exit+wait, 16 MiB touched", "ms", lb_fork_16mib, NULL},
    {"copy-on-write fault 4 MiB", "us/page", lb_cow_fault, NULL},
    {"pipe 4 KiB writes, 32 MiB", "MiB/s", lb_pipe_throughput, NULL},
    {"pipe ping-pong 1 byte", "us", lb_pipe_pingpong, NULL},
    {"mmap+munmap 1 page, 10 maps", "us", lb_mmap_among_10, NULL},
    {"mmap+munmap 1 page, 10k maps", "us", lb_mmap_among_10k, NULL},
    {"mprotect 1 page RO and back", "us", lb_mprotect, NULL},
    {"memcpy 4 MiB", "MiB/s", lb_memcpy, NULL},
    {"file write+read 8 MiB", "MiB/s", lb_file, NULL},
};

#ifndef __linux__
static const struct lb_row lb_crypto_ref = {"crypto_serve 64 B in-process", "us", lb_crypto_local,
					    NULL};
static const struct lb_row lb_share_ref = {"mmap+touch+munmap 256 pages", "us/page",
					   lb_map_touch_unmap, NULL};
static const struct lb_row lb_only_rows[] = {
    {"crypto_op 64 B round trip", "us", lb_crypto_round_trip, &lb_crypto_ref},
    {"map+unmap shared 256 pages", "us/page", lb_share_pages, &lb_share_ref},
};
#endif

/* The median of LB_TRIALS trials, or 0 if any failed. */
static uint64_t lb_measure(const struct lb_row *row)
{
	uint64_t v[LB_TRIALS];

	for (int i = 0; i < LB_TRIALS; i++) {
		v[i] = row->run();
		if (v[i] == 0)
			return 0;
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	}
	return v[LB_TRIALS / 2];
}

static const char *lb_fmt(char *buf, size_t size, uint64_t milli)
{
	if (milli == 0)
		snprintf(buf, size, "failed");
	else
		snprintf(buf, size, "%llu.%03llu", (unsigned long long)(milli / 1000),
			 (unsigned long long)(milli % 1000));
	return buf;
}

/* With arguments, only the rows whose names hold one of them. */
static int lb_chosen(const char *name, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return argc < 2;
}

int main(int argc, char **argv)
{
	char fig[32];
	int failed = 0;

	printf("--- lbench ---\n");
	for (size_t i = 0; i < sizeof(lb_rows) / sizeof(lb_rows[0]); i++) {
		if (!lb_chosen(lb_rows[i].name, argc, argv))
			continue;
		uint64_t v = lb_measure(&lb_rows[i]);
		failed += v == 0;
		printf("row\t%s\t%s\t%s\n", lb_rows[i].name, lb_fmt(fig, sizeof(fig), v),
		       lb_rows[i].unit);
		fflush(stdout);
	}
#ifndef __linux__
	for (size_t i = 0; i < sizeof(lb_only_rows) / sizeof(lb_only_rows[0]); i++) {
		const struct lb_row *row = &lb_only_rows[i];
		char ref[32];
		if (!lb_chosen(row->name, argc, argv))
			continue;
		uint64_t v = lb_measure(row), r = lb_measure(row->reference);
		failed += v == 0 || r == 0;
		printf("only\t%s\t%s\t%s\t%s\t%s\n", row->name, lb_fmt(fig, sizeof(fig), v),
		       row->unit, row->reference->name, lb_fmt(ref, sizeof(ref), r));
		fflush(stdout);
	}
#endif
	printf("--- lbench end ---\n");
	fflush(stdout);
	return failed ? 1 : 0;
}
