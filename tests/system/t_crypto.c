/* The crypto service: crypto_op() and crypto_wait() against the server,
 * /bin/crypto_srv (PID 2).
 *   - the seed's test vector, in-process and through /bin/crypto_cli;
 *   - ChaCha20 against RFC 8439's 2.4.2 vector;
 *   - 8 clients x 100 requests at once, 1 byte to 1 MiB, XOR and
 *     ChaCha20, every result checked against the cipher run locally;
 *   - malformed requests (state, type, sizes, overflowing sums, random
 *     headers) end in ERROR with the data untouched, and the server
 *     keeps serving;
 *   - clients that exit before their request is taken or while it is
 *     served, that unmap their buffer, or that are killed while waiting:
 *     nothing crashes, nothing leaks;
 *   - crypto_op's own checks (EINVAL, EFAULT) and EPERM for the server's
 *     calls from anyone else;
 *   - the crypto command over a file and over pipes;
 *   - a client that makes its buffer read-only or PROT_NONE while its
 *     request is queued gets its answer, and the server is not hurt;
 *   - trust: kill(2) is EPERM, and a program put at /bin/crypto_srv does
 *     not become the server. */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <chacha20.h>
#include <crypto.h>

#include "include/uapi/syscall.h"
#include "test.h"

#define PAGE	   4096L
#define MIB	   (1L << 20)
#define WAIT_TICKS 500 /* a request that takes longer is lost */
#define CLIENTS	   8
#define REQUESTS   100
#define IN_FLIGHT  4 /* requests a client has queued at once */

/* ---------------------------------------------------------------- helpers */

/* A request for data_size bytes with a key_size-byte key, INIT, in
 * malloc'ed memory; its total size in *size. */
static struct crypto_op *cr_new(uint32_t type, uint64_t key_size, uint64_t data_size,
				uint64_t *size)
{
	*size = CRYPTO_OP_HEADER_SIZE + key_size + data_size;
	struct crypto_op *op = malloc(*size);

	if (!op)
		return NULL;
	op->type = type;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = key_size;
	op->data_size = data_size;
	return op;
}

/* Waits for the answer without trusting the server to come back: polls
 * for at most WAIT_TICKS. Returns the state (still INIT: no answer). */
static uint32_t cr_wait_bounded(struct crypto_op *op)
{
	volatile uint32_t *state = &op->state;
	int deadline = uptime() + WAIT_TICKS;

	while (*state == CRYPTO_OP_STATE_INIT && uptime() < deadline)
		usleep(2000);
	__asm__ volatile("fence rw,rw" : : : "memory");
	return *state;
}

/* Queues op; retries while there is no server (it is being restarted). */
static int cr_submit(struct crypto_op *op, uint64_t size)
{
	for (int i = 0; i < WAIT_TICKS; i++) {
		if (crypto_op(op, size) == 0)
			return 0;
		if (errno != ESRCH)
			return -1;
		usleep(10000);
	}
	return -1;
}

/* data ^= key, repeated: the server's XOR, done here. */
static void cr_xor(uint8_t *data, uint64_t n, const uint8_t *key, uint64_t key_size)
{
	for (uint64_t i = 0; i < n; i++)
		data[i] ^= key[i % key_size];
}

/* The server's answer to op, computed here into out. */
static void cr_expect(const struct crypto_op *op, uint8_t *out)
{
	const uint8_t *key = op->payload;

	memcpy(out, op->payload + op->key_size, op->data_size);
	if (op->type == CRYPTO_OP_TYPE_CHACHA20) {
		const uint8_t *c = key + CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE;
		uint32_t counter = c[0] | c[1] << 8 | c[2] << 16 | (uint32_t)c[3] << 24;
		chacha20_xor(key, key + CHACHA20_KEY_SIZE, counter, out, op->data_size);
	} else {
		cr_xor(out, op->data_size, key, op->key_size);
	}
}

/* Is a served, well-formed request still being served right: one request
 * round trip that must come back DONE and right. */
static int cr_server_serves(void)
{
	uint64_t size;
	struct crypto_op *op = cr_new(CRYPTO_OP_TYPE_ENCRYPT, 3, 100, &size);
	int ok = 0;

	if (!op)
		return 0;
	memcpy(op->payload, "abc", 3);
	memset(op->payload + 3, 'x', 100);
	if (cr_submit(op, size) == 0 && cr_wait_bounded(op) == CRYPTO_OP_STATE_DONE)
		ok = op->payload[3] == ('x' ^ 'a') && op->payload[4] == ('x' ^ 'b') &&
		     op->payload[102] == ('x' ^ 'a');
	free(op);
	return ok;
}

static uint64_t cr_rng_state;
static uint64_t cr_rand(void)
{
	cr_rng_state ^= cr_rng_state << 13;
	cr_rng_state ^= cr_rng_state >> 7;
	cr_rng_state ^= cr_rng_state << 17;
	return cr_rng_state;
}

/* ---------------------------------------------------------------- vectors */

