/* rng.h — the seeded random stream of every generated input: xoshiro256**
 * seeded through splitmix64, the same stream on every machine. */
#ifndef DML_CORE_RNG_H
#define DML_CORE_RNG_H

#include <stdint.h>

typedef struct rng { uint64_t s[4]; } rng;
void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);  /* [0, 1) */
double rng_normal(rng *r);   /* standard normal */

#endif
