/* Signals: the state behind them, sending, and delivery on the way back
 * to user mode. The system calls that reach them are in sys_signal.c.
 *
 * Who holds what: a sigacts' lock guards its actions and pending set and
 * the masks and pending sets of the threads that share it; p->lock guards
 * p->sig_wake, which sleep_on reads under it, so that a signal sent just
 * before a thread sleeps is seen by its check, and one sent after finds it
 * asleep and wakes it. A sender also holds wait_lock, so that the process
 * it names cannot be reaped, and its sigacts freed, meanwhile. */
#include "kernel/proc/signal.h"
#include "include/uapi/errno.h"
#include "include/uapi/syscall.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc_internal.h"

#define STOP_SIGNALS                                                                               \
	(MNEMO_SIGBIT(SIGSTOP) | MNEMO_SIGBIT(SIGTSTP) | MNEMO_SIGBIT(SIGTTIN) |                   \
	 MNEMO_SIGBIT(SIGTTOU))
/* POSIX's default action is to ignore these; the rest end the process,
 * but for the stop signals and SIGCONT. */
#define DEFAULT_IGNORED                                                                            \
	(MNEMO_SIGBIT(SIGCHLD) | MNEMO_SIGBIT(SIGURG) | MNEMO_SIGBIT(SIGWINCH) |                   \
	 MNEMO_SIGBIT(SIGCONT))

static u64 alarm_next = ~0ULL; /* earliest alarm_at of any process (atomic) */

_Static_assert(sizeof(struct sigacts) <= 2048, "a sigacts fits a kmalloc class, not a page");

struct sigacts *sigacts_alloc(void)
{
	struct sigacts *s = kmalloc(sizeof(*s));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	spin_init(&s->lock, "sigacts");
	s->refs = 1;
	return s;
}

/* Without s->lock: proc_free calls it under p->lock, and the lock order
 * puts a sigacts' lock before any p->lock (a sender wakes a thread under
 * it), so taking it here could close a cycle with a sender. */
void sigacts_put(struct sigacts *s)
{
	if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(s);
}

void signal_fork(struct proc *parent, struct proc *child)
{
	struct sigacts *from = parent->sig, *to = child->sig;
	spin_lock(&from->lock);
	memcpy(to->action, from->action, sizeof(to->action));
	child->sig_blocked = parent->sig_restore ? parent->sig_saved : parent->sig_blocked;
	spin_unlock(&from->lock);
}

void signal_thread(struct proc *creator, struct proc *t)
{
	struct sigacts *s = creator->sig;
	sigacts_put(t->sig); /* proc_alloc's own, never seen by anyone */
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	spin_lock(&s->lock);
	t->sig = s;
	t->sig_blocked = creator->sig_blocked;
	spin_unlock(&s->lock);
}

void signal_exec(struct proc *p)
{
	struct sigacts *s = p->sig;
	spin_lock(&s->lock);
	for (int sig = 1; sig < NSIG; sig++) {
		struct mnemo_sigaction *a = &s->action[sig];
		if (a->handler != MNEMO_SIG_IGN)
			memset(a, 0, sizeof(*a));
	}
	spin_unlock(&s->lock);
}

/* The signals p could take now: pending for it or its process, and not
 * blocked. s->lock held. */
static u64 deliverable(struct proc *p)
{
	assert(spin_holding(&p->sig->lock));
	return (p->sig_pending | p->sig->pending) & ~p->sig_blocked;
}

void signal_update_wake(struct proc *p)
{
	bool wake = deliverable(p) != 0;
	spin_lock(&p->lock);
	__atomic_store_n(&p->sig_wake, wake, __ATOMIC_RELEASE);
	spin_unlock(&p->lock);
}

/* Is sig dropped as soon as it is sent? When it is ignored, explicitly or
 * by default, and not blocked by target (POSIX keeps a blocked signal
 * pending even then, as the action may change before it is unblocked).
 * s->lock held. */
static bool ignored(struct sigacts *s, int sig)
{
	u64 h = s->action[sig].handler;
	return h == MNEMO_SIG_IGN || (h == MNEMO_SIG_DFL && (DEFAULT_IGNORED & MNEMO_SIGBIT(sig)));
}

