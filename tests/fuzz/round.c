/* One round, as the parent runs it: fork the children, reap them within
 * the time allowed (killing what hangs), wait for orphans to be reaped,
 * clean up, and check that free memory came back exactly, both
 * counts taken once the machine has settled (test_settle in
 * tests/system/test.h: orphans reaped, the crypto server idle).
 *
 * The parent must not allocate memory between the two counts: it
 * has no malloc, only the fixed buffers here, touched before the first
 * round (fz_parent_setup). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mnemo.h>

#include "fuzz.h"
#include "tests/system/test.h"

#define FZ_MAX_PROCS  256
#define FZ_KILL_TICKS 500 /* how long killed processes may take to go */

static struct fz_status *const fz_st = (struct fz_status *)FZ_STATUS;
static struct mnemo_procinfo fz_procs[FZ_MAX_PROCS];

void fz_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_vprint(fmt, ap);
	va_end(ap);
}

void fz_fail(const struct fz_opts *o, const char *what, long r, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz_say("FAIL fuzz-%s-r%ld-%s: seed 0x%lx round %ld: %s", o->pager, r, what,
	       (unsigned long)o->seed, r, msg);
}

/* Writes every page of the parent's .data and .bss once, keeping what
 * they hold: under the lazy pager each gets its frame now, not on its
 * first write between the two counts of a round, which would count as a
 * leak. All of them, not buffer by buffer: which buffers share a page is
 * the linker's choice, and the cleanup writes as far into fz_names as
 * the children's directories go (edata and end: user/lib/user.ld). */
static void fz_touch_image(void)
{
	extern char edata[], end[];

	for (uintptr_t a = (uintptr_t)edata & ~(FZ_PAGE - 1); a < (uintptr_t)end; a += FZ_PAGE)
		*(volatile char *)a = *(volatile char *)a;
}

