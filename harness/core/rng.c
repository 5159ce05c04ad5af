/* rng.c — xoshiro256** seeded through splitmix64: fast, and the same stream everywhere. */
#include <math.h>

#include "core/rng.h"

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return out;
}

double rng_uniform(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

double rng_normal(rng *r)
{
    double u = rng_uniform(r), v = rng_uniform(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

void rng_seed_stream(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed, y = splitmix(&x) ^ (stream * 0xd1b54a32d192ed03ULL);
    rng_seed(r, splitmix(&y));
}

/* Marsaglia's polar method in float: one 64-bit draw gives a point of the
 * square [-1, 1)^2 (32 bits a coordinate), kept inside the unit disc (79 %),
 * then one logf and one sqrtf make two normals.  About three times the
 * speed of rng_normal's log and cos in double, which made the proxies of a
 * C = 10^6 point cost more than its steps. */
void rng_normals(rng *r, float *out, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t w = rng_next(r);
        float u = (float)(int32_t)(uint32_t)(w >> 32) * 0x1p-31f;
        float v = (float)(int32_t)(uint32_t)w * 0x1p-31f;
        float s = u * u + v * v;
        if (s >= 1.0f || s == 0.0f)
            continue;
        float m = sqrtf(-2.0f * logf(s) / s);
        out[i++] = u * m;
        if (i < n)
            out[i++] = v * m;
    }
}
