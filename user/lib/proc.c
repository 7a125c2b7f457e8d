/* Processes: creating, ending, waiting for and signalling them. */
#include <signal.h>
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

/* There are no signals: any sig, even 0, kills the process. */
int kill(pid_t pid, int sig)
{
	(void)sig;
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
