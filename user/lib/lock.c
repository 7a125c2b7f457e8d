/* picolibc's locks (its "retargetable locking"): malloc and the stdio
 * streams take them, so that threads can share both. Each is a recursive
 * mutex of <pthread.h>, which costs a single-threaded program two atomic
 * instructions and no system call. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/lock.h>

struct __lock {
	pthread_mutex_t m;
};

#define RECURSIVE_INIT                                                                             \
	{                                                                                          \
		{                                                                                  \
			0, PTHREAD_MUTEX_RECURSIVE, 0, 0                                           \
		}                                                                                  \
	}

/* malloc's and the C library's own lock. */
struct __lock __lock___libc_recursive_mutex = RECURSIVE_INIT;
/* stdin's, stdout's and stderr's (stdio.c): static streams, whose locks
 * no stream setup allocates. */
struct __lock __mnemo_stdin_lock = RECURSIVE_INIT;
struct __lock __mnemo_stdout_lock = RECURSIVE_INIT;
struct __lock __mnemo_stderr_lock = RECURSIVE_INIT;

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = malloc(sizeof(**lock));
	if (*lock)
		**lock = (struct __lock)RECURSIVE_INIT;
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	free(lock);
}

/* A lock that could not be allocated (NULL) locks nothing. */
void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock)
		pthread_mutex_lock(&lock->m);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	__retarget_lock_acquire(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return lock ? pthread_mutex_trylock(&lock->m) == 0 : 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return __retarget_lock_try_acquire(lock);
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock)
		pthread_mutex_unlock(&lock->m);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	__retarget_lock_release(lock);
}
