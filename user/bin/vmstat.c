/* vmstat: the kernel's memory event counters since boot, one per line as
 * Linux's /proc/vmstat prints them, then memory and swap in use. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mnemo.h>

int main(void)
{
	struct mnemo_vmstat vs;
	struct mnemo_meminfo mi;

	if (vmstat(&vs) < 0 || meminfo(&mi) < 0) {
		fprintf(stderr, "vmstat: %s\n", strerror(errno));
		return 1;
	}
	printf("pgfault %lu\n", (unsigned long)vs.pgfault);
	printf("pswpin %lu\n", (unsigned long)vs.pswpin);
	printf("pswpout %lu\n", (unsigned long)vs.pswpout);
	printf("pgscan %lu\n", (unsigned long)vs.pgscan);
	printf("pgsteal %lu\n", (unsigned long)vs.pgsteal);
	printf("oom_kill %lu\n", (unsigned long)vs.oom_kill);
	printf("nr_free_pages %lu\n", (unsigned long)mi.free_pages);
	printf("nr_swap_pages %lu\n", (unsigned long)(mi.swap_pages - mi.swap_used_pages));
	printf("nr_swapcache %lu\n", (unsigned long)mi.swap_cache_pages);
	return 0;
}
