/* The kernel services every host test stands in the same way, whether it
 * tests kernel/mm (mm_host.c) or kernel/fs (fs_host.h): printk and panic
 * on stderr, and locks for one thread on one hart. A lock only has to be
 * balanced, and taking one that is held (which would deadlock the real
 * kernel) fails the test. The declarations are the kernel's own. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/spinlock.h"

/* ---- console ---- */

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

/* A broken invariant: the message, then SIGABRT (tests that expect a panic
 * say .signal = SIGABRT). */
void panic(const char *fmt, ...)
{
	va_list ap;
	fputs("panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- locks ---- */

static int host_noff; /* push_off nesting */

void push_off(void)
{
	host_noff++;
}

void pop_off(void)
{
	cr_assert(host_noff > 0, "pop_off without push_off");
	host_noff--;
}

void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->cpu = NULL;
	lk->task = false;
}

/* As in the kernel, a task lock leaves the interrupt masking alone. */
void spin_init_task(struct spinlock *lk, const char *name)
{
	spin_init(lk, name);
	lk->task = true;
}

void spin_lock(struct spinlock *lk)
{
	if (!lk->task)
		push_off();
	cr_assert(!lk->locked, "spin_lock: %s already held (deadlock)", lk->name);
	lk->locked = 1;
}

void spin_unlock(struct spinlock *lk)
{
	cr_assert(lk->locked, "spin_unlock: %s not held", lk->name);
	lk->locked = 0;
	if (!lk->task)
		pop_off();
}

bool spin_holding(struct spinlock *lk)
{
	return lk->locked;
}

void sleeplock_init(struct sleeplock *lk, const char *name)
{
	lk->locked = false;
	lk->name = name;
	lk->owner = 0;
	spin_init(&lk->lk, name);
}

void sleeplock_acquire(struct sleeplock *lk)
{
	cr_assert(!lk->locked, "sleeplock_acquire: %s already held (deadlock)", lk->name);
	lk->locked = true;
}

bool sleeplock_try(struct sleeplock *lk)
{
	if (lk->locked)
		return false;
	lk->locked = true;
	return true;
}

void sleeplock_release(struct sleeplock *lk)
{
	cr_assert(lk->locked, "sleeplock_release: %s not held", lk->name);
	lk->locked = false;
}

bool sleeplock_holding(struct sleeplock *lk)
{
	return lk->locked;
}
