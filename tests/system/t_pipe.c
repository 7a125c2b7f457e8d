/* Pipes: ordering, end of file, EPIPE, blocking, a 10 MiB transfer
 * between two processes, many pipes at once, and partners that answer
 * after any delay, around the time a blocked end stops watching and
 * sleeps. */
#include "test.h"

#include "include/uapi/stat.h"
#include "include/uapi/syscall.h"

#define XFER_SIZE (10L << 20)
#define SEED	  0xfeed
#define NPIPES	  24

static uint8_t buf[8192];

static void test_order(void)
{
	char got[32] = {0};
	struct mnemo_stat mst;
	int fds[2];

	CHECK("pipe", pipe(fds) == 0 && fds[0] >= 0 && fds[1] >= 0 && fds[0] != fds[1], "%s",
	      strerror(errno));
	CHECK("pipe-fstat",
	      test_syscall(SYS_fstat, fds[0], (long)&mst, 0) == 0 && mst.type == MNEMO_T_PIPE,
	      "type %u", mst.type);
	CHECK("pipe-write", write(fds[1], "hello ", 6) == 6 && write(fds[1], "world", 5) == 5);
	CHECK("pipe-order", read_full(fds[0], got, 11) == 11 && strcmp(got, "hello world") == 0,
	      "got '%s'", got);
	CHECK("pipe-zero-read", read(fds[0], got, 0) == 0);
	expect_errno("pipe-read-on-write-end", read(fds[1], got, 1), EBADF);
	expect_errno("pipe-write-on-read-end", write(fds[0], "x", 1), EBADF);

	/* A short read takes what is there; the rest stays in order. */
	write(fds[1], "abcdef", 6);
	CHECK("pipe-partial-read", read(fds[0], got, 2) == 2 && memcmp(got, "ab", 2) == 0 &&
				       read(fds[0], got, 10) == 4 && memcmp(got, "cdef", 4) == 0);

	close(fds[1]);
	CHECK("pipe-eof", read(fds[0], got, sizeof(got)) == 0);
	close(fds[0]);
}

/* End of file only when every write end is closed, also in a child. */
static void test_eof(void)
{
	char c;
	int fds[2], pid, dupfd;

	pipe(fds);
	dupfd = dup(fds[1]);
	close(fds[1]);
	write(dupfd, "x", 1);
	CHECK("pipe-dup-keeps-open", read(fds[0], &c, 1) == 1 && c == 'x');
	close(dupfd);
	CHECK("pipe-eof-after-dup-closed", read(fds[0], &c, 1) == 0);
	close(fds[0]);

	pipe(fds);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		sleep(1); /* the parent blocks in read meanwhile */
		write(fds[1], "late", 4);
		_exit(0);
	}
	close(fds[1]);
	memset(buf, 0, 8);
	CHECK("pipe-read-blocks", read_full(fds[0], buf, 4) == 4 && memcmp(buf, "late", 4) == 0);
	CHECK("pipe-eof-at-child-exit", read(fds[0], buf, 1) == 0);
	close(fds[0]);
	CHECK("pipe-child-status", test_wait_status(pid) == 0);
}

static void test_epipe(void)
{
	int fds[2], pid;

	pipe(fds);
	close(fds[0]);
	expect_errno("pipe-epipe", write(fds[1], "x", 1), EPIPE);
	CHECK("pipe-epipe-survives", getpid() > 0);
	close(fds[1]);

	/* A writer blocked on a full pipe wakes with EPIPE when the reader
	 * goes away. */
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		memset(buf, 'z', sizeof(buf));
		for (int i = 0; i < 1024; i++)
			if (write(fds[1], buf, sizeof(buf)) < 0)
				_exit(errno == EPIPE ? 0 : 2);
		_exit(1);
	}
	close(fds[1]);
	sleep(1);
	close(fds[0]);
	CHECK("pipe-epipe-blocked-writer", test_wait_status(pid) == 0);
}

/* The child writes 10 MiB of the pattern in chunks of varying size; the
 * parent reads with other sizes and checks every byte and the sum. */
static void test_transfer(void)
{
	struct test_sum sum = {0};
	uint64_t child_sum;
	long off = 0, n, bad = -1;
	int fds[2], sums[2], pid;

	pipe(fds);
	pipe(sums);
	pid = fork();
	if (pid == 0) {
		struct test_sum s = {0};
		close(fds[0]);
		close(sums[0]);
		for (long o = 0, i = 0; o < XFER_SIZE; i++) {
			long len = 1 + (i * 1237) % sizeof(buf);
			if (len > XFER_SIZE - o)
				len = XFER_SIZE - o;
			test_pattern_fill(buf, len, SEED, o);
			test_sum_add(&s, buf, len);
			if (write_all(fds[1], buf, len) < 0)
				_exit(1);
			o += len;
		}
		uint64_t v = test_sum_value(&s);
		write(sums[1], &v, sizeof(v));
		_exit(0);
	}
	close(fds[1]);
	close(sums[1]);
	for (long i = 0;; i++) {
		long want = 4096 + (i * 977) % 4096;
		n = read(fds[0], buf, want);
		if (n <= 0)
			break;
		if (bad < 0 && test_pattern_diff(buf, n, SEED, off) >= 0)
			bad = off + test_pattern_diff(buf, n, SEED, off);
		test_sum_add(&sum, buf, n);
		off += n;
	}
	close(fds[0]);
	CHECK("pipe-10mib-length", off == XFER_SIZE && n == 0, "got %ld bytes", off);
	CHECK("pipe-10mib-data", bad < 0, "byte %ld differs", bad);
	CHECK("pipe-10mib-checksum",
	      read(sums[0], &child_sum, 8) == 8 && child_sum == test_sum_value(&sum));
	close(sums[0]);
	CHECK("pipe-10mib-writer-status", test_wait_status(pid) == 0);
}

