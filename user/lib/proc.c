/* Processes: creating, ending and waiting for them, and their groups
 * (signals are in signal.c). */
#include <errno.h>
#include <mnemo.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pthread_impl.h"
#include "usys.h"

pid_t fork(void)
{
	pid_t pid = usys_result(usys_call0(SYS_fork));
	if (pid == 0)
		__pthread_fork_child();
	return pid;
}

/* picolibc's exit() ends here after its handlers and destructors. */
void _exit(int status)
{
	usys_call1(SYS_exit, status);
	for (;;) /* the kernel never returns from exit */
		;
}

/* mnemo's wait takes any child (-1) or one pid: POSIX's "any child in my
 * group" (0) and "any child in group -pid" (< -1) are taken as any child. */
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

pid_t getpid(void)
{
	return usys_call0(SYS_getpid);
}

pid_t getppid(void)
{
	return usys_call0(SYS_getppid);
}

int setpgid(pid_t pid, pid_t pgid)
{
	return usys_result(usys_call2(SYS_setpgid, pid, pgid));
}

pid_t getpgid(pid_t pid)
{
	return usys_result(usys_call1(SYS_getpgid, pid));
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

pid_t setsid(void)
{
	return usys_result(usys_call0(SYS_setsid));
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	return usys_result(usys_call2(SYS_tcsetpgrp, fd, pgrp));
}

pid_t tcgetpgrp(int fd)
{
	return usys_result(usys_call1(SYS_tcgetpgrp, fd));
}
