/* Sleeping locks. The fast path is a compare-and-swap on `locked`. A
 * waiter counts itself in `waiters`, then retries under lk and sleeps; the
 * releaser clears `locked` and, seeing a waiter, takes lk to wake it. The
 * two sides' orders (waiters before the retry, locked before the check of
 * waiters; all sequentially consistent) make sure a release never misses a
 * waiter that is about to sleep. */
#include "kernel/lib/sleeplock.h"
#include "kernel/proc/proc.h"

void sleeplock_init(struct sleeplock *lk, const char *name)
{
	spin_init(&lk->lk, "sleeplock");
	lk->name = name;
	lk->locked = 0;
	lk->waiters = 0;
	lk->owner = 0;
}

static bool try_take(struct sleeplock *lk)
{
	u32 expected = 0;
	return __atomic_compare_exchange_n(&lk->locked, &expected, 1, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_RELAXED);
}

bool sleeplock_try(struct sleeplock *lk)
{
	if (!try_take(lk))
		return false;
	lk->owner = kstack_base();
	return true;
}

void sleeplock_acquire(struct sleeplock *lk)
{
	if (!try_take(lk)) {
		spin_lock(&lk->lk);
		__atomic_fetch_add(&lk->waiters, 1, __ATOMIC_SEQ_CST);
		while (!try_take(lk))
			sleep(lk, &lk->lk);
		__atomic_fetch_sub(&lk->waiters, 1, __ATOMIC_SEQ_CST);
		spin_unlock(&lk->lk);
	}
	lk->owner = kstack_base();
}

void sleeplock_release(struct sleeplock *lk)
{
	lk->owner = 0;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&lk->waiters, __ATOMIC_SEQ_CST)) {
		spin_lock(&lk->lk);
		wakeup(lk);
		spin_unlock(&lk->lk);
	}
}
