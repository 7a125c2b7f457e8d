/* Thread-specific data: pthread_key_create, delete, getspecific,
 * setspecific, and the destructors that run when a thread exits.
 *
 * Each thread's descriptor has a slot per key. A key's slots would keep
 * the values of a deleted key that used it before, so each key has a
 * generation, moved at each create: a slot whose generation is not its
 * key's reads as NULL, without touching every thread at delete. */
#include <errno.h>
#include <pthread.h>

#include "pthread_impl.h"

static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	unsigned gen; /* odd while the key is in use */
	void (*destructor)(void *);
} keys[PTHREAD_KEYS_MAX];

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	pthread_mutex_lock(&keys_lock);
	for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
		if (keys[k].gen % 2 == 0) {
			keys[k].destructor = destructor;
			__atomic_store_n(&keys[k].gen, keys[k].gen + 1, __ATOMIC_RELEASE);
			pthread_mutex_unlock(&keys_lock);
			*key = k;
			return 0;
		}
	}
	pthread_mutex_unlock(&keys_lock);
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
	int err = 0;

	pthread_mutex_lock(&keys_lock);
	if (key >= PTHREAD_KEYS_MAX || keys[key].gen % 2 == 0)
		err = EINVAL;
	else
		__atomic_store_n(&keys[key].gen, keys[key].gen + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&keys_lock);
	return err;
}

static int key_live(pthread_key_t key)
{
	return key < PTHREAD_KEYS_MAX && __atomic_load_n(&keys[key].gen, __ATOMIC_ACQUIRE) % 2;
}

void *pthread_getspecific(pthread_key_t key)
{
	struct __pthread *t = __pthread_self();

	if (!key_live(key) || t->specific[key].gen != keys[key].gen)
		return NULL;
	return t->specific[key].value;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	struct __pthread *t = __pthread_self();

	if (!key_live(key))
		return EINVAL;
	t->specific[key].value = (void *)value;
	t->specific[key].gen = keys[key].gen;
	return 0;
}

/* POSIX: each non-NULL value of a live key with a destructor is set to
 * NULL and passed to it; values set again by destructors get further
 * rounds, up to PTHREAD_DESTRUCTOR_ITERATIONS. */
void __pthread_keys_exit(struct __pthread *t)
{
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int called = 0;
		for (pthread_key_t k = 0; k < PTHREAD_KEYS_MAX; k++) {
			void *v = pthread_getspecific(k);
			void (*d)(void *) = keys[k].destructor;
			if (!v || !d)
				continue;
			t->specific[k].value = NULL;
			d(v);
			called = 1;
		}
		if (!called)
			return;
	}
}
