/* Futexes: futex_wait sleeps while the word holds the value and returns
 * EAGAIN at once when it does not; futex_wake wakes up to n sleepers (all
 * when n < 0) and says how many; parent and children meet on a word of a
 * MAP_SHARED|MAP_ANONYMOUS page, and on the same word mapped at another
 * address with map_shared_pages (the futex key is the physical address);
 * no wakeup is lost in a long ping-pong; a sleeper can be killed; bad
 * addresses give EFAULT, misaligned ones EINVAL. */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "test.h"

#define PAGE 4096L

/* Words of the shared page the tests use. */
struct futex_page {
	volatile uint32_t word;	   /* what the sleepers wait on */
	volatile uint32_t arrived; /* children about to wait */
	volatile uint32_t woke;	   /* futex_wait calls that returned 0 */
	volatile uint32_t turn;	   /* ping-pong: whose move it is */
};

static struct futex_page *futex_shared_page(void)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		test_report("futex-mmap", 0, "mmap: %s", strerror(errno));
		return NULL;
	}
	memset(p, 0, PAGE);
	return p;
}

/* Whether process pid is asleep now (procinfo state 1). */
static int futex_is_sleeping(int pid)
{
	struct mnemo_procinfo procs[64];
	int n = procinfo(procs, 64);

	for (int i = 0; i < n && i < 64; i++)
		if (procs[i].pid == pid)
			return procs[i].state == 1;
	return 0;
}

