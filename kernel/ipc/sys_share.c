/* map_shared_pages(src_pid, dst_pid, src_va, size) and
 * unmap_shared_pages(addr, size): page sharing (seed 001, task 1).
 *
 * The rule: the caller is one side, and the other side must be one of its
 * own descendants (a child, a grandchild, ...) that is neither init nor a
 * kernel service. Being a parent is not enough: every orphan's parent is
 * init, and a process's parent can change under it, while a process's
 * descendants are processes it made (or its children made). A pid of 0
 * names the caller. */
#include "include/uapi/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/share.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

/* May me share pages with other, in either direction? */
static bool may_share(struct proc *me, struct proc *other)
{
	return !proc_is_system(other) && proc_is_descendant(other, me);
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
	if (other && may_share(me, p)) {
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
