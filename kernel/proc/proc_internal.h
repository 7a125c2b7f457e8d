/* Shared between the files of kernel/proc. */
#ifndef KERNEL_PROC_PROC_INTERNAL_H
#define KERNEL_PROC_PROC_INTERNAL_H

#include "kernel/proc/proc.h"

extern struct proc proc_table[NPROC];
/* The part of the table in use: slots from proc_table_end() on have
 * never held a process (proc_alloc takes the lowest free slot and moves
 * the end past it), so a scan for processes stops there. Under QEMU each
 * slot a scan touches costs a page walk or more, and the scheduler scans
 * at every switch: with a handful of processes, that is a few slots, not
 * NPROC. The end never moves back: a fork bomb leaves scans at their
 * full length, no worse than a table without an end. */
extern int proc_slots_used;
static inline struct proc *proc_table_end(void)
{
	return &proc_table[__atomic_load_n(&proc_slots_used, __ATOMIC_ACQUIRE)];
}
extern struct spinlock wait_lock; /* guards every p->parent; taken before p->lock */
extern struct proc *init_proc;

/* A free slot made USED, with a kernel stack and a pid; returned with
 * p->lock held. NULL when the table or memory is full. */
struct proc *proc_alloc(void);
/* The same with a chosen pid (0: the next free one); NULL if it is taken. */
struct proc *proc_alloc_pid(int pid);
/* The current process, which runs p->service, exited with status (or
 * was killed) and has let go of its memory and files: start the service
 * again in it. */
void service_restart(struct proc *p, int status) __attribute__((noreturn));
/* Back to UNUSED; p->lock held and p off every hart. */
void proc_free(struct proc *p);
/* Gives up the hart; p->lock held and nothing else. */
void sched(void);
/* Wakes a hart sitting in wfi, if any, to pick up new work. */
void kick_idle_hart(void);
/* Leaves p, which a wakeup_sync wakes, to the hart that should run it
 * rather than the waker's (sched.c): p->wake_hart, counted in that hart's
 * reserved until p runs. False if none: the waker's hart runs it next.
 * p->lock held, before p is runnable. */
bool leave_to_hart(struct proc *p);
/* After p is runnable: wakes the hart it was left to if that one went to
 * sleep after its last look, or another if it took other work. */
void hart_nudge(struct proc *p);
/* Loads p's address space on this hart if it is not loaded already. */
void proc_activate_mm(struct proc *p);
/* Unloads the current address space from this hart (before freeing it). */
void proc_drop_mm(void);
/* Makes a sleeping p runnable early, to see a kill or a signal: its
 * interruptible sleep returns -EINTR; another sleep goes on. p->lock not
 * held. */
void proc_interrupt_sleep(struct proc *p);
/* The same; without kick, as wakeup_sync: no idle hart is told, and p is
 * this hart's handoff, for a caller about to block (a kill followed by a
 * wait for the answer, an exiting child's SIGCHLD). */
void proc_interrupt_sleep_how(struct proc *p, bool kick);
/* wait_lock held: kills every thread of leader l's group but the caller
 * (setting killed and ending killable sleeps), each to end alone, as
 * exec wants them gone without ending the process. proc_begin_group_exit()
 * also records that the group is ending, with status unless an earlier
 * exit gave one (status, or the signal sig that ends it), so that no new
 * thread starts in it. */
void proc_kill_others(struct proc *l);
void proc_begin_group_exit(struct proc *l, int status, int sig);
/* Only the record: the group of l ends, with status or signal sig unless
 * an earlier end gave one. wait_lock held. */
void proc_mark_group_exit(struct proc *l, int status, int sig);
/* Makes the caller its process's only thread (exec): kills the others
 * and waits until they are gone; the caller then is the leader, with the
 * process's pid. 0, or -EINTR if the caller was killed meanwhile. */
int proc_become_single(void);
/* Kills the process with this pid for a user: 0, -ESRCH, or -EPERM for
 * init or a service. */
int proc_kill(int pid);

/* Replaces the current process's image with the program at path, or in
 * img (named name in ps). kargv is a kernel array. 0, or -errno with the
 * old image untouched. */
int kernel_exec(const char *path, char *const kargv[]);
struct exec_image;
int kernel_exec_image(const struct exec_image *img, const char *name, char *const kargv[]);

void swtch(struct context *old, struct context *new);

#endif
