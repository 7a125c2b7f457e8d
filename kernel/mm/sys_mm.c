/* Memory system calls. */
#include "include/uapi/errno.h"
#include "include/uapi/mman.h"
#include "include/uapi/sysinfo.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vmstat.h"
#include "kernel/syscall/syscall.h"

long sys_meminfo(const u64 *arg)
{
	struct kmalloc_usage heap;
	kmalloc_usage(&heap);
	u64 swap_total, swap_used;
	swap_usage(&swap_total, &swap_used);
	struct mnemo_meminfo mi = {
	    .page_size = PAGE_SIZE,
	    .total_pages = page_total_count(),
	    .free_pages = page_free_count(),
	    .pagetable_pages = pt_pages_total(),
	    .slab_pages = heap.slab_pages,
	    .slab_used_bytes = heap.object_bytes,
	    .swap_pages = swap_total,
	    .swap_used_pages = swap_used,
	    .swap_cache_pages = swap_cached_pages(),
	};
	return copy_to_user((void __user *)arg[0], &mi, sizeof(mi));
}

long sys_vmstat(const u64 *arg)
{
	struct mnemo_vmstat vs = {
	    .pgfault = vmstat_get(VM_PGFAULT),
	    .pswpin = vmstat_get(VM_PSWPIN),
	    .pswpout = vmstat_get(VM_PSWPOUT),
	    .pgscan = vmstat_get(VM_PGSCAN),
	    .pgsteal = vmstat_get(VM_PGSTEAL),
	    .oom_kill = vmstat_get(VM_OOM_KILL),
	};
	return copy_to_user((void __user *)arg[0], &vs, sizeof(vs));
}

/* sbrk(increment, fill): fill is one of MNEMO_SBRK_* (include/uapi/mman.h). */
long sys_sbrk(const u64 *arg)
{
	if (arg[1] > MNEMO_SBRK_LAZY)
		return -EINVAL;
	return mm_sbrk(mm_current(), (long)arg[0], (u32)arg[1]);
}

long sys_munmap(const u64 *arg)
{
	return mm_munmap(mm_current(), arg[0], arg[1]);
}

long sys_mprotect(const u64 *arg)
{
	return mm_mprotect(mm_current(), arg[0], arg[1], (u32)arg[2]);
}