static const uint8_t cr_secret[60] = {
    0x1b, 0x3b, 0x5b, 0x43, 0x12, 0x5d, 0x3c, 0x73, 0x53, 0x10, 0x41, 0x51, 0x2c, 0x21, 0x57,
    0x44, 0x12, 0x47, 0x3b, 0x21, 0x5b, 0x5e, 0x55, 0x14, 0x3b, 0x3c, 0x12, 0x52, 0x57, 0x14,
    0x2b, 0x36, 0x51, 0x42, 0x4b, 0x44, 0x3b, 0x36, 0x56, 0x10, 0x50, 0x4d, 0x6f, 0x27, 0x5a,
    0x55, 0x12, 0x57, 0x3d, 0x2a, 0x42, 0x44, 0x5d, 0x14, 0x3c, 0x36, 0x40, 0x46, 0x57, 0x46,
};
static const char cr_plain[] = "This is a secret string to be decrypted by the crypto server";

static void test_seed_vector(void)
{
	uint64_t size;
	struct crypto_op *op = cr_new(CRYPTO_OP_TYPE_DECRYPT, 6, 60, &size);

	if (!op)
		return;
	memcpy(op->payload, "OS2024", 6);
	memcpy(op->payload + 6, cr_secret, 60);
	int queued = crypto_op(op, size);
	CHECK_OK("vector-queued", queued);
	if (queued == 0) {
		int state = crypto_wait(op);
		CHECK("vector-done", state == CRYPTO_OP_STATE_DONE, "state %d", state);
		CHECK("vector-plaintext", memcmp(op->payload + 6, cr_plain, 60) == 0, "got %.60s",
		      (char *)op->payload + 6);
		CHECK("vector-key-kept", memcmp(op->payload, "OS2024", 6) == 0);
	}
	free(op);
}

static void test_crypto_cli(void)
{
	static uint8_t out[512];
	char *argv[] = {"/bin/crypto_cli", NULL};
	size_t len = 0;
	int status = test_run(argv, "", 0, out, sizeof(out) - 1, &len);
	const char *want = "crypto_cli: decrypted message: This is a secret string to be "
			   "decrypted by the crypto server\n";

	out[len] = '\0';
	CHECK("crypto_cli", status == 0 && strcmp((char *)out, want) == 0, "status %d, output %s",
	      status, out);
}

/* RFC 8439, 2.4.2. */
static const char cr_sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer "
				   "you only one tip for the future, sunscreen would be it.";
static const uint8_t cr_sunscreen_cipher[114] = {
    0x6e, 0x2e, 0x35, 0x9a, 0x25, 0x68, 0xf9, 0x80, 0x41, 0xba, 0x07, 0x28, 0xdd, 0x0d, 0x69,
    0x81, 0xe9, 0x7e, 0x7a, 0xec, 0x1d, 0x43, 0x60, 0xc2, 0x0a, 0x27, 0xaf, 0xcc, 0xfd, 0x9f,
    0xae, 0x0b, 0xf9, 0x1b, 0x65, 0xc5, 0x52, 0x47, 0x33, 0xab, 0x8f, 0x59, 0x3d, 0xab, 0xcd,
    0x62, 0xb3, 0x57, 0x16, 0x39, 0xd6, 0x24, 0xe6, 0x51, 0x52, 0xab, 0x8f, 0x53, 0x0c, 0x35,
    0x9f, 0x08, 0x61, 0xd8, 0x07, 0xca, 0x0d, 0xbf, 0x50, 0x0d, 0x6a, 0x61, 0x56, 0xa3, 0x8e,
    0x08, 0x8a, 0x22, 0xb6, 0x5e, 0x52, 0xbc, 0x51, 0x4d, 0x16, 0xcc, 0xf8, 0x06, 0x81, 0x8c,
    0xe9, 0x1a, 0xb7, 0x79, 0x37, 0x36, 0x5a, 0xf9, 0x0b, 0xbf, 0x74, 0xa3, 0x5b, 0xe6, 0xb4,
    0x0b, 0x8e, 0xed, 0xf2, 0x78, 0x5e, 0x42, 0x87, 0x4d,
};
#define CR_RFC_KEY                                                                                 \
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f:"                        \
	"000000000000004a00000000:1"

static void cr_rfc_key_field(uint8_t *field)
{
	memset(field, 0, CRYPTO_CHACHA20_KEY_SIZE);
	for (int i = 0; i < CHACHA20_KEY_SIZE; i++)
		field[i] = (uint8_t)i;
	field[CHACHA20_KEY_SIZE + 7] = 0x4a;
	field[CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE] = 1;
}

static void test_chacha20_rfc(void)
{
	uint64_t size;
	struct crypto_op *op = cr_new(CRYPTO_OP_TYPE_CHACHA20, 48, 114, &size);

	if (!op)
		return;
	cr_rfc_key_field(op->payload);
	memcpy(op->payload + 48, cr_sunscreen, 114);
	int ok = crypto_op(op, size) == 0 && crypto_wait(op) == CRYPTO_OP_STATE_DONE;
	CHECK("chacha20-rfc-8439-2.4.2",
	      ok && memcmp(op->payload + 48, cr_sunscreen_cipher, 114) == 0);
	op->state = CRYPTO_OP_STATE_INIT;
	ok = crypto_op(op, size) == 0 && crypto_wait(op) == CRYPTO_OP_STATE_DONE;
	CHECK("chacha20-decrypts", ok && memcmp(op->payload + 48, cr_sunscreen, 114) == 0);
	free(op);
}