/* Waits (bounded, about 5 s) until all n pids are asleep. */
static int futex_all_sleeping(const int *pids, int n)
{
	for (int tries = 0; tries < 500; tries++) {
		int asleep = 0;
		for (int i = 0; i < n; i++)
			asleep += futex_is_sleeping(pids[i]);
		if (asleep == n)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* A child that waits until word becomes nonzero, counting its wakeups. */
static void futex_sleeper(struct futex_page *fp)
{
	__atomic_fetch_add(&fp->arrived, 1, __ATOMIC_SEQ_CST);
	while (fp->word == 0)
		if (futex_wait((uint32_t *)&fp->word, 0) == 0)
			__atomic_fetch_add(&fp->woke, 1, __ATOMIC_SEQ_CST);
	_exit(0);
}

static int futex_reap(const int *pids, int n)
{
	int bad = 0;

	for (int i = 0; i < n; i++)
		bad += pids[i] > 0 && test_wait_status(pids[i]) != 0;
	return bad;
}

static void test_eagain_and_nobody(void)
{
	uint32_t word = 7;

	expect_errno("wait-value-differs-eagain", futex_wait(&word, 8), EAGAIN);
	CHECK("wake-nobody-is-0", futex_wake(&word, 1) == 0);
	CHECK("wake-all-nobody-is-0", futex_wake(&word, -1) == 0);
	/* Read-only memory can be waited on: only its value is read. */
	static const uint32_t constant = 3;
	expect_errno("wait-read-only-eagain", futex_wait((uint32_t *)&constant, 4), EAGAIN);
}

static void test_bad_addresses(void)
{
	uint32_t word = 0;
	void *none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	expect_errno("wait-null-efault", futex_wait(NULL, 0), EFAULT);
	expect_errno("wake-null-efault", futex_wake(NULL, 1), EFAULT);
	expect_errno("wait-unmapped-efault", futex_wait((uint32_t *)0x2000000000L, 0), EFAULT);
	expect_errno("wait-kernel-efault", futex_wait((uint32_t *)0xffffffc000000000L, 0), EFAULT);
	expect_errno("wake-kernel-efault", futex_wake((uint32_t *)0xffffffc000000000L, 1), EFAULT);
	if (none != MAP_FAILED) {
		expect_errno("wait-prot-none-efault", futex_wait(none, 0), EFAULT);
		munmap(none, PAGE);
	}
	expect_errno("wait-misaligned-einval", futex_wait((uint32_t *)((char *)&word + 1), 0),
		     EINVAL);
	expect_errno("wake-misaligned-einval", futex_wake((uint32_t *)((char *)&word + 2), 1),
		     EINVAL);
}

/* Three children sleep on one word; a wake of one wakes exactly one; a
 * wake of all wakes the other two, and they see the new value. */
static void test_wake_counts(void)
{
	struct futex_page *fp = futex_shared_page();
	int pids[3] = {0};

	if (!fp)
		return;
	for (int i = 0; i < 3; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			futex_sleeper(fp);
	}
	int asleep = futex_all_sleeping(pids, 3);
	CHECK("three-sleepers-asleep", asleep, "children not asleep after 5 s");

	int one = futex_wake((uint32_t *)&fp->word, 1);
	CHECK("wake-1-wakes-1", one == 1, "futex_wake(1) returned %d", one);
	/* The woken child sees 0 still and goes back to sleep. */
	for (int tries = 0; tries < 500 && fp->woke < 1; tries++)
		usleep(10000);
	usleep(50000);
	CHECK("wake-1-woke-exactly-1", fp->woke == 1, "%u wakeups", fp->woke);
	futex_all_sleeping(pids, 3);

	fp->word = 1;
	int all = futex_wake((uint32_t *)&fp->word, -1);
	CHECK("wake-all-wakes-3", all == 3, "futex_wake(-1) returned %d", all);
	CHECK("sleepers-exit", futex_reap(pids, 3) == 0);
	munmap((void *)fp, PAGE);
}

/* Parent and child take turns 2000 times on one word: turn 0 is the
 * child's move, 1 the parent's. A lost wakeup would hang (the runner's
 * watchdog then fails the test). */
static void test_ping_pong(void)
{
	struct futex_page *fp = futex_shared_page();
	const int rounds = 2000;

	if (!fp)
		return;
	int pid = fork();
	if (pid == 0) {
		for (int i = 0; i < rounds; i++) {
			while (fp->turn != 0)
				futex_wait((uint32_t *)&fp->turn, 1);
			fp->turn = 1;
			futex_wake((uint32_t *)&fp->turn, 1);
		}
		_exit(0);
	}
	int done = 0;
	for (; pid > 0 && done < rounds; done++) {
		while (fp->turn != 1)
			futex_wait((uint32_t *)&fp->turn, 0);
		fp->turn = 0;
		futex_wake((uint32_t *)&fp->turn, 1);
	}
	CHECK("ping-pong-2000", done == rounds && test_wait_status(pid) == 0);
	munmap((void *)fp, PAGE);
}

/* A child sleeps on a word of its heap; the parent maps the child's page
 * into itself with map_shared_pages and wakes the word through its own
 * mapping, at another address: the key is the physical page, so the wake
 * must find the sleeper. With write_before_fork the child's page is still
 * copy-on-write when it goes to sleep: futex_wait makes it the child's own
 * first (the page that map_shared_pages then finds), or the wake would go
 * to the old page. */
static void test_across_map_shared_pages(const char *name, int write_before_fork)
{
	uint32_t *word = malloc(sizeof(*word));

	if (!word)
		return;
	if (write_before_fork)
		*word = 0;
	int pid = fork();
	if (pid == 0) {
		if (!write_before_fork)
			*word = 0; /* the child's page is its own from here on */
		while (*(volatile uint32_t *)word == 0)
			futex_wait(word, 0);
		_exit(*word == 1 ? 0 : 2);
	}
	int woke = -1;
	uint32_t *mine = (uint32_t *)-1;
	if (pid > 0 && futex_all_sleeping(&pid, 1)) {
		mine = map_shared_pages(pid, 0, word, sizeof(*word));
		if (mine != (uint32_t *)-1) {
			*mine = 1;
			woke = futex_wake(mine, 1);
		}
	}
	if (woke != 1 && pid > 0)
		kill(pid, SIGKILL); /* asleep on a page nobody can wake it on */
	int status = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	CHECK(name, woke == 1 && status == 0,
	      "mapped %s, the wake through the mapping woke %d, child status %d",
	      mine == (uint32_t *)-1 ? "no" : "yes", woke, status);
	if (mine != (uint32_t *)-1)
		unmap_shared_pages(mine, sizeof(*word));
	free(word);
}

/* A child asleep in futex_wait dies at once when killed. */
static void test_kill_sleeper(void)
{
	struct futex_page *fp = futex_shared_page();

	if (!fp)
		return;
	int pid = fork();
	if (pid == 0)
		futex_sleeper(fp);
	int asleep = futex_all_sleeping(&pid, 1);
	kill(pid, SIGKILL);
	int status = test_wait_status(pid);
	CHECK("kill-sleeper", asleep && status == -1, "asleep %d, status %d", asleep, status);
	munmap((void *)fp, PAGE);
}

int main(void)
{
	test_eagain_and_nobody();
	test_bad_addresses();
	test_wake_counts();
	test_ping_pong();
	test_across_map_shared_pages("wake-through-shared-mapping", 0);
	test_across_map_shared_pages("wake-after-cow-break", 1);
	test_kill_sleeper();
	return test_done();
}
