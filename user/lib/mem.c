/* Memory: the heap's break and mappings. */
#include <sys/mman.h>
#include <unistd.h>

#include "include/uapi/mman.h"
#include "usys.h"

#define MEM_PAGE_SIZE 4096

/* picolibc's malloc() grows the heap through this; the new pages are
 * filled as the pager fills an mmap (on first touch, by default). The
 * kernel returns the old break, or ENOMEM. */
void *sbrk(ptrdiff_t increment)
{
	long ret = usys_call2(SYS_sbrk, increment, MNEMO_SBRK_PAGER);

	if (usys_is_error(ret)) {
		usys_result(ret);
		return (void *)-1;
	}
	return (void *)ret;
}

int brk(void *addr)
{
	char *now = sbrk(0);

	if (now == (void *)-1)
		return -1;
	return sbrk((char *)addr - now) == (void *)-1 ? -1 : 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	long ret = usys_call(SYS_mmap, (long)addr, len, prot, flags, fd, offset);

	if (usys_is_error(ret)) {
		usys_result(ret);
		return MAP_FAILED;
	}
	return (void *)ret;
}

int munmap(void *addr, size_t len)
{
	return usys_result(usys_call2(SYS_munmap, addr, len));
}

int mprotect(void *addr, size_t len, int prot)
{
	return usys_result(usys_call3(SYS_mprotect, addr, len, prot));
}

int getpagesize(void)
{
	return MEM_PAGE_SIZE;
}