void signal_set_action(int sig, const struct mnemo_sigaction *act, struct mnemo_sigaction *old)
{
	struct sigacts *s = myproc()->sig;
	spin_lock(&s->lock);
	*old = s->action[sig];
	if (act) {
		s->action[sig] = *act;
		s->action[sig].mask &= ~SIG_UNBLOCKABLE;
		/* Ignoring a signal discards it where it is pending (POSIX). */
		if (ignored(s, sig)) {
			s->pending &= ~MNEMO_SIGBIT(sig);
			for (struct proc *t = proc_table; t < proc_table_end(); t++)
				if (t->sig == s)
					t->sig_pending &= ~MNEMO_SIGBIT(sig);
		}
	}
	spin_unlock(&s->lock);
}

/* Marks t to look at its signals on its way back to user mode, and ends
 * an interruptible sleep it is in. s->lock held. */
static void wake_thread(struct proc *t, bool sync)
{
	spin_lock(&t->lock);
	__atomic_store_n(&t->sig_wake, true, __ATOMIC_RELEASE);
	spin_unlock(&t->lock);
	proc_interrupt_sleep_how(t, !sync);
}

/* SIGKILL: every thread of the process ends at its next return to user
 * mode, and leaves any sleep it is in now. s->lock held. */
static void kill_threads(struct proc *p, int sig)
{
	for (struct proc *t = proc_table; t < proc_table_end(); t++) {
		if (t->sig != p->sig || t->state == PROC_UNUSED || t->state == PROC_ZOMBIE)
			continue; /* racy peek: the sharing and the state settle under s->lock */
		proc_set_killed_by(t, sig);
		proc_interrupt_sleep(t);
	}
	wakeup(&p->sig->pending); /* a stopped process goes on, to die */
}

void signal_send(struct proc *p, int sig, int code, int sender)
{
	struct mnemo_siginfo info = {.si_signo = sig, .si_code = code, .si_pid = sender};
	signal_send_info(p, &info, false);
}

void signal_send_info(struct proc *p, const struct mnemo_siginfo *info, bool sync)
{
	int sig = info->si_signo;
	struct sigacts *s = p->sig;
	assert(spin_holding(&wait_lock));
	if (sig <= 0 || sig >= NSIG || !s)
		return;
	spin_lock(&s->lock);
	if (sig == SIGKILL) {
		/* Recorded first, so that no thread starts in the group after
		 * kill_threads has looked (thread_create checks under
		 * wait_lock). */
		proc_mark_group_exit(p->leader, -1, SIGKILL);
		kill_threads(p, SIGKILL);
		spin_unlock(&s->lock);
		return;
	}
	/* A stop and a continue cancel each other, whatever the mask. */
	if (sig == SIGCONT) {
		s->pending &= ~STOP_SIGNALS;
		s->stopped = false;
		wakeup(&s->pending);
	} else if (STOP_SIGNALS & MNEMO_SIGBIT(sig)) {
		s->pending &= ~MNEMO_SIGBIT(SIGCONT);
	}
	if (ignored(s, sig) && !(p->sig_blocked & MNEMO_SIGBIT(sig))) {
		spin_unlock(&s->lock);
		return;
	}
	if (!(s->pending & MNEMO_SIGBIT(sig))) /* the classic signals do not queue */
		s->origin[sig] = (struct sig_origin){info->si_code, info->si_pid, info->si_status,
						     (u64)info->si_addr};
	s->pending |= MNEMO_SIGBIT(sig);
	/* One thread that does not block it is told: p itself if it can. */
	struct proc *t = NULL;
	if (p->state != PROC_ZOMBIE && !(p->sig_blocked & MNEMO_SIGBIT(sig)))
		t = p; /* (a leader that ended early stands for its process) */
	for (struct proc *q = proc_table; !t && q < proc_table_end(); q++)
		if (q->sig == s && q->state != PROC_UNUSED && q->state != PROC_ZOMBIE &&
		    !(q->sig_blocked & MNEMO_SIGBIT(sig)))
			t = q;
	if (t)
		wake_thread(t, sync);
	spin_unlock(&s->lock);
}

void signal_send_thread(struct proc *t, int sig, int sender)
{
	struct sigacts *s = t->sig;
	assert(spin_holding(&wait_lock));
	if (sig <= 0 || sig >= NSIG || !s)
		return;
	if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCONT) {
		/* These act on the whole process, whoever is named. */
		struct mnemo_siginfo info = {
		    .si_signo = sig, .si_code = SI_TKILL, .si_pid = sender};
		signal_send_info(t, &info, true);
		return;
	}
	spin_lock(&s->lock);
	if (!ignored(s, sig) || (t->sig_blocked & MNEMO_SIGBIT(sig))) {
		if (!(t->sig_pending & MNEMO_SIGBIT(sig)))
			t->sig_origin[sig] = (struct sig_origin){.code = SI_TKILL, .pid = sender};
		t->sig_pending |= MNEMO_SIGBIT(sig);
		if (!(t->sig_blocked & MNEMO_SIGBIT(sig)))
			wake_thread(t, true);
	}
	spin_unlock(&s->lock);
}

