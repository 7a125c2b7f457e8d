/* Memory event counters (vmstat.h). */
#include "kernel/mm/vmstat.h"

static u64 events[VM_NR_EVENTS]; /* (a) */

void vmstat_add(enum vm_event e, u64 n)
{
	__atomic_fetch_add(&events[e], n, __ATOMIC_RELAXED);
}

u64 vmstat_get(enum vm_event e)
{
	return __atomic_load_n(&events[e], __ATOMIC_RELAXED);
}
