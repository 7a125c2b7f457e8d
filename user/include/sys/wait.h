/* POSIX <sys/wait.h> for mnemo, whose wait status is simply the int the
 * child passed to exit() (as in xv6), or -1 if it was killed or faulted.
 * So every child counts as exited, and its status is the low byte, as a
 * shell's $? shows it: a killed child reads as 255. There are no signals
 * to report. waitpid() takes -1 (any child) or a pid, and WNOHANG. */
#ifndef MNEMO_SYS_WAIT_H
#define MNEMO_SYS_WAIT_H

#include_next <sys/wait.h>

#undef WIFEXITED
#undef WEXITSTATUS
#undef WIFSIGNALED
#undef WTERMSIG
#undef WIFSTOPPED
#undef WSTOPSIG

#define WIFEXITED(s)   ((void)(s), 1)
#define WEXITSTATUS(s) ((s)&0xff)
#define WIFSIGNALED(s) ((void)(s), 0)
#define WTERMSIG(s)    ((void)(s), 0)
#define WIFSTOPPED(s)  ((void)(s), 0)
#define WSTOPSIG(s)    ((void)(s), 0)

#endif
