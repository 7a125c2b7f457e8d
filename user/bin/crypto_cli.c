/* crypto_cli: the crypto service's demonstration client (seed 001). It
 * builds a DECRYPT request for the seed's test vector (key "OS2024") in
 * malloc'ed memory, queues it with crypto_op(), sleeps in crypto_wait()
 * until the server has answered, and prints the plaintext:
 *
 *   crypto_cli: decrypted message: This is a secret string to be
 *   decrypted by the crypto server
 *
 * (on one line). Exits 0, or 1 if the service failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crypto.h>

static const char crypto_cli_key[] = "OS2024";

/* The seed's ciphertext: 60 bytes. */
static const uint8_t crypto_cli_secret[] = {
    0x1b, 0x3b, 0x5b, 0x43, 0x12, 0x5d, 0x3c, 0x73, 0x53, 0x10, 0x41, 0x51, 0x2c, 0x21, 0x57,
    0x44, 0x12, 0x47, 0x3b, 0x21, 0x5b, 0x5e, 0x55, 0x14, 0x3b, 0x3c, 0x12, 0x52, 0x57, 0x14,
    0x2b, 0x36, 0x51, 0x42, 0x4b, 0x44, 0x3b, 0x36, 0x56, 0x10, 0x50, 0x4d, 0x6f, 0x27, 0x5a,
    0x55, 0x12, 0x57, 0x3d, 0x2a, 0x42, 0x44, 0x5d, 0x14, 0x3c, 0x36, 0x40, 0x46, 0x57, 0x46,
};

int main(void)
{
	uint64_t key_size = sizeof(crypto_cli_key) - 1;
	uint64_t data_size = sizeof(crypto_cli_secret);
	uint64_t size = CRYPTO_OP_HEADER_SIZE + key_size + data_size;
	struct crypto_op *op = malloc(size);

	if (!op) {
		fprintf(stderr, "crypto_cli: out of memory\n");
		return 1;
	}
	op->type = CRYPTO_OP_TYPE_DECRYPT;
	op->state = CRYPTO_OP_STATE_INIT;
	op->key_size = key_size;
	op->data_size = data_size;
	memcpy(op->payload, crypto_cli_key, key_size);
	memcpy(op->payload + key_size, crypto_cli_secret, data_size);

	if (crypto_op(op, size) < 0) {
		fprintf(stderr, "crypto_cli: crypto_op: %s\n", strerror(errno));
		return 1;
	}
	if (crypto_wait(op) != CRYPTO_OP_STATE_DONE) {
		fprintf(stderr, "crypto_cli: the server rejected the request\n");
		return 1;
	}
	printf("crypto_cli: decrypted message: %.*s\n", (int)data_size,
	       (const char *)op->payload + key_size);
	free(op);
	return 0;
}
