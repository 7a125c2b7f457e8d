/* futex_wait(addr, val) / futex_wake(addr, n): sleeping on a 32-bit word
 * of user memory until another process changes it. The key is the word's
 * physical address, so processes that map the same page at different
 * addresses (a client and the crypto server) meet on the same key. The
 * waiter holds a reference on the page while it sleeps. */
#include "include/uapi/errno.h"
#include "kernel/lib/list.h"
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

/* The sleepers of each bucket (guarded by its lock), so that the keys of
 * a page that copy-on-write replaced can be found: a waiter that pinned
 * a page before its process forked sleeps on that page's key, while its
 * word lives in the copy the next write makes (futex_page_copied). */
struct futex_waiter {
	struct list link;
	u64 key;
};
static struct list futex_waiters[FUTEX_BUCKETS];
static u32 futex_nwaiters; /* (a) sleepers in all buckets */
static u64 futex_copies;   /* (a) copy-on-write copies so far */

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

static struct list *waiters_of(u64 key)
{
	return &futex_waiters[(key >> 2) % FUTEX_BUCKETS];
}

/* A page was copied away from under its mm: every sleeper on one of its
 * words wakes (a futex_wait may return 0 with nothing changed, and its
 * caller looks again), and sleeps again, if it must, on the copy's key.
 * One that pinned the old page and has not slept yet sees futex_copies
 * move and pins again. */
static void futex_page_copied(u64 old_pa)
{
	__atomic_fetch_add(&futex_copies, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&futex_nwaiters, __ATOMIC_SEQ_CST) == 0)
		return;
	for (int i = 0; i < FUTEX_BUCKETS; i++) {
		struct list *pos;
		spin_lock(&futex_locks[i]);
		list_for_each(pos, &futex_waiters[i])
		{
			struct futex_waiter *w = list_entry(pos, struct futex_waiter, link);
			if (w->key >= old_pa && w->key < old_pa + PAGE_SIZE)
				wakeup((void *)w->key);
		}
		spin_unlock(&futex_locks[i]);
	}
}

long sys_futex_wait(const u64 *arg)
{
	struct futex_waiter w;
	struct page *pg;
	u64 copies;
	struct spinlock *lk;
	long ret = 0;

	for (;;) {
		/* Read before the pin: if a copy-on-write copy is made after
		 * it, the page pinned may no longer be the word's. */
		copies = __atomic_load_n(&futex_copies, __ATOMIC_SEQ_CST);
		w.key = futex_key(arg[0], &pg);
		if (!w.key)
			return arg[0] & 3 ? -EINVAL : -EFAULT;
		lk = bucket_of(w.key);
		spin_lock(lk);
		/* Listed before the second look: a copy made after it finds
		 * this waiter (and waits for the lock, so wakes it asleep). */
		list_push_back(waiters_of(w.key), &w.link);
		__atomic_fetch_add(&futex_nwaiters, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&futex_copies, __ATOMIC_SEQ_CST) == copies)
			break;
		__atomic_fetch_sub(&futex_nwaiters, 1, __ATOMIC_SEQ_CST);
		list_del(&w.link);
		spin_unlock(lk);
		page_put(pg);
	}
	volatile u32 *word = (u32 *)((char *)page_kva(pg) + (arg[0] & (PAGE_SIZE - 1)));
	if (*word != (u32)arg[1])
		ret = -EAGAIN;
	else
		ret = sleep_killable((void *)w.key, lk);
	__atomic_fetch_sub(&futex_nwaiters, 1, __ATOMIC_SEQ_CST);
	list_del(&w.link);
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
	for (int i = 0; i < FUTEX_BUCKETS; i++)
		list_init(&futex_waiters[i]);
	proc_on_clear_tid(clear_tid_wake);
	mm_on_page_copied(futex_page_copied);
}