/* ---------------------------------------------------------------- many clients */

/* Request r of client c: its size runs from 1 byte (r = 0) to 1 MiB
 * (r = REQUESTS - 1), log-uniform in between; a third are ChaCha20. */
static struct crypto_op *cr_random_request(int r, uint64_t *size)
{
	uint64_t data_size = r == 0		 ? 1
			     : r == REQUESTS - 1 ? MIB
						 : 1 + cr_rand() % (1ull << (cr_rand() % 21));
	uint32_t type = 1 + cr_rand() % 3;
	uint64_t key_size = type == CRYPTO_OP_TYPE_CHACHA20 ? 48
			    : cr_rand() % 8 == 0	    ? 1 + cr_rand() % 5000
							    : 1 + cr_rand() % 64;
	struct crypto_op *op = cr_new(type, key_size, data_size, size);

	if (!op)
		return NULL;
	for (uint64_t i = 0; i < key_size; i++)
		op->payload[i] = (uint8_t)cr_rand();
	if (type == CRYPTO_OP_TYPE_CHACHA20)
		op->payload[47] = 0; /* counter below 2^24: never runs out */
	test_pattern_fill(op->payload + key_size, data_size, (uint32_t)cr_rand(), 0);
	return op;
}

/* One client: REQUESTS requests, IN_FLIGHT at a time. Returns 0, or
 * 1000 + r for request r answered wrongly, 2000 + r if it could not be
 * queued, 3000 when memory ran out. */
static int cr_client(long c)
{
	struct crypto_op *ops[IN_FLIGHT];
	uint8_t *want[IN_FLIGHT];
	uint64_t size;

	cr_rng_state = 0x9e3779b97f4a7c15ull * (uint64_t)(c + 1);
	for (int r = 0; r < REQUESTS; r += IN_FLIGHT) {
		int n = REQUESTS - r < IN_FLIGHT ? REQUESTS - r : IN_FLIGHT;
		for (int i = 0; i < n; i++) {
			ops[i] = cr_random_request(r + i, &size);
			want[i] = ops[i] ? malloc(ops[i]->data_size) : NULL;
			if (!ops[i] || !want[i])
				return 3000;
			cr_expect(ops[i], want[i]);
			if (crypto_op(ops[i], size) < 0)
				return 2000 + r + i;
		}
		for (int i = 0; i < n; i++) {
			int bad = crypto_wait(ops[i]) != CRYPTO_OP_STATE_DONE ||
				  memcmp(ops[i]->payload + ops[i]->key_size, want[i],
					 ops[i]->data_size) != 0;
			if (bad)
				return 1000 + r + i;
			free(ops[i]);
			free(want[i]);
		}
	}
	return 0;
}

static void test_many_clients(void)
{
	int pids[CLIENTS], bad = 0, first = 0;
	int t0 = uptime();

	for (long c = 0; c < CLIENTS; c++) {
		pids[c] = fork();
		if (pids[c] == 0)
			_exit(cr_client(c));
	}
	for (int c = 0; c < CLIENTS; c++) {
		int status = pids[c] > 0 ? test_wait_status(pids[c]) : TEST_NO_CHILD;
		if (status != 0 && bad++ == 0)
			first = status;
	}
	CHECK("8-clients-x-100-requests", bad == 0,
	      "%d clients failed; first status %d (1000+r: request r wrong, 2000+r: not queued)",
	      bad, first);
	test_print("(8 x 100 requests took %d ms)", (uptime() - t0) * 10);
}

/* ---------------------------------------------------------------- malformed */

/* Queues a request whose header the caller set, and returns its state
 * once the server has answered it. A request that does not start in INIT
 * cannot be waited for by its state, so this queues a good request after
 * it and waits for that: the server answers in order. (Until then the
 * request's memory must stay: the server is going to write into it.)
 * 0 when it could not be queued. */
static uint32_t cr_answer(struct crypto_op *op, uint64_t size)
{
	if (crypto_op(op, size) < 0)
		return 0;
	if (!cr_server_serves())
		return CRYPTO_OP_STATE_INIT;
	__asm__ volatile("fence rw,rw" : : : "memory");
	return *(volatile uint32_t *)&op->state;
}

/* Expects ERROR for a request, with every byte but the state unchanged. */
static int cr_expect_error(const char *name, struct crypto_op *op, uint64_t size)
{
	uint8_t *before = malloc(size);

	if (!before)
		return 0;
	memcpy(before, op, size);
	uint32_t state = cr_answer(op, size);
	int queued = state != 0;
	((struct crypto_op *)before)->state = CRYPTO_OP_STATE_ERROR;
	int same = memcmp(before, op, size) == 0;
	free(before);
	return CHECK(name, queued && state == CRYPTO_OP_STATE_ERROR && same,
		     "queued %d, state %u, request %s", queued, state,
		     same ? "unchanged" : "changed");
}

