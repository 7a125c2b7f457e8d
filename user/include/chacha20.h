/* ChaCha20, the stream cipher of RFC 8439 (section 2): a 256-bit key, a
 * 96-bit nonce and a 32-bit block counter give a keystream that is XORed
 * with the data, so encrypting and decrypting are the same operation.
 * Plain C with no library calls: the crypto server uses it on the target
 * and tests/unit checks it on the host against the RFC and OpenSSL. */
#ifndef CHACHA20_H
#define CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_SIZE   32
#define CHACHA20_NONCE_SIZE 12
#define CHACHA20_BLOCK_SIZE 64

/* One keystream block (RFC 8439, 2.3): the block function applied to the
 * key, the block counter and the nonce. */
void chacha20_block(const uint8_t key[CHACHA20_KEY_SIZE], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint8_t out[CHACHA20_BLOCK_SIZE]);

/* Whether len bytes starting at block counter fit before the 32-bit
 * counter would wrap (the keystream would then repeat itself). */
int chacha20_fits(uint32_t counter, uint64_t len);

/* Encrypts or decrypts data[0..len) in place (RFC 8439, 2.4): byte i is
 * XORed with byte i % 64 of block counter + i / 64. Returns 0, or -1
 * without touching data when chacha20_fits(counter, len) is false. */
int chacha20_xor(const uint8_t key[CHACHA20_KEY_SIZE], const uint8_t nonce[CHACHA20_NONCE_SIZE],
		 uint32_t counter, uint8_t *data, uint64_t len);

#endif
