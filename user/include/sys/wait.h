/* POSIX <sys/wait.h> for mnemo. A wait status is Linux's: a child that
 * exited has its exit code in bits 8..15; one that a signal ended has the
 * signal in bits 0..6. (xv6 programs, through compat/xv6, get xv6's
 * status instead: the int given to exit(), or -1 for a killed child.)
 * waitpid() takes -1 (any child), a pid, and WNOHANG; mnemo does not
 * report stopped children. */
#ifndef MNEMO_SYS_WAIT_H
#define MNEMO_SYS_WAIT_H

#include_next <sys/wait.h>

#include "include/uapi/signal.h" /* MNEMO_WAIT_RAW */

#undef WIFEXITED
#undef WEXITSTATUS
#undef WIFSIGNALED
#undef WTERMSIG
#undef WIFSTOPPED
#undef WSTOPSIG
#undef WCOREDUMP

#define WIFEXITED(s)   (((s)&0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s)&0x7f) != 0 && ((s)&0x7f) != 0x7f)
#define WTERMSIG(s)    ((s)&0x7f)
#define WCOREDUMP(s)   (((s)&0x80) != 0)
#define WIFSTOPPED(s)  (((s)&0xff) == 0x7f)
#define WSTOPSIG(s)    WEXITSTATUS(s)

#endif
