/* Designs on the unit cube (sim/experiment/design.c), checked against
 * their definitions: GSL's own Sobol sequence, one Latin-hypercube point
 * per stratum, Morris steps of one factor by the grid step, every
 * factorial combination, Saltelli's A, B and AB_i. */
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/design.h"
#include "zz_test.h"

static void sobol_is_gsls_sequence(void)
{
    enum { N = 100, K = 5 };
    double u[N * K], ref[K];
    char err[256];
    CHECK(zz_design_sobol(u, N, K, err, sizeof err) == 0);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, K);
    int same = 1;
    for (int i = 0; i < N; i++) {
        gsl_qrng_get(q, ref);
        for (int k = 0; k < K; k++)
            same &= u[i * K + k] == ref[k];
    }
    gsl_qrng_free(q);
    CHECK(same);
    CHECK(zz_design_sobol(u, 1, ZZ_SOBOL_MAX_DIM + 1, err, sizeof err) != 0);
}

static void lhs_one_point_per_stratum(void)
{
    enum { N = 37, K = 6 };
    double u[N * K];
    CHECK(zz_design_lhs(u, N, K, 11) == 0);
    for (int k = 0; k < K; k++) {
        int count[N] = {0};
        for (int i = 0; i < N; i++) {
            double x = u[i * K + k];
            CHECK(x >= 0 && x < 1);
            count[(int)floor(x * N)]++;
        }
        int ok = 1;
        for (int j = 0; j < N; j++)
            ok &= count[j] == 1;
        CHECKF(ok, "factor %d", k);
    }
    /* the seed decides the design, and only the seed */
    double v[N * K];
    zz_design_lhs(v, N, K, 11);
    CHECK(memcmp(u, v, sizeof u) == 0);
    zz_design_lhs(v, N, K, 12);
    CHECK(memcmp(u, v, sizeof u) != 0);
}

/* The columns of a Latin hypercube are independent: each factor's
 * stratum order is its own, so over many points every pair of columns
 * has a rank correlation near zero (sd 1/sqrt(N - 1) ~ 0.022 here). */
static void lhs_columns_independent(void)
{
    enum { N = 2000, K = 5 };
    static double u[N * K], col[K][N], work[2 * N];
    CHECK(zz_design_lhs(u, N, K, 7) == 0);
    for (int k = 0; k < K; k++)
        for (int i = 0; i < N; i++)
            col[k][i] = u[i * K + k];
    for (int a = 0; a < K; a++)
        for (int b = a + 1; b < K; b++) {
            double rho = gsl_stats_spearman(col[a], 1, col[b], 1, N, work);
            CHECKF(fabs(rho) < 0.1, "factors %d and %d: rank correlation %.3f", a, b, rho);
        }
}

static void morris_moves_one_factor_by_the_step(void)
{
    enum { R = 20, K = 7, P = 4 };
    double u[R * (K + 1) * K];
    int32_t block[R * (K + 1)];
    CHECK(zz_design_morris(u, block, R, K, P, 3) == 0);
    const double delta = P / (2.0 * (P - 1)), step = 1.0 / (P - 1);
    int bad = 0;
    for (int t = 0; t < R; t++) {
        int moved[K] = {0};
        for (int s = 0; s <= K; s++) {
            const double *x = u + ((size_t)t * (K + 1) + s) * K;
            bad += block[t * (K + 1) + s] != t;
            for (int k = 0; k < K; k++) /* on the grid, inside the cube */
                bad += x[k] < 0 || x[k] > 1 || fabs(x[k] / step - nearbyint(x[k] / step)) > 1e-12;
            if (s == 0)
                continue;
            int changed = 0;
            for (int k = 0; k < K; k++) {
                double d = x[k] - x[k - K];
                if (d != 0) {
                    changed++;
                    moved[k]++;
                    bad += fabs(fabs(d) - delta) > 1e-12;
                }
            }
            bad += changed != 1;
        }
        for (int k = 0; k < K; k++) /* each factor moves once per trajectory */
            bad += moved[k] != 1;
    }
    CHECKF(bad == 0, "%d violations", bad);
}

static void factorial_has_every_combination(void)
{
    const int levels[3] = {3, 2, 4};
    double u[24 * 3];
    CHECK(zz_design_factorial(u, 3, levels) == 0);
    CHECK(zz_design_size(ZZ_DESIGN_FACTORIAL, 0, 3, levels) == 24);
    int seen[3][2][4] = {{{0}}};
    for (int i = 0; i < 24; i++)
        seen[(int)nearbyint(u[i * 3] * 2)][(int)nearbyint(u[i * 3 + 1])][(int)nearbyint(u[i * 3 + 2] * 3)]++;
    int ok = 1;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 4; c++)
                ok &= seen[a][b][c] == 1;
    CHECK(ok);
}

static void saltelli_blocks(void)
{
    enum { N = 16, K = 3 };
    double u[N * (K + 2) * K], ab[N * 2 * K];
    int32_t block[N * (K + 2)];
    char err[256];
    CHECK(zz_design_saltelli(u, block, N, K, err, sizeof err) == 0);
    CHECK(zz_design_sobol(ab, N, 2 * K, err, sizeof err) == 0);
    int bad = 0;
    for (int b = 0; b < K + 2; b++)
        for (int i = 0; i < N; i++) {
            const double *x = u + ((size_t)b * N + i) * K, *A = ab + i * 2 * K, *B = A + K;
            bad += block[b * N + i] != b;
            for (int k = 0; k < K; k++) {
                double want = b == 1 || (b >= 2 && k == b - 2) ? B[k] : A[k];
                bad += x[k] != want;
            }
        }
    CHECKF(bad == 0, "%d violations", bad);
    CHECK(zz_design_size(ZZ_DESIGN_SALTELLI, N, K, NULL) == N * (K + 2));
    CHECK(zz_design_saltelli(u, block, 1, ZZ_SOBOL_MAX_DIM / 2 + 1, err, sizeof err) != 0);
}

int main(void)
{
    sobol_is_gsls_sequence();
    lhs_one_point_per_stratum();
    lhs_columns_independent();
    morris_moves_one_factor_by_the_step();
    factorial_has_every_combination();
    saltelli_blocks();
    return zz_test_finish();
}
