/* Sleeping locks: waiters sleep instead of spinning. */
#include "kernel/lib/sleeplock.h"
#include "kernel/proc/proc.h"

void sleeplock_init(struct sleeplock *lk, const char *name)
{
	spin_init(&lk->lk, "sleeplock");
	lk->name = name;
	lk->locked = false;
	lk->pid = 0;
}

void sleeplock_acquire(struct sleeplock *lk)
{
	spin_lock(&lk->lk);
	while (lk->locked)
		sleep(lk, &lk->lk);
	lk->locked = true;
	lk->pid = myproc() ? myproc()->pid : 0;
	spin_unlock(&lk->lk);
}

void sleeplock_release(struct sleeplock *lk)
{
	spin_lock(&lk->lk);
	lk->locked = false;
	lk->pid = 0;
	wakeup(lk);
	spin_unlock(&lk->lk);
}

bool sleeplock_holding(struct sleeplock *lk)
{
	spin_lock(&lk->lk);
	bool r = lk->locked && lk->pid == (myproc() ? myproc()->pid : 0);
	spin_unlock(&lk->lk);
	return r;
}
