/* Page sharing (map_shared_pages / unmap_shared_pages, seed 001):
 *   - the seed's demonstrations, shmem_test1 and shmem_test2, run several
 *     times in a row and leave free memory where it was;
 *   - sharing in both directions, mapped by the parent (its pages into
 *     the child, the child's into itself), writes seen both ways over
 *     several pages at the
 *     source's offset, and either side exiting first: the other keeps
 *     working and nothing leaks;
 *   - fork of the destination (the grandchild shares too) and of the
 *     source;
 *   - malloc next to a shared mapping (sbrk(0) does not move);
 *   - unmap_shared_pages refuses anything that is not such a mapping and
 *     can take part of one;
 *   - a process shares only with its own descendants: EPERM with its
 *     parent, a sibling, init (also as an orphan) or the crypto server;
 *     ESRCH, EFAULT, EINVAL;
 *   - a read-only copy-on-write page shared, then made writable and
 *     written by its owner, is still one page for both sides;
 *   - the destination keeps the source's permissions: a read-only page
 *     stays read-only, and the mapping shows as "[shared]". */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "include/uapi/mman.h"
#include "test.h"

#define PAGE 4096L
/* Three pages and a bit, starting inside a page: four pages to share. */
#define SHM_SIZE (3 * PAGE + 100)
#define SHM_LEAD 40

/* ---------------------------------------------------------------- helpers */

/* A buffer of SHM_SIZE bytes that starts SHM_LEAD bytes into a page. */
static char *shm_buffer(void)
{
	char *raw = malloc(SHM_SIZE + 2 * PAGE);

	if (!raw)
		return NULL;
	return (char *)(((uintptr_t)raw + PAGE - 1) & ~(uintptr_t)(PAGE - 1)) + SHM_LEAD;
}

/* Runs /bin/NAME, collecting its output (both streams) in out. Returns
 * its exit status, or TEST_NO_CHILD. */
