/* fork: a new process with a copy-on-write copy of the caller's memory,
 * its open files and working directory, and one thread: a copy of the
 * caller. */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"

/* A new process's first run starts here, holding p->lock from the
 * scheduler. */
static void fork_return(void)
{
	spin_unlock(&myproc()->lock);
	user_trap_return();
}

int proc_fork(void)
{
	struct proc *p = myproc();
	struct proc *np = proc_alloc();
	if (!np)
		return -EAGAIN;
	spin_unlock(&np->lock);

	np->mm = mm_fork(p->mm);
	np->fdt = np->mm ? fdtable_copy(p->fdt) : NULL;
	if (!np->fdt) {
		if (np->mm)
			mm_put(np->mm);
		spin_lock(&np->lock);
		proc_free(np);
		spin_unlock(&np->lock);
		return -ENOMEM;
	}
	*np->tf = *p->tf;
	np->tf->a0 = 0;
	np->ctx.ra = (u64)fork_return;
	memcpy(np->name, p->name, sizeof(p->name));
	signal_fork(p, np);
	int pid = np->pid;

	/* The child is the process's, whichever thread forked it: any of
	 * them may wait for it. */
	spin_lock(&wait_lock);
	np->parent = p->leader;
	np->pgid = p->leader->pgid;
	np->sid = p->leader->sid;
	spin_unlock(&wait_lock);

	/* No idle hart is kicked: a parent usually waits or execs next, and
	 * then the child runs here at once; otherwise an idle hart's own
	 * timer tick finds it within 1/TICK_HZ s. */
	spin_lock(&np->lock);
	np->state = PROC_RUNNABLE;
	spin_unlock(&np->lock);
	return pid;
}