int fz_parent_setup(const struct fz_opts *o)
{
	size_t status_len = (sizeof(struct fz_status) + FZ_PAGE - 1) & ~(FZ_PAGE - 1);
	int null = open("/dev/null", O_RDWR);

	/* Shared anonymous memory is filled at mmap, whatever the pager. */
	if (mmap((void *)FZ_STATUS, status_len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
	    mmap((void *)FZ_DONOR, FZ_DONOR_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		fz_say("fuzz: cannot map the status and donor pages: %s", strerror(errno));
		return -1;
	}
	memset((void *)FZ_DONOR, 0xd0, FZ_DONOR_SIZE);
	fz_touch_image();
	memset(fz_procs, 0, sizeof(fz_procs));
	if (null < 0 || dup2(o->print ? 1 : null, FZ_LOG_FD) < 0) {
		fz_say("fuzz: cannot open /dev/null: %s", strerror(errno));
		return -1;
	}
	close(null);
	mkdir("/tmp", 0777);
	fz_clean_tmp();
	test_settle();
	return 0;
}

/* Is pid a live (not zombie) process in fz_procs' n records? */
static bool fz_alive(int pid, int n)
{
	for (int i = 0; i < n && i < FZ_MAX_PROCS; i++)
		if (fz_procs[i].pid == pid && fz_procs[i].state != 4)
			return pid > 0;
	return false;
}

/* The name of slot s's process in check names and printed calls: "c2"
 * for child 2, "c2.g1" for its grandchild 1. */
static void fz_slot_name(int s, char *buf, size_t size)
{
	if (s < FZ_MAX_CHILDREN)
		snprintf(buf, size, "c%d", s);
	else
		snprintf(buf, size, "c%d.g%d", (s - FZ_MAX_CHILDREN) / FZ_MAX_KIDS,
			 (s - FZ_MAX_CHILDREN) % FZ_MAX_KIDS);
}

/* Reports every process of the round still alive, with the call it is
 * in, and kills it. Returns how many there were. */
static int fz_kill_hung(const struct fz_opts *o, long r, const char *what, int seconds)
{
	int n = procinfo(fz_procs, FZ_MAX_PROCS), hung = 0;

	for (int s = 0; s < FZ_NSLOTS; s++) {
		struct fz_slot *slot = &fz_st->slot[s];
		char name[16], check[40];

		if (!fz_alive(slot->pid, n))
			continue;
		fz_slot_name(s, name, sizeof(name));
		snprintf(check, sizeof(check), "%s-%s", name, what);
		fz_fail(o, check, r, "%s (pid %d) still running after %d s, %d calls made", name,
			slot->pid, seconds, slot->calls);
		fz_say("  in: %s", slot->last);
		kill(slot->pid, SIGKILL);
		hung++;
	}
	return hung;
}

/* Waits until no process of the round is alive (FZ_KILL_TICKS at most);
 * false if some still are. */
static bool fz_wait_gone(void)
{
	int deadline = uptime() + FZ_KILL_TICKS;

	for (;;) {
		int n = procinfo(fz_procs, FZ_MAX_PROCS), alive = 0;
		for (int s = 0; s < FZ_NSLOTS; s++)
			alive += fz_alive(fz_st->slot[s].pid, n);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!alive)
			return true;
		if (uptime() >= deadline)
			return false;
		usleep(10000);
	}
}

/* Reaps the n children, for at most hang_s seconds; then the round's
 * processes still running are hung. Returns the failures; sets *stop
 * when some cannot even be killed. */
static int fz_reap(const struct fz_opts *o, long r, int n, bool *stop)
{
	int deadline = uptime() + o->hang_s * 100;

	while (n > 0) {
		int pid = waitpid(-1, NULL, WNOHANG);
		if (pid > 0) {
			n--;
			continue;
		}
		if (pid < 0)
			return 0;
		if (uptime() >= deadline) {
			int hung = fz_kill_hung(o, r, "hang", o->hang_s);
			if (!fz_wait_gone()) {
				fz_fail(o, "unkillable", r, "killed processes did not exit");
				*stop = true;
			}
			return hung ? hung : 1;
		}
		usleep(10000);
	}
	return 0;
}

/* Waits until no more processes exist than before the round (orphans are
 * init's to reap), for at most hang_s seconds; what is left then hangs. */
static int fz_settle(const struct fz_opts *o, long r, int nprocs, bool *stop)
{
	int deadline = uptime() + o->hang_s * 100;

	while (procinfo(fz_procs, FZ_MAX_PROCS) > nprocs) {
		if (uptime() >= deadline) {
			int hung = fz_kill_hung(o, r, "orphan-hang", o->hang_s);
			if (!fz_wait_gone()) {
				fz_fail(o, "unkillable", r, "killed orphans did not exit");
				*stop = true;
			}
			return hung ? hung : 0;
		}
		usleep(10000);
	}
	return 0;
}

/* Free memory must be before again, exactly: less is a leak, more is
 * memory freed that the round did not take. */
static int fz_leak_check(const struct fz_opts *o, long r, long before)
{
	long now = test_settle();
	char why[80];

	if (before < 0 || now < 0) {
		fz_fail(o, "leak", r, "cannot count free memory: %s", test_settle_why);
		return 1;
	}
	if (now == before)
		return 0;
	test_free_diff(why, sizeof(why), before, now);
	fz_fail(o, "leak", r, "%s", why);
	return 1;
}

/* Reports the calls whose results broke a rule, one per process. */
static int fz_rules(const struct fz_opts *o, long r)
{
	int failures = 0;

	for (int s = 0; s < FZ_NSLOTS; s++) {
		struct fz_slot *slot = &fz_st->slot[s];
		char name[16], check[40];

		if (!slot->broken)
			continue;
		fz_slot_name(s, name, sizeof(name));
		snprintf(check, sizeof(check), "%s-rule", name);
		fz_fail(o, check, r, "%s broke %d rule(s); the first:", name, slot->broken);
		fz_say("  %s", slot->why);
		failures++;
	}
	return failures;
}

int fz_round(const struct fz_opts *o, long r, long *calls, bool *stop)
{
	int pids[FZ_MAX_CHILDREN] = {0}, n, forked = 0, failures = 0;
	int nprocs = procinfo(fz_procs, FZ_MAX_PROCS);
	long before;

	before = test_settle();
	struct fz_rng rng;

	memset(fz_st, 0, sizeof(*fz_st));
	fz_rng_init(&rng, o->seed, (uint64_t)r, 1000);
	n = 1 + (int)fz_below(&rng, FZ_MAX_CHILDREN);
	if (o->print)
		fz_say("--- round %ld: %d children", r, n);
	for (int c = 0; c < n; c++) {
		if (o->only_child >= 0 && c != o->only_child)
			continue;
		int pid = fork();
		if (pid == 0)
			fz_child_main(o, fz_st, r, c, pids);
		if (pid < 0) {
			fz_fail(o, "fork", r, "fork: %s", strerror(errno));
			failures++;
			break;
		}
		pids[c] = pid;
		forked++;
	}
	failures += fz_reap(o, r, forked, stop);
	failures += fz_settle(o, r, nprocs, stop);
	fz_clean_shared_in();
	fz_clean_tmp();
	if (!*stop)
		failures += fz_leak_check(o, r, before);
	failures += fz_rules(o, r);
	for (int s = 0; s < FZ_NSLOTS; s++)
		*calls += fz_st->slot[s].calls;
	if (failures)
		fz_say("  replay: make fuzz SEED=0x%lx ROUND=%ld PAGER=%s PRINT=1%s%s",
		       (unsigned long)o->seed, r, o->pager, o->skip_list ? " SKIP=" : "",
		       o->skip_list ? o->skip_list : "");
	return failures;
}
