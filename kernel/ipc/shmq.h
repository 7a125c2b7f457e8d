/* The crypto service's request queue: a bounded ring of (client, range)
 * records, count-based. The ring itself (shmq_try_*) is pure and tested on
 * the host; shmq_put/shmq_take add sleeping when full or empty. The kernel
 * never looks inside the requests. */
#ifndef KERNEL_IPC_SHMQ_H
#define KERNEL_IPC_SHMQ_H

#include "kernel/lib/spinlock.h"
#include "kernel/types.h"

#define SHMQ_CAPACITY 64

struct shm_request {
	int pid;  /* the client */
	u64 va;	  /* start of its buffer */
	u64 size; /* bytes */
};

struct shmq {
	struct spinlock lock;
	struct shm_request ring[SHMQ_CAPACITY]; /* (lock) */
	u32 head;				/* (lock) oldest request */
	u32 count;				/* (lock) requests queued */
};

void shmq_init(struct shmq *q);
/* Lock held. false when full / empty. */
bool shmq_try_put(struct shmq *q, const struct shm_request *r);
bool shmq_try_take(struct shmq *q, struct shm_request *out);
/* Puts a taken request back at the front; false when full. */
bool shmq_try_unget(struct shmq *q, const struct shm_request *r);

/* Sleep until there is room / a request; 0 or -EINTR if the caller is
 * killed while waiting. */
int shmq_put(struct shmq *q, const struct shm_request *r);
int shmq_take(struct shmq *q, struct shm_request *out);
/* Gives a taken request back (its taker was killed); dropped if full. */
void shmq_unget(struct shmq *q, const struct shm_request *r);

#endif
