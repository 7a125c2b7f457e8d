/* POSIX <unistd.h>: picolibc's declarations, which match mnemo's
 * implementations in user/lib, plus mnemo's additions.
 *
 * Implemented: _exit access alarm brk chdir close dup dup2 execl execle
 * execlp execv execve execvp fork ftruncate getcwd getpagesize getpgid
 * getpgrp getpid getppid isatty link lseek pause pipe read rmdir sbrk
 * setpgid setsid sleep tcgetpgrp tcsetpgrp truncate unlink usleep write,
 * and getopt from picolibc.
 * picolibc declares more (chmod, alarm, getuid, ...); mnemo has no such
 * thing, and a program that calls one fails to link, which says so early.
 *
 * Notes: sleep() and usleep() round up to the 1/100 s scheduler tick;
 * execvp() searches /bin only (there is no PATH); the exec calls ignore
 * the environment. */
#ifndef MNEMO_UNISTD_H
#define MNEMO_UNISTD_H

#include_next <unistd.h>

/* Sets the end of the heap to addr; 0, or -1 with errno ENOMEM. */
int brk(void *addr);
/* The process group of pid (0: the caller); XSI, which picolibc leaves out. */
pid_t getpgid(pid_t pid);

#endif
