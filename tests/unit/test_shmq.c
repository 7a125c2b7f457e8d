/* Specification of the crypto service's request queue (kernel/ipc/shmq.c):
 * first in, first out; full for producers at SHMQ_CAPACITY, and a refused
 * put changes nothing; a request put back goes in front of the others,
 * even into a full queue (an accepted request is never lost); requests are
 * found by client and address, and taken out by client (an exiting one);
 * and a long random mix of puts, takes and put-backs agrees with a plain
 * model. */
#include <criterion/criterion.h>

#include "kernel/ipc/shmq.h"

#define NREQ (4 * SHMQ_CAPACITY)

static struct shmq q;
static struct shm_request reqs[NREQ];

static void setup(void)
{
	shmq_init(&q);
	for (int i = 0; i < NREQ; i++)
		reqs[i] = (struct shm_request){.client = 100 + i % 7, .va = 0x1000u * (u64)i + 24};
}

TestSuite(shmq, .init = setup);

static void expect_take(int n)
{
	struct shm_request *got = shmq_take(&q);
	cr_assert_not_null(got, "empty when request %d was expected", n);
	cr_assert_eq(got, &reqs[n], "took request %ld, expected %d", (long)(got - reqs), n);
}

Test(shmq, empty_take_gives_null)
{
	cr_assert_null(shmq_take(&q));
	cr_assert_eq(q.count, 0);
}

Test(shmq, first_in_first_out)
{
	for (int i = 1; i <= 5; i++)
		cr_assert(shmq_try_put(&q, &reqs[i]));
	cr_assert_eq(q.count, 5);
	for (int i = 1; i <= 5; i++)
		expect_take(i);
	cr_assert_eq(q.count, 0);
	cr_assert_null(shmq_take(&q));
}

Test(shmq, full_at_capacity)
{
	for (int i = 0; i < SHMQ_CAPACITY; i++)
		cr_assert(shmq_try_put(&q, &reqs[i]), "put %d of %d failed", i, SHMQ_CAPACITY);
	cr_assert(!shmq_try_put(&q, &reqs[SHMQ_CAPACITY]), "put past capacity");
	cr_assert_eq(q.count, SHMQ_CAPACITY);
	for (int i = 0; i < SHMQ_CAPACITY; i++)
		expect_take(i);
	cr_assert_null(shmq_take(&q));
}

Test(shmq, a_request_put_back_goes_first_even_when_full)
{
	cr_assert(shmq_try_put(&q, &reqs[0]));
	for (int i = 1; i < SHMQ_CAPACITY; i++)
		cr_assert(shmq_try_put(&q, &reqs[i]));
	struct shm_request *first = shmq_take(&q);
	cr_assert(shmq_try_put(&q, &reqs[SHMQ_CAPACITY]), "room for one again");
	shmq_unget(&q, first); /* its server died: back in front */
	cr_assert_eq(q.count, SHMQ_CAPACITY + 1);
	cr_assert(!shmq_try_put(&q, &reqs[SHMQ_CAPACITY + 1]), "over capacity: producers wait");
	for (int i = 0; i <= SHMQ_CAPACITY; i++)
		expect_take(i);
}

Test(shmq, find_by_client_and_address)
{
	for (int i = 0; i < 20; i++)
		cr_assert(shmq_try_put(&q, &reqs[i]));
	cr_assert_eq(shmq_find(&q, reqs[13].client, reqs[13].va), &reqs[13]);
	cr_assert_null(shmq_find(&q, reqs[13].client + 1, reqs[13].va), "another client's");
	cr_assert_null(shmq_find(&q, reqs[30].client, reqs[30].va), "never queued");
	expect_take(0);
	cr_assert_null(shmq_find(&q, reqs[0].client, reqs[0].va), "taken");
}

/* An exiting client's requests come out oldest first; the others stay,
 * in their order. */
Test(shmq, take_client_removes_only_that_clients_requests)
{
	int client = reqs[3].client; /* requests 3, 10, 17 */

	for (int i = 0; i < 20; i++)
		cr_assert(shmq_try_put(&q, &reqs[i]));
	cr_assert_eq(shmq_take_client(&q, client), &reqs[3]);
	cr_assert_eq(shmq_take_client(&q, client), &reqs[10]);
	cr_assert_eq(shmq_take_client(&q, client), &reqs[17]);
	cr_assert_null(shmq_take_client(&q, client));
	cr_assert_eq(q.count, 17);
	for (int i = 0; i < 20; i++)
		if (reqs[i].client != client)
			expect_take(i);
	cr_assert_null(shmq_take(&q));
}

/* Random puts, takes and put-backs against a model: a double-ended array
 * of request numbers. */
Test(shmq, random_mix_matches_a_model)
{
	enum { STEPS = 200000 };
	static int model[2 * STEPS];
	int head = STEPS, tail = STEPS, next = 0;
	u64 x = 88172645463325252ull;

	for (int step = 0; step < STEPS; step++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int queued = tail - head;
		if (x % 100 < 50) {
			int n = next % NREQ;
			bool in_queue = false;
			for (int i = head; i < tail; i++)
				in_queue |= model[i] == n;
			if (in_queue)
				continue; /* a request sits in one place at a time */
			bool ok = shmq_try_put(&q, &reqs[n]);
			cr_assert_eq(ok, queued < SHMQ_CAPACITY, "step %d: put %d with %d queued",
				     step, ok, queued);
			if (ok) {
				model[tail++] = n;
				next++;
			}
		} else {
			struct shm_request *out = shmq_take(&q);
			cr_assert_eq(out != NULL, queued > 0, "step %d: take with %d queued", step,
				     queued);
			if (!out)
				continue;
			cr_assert_eq(out, &reqs[model[head]], "step %d: out of order", step);
			head++;
			if (x % 100 > 95) {
				shmq_unget(&q, out);
				model[--head] = (int)(out - reqs);
			}
		}
		cr_assert_eq(q.count, (u32)(tail - head));
	}
}
