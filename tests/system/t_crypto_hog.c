/* Clients of the crypto service that hog memory (from a hostile review).
 *
 *   - cry-huge: crypto_op over a 1 GiB lazy mapping (more than RAM): it
 *     must fail (ENOMEM), leave nothing pinned, and the server must go on
 *     serving (under the eager pager the mmap itself fails);
 *   - cry-fork-pinned: a client forks while its request is queued (the
 *     server kept busy by a long ChaCha20 request); the child writes the
 *     buffer: the parent gets the right answer, the child keeps its own
 *     bytes;
 *   - cry-livelock: one client queues a large request (its own, already
 *     resident memory) and keeps the rest of memory, so the server cannot
 *     map it. The request must fail (ENOMEM); it used to go back to the
 *     head of the queue, the server asked again at once, forever, and
 *     every other client waited as long as the hostile one lived. Long
 *     ChaCha20 requests keep the server busy while the trap is laid;
 *   - cry-exit-queued: a client that exits with a large request queued
 *     gives its pages back at exit, while the server is still busy. */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <crypto.h>

#include "test.h"

#define PAGE 4096UL

static struct mnemo_procinfo procs[256];

static void header(struct crypto_op *op, uint32_t type, uint64_t key_size, uint64_t data_size)
{
	op->type = type;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = key_size;
	op->data_size = data_size;
}

/* Polls op's state for at most ticks; returns it. */
static uint32_t wait_state(struct crypto_op *op, int ticks)
{
	volatile uint32_t *s = &op->state;
	int end = uptime() + ticks;

	while (*s == CRYPTO_OP_STATE_INIT && uptime() < end)
		usleep(5000);
	__asm__ volatile("fence rw,rw" : : : "memory");
	return *s;
}

/* A small request answered within ticks? */
static bool server_answers(int ticks)
{
	static uint8_t buf[PAGE] __attribute__((aligned(PAGE)));
	struct crypto_op *op = (struct crypto_op *)buf;

	header(op, CRYPTO_OP_TYPE_ENCRYPT, 1, 8);
	memcpy(op->payload, "k01234567", 9);
	if (crypto_op(op, 24 + 9) < 0)
		return false;
	bool ok = wait_state(op, ticks) == CRYPTO_OP_STATE_DONE;
	crypto_wait(op);
	return ok;
}

/* Pid 2's state in procinfo: 1 sleeping, 2 runnable, 3 running. */
static int server_state(void)
{
	int n = procinfo(procs, 256);

	for (int i = 0; i < n && i < 256; i++)
		if (procs[i].pid == CRYPTO_SERVER_PID)
			return procs[i].state;
	return -1;
}

/* ------------------------------------------------------------ cry-huge */

static int huge_child(long unused)
{
	uint64_t len = 1UL << 30;
	char *buf = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)unused;
	if (buf == MAP_FAILED) /* the eager pager fills it, and cannot */
		return errno == ENOMEM ? 0 : 100;
	header((struct crypto_op *)buf, CRYPTO_OP_TYPE_ENCRYPT, 1, 1);
	int t0 = uptime();
	int r = crypto_op((struct crypto_op *)buf, len);
	int e = errno;
	test_print("cry-huge: crypto_op over 1 GiB took %d ticks", uptime() - t0);
	if (r == 0)
		crypto_wait((struct crypto_op *)buf);
	return r == -1 && e == ENOMEM ? 0 : 1;
}

static void test_huge(void)
{
	/* Once uncounted, so that what this program does for the first time
	 * (its first fork, the stack under test_print) is not counted. */
	int status = test_in_child(huge_child, 0);
	CHECK("cry-huge-refused", status == 0, "status %d", status);
	long before = test_settle();
	test_in_child(huge_child, 0);
	test_check_free("cry-huge-no-leak", before);
	CHECK("cry-huge-server-serves", server_answers(300));
}

/* ------------------------------------------------------------ cry-fork-pinned */