static void cr_malformed(const char *name, uint32_t type, uint32_t state, uint64_t key_size,
			 uint64_t data_size, uint64_t room)
{
	uint64_t size = CRYPTO_OP_HEADER_SIZE + room;
	struct crypto_op *op = malloc(size);

	if (!op)
		return;
	memset(op, 0x3c, size);
	op->type = type;
	op->state = state;
	op->key_size = key_size;
	op->data_size = data_size;
	cr_expect_error(name, op, size);
	free(op);
}

/* The rule the server follows, with 128-bit sums so nothing overflows. */
static int cr_valid(const struct crypto_op *op, uint64_t size)
{
	unsigned __int128 need =
	    (unsigned __int128)CRYPTO_OP_HEADER_SIZE + op->key_size + op->data_size;

	if (op->state != CRYPTO_OP_STATE_INIT || op->key_size == 0 || need > size)
		return 0;
	if (op->type == CRYPTO_OP_TYPE_ENCRYPT || op->type == CRYPTO_OP_TYPE_DECRYPT)
		return 1;
	return op->type == CRYPTO_OP_TYPE_CHACHA20 && op->key_size == 48;
}

static void test_malformed(void)
{
	cr_malformed("state-done-refused", 1, CRYPTO_OP_STATE_DONE, 4, 4, 64);
	cr_malformed("state-error-refused", 1, CRYPTO_OP_STATE_ERROR, 4, 4, 64);
	cr_malformed("state-0-refused", 2, 0, 4, 4, 64);
	cr_malformed("type-0-refused", 0, CRYPTO_OP_STATE_INIT, 4, 4, 64);
	cr_malformed("type-4-refused", 4, CRYPTO_OP_STATE_INIT, 4, 4, 64);
	cr_malformed("type-max-refused", 0xffffffff, CRYPTO_OP_STATE_INIT, 4, 4, 64);
	cr_malformed("key-size-0-refused", 1, CRYPTO_OP_STATE_INIT, 0, 4, 64);
	cr_malformed("header-only-refused", 1, CRYPTO_OP_STATE_INIT, 0, 0, 0);
	cr_malformed("key-past-end-refused", 1, CRYPTO_OP_STATE_INIT, 65, 0, 64);
	cr_malformed("data-past-end-refused", 2, CRYPTO_OP_STATE_INIT, 32, 33, 64);
	cr_malformed("huge-key-refused", 1, CRYPTO_OP_STATE_INIT, UINT64_MAX, 1, 64);
	cr_malformed("huge-data-refused", 1, CRYPTO_OP_STATE_INIT, 1, UINT64_MAX, 64);
	cr_malformed("sizes-sum-to-2^64-refused", 1, CRYPTO_OP_STATE_INIT, 8, UINT64_MAX - 7, 64);
	cr_malformed("sizes-plus-header-wrap-refused", 1, CRYPTO_OP_STATE_INIT, 8,
		     UINT64_MAX - 7 - 23, 64);
	cr_malformed("chacha20-key-47-refused", 3, CRYPTO_OP_STATE_INIT, 47, 10, 64);
	cr_malformed("chacha20-key-6-refused", 3, CRYPTO_OP_STATE_INIT, 6, 10, 64);

	/* A ChaCha20 counter that would wrap within the data. */
	uint64_t size;
	struct crypto_op *op = cr_new(CRYPTO_OP_TYPE_CHACHA20, 48, 65, &size);
	if (op) {
		memset(op->payload, 1, 48 + 65);
		memset(op->payload + 44, 0xff, 4);
		cr_expect_error("chacha20-counter-wrap-refused", op, size);
		free(op);
	}

	/* Random headers over random sizes: the server answers each as the
	 * rule says. */
	int wrong = 0, lost = 0;
	char why[160] = "";
	cr_rng_state = 4242;
	for (int i = 0; i < 200; i++) {
		uint64_t room = cr_rand() % 300, sz = CRYPTO_OP_HEADER_SIZE + room;
		struct crypto_op *r = malloc(sz);
		if (!r)
			break;
		for (uint64_t b = 0; b < sz; b++)
			((uint8_t *)r)[b] = (uint8_t)cr_rand();
		if (cr_rand() % 2)
			r->type = 1 + cr_rand() % 3;
		if (cr_rand() % 4)
			r->state = CRYPTO_OP_STATE_INIT;
		if (cr_rand() % 2)
			r->key_size = cr_rand() % 3 ? cr_rand() % (room + 2) : 48;
		if (cr_rand() % 2)
			r->data_size = cr_rand() % (room + 2);
		if (room >= 48)
			r->payload[47] = 0; /* a ChaCha20 counter that fits */
		int valid = cr_valid(r, sz);
		uint32_t state = cr_answer(r, sz);
		if (state == CRYPTO_OP_STATE_INIT)
			lost++;
		else if (state != (valid ? CRYPTO_OP_STATE_DONE : CRYPTO_OP_STATE_ERROR) &&
			 wrong++ == 0)
			snprintf(why, sizeof(why), "type %u key %llu data %llu size %llu: state %u",
				 r->type, (unsigned long long)r->key_size,
				 (unsigned long long)r->data_size, (unsigned long long)sz, state);
		free(r);
	}
	CHECK("random-headers", wrong == 0 && lost == 0, "%d wrong, %d unanswered; %s", wrong, lost,
	      why);
	CHECK("serves-after-malformed", cr_server_serves());
}

