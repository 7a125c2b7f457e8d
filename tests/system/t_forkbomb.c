/* A fork bomb: BOMBERS children each fork until fork fails (EAGAIN with
 * the process table full, or ENOMEM); their children wait, holding their
 * slots, until every bomber has seen a failure; then all exit. The system
 * must go on working, and the runner checks that every page came back. */
#include "test.h"

#define BOMBERS 4
/* Exit status of a bomber whose fork failed with another errno. */
#define BOMB_BAD_ERRNO 100000

/* Forks sleepers until fork fails, tells the parent, then reaps them.
 * Returns the number of sleepers, or BOMB_BAD_ERRNO + errno. */
static int bomber(int release, int done)
{
	int sleepers = 0, err, status, bad = 0;
	char c;

	for (;;) {
		int pid = fork();
		if (pid == 0) {
			/* A sleeper holds its slot until release is closed. */
			read(release, &c, 1);
			_exit(0);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		sleepers++;
	}
	write(done, "x", 1);
	while (waitpid(-1, &status, MNEMO_WAIT_RAW) > 0)
		bad += status != 0;
	if (err != EAGAIN && err != ENOMEM)
		return BOMB_BAD_ERRNO + err;
	return bad ? BOMB_BAD_ERRNO : sleepers;
}

static int fork_works(long unused)
{
	(void)unused;
	return 7;
}

int main(void)
{
	int release[2], done[2], pids[BOMBERS], started = 0, total = 0, bad = 0;
	char c;

	pipe(release);
	pipe(done);
	for (int i = 0; i < BOMBERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(release[1]);
			close(done[0]);
			_exit(bomber(release[0], done[1]));
		}
		started += pids[i] > 0;
	}
	close(release[0]);
	close(done[1]);
	CHECK("forkbomb-start", started == BOMBERS, "%d of %d bombers", started, BOMBERS);

	/* Every bomber has hit the limit once all have written. */
	int seen = 0;
	while (seen < started && read(done[0], &c, 1) == 1)
		seen++;
	CHECK("forkbomb-all-hit-limit", seen == started, "%d of %d", seen, started);
	close(release[1]); /* all sleepers read end of file and exit */
	close(done[0]);

	for (int i = 0; i < BOMBERS; i++) {
		if (pids[i] <= 0)
			continue;
		int status = test_wait_status(pids[i]);
		if (status >= 0 && status < BOMB_BAD_ERRNO)
			total += status;
		else
			bad++;
		if (status >= BOMB_BAD_ERRNO)
			test_print("forkbomb: bomber %d: status %d (errno %d)", i, status,
				   status - BOMB_BAD_ERRNO);
	}
	CHECK("forkbomb-errno", bad == 0, "%d bombers saw another failure", bad);
	CHECK("forkbomb-many-processes", total >= 50, "only %d processes", total);
	test_print("forkbomb: %d processes at once", total + BOMBERS + 1);

	CHECK("forkbomb-fork-after", test_in_child(fork_works, 0) == 7);
	expect_errno("forkbomb-no-children-left", wait(NULL), ECHILD);
	return test_done();
}