static void test_fork_pinned(void)
{
	/* Keeps the server busy: 16 MiB of ChaCha20. */
	uint64_t big = 16UL << 20;
	uint8_t *blk =
	    mmap(0, big + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static uint8_t buf[PAGE] __attribute__((aligned(PAGE)));
	struct crypto_op *op = (struct crypto_op *)buf;
	int p[2];

	if (blk == MAP_FAILED || pipe(p) < 0) {
		CHECK("cry-fork-setup", 0, "%s", strerror(errno));
		return;
	}
	memset(blk, 1, big + PAGE);
	header((struct crypto_op *)blk, CRYPTO_OP_TYPE_CHACHA20, 48, big - 48);
	int t0 = uptime();
	if (crypto_op((struct crypto_op *)blk, big + 24) < 0) {
		CHECK("cry-fork-blocker", 0, "%s", strerror(errno));
		return;
	}
	header(op, CRYPTO_OP_TYPE_ENCRYPT, 1, 16);
	op->payload[0] = 0x20;
	memset(op->payload + 1, 'a', 16);
	if (crypto_op(op, 24 + 17) < 0) {
		CHECK("cry-fork-queue", 0, "%s", strerror(errno));
		return;
	}
	int child = fork();
	if (child == 0) {
		/* The child writes what the parent's request holds, then
		 * looks again once the parent has its answer. */
		char c;
		close(p[1]);
		memset(op->payload + 1, 'z', 16);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(op->payload[1] == 'z' && op->state == CRYPTO_OP_STATE_INIT ? 0 : 1);
	}
	close(p[0]);
	uint32_t st = wait_state(op, 3000);
	bool done = st == CRYPTO_OP_STATE_DONE;
	int blk_state = wait_state((struct crypto_op *)blk, 3000);
	test_print("cry-fork: blocker state %d after %d ticks", blk_state, uptime() - t0);
	CHECK("cry-fork-parent-answer", done && op->payload[1] == ('a' ^ 0x20),
	      "state %u, byte %#x", st, op->payload[1]);
	close(p[1]);
	int status = test_wait_status(child);
	CHECK("cry-fork-child-untouched", status == 0,
	      "child saw the server's answer or lost its own "
	      "write (status %d)",
	      status);
	crypto_wait(op);
	crypto_wait((struct crypto_op *)blk);
	munmap(blk, big + PAGE);
}

/* ------------------------------------------------------------ cry-livelock */

#define MAXMAPS 4096
static struct {
	char *at;
	unsigned long len;
} maps[MAXMAPS];
static int nmaps;

static void grab_all(void)
{
	for (unsigned long n = 4096; n >= 1 && nmaps < MAXMAPS;) {
		char *p =
		    mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			n /= 2;
			continue;
		}
		maps[nmaps].at = p;
		maps[nmaps].len = n * PAGE;
		nmaps++;
	}
}

/* Gives back the last n pages taken. */
static void give_back(unsigned long n)
{
	while (n > 0 && nmaps > 0) {
		unsigned long pages = maps[nmaps - 1].len / PAGE, k = pages < n ? pages : n;

		maps[nmaps - 1].len -= k * PAGE;
		munmap(maps[nmaps - 1].at + maps[nmaps - 1].len, k * PAGE);
		if (maps[nmaps - 1].len == 0)
			nmaps--;
		n -= k;
	}
}

static void release_all(void)
{
	while (nmaps > 0) {
		nmaps--;
		munmap(maps[nmaps].at, maps[nmaps].len);
	}
}

/* The victim: a small request prepared beforehand, queued on a signal;
 * exits 0 once answered DONE. Its buffer is shared with the parent. */
static void victim(struct crypto_op *op, int go)
{
	char c;

	if (read(go, &c, 1) != 1)
		_exit(2);
	if (crypto_op(op, 24 + 9) < 0)
		_exit(3);
	_exit(crypto_wait(op) == CRYPTO_OP_STATE_DONE ? 0 : 1);
}

/* Queues the blocker: links ChaCha20 requests over the same blen bytes
 * at blk, which keep the server busy links times as long as one, in no
 * more memory. Link i has its header i pages in and runs to the end, so
 * it encrypts the headers of the links above it; they are queued from
 * the top down, so the server has answered each of those before. The
 * link at blk itself is answered last. Returns crypto_op's result. */
static int queue_blocker(char *blk, uint64_t blen, int links)
{
	for (int i = links - 1; i >= 0; i--) {
		struct crypto_op *op = (struct crypto_op *)(blk + i * PAGE);
		uint64_t len = blen - i * PAGE;

		header(op, CRYPTO_OP_TYPE_CHACHA20, 48, len - 24 - 48);
		if (crypto_op(op, len) < 0)
			return -1;
	}
	return 0;
}

/* One try with a blocker of links requests; false when the trap could
 * not be laid: the blocker was done before we had taken the memory, so
 * the server mapped the big request (then nothing is reported, and the
 * caller tries again with a longer blocker). */
