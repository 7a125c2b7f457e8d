/* The out-of-memory killer (kernel/proc/oom.c). A hog takes nearly all of
 * memory and stops; then a small process needs a few hundred pages (its
 * stack grows by 2 MiB) and faults with none free. The hog, holding the
 * most, is killed; the small process gets its pages and ends normally.
 * (Before the killer, the small process was the one to die.) The runner's
 * exact count afterwards checks that the hog's memory all came back. */
#include <signal.h>
#include <sys/mman.h>

#include "test.h"

#define PAGE	  4096L
#define CHUNK	  (1L << 20) /* the hog maps and fills memory this much at a time */
#define HOG_LEAVE 160	     /* free pages the hog leaves: far fewer than the small one needs */
#define SMALL	  (2L << 20) /* what the small process's stack grows by */

/* Fills memory a chunk at a time until fewer than HOG_LEAVE pages (or no
 * chunk) are left, says so on ready, then waits forever. */
static void hog(int ready)
{
	long chunks = 0;

	for (;;) {
		if (free_page_count() < HOG_LEAVE + CHUNK / PAGE)
			break;
		char *p =
		    mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		for (long i = 0; i < CHUNK; i += PAGE)
			p[i] = 1;
		chunks++;
	}
	/* Single pages down to the line. */
	while (free_page_count() > HOG_LEAVE) {
		char *p =
		    mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		p[0] = 1;
	}
	(void)!write(ready, &chunks, sizeof(chunks));
	for (;;)
		sleep(100);
}

/* Touches n bytes of new stack; 0 if every byte reads back. */
static __attribute__((noinline)) int small_frame(long n)
{
	volatile char buf[n];
	long bad = 0;

	for (long i = n - 1; i >= 0; i -= PAGE)
		buf[i] = (char)(i / PAGE);
	for (long i = n - 1; i >= 0; i -= PAGE)
		bad += buf[i] != (char)(i / PAGE);
	return bad == 0 ? 0 : 1;
}

static void small(int go)
{
	char c;

	if (read(go, &c, 1) != 1)
		_exit(2);
	_exit(small_frame(SMALL));
}

int main(void)
{
	int ready[2], go[2];
	long chunks = 0;

	if (!CHECK_OK("pipe-ready", pipe(ready)) || !CHECK_OK("pipe-go", pipe(go)))
		return test_done();
	int s = fork();
	if (s == 0) {
		close(go[1]);
		small(go[0]);
	}
	int h = fork();
	if (h == 0) {
		close(ready[0]);
		hog(ready[1]);
	}
	if (!CHECK("forks", s > 0 && h > 0, "small %d, hog %d", s, h))
		return test_done();
	close(ready[1]);
	close(go[0]);
	CHECK("hog-ready", read(ready[0], &chunks, sizeof(chunks)) == sizeof(chunks));
	long left = free_page_count();
	CHECK("hog-took-memory", left <= HOG_LEAVE + CHUNK / PAGE, "%ld pages left (%ld MiB taken)",
	      left, chunks);
	(void)!write(go[1], "g", 1);
	int small_status = test_wait_status(s);
	/* The small one got its pages only once the hog was letting go of
	 * them on its way out: it is a zombie within moments, or the killer
	 * missed it (then we end it, so that the test reports instead of
	 * hanging). */
	int hog_status = 0, reaped = 0;
	for (int end = uptime() + 500; reaped != h && uptime() < end; usleep(10000))
		reaped = waitpid(h, &hog_status, WNOHANG | MNEMO_WAIT_RAW);
	if (reaped != h) {
		kill(h, SIGKILL);
		test_wait_status(h);
	}
	CHECK("small-survives", small_status == 0, "status %d (the killer took the small process)",
	      small_status);
	CHECK("hog-killed", reaped == h && hog_status == -1, "%s, status %d",
	      reaped == h ? "it exited" : "it was still alive", hog_status);
	return test_done();
}