bool signal_fault(int sig, int code, u64 addr)
{
	struct proc *p = myproc();
	struct sigacts *s = p->sig;
	spin_lock(&s->lock);
	u64 h = s->action[sig].handler;
	bool caught =
	    h != MNEMO_SIG_DFL && h != MNEMO_SIG_IGN && !(p->sig_blocked & MNEMO_SIGBIT(sig));
	if (caught) {
		p->sig_origin[sig] = (struct sig_origin){.code = code, .addr = addr};
		p->sig_pending |= MNEMO_SIGBIT(sig);
		signal_update_wake(p);
	}
	spin_unlock(&s->lock);
	return caught;
}

bool signal_wakes(struct proc *p)
{
	assert(spin_holding(&p->lock));
	return p->sig_wake;
}

/* Takes the lowest deliverable signal off p's sets, its own (faults)
 * first; 0 if none. s->lock held. */
static int dequeue(struct proc *p, struct mnemo_siginfo *info)
{
	struct sigacts *s = p->sig;
	u64 mine = p->sig_pending & ~p->sig_blocked;
	u64 set = mine ? mine : s->pending & ~p->sig_blocked;
	if (!set)
		return 0;
	int sig = __builtin_ctzll(set) + 1;
	struct sig_origin *o = mine ? &p->sig_origin[sig] : &s->origin[sig];
	if (mine)
		p->sig_pending &= ~MNEMO_SIGBIT(sig);
	else
		s->pending &= ~MNEMO_SIGBIT(sig);
	*info = (struct mnemo_siginfo){.si_signo = sig,
				       .si_code = o->code,
				       .si_pid = o->pid,
				       .si_status = o->status,
				       .si_addr = (void *)o->addr};
	return sig;
}

/* Waits, stopped, until a SIGCONT or a kill (SIGSTOP and its kin). Only
 * this thread stops: mnemo does not stop a process's other threads. */
static void stop(struct proc *p)
{
	struct sigacts *s = p->sig;
	spin_lock(&s->lock);
	s->stopped = true;
	while (s->stopped && !proc_killed(p))
		sleep(&s->pending, &s->lock);
	spin_unlock(&s->lock);
}

/* Pushes the handler's frame on the user stack and points the registers
 * at the handler. 0, or -EFAULT when the stack cannot take the frame. */
static int push_frame(struct trapframe *tf, const struct mnemo_sigaction *act,
		      const struct mnemo_siginfo *info, u64 old_mask)
{
	struct mnemo_sigframe f;
	memset(&f, 0, sizeof(f));
	f.info = *info;
	f.uc.uc_sigmask = old_mask;
	_Static_assert(sizeof(struct trapframe) >= 32 * sizeof(u64), "x1..x31 follow epc");
	memcpy(f.uc.uc_mcontext.gregs, tf, sizeof(f.uc.uc_mcontext.gregs));

	u64 sp = (tf->sp - sizeof(f)) & ~15ULL;
	if (sp >= tf->sp || copy_to_user((void __user *)sp, &f, sizeof(f)) < 0)
		return -EFAULT;
	tf->epc = act->handler;
	tf->a0 = (u64)info->si_signo;
	tf->a1 = sp + __builtin_offsetof(struct mnemo_sigframe, info);
	tf->a2 = sp + __builtin_offsetof(struct mnemo_sigframe, uc);
	tf->ra = act->restorer;
	tf->sp = sp;
	return 0;
}

/* Calls a signal must not restart: sleep and sigsuspend report EINTR
 * whatever SA_RESTART says (as on Linux), and sigreturn's a0 is not a
 * result at all. */
static bool restartable(long nr)
{
	return nr >= 0 && nr != SYS_sleep && nr != SYS_sigsuspend && nr != SYS_pause &&
	       nr != SYS_sigreturn;
}

static void restart(struct trapframe *tf, u64 a0)
{
	tf->epc -= 4; /* back onto the ecall */
	tf->a0 = a0;
}

