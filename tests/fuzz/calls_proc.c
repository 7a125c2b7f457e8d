/* Process calls (fork, exit, wait, kill, the pids, sleep and the clocks,
 * the signal calls that cannot hang or redirect a process),
 * the introspection calls (meminfo, procinfo, vmmaps), and numbers
 * outside the table. poweroff is the one number never made: it would end
 * the run. kill names only the round's own processes (fz_pid_arg). */
#include <stdio.h>

#include "fuzz.h"
#include "include/uapi/signal.h"

/* Sizes of the records the introspection calls write. */
#define FZ_PROCINFO_SIZE 40
#define FZ_VMMAP_SIZE	 72
#define FZ_MEMINFO_SIZE	 32

/* A fork beyond FZ_MAX_KIDS becomes getpid: the bound on forks is what
 * keeps a round from turning into a fork bomb. */
static void gen_fork(struct fz_proc *p, struct fz_call *c)
{
	if (p->nkids == FZ_MAX_KIDS) {
		c->name = "getpid";
		c->nr = SYS_getpid;
		return;
	}
	c->nr = SYS_fork;
}

/* The new process becomes grandchild number nkids; the parent notes its
 * pid as a target for wait, kill and sharing. */
static void after_fork(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (c->nr != SYS_fork)
		return;
	if (ret == 0)
		fz_kid_main(p, p->nkids);
	if (ret > 0)
		fz_note_kid(p, (int)ret);
}

/* exit with plain and odd statuses; the slot says the process is done. */
static void gen_exit(struct fz_proc *p, struct fz_call *c)
{
	static const long status[] = {0, 1, -1, 255, 256, 0x7fffffff};

	c->nr = SYS_exit;
	fz_arg(c, 0, status[fz_below(&p->rng, sizeof(status) / sizeof(status[0]))], "%s", "");
	p->status->slot[p->slot].state = FZ_SLOT_DONE;
}

/* wait for any child, a kid, a sibling or nobody, with options valid or
 * not; the status written anywhere (or nowhere). */
static void gen_wait(struct fz_proc *p, struct fz_call *c)
{
	static const long options[] = {0, 0, 1, 1, 2, -1};

	c->nr = SYS_wait;
	if (fz_chance(&p->rng, 20))
		fz_arg(c, 0, 0, "no-status");
	else
		fz_ptr_arg(p, c, 0, 0);
	fz_pid_arg(p, c, 1, FZ_PID_WAIT);
	fz_arg(c, 2, options[fz_below(&p->rng, sizeof(options) / sizeof(options[0]))], "%s", "");
}

/* kill: only the round's own processes, or pids nobody has, with a
 * signal that ends a process, one ignored by default, none (0: only a
 * check), or no signal at all (EINVAL). */
static void gen_kill(struct fz_proc *p, struct fz_call *c)
{
	static const long sigs[] = {SIGKILL,  SIGTERM, SIGUSR1, 0,  SIGCHLD, SIGURG,
				    SIGWINCH, SIGCONT, NSIG,	-1, 64,	     0x100000009};
	long sig = sigs[fz_below(&p->rng, sizeof(sigs) / sizeof(sigs[0]))];

	c->nr = SYS_kill;
	fz_pid_arg(p, c, 0, FZ_PID_KILL);
	fz_arg(c, 1, sig, "%s", "");
	if ((int)sig < 0 || (int)sig >= NSIG)
		c->expect = -FZ_EINVAL;
}

/* A signal number for the signal calls: valid, 0, or past the end. */
static long fz_signal_arg(struct fz_proc *p, struct fz_call *c, int i)
{
	static const long wild[] = {0, NSIG, -1, 1000, 0x100000002};
	long sig = fz_chance(&p->rng, 75) ? 1 + (long)fz_below(&p->rng, NSIG - 1)
					  : wild[fz_below(&p->rng, sizeof(wild) / sizeof(wild[0]))];

	fz_arg(c, i, sig, "%s", "");
	return sig;
}

/* sigaction: the new action is the default or ignore (never a handler: a
 * signal would run whatever it pointed at), or a bad pointer. */
