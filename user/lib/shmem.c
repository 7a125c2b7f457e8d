/* Page sharing between a process and its parent or children (<mnemo.h>). */
#include <mnemo.h>

#include "usys.h"

void *map_shared_pages(int src_pid, int dst_pid, void *src_va, uint64_t size)
{
	long ret =
	    usys_call(SYS_map_shared_pages, src_pid, dst_pid, (long)src_va, (long)size, 0, 0);

	if (usys_is_error(ret)) {
		usys_result(ret);
		return (void *)-1;
	}
	return (void *)ret;
}

int unmap_shared_pages(void *addr, uint64_t size)
{
	return usys_result(usys_call2(SYS_unmap_shared_pages, addr, size));
}
