/* Spinlocks: their setup and their one panic. Taking and releasing one is
 * inline, in spinlock.h, on the interrupt masking of cpu.h. */
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

void spin_misuse(struct spinlock *lk, const char *what)
{
	panic("spinlock %s: %s", lk->name, what);
}
