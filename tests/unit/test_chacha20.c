/* Specification of user/lib/chacha20.c, the crypto server's ChaCha20:
 * the RFC 8439 test vectors (2.3.2 block function, 2.4.2 encryption),
 * agreement with the host's OpenSSL (`openssl enc -chacha20`) on random
 * keys, nonces, counters and lengths, and the 32-bit counter limit. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/rng.h"
#include "user/include/chacha20.h"

/* ------------------------------------------------------------------ helpers */

/* Bytes from a hex string (spaces allowed); returns how many. */
static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		unsigned v;
		cr_assert(sscanf(hex, "%2x", &v) == 1, "bad hex at %s", hex);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static void key_00_to_1f(uint8_t key[CHACHA20_KEY_SIZE])
{
	for (int i = 0; i < CHACHA20_KEY_SIZE; i++)
		key[i] = (uint8_t)i;
}

/* ------------------------------------------------------------------ RFC 8439 */

/* 2.3.2: key 00..1f, nonce 00 00 00 09 00 00 00 4a 00 00 00 00, counter 1. */
Test(chacha20, rfc_2_3_2_block)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE] = {0};
	uint8_t want[64], got[64];

	key_00_to_1f(key);
	nonce[3] = 0x09;
	nonce[7] = 0x4a;
	unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
	      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
	      want);
	chacha20_block(key, 1, nonce, got);
	cr_assert(memcmp(got, want, 64) == 0);
}

static const char sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer "
				"you only one tip for the future, sunscreen would be it.";

static const char sunscreen_cipher[] =
    "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
    "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
    "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
    "5af90bbf74a35be6b40b8eedf2785e42874d";

/* 2.4.2: key 00..1f, nonce 00 00 00 00 00 00 00 4a 00 00 00 00, counter
 * 1, 114 bytes of plaintext (so the last block is partial). */
Test(chacha20, rfc_2_4_2_encrypt_and_back)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE] = {0};
	uint8_t want[sizeof(sunscreen)], buf[sizeof(sunscreen)];
	size_t len = sizeof(sunscreen) - 1;

	key_00_to_1f(key);
	nonce[7] = 0x4a;
	cr_assert_eq(unhex(sunscreen_cipher, want), len);
	memcpy(buf, sunscreen, len);
	cr_assert_eq(chacha20_xor(key, nonce, 1, buf, len), 0);
	cr_assert(memcmp(buf, want, len) == 0, "ciphertext differs from RFC 8439 2.4.2");
	cr_assert_eq(chacha20_xor(key, nonce, 1, buf, len), 0);
	cr_assert(memcmp(buf, sunscreen, len) == 0, "decrypting did not give the plaintext back");
}

/* Encrypting in pieces that end on block boundaries, each with the
 * counter it would have reached, equals encrypting in one go. */
Test(chacha20, pieces_on_block_boundaries)
{
	uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE];
	uint8_t whole[1000], pieces[1000];

	rng_seed(7);
	rng_fill(key, sizeof(key));
	rng_fill(nonce, sizeof(nonce));
	rng_fill(whole, sizeof(whole));
	memcpy(pieces, whole, sizeof(whole));
	chacha20_xor(key, nonce, 5, whole, sizeof(whole));
	chacha20_xor(key, nonce, 5, pieces, 128);
	chacha20_xor(key, nonce, 7, pieces + 128, 64);
	chacha20_xor(key, nonce, 8, pieces + 192, sizeof(pieces) - 192);
	cr_assert(memcmp(whole, pieces, sizeof(whole)) == 0);
}

/* ------------------------------------------------------------------ counter limit */

