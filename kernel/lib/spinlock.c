/* Spinlocks, on the interrupt masking of kernel/arch/riscv/cpu.c. */
#include "kernel/lib/spinlock.h"
#include "kernel/arch/riscv/cpu.h"
#include "kernel/lib/panic.h"

void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->cpu = NULL;
}

void spin_lock(struct spinlock *lk)
{
	push_off();
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
	lk->cpu = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	pop_off();
}

bool spin_holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == mycpu();
}
