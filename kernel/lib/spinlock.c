/* Spinlocks, on the interrupt masking of kernel/arch/riscv/cpu.c. */
#include "kernel/lib/spinlock.h"
#include "kernel/arch/riscv/cpu.h"
#include "kernel/lib/panic.h"

void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->cpu = NULL;
	lk->task = false;
}

void spin_init_task(struct spinlock *lk, const char *name)
{
	spin_init(lk, name);
	lk->task = true;
}

/* The count goes up first: from then on the thread stays on this hart,
 * so mycpu() below is its own. */
static void hold_off(bool task)
{
	if (task)
		kstack_head()->task_locks++;
	else
		push_off();
}

static void let_go(bool task)
{
	if (task)
		kstack_head()->task_locks--;
	else
		pop_off();
}

void spin_lock(struct spinlock *lk)
{
	hold_off(lk->task);
	if (spin_holding(lk))
		panic("spin_lock: %s: already held by this hart", lk->name);
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED))
			;
	lk->cpu = mycpu();
}

void spin_unlock(struct spinlock *lk)
{
	if (!spin_holding(lk))
		panic("spin_unlock: %s: not held", lk->name);
	/* Read before the release: the next holder may free the lock (the
	 * last close of a pipe does). */
	bool task = lk->task;
	lk->cpu = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	let_go(task);
}

bool spin_holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == mycpu();
}
