/* Mutexes, condition variables and pthread_once, on futex words.
 *
 * A mutex's word is 0 (unlocked), 1 (locked) or 2 (locked, and a thread
 * may be asleep waiting for it). Locking takes 0 to 1 with one atomic
 * instruction when nobody holds it; otherwise the locker marks the word 2
 * and sleeps in futex_wait until the word changes. Unlocking from 1 costs
 * no system call; from 2 it stores 0 and wakes one sleeper, which locks
 * with 2 (it cannot know whether others sleep behind it). This is the
 * second mutex of Drepper's "Futexes Are Tricky": no thread spins, and no
 * wakeup is lost, as futex_wait sleeps only while the word still holds 2.
 *
 * A condition variable's word is a sequence number that every signal and
 * broadcast moves: a waiter reads it while it holds the mutex, unlocks,
 * and sleeps only if the number has not moved since. */
#include <errno.h>
#include <limits.h>
#include <mnemo.h>
#include <pthread.h>

#include "pthread_impl.h"

static uint32_t cas(volatile uint32_t *w, uint32_t old, uint32_t new)
{
	__atomic_compare_exchange_n(w, &old, new, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	return old;
}

/* Takes the word with 2, sleeping while another holds it. */
static void lock_contended(volatile uint32_t *w)
{
	while (__atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE) != 0)
		__futex_wait(w, 2);
}

static void word_lock(volatile uint32_t *w)
{
	if (cas(w, 0, 1) != 0)
		lock_contended(w);
}

static void word_unlock(volatile uint32_t *w)
{
	if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) == 2)
		__futex_wake(w, 1);
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	m->__state = 0;
	m->__type = attr ? attr->__type : PTHREAD_MUTEX_DEFAULT;
	m->__owner = 0;
	m->__count = 0;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return m->__state ? EBUSY : 0;
}

/* Recursive and error-checking mutexes: does the caller hold m already?
 * Only the holder writes __owner, so a thread reads its own pointer
 * there only if it holds the mutex. */
static int held_by_me(pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__owner, __ATOMIC_RELAXED) == __pthread_self();
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (m->__type != PTHREAD_MUTEX_NORMAL && held_by_me(m)) {
		if (m->__type == PTHREAD_MUTEX_ERRORCHECK)
			return EDEADLK;
		m->__count++;
		return 0;
	}
	word_lock(&m->__state);
	if (m->__type != PTHREAD_MUTEX_NORMAL) {
		__atomic_store_n(&m->__owner, __pthread_self(), __ATOMIC_RELAXED);
		m->__count = 1;
	}
	return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	if (m->__type == PTHREAD_MUTEX_RECURSIVE && held_by_me(m)) {
		m->__count++;
		return 0;
	}
	if (cas(&m->__state, 0, 1) != 0)
		return EBUSY;
	if (m->__type != PTHREAD_MUTEX_NORMAL) {
		__atomic_store_n(&m->__owner, __pthread_self(), __ATOMIC_RELAXED);
		m->__count = 1;
	}
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (m->__type != PTHREAD_MUTEX_NORMAL) {
		if (!held_by_me(m))
			return EPERM;
		if (--m->__count > 0)
			return 0;
		__atomic_store_n(&m->__owner, NULL, __ATOMIC_RELAXED);
	}
	word_unlock(&m->__state);
	return 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->__type = PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
	    type != PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	attr->__type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
	*type = attr->__type;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	(void)attr;
	c->__seq = 0;
	c->__waiters = 0;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	return c->__waiters ? EBUSY : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	unsigned count = m->__count;

	/* Counted before the number is read: a signaller that moves the
	 * number after this sees the waiter and wakes it (both seq_cst). */
	__atomic_fetch_add(&c->__waiters, 1, __ATOMIC_SEQ_CST);
	uint32_t seq = __atomic_load_n(&c->__seq, __ATOMIC_SEQ_CST);
	if (m->__type != PTHREAD_MUTEX_NORMAL)
		__atomic_store_n(&m->__owner, NULL, __ATOMIC_RELAXED);
	word_unlock(&m->__state);
	__futex_wait(&c->__seq, seq);
	__atomic_fetch_sub(&c->__waiters, 1, __ATOMIC_SEQ_CST);
	/* Others may sleep on the mutex behind us: take it with 2. */
	lock_contended(&m->__state);
	if (m->__type != PTHREAD_MUTEX_NORMAL) {
		__atomic_store_n(&m->__owner, __pthread_self(), __ATOMIC_RELAXED);
		m->__count = count;
	}
	return 0;
}

static void cond_wake(pthread_cond_t *c, int n)
{
	__atomic_fetch_add(&c->__seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->__waiters, __ATOMIC_SEQ_CST))
		__futex_wake(&c->__seq, n);
}

int pthread_cond_signal(pthread_cond_t *c)
{
	cond_wake(c, 1);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	cond_wake(c, INT_MAX);
	return 0;
}

int pthread_condattr_init(pthread_condattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
	(void)attr;
	return 0;
}

enum { ONCE_NOT_RUN, ONCE_RUNNING, ONCE_DONE };

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	uint32_t s = __atomic_load_n(&once->__state, __ATOMIC_ACQUIRE);

	if (s == ONCE_DONE)
		return 0;
	if (cas(&once->__state, ONCE_NOT_RUN, ONCE_RUNNING) == ONCE_NOT_RUN) {
		fn();
		__atomic_store_n(&once->__state, ONCE_DONE, __ATOMIC_RELEASE);
		__futex_wake(&once->__state, INT_MAX);
		return 0;
	}
	while ((s = __atomic_load_n(&once->__state, __ATOMIC_ACQUIRE)) == ONCE_RUNNING)
		__futex_wait(&once->__state, ONCE_RUNNING);
	return 0;
}
