/* Processes, harts and the scheduler. */
#ifndef KERNEL_PROC_PROC_H
#define KERNEL_PROC_PROC_H

#include "include/uapi/signal.h"
#include "kernel/arch/riscv/cpu.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/lib/list.h"
#include "kernel/lib/spinlock.h"
#include "kernel/types.h"

#define NPROC	      256
#define NOFILE	      64 /* open files per process */
#define PROC_NAME_LEN 16

enum proc_state { PROC_UNUSED, PROC_USED, PROC_SLEEPING, PROC_RUNNABLE, PROC_RUNNING, PROC_ZOMBIE };

struct mm;
struct fdtable;
struct service;

/* Where a pending signal came from: what its siginfo will say. */
struct sig_origin {
	int code;   /* si_code */
	int pid;    /* si_pid: the sender, or the child for SIGCHLD */
	int status; /* si_status */
	u64 addr;   /* si_addr: a fault's address */
};

/* A struct proc is a thread: what the scheduler runs. The threads of one
 * process (a thread group) share its mm and its fdtable, each holding a
 * reference; the group's first thread, its leader, stands for the process:
 * its pid is the group's id (getpid), it is the one with a parent, the
 * one its parent waits for, and it keeps the group's count of threads.
 *
 * Locking legend: (p) p->lock, (w) wait_lock, (q) the sleep queue's lock,
 * (a) atomic, (-) private to the thread itself or set before it first
 * runs. */
struct proc {
	struct spinlock lock;
	enum proc_state state; /* (p) */
	void *chan;	       /* (p) sleeping on this */
	bool killed;	       /* (a) */
	bool sig_wake;	       /* (p) a signal to take: look on the way to user mode */
	int kill_sig;	       /* (a) the signal that killed it (0: SIGKILL) */
	int xstate;	       /* (p) exit status for the parent */
	int xsig;	       /* (p) or the signal it died of, if not 0 */
	int pid;	       /* (p) the thread's id (gettid) */
	int tgid;	       /* (-) its group's: the leader's pid (getpid) */
	int pgid, sid;	       /* (w) process group and session (the leader's count) */
	struct proc *leader;   /* (-) the group's leader; itself for a leader */
	struct proc *parent;   /* (w) a leader's parent; NULL for other threads */
	int nthreads;	       /* (w) leader: threads of the group not yet exited */
	bool group_exit;       /* (w) leader: exit() or a kill ends the group */
	bool group_dead;       /* (w) leader: the last thread is gone: reap it */
	bool threaded;	       /* (w) leader: has had more than one thread */
	int group_status;      /* (w) leader: the status its exit() gave, */
	int group_sig;	       /* (w) leader: or the signal that ended it */
	u64 clear_tid;	       /* (-) user word zeroed and woken at exit, or 0 */
	bool exit_alone;       /* (p) killed by another thread's exec: ends alone */

	/* Signals (signal.h); (s) is p->sig->lock. */
	struct sigacts *sig;		    /* (-) actions and process-wide pending set */
	u64 sig_blocked;		    /* (s) the mask */
	u64 sig_pending;		    /* (s) sent to this thread alone (tkill, faults) */
	u64 sig_saved;			    /* (s) the mask sigsuspend replaced, */
	bool sig_restore;		    /* (s) to restore on the way out */
	struct sig_origin sig_origin[NSIG]; /* (s) where each of those came from */

	void *kstack;		  /* (-) 2^KSTACK_ORDER pages */
	struct trapframe *tf;	  /* (-) at the top of kstack */
	struct context ctx;	  /* (-) swtch() here to run the process */
	struct mm *mm;		  /* (-) user address space */
	struct fdtable *fdt;	  /* (-) open files and working directory */
	char name[PROC_NAME_LEN]; /* (-) for ps and fault messages */
	int last_hart;		  /* (p) hart it last ran on */
	int wake_hart;		  /* (p) hart a wakeup_sync left it to, or -1 */
	struct list sleep_link;	  /* (q) in a sleep queue while SLEEPING */
	const char *spawn_path;	  /* (-) init: the program to exec */
	char *const *spawn_argv;  /* (-) and its arguments */
	struct service *service;  /* (-) the kernel service it runs, or NULL */
	void (*kthread)(void);	  /* (-) a kernel thread's body, or NULL */
};

/* The running process is written at the base of its kernel stack, which is
 * aligned to its size; the scheduler's stacks hold NULL there. Reading it
 * through sp needs no interrupt masking, unlike mycpu()->proc, which could
 * change hart under our feet. Inline, as every system call asks. */
static inline struct proc *myproc(void)
{
	return kstack_head()->proc;
}

/* Atomically releases lk and sleeps on chan; reacquires lk on wakeup.
 * A kill does not end this sleep early for good: the caller's loop goes
 * back to sleep (sleeping locks). */
void sleep(void *chan, struct spinlock *lk);
/* The same for a sleep that a kill must end: returns -EINTR, lk held,
 * without sleeping if the caller is killed already, or when a kill woke
 * it; 0 after an ordinary wakeup. No kill is lost between the caller's
 * test of its condition and the sleep. */
int sleep_killable(void *chan, struct spinlock *lk);
/* Sleeps n timer ticks; a kill does not end it (for the kernel's own
 * waits: a service before a restart, init waiting for memory). */
