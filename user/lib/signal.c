/* <signal.h>: signals from the kernel (include/uapi/signal.h), with
 * POSIX's interface. */
#include <errno.h>
#include <mnemo.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "usys.h"

void __mnemo_sigreturn(void); /* sigreturn.S */

static bool valid(int sig)
{
	return sig > 0 && sig < NSIG;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct mnemo_sigaction k, kold;

	if (act) {
		k.handler = (uintptr_t)act->sa_handler;
		k.flags = (unsigned)act->sa_flags | SA_RESTORER;
		k.restorer = (uintptr_t)__mnemo_sigreturn;
		k.mask = act->sa_mask;
	}
	if (usys_result(usys_call3(SYS_sigaction, sig, act ? &k : NULL, old ? &kold : NULL)) < 0)
		return -1;
	if (old) {
		memset(old, 0, sizeof(*old));
		old->sa_handler = (_sig_func_ptr)(uintptr_t)kold.handler;
		old->sa_mask = kold.mask;
		old->sa_flags = (int)(kold.flags & ~SA_RESTORER);
	}
	return 0;
}

/* BSD's and glibc's meaning: the handler stays, and calls it interrupts
 * go on (SA_RESTART). */
_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction act = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;

	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

int kill(pid_t pid, int sig)
{
	return usys_result(usys_call2(SYS_kill, pid, sig));
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pgrp, sig);
}

/* To the calling thread, as POSIX asks of raise in a threaded program. */
int raise(int sig)
{
	return usys_result(usys_call2(SYS_tkill, gettid(), sig));
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return usys_result(usys_call3(SYS_sigprocmask, how, set, old));
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	return sigprocmask(how, set, old) < 0 ? errno : 0;
}

int sigpending(sigset_t *set)
{
	return usys_result(usys_call1(SYS_sigpending, set));
}

int sigsuspend(const sigset_t *mask)
{
	return usys_result(usys_call1(SYS_sigsuspend, *mask));
}

int pause(void)
{
	return usys_result(usys_call0(SYS_pause));
}

unsigned alarm(unsigned seconds)
{
	return (unsigned)usys_call1(SYS_alarm, seconds);
}

int sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	*set = ~(sigset_t)0;
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (!valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	*set |= MNEMO_SIGBIT(sig);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (!valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	*set &= ~MNEMO_SIGBIT(sig);
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (!valid(sig)) {
		errno = EINVAL;
		return -1;
	}
	return (*set & MNEMO_SIGBIT(sig)) != 0;
}

static const char *const descriptions[NSIG] = {
    [SIGHUP] = "Hangup",
    [SIGINT] = "Interrupt",
    [SIGQUIT] = "Quit",
    [SIGILL] = "Illegal instruction",
    [SIGTRAP] = "Trace/breakpoint trap",
    [SIGABRT] = "Aborted",
    [SIGBUS] = "Bus error",
    [SIGFPE] = "Floating point exception",
    [SIGKILL] = "Killed",
    [SIGUSR1] = "User defined signal 1",
    [SIGSEGV] = "Segmentation fault",
    [SIGUSR2] = "User defined signal 2",
    [SIGPIPE] = "Broken pipe",
    [SIGALRM] = "Alarm clock",
    [SIGTERM] = "Terminated",
    [SIGSTKFLT] = "Stack fault",
    [SIGCHLD] = "Child exited",
    [SIGCONT] = "Continued",
    [SIGSTOP] = "Stopped (signal)",
    [SIGTSTP] = "Stopped",
    [SIGTTIN] = "Stopped (tty input)",
    [SIGTTOU] = "Stopped (tty output)",
    [SIGURG] = "Urgent I/O condition",
    [SIGXCPU] = "CPU time limit exceeded",
    [SIGXFSZ] = "File size limit exceeded",
    [SIGVTALRM] = "Virtual timer expired",
    [SIGPROF] = "Profiling timer expired",
    [SIGWINCH] = "Window changed",
    [SIGIO] = "I/O possible",
    [SIGPWR] = "Power failure",
    [SIGSYS] = "Bad system call",
};

char *strsignal(int sig)
{
	static char unknown[32];

	if (valid(sig) && descriptions[sig])
		return (char *)descriptions[sig];
	snprintf(unknown, sizeof(unknown), "Unknown signal %d", sig);
	return unknown;
}

void psignal(int sig, const char *msg)
{
	if (msg && *msg)
		fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
	else
		fprintf(stderr, "%s\n", strsignal(sig));
}

void psiginfo(const siginfo_t *info, const char *msg)
{
	psignal(info->si_signo, msg);
}
