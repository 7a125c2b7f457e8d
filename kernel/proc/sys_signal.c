/* The signal system calls: kill, sigaction, sigprocmask, sigpending,
 * sigsuspend, sigreturn, alarm. signal.c does the work. */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/lib/panic.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"

static bool valid_signal(int sig)
{
	return sig > 0 && sig < NSIG;
}

/* Does kill's pid (0 or below) name the process led by l? 0: the
 * caller's group; -1: every process but the caller's; below: the group
 * -pid. wait_lock held (process groups change under it). */
static bool kill_names(const struct proc *me, const struct proc *l, int pid)
{
	if (pid == 0)
		return l->pgid == me->leader->pgid;
	if (pid == -1)
		return l != me->leader;
	return l->pgid == -pid;
}

/* kill(pid, sig): 0 when at least one process was sent it (sig 0 sends
 * nothing: the answer alone tells whether pid exists); -ESRCH if none
 * matched, -EPERM if only system processes did (init, the services, the
 * kernel's threads: no user's to signal), -EINVAL for a bad sig. */
long sys_kill(const u64 *arg)
{
	int pid = (int)arg[0], sig = (int)arg[1];
	struct proc *me = myproc();
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (pid == (int)0x80000000)
		return -ESRCH; /* -pid would overflow */
	int err = -ESRCH;
	spin_lock(&wait_lock);
	/* A process is found through its leader, which stands for it until
	 * reaped, even when it ended before the process's other threads; a
	 * pid that is the tid of another thread names its process too, as on
	 * Linux. */
	for (struct proc *t = proc_table; t < proc_table_end(); t++) {
		enum proc_state st = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
		if (st == PROC_UNUSED || st == PROC_USED)
			continue;
		struct proc *p = t->leader;
		bool named = pid > 0 ? t->pid == pid && (t == p || st != PROC_ZOMBIE)
				     : t == p && kill_names(me, p, pid);
		if (!named)
			continue;
		if (proc_is_system(p)) {
			if (err == -ESRCH)
				err = -EPERM;
			continue;
		}
		err = 0;
		struct mnemo_siginfo info = {
		    .si_signo = sig, .si_code = SI_USER, .si_pid = me->tgid};
		if (!p->group_dead)
			signal_send_info(p, &info, true);
	}
	spin_unlock(&wait_lock);
	return err;
}

/* tkill(tid, sig): sig to one thread (raise, pthread_kill); the same
 * errors as kill. */
long sys_tkill(const u64 *arg)
{
	int tid = (int)arg[0], sig = (int)arg[1];
	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (tid <= 0)
		return -EINVAL;
	int err = -ESRCH;
	spin_lock(&wait_lock);
	for (struct proc *t = proc_table; t < proc_table_end(); t++) {
		enum proc_state st = __atomic_load_n(&t->state, __ATOMIC_ACQUIRE);
		if (st == PROC_UNUSED || st == PROC_USED || st == PROC_ZOMBIE || t->pid != tid)
			continue;
		err = proc_is_system(t) ? -EPERM : 0;
		if (!err && sig)
			signal_send_thread(t, sig, myproc()->tgid);
		break;
	}
	spin_unlock(&wait_lock);
	return err;
}

/* sigaction(sig, act, old): act and old are struct mnemo_sigaction, each
 * may be NULL. SIGKILL's and SIGSTOP's actions cannot change. */
long sys_sigaction(const u64 *arg)
{
	int sig = (int)arg[0];
	u64 uact = arg[1], uold = arg[2];
	struct mnemo_sigaction act, old;
	if (!valid_signal(sig) || (uact && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	if (uact && copy_from_user(&act, (const void __user *)uact, sizeof(act)) < 0)
		return -EFAULT;
	signal_set_action(sig, uact ? &act : NULL, &old);
	if (uold && copy_to_user((void __user *)uold, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

/* sigprocmask(how, set, old): set and old point at 64-bit masks. */
long sys_sigprocmask(const u64 *arg)
{
	int how = (int)arg[0];
	u64 uset = arg[1], uold = arg[2], set = 0;
	if (uset && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (uset && get_user_u64(&set, (const u64 __user *)uset) < 0)
		return -EFAULT;
	struct proc *p = myproc();
	struct sigacts *s = p->sig;
	spin_lock(&s->lock);
	u64 old = p->sig_blocked;
	if (uset) {
		if (how == SIG_BLOCK)
			p->sig_blocked |= set;
		else if (how == SIG_UNBLOCK)
			p->sig_blocked &= ~set;
		else
			p->sig_blocked = set;
		p->sig_blocked &= ~SIG_UNBLOCKABLE;
		signal_update_wake(p);
	}
	spin_unlock(&s->lock);
	if (uold && put_user_u64((u64 __user *)uold, old) < 0)
		return -EFAULT;
	return 0;
}

/* sigpending(set): the signals waiting for the caller (blocked ones, as
 * the others are delivered before the call returns). */
long sys_sigpending(const u64 *arg)
{
	struct proc *p = myproc();
	spin_lock(&p->sig->lock);
	u64 set = p->sig_pending | p->sig->pending;
	spin_unlock(&p->sig->lock);
	return put_user_u64((u64 __user *)arg[0], set) < 0 ? -EFAULT : 0;
}

/* Sleeps until a signal comes that runs a handler or ends the process,
 * and lets go of s->lock; -EINTR. The sleep returns at once if such a
 * signal is there already; no one wakes this channel but a signal or a
 * kill. */
static long wait_for_signal(struct proc *p, struct sigacts *s)
{
	assert(spin_holding(&s->lock));
	while (sleep_killable(&p->sig_saved, &s->lock) == 0)
		;
	spin_unlock(&s->lock);
	return -EINTR;
}

/* sigsuspend(mask): waits with mask as the mask until a signal comes
 * that runs a handler or ends the process; then -EINTR, with the old mask
 * back once the handler returns. */
long sys_sigsuspend(const u64 *arg)
{
	u64 mask = arg[0];
	struct proc *p = myproc();
	struct sigacts *s = p->sig;
	spin_lock(&s->lock);
	p->sig_saved = p->sig_blocked;
	p->sig_restore = true;
	p->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	signal_update_wake(p);
	return wait_for_signal(p, s);
}

/* pause(): sigsuspend with the mask as it is. The library cannot build it
 * from sigprocmask and sigsuspend: a signal that comes between the two is
 * handled on the way back from the first, and the second then sleeps
 * until another comes, perhaps never. */
long sys_pause(const u64 *arg)
{
	(void)arg;
	struct proc *p = myproc();
	spin_lock(&p->sig->lock);
	return wait_for_signal(p, p->sig);
}

long sys_sigreturn(const u64 *arg)
{
	(void)arg;
	return signal_sigreturn(myproc()->tf);
}

/* alarm(seconds): SIGALRM after that many seconds (0: none); returns the
 * seconds left of the alarm it replaces, rounded up, or 0. */
long sys_alarm(const u64 *arg)
{
	u64 secs = arg[0] > 1000000000ULL ? 1000000000ULL : arg[0];
	u64 now = ticks;
	u64 old = signal_set_alarm(secs ? now + secs * TICK_HZ : 0);
	if (!old || old <= now)
		return 0;
	return (long)((old - now + TICK_HZ - 1) / TICK_HZ);
}
