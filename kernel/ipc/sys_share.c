/* map_shared_pages(src_pid, dst_pid, src_va, size) and
 * unmap_shared_pages(addr, size): page sharing (seed 001, task 1).
 *
 * The rule: the caller is one side, and the other side must be one of its
 * own descendants (a child, a grandchild, ...) that is neither init nor a
 * kernel service. Being a parent is not enough: every orphan's parent is
 * init, and a process's parent can change under it, while a process's
 * descendants are processes it made (or its children made). A pid of 0
 * names the caller. The check and the taking of the other side's mm
 * happen at once (proc_descendant_mm). */
#include "include/uapi/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/share.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

long sys_map_shared_pages(const u64 *arg)
{
	struct proc *me = myproc();
	int src_pid = (int)arg[0], dst_pid = (int)arg[1];
	if (src_pid == 0)
		src_pid = me->tgid;
	if (dst_pid == 0)
		dst_pid = me->tgid;
	if ((src_pid != me->tgid && dst_pid != me->tgid) || src_pid == dst_pid)
		return -EINVAL;
	struct mm *other;
	long ret = proc_descendant_mm(me, src_pid == me->tgid ? dst_pid : src_pid, &other);
	if (ret)
		return ret;
	if (src_pid == me->tgid)
		ret = map_shared_pages(me->mm, other, arg[2], arg[3]);
	else
		ret = map_shared_pages(other, me->mm, arg[2], arg[3]);
	mm_put(other);
	return ret;
}

long sys_unmap_shared_pages(const u64 *arg)
{
	return unmap_shared_pages(mm_current(), arg[0], arg[1]);
}
