/* Specification of crypto_serve() (user/lib/crypto_serve.c), the crypto
 * server's check-and-cipher step: the seed's test vector, what makes a
 * request malformed (each case leaves the data alone), and random headers
 * in buffers of exactly the mapped size, so that AddressSanitizer catches
 * any byte read or written outside. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/rng.h"
#include "user/include/chacha20.h"
#include "user/include/crypto.h"

/* ------------------------------------------------------------------ helpers */

/* A request in a heap block of exactly size bytes (as the server's
 * mapping would end there, ASan's redzone stands for the unmapped page). */
static struct crypto_op *request(uint64_t size, uint32_t type, uint64_t key_size,
				 uint64_t data_size)
{
	struct crypto_op *op = malloc(size);

	cr_assert(op);
	memset(op, 0x5a, size);
	op->type = type;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = key_size;
	op->data_size = data_size;
	return op;
}

/* Serves op and checks it was refused with nothing but the header read. */
static void expect_error(struct crypto_op *op, uint64_t size, const char *why)
{
	uint8_t *before = malloc(size);

	cr_assert(before);
	memcpy(before, op, size);
	cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_ERROR, "%s: not refused", why);
	cr_assert(memcmp(before, op, size) == 0, "%s: the request was changed", why);
	free(before);
}

/* ------------------------------------------------------------------ good requests */

/* The seed's vector: key "OS2024", 60 bytes that decrypt to a sentence. */
Test(crypto_serve, seed_vector)
{
	static const uint8_t secret[60] = {
	    0x1b, 0x3b, 0x5b, 0x43, 0x12, 0x5d, 0x3c, 0x73, 0x53, 0x10, 0x41, 0x51,
	    0x2c, 0x21, 0x57, 0x44, 0x12, 0x47, 0x3b, 0x21, 0x5b, 0x5e, 0x55, 0x14,
	    0x3b, 0x3c, 0x12, 0x52, 0x57, 0x14, 0x2b, 0x36, 0x51, 0x42, 0x4b, 0x44,
	    0x3b, 0x36, 0x56, 0x10, 0x50, 0x4d, 0x6f, 0x27, 0x5a, 0x55, 0x12, 0x57,
	    0x3d, 0x2a, 0x42, 0x44, 0x5d, 0x14, 0x3c, 0x36, 0x40, 0x46, 0x57, 0x46,
	};
	const char *plain = "This is a secret string to be decrypted by the crypto server";
	uint64_t size = CRYPTO_OP_HEADER_SIZE + 6 + 60;
	struct crypto_op *op = request(size, CRYPTO_OP_TYPE_DECRYPT, 6, 60);

	memcpy(op->payload, "OS2024", 6);
	memcpy(op->payload + 6, secret, 60);
	cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_DONE);
	cr_assert(memcmp(op->payload + 6, plain, 60) == 0, "got %.60s", op->payload + 6);
	cr_assert(memcmp(op->payload, "OS2024", 6) == 0, "the key changed");
	cr_assert_eq(op->state, CRYPTO_OP_STATE_INIT, "crypto_serve stored the state itself");
	free(op);
}

/* ENCRYPT then DECRYPT gives the data back, for key sizes that do and do
 * not divide the data size; the bytes after the data stay untouched. */
Test(crypto_serve, xor_round_trip)
{
	rng_seed(11);
	for (uint64_t key_size = 1; key_size < 40; key_size += 3) {
		uint64_t data_size = 1000 + key_size;
		uint64_t size = CRYPTO_OP_HEADER_SIZE + key_size + data_size + 16;
		struct crypto_op *op = request(size, CRYPTO_OP_TYPE_ENCRYPT, key_size, data_size);
		uint8_t *copy = malloc(size);

		for (uint64_t i = 0; i < key_size + data_size; i++)
			op->payload[i] = (uint8_t)rng_next();
		memcpy(copy, op, size);
		cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_DONE);
		for (uint64_t i = 0; i < data_size; i++)
			cr_assert_eq(op->payload[key_size + i],
				     copy[CRYPTO_OP_HEADER_SIZE + key_size + i] ^
					 op->payload[i % key_size]);
		cr_assert(memcmp((uint8_t *)op + size - 16, copy + size - 16, 16) == 0);
		op->type = CRYPTO_OP_TYPE_DECRYPT;
		cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_DONE);
		op->type = CRYPTO_OP_TYPE_ENCRYPT;
		cr_assert(memcmp(op, copy, size) == 0, "key_size %lu: not back", key_size);
		free(copy);
		free(op);
	}
}

