/* ps: lists every process, one line a thread, from the kernel's procinfo()
 * records: a process with several threads has a line for each, with the
 * same PID and each its own TID. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mnemo.h>

static const char *ps_state_name(int state)
{
	switch (state) {
	case 1:
		return "sleep";
	case 2:
		return "runnable";
	case 3:
		return "run";
	case 4:
		return "zombie";
	default:
		return "?";
	}
}

int main(void)
{
	int n;
	struct mnemo_procinfo *procs = procinfo_all(&n);

	if (!procs) {
		fprintf(stderr, "ps: procinfo: %s\n", strerror(errno));
		return 1;
	}
	printf("%5s %5s %5s %-8s %4s %8s %9s %s\n", "PID", "TID", "PPID", "STATE", "HART",
	       "MEM(KiB)", "SWAP(KiB)", "NAME");
	for (int i = 0; i < n; i++) {
		const struct mnemo_procinfo *p = &procs[i];
		char hart[12] = "-";
		if (p->hart >= 0)
			snprintf(hart, sizeof(hart), "%d", (int)p->hart);
		printf("%5d %5d %5d %-8s %4s %8lu %9lu %.*s\n", (int)p->pid, (int)p->tid,
		       (int)p->ppid, ps_state_name(p->state), hart,
		       (unsigned long)(p->mem_bytes / 1024), (unsigned long)(p->swap_bytes / 1024),
		       MNEMO_PROC_NAME, p->name);
	}
	free(procs);
	return 0;
}