static int shm_run(const char *name, char *out, size_t max)
{
	char path[64];
	int fds[2], status;
	long got = 0, n;

	snprintf(path, sizeof(path), "/bin/%s", name);
	if (pipe(fds) < 0)
		return TEST_NO_CHILD;
	int pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)name, NULL};
		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[1]);
		execv(path, argv);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && (size_t)got < max - 1 && (n = read(fds[0], out + got, max - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	status = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	return status;
}

/* Sends / receives one pointer through a pipe. */
static int shm_send(int fd, void *p)
{
	return write(fd, &p, sizeof(p)) == sizeof(p) ? 0 : -1;
}

static void *shm_receive(int fd)
{
	void *p = NULL;

	return read(fd, &p, sizeof(p)) == sizeof(p) ? p : NULL;
}

/* Runs fn(mapped, arg) in a child, where mapped is [addr, addr+size) of
 * ours mapped into the child by us (a process shares only with its own
 * descendants). Returns the child's exit status; fn gets NULL when the
 * mapping failed. */
static int shm_in_child_mapped(int (*fn)(char *mapped, long arg), const void *addr, long size,
			       long arg)
{
	int to_child[2];

	if (pipe(to_child) < 0)
		return TEST_NO_CHILD;
	int pid = fork();
	if (pid == 0)
		_exit(fn(shm_receive(to_child[0]), arg));
	char *there = pid > 0 ? map_shared_pages(getpid(), pid, (void *)addr, size) : NULL;
	shm_send(to_child[1], there == (char *)-1 ? NULL : there);
	close(to_child[0]);
	close(to_child[1]);
	return pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
}

/* ---------------------------------------------------------------- the demos */

static void test_demos(void)
{
	static char out[2048];
	long after_first = 0;
	int ok1 = 1, ok2 = 1, sizes_ok = 1;
	const int rounds = 4;

	for (int round = 0; round < rounds; round++) {
		int s1 = shm_run("shmem_test1", out, sizeof(out));
		if (s1 != 0 || !strstr(out, "\"Hello child\"")) {
			if (ok1)
				CHECK("shmem_test1", 0, "round %d: status %d, output: %s", round,
				      s1, out);
			ok1 = 0;
		}
		int s2 = shm_run("shmem_test2", out, sizeof(out));
		if (s2 != 0 || !strstr(out, "\"Hello daddy\"")) {
			if (ok2)
				CHECK("shmem_test2", 0, "round %d: status %d, output: %s", round,
				      s2, out);
			ok2 = 0;
		}
		/* The child's size before mapping, after mapping and after
		 * unmapping are one number. */
		const char *b = strstr(out, "before mapping:"), *m = strstr(out, "after mapping:"),
			   *u = strstr(out, "after unmapping:");
		if (!b || !m || !u || strtoul(b + 15, NULL, 10) != strtoul(m + 14, NULL, 10) ||
		    strtoul(m + 14, NULL, 10) != strtoul(u + 16, NULL, 10))
			sizes_ok = 0;
		if (round == 0)
			after_first = test_settle();
	}
	CHECK("shmem_test1-runs", ok1);
	CHECK("shmem_test2-runs", ok2);
	CHECK("shmem_test2-sizes", sizes_ok, "sizes differ: %s", out);
	/* The first round warms up what the demos use once (our output
	 * buffer); the later rounds must leave the count where it was. */
	test_check_free("demos-no-leak", after_first);
}

/* ---------------------------------------------------------------- exit orders */

/* One process pair, in a child of the test (so that an orphan is init's,
 * not ours). Who shares with whom and who exits first: */
struct shm_case {
	const char *name;
	int source_is_parent; /* else the child's pages go to the parent */
	int parent_exits_first;
};

/* Each side reports one line to the test through res: "ok" or why not. */
static void shm_say(int res, const char *who, const char *what)
{
	char line[96];
	int n = snprintf(line, sizeof(line), "%s %s\n", who, what);

	(void)!write(res, line, n);
}

/* Checks the whole range against pattern seed; "ok" or a reason. */
static const char *shm_expect(const char *p, uint32_t seed)
{
	return test_pattern_diff((const uint8_t *)p, SHM_SIZE, seed, 0) < 0 ? NULL : "wrong bytes";
}

#define SEED_SOURCE 11 /* the source writes it before sharing */
#define SEED_DEST   22 /* the destination writes it through the mapping */
#define SEED_LAST   33 /* the survivor writes it after the other has gone */

/* The pair: P (the parent) and C. The source fills its buffer after the
 * fork (so that it owns its pages); the parent makes the mapping, in
 * either direction (a process shares only with its descendants) and
 * tells the child where it is when the child is the destination; the
 * destination checks and overwrites, then one exits and the other checks
 * the bytes once more and writes again. */
static void shm_pair(const struct shm_case *tc, int res)
{
	char *buf = shm_buffer();
	int addr_pipe[2], done_pipe[2], filled_pipe[2];

	if (!buf || pipe(addr_pipe) < 0 || pipe(done_pipe) < 0 || pipe(filled_pipe) < 0) {
		shm_say(res, "P", "no memory or pipes");
		_exit(1);
	}
	int parent = getpid();
	int child = fork();
	if (child < 0) {
		shm_say(res, "P", "fork failed");
		_exit(1);
	}
	int is_parent = child != 0;
	int is_source = is_parent == tc->source_is_parent;
	int exits_first = is_parent == tc->parent_exits_first;
	const char *who = is_parent ? "P" : "C";
	const char *bad = NULL;
	char *mine = buf, *there = NULL, c;

	if (is_source) {
		test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_SOURCE, 0);
		if (!is_parent)
			(void)!write(filled_pipe[1], "f", 1);
	}
	if (is_parent) {
		/* The child's buffer is at the same address as ours. */
		if (!is_source && read(filled_pipe[0], &c, 1) != 1)
			bad = "the child never filled its buffer";
		else
			there = map_shared_pages(is_source ? 0 : child, is_source ? child : 0, buf,
						 SHM_SIZE);
		if (there == (char *)-1)
			there = NULL;
		if (!there && !bad)
			bad = "map_shared_pages failed";
		if (is_source)
			shm_send(addr_pipe[1], there);
	}
	if (bad) {
	} else if (is_source) {
		/* Wait for the destination's writes. */
		if (read(done_pipe[0], &c, 1) != 1)
			bad = "the destination gave up";
		else
			bad = shm_expect(buf, SEED_DEST) ? "the destination's writes are not seen"
							 : 0;
	} else {
		mine = is_parent ? there : shm_receive(addr_pipe[0]);
		if (!mine)
			bad = "no mapping";
		else if (((uintptr_t)mine & (PAGE - 1)) != SHM_LEAD)
			bad = "not at the source's offset into the page";
		else if (shm_expect(mine, SEED_SOURCE))
			bad = "the source's bytes are not seen";
		if (!bad)
			test_pattern_fill((uint8_t *)mine, SHM_SIZE, SEED_DEST, 0);
		(void)!write(done_pipe[1], "d", 1);
	}
	if (bad || exits_first) {
		shm_say(res, who, bad ? bad : "ok");
		_exit(bad != NULL);
	}

	/* The survivor: wait for the other side to be gone. */
	if (is_parent) {
		waitpid(child, NULL, 0);
	} else {
		for (int i = 0; i < 500 && getppid() == parent; i++)
			usleep(10000);
	}
	if (shm_expect(mine, SEED_DEST))
		bad = "bytes changed after the other side exited";
	test_pattern_fill((uint8_t *)mine, SHM_SIZE, SEED_LAST, 0);
	if (!bad && shm_expect(mine, SEED_LAST))
		bad = "cannot write after the other side exited";
	shm_say(res, who, bad ? bad : "ok");
	_exit(bad != NULL);
}

