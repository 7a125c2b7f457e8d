/* Threads: thread_create(stack, tls, clear_tid) starts a new thread in the
 * caller's process, sharing its address space and descriptor table; it
 * begins as a copy of the caller's registers, with sp = stack, tp = tls
 * and a0 = 0, and returns its tid in the caller. When the thread ends,
 * the kernel zeroes the 32-bit word at clear_tid (if not 0) and wakes a
 * futex waiter on it: that is how a join waits. thread_exit(status) ends
 * the calling thread alone (exit.c). */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"

/* A new thread's first run starts here, holding p->lock from the
 * scheduler. */
static void thread_start(void)
{
	spin_unlock(&myproc()->lock);
	user_trap_return();
}

/* Undoes thread_create's work on a thread that never ran. */
static void thread_discard(struct proc *np)
{
	if (np->fdt)
		fdtable_put(np->fdt);
	if (np->mm)
		mm_put(np->mm);
	spin_lock(&np->lock);
	proc_free(np);
	spin_unlock(&np->lock);
}

long sys_thread_create(const u64 *arg)
{
	u64 stack = arg[0], tls = arg[1], clear_tid = arg[2];
	struct proc *p = myproc(), *l = p->leader;

	/* init and the services run one thread, which the kernel restarts
	 * or never lets end. */
	if (proc_is_system(l))
		return -EPERM;
	/* The stack is the ABI's: 16-byte aligned, in user space. Whether
	 * it is mapped is the thread's own business: a bad one faults
	 * there, as any bad stack pointer does. tls is only a register. */
	if (stack == 0 || (stack & 15) || stack > USER_TOP)
		return -EINVAL;
	if (clear_tid && (clear_tid & 3))
		return -EINVAL;
	if (clear_tid && !mm_access_ok(p->mm, clear_tid, sizeof(u32), /*write=*/true))
		return -EFAULT;

	struct proc *np = proc_alloc();
	if (!np)
		return -EAGAIN;
	spin_unlock(&np->lock);
	mm_get(p->mm);
	np->mm = p->mm;
	np->fdt = fdtable_get(p->fdt);
	*np->tf = *p->tf;
	np->tf->a0 = 0;
	np->tf->sp = stack;
	np->tf->tp = tls;
	np->ctx.ra = (u64)thread_start;
	np->tgid = p->tgid;
	np->leader = l;
	signal_thread(p, np);
	np->clear_tid = clear_tid;
	memcpy(np->name, p->name, sizeof(p->name));
	int tid = np->pid;

	/* It joins the group under wait_lock, where an exit() or a kill of
	 * the group looks for threads to kill: either that sees it, or it
	 * sees the group ending and never starts. */
	spin_lock(&wait_lock);
	if (l->group_exit || proc_killed(p)) {
		spin_unlock(&wait_lock);
		thread_discard(np);
		return -EINTR;
	}
	l->nthreads++;
	l->threaded = true;
	np->pgid = l->pgid;
	np->sid = l->sid;
	spin_lock(&np->lock);
	np->state = PROC_RUNNABLE;
	spin_unlock(&np->lock);
	spin_unlock(&wait_lock);
	/* Threads are for running at once, on another hart if one idles. */
	kick_idle_hart();
	return tid;
}

long sys_thread_exit(const u64 *arg)
{
	exit_thread((int)arg[0]);
}
