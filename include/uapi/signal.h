/* Signals: the numbers, flags and records that user space and the kernel
 * share. Numbers and flag values are Linux's, so that a program's view of
 * them (and a wait status) reads the same as there. mnemo has the 31
 * classic signals; a set of them is a 64-bit word with signal s at bit
 * s - 1. */
#ifndef UAPI_SIGNAL_H
#define UAPI_SIGNAL_H

#include <stdint.h>

#define SIGHUP	  1
#define SIGINT	  2
#define SIGQUIT	  3
#define SIGILL	  4
#define SIGTRAP	  5
#define SIGABRT	  6
#define SIGIOT	  SIGABRT
#define SIGBUS	  7
#define SIGFPE	  8
#define SIGKILL	  9
#define SIGUSR1	  10
#define SIGSEGV	  11
#define SIGUSR2	  12
#define SIGPIPE	  13
#define SIGALRM	  14
#define SIGTERM	  15
#define SIGSTKFLT 16
#define SIGCHLD	  17
#define SIGCLD	  SIGCHLD
#define SIGCONT	  18
#define SIGSTOP	  19
#define SIGTSTP	  20
#define SIGTTIN	  21
#define SIGTTOU	  22
#define SIGURG	  23
#define SIGXCPU	  24
#define SIGXFSZ	  25
#define SIGVTALRM 26
#define SIGPROF	  27
#define SIGWINCH  28
#define SIGIO	  29
#define SIGPOLL	  SIGIO
#define SIGPWR	  30
#define SIGSYS	  31
#define NSIG	  32 /* one more than the highest signal */

#define MNEMO_SIGBIT(s) (1ULL << ((s)-1))

/* sigaction's sa_flags. */
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_RESTORER  0x04000000 /* the library always sets it */
#define SA_ONSTACK   0x08000000 /* accepted, not supported: no sigaltstack */
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOMASK    SA_NODEFER
#define SA_ONESHOT   SA_RESETHAND

/* sigprocmask's how. */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* A handler of 0 is the default action, 1 ignores the signal. */
#define MNEMO_SIG_DFL 0UL
#define MNEMO_SIG_IGN 1UL

/* si_code: why the signal came. */
#define SI_USER	    0	 /* kill() */
#define SI_KERNEL   0x80 /* the kernel, for a reason of its own */
#define SI_TKILL    (-6) /* raise() of one thread */
#define ILL_ILLOPC  1	 /* SIGILL: illegal opcode */
#define FPE_INTDIV  1	 /* SIGFPE: integer divide by zero */
#define SEGV_MAPERR 1	 /* SIGSEGV: nothing mapped there */
#define SEGV_ACCERR 2	 /* SIGSEGV: mapped, but not for this access */
#define BUS_ADRALN  1	 /* SIGBUS: misaligned address */
#define BUS_ADRERR  2	 /* SIGBUS: no such place in the object (past a file's end) */
#define TRAP_BRKPT  1	 /* SIGTRAP: breakpoint */
#define CLD_EXITED  1	 /* SIGCHLD: the child exited */
#define CLD_KILLED  2	 /* SIGCHLD: a signal ended it */

/* The kernel's sigaction record (sigaction(2)). restorer is where a
 * handler returns to: user code that makes the sigreturn call. */
struct mnemo_sigaction {
	uint64_t handler; /* MNEMO_SIG_DFL, MNEMO_SIG_IGN, or a function */
	uint64_t flags;	  /* SA_* */
	uint64_t restorer;
	uint64_t mask; /* blocked while the handler runs */
};

union mnemo_sigval {
	int sival_int;
	void *sival_ptr;
};

/* What a handler installed with SA_SIGINFO is told. */
struct mnemo_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	int si_pid;    /* the sender (kill) or the child (SIGCHLD) */
	int si_uid;    /* always 0: mnemo has one user */
	int si_status; /* SIGCHLD: the exit status or signal */
	void *si_addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE: the faulting address */
	union mnemo_sigval si_value;
};

/* The registers a handler interrupted: gregs[0] is the pc, gregs[i] is
 * register xi. A handler may change them; sigreturn resumes there. */
struct mnemo_mcontext {
	uint64_t gregs[32];
};

struct mnemo_stack {
	void *ss_sp;
	int ss_flags;
	uint64_t ss_size;
};

struct mnemo_ucontext {
	uint64_t uc_flags;
	struct mnemo_ucontext *uc_link;
	struct mnemo_stack uc_stack;
	uint64_t uc_sigmask; /* the mask to restore on sigreturn */
	struct mnemo_mcontext uc_mcontext;
};

/* What the kernel pushes on the user stack to run a handler: the
 * handler starts with sp at the frame, a0 = signal, a1 = &info,
 * a2 = &uc, ra = the restorer; sigreturn finds the frame at sp. */
struct mnemo_sigframe {
	struct mnemo_siginfo info;
	struct mnemo_ucontext uc;
};

/* wait's options beyond POSIX's WNOHANG (1): the status as xv6 has it,
 * the int the child passed to exit(), or -1 if a signal ended it. */
#define MNEMO_WAIT_RAW 0x40000000

#endif
