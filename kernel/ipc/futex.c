/* futex_wait(addr, val) / futex_wake(addr, n): sleeping on a 32-bit word
 * of user memory until another process changes it. The key is the word's
 * physical address, so processes that map the same page at different
 * addresses (a client and the crypto server) meet on the same key. The
 * waiter holds a reference on the page while it sleeps. */
#include "include/uapi/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/share.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

#define FUTEX_BUCKETS 32

/* Set up at compile time, so that no first use races to set them up. */
static struct spinlock futex_locks[FUTEX_BUCKETS] = {
    [0 ... FUTEX_BUCKETS - 1] = SPINLOCK_INIT("futex"),
};

static struct spinlock *bucket_of(u64 key)
{
	return &futex_locks[(key >> 2) % FUTEX_BUCKETS];
}

/* Pins the page under addr and returns the word's key; 0 on a bad addr. */
static u64 futex_key(u64 addr, struct page **pg)
{
	if (addr & 3)
		return 0;
	if (mm_pin_page(mm_current(), addr, pg) < 0)
		return 0;
	return page_to_pa(*pg) + (addr & (PAGE_SIZE - 1));
}

long sys_futex_wait(const u64 *arg)
{
	struct page *pg;
	u64 key = futex_key(arg[0], &pg);
	if (!key)
		return arg[0] & 3 ? -EINVAL : -EFAULT;
	volatile u32 *word = (u32 *)((char *)page_kva(pg) + (arg[0] & (PAGE_SIZE - 1)));
	struct spinlock *lk = bucket_of(key);
	long ret = 0;
	spin_lock(lk);
	if (*word != (u32)arg[1])
		ret = -EAGAIN;
	else
		ret = sleep_killable((void *)key, lk);
	spin_unlock(lk);
	page_put(pg);
	return ret;
}

/* Wakes at most n waiters on the word at addr; how many, or -errno. */
static long futex_wake(u64 addr, int n)
{
	struct page *pg;
	u64 key = futex_key(addr, &pg);
	if (!key)
		return addr & 3 ? -EINVAL : -EFAULT;
	struct spinlock *lk = bucket_of(key);
	spin_lock(lk);
	int woke = wakeup_sync((void *)key, n);
	spin_unlock(lk);
	page_put(pg);
	return woke;
}

long sys_futex_wake(const u64 *arg)
{
	return futex_wake(arg[0], (int)arg[1]);
}

/* An ending thread's clear-tid word, zeroed already: its joiner wakes.
 * The waker is ending, so the joiner runs at once on its hart. */
static void clear_tid_wake(u64 uaddr)
{
	futex_wake(uaddr, 1);
}

void futex_init(void)
{
	proc_on_clear_tid(clear_tid_wake);
}
