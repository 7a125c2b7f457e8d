/* POSIX <signal.h> for mnemo, in place of picolibc's, whose signals are
 * simulated inside the process and whose struct sigaction has no
 * sa_sigaction. The numbers and flags are the kernel's, which are Linux's
 * (include/uapi/signal.h); user/lib/signal.c implements the calls.
 *
 * What mnemo has: the 31 classic signals (no real-time ones, no queueing:
 * a signal sent twice before it is taken arrives once), sigaction with
 * SA_SIGINFO, SA_RESTART, SA_NODEFER, SA_RESETHAND and sa_mask, masks,
 * sigpending, sigsuspend, pause, alarm, kill and killpg. sigaltstack is
 * not there: handlers run on the stack they interrupted. */
#ifndef MNEMO_SIGNAL_H
#define MNEMO_SIGNAL_H
/* Keep picolibc's own signal headers out, should anything include them. */
#define _SIGNAL_H_
#define _SYS_SIGNAL_H

#include <sys/_sigset.h>
#include <sys/_timespec.h>
#include <sys/cdefs.h>
#include <sys/types.h>

#include "include/uapi/signal.h"

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(_SIGSET_T_DECLARED)
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t; /* unsigned long: 64 bits, signal s at bit s - 1 */
#endif

typedef int sig_atomic_t;
typedef void (*_sig_func_ptr)(int);
typedef _sig_func_ptr sighandler_t;
typedef _sig_func_ptr sig_t;

#define SIG_DFL ((_sig_func_ptr)0)
#define SIG_IGN ((_sig_func_ptr)1)
#define SIG_ERR ((_sig_func_ptr)-1)

union sigval {
	int sival_int;
	void *sival_ptr;
};

/* The kernel's struct mnemo_siginfo, with POSIX's names. */
typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	pid_t si_pid;
	uid_t si_uid;
	int si_status;
	void *si_addr;
	union sigval si_value;
} siginfo_t;

struct sigaction {
	union {
		void (*sa_handler)(int);
		void (*sa_sigaction)(int, siginfo_t *, void *);
	};
	sigset_t sa_mask;
	int sa_flags;
	void (*sa_restorer)(void);
};

typedef struct sigaltstack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

#define SS_ONSTACK  1
#define SS_DISABLE  2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ    8192

#define SIGEV_NONE   1
#define SIGEV_SIGNAL 2
#define SIGEV_THREAD 3
struct sigevent {
	int sigev_notify;
	int sigev_signo;
	union sigval sigev_value;
};

int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);
int raise(int sig);
_sig_func_ptr signal(int sig, _sig_func_ptr handler);
int sigaction(int sig, const struct sigaction *__restrict act, struct sigaction *__restrict old);
int sigprocmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old);
int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old);
struct __pthread;
int pthread_kill(struct __pthread *thread, int sig);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
void psignal(int sig, const char *msg);
void psiginfo(const siginfo_t *info, const char *msg);
char *strsignal(int sig);

#ifdef __cplusplus
}
#endif

#endif
