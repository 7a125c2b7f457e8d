/* Spinlocks. Holding one disables interrupts on this hart (nested), so an
 * interrupt handler can never spin on a lock its own hart holds.
 *
 * A task lock (spin_init_task) is one that no interrupt handler ever
 * takes: holding it keeps interrupts on and only stops the timer from
 * preempting the holder (a count at the bottom of its kernel stack), so
 * that no other thread on the hart spins on it. Under QEMU masking and
 * unmasking interrupts are two writes of sstatus, each a trip through the
 * emulator's main loop, which cost more than the rest of the lock; the
 * locks that every read() and write() of a pipe takes are task locks. */
#ifndef KERNEL_LIB_SPINLOCK_H
#define KERNEL_LIB_SPINLOCK_H

#include "kernel/types.h"

struct spinlock {
	volatile u32 locked;
	const char *name;
	struct cpu *cpu; /* holder, for holding() and debugging */
	bool task;	 /* a task lock: interrupts stay on */
};

#define SPINLOCK_INIT(n)                                                                           \
	{                                                                                          \
		0, (n), NULL, false                                                                \
	}

void spin_init(struct spinlock *lk, const char *name);
void spin_init_task(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
bool spin_holding(struct spinlock *lk);

#endif
