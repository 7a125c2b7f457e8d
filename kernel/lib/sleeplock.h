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
	uptr owner; /* the holder's kernel stack (kstack_base), or 0 */
};

void sleeplock_init(struct sleeplock *lk, const char *name);
void sleeplock_acquire(struct sleeplock *lk);
void sleeplock_release(struct sleeplock *lk);
/* Takes lk if it is free, without waiting: reclaim, which must never wait
 * for an address space while it holds others. */
bool sleeplock_try(struct sleeplock *lk);

/* Does the running kernel thread hold lk? Two loads and a compare, cheap
 * enough for the checks on paths taken once per page. */
#ifdef MNEMO_HOST
bool sleeplock_holding(struct sleeplock *lk);
#else
#include "kernel/arch/riscv/cpu.h"
static inline bool sleeplock_holding(struct sleeplock *lk)
{
	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) && lk->owner == kstack_base();
}
#endif

#endif
