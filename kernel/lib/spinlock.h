/* Spinlocks. Holding one disables interrupts on this hart (nested), so an
 * interrupt handler can never spin on a lock its own hart holds.
 *
 * A task lock (spin_init_task) is one that no interrupt handler ever
 * takes, and that nobody takes while holding a lock a handler takes (or
 * a handler could wait for that lock while its holder waits for the task
 * lock, held by the code the handler interrupted): holding it keeps
 * interrupts on and only stops the timer from preempting the holder (a
 * count at the bottom of its kernel stack), so that no other thread on
 * the hart spins on it. Under QEMU masking and
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

#ifdef MNEMO_HOST
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
bool spin_holding(struct spinlock *lk);
#else
/* Inline, as every system call takes a few: under QEMU a call and its
 * return each cost a lookup of the next block of translated code, more
 * than the lock's own work when nobody else holds it. Always: called from
 * hundreds of places, GCC would otherwise keep them out of line (a pipe
 * ping-pong's round trip made 80 such jumps with them out of line, 44
 * inline, and took 3.4-3.5 us instead of 4.0-4.1). */
#include "kernel/arch/riscv/cpu.h"

void spin_misuse(struct spinlock *lk, const char *what); /* panics */

static __always_inline bool spin_holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == mycpu();
}

/* The count goes up first: from then on the thread stays on this hart,
 * so mycpu() below is its own. */
static __always_inline void spin_lock(struct spinlock *lk)
{
	if (lk->task)
		kstack_head()->task_locks++;
	else
		push_off();
	if (spin_holding(lk))
		spin_misuse(lk, "already held by this hart");
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED))
			;
	lk->cpu = mycpu();
}

static __always_inline void spin_unlock(struct spinlock *lk)
{
	if (!spin_holding(lk))
		spin_misuse(lk, "not held");
	/* Read before the release: the next holder may free the lock (the
	 * last close of a pipe does). */
	bool task = lk->task;
	lk->cpu = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	if (task)
		kstack_head()->task_locks--;
	else
		pop_off();
}
#endif

#endif