static bool livelock_try(int links)
{
	uint64_t n = 32768; /* 128 MiB, resident before anything else */
	uint64_t len = n * PAGE;
	struct crypto_op *vop =
	    mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2];

	if (vop == MAP_FAILED || pipe(go) < 0) {
		CHECK("cry-livelock-setup", 0, "%s", strerror(errno));
		return true;
	}
	header(vop, CRYPTO_OP_TYPE_ENCRYPT, 1, 8);
	memcpy(vop->payload, "k01234567", 9);
	int v = fork();
	if (v == 0) {
		close(go[1]);
		victim(vop, go[0]);
	}
	close(go[0]);
	/* After the fork, so that the pages are ours alone (no copy-on-write
	 * to break when they are pinned; the eager pager fills at mmap). */
	char *buf = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		CHECK("cry-livelock-setup", 0, "%s", strerror(errno));
		close(go[1]);
		test_wait_status(v);
		return true;
	}
	memset(buf, 7, len);
	header((struct crypto_op *)buf, CRYPTO_OP_TYPE_ENCRYPT, 1, 1);

	/* A blocker keeps the server busy (links times 32 MiB of ChaCha20)
	 * while the big request is queued behind it and we take the rest of
	 * memory. Each link is smaller than the big one, so what the server
	 * frees after it is not enough for the next. */
	uint64_t blen = 32UL << 20;
	char *blk = mmap(0, blen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool set = false, ran = true, queue_failed = false;
	if (blk != MAP_FAILED)
		memset(blk, 1, blen);
	if (blk == MAP_FAILED || queue_blocker(blk, blen, links) < 0 ||
	    crypto_op((struct crypto_op *)buf, len) < 0) {
		CHECK("cry-livelock-queue", 0, "crypto_op: %s", strerror(errno));
		queue_failed = true;
	} else {
		grab_all();
		set = ((volatile struct crypto_op *)blk)->state == CRYPTO_OP_STATE_INIT;
		test_print("cry-livelock: %d links, grabbed, %ld free, blocker still running: %d",
			   links, free_page_count(), set);
		/* Each link the server finishes gives back its page array and
		 * page tables: take them too, until the server has been
		 * through the queue, so that the big request finds no memory
		 * when its turn comes. The server fails it and sleeps. (The
		 * server that spun on it never slept: then this ends at its
		 * bound, and the samples below catch the spinning.) Links
		 * may fail too, for want of memory: the trap holds all the
		 * same. */
		for (int end = uptime() + 200 * links; server_state() != 1 && uptime() < end;) {
			grab_all();
			usleep(5000);
		}
		/* Give back a few pages: enough for the victim's small
		 * request, far from enough for the big one's page array (64
		 * pages in a row) and 64 page tables in the server. */
		give_back(48);
		int bw = crypto_wait((struct crypto_op *)blk);
		const char *bwhy = bw < 0 ? strerror(errno) : "answered";
		for (int end = uptime() + 300; server_state() != 1 && uptime() < end;)
			usleep(5000);
		set = set && ((volatile struct crypto_op *)buf)->state == CRYPTO_OP_STATE_INIT;
		test_print("cry-livelock: blocker %s, big request in state %u", bwhy,
			   ((volatile struct crypto_op *)buf)->state);
	}
	if (!set) {
		release_all();
		ran = queue_failed; /* reported; else the trap was not laid */
		kill(v, SIGKILL);
		test_wait_status(v);
		crypto_wait((struct crypto_op *)buf);
		crypto_wait((struct crypto_op *)blk);
		goto out;
	}
	write(go[1], "g", 1);
	int busy = 0, samples = 0;
	for (int i = 0; i < 40; i++) {
		usleep(50000);
		int s = server_state();
		busy += s == 2 || s == 3;
		samples++;
	}
	uint32_t vs = wait_state(vop, 100);
	test_print("cry-livelock: %ld pages free; server runnable or running in %d of %d samples; "
		   "victim state %u after 3 s",
		   free_page_count(), busy, samples, vs);
	CHECK("cry-livelock-server-sleeps", busy < samples / 2,
	      "the server spun on the request it cannot map (%d/%d samples busy)", busy, samples);
	CHECK("cry-livelock-others-served", vs == CRYPTO_OP_STATE_DONE,
	      "another client's request waited 3 s behind it (state %u)", vs);
	release_all();
	int status = test_wait_status(v);
	CHECK("cry-livelock-victim-later", status == 0, "status %d", status);
	crypto_wait((struct crypto_op *)buf);
	crypto_wait((struct crypto_op *)blk);
out:
	if (blk != MAP_FAILED)
		munmap(blk, blen);
	close(go[1]);
	munmap(buf, len);
	munmap(vop, PAGE);
	/* The runner's exact count after this program checks that the
	 * failed request, the server and the victim left nothing behind. */
	return ran;
}

