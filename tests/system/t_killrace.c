/* Kills racing the start of a sleep: a child enters a blocking call (pipe
 * read, pipe write into a full pipe, futex_wait, sleep, wait) at about
 * the moment its parent kills it, over and over, with the kill landing at
 * a different point each time. A kill that arrives after the sleeper has
 * checked `killed` but before it sleeps must still end the sleep; a lost
 * kill leaves the child asleep forever, which the bounded wait here
 * reports. */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "test.h"

#define KILLRACE_ROUNDS	  60
#define KILLRACE_MAX_SPIN 40000
#define KILLRACE_DEADLINE 300 /* ticks a killed child may take to die */

enum killrace_call { RACE_READ, RACE_WRITE, RACE_FUTEX, RACE_SLEEP, RACE_WAIT, RACE_CALLS };

static const char *const killrace_names[RACE_CALLS] = {"read", "write", "futex", "sleep", "wait"};

static uint32_t *killrace_word; /* a MAP_SHARED futex word that stays 0 */

/* The child's side: block in call on the pipe p (whose other end nobody
 * serves) forever. */
static void killrace_block(enum killrace_call call, int p[2])
{
	static char full[8192];

	switch (call) {
	case RACE_READ:
		close(p[1]);
		(void)!read(p[0], full, 1);
		break;
	case RACE_WRITE:
		close(p[0]);
		for (;;)
			(void)!write(p[1], full, sizeof(full));
		break;
	case RACE_FUTEX:
		futex_wait(killrace_word, 0);
		break;
	case RACE_SLEEP:
		sleep(1000);
		break;
	case RACE_WAIT:
		/* A grandchild that blocks reading p until the test closes it. */
		if (fork() == 0) {
			close(p[1]);
			(void)!read(p[0], full, 1);
			_exit(0);
		}
		wait(NULL);
		break;
	default:
		break;
	}
	/* A sleep that ended without the kill, or no sleep at all. */
	_exit(2);
}

/* Reaps pid within the deadline; its status, or TEST_NO_CHILD if it is
 * still alive (a lost kill). */
static int killrace_reap(int pid)
{
	int start = uptime(), status;

	for (;;) {
		int r = waitpid(pid, &status, WNOHANG | MNEMO_WAIT_RAW);
		if (r == pid)
			return status;
		if (r < 0 || uptime() - start > KILLRACE_DEADLINE)
			return TEST_NO_CHILD;
		usleep(10000);
	}
}

/* One call type, KILLRACE_ROUNDS times, with a spin of a different length
 * before each kill. */
static void killrace_run(enum killrace_call call, unsigned *seed)
{
	char name[48];
	int lost = 0, wrong = 0, round;

	for (round = 0; round < KILLRACE_ROUNDS && !lost; round++) {
		int p[2];
		if (pipe(p) < 0)
			break;
		int pid = fork();
		if (pid < 0) {
			close(p[0]);
			close(p[1]);
			break;
		}
		if (pid == 0)
			killrace_block(call, p);
		*seed = *seed * 1103515245u + 12345u;
		for (volatile unsigned i = 0; i < (*seed >> 8) % KILLRACE_MAX_SPIN; i++)
			;
		kill(pid, SIGKILL);
		int status = killrace_reap(pid);
		/* The grandchild of RACE_WAIT sees end of file and leaves. */
		close(p[0]);
		close(p[1]);
		if (status == TEST_NO_CHILD) {
			lost++;
			kill(pid, SIGKILL);
			waitpid(pid, &status, MNEMO_WAIT_RAW);
		} else if (status != -1) {
			wrong++;
		}
	}
	snprintf(name, sizeof(name), "killrace-%s", killrace_names[call]);
	CHECK(name, !lost && !wrong && round == KILLRACE_ROUNDS,
	      "%d of %d kills lost (child still asleep after %d ticks), %d children not killed",
	      lost, round, KILLRACE_DEADLINE, wrong);
}

int main(void)
{
	unsigned seed = (unsigned)uptime() * 2654435761u;

	killrace_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (killrace_word == MAP_FAILED) {
		test_report("killrace-mmap", 0, "%s", strerror(errno));
		return test_done();
	}
	for (int call = 0; call < RACE_CALLS; call++)
		killrace_run(call, &seed);
	munmap(killrace_word, 4096);
	return test_done();
}
