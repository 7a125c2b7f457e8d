/* pmap PID: shows the memory map of a process (0 or "self": pmap's own),
 * one line per mapping, from the kernel's vmmaps() records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mnemo.h>

#include "include/uapi/mman.h"

#define PMAP_PAGE_KIB 4 /* Sv39 base pages */

int main(int argc, char *argv[])
{
	long pid = 0;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: pmap pid\n");
		return 2;
	}
	if (strcmp(argv[1], "self") != 0) {
		char *end;
		pid = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || pid < 0) {
			fprintf(stderr, "pmap: %s: not a process id\n", argv[1]);
			return 2;
		}
	}

	struct mnemo_vmmap *maps = vmmaps_all((int)pid, &n);
	if (!maps) {
		fprintf(stderr, "pmap: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}

	unsigned long total_kib = 0, resident_kib = 0, swap_kib = 0;
	printf("%-16s %-16s %4s %8s %8s %8s %8s %s\n", "START", "END", "PERM", "OFFSET", "KiB",
	       "RSS", "SWAP", "BACKING");
	for (int i = 0; i < n; i++) {
		const struct mnemo_vmmap *m = &maps[i];
		char perm[5] = {
		    m->prot & MNEMO_PROT_READ ? 'r' : '-',
		    m->prot & MNEMO_PROT_WRITE ? 'w' : '-',
		    m->prot & MNEMO_PROT_EXEC ? 'x' : '-',
		    m->flags & MNEMO_MAP_SHARED ? 's' : 'p',
		    '\0',
		};
		unsigned long kib = (unsigned long)((m->end - m->start) / 1024);
		unsigned long rss = (unsigned long)(m->resident * PMAP_PAGE_KIB);
		unsigned long swapped = (unsigned long)(m->swapped * PMAP_PAGE_KIB);
		printf("%016lx %016lx %4s %8lx %8lu %8lu %8lu %.*s\n", (unsigned long)m->start,
		       (unsigned long)m->end, perm, (unsigned long)m->offset, kib, rss, swapped,
		       (int)sizeof(m->backing), m->backing);
		total_kib += kib;
		resident_kib += rss;
		swap_kib += swapped;
	}
	printf("total %lu KiB, resident %lu KiB, swapped %lu KiB\n", total_kib, resident_kib,
	       swap_kib);
	free(maps);
	return 0;
}