/* A request that does not start on a 4-byte boundary: answered all the
 * same (the state word then cannot be a futex word, so crypto_wait
 * polls). */
static void test_misaligned(void)
{
	uint64_t size = CRYPTO_OP_HEADER_SIZE + 6 + 60;
	char *raw = malloc(size + 8);
	struct crypto_op *op = (struct crypto_op *)(raw + 1);

	if (!raw)
		return;
	memcpy((char *)op + 24, "OS2024", 6);
	memcpy((char *)op + 30, cr_secret, 60);
	uint32_t v[2] = {CRYPTO_OP_TYPE_DECRYPT, CRYPTO_OP_STATE_INIT};
	uint64_t sizes[2] = {6, 60};
	memcpy(op, v, 8);
	memcpy((char *)op + 8, sizes, 16);
	int queued = crypto_op(op, size);
	uint32_t state = 0;
	for (int i = 0; queued == 0 && i < WAIT_TICKS; i++) {
		memcpy(&state, (char *)op + 4, 4);
		if (state != CRYPTO_OP_STATE_INIT)
			break;
		usleep(2000);
	}
	CHECK("misaligned-request",
	      state == CRYPTO_OP_STATE_DONE && memcmp((char *)op + 30, cr_plain, 60) == 0,
	      "queued %d, state %u", queued, state);
	free(raw);
}

/* ---------------------------------------------------------------- clients that go away
 *
 * Each case needs the client's request in a given place at the moment
 * the client acts, and handshakes establish it, not sleeps:
 *   - queued: the request waits behind a long one of ours ("busy"); the
 *     server answers in order, so it is still queued for as long as busy
 *     is unanswered. The client tells us through a pipe when it has acted
 *     (or we see it exit, or asleep in crypto_wait), and we look at busy's
 *     state then.
 *   - in service: the server maps a request's pages into itself when it
 *     takes it, so the client watches the server's resident memory
 *     (procinfo) grow past what it was idle while its own request is
 *     still unanswered.
 * A try in which the answer came first is made again, CR_TRIES times at
 * most; the requests are long enough (about 100 ms of ChaCha20 each) that
 * one try is nearly always enough. */

#define CR_LONG_DATA (4 * MIB)
#define CR_LONG_SIZE (CRYPTO_OP_HEADER_SIZE + 48 + CR_LONG_DATA)
#define CR_TRIES     3
#define CR_TOO_LATE  10 /* a client's status: its request was answered before it acted */

/* A long ChaCha20 request (CR_LONG_SIZE bytes), not yet queued. It is
 * mmap'ed, not malloc'ed, so that unmapping it gives the pages back and
 * the leak checks around it hold. */
static struct crypto_op *cr_long_request(int fill)
{
	struct crypto_op *op =
	    mmap(NULL, CR_LONG_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (op == MAP_FAILED)
		return NULL;
	op->type = CRYPTO_OP_TYPE_CHACHA20;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = 48;
	op->data_size = CR_LONG_DATA;
	memset(op->payload, fill, 48 + CR_LONG_DATA);
	op->payload[47] = 0;
	return op;
}

/* Keeps the server busy: a long request, queued and not waited for. */
static struct crypto_op *cr_busy(void)
{
	struct crypto_op *op = cr_long_request(7);

