/* A small deterministic generator (xorshift64) for the host tests, so a
 * failure repeats: a test seeds it, then draws from it. Each test binary
 * has its own state. */
#ifndef TESTS_UNIT_RNG_H
#define TESTS_UNIT_RNG_H

#include <stddef.h>
#include <stdint.h>

static uint64_t test_rng = 1;

static inline void rng_seed(uint64_t seed)
{
	test_rng = seed ? seed : 1; /* 0 would stay 0 forever */
}

static inline uint64_t rng_next(void)
{
	test_rng ^= test_rng << 13;
	test_rng ^= test_rng >> 7;
	test_rng ^= test_rng << 17;
	return test_rng;
}

/* Uniform enough in [0, n). */
static inline uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

/* n bytes, one per draw. */
static inline void rng_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next();
}

#endif
