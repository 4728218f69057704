#include "engine/rng.h"

#include <Random123/philox.h>
#include <Random123/gsl_microrng.h>

/* Defines gsl_rng_zz_philox: a GSL generator type whose state is a Philox
 * counter and key; zz_philox_reset() repositions it. */
GSL_MICRORNG(zz_philox, philox4x32);

/* Counter layout: v[0] entity, v[1] replicate, v[2] kind << 24 | k (k < 2^24
 * per entity and kind: 16 million reviews of one firm), v[3] left zero for
 * the micro-RNG's own sequence number. */
static philox4x32_ctr_t counter(const zz_rng *r, uint32_t entity, uint32_t kind, uint32_t k)
{
    philox4x32_ctr_t c = {{entity, r->replicate, (kind << 24) ^ (k & 0xffffffu) ^ ((k >> 24) << 16), 0}};
    return c;
}

int zz_rng_init(zz_rng *r, int64_t seed, uint32_t replicate)
{
    uint64_t s = (uint64_t)seed;
    r->key[0] = (uint32_t)s;
    r->key[1] = (uint32_t)(s >> 32);
    r->replicate = replicate;
    r->gsl = gsl_rng_alloc(gsl_rng_zz_philox);
    if (!r->gsl)
        return -1;
    zz_rng_at(r, ZZ_RNG_GLOBAL_ENTITY, 0, 0);
    return 0;
}

void zz_rng_free(zz_rng *r)
{
    if (r->gsl)
        gsl_rng_free(r->gsl);
    r->gsl = NULL;
}

gsl_rng *zz_rng_at(zz_rng *r, uint32_t entity, uint32_t kind, uint32_t k)
{
    philox4x32_key_t key = {{r->key[0], r->key[1]}};
    zz_philox_reset(r->gsl, counter(r, entity, kind, k), key);
    return r->gsl;
}

/* 53 random bits, shifted by half an ulp: never 0, never 1 */
static inline double to_unit(uint32_t hi, uint32_t lo)
{
    uint64_t bits = ((uint64_t)hi << 21) ^ (lo >> 11);
    return ((double)bits + 0.5) / 9007199254740992.0;
}

double zz_rng_uniform(const zz_rng *r, uint32_t entity, uint32_t kind, uint32_t k)
{
    philox4x32_key_t key = {{r->key[0], r->key[1]}};
    philox4x32_ctr_t out = philox4x32(counter(r, entity, kind, k), key);
    return to_unit(out.v[0], out.v[1]);
}

void zz_rng_uniform2(const zz_rng *r, uint32_t entity, uint32_t kind, uint32_t k, double u[2])
{
    philox4x32_key_t key = {{r->key[0], r->key[1]}};
    philox4x32_ctr_t out = philox4x32(counter(r, entity, kind, k), key);
    u[0] = to_unit(out.v[0], out.v[1]);
    u[1] = to_unit(out.v[2], out.v[3]);
}
