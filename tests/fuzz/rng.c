/* The fuzzer's random numbers: splitmix64, one stream per (seed, round,
 * process), so that any process of any round can be replayed alone. */
#include "fuzz.h"

uint64_t fz_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Each part goes through the hash on its own, so that neighbouring
 * rounds and processes get unrelated streams. */
void fz_rng_init(struct fz_rng *r, uint64_t seed, uint64_t round, uint64_t who)
{
	r->state = fz_mix(seed ^ fz_mix(round * 0x9e3779b97f4a7c15ull + fz_mix(who + 1)));
}

uint64_t fz_next(struct fz_rng *r)
{
	r->state += 0x9e3779b97f4a7c15ull;
	return fz_mix(r->state);
}

/* The modulo's bias is far below anything a fuzzer cares about. */
uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return fz_next(r) % n;
}

bool fz_chance(struct fz_rng *r, unsigned percent)
{
	return fz_below(r, 100) < percent;
}
