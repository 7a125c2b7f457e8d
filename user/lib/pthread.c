/* Threads: pthread_create, join, exit, self, detach, equal, and their
 * attributes.
 *
 * A thread's stack, its TLS block (picolibc's, so that errno and every
 * other thread-local variable is its own) and its descriptor are one
 * anonymous mapping: a guard page, the stack growing down from the TLS
 * block, and the descriptor at the top. The kernel zeroes the
 * descriptor's `alive` word once the thread has left user mode for good
 * and wakes a futex waiter on it; only then may the mapping go, as the
 * thread runs on it until its last system call. A joiner unmaps it after
 * waiting on the word; a detached thread cannot unmap its own stack, so
 * it puts itself on a list that the next pthread_create or pthread_join
 * of the process goes through, unmapping each one the kernel is done
 * with. */
#include <errno.h>
#include <mnemo.h>
#include <picotls.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pthread_impl.h"
#include "usys.h"

#define PAGE		   4096UL
#define STACK_DEFAULT	   (64 * 1024UL)
#define ROUND_UP(x, a)	   (((x) + (a)-1) & ~((a)-1))
#define ALIGN_DOWN_P(p, a) ((void *)((uintptr_t)(p) & ~((uintptr_t)(a)-1)))

static struct __pthread main_thread = {.alive = 1};
static __thread struct __pthread *self; /* NULL in the main thread */

/* Detached threads that have ended or are ending, whose mappings wait to
 * be unmapped; dead_lock guards the list. */
static pthread_mutex_t dead_lock = PTHREAD_MUTEX_INITIALIZER;
static struct __pthread *dead_list;

struct __pthread *__pthread_self(void)
{
	return self ? self : &main_thread;
}

