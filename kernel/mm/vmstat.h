/* Counters of memory events since boot, for vmstat (Linux's
 * /proc/vmstat names them the same way). Each is one atomic add. */
#ifndef KERNEL_MM_VMSTAT_H
#define KERNEL_MM_VMSTAT_H

#include "kernel/types.h"

enum vm_event {
	VM_PGFAULT,  /* page faults taken (user faults and uaccess faults) */
	VM_PSWPIN,   /* pages read from swap */
	VM_PSWPOUT,  /* pages written to swap */
	VM_PGSCAN,   /* pages reclaim's clock looked at */
	VM_PGSTEAL,  /* pages reclaim freed */
	VM_OOM_KILL, /* processes the OOM killer killed */
	VM_NR_EVENTS,
};

void vmstat_add(enum vm_event e, u64 n);
static inline void vmstat_count(enum vm_event e)
{
	vmstat_add(e, 1);
}
u64 vmstat_get(enum vm_event e);

#endif