/* Exactly filling the mapping is fine, and so is no data at all. */
Test(crypto_serve, edges_that_are_valid)
{
	uint64_t size = CRYPTO_OP_HEADER_SIZE + 3 + 5;
	struct crypto_op *op = request(size, CRYPTO_OP_TYPE_ENCRYPT, 3, 5);

	cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_DONE);
	free(op);
	size = CRYPTO_OP_HEADER_SIZE + 1;
	op = request(size, CRYPTO_OP_TYPE_DECRYPT, 1, 0);
	cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_DONE);
	free(op);
}

/* A CHACHA20 request is chacha20_xor with the key field split up. */
Test(crypto_serve, chacha20_request)
{
	uint64_t data_size = 300,
		 size = CRYPTO_OP_HEADER_SIZE + CRYPTO_CHACHA20_KEY_SIZE + data_size;
	struct crypto_op *op = request(size, CRYPTO_OP_TYPE_CHACHA20, 48, data_size);
	uint8_t want[300];

	rng_seed(5);
	for (uint64_t i = 0; i < 48 + data_size; i++)
		op->payload[i] = (uint8_t)rng_next();
	/* Counter 0x01020304, stored little-endian. */
	memcpy(op->payload + 44, "\x04\x03\x02\x01", 4);
	memcpy(want, op->payload + 48, data_size);
	chacha20_xor(op->payload, op->payload + 32, 0x01020304, want, data_size);
	cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_DONE);
	cr_assert(memcmp(op->payload + 48, want, data_size) == 0);
	free(op);
}

/* ------------------------------------------------------------------ malformed */

Test(crypto_serve, malformed_requests_are_refused)
{
	uint64_t size = CRYPTO_OP_HEADER_SIZE + 64;
	struct crypto_op *op;

	op = request(size, CRYPTO_OP_TYPE_ENCRYPT, 4, 4);
	op->state = CRYPTO_OP_STATE_DONE;
	expect_error(op, size, "state DONE");
	op->state = 0;
	expect_error(op, size, "state 0");
	op->state = CRYPTO_OP_STATE_ERROR;
	expect_error(op, size, "state ERROR");
	free(op);

	static const uint32_t bad_types[] = {0, 4, 5, 0x100, 0xffffffff};
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		op = request(size, bad_types[i], 4, 4);
		expect_error(op, size, "unknown type");
		free(op);
	}

	op = request(size, CRYPTO_OP_TYPE_ENCRYPT, 0, 4);
	expect_error(op, size, "key_size 0");
	free(op);

	op = request(size, CRYPTO_OP_TYPE_ENCRYPT, 65, 0);
	expect_error(op, size, "key longer than the mapping");
	free(op);

	op = request(size, CRYPTO_OP_TYPE_ENCRYPT, 32, 33);
	expect_error(op, size, "key and data one byte too long");
	free(op);

	/* Sums that overflow 64 bits must not wrap into "fits". */
	op = request(size, CRYPTO_OP_TYPE_ENCRYPT, UINT64_MAX, 2);
	expect_error(op, size, "key_size 2^64-1");
	free(op);
	op = request(size, CRYPTO_OP_TYPE_DECRYPT, 8, UINT64_MAX - 7);
	expect_error(op, size, "key_size + data_size = 2^64");
	free(op);
	op = request(size, CRYPTO_OP_TYPE_DECRYPT, 8, UINT64_MAX - 7 - 24);
	expect_error(op, size, "header + key + data = 2^64");
	free(op);

	size = CRYPTO_OP_HEADER_SIZE + 100;
	op = request(size, CRYPTO_OP_TYPE_CHACHA20, 47, 10);
	expect_error(op, size, "chacha20 key_size 47");
	free(op);
	op = request(size, CRYPTO_OP_TYPE_CHACHA20, 49, 10);
	expect_error(op, size, "chacha20 key_size 49");
	free(op);

	/* Counter 0xffffffff leaves room for one block only. */
	op = request(size, CRYPTO_OP_TYPE_CHACHA20, 48, 52);
	memcpy(op->payload + 44, "\xff\xff\xff\xff", 4);
	cr_assert_eq(crypto_serve(op, size), CRYPTO_OP_STATE_DONE);
	free(op);
	size = CRYPTO_OP_HEADER_SIZE + 48 + 65;
	op = request(size, CRYPTO_OP_TYPE_CHACHA20, 48, 65);
	memcpy(op->payload + 44, "\xff\xff\xff\xff", 4);
	expect_error(op, size, "chacha20 counter would wrap");
	free(op);
}

