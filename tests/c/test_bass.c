/*
 * The Bass limit (FACTS.md, "Reference results"): with the `bass` rule and
 * one peer group the mean adoption path follows
 *     F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}),
 * and with q = 0 adoption times are exponential with mean 1/p.
 */
#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <stdlib.h>

#include "sim.h"
#include "sim_internal.h"
#include "zz_fixture.h"
#include "zz_test.h"

static double bass_F(double p, double q, double t)
{
    double e = exp(-(p + q) * t);
    return (1 - e) / (1 + q / p * e);
}

/* Runs replicate r and returns its result (caller frees). */
static zz_rep_result *run(zz_scenario *sc, const zz_population *pop, int r, zz_sim **keep)
{
    zz_sim *sim;
    int rc = zz_sim_open(&sim, sc, pop, r, 0);
    if (!rc)
        rc = zz_sim_run(sim);
    CHECKF(rc == 0, "rc %d: %s", rc, zz_errmsg(sim));
    zz_rep_result *res = rc ? NULL : zz_sim_take_result(sim);
    if (keep)
        *keep = sim;
    else
        zz_sim_close(sim);
    return res;
}

static double adopted_share(const zz_rep_result *r, int k, int64_t n)
{
    int64_t a = 0;
    for (int c = 0; c < r->ncells; c++)
        a += r->adopted[(int64_t)k * r->ncells + c];
    return (double)a / (double)n;
}

static void closed_form(void)
{
    const int64_t N = 100000;
    const int R = 4;
    const double p = 0.03, q = 0.38;
    zz_scenario *sc = zz_fixture_bass(N, p, q, 10);
    char err[512];
    zz_population *pop;
    CHECK(zz_population_build(&pop, sc, err, sizeof err) == 0);
    /* the observation nearest to 1, 5 and 10 years */
    const double years[] = {1, 5, 10};
    double mean[3] = {0}, t_obs[3] = {0};
    for (int r = 0; r < R; r++) {
        zz_rep_result *res = run(sc, pop, r, NULL);
        if (!res)
            return;
        zz_sim *probe;
        zz_sim_open(&probe, sc, pop, r, 0);
        for (int j = 0; j < 3; j++) {
            int best = 0;
            for (int k = 0; k < probe->nobs; k++)
                if (fabs(probe->obs_time[k] / 365 - years[j]) < fabs(probe->obs_time[best] / 365 - years[j]))
                    best = k;
            t_obs[j] = probe->obs_time[best] / 365;
            mean[j] += adopted_share(res, best, N) / R;
        }
        zz_sim_close(probe);
        zz_rep_result_free(res);
    }
    for (int j = 0; j < 3; j++) {
        double F = bass_F(p, q, t_obs[j]);
        /* The sampling error of a mean of R paths of N firms: the binomial
         * part sqrt(F(1-F)/(N R)); the Bass feedback amplifies it by at most
         * a small factor over this range, so 6 binomial sigmas is a bound
         * that still catches any error in the rule (a 2% shift in p or q
         * moves F(5) by ~15 sigmas). */
        double tol = 6 * sqrt(F * (1 - F) / (double)(N * R)) + 1e-4;
        CHECKF(fabs(mean[j] - F) <= tol, "t = %.3f y: simulated %.5f, closed form %.5f, tol %.5f",
               t_obs[j], mean[j], F, tol);
    }
    /* the FACTS reference figures themselves */
    CHECK_NEAR(bass_F(p, q, 1), 0.0358, 5e-5);
    CHECK_NEAR(bass_F(p, q, 5), 0.331, 5e-4);
    CHECK_NEAR(bass_F(p, q, 10), 0.813, 5e-4);
    zz_population_free(pop);
    free(sc);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov's limiting distribution: P(sqrt(n) D > x). */
static double ks_pvalue(double x)
{
    double s = 0;
    for (int k = 1; k < 100; k++)
        s += 2 * ((k & 1) ? 1 : -1) * exp(-2.0 * k * k * x * x);
    return fmin(1, fmax(0, s));
}

static void exponential_when_q_is_zero(void)
{
    const int64_t N = 20000;
    const double p = 0.3, years = 10;
    zz_scenario *sc = zz_fixture_bass(N, p, 0, years);
    char err[512];
    zz_population *pop;
    CHECK(zz_population_build(&pop, sc, err, sizeof err) == 0);
    zz_sim *sim;
    zz_rep_result *res = run(sc, pop, 0, &sim);
    if (!res)
        return;
    double *t = malloc((size_t)N * sizeof *t);
    int n = 0;
    for (int64_t f = 0; f < N; f++)
        if (sim->t_adopt[f] >= 0)
            t[n++] = sim->t_adopt[f] / 365.0;
    /* adopted by the horizon: binomial around 1 - e^{-pH} */
    double P = 1 - exp(-p * years);
    CHECK_NEAR((double)n / N, P, 5 * sqrt(P * (1 - P) / N));
    /* KS against the exponential conditioned on adopting by the horizon */
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    double D = 0;
    for (int i = 0; i < n; i++) {
        double F = (1 - exp(-p * t[i])) / P;
        D = fmax(D, fmax(fabs((i + 1.0) / n - F), fabs((double)i / n - F)));
    }
    double pval = ks_pvalue(sqrt((double)n) * D);
    CHECKF(pval > 0.01, "KS D = %.5f, n = %d, p-value = %.4f", D, n, pval);
    /* and the test has power: a 20% error in the rate is rejected */
    double D_wrong = 0;
    double P2 = 1 - exp(-1.2 * p * years);
    for (int i = 0; i < n; i++) {
        double F = (1 - exp(-1.2 * p * t[i])) / P2;
        D_wrong = fmax(D_wrong, fabs((i + 1.0) / n - F));
    }
    CHECKF(ks_pvalue(sqrt((double)n) * D_wrong) < 0.01, "KS should reject rate 1.2p: D = %.5f", D_wrong);
    free(t);
    zz_rep_result_free(res);
    zz_sim_close(sim);
    zz_population_free(pop);
    free(sc);
}

int main(void)
{
    closed_form();
    exponential_when_q_is_zero();
    return zz_test_finish();
}