/* Runs one try of a test whose trap a blocker holds open, with a blocker
 * of 4 links first, then 16, then 48 (the queue holds 64), until the trap
 * could be laid; checks under name that it could. */
#define BLOCKER_TRIES 3

static void with_longer_blockers(const char *name, bool (*try_with)(int links))
{
	static const int links[BLOCKER_TRIES] = {4, 16, 48};
	int tries = 0;

	while (tries < BLOCKER_TRIES && !try_with(links[tries]))
		tries++;
	CHECK(name, tries < BLOCKER_TRIES, "the blocker ended too soon in all %d tries", tries);
}

static void test_livelock(void)
{
	struct mnemo_meminfo mi;

	/* The trap needs memory the hostile client holds and nobody can
	 * take back; with swap, reclaim takes it (and the client, holding
	 * all of RAM and swap, is the OOM killer's). The passes of the suite
	 * without swap (SWAP=0) run it. */
	if (meminfo(&mi) == 0 && mi.swap_pages > 0) {
		test_print("cry-livelock: not run with swap: it needs RAM that cannot be "
			   "reclaimed");
		return;
	}
	with_longer_blockers("cry-livelock-setup", livelock_try);
}

/* ------------------------------------------------------------ cry-exit-queued */

#define EXIT_PAGES 1024 /* the child's queued request: 4 MiB */

/* The child: a request over EXIT_PAGES resident pages of its own, queued
 * behind the blocker; then it exits without waiting. */
static int exit_queued_child(long unused)
{
	uint64_t len = EXIT_PAGES * PAGE;
	char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)unused;
	if (p == MAP_FAILED)
		return 1;
	memset(p, 3, len);
	header((struct crypto_op *)p, CRYPTO_OP_TYPE_ENCRYPT, 1, len - 25);
	return crypto_op((struct crypto_op *)p, len) < 0 ? 2 : 0;
}

/* One try with a blocker of links; false when the blocker was done before
 * the child had gone (the pages could have come back as the server
 * dropped the request: nothing is learned, and the caller tries again). */
static bool exit_queued_try(int links)
{
	uint64_t blen = 32UL << 20;
	char *blk = mmap(0, blen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (blk == MAP_FAILED) {
		CHECK("cry-exit-queued-setup", 0, "%s", strerror(errno));
		return true;
	}
	memset(blk, 1, blen);
	long before = free_memory_bytes();
	if (queue_blocker(blk, blen, links) < 0) {
		CHECK("cry-exit-queued-setup", 0, "crypto_op: %s", strerror(errno));
		munmap(blk, blen);
		return true;
	}
	int status = test_in_child(exit_queued_child, 0);
	long after = free_memory_bytes();
	bool running = ((volatile struct crypto_op *)blk)->state == CRYPTO_OP_STATE_INIT;
	crypto_wait((struct crypto_op *)blk);
	munmap(blk, blen);
	if (!running)
		return false;
	long missing = (before - after) / (long)PAGE;
	CHECK("cry-exit-queued-runs", status == 0, "child status %d", status);
	CHECK("cry-exit-queued-freed-at-exit", missing < EXIT_PAGES / 2,
	      "%ld pages of the exited client's queued request still held", missing);
	return true;
}

/* A client that exits with a request still queued gives its pinned pages
 * back at exit, not when the server comes to the request: a long
 * blocker holds the server while we look. (The runner's exact count
 * checks that nothing stays in the end.) */
static void test_exit_queued(void)
{
	with_longer_blockers("cry-exit-queued-setup", exit_queued_try);
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;

	if (!only || !strcmp(only, "huge"))
		test_huge();
	if (!only || !strcmp(only, "fork"))
		test_fork_pinned();
	if (!only || !strcmp(only, "livelock"))
		test_livelock();
	if (!only || !strcmp(only, "exit"))
		test_exit_queued();
	return test_done();
}
