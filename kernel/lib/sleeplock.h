/* Sleeping locks: for long critical sections that may block. Taking a free
 * lock is one atomic operation; only contention takes the spinlock and
 * sleeps. The type is declared here, below every user of it (kernel/mm,
 * kernel/fs); the functions are kernel/proc's (sleeplock.c), since waiting
 * means sleeping: the one way down the layers that a lock needs to call
 * up, through an interface that lives below them. */
#ifndef KERNEL_LIB_SLEEPLOCK_H
#define KERNEL_LIB_SLEEPLOCK_H

#include "kernel/lib/spinlock.h"

struct sleeplock {
	u32 locked;	    /* (a) 1 while held */
	u32 waiters;	    /* (a) processes sleeping for it, or about to */
	struct spinlock lk; /* serialises sleepers with the releaser's wakeup */
	const char *name;
	int pid; /* holder, for sleeplock_holding() */
};

void sleeplock_init(struct sleeplock *lk, const char *name);
void sleeplock_acquire(struct sleeplock *lk);
void sleeplock_release(struct sleeplock *lk);
bool sleeplock_holding(struct sleeplock *lk);

#endif
