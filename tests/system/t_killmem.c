/* A kill reaches long kernel work: a child makes one call that would take
 * more memory than the machine has, page by page (mmap of 1 GiB under the
 * eager pager; map_shared_pages of it to its own child under the lazy
 * one). Its parent kills it once it has taken a few thousand pages. The
 * call must stop there: memory never runs low, and everything comes back
 * when the child is reaped. */
#include <signal.h>
#include <sys/mman.h>

#include "test.h"

#define KILLMEM_SIZE	 (1UL << 30)
#define KILLMEM_TAKEN	 (3000 * TEST_PAGE) /* bytes the child takes before the kill */
#define KILLMEM_DEADLINE 1000		    /* ticks to wait for it to take them */

/* The child: one long call, then (never reached in time) exit 0. */
static void killmem_child(void)
{
	int p[2];

	if (pipe(p) < 0)
		_exit(3);
	int grandchild = fork();
	if (grandchild == 0) {
		char c;
		close(p[1]);
		(void)!read(p[0], &c, 1); /* until its parent is gone */
		_exit(0);
	}
	close(p[0]);
	char *buf =
	    mmap(NULL, KILLMEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf != MAP_FAILED)
		map_shared_pages(0, grandchild, buf, KILLMEM_SIZE);
	_exit(0);
}

int main(void)
{
	long free0 = test_settle(), low = free0;
	int pid = fork();

	if (pid == 0)
		killmem_child();
	if (!CHECK_OK("killmem-fork", pid))
		return test_done();
	int start = uptime();
	long now;
	while ((now = free_memory_bytes()) > free0 - KILLMEM_TAKEN &&
	       uptime() - start < KILLMEM_DEADLINE)
		;
	/* The low point seen before the kill counts: what the kill frees may
	 * come back before the next look. */
	if (now < low)
		low = now;
	kill(pid, SIGKILL);
	for (;;) {
		long now = free_memory_bytes();
		int status;
		if (now < low)
			low = now;
		if (waitpid(pid, &status, WNOHANG | MNEMO_WAIT_RAW) == pid)
			break;
	}
	CHECK("killmem-took-pages", free0 - low >= KILLMEM_TAKEN, "the child took only %ld bytes",
	      free0 - low);
	CHECK("killmem-stopped-at-the-kill", low > free0 / 2,
	      "after the kill the child went on to take %ld of %ld free bytes", free0 - low, free0);
	/* The grandchild, orphaned by the kill, must go too. */
	test_check_free("killmem-all-back", free0);
	return test_done();
}
