/* rng.h — the seeded random stream of every generated input: xoshiro256**
 * seeded through splitmix64, the same stream on every machine. */
#ifndef DML_CORE_RNG_H
#define DML_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng { uint64_t s[4]; } rng;
void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);  /* [0, 1) */
double rng_normal(rng *r);   /* standard normal */
/* Independent stream `stream` of a seed: a generator can give each class
 * its own stream, so that it runs in parallel and draws any class alone. */
void rng_seed_stream(rng *r, uint64_t seed, uint64_t stream);
/* n standard normals (float, the polar method: a generator's fast path). */
void rng_normals(rng *r, float *out, size_t n);

#endif