/* Runs one pair; returns 1 when both sides said "ok", else 0 with their
 * lines in out. */
static int shm_run_pair(const struct shm_case *tc, char *out, size_t max)
{
	int res[2];
	long got = 0, n;

	if (pipe(res) < 0)
		return 0;
	int pid = fork();
	if (pid == 0) {
		close(res[0]);
		shm_pair(tc, res[1]);
	}
	close(res[1]);
	/* Until both P and C have exited and closed res. */
	while ((size_t)got < max - 1 && (n = read(res[0], out + got, max - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(res[0]);
	if (pid > 0)
		test_wait_status(pid);
	return strstr(out, "P ok") && strstr(out, "C ok");
}

static void test_exit_order(const struct shm_case *tc)
{
	static char out[512];
	char leak[64];
	long before = test_settle();

	CHECK(tc->name, shm_run_pair(tc, out, sizeof(out)), "%s", out);
	snprintf(leak, sizeof(leak), "%s-no-leak", tc->name);
	test_check_free(leak, before);
}

static const struct shm_case shm_cases[] = {
    {"parent-to-child-parent-exits-first", 1, 1},
    {"parent-to-child-child-exits-first", 1, 0},
    {"child-to-parent-parent-exits-first", 0, 1},
    {"child-to-parent-child-exits-first", 0, 0},
};

/* ---------------------------------------------------------------- fork */

/* The child holds a mapping of our buffer and forks; the grandchild
 * writes through its copy of the mapping, which must reach us, unmaps
 * it, and exits; the child's mapping still works. */
static void test_fork_destination(void)
{
	char *buf = shm_buffer();
	int to_child[2];
	long before = test_settle();

	if (!buf || pipe(to_child) < 0)
		return;
	int pid = fork();
	if (pid == 0) {
		char *p = shm_receive(to_child[0]);
		if (!p)
			_exit(2);
		int g = fork();
		if (g == 0) {
			test_pattern_fill((uint8_t *)p, SHM_SIZE, SEED_DEST, 0);
			_exit(unmap_shared_pages(p, SHM_SIZE) == 0 ? 0 : 3);
		}
		if (test_wait_status(g) != 0)
			_exit(4);
		if (test_pattern_diff((uint8_t *)p, SHM_SIZE, SEED_DEST, 0) >= 0)
			_exit(5);
		test_pattern_fill((uint8_t *)p, SHM_SIZE, SEED_LAST, 0);
		_exit(0);
	}
	test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_SOURCE, 0);
	char *there = map_shared_pages(getpid(), pid, buf, SHM_SIZE);
	shm_send(to_child[1], there == (char *)-1 ? NULL : there);
	int status = test_wait_status(pid);
	CHECK("fork-destination-shares", status == 0 && !shm_expect(buf, SEED_LAST),
	      "child status %d (4: grandchild failed, 5: its writes not seen)", status);
	close(to_child[0]);
	close(to_child[1]);
	test_check_free("fork-destination-no-leak", before);
}

/* We share our buffer with a child, then fork another child that just
 * exits; our next write must still reach the first child: fork must not
 * turn pages we share into copy-on-write pages that a write takes away
 * from the mapping. */
static void test_fork_source(void)
{
	char *buf = shm_buffer();
	int to_child[2], back[2];
	long before = test_settle();

	if (!buf || pipe(to_child) < 0 || pipe(back) < 0)
		return;
	int pid = fork();
	if (pid == 0) {
		char c = 0;
		char *p = shm_receive(to_child[0]);
		if (!p || read(to_child[0], &c, 1) != 1)
			_exit(2);
		int ok = !shm_expect(p, SEED_LAST);
		/* Now write back: the parent must see it too. */
		test_pattern_fill((uint8_t *)p, SHM_SIZE, SEED_DEST, 0);
		(void)!write(back[1], "w", 1);
		_exit(ok ? 0 : 3);
	}
	test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_SOURCE, 0);
	char *there = map_shared_pages(getpid(), pid, buf, SHM_SIZE);
	shm_send(to_child[1], there == (char *)-1 ? NULL : there);
	int other = fork();
	if (other == 0)
		_exit(0);
	test_wait_status(other);
	test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_LAST, 0);
	(void)!write(to_child[1], "g", 1);
	char c;
	int got_back = read(back[0], &c, 1) == 1;
	int status = test_wait_status(pid);
	CHECK("fork-source-still-shares", status == 0,
	      "child status %d (3: it does not see our writes made after a fork)", status);
	CHECK("fork-source-sees-writes", got_back && !shm_expect(buf, SEED_DEST),
	      "our buffer does not show the child's writes after a fork");
	close(to_child[0]);
	close(to_child[1]);
	close(back[0]);
	close(back[1]);
	test_check_free("fork-source-no-leak", before);
}

