/* Private to the user library: what its pthread files share. */
#ifndef USER_LIB_PTHREAD_IMPL_H
#define USER_LIB_PTHREAD_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "usys.h"

/* futex_wait and futex_wake without errno: a pthread call that succeeds
 * leaves the caller's errno as it was. */
static inline void __futex_wait(volatile uint32_t *w, uint32_t val)
{
	usys_call2(SYS_futex_wait, w, val);
}

static inline void __futex_wake(volatile uint32_t *w, int n)
{
	usys_call2(SYS_futex_wake, w, n);
}

/* A thread's descriptor, at the top of the mapping that also holds its
 * TLS block and its stack (the main thread's is a static one). */
struct __pthread {
	void *(*start)(void *);
	void *arg;
	void *retval;
	void *map; /* the mapping, and its length; NULL for the main thread */
	size_t map_len;
	/* The kernel's clear-tid word: nonzero while the thread lives, 0
	 * once it is gone and its stack out of use; joiners wait on it. */
	volatile uint32_t alive;
	volatile uint32_t detach; /* a DETACH_* state */
	int tid;		  /* the kernel's id of it (pthread_kill); 0 for main: getpid() */
	struct __pthread *next_dead;
	struct {
		void *value;
		unsigned gen; /* the key's generation value belongs to */
	} specific[PTHREAD_KEYS_MAX];
};

enum { DETACH_JOINABLE, DETACH_DETACHED, DETACH_EXITING };

/* The current thread's descriptor. */
struct __pthread *__pthread_self(void);

/* Runs the destructors of the current thread's keys (pthread_key.c). */
void __pthread_keys_exit(struct __pthread *self);

/* Starts a thread with sp = stack, tp = tls, the kernel's clear-tid word
 * at clear_tid, that calls fn(arg) and never returns from it
 * (thread_start.S). The new tid, or -errno. */
long __mnemo_thread_start(void *stack, void *tls, volatile uint32_t *clear_tid, void (*fn)(void *),
			  void *arg);

/* fork() calls it in the child (pthread.c). */
void __pthread_fork_child(void);

#endif
