/* exit and wait. A process frees its memory and files itself when it
 * exits; its parent frees the rest (kernel stack, slot) when it waits. */
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

/* Gives p's children to init, which reaps them. wait_lock held. */
static void reparent_children(struct proc *p)
{
	for (struct proc *c = proc_table; c < &proc_table[NPROC]; c++) {
		if (c->parent == p) {
			c->parent = init_proc;
			wakeup(init_proc);
		}
	}
}

/* Lets go of what the current process holds: its open files and its
 * address space (the working directory stays: a service keeps it). */
static void release_files_and_mm(struct proc *p)
{
	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd]) {
			file_put(p->ofile[fd]);
			p->ofile[fd] = NULL;
		}
	}
	spin_lock(&p->lock);
	struct mm *mm = p->mm;
	p->mm = NULL;
	spin_unlock(&p->lock);
	proc_drop_mm();
	if (mm)
		mm_put(mm);
}

/* The end of the current process: status is what exit() was given, or
 * -1 with sig the signal that killed it. */
static void __attribute__((noreturn)) exit_with(int status, int sig)
{
	struct proc *p = myproc();
	if (p == init_proc)
		panic("init exiting with status %d, signal %d", status, sig);

	release_files_and_mm(p);
	/* The pid is still ours (we are not a zombie yet, so nobody can reap
	 * us and reuse it): what others keep under it goes now. */
	for (int i = 0; i < NEXIT_HOOKS && exit_hooks[i]; i++)
		exit_hooks[i](p->pid);
	if (p->service) {
		spin_lock(&wait_lock);
		reparent_children(p);
		spin_unlock(&wait_lock);
		service_restart(p, status);
	}
	if (p->cwd) {
		inode_put(p->cwd);
		p->cwd = NULL;
	}

	spin_lock(&wait_lock);
	reparent_children(p);
	struct mnemo_siginfo chld = {
	    .si_signo = SIGCHLD,
	    .si_code = sig ? CLD_KILLED : CLD_EXITED,
	    .si_pid = p->pid,
	    .si_status = sig ? sig : status,
	};
	if (p->parent)
		signal_send_info(p->parent, &chld);
	wakeup_sync(p->parent, -1);
	spin_lock(&p->lock);
	p->xstate = status;
	p->xsig = sig;
	p->state = PROC_ZOMBIE;
	spin_unlock(&wait_lock);
	sched();
	panic("exit: zombie ran");
}

void exit_current(int status)
{
	exit_with(status, 0);
}

void exit_signaled(int sig)
{
	exit_with(-1, sig ? sig : SIGKILL);
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

#define WNOHANG 1

int proc_wait(u64 status_addr, int pid, int options)
{
	struct proc *me = myproc();
	if (status_addr && !mm_access_ok(me->mm, status_addr, sizeof(int), /*write=*/true))
		return -EFAULT;
	spin_lock(&wait_lock);
	for (;;) {
		bool have_kids = false;
		for (struct proc *c = proc_table; c < &proc_table[NPROC]; c++) {
			if (c->parent != me || (pid > 0 && c->pid != pid))
				continue;
			have_kids = true;
			spin_lock(&c->lock);
			if (c->state == PROC_ZOMBIE) {
				int cpid = c->pid, xstate = wait_status(c, options);
				proc_free(c);
				spin_unlock(&c->lock);
				spin_unlock(&wait_lock);
				if (status_addr && copy_to_user((void __user *)status_addr, &xstate,
								sizeof(int)) < 0)
					return -EFAULT;
				return cpid;
			}
			spin_unlock(&c->lock);
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
