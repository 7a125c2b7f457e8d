/* procinfo_all() and vmmaps_all() (<mnemo.h>): the kernel's process and
 * mapping records, all of them, in one malloc'd array. Records may appear
 * between two calls (a fork, an mmap), so the array grows until the
 * kernel's count fits in it. */
#include <errno.h>
#include <stdlib.h>

#include <mnemo.h>

/* Fills buf with up to max records and returns how many exist, or -1
 * with errno set; pid is vmmaps()'s and is ignored by procinfo(). */
typedef int (*records_fill_fn)(void *buf, int max, int pid);

static int records_procinfo(void *buf, int max, int pid)
{
	(void)pid;
	return procinfo(buf, max);
}

static int records_vmmaps(void *buf, int max, int pid)
{
	return vmmaps(pid, buf, max);
}

/* Calls fill with an array of max records of size bytes, larger each time
 * until every record fits. */
static void *records_fetch(records_fill_fn fill, int pid, size_t size, int max, int *count)
{
	for (;;) {
		void *buf = malloc((size_t)max * size);
		if (!buf)
			return NULL;
		int n = fill(buf, max, pid);
		if (n < 0) {
			int saved = errno;
			free(buf);
			errno = saved;
			return NULL;
		}
		if (n <= max) {
			*count = n;
			return buf;
		}
		free(buf);
		max = n + 8; /* room for a few that appear meanwhile */
	}
}

struct mnemo_procinfo *procinfo_all(int *count)
{
	return records_fetch(records_procinfo, 0, sizeof(struct mnemo_procinfo), 16, count);
}

struct mnemo_vmmap *vmmaps_all(int pid, int *count)
{
	return records_fetch(records_vmmaps, pid, sizeof(struct mnemo_vmmap), 32, count);
}