/* ---------------------------------------------------------------- malloc */

/* In the child, given the parent's buffer mapped at p: check that sbrk(0)
 * did not move and the mapping is not in the heap, malloc and fill 1 MiB,
 * and check the mapping is untouched; then unmap and malloc again. */
static int shm_malloc_child(char *p, long brk0_long)
{
	char *brk0 = (char *)brk0_long;

	if (!p)
		return 2;
	if (sbrk(0) != brk0 || (p >= (char *)0x10000 && p < brk0))
		return 3;
	char *big = malloc(1 << 20);
	if (!big)
		return 4;
	memset(big, 0x77, 1 << 20);
	if (shm_expect(p, SEED_SOURCE))
		return 5;
	if (p >= big && p < big + (1 << 20))
		return 6;
	free(big);
	test_pattern_fill((uint8_t *)p, SHM_SIZE, SEED_DEST, 0);
	if (unmap_shared_pages(p, SHM_SIZE) < 0)
		return 7;
	char *more = malloc(2 * PAGE);
	if (!more)
		return 8;
	memset(more, 1, 2 * PAGE);
	return 0;
}

static void test_malloc_mixed(void)
{
	char *buf = shm_buffer();
	long before = test_settle();

	if (!buf)
		return;
	test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_SOURCE, 0);
	/* We map into the child after the fork, while our pages are still
	 * copy-on-write: map_shared_pages breaks that in us first, so the
	 * child's writes land in our pages. */
	int status = shm_in_child_mapped(shm_malloc_child, buf, SHM_SIZE, (long)sbrk(0));
	CHECK("malloc-next-to-mapping", status == 0,
	      "child status %d (3: sbrk moved or mapping in the heap, 5: mapping changed by "
	      "malloc)",
	      status);
	CHECK("malloc-mapping-writes-seen", !shm_expect(buf, SEED_DEST));
	test_check_free("malloc-no-leak", before);
}