pthread_t pthread_self(void)
{
	return __pthread_self();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

/* Unmaps every listed thread that the kernel is done with. */
static void reap_dead(void)
{
	struct __pthread **pp, *t;

	if (!__atomic_load_n(&dead_list, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&dead_lock);
	for (pp = &dead_list; (t = *pp);) {
		if (__atomic_load_n(&t->alive, __ATOMIC_ACQUIRE) == 0) {
			*pp = t->next_dead;
			munmap(t->map, t->map_len);
		} else {
			pp = &t->next_dead;
		}
	}
	pthread_mutex_unlock(&dead_lock);
}

static void put_on_dead_list(struct __pthread *t)
{
	pthread_mutex_lock(&dead_lock);
	t->next_dead = dead_list;
	__atomic_store_n(&dead_list, t, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dead_lock);
}

/* In the child of a fork only the thread that forked goes on. A detached
 * thread of the parent that was putting itself on the dead list at that
 * moment has left dead_lock locked, with nobody here to unlock it: the
 * child's first pthread_create or pthread_join then waited forever (the
 * fuzzer found it so). The lock starts afresh, and the listed threads,
 * which do not exist here, have their mappings unmapped now. */
void __pthread_fork_child(void)
{
	struct __pthread *t = dead_list, *next;

	dead_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	dead_list = NULL;
	for (; t; t = next) {
		next = t->next_dead;
		munmap(t->map, t->map_len);
	}
}

/* The new thread's first C code (from thread_start.S). */
static void thread_main(void *arg)
{
	struct __pthread *t = arg;

	self = t;
	pthread_exit(t->start(t->arg));
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	size_t stack = attr && attr->__stacksize ? attr->__stacksize : STACK_DEFAULT;
	size_t tls_align = _tls_align() > 16 ? _tls_align() : 16;
	size_t top = ROUND_UP(sizeof(struct __pthread) + _tls_size() + tls_align, PAGE);
	size_t len = PAGE + ROUND_UP(stack, PAGE) + top;
	struct __pthread *t;
	char *map;
	void *tls;
	long tid;

	reap_dead();
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return EAGAIN;
	/* The guard page: an overflow faults instead of writing below. */
	if (mprotect(map, PAGE, PROT_NONE) < 0) {
		munmap(map, len);
		return EAGAIN;
	}
	t = ALIGN_DOWN_P(map + len - sizeof(*t), 16);
	memset(t, 0, sizeof(*t));
	t->start = start;
	t->arg = arg;
	t->map = map;
	t->map_len = len;
	t->alive = 1;
	t->detach = attr && attr->__detachstate == PTHREAD_CREATE_DETACHED ? DETACH_DETACHED
									   : DETACH_JOINABLE;
	tls = ALIGN_DOWN_P((char *)t - _tls_size(), tls_align);
	_init_tls(tls);
	tid = __mnemo_thread_start(ALIGN_DOWN_P(tls, 16), tls, &t->alive, thread_main, t);
	if (tid < 0) {
		munmap(map, len);
		/* The kernel's numbers agree with picolibc's this low. */
		return tid == -EINVAL || tid == -EPERM ? (int)-tid : EAGAIN;
	}
	t->tid = tid;
	*out = t;
	return 0;
}

/* The signal goes to that thread alone (tkill), while it lives. */
int pthread_kill(pthread_t t, int sig)
{
	int tid = t == &main_thread ? getpid() : t->tid;

	if (__atomic_load_n(&t->alive, __ATOMIC_ACQUIRE) == 0)
		return ESRCH;
	return usys_result(usys_call2(SYS_tkill, tid, sig)) < 0 ? errno : 0;
}

void pthread_exit(void *retval)
{
	struct __pthread *t = __pthread_self();

	__pthread_keys_exit(t);
	t->retval = retval;
	/* From here a joiner may read retval; a detached thread is listed
	 * for unmapping, which waits until the kernel zeroes `alive`. */
	uint32_t was = DETACH_JOINABLE;
	if (!__atomic_compare_exchange_n(&t->detach, &was, DETACH_EXITING, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE) &&
	    t != &main_thread)
		put_on_dead_list(t);
	/* The main thread too ends alone: the process lives on until its
	 * last thread ends, then exits with status 0, as POSIX says. */
	usys_call1(SYS_thread_exit, 0);
	for (;;) /* the kernel never returns from thread_exit */
		;
}

int pthread_join(pthread_t t, void **retval)
{
	uint32_t alive;

	if (t == __pthread_self())
		return EDEADLK;
	if (t == &main_thread || __atomic_load_n(&t->detach, __ATOMIC_ACQUIRE) == DETACH_DETACHED)
		return EINVAL;
	while ((alive = __atomic_load_n(&t->alive, __ATOMIC_ACQUIRE)) != 0)
		__futex_wait(&t->alive, alive);
	if (retval)
		*retval = t->retval;
	munmap(t->map, t->map_len);
	reap_dead();
	return 0;
}

int pthread_detach(pthread_t t)
{
	uint32_t was = DETACH_JOINABLE;

	if (t == &main_thread)
		return EINVAL;
	if (__atomic_compare_exchange_n(&t->detach, &was, DETACH_DETACHED, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return 0;
	if (was == DETACH_DETACHED)
		return EINVAL;
	/* It is ending as a joinable thread: nobody will join it now. */
	__atomic_store_n(&t->detach, DETACH_DETACHED, __ATOMIC_RELEASE);
	put_on_dead_list(t);
	return 0;
}

int pthread_attr_init(pthread_attr_t *attr)
{
	attr->__stacksize = 0;
	attr->__detachstate = PTHREAD_CREATE_JOINABLE;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	attr->__detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
	*state = attr->__detachstate;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	attr->__stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	*size = attr->__stacksize ? attr->__stacksize : STACK_DEFAULT;
	return 0;
}

int gettid(void)
{
	return usys_call0(SYS_gettid);
}

int thread_create(void *stack, void *tls, uint32_t *clear_tid)
{
	return usys_result(usys_call3(SYS_thread_create, stack, tls, clear_tid));
}

void thread_exit(int status)
{
	usys_call1(SYS_thread_exit, status);
	for (;;)
		;
}
