/* Experimental designs on the unit cube (design.h). */
#include "experiment/design.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>

const char *const zz_design_names[ZZ_NDESIGNS] = {"lhs", "sobol", "saltelli", "morris",
                                                  "factorial", "file"};

int zz_design_sobol(double *u, int n, int k, char *err, size_t errlen)
{
    if (k < 1 || k > ZZ_SOBOL_MAX_DIM) {
        snprintf(err, errlen, "a Sobol sequence has 1 to %d dimensions, not %d", ZZ_SOBOL_MAX_DIM, k);
        return -1;
    }
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)k);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++)
        gsl_qrng_get(q, u + (size_t)i * k);
    gsl_qrng_free(q);
    return 0;
}

static gsl_rng *seeded(uint64_t seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    if (g)
        gsl_rng_set(g, (unsigned long)(seed ^ (seed >> 32)));
    return g;
}

int zz_design_lhs(double *u, int n, int k, uint64_t seed)
{
    gsl_rng *g = seeded(seed);
    int *perm = malloc((size_t)(n ? n : 1) * sizeof *perm);
    if (!g || !perm) {
        gsl_rng_free(g);
        free(perm);
        return -1;
    }
    for (int f = 0; f < k; f++) {
        for (int i = 0; i < n; i++)
            perm[i] = i;
        gsl_ran_shuffle(g, perm, (size_t)n, sizeof *perm);
        for (int i = 0; i < n; i++)
            u[(size_t)i * k + f] = (perm[i] + gsl_rng_uniform(g)) / n;
    }
    gsl_rng_free(g);
    free(perm);
    return 0;
}

/* Morris (1991) as Campolongo et al. (2007) use it: a random base point on
 * the grid {0, 1/(p-1), ..., 1}, the factors moved one at a time in a
 * random order, each by +delta if that stays in [0, 1], else by -delta. */
int zz_design_morris(double *u, int32_t *block, int r, int k, int levels, uint64_t seed)
{
    if (levels < 2)
        return -1;
    gsl_rng *g = seeded(seed);
    int *order = malloc((size_t)k * sizeof *order);
    if (!g || !order) {
        gsl_rng_free(g);
        free(order);
        return -1;
    }
    const double step = 1.0 / (levels - 1);
    const int jump = levels / 2; /* delta = jump grid steps = p / (2 (p - 1)) for even p */
    for (int t = 0; t < r; t++) {
        double *x = u + (size_t)t * (k + 1) * k;
        int *lev = order; /* reused below; levels first */
        int base[64];
        for (int f = 0; f < k; f++)
            base[f] = (int)gsl_rng_uniform_int(g, (unsigned long)levels);
        for (int f = 0; f < k; f++)
            x[f] = base[f] * step;
        for (int f = 0; f < k; f++)
            lev[f] = f;
        gsl_ran_shuffle(g, lev, (size_t)k, sizeof *lev);
        for (int s = 0; s < k; s++) {
            double *prev = x + (size_t)s * k, *next = prev + k;
            for (int f = 0; f < k; f++)
                next[f] = prev[f];
            int f = lev[s];
            base[f] += base[f] + jump <= levels - 1 ? jump : -jump;
            next[f] = base[f] * step;
        }
        for (int s = 0; block && s <= k; s++)
            block[(size_t)t * (k + 1) + s] = t;
    }
    gsl_rng_free(g);
    free(order);
    return 0;
}

int zz_design_factorial(double *u, int k, const int *levels)
{
    int64_t n = 1;
    for (int f = 0; f < k; f++)
        n *= levels[f];
    for (int64_t i = 0; i < n; i++) {
        int64_t rest = i;
        /* last factor varies fastest, as in a nested loop over the factors */
        for (int f = k - 1; f >= 0; f--) {
            int j = (int)(rest % levels[f]);
            rest /= levels[f];
            u[i * k + f] = levels[f] > 1 ? (double)j / (levels[f] - 1) : 0.5;
        }
    }
    return 0;
}

int zz_design_saltelli(double *u, int32_t *block, int N, int k, char *err, size_t errlen)
{
    if (2 * k > ZZ_SOBOL_MAX_DIM) {
        snprintf(err, errlen, "the Saltelli design draws A and B from one %d-dimensional Sobol "
                              "sequence, so at most %d factors, not %d",
                 ZZ_SOBOL_MAX_DIM, ZZ_SOBOL_MAX_DIM / 2, k);
        return -1;
    }
    double *ab = malloc((size_t)N * 2 * k * sizeof *ab);
    if (!ab || zz_design_sobol(ab, N, 2 * k, err, errlen)) {
        free(ab);
        return -1;
    }
    /* blocks in order A, B, AB_1, ..., AB_k, each N points */
    for (int b = 0; b < k + 2; b++)
        for (int i = 0; i < N; i++) {
            double *x = u + ((size_t)b * N + i) * k;
            const double *a = ab + (size_t)i * 2 * k, *bb = a + k;
            for (int f = 0; f < k; f++)
                x[f] = b == 1 ? bb[f] : a[f];
            if (b >= 2)
                x[b - 2] = bb[b - 2];
            if (block)
                block[(size_t)b * N + i] = b;
        }
    free(ab);
    return 0;
}

int64_t zz_design_size(int kind, int points, int k, const int *levels)
{
    int64_t n = points;
    switch (kind) {
    case ZZ_DESIGN_SALTELLI: n = (int64_t)points * (k + 2); break;
    case ZZ_DESIGN_MORRIS: n = (int64_t)points * (k + 1); break;
    case ZZ_DESIGN_FACTORIAL:
        n = 1;
        for (int f = 0; f < k; f++) {
            n *= levels[f];
            if (n > 100000000)
                return -1;
        }
        break;
    default: break;
    }
    return n;
}
