/* The crypto server's work on one request, apart from the system calls so
 * that tests/unit can run it on the host: check the header, run the
 * cipher. The request lives in memory the client shares and can write
 * while we work, so the header is read exactly once, through volatile,
 * into locals that alone decide how far we reach; a client that changes
 * it can only spoil its own result, never send the server outside the
 * mapping. */
#include "user/include/chacha20.h"
#include "user/include/crypto.h"

/* The header as read once. */
struct crypto_request {
	uint32_t type;
	uint32_t state;
	uint64_t key_size;
	uint64_t data_size;
};

static void crypto_read_header(const struct crypto_op *op, struct crypto_request *req)
{
	const volatile struct crypto_op *v = op;

	req->type = v->type;
	req->state = v->state;
	req->key_size = v->key_size;
	req->data_size = v->data_size;
}

/* Whether the request is one we can serve within size bytes. Each
 * comparison subtracts only what is known to be smaller, so no sum can
 * overflow. */
static int crypto_valid(const struct crypto_request *req, uint64_t size)
{
	if (req->state != CRYPTO_OP_STATE_INIT || req->key_size == 0)
		return 0;
	if (req->key_size > size - CRYPTO_OP_HEADER_SIZE)
		return 0;
	if (req->data_size > size - CRYPTO_OP_HEADER_SIZE - req->key_size)
		return 0;
	switch (req->type) {
	case CRYPTO_OP_TYPE_ENCRYPT:
	case CRYPTO_OP_TYPE_DECRYPT:
		return 1;
	case CRYPTO_OP_TYPE_CHACHA20:
		return req->key_size == CRYPTO_CHACHA20_KEY_SIZE;
	default:
		return 0;
	}
}

/* data[i] ^= key[i % key_size], with a running key index instead of a
 * division per byte. */
static void crypto_xor(const uint8_t *key, uint64_t key_size, uint8_t *data, uint64_t data_size)
{
	uint64_t k = 0;

	for (uint64_t i = 0; i < data_size; i++) {
		data[i] ^= key[k];
		if (++k == key_size)
			k = 0;
	}
}

/* ChaCha20 with the key field split into key, nonce and counter. */
static int crypto_chacha20(const uint8_t *field, uint8_t *data, uint64_t data_size)
{
	const uint8_t *c = field + CHACHA20_KEY_SIZE + CHACHA20_NONCE_SIZE;
	uint32_t counter =
	    (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;

	return chacha20_xor(field, field + CHACHA20_KEY_SIZE, counter, data, data_size);
}

enum crypto_op_state crypto_serve(struct crypto_op *op, uint64_t size)
{
	struct crypto_request req;

	if (size < CRYPTO_OP_HEADER_SIZE)
		return CRYPTO_OP_STATE_ERROR;
	crypto_read_header(op, &req);
	if (!crypto_valid(&req, size))
		return CRYPTO_OP_STATE_ERROR;

	const uint8_t *key = op->payload;
	uint8_t *data = op->payload + req.key_size;

	if (req.type == CRYPTO_OP_TYPE_CHACHA20)
		return crypto_chacha20(key, data, req.data_size) == 0 ? CRYPTO_OP_STATE_DONE
								      : CRYPTO_OP_STATE_ERROR;
	crypto_xor(key, req.key_size, data, req.data_size);
	return CRYPTO_OP_STATE_DONE;
}
