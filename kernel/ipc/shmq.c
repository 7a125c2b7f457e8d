/* The crypto service's request queue (see shmq.h). */
#include "kernel/ipc/shmq.h"

void shmq_init(struct shmq *q)
{
	list_init(&q->items);
	q->count = 0;
}

bool shmq_try_put(struct shmq *q, struct shm_request *r)
{
	if (q->count >= SHMQ_CAPACITY)
		return false;
	list_push_back(&q->items, &r->link);
	q->count++;
	return true;
}

struct shm_request *shmq_take(struct shmq *q)
{
	if (q->count == 0)
		return NULL;
	struct shm_request *r = list_entry(q->items.next, struct shm_request, link);
	list_del(&r->link);
	q->count--;
	return r;
}

void shmq_unget(struct shmq *q, struct shm_request *r)
{
	list_push_front(&q->items, &r->link);
	q->count++;
}

struct shm_request *shmq_find(struct shmq *q, int client, u64 va)
{
	struct list *pos;
	list_for_each(pos, &q->items)
	{
		struct shm_request *r = list_entry(pos, struct shm_request, link);
		if (r->client == client && r->va == va)
			return r;
	}
	return NULL;
}

struct shm_request *shmq_take_client(struct shmq *q, int client)
{
	struct list *pos;
	list_for_each(pos, &q->items)
	{
		struct shm_request *r = list_entry(pos, struct shm_request, link);
		if (r->client == client) {
			list_del(&r->link);
			q->count--;
			return r;
		}
	}
	return NULL;
}
