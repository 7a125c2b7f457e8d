/* The crypto service's calls: requests well formed and not (headers,
 * sizes, ranges that run into a read-only or unmapped page), requests
 * raced by mprotect, munmap or a fresh mmap of their buffer right after
 * they are queued (by the same process, or by a child forked with the
 * request in flight), and the two server calls, which a client must be
 * refused. A request left alone is waited for, and its answer checked:
 * DONE with the right cipher text when the header is valid, ERROR
 * otherwise (the server's rules, user/lib/crypto_serve.c). */
#include <chacha20.h>
#include <crypto.h>
#include <string.h>

#include "include/uapi/mman.h"

#include "fuzz.h"

/* The request the process built last, to check its answer against. */
struct fz_request {
	uint64_t addr, size; /* what crypto_op is given */
	uint32_t type, state;
	uint64_t key_size, data_size;
	bool whole; /* all of [addr, addr+size) written and read-write */
};

static struct fz_request fz_req;
static uint8_t fz_orig[FZ_SLOT_RW]; /* the payload as written */

/* Maps crypto slot k again if it may be gone; whether it is usable. */
static bool fz_slot_ready(struct fz_proc *p, int k)
{
	uint64_t s = FZ_CRYPTO + (uint64_t)k * FZ_SLOT_SIZE;

	if (p->slot_lost[k]) {
		long at = fz_sub(p, "mmap", SYS_mmap, 6, s, FZ_SLOT_RW,
				 MNEMO_PROT_READ | MNEMO_PROT_WRITE,
				 MNEMO_MAP_PRIVATE | MNEMO_MAP_ANONYMOUS | MNEMO_MAP_FIXED, -1, 0);
		p->slot_lost[k] = at != (long)s;
	}
	return !p->slot_lost[k];
}

/* One of the n values. */
static uint64_t fz_pick64(struct fz_rng *r, const uint64_t *v, size_t n)
{
	return v[fz_below(r, n)];
}

/* Builds a request in slot k (which must be ready): usually well formed,
 * sometimes with a bad type, state or sizes. cross: the header sits at
 * the end of the read-write part, so the payload runs into the read-only
 * page after it. */
static void fz_build(struct fz_proc *p, int k, bool cross)
{
	static const uint64_t odd_sizes[] = {0, 1ul << 40, ~0ul, 1ul << 63, 8192};
	struct fz_rng *r = &p->rng;
	struct fz_request *q = &fz_req;
	uint64_t base = FZ_CRYPTO + (uint64_t)k * FZ_SLOT_SIZE;
	uint64_t off = cross ? FZ_SLOT_RW - CRYPTO_OP_HEADER_SIZE - fz_below(r, 64)
			     : fz_below(r, 64) & (fz_chance(r, 80) ? ~7ul : ~0ul);
	uint64_t avail = FZ_SLOT_RW - off - CRYPTO_OP_HEADER_SIZE;

	q->addr = base + off;
	q->type = fz_chance(r, 85) ? 1 + (uint32_t)fz_below(r, 3) : (uint32_t)fz_next(r) % 6;
	q->state = fz_chance(r, 90) ? CRYPTO_OP_STATE_INIT : (uint32_t)fz_below(r, 5);
	if (q->type == CRYPTO_OP_TYPE_CHACHA20 && fz_chance(r, 85))
		q->key_size = CRYPTO_CHACHA20_KEY_SIZE;
	else if (fz_chance(r, 85))
		q->key_size = 1 + fz_below(r, 32);
	else
		q->key_size = fz_pick64(r, odd_sizes, 5);
	uint64_t data_max = q->key_size <= avail ? avail - q->key_size : 0;
	if (fz_chance(r, 80))
		q->data_size = fz_below(r, (data_max < 4000 ? data_max : 4000) + 1);
	else
		q->data_size = fz_pick64(r, odd_sizes, 5);
	uint64_t exact = CRYPTO_OP_HEADER_SIZE + q->key_size + q->data_size;
	bool sane = q->key_size <= avail && q->data_size <= data_max;
	if (sane && fz_chance(r, 80))
		q->size = exact;
	else {
		const uint64_t sizes[] = {23, 24, 0, exact + 1, exact - 1, 1ul << 40, ~0ul};
		q->size = fz_chance(r, 20) ? fz_below(r, 8192) : fz_pick64(r, sizes, 7);
	}

	struct crypto_op head = {q->type, q->state, q->key_size, q->data_size};
	uint64_t payload = q->size - CRYPTO_OP_HEADER_SIZE;
	if (payload > avail || q->size < CRYPTO_OP_HEADER_SIZE)
		payload = avail;
	for (uint64_t i = 0; i < payload; i++)
		fz_orig[i] = (uint8_t)fz_next(r);
	memcpy((void *)q->addr, &head, sizeof(head));
	memcpy((void *)(q->addr + CRYPTO_OP_HEADER_SIZE), fz_orig, payload);
	q->whole = q->size >= CRYPTO_OP_HEADER_SIZE && q->size - CRYPTO_OP_HEADER_SIZE <= avail;
}