	if (op && crypto_op(op, CR_LONG_SIZE) < 0) {
		munmap(op, CR_LONG_SIZE);
		return NULL;
	}
	return op;
}

/* Whether op has not been answered yet (so a request queued after it is
 * still queued). */
static int cr_unanswered(const struct crypto_op *op)
{
	return op && *(volatile const uint32_t *)&op->state == CRYPTO_OP_STATE_INIT;
}

/* The crypto server's resident memory in bytes, or 0. */
static uint64_t cr_server_rss(void)
{
	static struct mnemo_procinfo procs[TEST_MAX_PROCS];
	int n = procinfo(procs, TEST_MAX_PROCS);

	for (int i = 0; i < n && i < TEST_MAX_PROCS; i++)
		if (procs[i].pid == CRYPTO_SERVER_PID)
			return procs[i].mem_bytes;
	return 0;
}

/* In a client: waits until its request at op is in service, i.e. the
 * server's resident memory has grown past idle while op is unanswered.
 * 1 if so; 0 if the answer came first or WAIT_TICKS passed. */
static int cr_wait_in_service(const struct crypto_op *op, uint64_t idle)
{
	int deadline = uptime() + WAIT_TICKS;

	while (cr_unanswered(op) && uptime() < deadline)
		if (cr_server_rss() > idle)
			return cr_unanswered(op);
	return 0;
}

/* A pipe whose write end we keep: reading it sleeps until killed. */
static int cr_never_fd = -1;
/* Where a client tells its parent it has acted. */
static int cr_told_fd = -1;

static void cr_tell(void)
{
	(void)!write(cr_told_fd, "t", 1);
}

/* Waits for a client's word on told (its read end); 1 if it came. */
static int cr_told(int told)
{
	char c;

	return read(told, &c, 1) == 1;
}

/* What a client does before going away. */
enum cr_leave { CR_EXIT_QUEUED, CR_EXIT_SERVED, CR_UNMAP_QUEUED, CR_UNMAP_SERVED, CR_KILLED };

static int cr_leaving_client(long how)
{
	uint64_t idle = cr_server_rss();
	struct crypto_op *op = cr_long_request(9);

	if (!op)
		return 2;
	if (crypto_op(op, CR_LONG_SIZE) < 0)
		return 3;
	switch (how) {
	case CR_EXIT_QUEUED:
		return 0;
	case CR_EXIT_SERVED:
		return cr_wait_in_service(op, idle) ? 0 : CR_TOO_LATE;
	case CR_UNMAP_SERVED:
		if (!cr_wait_in_service(op, idle))
			return CR_TOO_LATE;
		/* fall through */
	case CR_UNMAP_QUEUED:
		munmap(op, CR_LONG_SIZE);
		cr_tell();
		/* The answer goes into the pages pinned when the request was
		 * queued: stay until it is in. The bare call: crypto_wait()
		 * would read the state we unmapped. */
		return test_syscall(SYS_crypto_wait, (long)op, 0, 0) == 0 ? 0 : 4;
	default:
		/* Killed in crypto_wait, or (in a try where the answer came
		 * first) in the read: a sleep that nobody ends but the kill. */
		crypto_wait(op);
		for (char c;;)
			(void)!read(cr_never_fd, &c, 1);
	}
}

/* Waits (about 5 s at most) until process pid is asleep. */
static void cr_wait_asleep(int pid)
{
	/* Static: a stack frame this big could touch a page the leak check
	 * counts. */
	static struct mnemo_procinfo procs[64];

	for (int tries = 0; tries < 500; tries++) {
		int n = procinfo(procs, 64);
		for (int i = 0; i < n && i < 64; i++)
			if (procs[i].pid == pid && procs[i].state == 1)
				return;
		usleep(10000);
	}
}

/* One try of case how: the client's status in *status, whether busy was
 * answered in *busy_done. Returns whether the client's request was where
 * the case needs it when the client acted. */
static int cr_leave_once(enum cr_leave how, int *status, int *busy_done)
{
	int queued = how == CR_EXIT_QUEUED || how == CR_UNMAP_QUEUED || how == CR_KILLED;
	struct crypto_op *busy = queued ? cr_busy() : NULL;
	int told[2] = {-1, -1}, never[2] = {-1, -1};
	int in_place = 1;

	if (pipe(told) < 0)
		return 0;
	cr_told_fd = told[1];
	if (how == CR_KILLED && pipe(never) == 0)
		cr_never_fd = never[0];
	int pid = fork();
	if (pid == 0)
		_exit(cr_leaving_client(how));
	close(told[1]);
	if (pid > 0 && how == CR_UNMAP_QUEUED)
		in_place = cr_told(told[0]) && cr_unanswered(busy);
	if (pid > 0 && how == CR_KILLED) {
		/* Asleep while its request is queued: in crypto_wait. */
		cr_wait_asleep(pid);
		in_place = cr_unanswered(busy);
		kill(pid, SIGKILL);
	}
	close(told[0]);
	if (never[0] >= 0) {
		close(never[0]);
		close(never[1]);
	}
	*status = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	if (how == CR_EXIT_QUEUED)
		in_place = cr_unanswered(busy);
	if (*status == CR_TOO_LATE) {
		in_place = 0;
		*status = 0;
	}
	*busy_done = !busy || cr_wait_bounded(busy) == CRYPTO_OP_STATE_DONE;
	if (busy)
		munmap(busy, CR_LONG_SIZE);
	return in_place && (!queued || busy);
}

static void test_client_leaves(const char *name, enum cr_leave how)
{
	char leak[64];
	long before = test_settle();
	int want = how == CR_KILLED ? -1 : 0;
	int status = want, busy_done = 1, in_place = 0, tries = 0;

	while (!in_place && status == want && busy_done && tries < CR_TRIES) {
		in_place = cr_leave_once(how, &status, &busy_done);
		tries++;
	}
	CHECK(name, in_place && status == want && busy_done && cr_server_serves(),
	      "client status %d, busy request %s, %d tries, request %s", status,
	      busy_done ? "done" : "unanswered", tries,
	      in_place ? "in place" : "never where the case needs it");
	snprintf(leak, sizeof(leak), "%s-no-leak", name);
	test_check_free(leak, before);
}

/* ---------------------------------------------------------------- the calls' own checks */

static const char cr_rodata[64] = "read-only";

static void test_call_errors(void)
{
	uint64_t size;
	struct crypto_op *op = cr_new(CRYPTO_OP_TYPE_ENCRYPT, 1, 1, &size);
	void *addr = NULL;
	uint64_t got = 0;

	if (!op)
		return;
	expect_errno("size-23-einval", crypto_op(op, CRYPTO_OP_HEADER_SIZE - 1), EINVAL);
	expect_errno("size-0-einval", crypto_op(op, 0), EINVAL);
	expect_errno("null-efault", crypto_op(NULL, 64), EFAULT);
	expect_errno("kernel-address-efault", crypto_op((void *)0xffffffc000000000L, 64), EFAULT);
	expect_errno("unmapped-efault", crypto_op((void *)0x2000000000L, 64), EFAULT);
	expect_errno("past-the-mapping-efault", crypto_op(op, 1L << 36), EFAULT);
	expect_errno("read-only-efault", crypto_op((struct crypto_op *)cr_rodata, 64), EFAULT);
	expect_errno("take-not-server-eperm", take_shared_memory_request(&addr, &got), EPERM);
	expect_errno("remove-not-server-eperm", remove_shared_memory_request(op, size), EPERM);
	free(op);
}

/* ---------------------------------------------------------------- the crypto command */

static void test_command(void)
{
	static uint8_t in[200 * 1024 + 7], out[sizeof(in) + 16], want[sizeof(in)];
	size_t len = 0;

	/* ChaCha20 over a file gives RFC 8439's ciphertext. */
	int fd = open("/tmp/t_crypto.txt", O_CREAT | O_TRUNC | O_WRONLY, 0666);
	int wrote = fd >= 0 && write_all(fd, cr_sunscreen, 114) == 0;
	if (fd >= 0)
		close(fd);
	char *chacha[] = {"/bin/crypto", "-c", CR_RFC_KEY, "/tmp/t_crypto.txt", NULL};
	int status = wrote ? test_run(chacha, "", 0, out, sizeof(out), &len) : TEST_NO_CHILD;
	CHECK("command-chacha20-file",
	      status == 0 && len == 114 && memcmp(out, cr_sunscreen_cipher, 114) == 0,
	      "status %d, %zu bytes", status, len);
	unlink("/tmp/t_crypto.txt");

	/* XOR over pipes, several chunks, a key that does not divide them. */
	test_pattern_fill(in, sizeof(in), 77, 0);
	memcpy(want, in, sizeof(in));
	cr_xor(want, sizeof(in), (const uint8_t *)"K3y-7b!", 7);
	char * xor [] = {"/bin/crypto", "-k", "K3y-7b!", NULL};
	status = test_run(xor, in, sizeof(in), out, sizeof(out), &len);
	CHECK("command-xor-pipe", status == 0 && len == sizeof(in) && memcmp(out, want, len) == 0,
	      "status %d, %zu bytes", status, len);

	/* And back with the same key in hex, as DECRYPT. */
	memcpy(want, out, sizeof(in));
	char *back[] = {"/bin/crypto", "-d", "-x", "4b33792d376221", NULL};
	status = test_run(back, want, sizeof(in), out, sizeof(out), &len);
	CHECK("command-xor-back", status == 0 && len == sizeof(in) && memcmp(out, in, len) == 0,
	      "status %d, %zu bytes", status, len);

	/* ChaCha20 over a pipe of several chunks, twice, is the identity. */
	chacha[3] = NULL;
	status = test_run(chacha, in, sizeof(in), out, sizeof(out), &len);
	memcpy(want, out, sizeof(in));
	int first = status == 0 && len == sizeof(in);
	status = test_run(chacha, want, sizeof(in), out, sizeof(out), &len);
	CHECK("command-chacha20-pipe", first && status == 0 && len == sizeof(in) &&
					   memcmp(out, in, len) == 0 && memcmp(want, in, 64) != 0);

	char *usage[] = {"/bin/crypto", "-c", "00:11", NULL};
	status = test_run(usage, "", 0, out, sizeof(out), &len);
	CHECK("command-bad-key-usage", status == 2, "status %d", status);
}

/* ---------------------------------------------------------------- trust */

static int cr_server_alive(void)
{
	struct mnemo_procinfo procs[64];
	int n = procinfo(procs, 64);

	for (int i = 0; i < n && i < 64; i++)
		if (procs[i].pid == CRYPTO_SERVER_PID && procs[i].state != 4)
			return strcmp(procs[i].name, "crypto_srv") == 0;
	return 0;
}

/* The server is the program the kernel read at boot: a user can neither
 * kill it nor, by putting another program at /bin/crypto_srv, become
 * it. (The kernel's restarts after a crash are tested by srv_restart,
 * against a server that crashes on purpose.) */
static void test_trust(void)
{
	CHECK("server-is-pid-2", cr_server_alive());
	expect_errno("kill-server-eperm", kill(CRYPTO_SERVER_PID, SIGKILL), EPERM);
	expect_errno("kill-init-eperm", kill(1, SIGKILL), EPERM);

	/* An impostor at the server's path. */
	unlink("/tmp/t_crypto_srv");
	int saved = link("/bin/crypto_srv", "/tmp/t_crypto_srv") == 0;
	int replaced = saved && unlink("/bin/crypto_srv") == 0 &&
		       link("/bin/t_crypto", "/bin/crypto_srv") == 0;
	CHECK("impostor-in-place", replaced, "%s", strerror(errno));
	expect_errno("impostor-kill-eperm", kill(CRYPTO_SERVER_PID, SIGKILL), EPERM);
	CHECK("real-server-still-serves", cr_server_serves() && cr_server_alive());
	if (saved) {
		unlink("/bin/crypto_srv");
		link("/tmp/t_crypto_srv", "/bin/crypto_srv");
		unlink("/tmp/t_crypto_srv");
	}

	/* A server that is not PID 2 refuses to run. */
	static uint8_t out[256];
	size_t len = 0;
	char *argv[] = {"/bin/crypto_srv", NULL};
	int status = test_run(argv, "", 0, out, sizeof(out), &len);
	CHECK("server-not-pid-2-exits", status == 1, "status %d", status);
}

/* A client that takes its buffer away from itself (read-only, PROT_NONE)
 * while its request waits in the queue: the server works on the pages
 * pinned when the request was queued, so it is not hurt and the answer
 * lands in the client's pages. */
static int cr_mprotect_client(long prot)
{
	uint64_t size;
	struct crypto_op *op = cr_new(CRYPTO_OP_TYPE_ENCRYPT, 3, 2 * PAGE, &size);
	char *page;

	if (!op)
		return 2;
	memcpy(op->payload, "abc", 3);
	memset(op->payload + 3, 'x', 2 * PAGE);
	page = (char *)((uintptr_t)op & ~(uintptr_t)(PAGE - 1));
	if (crypto_op(op, size) < 0)
		return 3;
	if (mprotect(page, 3 * PAGE, (int)prot) < 0)
		return 4;
	cr_tell();
	/* The bare call: crypto_wait() itself would read the state. */
	long waited = test_syscall(SYS_crypto_wait, (long)op, 0, 0);
	mprotect(page, 3 * PAGE, PROT_READ | PROT_WRITE);
	if (waited != 0 || op->state != CRYPTO_OP_STATE_DONE)
		return 5;
	return op->payload[3] == ('x' ^ 'a') &&
		       op->payload[3 + 2 * PAGE - 1] == ('x' ^ "abc"[(2 * PAGE - 1) % 3])
		   ? 0
		   : 6;
}

/* One try: the client's status in *status, busy's answer in *busy_done;
 * returns whether the request was still queued (busy unanswered) when
 * the client had changed its protection. */
static int cr_mprotect_once(int prot, int *status, int *busy_done)
{
	struct crypto_op *busy = cr_busy(); /* so that the request waits */
	int told[2], in_place;

	if (pipe(told) < 0)
		return 0;
	cr_told_fd = told[1];
	int pid = fork();
	if (pid == 0)
		_exit(cr_mprotect_client(prot));
	close(told[1]);
	in_place = pid > 0 && cr_told(told[0]) && cr_unanswered(busy);
	close(told[0]);
	*status = pid > 0 ? test_wait_status(pid) : TEST_NO_CHILD;
	*busy_done = busy && cr_wait_bounded(busy) == CRYPTO_OP_STATE_DONE;
	if (busy)
		munmap(busy, CR_LONG_SIZE);
	return in_place;
}

static void test_client_mprotects(const char *name, int prot)
{
	int status = 0, busy_done = 1, in_place = 0, tries = 0;

	while (!in_place && status == 0 && busy_done && tries < CR_TRIES) {
		in_place = cr_mprotect_once(prot, &status, &busy_done);
		tries++;
	}
	CHECK(name, in_place && status == 0 && busy_done && cr_server_serves(),
	      "client status %d (5: not answered, 6: wrong answer), busy request %s, %d tries, "
	      "request %s",
	      status, busy_done ? "done" : "unanswered", tries,
	      in_place ? "queued" : "answered before the client changed its protection");
}

static void test_leaving_clients(void)
{
	/* One round first, so that our own first use of mmap and the heap
	 * (page tables, a heap page) is not counted as the first case's. */
	struct crypto_op *warm = cr_busy();
	if (warm) {
		cr_wait_bounded(warm);
		munmap(warm, CR_LONG_SIZE);
	}
	cr_server_serves();

	test_client_leaves("client-exits-while-queued", CR_EXIT_QUEUED);
	test_client_leaves("client-exits-while-served", CR_EXIT_SERVED);
	test_client_leaves("client-unmaps-while-queued", CR_UNMAP_QUEUED);
	test_client_leaves("client-unmaps-while-served", CR_UNMAP_SERVED);
	test_client_leaves("client-killed-while-waiting", CR_KILLED);
	test_client_mprotects("client-read-only-while-queued", PROT_READ);
	test_client_mprotects("client-prot-none-while-queued", PROT_NONE);
}

/* The groups, in order; `t_crypto NAME...` runs only those named. */
static const struct {
	const char *name;
	void (*run)(void);
} cr_groups[] = {
    {"vector", test_seed_vector},    {"cli", test_crypto_cli},
    {"chacha20", test_chacha20_rfc}, {"errors", test_call_errors},
    {"clients", test_many_clients},  {"malformed", test_malformed},
    {"misaligned", test_misaligned}, {"leaving", test_leaving_clients},
    {"command", test_command},	     {"trust", test_trust},
};

int main(int argc, char *argv[])
{
	for (size_t g = 0; g < sizeof(cr_groups) / sizeof(cr_groups[0]); g++) {
		int wanted = argc == 1;
		for (int i = 1; i < argc; i++)
			wanted |= strcmp(argv[i], cr_groups[g].name) == 0;
		if (wanted)
			cr_groups[g].run();
	}
	return test_done();
}