void sleep_ticks(u64 n);
/* Wakes every sleeper on chan, kicking an idle hart to run them. */
void wakeup(void *chan);
/* Wakes at most n (all if n < 0) sleepers on chan and returns how many,
 * for a waker about to block itself (a pipe or futex partner, an exiting
 * child, the crypto server): no idle hart is kicked, so the woken process
 * runs on this hart when the waker sleeps. Under QEMU, handing work to
 * another hart costs far more than the switch. */
int wakeup_sync(void *chan, int n);
/* Instead of sleeping until another task acts, a task may watch for it
 * on its own hart for a while: sched_watch_begin gives the time (rdtime)
 * to watch until, or 0 when it may not, and sched_watch_on says whether
 * to go on. See sched.c for when. */
u64 sched_watch_begin(void);
bool sched_watch_on(u64 until);
static inline bool proc_killed(struct proc *p)
{
	return __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE);
}
/* Marks p to die at its next return to user mode, of signal sig (the
 * first reason given stands); proc_set_killed's is SIGKILL. */
void proc_set_killed_by(struct proc *p, int sig);
void proc_set_killed(struct proc *p);
/* Whether p must go through signal_return on its way to user mode: a
 * kill or a signal to take. Read with no ordering, as this look comes at
 * every system call and this compiler makes each acquire load a full
 * fence: signal_return reads killed again with one before it reads why,
 * and the pending signals under the lock every writer of sig_wake holds. */
static inline bool proc_must_look(struct proc *p)
{
	return __atomic_load_n(&p->killed, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&p->sig_wake, __ATOMIC_RELAXED);
}
void yield(void);

void proc_init(void);
/* Lets Ctrl-C and Ctrl-\ on the console signal its foreground group. */
void pgrp_init(void);
void scheduler(void) __attribute__((noreturn));
/* Creates PID 1, which runs /bin/init with the boot arguments as argv. */
void userinit_with_args(const char *bootargs);
/* Has fn run once by init, in kernel mode before it execs /bin/init: the
 * first code a process runs, with interrupts on, so fn may sleep (the
 * block device's boot check). For boot only, before the scheduler runs;
 * one fn. */
void proc_on_init_start(void (*fn)(void));

/* Kernel services (the crypto server): a program the kernel reads from
 * path once, at boot, and runs as the process with the given pid, started
 * again from that same image whenever it exits or is killed, so that
 * nothing a user does to the file system or to the pid reaches it. Users
 * cannot kill it or share pages with it. on_exit, if not NULL, runs each
 * time the process has let go of its memory and before it starts again.
 * Returns the service, or NULL (after saying why) if path cannot be read. */
struct service *proc_start_service(int pid, const char *path, void (*on_exit)(void));
/* Starts a kernel thread: a process with no user memory that runs fn,
 * which never returns, in the kernel. Like a service it cannot be killed.
 * 0, or -ENOMEM when no process slot is free. */
int kthread_start(const char *name, void (*fn)(void));
/* Is p the process running service s? What the kernel trusts, where a
 * pid or a path could be a user's. */
bool proc_runs_service(struct proc *p, const struct service *s);

/* Is p init or a kernel service (never a user's to kill or share with)? */
bool proc_is_system(struct proc *p);
/* The address space of the process with this pid, with a new reference
 * (drop it with mm_put), if that process is a descendant of me (a
 * child, grandchild...) and neither init nor a service: 0, -ESRCH, or
 * -EPERM. Decided and taken at once, so that the process cannot be
 * replaced by another in the same slot in between. */
int proc_descendant_mm(struct proc *me, int pid, struct mm **mm);
/* Has fn(pid) called by every process that exits, once it has let go of
 * its memory and files and before its pid can be given to another, so
 * that a subsystem above (ipc) can forget what it keeps by pid. For boot
 * only, before the first user process: the list is read without a lock. */
void proc_on_exit(void (*fn)(int pid));
/* The process with this pid (not a zombie), or NULL. Its mm, with a new
 * reference (mm_put), goes in *mm (NULL if it has none). */
struct proc *proc_find_mm(int pid, struct mm **mm);

/* A user page fault of me at addr found no free page (oom.c): kills the
 * user process with the most resident memory, unless one killed already
 * is letting go of its own. True: take the fault again; false: me is
 * the one to go (the caller kills it; the line is printed). */
bool oom_fault(struct proc *me, u64 addr);

/* Ends the current thread's whole process (exit(), a kill, a fault):
 * every other thread of it is killed, and the parent sees status once
 * the last is gone. */
void exit_current(int status) __attribute__((noreturn));
/* The end of a process that signal sig killed: its parent's wait sees
 * WIFSIGNALED. */
void exit_signaled(int sig) __attribute__((noreturn));
/* Ends the current thread alone (thread_exit); the last thread of a
 * process to end ends the process, with this status. */
void exit_thread(int status) __attribute__((noreturn));
/* Has fn(addr) called by each exiting thread that has a clear-tid word,
 * after the word is zeroed: the futex layer wakes one waiter on it. For
 * boot only. */
void proc_on_clear_tid(void (*fn)(u64 uaddr));

extern volatile u64 ticks; /* 100 Hz, since boot */
extern struct spinlock tickslock;
#define TICK_HZ 100

#endif