/* ---------------------------------------------------------------- unmap */

static int shm_touch(long addr)
{
	return *(volatile char *)addr;
}

/* In the child: the parent's buffer is mapped at p; refuse bad unmaps,
 * take the middle page away, check the rest still works. */
static int shm_unmap_child(char *p, long unused)
{
	static char on_data[64];
	char on_stack[64];
	char *heap = malloc(64);
	char *page0 = (char *)((uintptr_t)p & ~(uintptr_t)(PAGE - 1));

	(void)unused;
	if (!p || !heap)
		return 2;
	on_stack[0] = on_data[0] = 0;
	if (unmap_shared_pages(heap, 64) != -1 || errno != EINVAL)
		return 3;
	if (unmap_shared_pages(on_stack, 64) != -1 || unmap_shared_pages(on_data, 64) != -1)
		return 4;
	if (unmap_shared_pages((void *)0x2000000000L, PAGE) != -1 || errno != EINVAL)
		return 5;
	if (unmap_shared_pages(p, 0) != -1)
		return 6;
	/* The mapping and one page past its end: refused, and kept. */
	if (unmap_shared_pages(page0, 5 * PAGE) != -1 || shm_expect(p, SEED_SOURCE))
		return 7;
	/* Part of it: the second page. */
	if (unmap_shared_pages(page0 + PAGE, PAGE) != 0)
		return 8;
	if (test_in_child(shm_touch, (long)(page0 + PAGE)) != -1)
		return 9;
	p[0] = 'x';
	page0[2 * PAGE] = 'y';
	page0[3 * PAGE] = 'z';
	if (unmap_shared_pages(page0, 4 * PAGE) != -1) /* a hole in it now */
		return 10;
	if (unmap_shared_pages(page0, PAGE) != 0 || unmap_shared_pages(page0 + 2 * PAGE, 2 * PAGE))
		return 11;
	return test_in_child(shm_touch, (long)p) == -1 ? 0 : 12;
}

