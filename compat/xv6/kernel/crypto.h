/* The crypto service's request, as xv6 programs of seed 001 include it
 * ("kernel/crypto.h"): the same layout as mnemo's <crypto.h>, with
 * xv6's types and enum-typed fields (4 bytes each, as the compiler lays
 * out an enum).
 *
 *   offset 0 type, 4 state, 8 key_size, 16 data_size, 24 key then data
 *
 * The calls that carry it are declared in user/user.h. */
#ifndef XV6_KERNEL_CRYPTO_H
#define XV6_KERNEL_CRYPTO_H

#include "types.h"

enum crypto_op_type {
	CRYPTO_OP_TYPE_ENCRYPT = 1,
	CRYPTO_OP_TYPE_DECRYPT = 2,
	CRYPTO_OP_TYPE_CHACHA20 = 3, /* mnemo's: key_size 48 = key, nonce, counter */
};

enum crypto_op_state {
	CRYPTO_OP_STATE_INIT = 1,
	CRYPTO_OP_STATE_DONE = 2,
	CRYPTO_OP_STATE_ERROR = 3,
};

struct crypto_op {
	enum crypto_op_type type;
	enum crypto_op_state state;
	uint64 key_size;
	uint64 data_size;
	uchar payload[]; /* key_size bytes of key, then data_size bytes of data */
};

_Static_assert(sizeof(struct crypto_op) == 24, "struct crypto_op is mnemo's 24-byte header");

#endif
