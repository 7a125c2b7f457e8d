/* Threads: a burst of calls from a second thread of a child while the
 * child goes on with its own calls, so that the kernel's paths run on
 * two harts in one mm and one descriptor table (faults on the same pages,
 * maps changing under a copy, descriptors closed under a read, exec and
 * exit ending the thread, fork from a process that has one).
 *
 * The burst keeps away from what the child's model tracks: it maps,
 * touches and unmaps regions of its own, duplicates and closes
 * descriptors it made, and otherwise passes pointers and numbers that are
 * wild or its own. Its results have no rule: what it checks is that the
 * kernel neither panics nor leaks, which the round's checks see. The
 * child's own calls may unmap the burst's stack: the thread then faults,
 * and the child dies of it, as any child may. */
#include <pthread.h>
#include <stdint.h>

#include "fuzz.h"
#include "include/uapi/mman.h"
#include "include/uapi/signal.h"

#define FZ_BURST_CALLS 24

/* One call with up to six arguments, through the fuzzer's raw trap. */
static long fz_burst_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long a[6] = {a0, a1, a2, a3, a4, a5};
	return fz_trap(nr, a);
}

/* A pointer for the burst: its own buffer, null, the kernel's half, or
 * anywhere in user space. */
static long fz_burst_ptr(struct fz_rng *r, char *buf)
{
	switch (fz_below(r, 4)) {
	case 0:
		return (long)buf;
	case 1:
		return 0;
	case 2:
		return (long)0xffffffc080200000ul;
	default:
		return (long)(fz_next(r) % FZ_USER_TOP);
	}
}

static void *fz_burst(void *arg)
{
	struct fz_rng r;
	char buf[512];

	fz_rng_init(&r, (uint64_t)(uintptr_t)arg, 0, 0);
	for (int i = 0; i < FZ_BURST_CALLS; i++) {
		long len = (long)(1 + fz_below(&r, 4)) * (long)FZ_PAGE, fd;
		char *m;

		switch (fz_below(&r, 7)) {
		case 0: /* a region of its own, touched and unmapped */
			m = (char *)fz_burst_call(SYS_mmap, 0, len,
						  MNEMO_PROT_READ | MNEMO_PROT_WRITE,
						  MNEMO_MAP_PRIVATE | MNEMO_MAP_ANONYMOUS, -1, 0);
			if ((long)m < 0)
				break;
			for (long off = 0; off < len; off += (long)FZ_PAGE)
				m[off] = (char)off;
			fz_burst_call(SYS_munmap, (long)m, len, 0, 0, 0, 0);
			break;
		case 1:
			fz_burst_call(SYS_read, (long)fz_below(&r, 8), fz_burst_ptr(&r, buf), 16, 0,
				      0, 0);
			break;
		case 2:
			fz_burst_call(SYS_meminfo, fz_burst_ptr(&r, buf), 0, 0, 0, 0, 0);
			break;
		case 3:
			fz_burst_call(SYS_futex_wake, fz_burst_ptr(&r, buf) & ~3L, 1, 0, 0, 0, 0);
			break;
		case 4:
			fz_burst_call(SYS_sigprocmask, SIG_BLOCK, 0, fz_burst_ptr(&r, buf), 0, 0,
				      0);
			break;
		case 5:
			fd = fz_burst_call(SYS_dup, (long)fz_below(&r, 4), 0, 0, 0, 0, 0);
			if (fd >= 0)
				fz_burst_call(SYS_close, fd, 0, 0, 0, 0, 0);
			break;
		default:
			fz_burst_call(SYS_gettid, 0, 0, 0, 0, 0, 0);
		}
	}
	return NULL;
}

/* Starts a burst, detached; the call the round sees is gettid. */
static void gen_thread_burst(struct fz_proc *p, struct fz_call *c)
{
	pthread_attr_t attr;
	pthread_t t;

	c->nr = SYS_gettid;
	if (pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, fz_burst, (void *)(uintptr_t)fz_next(&p->rng)) == 0)
		fz_print_note(p, "  a burst of %d calls runs in a second thread", FZ_BURST_CALLS);
	pthread_attr_destroy(&attr);
}

const struct fz_entry fz_thread_calls[] = {
    {"thread-burst", "proc", 1, true, gen_thread_burst, NULL},
};
const int fz_nthread_calls = sizeof(fz_thread_calls) / sizeof(fz_thread_calls[0]);