/* Waits around the time a blocked reader or writer watches for its
 * partner before it sleeps (20 us): a wait that ends just before, during
 * or just after the switch from watching to sleeping. */
static const uint64_t answer_delays[] = {0, 2, 10, 17, 19, 21, 23, 30, 60, 200};
#define NDELAYS (sizeof(answer_delays) / sizeof(answer_delays[0]))

/* Round trips of one byte whose answers come after each of those waits;
 * a write that the reader missed while it went from watching to sleeping
 * would hang this test. */
static void test_answer_delays(void)
{
	int ping[2], pong[2], pid, bad = 0;
	const int rounds = 2000;
	long before = test_settle();

	pipe(ping);
	pipe(pong);
	pid = fork();
	if (pid == 0) {
		close(ping[1]);
		close(pong[0]);
		for (int i = 0;; i++) {
			unsigned char c;
			if (read(ping[0], &c, 1) != 1)
				_exit(0);
			test_spin_us(answer_delays[(i * 7) % NDELAYS]);
			c ^= 0x5a;
			if (write(pong[1], &c, 1) != 1)
				_exit(1);
		}
	}
	close(ping[0]);
	close(pong[1]);
	for (int i = 0; i < rounds; i++) {
		unsigned char c = (unsigned char)i;
		test_spin_us(answer_delays[i % NDELAYS]);
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1 ||
		    c != (unsigned char)(i ^ 0x5a))
			bad++;
	}
	close(ping[1]);
	close(pong[0]);
	CHECK("pipe-answers-after-any-delay", bad == 0, "%d of %d round trips wrong", bad, rounds);
	CHECK("pipe-answers-after-any-delay-status", test_wait_status(pid) == 0);
	test_check_free("pipe-answers-after-any-delay-no-leak", before);
}

/* A writer blocked on a full ring, drained after each of those waits. */
static void test_drain_delays(void)
{
	int fds[2], pid;
	long off = 0, n, bad = -1;
	const long total = 1L << 20, chunk = sizeof(buf);
	long before = test_settle();

	pipe(fds);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (long o = 0; o < total; o += chunk) {
			test_pattern_fill(buf, chunk, SEED + 1, o);
			if (write_all(fds[1], buf, chunk) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	for (int i = 0;; i++) {
		test_spin_us(answer_delays[i % NDELAYS]);
		n = read(fds[0], buf, 4096);
		if (n <= 0)
			break;
		if (bad < 0 && test_pattern_diff(buf, n, SEED + 1, off) >= 0)
			bad = off + test_pattern_diff(buf, n, SEED + 1, off);
		off += n;
	}
	close(fds[0]);
	CHECK("pipe-drained-after-any-delay", off == total && n == 0 && bad < 0,
	      "got %ld bytes, first wrong %ld", off, bad);
	CHECK("pipe-drained-after-any-delay-status", test_wait_status(pid) == 0);
	test_check_free("pipe-drained-after-any-delay-no-leak", before);
}

/* NPIPES pipes at once, each read by its own child that echoes one byte
 * back through a shared answer pipe. */
static void test_many(void)
{
	int p[NPIPES][2], answer[2], made = 0, pids[NPIPES], ok = 0;
	char seen[NPIPES] = {0};

	for (int i = 0; i < NPIPES; i++)
		made += pipe(p[i]) == 0;
	CHECK("pipe-many-create", made == NPIPES, "%d of %d", made, NPIPES);
	if (made != NPIPES) {
		while (made-- > 0) {
			close(p[made][0]);
			close(p[made][1]);
		}
		return;
	}
	made = 0;
	for (int i = 0; i < NPIPES; i++)
		made += write(p[i][1], &(char){(char)i}, 1) == 1;
	CHECK("pipe-many-write", made == NPIPES, "%d of %d writes", made, NPIPES);
	pipe(answer);
	for (int i = 0; i < NPIPES; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c = -1;
			read(p[i][0], &c, 1);
			write(answer[1], &c, 1);
			_exit(c == i ? 0 : 1);
		}
	}
	for (int i = 0; i < NPIPES; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	close(answer[1]);
	for (char c; read(answer[0], &c, 1) == 1;)
		if (c >= 0 && c < NPIPES)
			seen[(int)c]++;
	close(answer[0]);
	for (int i = 0; i < NPIPES; i++)
		ok += seen[i] == 1 && test_wait_status(pids[i]) == 0;
	CHECK("pipe-many-each", ok == NPIPES, "%d of %d pipes delivered", ok, NPIPES);
}

int main(void)
{
	memset(buf, 0, sizeof(buf));
	test_order();
	test_eof();
	test_epipe();
	test_transfer();
	test_many();
	test_answer_delays();
	test_drain_delays();
	return test_done();
}