/* Whether the server must answer DONE (its rules, crypto_serve.c). */
static bool fz_valid(const struct fz_request *q)
{
	if (q->state != CRYPTO_OP_STATE_INIT || q->key_size == 0 ||
	    q->size < CRYPTO_OP_HEADER_SIZE || q->key_size > q->size - CRYPTO_OP_HEADER_SIZE ||
	    q->data_size > q->size - CRYPTO_OP_HEADER_SIZE - q->key_size)
		return false;
	if (q->type == CRYPTO_OP_TYPE_ENCRYPT || q->type == CRYPTO_OP_TYPE_DECRYPT)
		return true;
	if (q->type != CRYPTO_OP_TYPE_CHACHA20 || q->key_size != CRYPTO_CHACHA20_KEY_SIZE)
		return false;
	const uint8_t *c = fz_orig + CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE;
	uint32_t counter =
	    (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
	return chacha20_fits(counter, q->data_size);
}

/* Checks a DONE answer's data against the cipher run here. */
static void fz_check_data(struct fz_proc *p, const struct fz_request *q)
{
	static uint8_t want[FZ_SLOT_RW];
	const uint8_t *key = fz_orig, *got = (const uint8_t *)q->addr + CRYPTO_OP_HEADER_SIZE;

	memcpy(want, fz_orig + q->key_size, q->data_size);
	if (q->type == CRYPTO_OP_TYPE_CHACHA20) {
		const uint8_t *c = key + CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE;
		uint32_t counter = (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 |
				   (uint32_t)c[3] << 24;
		chacha20_xor(key, key + CHACHA20_KEY_SIZE, counter, want, q->data_size);
	} else {
		for (uint64_t i = 0; i < q->data_size; i++)
			want[i] ^= key[i % q->key_size];
	}
	for (uint64_t i = 0; i < q->data_size; i++) {
		if (got[q->key_size + i] != want[i]) {
			fz_broken(p, "the answer's data differ at byte %lu", (unsigned long)i);
			return;
		}
	}
}

/* Marks the slots that [addr, addr+size) meets as holding a request in
 * flight; returns whether one of them did already. The server answers a
 * request from whatever is at its address when it takes it, so a request
 * built where an older one waits may be answered as that one: only a
 * request in a quiet slot can be checked. */
static bool fz_mark_busy(struct fz_proc *p, uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size < addr ? ~0ul : addr + size;
	bool was = false;

	for (int k = 0; k < FZ_NCRYPTO; k++) {
		uint64_t s = FZ_CRYPTO + (uint64_t)k * FZ_SLOT_SIZE;
		if (addr < s + FZ_SLOT_RW && s < end) {
			was |= p->slot_busy[k];
			p->slot_busy[k] = true;
		}
	}
	return was;
}

/* The queue is served in order by one server, one request at a time: once
 * a request is answered, every request queued before it is done with. */
static void fz_all_answered(struct fz_proc *p)
{
	memset(p->slot_busy, 0, sizeof(p->slot_busy));
}

/* Waits for the answer to the request just queued (in state INIT, so
 * that the answer shows), ticks/100 s at most, and checks it: sleeping
 * on the state word's futex (when aligned), or polling it. A server that
 * never answers leaves a futex waiter asleep, which the parent reports as
 * a hang naming that call. */
static void fz_await(struct fz_proc *p, const struct fz_request *q, bool futex, int ticks,
		     const char *context)
{
	volatile uint32_t *state = (volatile uint32_t *)(q->addr + 4);
	bool use_futex = futex && ((uint64_t)state & 3) == 0;

	for (int t = 0; *state == CRYPTO_OP_STATE_INIT && t < ticks; t++) {
		long ret = -FZ_EINVAL;
		if (use_futex)
			ret = fz_sub(p, "futex_wait", SYS_futex_wait, 2, (long)state,
				     (long)CRYPTO_OP_STATE_INIT);
		if (ret != 0 && ret != -FZ_EAGAIN) {
			use_futex = false;
			fz_sub(p, "sleep", SYS_sleep, 1, 1l);
		}
	}
	__asm__ volatile("fence rw,rw" : : : "memory");
	uint32_t got = *state;
	bool valid = fz_valid(q);
	if (got == CRYPTO_OP_STATE_INIT)
		fz_broken(p, "no answer in %d ms to the request at 0x%lx%s", ticks * 10,
			  (unsigned long)q->addr, context);
	else if (valid != (got == CRYPTO_OP_STATE_DONE) || (!valid && got != CRYPTO_OP_STATE_ERROR))
		fz_broken(p, "request 0x%lx size %lu type %u key %lu data %lu got state %u",
			  (unsigned long)q->addr, (unsigned long)q->size, q->type,
			  (unsigned long)q->key_size, (unsigned long)q->data_size, got);
	else if (valid)
		fz_check_data(p, q);
	if (got != CRYPTO_OP_STATE_INIT)
		fz_all_answered(p);
}

/* crypto_op on a request in a slot (valid or not, sometimes running into
 * the slot's read-only page), or on any pointer and size. */
static void gen_crypto_op(struct fz_proc *p, struct fz_call *c)
{
	struct fz_rng *r = &p->rng;
	int k = (int)fz_below(r, FZ_NCRYPTO);
	unsigned how = (unsigned)fz_below(r, 10);

	c->nr = SYS_crypto_op;
	fz_req.whole = false;
	if (how < 8 && fz_slot_ready(p, k)) {
		fz_build(p, k, how >= 6);
		fz_arg(c, 0, (long)fz_req.addr, "slot%d+0x%lx", k,
		       (unsigned long)(fz_req.addr & (FZ_SLOT_SIZE - 1)));
		fz_arg(c, 1, (long)fz_req.size, "%s", fz_req.whole ? "whole" : "");
	} else {
		struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);
		uint64_t size = fz_size_arg(p, c, 1, &at);
		if (size >= CRYPTO_OP_HEADER_SIZE && at.bad)
			c->expect = -FZ_EFAULT;
	}
	if ((uint64_t)c->arg[1] < CRYPTO_OP_HEADER_SIZE)
		c->expect = -FZ_EINVAL;
}

/* A request queued in a quiet slot is waited for, half the time. */
static void after_crypto_op(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret != 0)
		return;
	bool busy = fz_mark_busy(p, (uint64_t)c->arg[0], (uint64_t)c->arg[1]);
	if (!busy && fz_req.whole && fz_req.state == CRYPTO_OP_STATE_INIT && fz_chance(&p->rng, 50))
		fz_await(p, &fz_req, true, 300, "");
}

