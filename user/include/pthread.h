/* POSIX threads (user/lib/pthread*.c). picolibc declares no pthread types,
 * so these are mnemo's: a pthread_t points at the thread's descriptor,
 * mutexes, condition variables and pthread_once are futex words (no busy
 * spinning: a waiter sleeps in the kernel).
 *
 * Implemented: pthread_create, join, exit, self, detach, equal; attributes
 * (detach state, stack size); mutexes (normal, recursive, error-checking;
 * lock, trylock, unlock); condition variables (wait, signal, broadcast);
 * pthread_once; keys (create, delete, getspecific, setspecific, with
 * destructors). Not here: cancellation, timed waits, process-shared
 * objects, scheduling policies; a program that calls one fails to link.
 *
 * Each thread has its own thread-local storage (errno among it). A
 * thread's stack, TLS block and descriptor are one mapping, unmapped by
 * its joiner, or for a detached thread by a later pthread_create or
 * pthread_join of the process once the kernel says the thread is gone. */
#ifndef MNEMO_PTHREAD_H
#define MNEMO_PTHREAD_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct __pthread *pthread_t;

typedef struct {
	size_t __stacksize; /* 0: the default */
	int __detachstate;
} pthread_attr_t;

/* __state: 0 unlocked, 1 locked, 2 locked and maybe waited for. */
typedef struct {
	volatile uint32_t __state;
	int __type;
	void *__owner;	  /* recursive and error-checking: the holder */
	unsigned __count; /* recursive: how many times it holds it */
} pthread_mutex_t;

typedef struct {
	int __type;
} pthread_mutexattr_t;

/* __seq moves at each signal or broadcast; waiters sleep on it. */
typedef struct {
	volatile uint32_t __seq;
	volatile uint32_t __waiters;
} pthread_cond_t;

typedef struct {
	int __reserved;
} pthread_condattr_t;

/* 0: not run, 1: running, 2: done. */
typedef struct {
	volatile uint32_t __state;
} pthread_once_t;

typedef unsigned pthread_key_t;

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1

#define PTHREAD_MUTEX_NORMAL	 0
#define PTHREAD_MUTEX_RECURSIVE	 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT	 PTHREAD_MUTEX_NORMAL

#define PTHREAD_MUTEX_INITIALIZER                                                                  \
	{                                                                                          \
		0, PTHREAD_MUTEX_NORMAL, 0, 0                                                      \
	}
#define PTHREAD_COND_INITIALIZER                                                                   \
	{                                                                                          \
		0, 0                                                                               \
	}
#define PTHREAD_ONCE_INIT                                                                          \
	{                                                                                          \
		0                                                                                  \
	}

#define PTHREAD_KEYS_MAX	      64
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
#define PTHREAD_STACK_MIN	      16384

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
		   void *arg);
int pthread_join(pthread_t thread, void **retval);
void pthread_exit(void *retval) __attribute__((noreturn));
pthread_t pthread_self(void);
int pthread_detach(pthread_t thread);
int pthread_equal(pthread_t a, pthread_t b);

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);
int pthread_condattr_init(pthread_condattr_t *attr);
int pthread_condattr_destroy(pthread_condattr_t *attr);

int pthread_once(pthread_once_t *once, void (*fn)(void));

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t key);
void *pthread_getspecific(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void *value);

#endif
