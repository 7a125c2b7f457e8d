/* exit and wait, for threads and processes.
 *
 * Each thread lets go of its own references (its mm, its descriptor
 * table) when it ends. The last thread of a process to end lets go of
 * what the process holds and marks its leader dead, for the parent to
 * reap; until then a leader that ended early stays, a zombie, so that its
 * pid stands for the process. Any other thread is freed by the scheduler
 * as soon as it has switched away from its kernel stack (sched.c), with
 * nobody waiting for it; a parent reaping a process first waits for its
 * threads' slots to be freed, so that its count of free memory is right
 * once wait returns. */
#include "include/uapi/errno.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"

#define NEXIT_HOOKS 2

static void (*exit_hooks[NEXIT_HOOKS])(int pid);
static void (*clear_tid_hook)(u64 uaddr);

void proc_on_exit(void (*fn)(int pid))
{
	for (int i = 0; i < NEXIT_HOOKS; i++) {
		if (!exit_hooks[i]) {
			exit_hooks[i] = fn;
			return;
		}
	}
	panic("proc_on_exit: more than %d hooks", NEXIT_HOOKS);
}

void proc_on_clear_tid(void (*fn)(u64 uaddr))
{
	if (clear_tid_hook)
		panic("proc_on_clear_tid: a hook is set already");
	clear_tid_hook = fn;
}

/* Gives l's children to init, which reaps them. wait_lock held. */
static void reparent_children(struct proc *l)
{
	assert(spin_holding(&wait_lock));
	for (struct proc *c = proc_table; c < proc_table_end(); c++) {
		if (c->parent == l) {
			c->parent = init_proc;
			wakeup(init_proc);
		}
	}
}

/* The joiner's word (pthread_join waits on it): zeroed, and a waiter
 * woken. A bad pointer (unmapped or read-only by now) is ignored, as on
 * Linux: the thread ends all the same. */
static void clear_tid(struct proc *p)
{
	u32 zero = 0;

	if (!p->clear_tid)
		return;
	if (copy_to_user((void __user *)p->clear_tid, &zero, sizeof(zero)) == 0 && clear_tid_hook)
		clear_tid_hook(p->clear_tid);
	p->clear_tid = 0;
}

/* Lets go of the thread's own references: its share of the descriptor
 * table (a service keeps its table and working directory, and closes
 * its files) and of the address space. */
static void release_thread(struct proc *p)
{
	clear_tid(p);
	if (p->service) {
		fdtable_close_files(p->fdt);
	} else {
		fdtable_put(p->fdt);
		p->fdt = NULL;
	}
	spin_lock(&p->lock);
	struct mm *mm = p->mm;
	p->mm = NULL;
	spin_unlock(&p->lock);
	proc_drop_mm();
	if (mm)
		mm_put(mm);
}

/* The last thread of l's process is gone (p, the current one): what the
 * process holds goes, and l becomes the zombie its parent reaps, with
 * status (what exit() was given) or sig (the signal that ended it). */
static void __attribute__((noreturn))
end_process(struct proc *p, struct proc *l, int status, int sig)
{
	/* The pid is still the process's (the leader is not marked dead, so
	 * nobody can reap it and reuse the pid): what others keep under it
	 * goes now. */
	for (int i = 0; i < NEXIT_HOOKS && exit_hooks[i]; i++)
		exit_hooks[i](l->pid);
	spin_lock(&wait_lock);
	reparent_children(l);
	if (p->service) {
		/* A service has one thread (thread_create refuses it), which
		 * starts the program again. */
		l->nthreads = 1;
		l->group_exit = false;
		spin_unlock(&wait_lock);
		service_restart(p, status);
	}
	l->group_dead = true;
	struct mnemo_siginfo chld = {
	    .si_signo = SIGCHLD,
	    .si_code = sig ? CLD_KILLED : CLD_EXITED,
	    .si_pid = l->pid,
	    .si_status = sig ? sig : status,
	};
	if (l->parent)
		signal_send_info(l->parent, &chld, true);
	wakeup_sync(l->parent, -1);
	spin_lock(&l->lock);
	l->xstate = status;
	l->xsig = sig;
	if (p != l) {
		/* l is a zombie already; p ends as any thread but the leader. */
		spin_unlock(&l->lock);
		spin_lock(&p->lock);
	}
	p->state = PROC_ZOMBIE;
	spin_unlock(&wait_lock);
	sched();
	panic("exit: zombie ran");
}

/* Ends the current thread p; status (or sig) is the process's if p is the
 * last of it and no end of the whole gave one. */
static void __attribute__((noreturn)) end_thread(struct proc *p, int status, int sig)
{
	struct proc *l = p->leader;

	if (p == init_proc)
		panic("init exiting with status %d", status);
	release_thread(p);
	spin_lock(&wait_lock);
	if (--l->nthreads == 0) {
		if (!l->group_exit) {
			l->group_status = status;
			l->group_sig = sig;
		}
		status = l->group_status;
		sig = l->group_sig;
		spin_unlock(&wait_lock);
		end_process(p, l, status, sig);
	}
	if (l->nthreads == 1)
		wakeup(&l->nthreads); /* an exec waiting to be alone */
	spin_lock(&p->lock);
	p->state = PROC_ZOMBIE;
	spin_unlock(&wait_lock);
	sched();
	panic("exit: ended thread ran");
}

