/* Process system calls. */
#include "include/uapi/errno.h"
#include "include/uapi/sysinfo.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"

int proc_fork(void);
int proc_wait(u64 status_addr, int pid, int options);

long sys_fork(const u64 *arg)
{
	(void)arg;
	return proc_fork();
}

long sys_exit(const u64 *arg)
{
	exit_current((int)arg[0]);
}

long sys_wait(const u64 *arg)
{
	return proc_wait(arg[0], (int)arg[1], (int)arg[2]);
}

long sys_sleep(const u64 *arg)
{
	long n = (long)arg[0];
	spin_lock(&tickslock);
	u64 start = ticks;
	while (n > 0 && ticks - start < (u64)n) {
		if (sleep_killable((void *)&ticks, &tickslock) < 0) {
			spin_unlock(&tickslock);
			return -EINTR;
		}
	}
	spin_unlock(&tickslock);
	return 0;
}

long sys_poweroff(const u64 *arg)
{
	printk("mnemo: power off (status %d)\n", (int)arg[0]);
	sbi_shutdown();
}

static int state_code(enum proc_state s)
{
	switch (s) {
	case PROC_SLEEPING:
		return 1;
	case PROC_RUNNABLE:
		return 2;
	case PROC_RUNNING:
		return 3;
	case PROC_ZOMBIE:
		return 4;
	default:
		return 0;
	}
}

long sys_procinfo(const u64 *arg)
{
	u64 buf = arg[0];
	int max = (int)arg[1];
	if (max < 0)
		return -EINVAL;
	if (!mm_access_ok(myproc()->mm, buf, (u64)max * sizeof(struct mnemo_procinfo), true))
		return -EFAULT;
	int n = 0;
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		struct mnemo_procinfo pi;
		memset(&pi, 0, sizeof(pi));
		spin_lock(&wait_lock);
		spin_lock(&p->lock);
		/* One record a thread; not one that ended, other than a
		 * leader, which stands for its process until reaped. */
		bool used = p->state != PROC_UNUSED && p->state != PROC_USED &&
			    !(p->state == PROC_ZOMBIE && p->leader != p);
		if (used) {
			struct proc *l = p->leader;
			pi.pid = p->tgid;
			pi.tid = p->pid;
			pi.threads = l->nthreads;
			pi.ppid = l->parent ? l->parent->pid : 0;
			pi.state = state_code(p->state);
			pi.hart = p->state == PROC_RUNNING ? p->last_hart : -1;
			pi.mem_bytes = p->mm ? p->mm->rss * PAGE_SIZE : 0;
			pi.swap_bytes = p->mm ? p->mm->swapped * PAGE_SIZE : 0;
			memcpy(pi.name, p->name, sizeof(pi.name));
		}
		spin_unlock(&p->lock);
		spin_unlock(&wait_lock);
		if (!used)
			continue;
		if (n < max && copy_to_user((void __user *)(buf + n * sizeof(pi)), &pi, sizeof(pi)))
			return -EFAULT;
		n++;
	}
	return n;
}

struct proc *proc_find_mm(int pid, struct mm **mm)
{
	*mm = NULL;
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		spin_lock(&p->lock);
		/* Any thread of the process that has not ended holds its mm. */
		if (p->tgid == pid && p->state != PROC_UNUSED && p->state != PROC_ZOMBIE) {
			*mm = p->mm;
			if (*mm)
				mm_get(*mm);
			spin_unlock(&p->lock);
			return p;
		}
		spin_unlock(&p->lock);
	}
	return NULL;
}

#define VMMAPS_MAX 512

/* vmmaps(pid, buf, max): the mappings of a process, like /proc/PID/maps. */
long sys_vmmaps(const u64 *arg)
{
	int pid = arg[0] ? (int)arg[0] : myproc()->tgid;
	u64 buf = arg[1];
	int max = (int)arg[2];
	if (max < 0)
		return -EINVAL;
	max = MIN(max, VMMAPS_MAX);
	if (!mm_access_ok(myproc()->mm, buf, (u64)max * sizeof(struct mnemo_vmmap), true))
		return -EFAULT;
	struct mm *mm;
	if (!proc_find_mm(pid, &mm))
		return -ESRCH;
	if (!mm)
		return 0;
	struct mnemo_vmmap *maps = max ? kmalloc(max * sizeof(*maps)) : NULL;
	long n = -ENOMEM;
	if (max == 0 || maps) {
		n = mm_describe(mm, maps, max);
		if (copy_to_user((void __user *)buf, maps, MIN(n, max) * sizeof(*maps)) < 0)
			n = -EFAULT;
	}
	kfree(maps);
	mm_put(mm);
	return n;
}
