/* The cryptographic service (seed 001): requests, and the calls that carry
 * them.
 *
 * A client builds a request in its own memory: a 24-byte header, then the
 * key, then the data. crypto_op() queues it in the kernel; the server
 * (/bin/crypto_srv, PID 2) takes it, which maps the client's pages into
 * the server, runs the cipher on the data in place, stores the final
 * state and wakes the client, and lets the pages go. The kernel never
 * reads the request.
 *
 *   offset 0   type       CRYPTO_OP_TYPE_*
 *          4   state      INIT from the client; DONE or ERROR from the server
 *          8   key_size   bytes of key
 *         16   data_size  bytes of data
 *         24   payload    key[key_size], then data[data_size]
 *
 * Ciphers: ENCRYPT and DECRYPT both do data[i] ^= key[i % key_size].
 * CHACHA20 needs a 48-byte key field: the 32-byte key, the 12-byte nonce
 * and the 4-byte initial block counter (little-endian), and encrypts or
 * decrypts with ChaCha20 (RFC 8439, section 2.4). */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SERVER_PID 2

enum crypto_op_type {
	CRYPTO_OP_TYPE_ENCRYPT = 1,
	CRYPTO_OP_TYPE_DECRYPT = 2,
	CRYPTO_OP_TYPE_CHACHA20 = 3,
};

enum crypto_op_state {
	CRYPTO_OP_STATE_INIT = 1,
	CRYPTO_OP_STATE_DONE = 2,
	CRYPTO_OP_STATE_ERROR = 3,
};

/* The 32-bit fields are plain integers, not enums, so that the layout
 * never depends on the compiler and state can be a futex word. */
struct crypto_op {
	uint32_t type;
	uint32_t state;
	uint64_t key_size;
	uint64_t data_size;
	uint8_t payload[];
};

#define CRYPTO_OP_HEADER_SIZE 24
_Static_assert(sizeof(struct crypto_op) == CRYPTO_OP_HEADER_SIZE, "crypto_op header");
_Static_assert(offsetof(struct crypto_op, state) == 4, "crypto_op state");
_Static_assert(offsetof(struct crypto_op, key_size) == 8, "crypto_op key_size");
_Static_assert(offsetof(struct crypto_op, data_size) == 16, "crypto_op data_size");

/* The key field of a CHACHA20 request: key, nonce, counter. */
#define CRYPTO_CHACHA20_KEY_SIZE 48

/* ---------------------------------------------------------------- clients */

/* Queues the request that fills [op, op+size); the caller must keep that
 * memory until the state leaves INIT. The range must be mapped writable
 * and size at least CRYPTO_OP_HEADER_SIZE. Returns 0, or -1 with errno:
 * EINVAL, EFAULT, ESRCH (no server), EINTR. Sleeps while the kernel's
 * queue is full. */
int crypto_op(struct crypto_op *op, uint64_t size);

/* Sleeps until the server has answered the caller's request at op; returns
 * the final state (CRYPTO_OP_STATE_DONE or _ERROR), after which the
 * server's writes to the data are visible; or -1 with errno EIO when the
 * request failed (the server died on it twice), ENOMEM (there was no
 * memory to map it into the server), EINTR. With no request
 * at op queued or in service, it returns the state at once. */
int crypto_wait(struct crypto_op *op);

/* ---------------------------------------------------------------- the server
 * Only the server the kernel started (PID 2) may call these (EPERM
 * otherwise; not another process that gets pid 2 or runs the same file). */

/* Sleeps until a request is queued, maps the client's pages (pinned when
 * the client queued the request) into the caller, writable, at the same
 * offset into the first page, and stores the address of the request and
 * its size. 0, or -1 with errno (EINTR, EFAULT, ENOMEM). */
int take_shared_memory_request(void **addr, uint64_t *size);

/* Ends a request that take_shared_memory_request gave at addr with size
 * bytes: unmaps it and wakes the client in crypto_wait. 0, or -1 with
 * errno EINVAL when no request is in service there. */
int remove_shared_memory_request(void *addr, uint64_t size);

/* The server's work on one request of size bytes at op (size >= the
 * header): reads the header once (the client can change it at any time,
 * so nothing is read twice), checks it, and runs the cipher on the data
 * in place. Returns the state to store, CRYPTO_OP_STATE_DONE, or
 * CRYPTO_OP_STATE_ERROR (data untouched) when the state is not INIT, the
 * type is unknown, key_size is 0, key and data do not fit in size, or a
 * CHACHA20 request has a key field of the wrong size or would run its
 * block counter past 2^32. Does not store the state itself. */
enum crypto_op_state crypto_serve(struct crypto_op *op, uint64_t size);

#endif
