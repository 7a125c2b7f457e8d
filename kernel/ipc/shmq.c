/* The bounded request ring and its sleeping wrappers. */
#include "kernel/ipc/shmq.h"
#include "include/uapi/errno.h"

void shmq_init(struct shmq *q)
{
	spin_init(&q->lock, "shmq");
	q->head = q->count = 0;
}

bool shmq_try_put(struct shmq *q, const struct shm_request *r)
{
	if (q->count == SHMQ_CAPACITY)
		return false;
	q->ring[(q->head + q->count) % SHMQ_CAPACITY] = *r;
	q->count++;
	return true;
}

bool shmq_try_unget(struct shmq *q, const struct shm_request *r)
{
	if (q->count == SHMQ_CAPACITY)
		return false;
	q->head = (q->head + SHMQ_CAPACITY - 1) % SHMQ_CAPACITY;
	q->ring[q->head] = *r;
	q->count++;
	return true;
}

bool shmq_try_take(struct shmq *q, struct shm_request *out)
{
	if (q->count == 0)
		return false;
	*out = q->ring[q->head];
	q->head = (q->head + 1) % SHMQ_CAPACITY;
	q->count--;
	return true;
}

#ifndef MNEMO_HOST
#include "kernel/proc/proc.h"

/* Producers sleep on &q->count's address + 1, consumers on &q->count, so
 * each side wakes only the other. */
int shmq_put(struct shmq *q, const struct shm_request *r)
{
	spin_lock(&q->lock);
	while (!shmq_try_put(q, r)) {
		if (sleep_killable((char *)&q->count + 1, &q->lock) < 0) {
			spin_unlock(&q->lock);
			return -EINTR;
		}
	}
	/* The client goes on to wait for its answer: let the server run
	 * here rather than wake another hart. */
	wakeup_sync(&q->count, -1);
	spin_unlock(&q->lock);
	return 0;
}

int shmq_take(struct shmq *q, struct shm_request *out)
{
	spin_lock(&q->lock);
	for (;;) {
		/* A killed taker must leave the request for its successor. */
		if (proc_killed(myproc())) {
			spin_unlock(&q->lock);
			return -EINTR;
		}
		if (shmq_try_take(q, out))
			break;
		if (sleep_killable(&q->count, &q->lock) < 0) {
			spin_unlock(&q->lock);
			return -EINTR;
		}
	}
	wakeup((char *)&q->count + 1);
	spin_unlock(&q->lock);
	return 0;
}

void shmq_unget(struct shmq *q, const struct shm_request *r)
{
	spin_lock(&q->lock);
	if (shmq_try_unget(q, r))
		wakeup(&q->count);
	spin_unlock(&q->lock);
}
#endif
