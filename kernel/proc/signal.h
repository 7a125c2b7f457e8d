/* POSIX signals: sending, blocking, and delivery to user handlers.
 *
 * A process's handlers and the signals sent to it as a whole (kill) live
 * in a struct sigacts, which its threads share; each thread has its own
 * mask and the signals meant for it alone (its faults). A signal is
 * delivered on the thread's way back to user mode: the kernel pushes a
 * struct mnemo_sigframe (include/uapi/signal.h) on the user stack and
 * enters the handler, which returns through the library's restorer to
 * sigreturn. docs/signals.md tells the whole story. */
#ifndef KERNEL_PROC_SIGNAL_H
#define KERNEL_PROC_SIGNAL_H

#include "include/uapi/signal.h"
#include "kernel/lib/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/types.h"

struct proc;
struct trapframe;

/* The two signals no mask blocks and no handler catches. */
#define SIG_UNBLOCKABLE (MNEMO_SIGBIT(SIGKILL) | MNEMO_SIGBIT(SIGSTOP))

/* Lock order: wait_lock, then a sigacts' lock, then p->lock. */
struct sigacts {
	struct spinlock lock;
	int refs;			     /* (a) threads that share it */
	struct mnemo_sigaction action[NSIG]; /* (s) */
	u64 pending;			     /* (s) sent to the whole process */
	struct sig_origin origin[NSIG];	     /* (s) where each pending one came from */
	u64 alarm_at;			     /* (s) tick SIGALRM is due, or 0 */
	bool stopped;			     /* (s) by SIGSTOP and kin, until SIGCONT */
};

/* A new process's signal state: every action the default, nothing
 * pending (proc_alloc). NULL when out of memory. */
struct sigacts *sigacts_alloc(void);
/* Drops a thread's reference; the last one frees it. Any caller, any
 * lock: the last reference is a leader's, dropped when its parent reaps
 * it under wait_lock (signal_send's guarantee), or one nobody saw. */
void sigacts_put(struct sigacts *s);
/* fork: the child gets a copy of the parent's actions and the calling
 * thread's mask; nothing pending, no alarm (POSIX). */
void signal_fork(struct proc *parent, struct proc *child);
/* thread_create: the new thread t shares the creator's actions and
 * process-wide pending set, and starts with its mask. */
void signal_thread(struct proc *creator, struct proc *t);
/* exec: caught signals go back to their default action (the handlers are
 * gone with the old image); ignored ones stay ignored, the mask and
 * pending signals stay. */
void signal_exec(struct proc *p);

/* sigaction for the current process: *old gets the action sig had; act,
 * if not NULL, replaces it. sig is valid and not SIGKILL or SIGSTOP. */
void signal_set_action(int sig, const struct mnemo_sigaction *act, struct mnemo_sigaction *old);
/* Sets p->sig_wake to whether p has a signal it could take now; p's
 * sigacts lock held. Every change of a mask or a pending set ends so. */
void signal_update_wake(struct proc *p);

/* Sends sig to the process p as a whole, as from pid sender (0: the
 * kernel), with si_code code. The caller holds wait_lock, which keeps p
 * from being reaped meanwhile; safe in interrupt context. sig 0 sends
 * nothing. A signal p ignores is dropped here (POSIX lets it be), so it
 * wakes nobody. */
void signal_send(struct proc *p, int sig, int code, int sender);
/* The same with the whole record (SIGCHLD's status). sync, for a sender
 * in a system call that usually blocks next (kill, then a wait for the
 * answer; an exiting child): the woken thread runs on this hart when the
 * sender blocks, as wakeup_sync's do, instead of an idle hart being
 * kicked, which under QEMU costs milliseconds. */
void signal_send_info(struct proc *p, const struct mnemo_siginfo *info, bool sync);

/* The current thread made a fault that the kernel cannot resolve. If it
 * has a handler for sig that it does not block, the signal is queued for
 * it (delivered as the trap returns) and true comes back. Otherwise
 * false: the caller kills it with its one-line reason, as POSIX's default
 * action for these signals. */
bool signal_fault(int sig, int code, u64 addr);

/* Sends sig to thread t alone (tkill, and raise in a threaded program),
 * from sender, in a system call (sync, as above). wait_lock held. */
void signal_send_thread(struct proc *t, int sig, int sender);

/* Is a signal waiting that should end an interruptible sleep? p->lock
 * held (sleep_on's check; senders set it under that lock). */
bool signal_wakes(struct proc *p);

/* On every return to user mode where p->sig_wake or p->killed is set:
 * ends the process if it was killed, or delivers one signal (a handler
 * frame, an ignore, a stop, or death). nr is the system call this return
 * ends (-1 after an interrupt or a fault) and a0 its first argument as it
 * came in: a call that a signal interrupted with -EINTR runs again when
 * the handler has SA_RESTART or no handler runs at all. */
void signal_return(struct trapframe *tf, long nr, u64 a0);

/* sigreturn: restores the registers and the mask that the frame at
 * tf->sp holds. Returns the restored a0; a frame it cannot read kills
 * the caller. */
long signal_sigreturn(struct trapframe *tf);

/* alarm: SIGALRM at tick at (0: none); returns the tick of the alarm it
 * replaces, or 0. */
u64 signal_set_alarm(u64 at);

/* The hart-0 timer tick: sends SIGALRM to processes whose alarm is due. */
void signal_tick(u64 now);

#endif
