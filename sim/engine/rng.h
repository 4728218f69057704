/*
 * Reproducible random streams on a counter-based generator (Philox4x32-10
 * from Random123), used through GSL's distributions.
 *
 * A draw is addressed, not sequenced: (seed) is the key, and the counter is
 * (entity, replicate, stream kind, k). So a firm's k-th draw of a kind is
 * the same number whatever thread runs it, whatever order the other firms
 * move in, and whether the policy run or its no-policy twin asks for it
 * (common random numbers). Streams belong to replications and firms, never
 * to threads.
 */
#ifndef ZZ_RNG_H
#define ZZ_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Stream kinds: one per kind of decision, so that adding draws to one kind
 * never shifts the numbers of another. */
enum zz_stream {
    ZZ_RNG_POPULATION = 1,  /* firm attributes (replicate-independent)      */
    ZZ_RNG_REVIEW,          /* review intervals                              */
    ZZ_RNG_DECIDE,          /* adopt-or-not at a review                      */
    ZZ_RNG_IMPLEMENT,       /* implementation duration                       */
    ZZ_RNG_SUCCESS,         /* true success of an implementation             */
    ZZ_RNG_AWARE,           /* awareness arrival                             */
    ZZ_RNG_CONTEST,         /* bids and jury noise                           */
    ZZ_RNG_SCALE,           /* scale-up reviews                              */
    ZZ_RNG_PROGRAMME,       /* programme selections (equity, campaigns)      */
    ZZ_RNG_SCENARIO,        /* math.random inside a scenario (sequential)    */
    ZZ_RNG_ALLOCATION       /* a voucher lottery's order of applicants       */
};

#define ZZ_RNG_ANY_REPLICATE 0xffffffffu
#define ZZ_RNG_GLOBAL_ENTITY 0xffffffffu

typedef struct zz_rng {
    gsl_rng *gsl;            /* a Random123 micro-RNG over Philox4x32-10     */
    uint32_t key[2];
    uint32_t replicate;
} zz_rng;

int zz_rng_init(zz_rng *r, int64_t seed, uint32_t replicate);
void zz_rng_free(zz_rng *r);
/* Positions the stream at (entity, kind, k) and returns it for GSL's
 * distributions; valid for up to 2^32 draws until the next zz_rng_at. */
gsl_rng *zz_rng_at(zz_rng *r, uint32_t entity, uint32_t kind, uint32_t k);
/* A single uniform in (0, 1) at that address; faster than going via GSL. */
double zz_rng_uniform(const zz_rng *r, uint32_t entity, uint32_t kind, uint32_t k);
/* Two independent uniforms in (0, 1) from one Philox block at that
 * address: for hot loops that need two numbers per step. */
void zz_rng_uniform2(const zz_rng *r, uint32_t entity, uint32_t kind, uint32_t k, double u[2]);

#endif
