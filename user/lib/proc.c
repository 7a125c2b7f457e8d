/* Processes: creating, ending, waiting for and signalling them. */
#include <errno.h>
#include <mnemo.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "usys.h"

pid_t fork(void)
{
	return usys_result(usys_call0(SYS_fork));
}

/* picolibc's exit() ends here after its handlers and destructors. */
void _exit(int status)
{
	usys_call1(SYS_exit, status);
	for (;;) /* the kernel never returns from exit */
		;
}

/* mnemo has no process groups, so POSIX's "any child in my group" (0) and
 * "any child in group -pid" (< -1) both mean any child, as -1 does. */
pid_t waitpid(pid_t pid, int *status, int options)
{
	if (pid < -1 || pid == 0)
		pid = -1;
	return usys_result(usys_call3(SYS_wait, status, pid, options));
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

/* Whether a process pid exists (a zombie counts until reaped): looks it up
 * in procinfo()'s table, read into a mapping sized to fit it. 1, 0 if not,
 * or -1 with errno. */
static int proc_exists(pid_t pid)
{
	int max = 64, n, found;

	for (;;) {
		size_t len = max * sizeof(struct mnemo_procinfo);
		struct mnemo_procinfo *table =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (table == MAP_FAILED)
			return -1;
		n = procinfo(table, max);
		found = 0;
		for (int i = 0; i < n && i < max; i++)
			found |= table[i].pid == pid;
		munmap(table, len);
		if (n <= max) /* the whole table was seen (or n < 0: errno set) */
			return n < 0 ? -1 : found;
		max = n + 16; /* more processes than room: retry bigger */
	}
}

/* There are no signals: any sig kills the process, except 0, which (as in
 * POSIX) only asks whether pid exists. */
int kill(pid_t pid, int sig)
{
	if (sig == 0) {
		int exists = proc_exists(pid);

		if (exists == 0)
			errno = ESRCH;
		return exists == 1 ? 0 : -1;
	}
	return usys_result(usys_call1(SYS_kill, pid));
}

pid_t getpid(void)
{
	return usys_call0(SYS_getpid);
}

pid_t getppid(void)
{
	return usys_call0(SYS_getppid);
}