static void test_unmap(void)
{
	char *buf = shm_buffer();
	long before = test_settle();

	if (!buf)
		return;
	test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_SOURCE, 0);
	int status = shm_in_child_mapped(shm_unmap_child, buf, SHM_SIZE, 0);
	CHECK("unmap-only-shared", status == 0, "child status %d", status);
	char *page0 = (char *)((uintptr_t)buf & ~(uintptr_t)(PAGE - 1));
	CHECK("unmap-partial-writes-seen",
	      buf[0] == 'x' && page0[2 * PAGE] == 'y' && page0[3 * PAGE] == 'z');
	/* Our own pages are not shared-in mappings either. */
	expect_errno("unmap-source-einval", unmap_shared_pages(buf, SHM_SIZE), EINVAL);
	test_check_free("unmap-no-leak", before);
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void)
{
	char *buf = shm_buffer();
	int to_a[2];

	if (!buf || pipe(to_a) < 0)
		return;
	buf[0] = 1;
	/* Two siblings: A tries to share with B. */
	int b = fork();
	if (b == 0) {
		sleep(1);
		_exit(0);
	}
	int a = fork();
	if (a == 0) {
		int sibling = 0;
		if (read(to_a[0], &sibling, sizeof(sibling)) != sizeof(sibling))
			_exit(2);
		void *r = map_shared_pages(0, sibling, buf, 64);
		if (r != (void *)-1)
			_exit(3);
		if (errno != EPERM)
			_exit(4);
		r = map_shared_pages(sibling, 0, buf, 64);
		_exit(r == (void *)-1 && errno == EPERM ? 0 : 5);
	}
	(void)!write(to_a[1], &b, sizeof(b));
	int status = test_wait_status(a);
	CHECK("siblings-eperm", status == 0, "status %d (3: allowed, 4/5: not EPERM)", status);

	/* A grandchild is a descendant: allowed. */
	int g_pipe[2];
	if (pipe(g_pipe) == 0) {
		int c = fork();
		if (c == 0) {
			int g = fork();
			if (g == 0) {
				sleep(2);
				_exit(0);
			}
			(void)!write(g_pipe[1], &g, sizeof(g));
			waitpid(g, NULL, 0);
			_exit(0);
		}
		int g = 0;
		(void)!read(g_pipe[0], &g, sizeof(g));
		void *there = map_shared_pages(0, g, buf, 64);
		CHECK("grandchild-allowed", there != (void *)-1, "%s", strerror(errno));
		test_wait_status(c);
		close(g_pipe[0]);
		close(g_pipe[1]);
	}
	test_wait_status(b);
	close(to_a[0]);
	close(to_a[1]);

	/* A child that lives until we close alive[1]. */
	int alive[2];
	if (pipe(alive) < 0)
		return;
	int child = fork();
	if (child == 0) {
		char c;
		close(alive[1]);
		(void)!read(alive[0], &c, 1);
		_exit(0);
	}
	close(alive[0]);
	expect_errno("no-such-process-esrch", (long)map_shared_pages(0, 99999, buf, 64), ESRCH);
	expect_errno("unmapped-source-efault",
		     (long)map_shared_pages(0, child, (void *)0x2000000000L, 64), EFAULT);
	expect_errno("map-size-0-einval", (long)map_shared_pages(0, child, buf, 0), EINVAL);
	expect_errno("to-self-einval", (long)map_shared_pages(0, 0, buf, 64), EINVAL);
	/* The caller must be one of the two (sys_map_shared_pages). */
	expect_errno("caller-not-involved", (long)map_shared_pages(1, child, buf, 64), EINVAL);
	close(alive[1]);
	test_wait_status(child);
}

/* A process shares only with its own descendants, and never with init or
 * the crypto server: not with its parent, and not (as an orphan, whose
 * parent is init) with init. The orphan's findings come back on the pipe
 * shm_strangers_res. */
static int shm_strangers_res;

static int shm_strangers_child(long buf)
{
	int res = shm_strangers_res, orphan_pipe[2];
	void *p = (void *)buf;

	if (map_shared_pages(getppid(), 0, p, 64) != (void *)-1 || errno != EPERM)
		return 2;
	if (map_shared_pages(0, getppid(), p, 64) != (void *)-1 || errno != EPERM)
		return 3;
	if (pipe(orphan_pipe) < 0)
		return 4;
	if (fork() == 0) {
		char c, r = 0;
		/* End of file once our parent is exiting; init is our parent
		 * a moment later. */
		close(orphan_pipe[1]);
		(void)!read(orphan_pipe[0], &c, 1);
		for (int i = 0; i < 200 && getppid() != 1; i++)
			usleep(10000);
		if (map_shared_pages(1, 0, p, 64) != (void *)-1 || errno != EPERM)
			r |= 1;
		if (map_shared_pages(0, 1, p, 64) != (void *)-1 || errno != EPERM)
			r |= 2;
		if (getppid() != 1)
			r |= 4;
		(void)!write(res, &r, 1);
		_exit(0);
	}
	return 0;
}

static void test_strangers(void)
{
	static char buf[64] = "x";
	int res[2];
	char r = -1;

	if (pipe(res) < 0)
		return;
	shm_strangers_res = res[1];
	int s = test_in_child(shm_strangers_child, (long)buf);
	CHECK("child-to-parent-eperm", s == 0, "status %d (2, 3: allowed or not EPERM)", s);
	close(res[1]);
	CHECK("orphan-to-init-eperm", read(res[0], &r, 1) == 1 && r == 0,
	      "the orphan saw %d (1, 2: allowed or not EPERM; 4: not init's)", r);
	close(res[0]);
	expect_errno("to-crypto-server-eperm", (long)map_shared_pages(0, 2, buf, 64), EPERM);
	expect_errno("from-crypto-server-eperm", (long)map_shared_pages(2, 0, buf, 64), EPERM);
	expect_errno("to-init-eperm", (long)map_shared_pages(0, 1, buf, 64), EPERM);
}

