/* Spinlocks. Holding one disables interrupts on this hart (nested), so an
 * interrupt handler can never spin on a lock its own hart holds. */
#ifndef KERNEL_LIB_SPINLOCK_H
#define KERNEL_LIB_SPINLOCK_H

#include "kernel/types.h"

struct spinlock {
	volatile u32 locked;
	const char *name;
	struct cpu *cpu; /* holder, for holding() and debugging */
};

#define SPINLOCK_INIT(n)                                                                           \
	{                                                                                          \
		0, (n), NULL                                                                       \
	}

void spin_init(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
bool spin_holding(struct spinlock *lk);

#endif