static void gen_sigaction(struct fz_proc *p, struct fz_call *c)
{
	static struct mnemo_sigaction dfl = {.handler = MNEMO_SIG_DFL},
				      ign = {.handler = MNEMO_SIG_IGN, .mask = ~0ull};
	long sig = fz_signal_arg(p, c, 0);
	bool act = true, act_bad = false;
	struct fz_ptr old = {0};

	c->nr = SYS_sigaction;
	switch (fz_below(&p->rng, 4)) {
	case 0:
		act = false;
		fz_arg(c, 1, 0, "no-act");
		break;
	case 1:
		fz_arg(c, 1, (long)&dfl, "SIG_DFL");
		break;
	case 2:
		fz_arg(c, 1, (long)&ign, "SIG_IGN");
		break;
	default:
		struct fz_ptr at = fz_ptr_arg(p, c, 1, 0);
		/* A bad pointer stays (EFAULT); null or good memory, which
		 * holds no action of ours, becomes SIG_DFL's record. */
		act_bad = at.bad && at.addr;
		if (!act_bad)
			fz_arg(c, 1, (long)&dfl, "SIG_DFL");
	}
	if (fz_chance(&p->rng, 50))
		old = fz_ptr_arg(p, c, 2, 0);
	else
		fz_arg(c, 2, 0, "no-old");
	if ((int)sig <= 0 || (int)sig >= NSIG || (act && (sig == SIGKILL || sig == SIGSTOP)))
		c->expect = -FZ_EINVAL;
	else if (act_bad || (old.bad && old.addr)) /* a null old asks for nothing */
		c->expect = -FZ_EFAULT;
}

/* sigprocmask: any how, any mask (SIGKILL cannot be blocked, and a fault
 * kills whatever the mask), pointers good or bad. */
static void gen_sigprocmask(struct fz_proc *p, struct fz_call *c)
{
	static const long hows[] = {SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, 3, -1};
	static uint64_t masks[] = {0, ~0ull, 1ull << (SIGCHLD - 1), 0x5555555555555555ull};
	long how = hows[fz_below(&p->rng, sizeof(hows) / sizeof(hows[0]))];
	struct fz_ptr set = {0}, old = {0};

	c->nr = SYS_sigprocmask;
	fz_arg(c, 0, how, "%s", "");
	if (fz_chance(&p->rng, 20))
		fz_arg(c, 1, 0, "no-set");
	else if (fz_chance(&p->rng, 70))
		fz_arg(c, 1, (long)&masks[fz_below(&p->rng, 4)], "mask");
	else
		set = fz_ptr_arg(p, c, 1, 0);
	if (fz_chance(&p->rng, 50))
		old = fz_ptr_arg(p, c, 2, 0);
	if (c->arg[1] && (how < 0 || how > SIG_SETMASK))
		c->expect = -FZ_EINVAL;
	else if ((set.bad && set.addr) || (old.bad && old.addr)) /* null: none */
		c->expect = -FZ_EFAULT;
}

/* Process groups: getpgid of anyone; setpgid of the caller or a kid into
 * a group that may or may not be there (EINVAL for negative numbers);
 * setsid; the console's foreground group read and set through any
 * descriptor (ENOTTY unless it is the console). No rule but the errno's
 * when an argument is negative: which groups exist is the run's. */
static void gen_pgrp(struct fz_proc *p, struct fz_call *c)
{
	static const long pgids[] = {0, -1, 1, 0x7fffffff};

	switch (fz_below(&p->rng, 5)) {
	case 0:
		c->nr = SYS_getpgid;
		c->name = "getpgid";
		fz_pid_arg(p, c, 0, FZ_PID_LOOK);
		break;
	case 1: {
		c->nr = SYS_setpgid;
		c->name = "setpgid";
		int pid = fz_chance(&p->rng, 50) ? 0 : fz_pid_arg(p, c, 0, FZ_PID_LOOK);
		if (pid == 0)
			fz_arg(c, 0, 0, "self");
		long pgid = fz_chance(&p->rng, 50)
				? p->pid
				: pgids[fz_below(&p->rng, sizeof(pgids) / sizeof(pgids[0]))];
		fz_arg(c, 1, pgid, "%s", "");
		if (pid < 0 || pgid < 0)
			c->expect = -FZ_EINVAL;
		break;
	}
	case 2:
		c->nr = SYS_setsid;
		c->name = "setsid";
		break;
	case 3:
		c->nr = SYS_tcgetpgrp;
		c->name = "tcgetpgrp";
		fz_fd_arg(p, c, 0);
		break;
	default:
		c->nr = SYS_tcsetpgrp;
		c->name = "tcsetpgrp";
		fz_fd_arg(p, c, 0);
		fz_arg(c, 1, fz_chance(&p->rng, 50) ? p->pid : pgids[fz_below(&p->rng, 4)], "%s",
		       "");
	}
}