/* Our page is read-only and copy-on-write (we forked) when we share it;
 * then we make it writable and write. The destination must see the write:
 * one page for both sides, for the mapping's whole life. */
static void test_read_only_cow_stays_shared(void)
{
	char *page =
	    mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *buf = page + SHM_LEAD;
	int to_child[2], go[2];

	if (page == MAP_FAILED || pipe(to_child) < 0 || pipe(go) < 0)
		return;
	test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_SOURCE, 0);
	mprotect(page, 4 * PAGE, PROT_READ);
	int pid = fork(); /* our pages become copy-on-write */
	if (pid == 0) {
		char c;
		char *p = shm_receive(to_child[0]);
		if (!p || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(shm_expect(p, SEED_LAST) ? 3 : 0);
	}
	char *there = map_shared_pages(0, pid, buf, SHM_SIZE);
	shm_send(to_child[1], there == (char *)-1 ? NULL : there);
	mprotect(page, 4 * PAGE, PROT_READ | PROT_WRITE);
	test_pattern_fill((uint8_t *)buf, SHM_SIZE, SEED_LAST, 0);
	(void)!write(go[1], "g", 1);
	int status = test_wait_status(pid);
	CHECK("read-only-cow-page-stays-shared", status == 0,
	      "child status %d (3: it kept the old page after we made ours writable)", status);
	close(to_child[0]);
	close(to_child[1]);
	close(go[0]);
	close(go[1]);
	munmap(page, 4 * PAGE);
}

/* ---------------------------------------------------------------- permissions */

static const char shm_rodata[PAGE] __attribute__((aligned(PAGE))) = "read only";

/* Given the parent's read-only page at p: reading works, the mapping
 * shows as "[shared]", and a write kills the child. */
static int shm_readonly_child(char *p, long write_it)
{
	struct mnemo_vmmap maps[64];
	int n = vmmaps(0, maps, 64), shown = 0;

	if (!p || strcmp(p, "read only") != 0)
		return 2;
	for (int i = 0; i < n && i < 64; i++)
		shown |= maps[i].start <= (uintptr_t)p && (uintptr_t)p < maps[i].end &&
			 strcmp(maps[i].backing, "[shared]") == 0 &&
			 !(maps[i].prot & MNEMO_PROT_WRITE);
	if (!shown)
		return 3;
	if (write_it)
		*(volatile char *)p = 'R';
	return 0;
}

static void test_permissions(void)
{
	int s = shm_in_child_mapped(shm_readonly_child, shm_rodata, 16, 0);
	CHECK("read-only-source-readable", s == 0, "status %d (3: not shown as [shared], ro)", s);
	s = shm_in_child_mapped(shm_readonly_child, shm_rodata, 16, 1);
	CHECK("read-only-source-write-kills", s == -1, "status %d", s);
	CHECK("read-only-source-unchanged", strcmp(shm_rodata, "read only") == 0);
}

int main(void)
{
	test_demos();
	/* One unmeasured pair first: the kernel's caches may grow the first
	 * time an orphan holds a mapping, and that is not a leak. */
	static char warm[512];
	shm_run_pair(&shm_cases[0], warm, sizeof(warm));
	for (size_t i = 0; i < sizeof(shm_cases) / sizeof(shm_cases[0]); i++)
		test_exit_order(&shm_cases[i]);
	test_fork_destination();
	test_fork_source();
	test_malloc_mixed();
	test_unmap();
	test_errors();
	test_strangers();
	test_read_only_cow_stays_shared();
	test_permissions();
	return test_done();
}
