/* map_shared_pages across a process-slot reuse (a hostile program).
 *
 * The kernel used to find the other side (proc_find_mm: a struct proc and
 * a reference to its mm, then p->lock dropped) and only afterwards ask
 * whether that *slot* held a descendant of the caller. If in between the
 * victim exited, was reaped and its slot went to one of the caller's
 * descendants, the check passed and the caller mapped the dead victim's
 * pages, which the reference kept alive. Now proc_descendant_mm decides
 * and takes the mm at once, under wait_lock.
 *
 * Here the victim X is the attacker's sibling (never a descendant): it
 * writes a secret into a page and exits. The attacker A calls
 * map_shared_pages(X, self, page) in a loop; A's child D forks a child as
 * soon as X has been reaped, so that X's slot goes to one of A's
 * grandchildren. (The parent's "reaped" flag only raises the rate: a D
 * that just forks short-lived children all the time, knowing nothing of
 * the victim, won in about one of three 15 s runs.) Processes that keep
 * wait_lock busy and outnumber the harts make A wait, or be preempted,
 * inside the window. Any success at all is a breach: A may never map a
 * sibling's memory. */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "test.h"

#define PAGE	  4096
#define RUN_TICKS 1500 /* 15 s at most: stops at the first breach */
#define NSPIN	  5

struct ctl {
	volatile int xpid; /* the current victim */
	volatile int stop;
	volatile int leaked; /* A mapped a victim's page */
	volatile int tries;  /* A's calls */
	volatile int rounds; /* victims made */
	volatile int reaped; /* victims reaped by T */
	volatile int forked; /* ... and answered by D's fork */
	volatile int wrong;  /* A got something other than EPERM/ESRCH */
	volatile int wrong_errno;
	char got[64];
};

static char secret[PAGE] __attribute__((aligned(PAGE)));

/* Keeps wait_lock busy: each wait() scans the whole process table under
 * it (the child never exits until the end), so A's proc_is_descendant()
 * waits for the lock, widening the window. Also keeps a hart busy. */
static void spin(struct ctl *c)
{
	int kid = fork();

	if (kid == 0) {
		while (!c->stop)
			usleep(10000);
		_exit(0);
	}
	while (!c->stop)
		waitpid(-1, NULL, WNOHANG);
	waitpid(kid, NULL, 0);
	_exit(0);
}

/* A's child: as soon as T has reaped a victim, forks a child (one of A's
 * grandchildren), which takes the lowest free slot: the victim's. Then it
 * lets its previous child go, so the next victim gets that slot. */
static void churn(struct ctl *c)
{
	int seen = 0, prev = 0;

	while (!c->stop) {
		if (c->reaped == seen)
			continue;
		seen = c->reaped;
		int kid = fork();
		if (kid == 0) {
			while (!c->stop)
				usleep(10000);
			_exit(0);
		}
		if (prev > 0) {
			kill(prev, SIGKILL);
			waitpid(prev, NULL, 0);
		}
		prev = kid;
		c->forked = seen;
	}
	if (prev > 0) {
		kill(prev, SIGKILL);
		waitpid(prev, NULL, 0);
	}
	_exit(0);
}

static void attack(struct ctl *c)
{
	int d = fork();

	if (d == 0)
		churn(c);
	while (!c->stop) {
		int x = c->xpid;
		if (x <= 0)
			continue;
		c->tries++;
		char *at = map_shared_pages(x, 0, secret, PAGE);
		if (at != (char *)-1) {
			memcpy(c->got, at, sizeof(c->got) - 1);
			c->leaked = 1;
			c->stop = 1;
			break;
		}
		if (errno != EPERM && errno != ESRCH) {
			c->wrong = 1;
			c->wrong_errno = errno;
		}
	}
	kill(d, SIGKILL);
	waitpid(d, NULL, 0);
	_exit(0);
}

int main(void)
{
	struct ctl *c = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int spinners[NSPIN];

	if (c == MAP_FAILED) {
		CHECK("share-race-setup", 0, "mmap: %s", strerror(errno));
		return test_done();
	}
	memset(c, 0, sizeof(*c));
	strcpy(secret, "public");
	for (int i = 0; i < NSPIN; i++)
		if ((spinners[i] = fork()) == 0)
			spin(c);
	int a = fork();
	if (a == 0)
		attack(c);

	int start = uptime();
	unsigned seed = 12345;
	while (!c->stop && uptime() - start < RUN_TICKS) {
		int x = fork();
		if (x == 0) {
			snprintf(secret, sizeof(secret), "SECRET of pid %d", getpid());
			c->xpid = getpid();
			seed = seed * 1103515245 + 12345 + getpid();
			for (volatile unsigned i = 0; i < (seed >> 8) % 50000; i++)
				;
			_exit(0);
		}
		if (x < 0)
			continue;
		waitpid(x, NULL, 0);
		c->rounds++;
		c->reaped = c->rounds;
		while (c->forked != c->rounds && !c->stop)
			;
		seed = seed * 1103515245 + 12345;
	}
	c->stop = 1;
	waitpid(a, NULL, 0);
	for (int i = 0; i < NSPIN; i++)
		waitpid(spinners[i], NULL, 0);

	test_print("share-race: %d victims, %d map_shared_pages calls", c->rounds, c->tries);
	CHECK("share-race-no-sibling-leak", !c->leaked,
	      "a sibling's page was mapped across a slot reuse: read \"%s\"", c->got);
	CHECK("share-race-errno", !c->wrong, "unexpected errno %d", c->wrong_errno);
	munmap(c, PAGE);
	return test_done();
}
