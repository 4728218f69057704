/*
 * Experimental designs on the unit cube [0,1]^k: each generator fills
 * u[point * k + factor]. Factors map the cube to actual values afterwards
 * (experiment.c), so every design treats every factor alike.
 *
 *   sobol      the first n points of GSL's Sobol sequence (gsl_qrng_sobol)
 *   lhs        Latin hypercube: each factor's n strata [j/n, (j+1)/n) hold
 *              exactly one point (random position within the stratum)
 *   morris     r trajectories of k+1 points on a `levels`-level grid; each
 *              step moves one factor by delta = levels / (2 (levels - 1))
 *   factorial  every combination of levels[f] levels per factor
 *   saltelli   the blocks A, B, AB_1 .. AB_k of N points each that Sobol
 *              indices need (Saltelli 2010): A and B are the two halves of a
 *              2k-dimensional Sobol sequence, AB_i is A with column i of B
 * Random designs draw from a GSL generator seeded by the experiment's seed,
 * never from the replications' streams.
 */
#ifndef ZZ_DESIGN_H
#define ZZ_DESIGN_H

#include <stddef.h>
#include <stdint.h>

enum zz_design_kind {
    ZZ_DESIGN_LHS, ZZ_DESIGN_SOBOL, ZZ_DESIGN_SALTELLI, ZZ_DESIGN_MORRIS, ZZ_DESIGN_FACTORIAL,
    ZZ_DESIGN_FILE, ZZ_NDESIGNS
};
extern const char *const zz_design_names[ZZ_NDESIGNS];

/* GSL's Sobol generator has 40 dimensions; Saltelli needs 2k of them. */
#define ZZ_SOBOL_MAX_DIM 40

/* Each returns 0, or -1 with a message in err. `block` (may be NULL) gets
 * each point's block: Saltelli 0 = A, 1 = B, 2 + i = AB_i; Morris the
 * trajectory; others 0. */
int zz_design_sobol(double *u, int n, int k, char *err, size_t errlen);
int zz_design_lhs(double *u, int n, int k, uint64_t seed);
int zz_design_morris(double *u, int32_t *block, int r, int k, int levels, uint64_t seed);
/* Points: the product of levels[0..k). */
int zz_design_factorial(double *u, int k, const int *levels);
/* Points: N (k + 2). */
int zz_design_saltelli(double *u, int32_t *block, int N, int k, char *err, size_t errlen);

/* Points each design makes from `points` (and k factors; factorial: from
 * levels). -1 when too many (more than max). */
int64_t zz_design_size(int kind, int points, int k, const int *levels);

#endif
