/* map_shared_pages(src_pid, dst_pid, src_va, size) and
 * unmap_shared_pages(addr, size): page sharing between a process and its
 * parent or children (seed 001, task 1). The caller must be one of the two
 * sides; the other must be its parent or its child. */
#include "include/uapi/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/share.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/syscall/syscall.h"

/* Is q the parent or a child of p? */
static bool related(struct proc *p, struct proc *q)
{
	spin_lock(&wait_lock);
	bool r = p->parent == q || q->parent == p;
	spin_unlock(&wait_lock);
	return r;
}

long sys_map_shared_pages(const u64 *arg)
{
	struct proc *me = myproc();
	int src_pid = (int)arg[0], dst_pid = (int)arg[1];
	if (src_pid == 0)
		src_pid = me->pid;
	if (dst_pid == 0)
		dst_pid = me->pid;
	if ((src_pid != me->pid && dst_pid != me->pid) || src_pid == dst_pid)
		return -EINVAL;
	int other_pid = src_pid == me->pid ? dst_pid : src_pid;
	struct mm *other;
	struct proc *p = proc_find_mm(other_pid, &other);
	if (!p)
		return -ESRCH;
	long ret = -EPERM;
	if (other && related(me, p)) {
		struct mm *src = src_pid == me->pid ? me->mm : other;
		struct mm *dst = src == me->mm ? other : me->mm;
		ret = map_shared_pages(src, dst, arg[2], arg[3]);
	}
	if (other)
		proc_mm_put(other);
	return ret;
}

long sys_unmap_shared_pages(const u64 *arg)
{
	return unmap_shared_pages(mm_current(), arg[0], arg[1]);
}
