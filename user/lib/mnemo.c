/* mnemo's own calls (<mnemo.h>): power, memory and process introspection,
 * futexes. */
#include <mnemo.h>

#include "usys.h"

int poweroff(int status)
{
	usys_call1(SYS_poweroff, status);
	for (;;) /* the machine is off */
		;
}

int vmstat(struct mnemo_vmstat *vs)
{
	return usys_result(usys_call1(SYS_vmstat, vs));
}

int meminfo(struct mnemo_meminfo *mi)
{
	return usys_result(usys_call1(SYS_meminfo, mi));
}

long free_page_count(void)
{
	struct mnemo_meminfo mi;

	if (meminfo(&mi) < 0)
		return -1;
	return mi.free_pages;
}

long free_memory_bytes(void)
{
	struct mnemo_meminfo mi;

	if (meminfo(&mi) < 0)
		return -1;
	return (long)MNEMO_FREE_BYTES(&mi);
}

uint64_t mnemo_ram_bytes(void)
{
	struct mnemo_meminfo mi;

	if (meminfo(&mi) < 0)
		return 0;
	return mi.total_pages * mi.page_size;
}

int procinfo(struct mnemo_procinfo *buf, int max)
{
	return usys_result(usys_call2(SYS_procinfo, buf, max));
}

int vmmaps(int pid, struct mnemo_vmmap *buf, int max)
{
	return usys_result(usys_call3(SYS_vmmaps, pid, buf, max));
}

int futex_wait(uint32_t *addr, uint32_t val)
{
	return usys_result(usys_call2(SYS_futex_wait, addr, val));
}

int futex_wake(uint32_t *addr, int n)
{
	return usys_result(usys_call2(SYS_futex_wake, addr, n));
}
