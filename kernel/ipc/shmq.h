/* The crypto service's requests and the queue that holds them until the
 * server takes them: first in, first out, bounded for producers, with a
 * way back to the front for a request whose server died. The queue is a
 * plain structure (no lock, no sleeping: the caller holds the service's
 * lock), so that the host tests can run it. The kernel never looks inside
 * a request's pages. */
#ifndef KERNEL_IPC_SHMQ_H
#define KERNEL_IPC_SHMQ_H

#include "kernel/lib/list.h"
#include "kernel/types.h"

#define SHMQ_CAPACITY 64 /* requests queued before crypto_op waits */

struct page;

/* One request: a client's buffer, and the pages behind it, pinned. */
struct shm_request {
	struct list link;    /* in the queue, or among those in service */
	int client;	     /* pid of the process that queued it */
	u64 va, size;	     /* its buffer, in the client */
	struct page **pages; /* the buffer's pages, a reference each */
	u64 npages;
	u64 server_va; /* in service: where the server sees the buffer */
	int deaths;    /* servers that died while holding it */
	int err;       /* failed: what crypto_wait tells the client */
};

struct shmq {
	struct list items; /* oldest first */
	u32 count;
};

void shmq_init(struct shmq *q);
/* Appends r; false (and nothing changes) when SHMQ_CAPACITY are queued. */
bool shmq_try_put(struct shmq *q, struct shm_request *r);
/* Removes and returns the oldest request, or NULL. */
struct shm_request *shmq_take(struct shmq *q);
/* Puts a taken request back in front of the others, even when the queue
 * is full: a request already accepted is never lost. */
void shmq_unget(struct shmq *q, struct shm_request *r);
/* The first queued request of client at va, or NULL. */
struct shm_request *shmq_find(struct shmq *q, int client, u64 va);
/* Removes and returns the oldest queued request of client, or NULL. */
struct shm_request *shmq_take_client(struct shmq *q, int client);

#endif
