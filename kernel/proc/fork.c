/* fork: a new process with a copy-on-write copy of the caller's memory,
 * its open files and working directory. */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc_internal.h"

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
	if (!np->mm) {
		spin_lock(&np->lock);
		proc_free(np);
		spin_unlock(&np->lock);
		return -ENOMEM;
	}
	*np->tf = *p->tf;
	np->tf->a0 = 0;
	np->ctx.ra = (u64)fork_return;
	for (int fd = 0; fd < NOFILE; fd++)
		if (p->ofile[fd])
			np->ofile[fd] = file_get(p->ofile[fd]);
	np->cwd = p->cwd ? inode_get(p->cwd) : NULL;
	memcpy(np->name, p->name, sizeof(p->name));
	int pid = np->pid;

	spin_lock(&wait_lock);
	np->parent = p;
	spin_unlock(&wait_lock);

	spin_lock(&np->lock);
	np->state = PROC_RUNNABLE;
	spin_unlock(&np->lock);
	kick_idle_hart();
	return pid;
}

/* The first process: runs /bin/init with the boot arguments as argv. */
static char init_args[256];
static char *init_argv[16];

static void init_return(void)
{
	spin_unlock(&myproc()->lock);
	int err = kernel_exec("/bin/init", init_argv);
	if (err < 0)
		panic("init: cannot exec /bin/init (error %d)", -err);
	user_trap_return();
}

void userinit_with_args(const char *bootargs)
{
	strlcpy(init_args, bootargs, sizeof(init_args));
	int argc = 0;
	init_argv[argc++] = "init";
	for (char *s = init_args; *s && argc < 15;) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		init_argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	init_argv[argc] = NULL;

	struct proc *p = proc_alloc();
	if (!p)
		panic("userinit: no process slot");
	init_proc = p;
	p->ctx.ra = (u64)init_return;
	p->cwd = fs_root();
	strlcpy(p->name, "init", sizeof(p->name));
	p->state = PROC_RUNNABLE;
	spin_unlock(&p->lock);
}
