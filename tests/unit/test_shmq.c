/* Specification of the crypto service's request ring (kernel/ipc/shmq.c,
 * the part without sleeping): first in, first out; full at
 * SHMQ_CAPACITY, empty at zero, and neither changes the ring; the head
 * wraps around; and a long random mix of puts and takes agrees with a
 * plain model queue. */
#include <criterion/criterion.h>

#include "kernel/ipc/shmq.h"

/* shmq_init names its lock; the ring itself never locks (the caller
 * holds the lock), so the host needs only this. */
void spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->cpu = NULL;
}

static struct shmq q;

static void setup(void)
{
	shmq_init(&q);
}

static struct shm_request req(int n)
{
	return (struct shm_request){.pid = n, .va = 0x1000u * (u64)n + 24, .size = (u64)n * 3 + 1};
}

static void expect_take(int n)
{
	struct shm_request got;

	cr_assert(shmq_try_take(&q, &got), "empty when %d was expected", n);
	cr_assert(got.pid == n && got.va == req(n).va && got.size == req(n).size,
		  "took pid %d va %#lx size %lu, expected request %d", got.pid, got.va, got.size,
		  n);
}

TestSuite(shmq, .init = setup);

Test(shmq, empty_take_fails_and_changes_nothing)
{
	struct shm_request out = req(99);

	cr_assert(!shmq_try_take(&q, &out));
	cr_assert_eq(out.pid, 99, "a failed take wrote its output");
	cr_assert_eq(q.count, 0);
	cr_assert_eq(q.head, 0);
}

Test(shmq, first_in_first_out)
{
	for (int i = 1; i <= 5; i++) {
		struct shm_request r = req(i);
		cr_assert(shmq_try_put(&q, &r));
	}
	cr_assert_eq(q.count, 5);
	for (int i = 1; i <= 5; i++)
		expect_take(i);
	cr_assert_eq(q.count, 0);
}

Test(shmq, full_at_capacity)
{
	for (int i = 0; i < SHMQ_CAPACITY; i++) {
		struct shm_request r = req(i);
		cr_assert(shmq_try_put(&q, &r), "put %d of %d failed", i, SHMQ_CAPACITY);
	}
	struct shm_request extra = req(1000);
	cr_assert(!shmq_try_put(&q, &extra), "put past capacity");
	cr_assert_eq(q.count, SHMQ_CAPACITY);
	/* The refused request overwrote nothing. */
	for (int i = 0; i < SHMQ_CAPACITY; i++)
		expect_take(i);
	cr_assert(!shmq_try_take(&q, &extra));
}

/* Half fill, drain, repeat: the head goes round the ring several times. */
Test(shmq, head_wraps_around)
{
	int next_put = 0, next_take = 0;

	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < SHMQ_CAPACITY * 3 / 4; i++) {
			struct shm_request r = req(next_put++);
			cr_assert(shmq_try_put(&q, &r));
		}
		while (next_take < next_put)
			expect_take(next_take++);
		cr_assert(q.head < SHMQ_CAPACITY);
	}
	cr_assert_eq(q.count, 0);
}

/* Random puts and takes against a model: an array with a read and a write
 * index that only grow. */
Test(shmq, random_mix_matches_a_model)
{
	enum { STEPS = 200000 };
	static int model[STEPS];
	int w = 0, r = 0;
	u64 x = 88172645463325252ull;

	for (int step = 0; step < STEPS; step++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x % 100 < 52) {
			struct shm_request in = req(step);
			bool ok = shmq_try_put(&q, &in);
			cr_assert_eq(ok, w - r < SHMQ_CAPACITY, "step %d: put %d with %d queued",
				     step, ok, w - r);
			if (ok)
				model[w++] = step;
		} else {
			struct shm_request out;
			bool ok = shmq_try_take(&q, &out);
			cr_assert_eq(ok, w > r, "step %d: take %d with %d queued", step, ok, w - r);
			if (ok)
				cr_assert_eq(out.pid, model[r++], "step %d: out of order", step);
		}
		cr_assert_eq(q.count, (u32)(w - r));
	}
}