/* sigpending: EFAULT where nothing can be written. */
static void gen_sigpending(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_sigpending;
	if (fz_ptr_arg(p, c, 0, 0).bad)
		c->expect = -FZ_EFAULT;
}

/* Junk in the argument registers of calls that take none must not matter. */
static void fz_junk_args(struct fz_proc *p, struct fz_call *c)
{
	if (fz_chance(&p->rng, 50))
		for (int i = 0; i < 3; i++)
			fz_arg(c, i, (long)fz_next(&p->rng), "%s", "");
}

/* getpid, with junk in the registers. */
static void gen_getpid(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_getpid;
	fz_junk_args(p, c);
}

/* getpid agrees with what fork said. */
static void after_getpid(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (c->nr == SYS_getpid && ret != p->pid)
		fz_broken(p, "getpid gave %ld, fork said %d", ret, p->pid);
}

/* getppid, with junk in the registers. */
static void gen_getppid(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_getppid;
	fz_junk_args(p, c);
}

/* The parent, or init once the parent has exited. */
static void after_getppid(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret != p->ppid && ret != 1)
		fz_broken(p, "getppid gave %ld, the parent is %d", ret, p->ppid);
}

/* Only sleeps the round can afford: a few ticks, or none. */
static void gen_sleep(struct fz_proc *p, struct fz_call *c)
{
	static const long ticks[] = {0, 1, 2, 3, -1, -100, -0x7fffffffffffffffl - 1};

	c->nr = SYS_sleep;
	fz_arg(c, 0, ticks[fz_below(&p->rng, sizeof(ticks) / sizeof(ticks[0]))], "%s", "");
	c->expect = 0;
}

/* uptime, with junk in the registers. */
static void gen_uptime(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_uptime;
	fz_junk_args(p, c);
}

/* timebase, with junk in the registers. */
static void gen_timebase(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_timebase;
	fz_junk_args(p, c);
}

/* The timer runs at some positive rate. */
static void after_timebase(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret <= 0)
		fz_broken(p, "timebase gave %ld", ret);
}

/* trap_floor, with junk in the registers. */
static void gen_trap_floor(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_trap_floor;
	fz_junk_args(p, c);
}

/* Whatever the registers held, the answer is 0. */
static void after_trap_floor(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret != 0)
		fz_broken(p, "trap_floor gave %ld", ret);
}

/* A record count for the introspection calls. */
static long fz_count_arg(struct fz_proc *p, struct fz_call *c, int i, const struct fz_ptr *at,
			 long record)
{
	static const long counts[] = {0, 1, 2, 16, 64, 300, 513, -1, 0x7fffffff, 0x100000001};
	long n;

	if (at->room && fz_chance(&p->rng, 30))
		n = (long)(at->room / record) + (long)fz_below(&p->rng, 2);
	else
		n = counts[fz_below(&p->rng, sizeof(counts) / sizeof(counts[0]))];
	fz_arg(c, i, n, "%s", "");
	return n;
}

/* A pointer nothing can be written at must give EFAULT (a zero count
 * still has its address checked), unless the count is refused first. */
static void gen_procinfo(struct fz_proc *p, struct fz_call *c)
{
	struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);
	int max = (int)fz_count_arg(p, c, 1, &at, FZ_PROCINFO_SIZE);

	c->nr = SYS_procinfo;
	if (max < 0)
		c->expect = -FZ_EINVAL;
	else if (at.bad)
		c->expect = -FZ_EFAULT;
}

/* vmmaps of any process: EFAULT for a bad buffer of the caller's own. */
static void gen_vmmaps(struct fz_proc *p, struct fz_call *c)
{
	int pid = fz_pid_arg(p, c, 0, FZ_PID_LOOK);
	struct fz_ptr at = fz_ptr_arg(p, c, 1, 0);
	int max = (int)fz_count_arg(p, c, 2, &at, FZ_VMMAP_SIZE);

	c->nr = SYS_vmmaps;
	if (max < 0)
		c->expect = -FZ_EINVAL;
	else if (at.bad && (pid == 0 || pid == p->pid))
		c->expect = -FZ_EFAULT;
}

