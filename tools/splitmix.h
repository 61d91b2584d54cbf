/*
 * splitmix.h - the simulations' own randomness (tools/simulate.c,
 * tools/bench_startup.c): splitmix64, seeded, the same in every run and on
 * every machine. The review engine has its own; these never feed it.
 */
#ifndef GR_TOOLS_SPLITMIX_H
#define GR_TOOLS_SPLITMIX_H

#include <stdint.h>

static inline uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double uniform(uint64_t *state)
{
	return (double)(splitmix(state) >> 11) / 9007199254740992.0;
}

/* Uniform in [low, high). */
static inline double between(uint64_t *state, double low, double high)
{
	return low + (high - low) * uniform(state);
}

/* A value fixed by (seed, a, b), the same in every run. */
static inline uint64_t hash3(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t state = seed ^ (a * 0x100000001b3ULL) ^ (b << 32);

	return splitmix(&state);
}

#endif
