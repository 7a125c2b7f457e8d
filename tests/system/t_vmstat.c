/* vmstat's counters (kernel/mm/vmstat.c): page faults count the faults
 * programs take (a child writing 16 pages it shares copy-on-write takes
 * 16, under either pager; others may fault meanwhile, so at least 16);
 * counters never go back; and without a swap disk nothing is ever
 * swapped or reclaimed. */
#include <stdlib.h>
#include <sys/mman.h>

#include "test.h"

int main(void)
{
	struct mnemo_vmstat a, b;
	struct mnemo_meminfo mi;

	CHECK("vmstat", vmstat(&a) == 0 && meminfo(&mi) == 0, "%s", strerror(errno));
	char *p =
	    mmap(NULL, 16 * TEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!CHECK("vmstat-map", p != MAP_FAILED, "%s", strerror(errno)))
		return test_done();
	for (int i = 0; i < 16; i++)
		p[i * TEST_PAGE] = (char)i;
	CHECK("vmstat-before", vmstat(&a) == 0, "%s", strerror(errno));
	int pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 16; i++)
			p[i * TEST_PAGE] = (char)(i + 1);
		exit(0);
	}
	CHECK("vmstat-child", pid > 0 && test_wait_status(pid) == 0, "the child failed");
	CHECK("vmstat-after", vmstat(&b) == 0, "%s", strerror(errno));
	CHECK("vmstat-pgfault", b.pgfault >= a.pgfault + 16,
	      "%lu faults before, %lu after 16 copy-on-write writes", (unsigned long)a.pgfault,
	      (unsigned long)b.pgfault);
	CHECK("vmstat-monotonic",
	      b.pswpin >= a.pswpin && b.pswpout >= a.pswpout && b.pgscan >= a.pgscan &&
		  b.pgsteal >= a.pgsteal && b.oom_kill >= a.oom_kill,
	      "a counter went back");
	if (mi.swap_pages == 0)
		CHECK("vmstat-no-swap", b.pswpin == 0 && b.pswpout == 0 && b.pgsteal == 0,
		      "%lu in, %lu out, %lu stolen without a swap disk", (unsigned long)b.pswpin,
		      (unsigned long)b.pswpout, (unsigned long)b.pgsteal);
	munmap(p, 16 * TEST_PAGE);
	/* A hostile caller: an unmapped, a kernel and a read-only buffer. */
	expect_errno("vmstat-unmapped", vmstat((struct mnemo_vmstat *)p), EFAULT);
	expect_errno("vmstat-kernel", vmstat((struct mnemo_vmstat *)0xffffffc000000000UL), EFAULT);
	expect_errno("vmstat-readonly", vmstat((struct mnemo_vmstat *)(void *)main), EFAULT);
	return test_done();
}