/* meminfo: EFAULT where nothing can be written. */
static void gen_meminfo(struct fz_proc *p, struct fz_call *c)
{
	struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);

	c->nr = SYS_meminfo;
	if (at.bad)
		c->expect = -FZ_EFAULT;
}

/* Numbers with no call behind them: the holes in the table, the first
 * past its end, and numbers whose low 32 bits name a real call (getpid,
 * harmless), which only a kernel that truncates a7 would make. */
static void gen_bad_nr(struct fz_proc *p, struct fz_call *c)
{
	static const long nrs[] = {
	    0,
	    22,
	    23,
	    NSYSCALL,
	    NSYSCALL + 1,
	    255,
	    256,
	    1000,
	    -1,
	    (1l << 32) + SYS_getpid,
	    (long)((1ul << 63) + SYS_getpid),
	    -SYS_getpid,
	};
	static char name[32];

	c->nr = nrs[fz_below(&p->rng, sizeof(nrs) / sizeof(nrs[0]))];
	snprintf(name, sizeof(name), "nr%ld", c->nr);
	c->name = name;
	for (int i = 0; i < 4; i++)
		fz_arg(c, i, (long)fz_next(&p->rng), "%s", "");
	c->expect = -FZ_ENOSYS;
}

/* gettid, with junk in the registers: a child has one thread, whose id
 * is its pid. */
static void gen_gettid(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_gettid;
	fz_junk_args(p, c);
}

static void after_gettid(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (c->nr == SYS_gettid && ret != p->pid)
		fz_broken(p, "gettid gave %ld in a one-thread process %d", ret, p->pid);
}

/* thread_create with a stack that is never one (0, misaligned, or not
 * user space) and any TLS and clear-tid words: EINVAL, and no thread. A
 * thread that started would run the fuzzer's code on a random stack. */
static void gen_thread_create(struct fz_proc *p, struct fz_call *c)
{
	static const uint64_t stacks[] = {
	    0, 8, 0x10008, 0x3fffffe008, 0x4000000010, 0xffffffc000200000, 0x8000000000000000};
	c->nr = SYS_thread_create;
	fz_arg(c, 0, (long)stacks[fz_below(&p->rng, sizeof(stacks) / sizeof(stacks[0]))], "%s", "");
	fz_arg(c, 1, (long)fz_next(&p->rng), "%s", "");
	fz_ptr_arg(p, c, 2, 0);
	c->expect = -FZ_EINVAL;
}

const struct fz_entry fz_proc_calls[] = {
    {"fork", "proc", 3, false, gen_fork, after_fork},
    {"exit", "proc", 1, true, gen_exit, NULL},
    {"wait", "proc", 3, true, gen_wait, NULL},
    {"kill", "proc", 2, true, gen_kill, NULL},
    {"sigaction", "signal", 2, true, gen_sigaction, NULL},
    {"sigprocmask", "signal", 2, true, gen_sigprocmask, NULL},
    {"sigpending", "signal", 1, true, gen_sigpending, NULL},
    {"pgrp", "signal", 1, true, gen_pgrp, NULL},
    {"getpid", "proc", 1, true, gen_getpid, after_getpid},
    {"getppid", "proc", 1, true, gen_getppid, after_getppid},
    {"gettid", "proc", 1, true, gen_gettid, after_gettid},
    {"thread_create", "proc", 1, true, gen_thread_create, NULL},
    {"sleep", "proc", 1, true, gen_sleep, NULL},
    {"uptime", "proc", 1, true, gen_uptime, NULL},
    {"timebase", "proc", 1, true, gen_timebase, after_timebase},
    {"trap_floor", "proc", 1, true, gen_trap_floor, after_trap_floor},
    {"procinfo", "info", 2, true, gen_procinfo, NULL},
    {"vmmaps", "info", 2, true, gen_vmmaps, NULL},
    {"meminfo", "info", 2, true, gen_meminfo, NULL},
    {"bad-nr", "bad", 2, true, gen_bad_nr, NULL},
};
const int fz_nproc_calls = sizeof(fz_proc_calls) / sizeof(fz_proc_calls[0]);