/* Too small to hold a header: refused without reading it. */
Test(crypto_serve, shorter_than_a_header)
{
	uint8_t *p = malloc(8);

	cr_assert_eq(crypto_serve((struct crypto_op *)p, 0), CRYPTO_OP_STATE_ERROR);
	cr_assert_eq(crypto_serve((struct crypto_op *)p, 8), CRYPTO_OP_STATE_ERROR);
	cr_assert_eq(crypto_serve((struct crypto_op *)p, CRYPTO_OP_HEADER_SIZE - 1),
		     CRYPTO_OP_STATE_ERROR);
	free(p);
}

/* ------------------------------------------------------------------ random headers */

/* The rule, restated with 128-bit sums so that nothing can overflow. */
static int reference_valid(uint32_t type, uint32_t state, uint64_t key_size, uint64_t data_size,
			   uint64_t size)
{
	unsigned __int128 need = (unsigned __int128)CRYPTO_OP_HEADER_SIZE + key_size + data_size;

	if (state != CRYPTO_OP_STATE_INIT || key_size == 0 || need > size)
		return 0;
	if (type == CRYPTO_OP_TYPE_ENCRYPT || type == CRYPTO_OP_TYPE_DECRYPT)
		return 1;
	return type == CRYPTO_OP_TYPE_CHACHA20 && key_size == 48;
}

/* A value that is often near an edge: small, near size, or near 2^64. */
static uint64_t edgy(uint64_t size)
{
	switch (rng_next() % 5) {
	case 0:
		return rng_next() % 8;
	case 1:
		return size - rng_next() % 64;
	case 2:
		return UINT64_MAX - rng_next() % 64;
	case 3:
		return rng_next() % (size + 8);
	default:
		return rng_next();
	}
}

Test(crypto_serve, random_headers)
{
	rng_seed(1234);
	for (int trial = 0; trial < 20000; trial++) {
		uint64_t size = CRYPTO_OP_HEADER_SIZE + rng_next() % 200;
		uint32_t type = rng_next() % 3 ? 1 + rng_next() % 3 : (uint32_t)rng_next();
		uint64_t key_size = rng_next() % 3 == 0 ? 48 : edgy(size);
		struct crypto_op *op = request(size, type, key_size, edgy(size));

		if (rng_next() % 8 == 0)
			op->state = (uint32_t)rng_next() % 4;
		/* Keep ChaCha20's counter low so that only the sizes decide. */
		if (size >= CRYPTO_OP_HEADER_SIZE + 48)
			memset(op->payload + 44, 0, 4);
		int valid = reference_valid(op->type, op->state, op->key_size, op->data_size, size);
		enum crypto_op_state got = crypto_serve(op, size);
		cr_assert_eq(got, valid ? CRYPTO_OP_STATE_DONE : CRYPTO_OP_STATE_ERROR,
			     "trial %d: type %u state %u key %lu data %lu size %lu", trial,
			     op->type, op->state, op->key_size, op->data_size, size);
		free(op);
	}
}