/* Takes the request's buffer away (or part of it) at once, in this
 * process: read-only, no access, unmapped, or mapped afresh. */
static void fz_race_here(struct fz_proc *p, int k, unsigned how)
{
	uint64_t s = FZ_CRYPTO + (uint64_t)k * FZ_SLOT_SIZE;
	long len = fz_chance(&p->rng, 70) ? (long)FZ_SLOT_RW : (long)FZ_PAGE;

	p->slot_lost[k] = true;
	switch (how) {
	case 0:
		fz_sub(p, "mprotect", SYS_mprotect, 3, (long)s, len, (long)MNEMO_PROT_READ);
		break;
	case 1:
		fz_sub(p, "mprotect", SYS_mprotect, 3, (long)s, len, (long)MNEMO_PROT_NONE);
		break;
	case 2:
		fz_sub(p, "munmap", SYS_munmap, 2, (long)s, len);
		break;
	default:
		fz_sub(p, "mmap", SYS_mmap, 6, (long)s, len,
		       (long)(MNEMO_PROT_READ | MNEMO_PROT_WRITE),
		       (long)(MNEMO_MAP_PRIVATE | MNEMO_MAP_ANONYMOUS | MNEMO_MAP_FIXED), -1l, 0l);
		break;
	}
}

/* Forks with the request in flight. The child either takes its copy of
 * the buffer away, or queues a request of its own on that copy and exits
 * at once; the parent's request, untouched, must still be answered. */
static void fz_race_in_kid(struct fz_proc *p, int k, bool own_request, bool busy)
{
	long pid = fz_sub(p, "fork", SYS_fork, 0);

	if (pid == 0) {
		fz_become_kid(p, p->nkids);
		if (own_request)
			fz_sub(p, "crypto_op", SYS_crypto_op, 2, (long)fz_req.addr,
			       (long)fz_req.size);
		else
			fz_race_here(p, k, (unsigned)fz_below(&p->rng, 4));
		fz_exit(p, 0);
	}
	if (pid > 0)
		fz_note_kid(p, (int)pid);
	if (!busy && fz_chance(&p->rng, 50))
		fz_await(p, &fz_req, true, 300, "");
}

