/* ChaCha20 (RFC 8439, section 2), written from the RFC's description.
 *
 * The state is 16 32-bit words:
 *
 *   cccccccc  cccccccc  cccccccc  cccccccc     c: the constant "expand 32-byte k"
 *   kkkkkkkk  kkkkkkkk  kkkkkkkk  kkkkkkkk     k: the key, 8 little-endian words
 *   kkkkkkkk  kkkkkkkk  kkkkkkkk  kkkkkkkk
 *   bbbbbbbb  nnnnnnnn  nnnnnnnn  nnnnnnnn     b: block counter, n: nonce
 *
 * A block is 20 rounds (10 column-and-diagonal pairs) of quarter rounds on
 * a copy of the state, the original added back word by word, serialized
 * little-endian. */
#include "user/include/chacha20.h"

static uint32_t chacha20_load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void chacha20_store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t chacha20_rotl(uint32_t v, int n)
{
	return v << n | v >> (32 - n);
}

/* The quarter round (RFC 8439, 2.1) on words a, b, c, d of x. */
static inline void chacha20_quarter(uint32_t x[16], int a, int b, int c, int d)
{
	x[a] += x[b];
	x[d] = chacha20_rotl(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = chacha20_rotl(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = chacha20_rotl(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = chacha20_rotl(x[b] ^ x[c], 7);
}

/* The initial state for a key, block counter and nonce (RFC 8439, 2.3). */
static void chacha20_init(uint32_t state[16], const uint8_t *key, uint32_t counter,
			  const uint8_t *nonce)
{
	state[0] = 0x61707865; /* "expa" */
	state[1] = 0x3320646e; /* "nd 3" */
	state[2] = 0x79622d32; /* "2-by" */
	state[3] = 0x6b206574; /* "te k" */
	for (int i = 0; i < 8; i++)
		state[4 + i] = chacha20_load32(key + 4 * i);
	state[12] = counter;
	for (int i = 0; i < 3; i++)
		state[13 + i] = chacha20_load32(nonce + 4 * i);
}

/* The block function on a prepared state. */
static void chacha20_block_of(const uint32_t state[16], uint8_t out[CHACHA20_BLOCK_SIZE])
{
	uint32_t x[16];

	for (int i = 0; i < 16; i++)
		x[i] = state[i];
	for (int round = 0; round < 10; round++) {
		/* Columns... */
		chacha20_quarter(x, 0, 4, 8, 12);
		chacha20_quarter(x, 1, 5, 9, 13);
		chacha20_quarter(x, 2, 6, 10, 14);
		chacha20_quarter(x, 3, 7, 11, 15);
		/* ...then diagonals. */
		chacha20_quarter(x, 0, 5, 10, 15);
		chacha20_quarter(x, 1, 6, 11, 12);
		chacha20_quarter(x, 2, 7, 8, 13);
		chacha20_quarter(x, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		chacha20_store32(out + 4 * i, x[i] + state[i]);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE])
{
	uint32_t state[16];

	chacha20_init(state, key, counter, nonce);
	chacha20_block_of(state, out);
}

int chacha20_fits(uint32_t counter, uint64_t len)
{
	uint64_t blocks = len / CHACHA20_BLOCK_SIZE + (len % CHACHA20_BLOCK_SIZE != 0);

	return blocks <= (1ull << 32) - counter;
}

int chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], const uint8_t nonce[CHACHA20_NONCE_SIZE],
		 uint32_t counter, uint8_t *data, uint64_t len)
{
	uint32_t state[16];
	uint8_t stream[CHACHA20_BLOCK_SIZE];

	if (!chacha20_fits(counter, len))
		return -1;
	chacha20_init(state, key, counter, nonce);
	while (len > 0) {
		uint64_t n = len < CHACHA20_BLOCK_SIZE ? len : CHACHA20_BLOCK_SIZE;

		chacha20_block_of(state, stream);
		for (uint64_t i = 0; i < n; i++)
			data[i] ^= stream[i];
		data += n;
		len -= n;
		state[12]++; /* cannot wrap: chacha20_fits said so */
	}
	return 0;
}
