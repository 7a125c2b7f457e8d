/* Sleeping locks: for long critical sections that may block. */
#ifndef KERNEL_LIB_SLEEPLOCK_H
#define KERNEL_LIB_SLEEPLOCK_H

#include "kernel/lib/spinlock.h"

struct sleeplock {
	bool locked;
	struct spinlock lk; /* guards locked and pid */
	const char *name;
	int pid; /* holder */
};

void sleeplock_init(struct sleeplock *lk, const char *name);
void sleeplock_acquire(struct sleeplock *lk);
void sleeplock_release(struct sleeplock *lk);
bool sleeplock_holding(struct sleeplock *lk);

#endif