/* A valid request, queued, then raced. */
static void gen_crypto_race(struct fz_proc *p, struct fz_call *c)
{
	int k = (int)fz_below(&p->rng, FZ_NCRYPTO);

	c->nr = SYS_crypto_op;
	fz_req.whole = false;
	if (!fz_slot_ready(p, k)) {
		fz_arg(c, 0, 0, "null");
		fz_arg(c, 1, CRYPTO_OP_HEADER_SIZE, "%s", "");
		c->expect = -FZ_EFAULT;
		return;
	}
	do
		fz_build(p, k, false);
	while (!fz_req.whole || !fz_valid(&fz_req));
	fz_arg(c, 0, (long)fz_req.addr, "slot%d+0x%lx", k,
	       (unsigned long)(fz_req.addr & (FZ_SLOT_SIZE - 1)));
	fz_arg(c, 1, (long)fz_req.size, "whole");
}

/* Takes the queued buffer away at once: here (read-only, no access,
 * unmapped, mapped afresh), in a forked child, or by exiting. */
static void after_crypto_race(struct fz_proc *p, struct fz_call *c, long ret)
{
	unsigned how = (unsigned)fz_below(&p->rng, 20);
	bool can_fork = p->slot < FZ_MAX_CHILDREN && p->nkids < FZ_MAX_KIDS;

	if (ret != 0)
		return;
	int k = (int)(((uint64_t)c->arg[0] - FZ_CRYPTO) / FZ_SLOT_SIZE);
	bool busy = fz_mark_busy(p, (uint64_t)c->arg[0], (uint64_t)c->arg[1]);
	if (how == 19)
		fz_exit(p, 0); /* the client is gone with its request in flight */
	if (how >= 12 && can_fork) {
		fz_race_in_kid(p, k, how >= 16, busy);
		return;
	}
	fz_race_here(p, k, how % 4);
	/* Made read-only, the buffer can still be read: the pages queued
	 * stay pinned and the server's, so the answer must come (polled, for
	 * it comes within milliseconds, and a crashed server never writes). */
	if (how % 4 == 0 && !busy && fz_chance(&p->rng, 25))
		fz_await(p, &fz_req, false, 100, ", made read-only once queued");
}

/* A client asking to serve must be refused, whatever its arguments. */
static void gen_take(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_take_shared_memory_request;
	fz_ptr_arg(p, c, 0, 0);
	fz_ptr_arg(p, c, 1, 0);
	c->expect = -FZ_EPERM;
}

/* The server's other call, refused to a client as well. */
static void gen_remove(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_remove_shared_memory_request;
	struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);
	fz_size_arg(p, c, 1, &at);
	c->expect = -FZ_EPERM;
}

/* crypto_wait on one of the slots (a request of ours may be queued or in
 * service there: the call sleeps until it is answered) or anywhere else
 * (nothing is queued there: it returns at once). */
static void gen_crypto_wait(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_crypto_wait;
	if (fz_chance(&p->rng, 50)) {
		int k = (int)fz_below(&p->rng, FZ_NCRYPTO);
		fz_arg(c, 0, (long)(FZ_CRYPTO + (uint64_t)k * FZ_SLOT_SIZE), "slot%d", k);
	} else {
		fz_ptr_arg(p, c, 0, 0);
	}
}

/* Only the server's death (twice) fails a request, which the real server
 * never gives cause for; so the answer is 0. (It says nothing of requests
 * at other addresses, so the slots' model stays as it is.) */
static void after_crypto_wait(struct fz_proc *p, struct fz_call *c, long ret)
{
	(void)c;
	if (ret != 0)
		fz_broken(p, "crypto_wait returned %ld (%s), expected 0", ret, fz_errname(ret));
}

const struct fz_entry fz_crypto_calls[] = {
    {"crypto_op", "crypto", 4, true, gen_crypto_op, after_crypto_op},
    {"crypto_race", "crypto", 3, true, gen_crypto_race, after_crypto_race},
    {"take_shared_memory_request", "crypto", 1, true, gen_take, NULL},
    {"remove_shared_memory_request", "crypto", 1, true, gen_remove, NULL},
    {"crypto_wait", "crypto", 2, true, gen_crypto_wait, after_crypto_wait},
};
const int fz_ncrypto_calls = sizeof(fz_crypto_calls) / sizeof(fz_crypto_calls[0]);