Test(chacha20, counter_must_not_wrap)
{
	uint8_t key[CHACHA20_KEY_SIZE] = {0}, nonce[CHACHA20_NONCE_SIZE] = {0};
	uint8_t buf[65] = {0}, zero[65] = {0};

	cr_assert(chacha20_fits(0xffffffff, 64));
	cr_assert(!chacha20_fits(0xffffffff, 65));
	cr_assert(chacha20_fits(0xfffffffe, 128));
	cr_assert(!chacha20_fits(0xfffffffe, 129));
	cr_assert(chacha20_fits(0, 1ull << 38)); /* 2^32 blocks of 64 bytes */
	cr_assert(!chacha20_fits(0, (1ull << 38) + 1));
	cr_assert(!chacha20_fits(1, 1ull << 38));
	cr_assert(chacha20_fits(0xffffffff, 0));

	cr_assert_eq(chacha20_xor(key, nonce, 0xffffffff, buf, 65), -1);
	cr_assert(memcmp(buf, zero, 65) == 0, "a refused request changed the data");
	cr_assert_eq(chacha20_xor(key, nonce, 0xffffffff, buf, 64), 0);
	cr_assert(memcmp(buf, zero, 64) != 0);
}

/* ------------------------------------------------------------------ OpenSSL */

static void hex_of(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* Encrypts data with `openssl enc -chacha20`, whose 16-byte IV is the
 * counter (little-endian) then the nonce. Returns 0, or -1 when openssl
 * could not be run. */
static int openssl_chacha20(const uint8_t *key, const uint8_t *nonce, uint32_t counter,
			    const uint8_t *in, uint8_t *out, size_t len)
{
	char in_path[] = "/tmp/chacha20-in-XXXXXX", out_path[] = "/tmp/chacha20-out-XXXXXX";
	char key_hex[65], iv_hex[33], cmd[512];
	uint8_t iv[16] = {(uint8_t)counter, (uint8_t)(counter >> 8), (uint8_t)(counter >> 16),
			  (uint8_t)(counter >> 24)};
	int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path), ret = -1;

	if (in_fd < 0 || out_fd < 0)
		goto out;
	memcpy(iv + 4, nonce, CHACHA20_NONCE_SIZE);
	hex_of(key, CHACHA20_KEY_SIZE, key_hex);
	hex_of(iv, sizeof(iv), iv_hex);
	if (write(in_fd, in, len) != (ssize_t)len)
		goto out;
	snprintf(cmd, sizeof(cmd), "openssl enc -chacha20 -K %s -iv %s -in %s -out %s 2>/dev/null",
		 key_hex, iv_hex, in_path, out_path);
	if (system(cmd) != 0)
		goto out;
	ret = read(out_fd, out, len) == (ssize_t)len ? 0 : -1;
out:
	if (in_fd >= 0) {
		close(in_fd);
		unlink(in_path);
	}
	if (out_fd >= 0) {
		close(out_fd);
		unlink(out_path);
	}
	return ret;
}

Test(chacha20, agrees_with_openssl)
{
	if (system("openssl enc -chacha20 -help >/dev/null 2>&1") != 0 &&
	    system("openssl version >/dev/null 2>&1") != 0)
		cr_skip_test("no openssl on this host");

	rng_seed(2024);
	for (int trial = 0; trial < 40; trial++) {
		uint8_t key[CHACHA20_KEY_SIZE], nonce[CHACHA20_NONCE_SIZE];
		size_t len = trial < 8 ? (size_t[]){1, 63, 64, 65, 127, 128, 129, 4096}[trial]
				       : 1 + rng_next() % 3000;
		/* Counters anywhere, but with room for len bytes. */
		uint32_t counter = (uint32_t)rng_next() % (0xffffffffu - 64);
		uint8_t *plain = malloc(len), *mine = malloc(len), *theirs = malloc(len);

		cr_assert(plain && mine && theirs);
		rng_fill(key, sizeof(key));
		rng_fill(nonce, sizeof(nonce));
		rng_fill(plain, len);
		memcpy(mine, plain, len);
		cr_assert_eq(chacha20_xor(key, nonce, counter, mine, len), 0);
		cr_assert_eq(openssl_chacha20(key, nonce, counter, plain, theirs, len), 0,
			     "could not run openssl");
		cr_assert(memcmp(mine, theirs, len) == 0,
			  "trial %d: %zu bytes, counter %u: differs from openssl", trial, len,
			  counter);
		free(plain);
		free(mine);
		free(theirs);
	}
}