void signal_return(struct trapframe *tf, long nr, u64 a0)
{
	struct proc *p = myproc();
	struct sigacts *s = p->sig;
	bool interrupted = restartable(nr) && tf->a0 == (u64)-EINTR;
	intr_on(); /* the frame's copy may fault the stack in */

	for (;;) {
		if (proc_killed(p))
			exit_signaled(p->kill_sig);
		struct mnemo_siginfo info;
		spin_lock(&s->lock);
		int sig = dequeue(p, &info);
		if (!sig) {
			if (p->sig_restore) { /* sigsuspend ran no handler */
				p->sig_blocked = p->sig_saved;
				p->sig_restore = false;
			}
			signal_update_wake(p);
			bool again = p->sig_wake;
			spin_unlock(&s->lock);
			if (again)
				continue; /* the old mask let one through */
			if (interrupted)
				restart(tf, a0); /* no handler ran: as if nothing came */
			return;
		}
		struct mnemo_sigaction act = s->action[sig];
		if (act.handler == MNEMO_SIG_IGN ||
		    (act.handler == MNEMO_SIG_DFL && (DEFAULT_IGNORED & MNEMO_SIGBIT(sig)))) {
			spin_unlock(&s->lock);
			continue;
		}
		if (act.handler == MNEMO_SIG_DFL) {
			spin_unlock(&s->lock);
			if (STOP_SIGNALS & MNEMO_SIGBIT(sig)) {
				stop(p);
				continue;
			}
			proc_set_killed_by(p, sig); /* POSIX's default: the end */
			continue;
		}
		u64 old_mask = p->sig_restore ? p->sig_saved : p->sig_blocked;
		p->sig_restore = false;
		p->sig_blocked |= act.mask | (act.flags & SA_NODEFER ? 0 : MNEMO_SIGBIT(sig));
		p->sig_blocked &= ~SIG_UNBLOCKABLE;
		if (act.flags & SA_RESETHAND)
			s->action[sig].handler = MNEMO_SIG_DFL;
		signal_update_wake(p);
		spin_unlock(&s->lock);

		if (interrupted && (act.flags & SA_RESTART))
			restart(tf, a0);
		if (push_frame(tf, &act, &info, old_mask) < 0) {
			printk("pid %d (%s): cannot deliver signal %d: no room for its frame "
			       "below sp %p\n",
			       p->pid, p->name, sig, (void *)tf->sp);
			proc_set_killed_by(p, SIGSEGV);
			continue;
		}
		return; /* one handler at a time: the rest after its sigreturn */
	}
}

long signal_sigreturn(struct trapframe *tf)
{
	struct proc *p = myproc();
	struct mnemo_ucontext uc;
	u64 at = tf->sp + __builtin_offsetof(struct mnemo_sigframe, uc);
	if (copy_from_user(&uc, (const void __user *)at, sizeof(uc)) < 0) {
		printk("pid %d (%s): sigreturn with no signal frame at sp %p\n", p->pid, p->name,
		       (void *)tf->sp);
		proc_set_killed_by(p, SIGSEGV);
		return -EFAULT;
	}
	/* Every register and the pc come back, as the handler left them; the
	 * privileged state (sstatus) is the kernel's and stays. */
	memcpy(tf, uc.uc_mcontext.gregs, sizeof(uc.uc_mcontext.gregs));
	struct sigacts *s = p->sig;
	spin_lock(&s->lock);
	p->sig_blocked = uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	signal_update_wake(p);
	spin_unlock(&s->lock);
	return (long)tf->a0; /* syscall_trap stores it back in a0 */
}

void signal_tick(u64 now)
{
	if (now < __atomic_load_n(&alarm_next, __ATOMIC_RELAXED))
		return;
	u64 next = ~0ULL;
	spin_lock(&wait_lock);
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		struct sigacts *s = p->sig;
		if (!s || p->state == PROC_UNUSED || p->state == PROC_ZOMBIE)
			continue;
		spin_lock(&s->lock);
		u64 at = s->alarm_at;
		if (at && at <= now)
			s->alarm_at = 0;
		spin_unlock(&s->lock);
		if (at && at <= now)
			signal_send(p, SIGALRM, SI_KERNEL, 0);
		else if (at && at < next)
			next = at;
	}
	__atomic_store_n(&alarm_next, next, __ATOMIC_RELAXED);
	spin_unlock(&wait_lock);
}

u64 signal_set_alarm(u64 at)
{
	struct sigacts *s = myproc()->sig;
	spin_lock(&s->lock);
	u64 old = s->alarm_at;
	s->alarm_at = at;
	spin_unlock(&s->lock);
	/* Lower the earliest alarm: a later one is found by the next scan. */
	u64 next = __atomic_load_n(&alarm_next, __ATOMIC_RELAXED);
	while (at && at < next &&
	       !__atomic_compare_exchange_n(&alarm_next, &next, at, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
	return old;
}