/* Ends the current thread's whole process, with status or signal sig. */
static void __attribute__((noreturn)) end_group(int status, int sig)
{
	struct proc *p = myproc();

	/* Killed by an exec in another thread: that thread lives on. */
	if (__atomic_load_n(&p->exit_alone, __ATOMIC_RELAXED))
		end_thread(p, status, sig);
	spin_lock(&wait_lock);
	proc_begin_group_exit(p->leader, status, sig);
	spin_unlock(&wait_lock);
	end_thread(p, status, sig);
}

void exit_current(int status)
{
	end_group(status, 0);
}

void exit_signaled(int sig)
{
	end_group(-1, sig ? sig : SIGKILL);
}

void exit_thread(int status)
{
	end_thread(myproc(), status, 0);
}

/* The status wait() reports: POSIX's encoding (the exit code in bits
 * 8..15, or the signal in bits 0..6), or with MNEMO_WAIT_RAW xv6's (the
 * int given to exit(), -1 for a signal). */
static int wait_status(const struct proc *c, int options)
{
	if (options & MNEMO_WAIT_RAW)
		return c->xsig ? -1 : c->xstate;
	return c->xsig ? c->xsig : (c->xstate & 0xff) << 8;
}

/* wait_lock held; p, not l, is the caller, and l's other threads have
 * all ended: p takes l's place (exec from a thread that is not the
 * leader keeps the process's pid, as POSIX asks). */
static void take_leader_place(struct proc *p, struct proc *l)
{
	/* l ended (it is a zombie, nthreads counts p alone): once its lock
	 * is ours, it is off every hart, and its slot may go. */
	spin_lock(&l->lock);
	int pid = l->pid;
	struct proc *parent = l->parent;
	for (struct proc *c = proc_table; c < proc_table_end(); c++)
		if (c->parent == l)
			c->parent = p;
	proc_free(l);
	spin_unlock(&l->lock);
	/* The others' slots too, as a reaper would (wait_thread_slots). */
	for (struct proc *t = proc_table; t < proc_table_end(); t++) {
		if (t != p && t->leader == l) {
			spin_lock(&t->lock);
			spin_unlock(&t->lock);
		}
	}

	spin_lock(&p->lock);
	p->pid = pid;
	p->leader = p;
	p->parent = parent;
	p->nthreads = 1;
	spin_unlock(&p->lock);
}

int proc_become_single(void)
{
	struct proc *p = myproc(), *l = p->leader;

	spin_lock(&wait_lock);
	if (l->nthreads > 1)
		proc_kill_others(l);
	while (l->nthreads > 1) {
		if (sleep_killable(&l->nthreads, &wait_lock) < 0) {
			spin_unlock(&wait_lock);
			return -EINTR;
		}
	}
	if (p != l)
		take_leader_place(p, l);
	spin_unlock(&wait_lock);
	return 0;
}

/* wait_lock held: the slots of c's threads other than c are all free. A
 * thread that ended holds its lock from the moment it is a zombie until
 * the scheduler has freed its slot, so taking each lock is the wait. */
static void wait_thread_slots(struct proc *c)
{
	assert(spin_holding(&wait_lock));
	if (!c->threaded)
		return;
	for (struct proc *t = proc_table; t < proc_table_end(); t++) {
		if (t == c || t->leader != c)
			continue;
		spin_lock(&t->lock);
		spin_unlock(&t->lock);
	}
}

#define WNOHANG 1

int proc_wait(u64 status_addr, int pid, int options)
{
	struct proc *caller = myproc(), *me = caller->leader;
	if (status_addr && !mm_access_ok(caller->mm, status_addr, sizeof(int), /*write=*/true))
		return -EFAULT;
	spin_lock(&wait_lock);
	for (;;) {
		bool have_kids = false;
		for (struct proc *c = proc_table; c < proc_table_end(); c++) {
			if (c->parent != me || (pid > 0 && c->pid != pid))
				continue;
			have_kids = true;
			if (!c->group_dead)
				continue;
			wait_thread_slots(c);
			spin_lock(&c->lock);
			int cpid = c->pid, xstate = wait_status(c, options);
			proc_free(c);
			spin_unlock(&c->lock);
			spin_unlock(&wait_lock);
			if (status_addr &&
			    copy_to_user((void __user *)status_addr, &xstate, sizeof(int)) < 0)
				return -EFAULT;
			return cpid;
		}
		if (!have_kids)
			break;
		if (options & WNOHANG) {
			spin_unlock(&wait_lock);
			return 0;
		}
		if (sleep_killable(me, &wait_lock) < 0) {
			spin_unlock(&wait_lock);
			return -EINTR;
		}
	}
	spin_unlock(&wait_lock);
	return -ECHILD;
}
