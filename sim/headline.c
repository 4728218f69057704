/*
 * The headline a run's summary opens with: per target, the policy's effect
 * against its no-policy twin. The same numbers as the analysis package's
 * zhizao.headline (analysis/zhizao/answer.py, whose module doc defines
 * each one); tests/python/test_headline.py runs `zhizao run` and checks
 * the printed line against the Python function on the same file.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "ensemble.h"

#define NEAR_SHARE 0.9 /* the twin "nearly" gets there: 90% of the target level */

/* mean and t-interval of the finite values; lo = hi = NAN below two */
static int mean_ci(const double *x, size_t stride, int n, double *m, double *lo, double *hi)
{
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    int k = 0;
    *m = *lo = *hi = NAN;
    if (!v)
        return 0;
    for (int r = 0; r < n; r++)
        if (isfinite(x[r * stride]))
            v[k++] = x[r * stride];
    if (k > 0)
        *m = gsl_stats_mean(v, 1, (size_t)k);
    if (k > 1) {
        double h = gsl_cdf_tdist_Pinv(0.975, k - 1) * gsl_stats_sd(v, 1, (size_t)k) / sqrt(k);
        *lo = *m - h;
        *hi = *m + h;
    }
    free(v);
    return k;
}

static void date_of(const zz_headline_in *h, double days, char *buf)
{
    zz_date_format(h->start_day + (int64_t)floor(days), buf);
}

static int nearest_obs(const zz_headline_in *h, double d)
{
    int best = 0;
    for (int t = 1; t < h->T; t++)
        if (fabs(h->time[t] - d) <= fabs(h->time[best] - d))
            best = t;
    return best;
}

/* "reached 2028-03-27 [2028-02-21, 2028-05-01]", restricted mean said so */
static void print_when(FILE *out, const zz_headline_in *h, const double *tt, int g,
                       double *restricted)
{
    const int R = h->R, G = h->G;
    int reached = 0;
    for (int r = 0; r < R; r++) {
        double t = tt[r * G + g];
        reached += isfinite(t);
        restricted[r] = isfinite(t) ? fmin(t, h->horizon) : h->horizon;
    }
    char a[11], b[11], c[11];
    date_of(h, h->horizon, c);
    if (reached == 0) {
        fprintf(out, "not by %s", c);
        return;
    }
    double m, lo, hi;
    mean_ci(restricted, 1, R, &m, &lo, &hi);
    date_of(h, m, a);
    fprintf(out, "%s", a);
    if (isfinite(lo)) {
        date_of(h, fmax(0, lo), a);
        date_of(h, fmin(h->horizon, hi), b);
        fprintf(out, " [%s, %s]", a, b);
    }
    if (reached < R)
        fprintf(out, " (restricted mean: %d of %d never by %s)", R - reached, R, c);
}

static void print_p(FILE *out, int k, int n)
{
    double lo, hi;
    zz_exact_interval(k, n, &lo, &hi);
    fprintf(out, "%.3g [%.3g, %.3g] (%d of %d)", (double)k / n, lo, hi, k, n);
}

static const char *verdict(double p, double twin_p, double twin_share, double level)
{
    if (!(p >= 0.5))
        return "missed";
    if (twin_p >= 0.5)
        return "the baseline gets there too";
    if (isfinite(twin_share) && twin_share >= NEAR_SHARE * level)
        return "the baseline nearly gets there too";
    return "the policy makes the difference";
}

/* The cost per additional adopter: mean fiscal money / mean additional
 * adopters, with a delta-method interval; or why there is none. */
static void print_cost(FILE *out, const zz_headline_in *h, int g, double add, double add_lo,
                       double add_hi)
{
    const int R = h->R, G = h->G;
    if (!isfinite(add)) {
        fprintf(out, "no twin: no additional adopters to price");
        return;
    }
    if (!h->attributable[g]) {
        fprintf(out, "cost per additional adopter not attributed (the programmes also pay "
                     "firms outside this group)");
        return;
    }
    if (!(add_lo > 0)) {
        fprintf(out, "no cost per additional adopter (%s)",
                add_hi < 0 ? "harm: fewer adopters than without the policy" : "no clear gain");
        return;
    }
    double f = gsl_stats_mean(h->fiscal, 1, (size_t)R);
    if (!(f > 0)) {
        fprintf(out, "no fiscal money spent");
        return;
    }
    double ratio = f / add, *res = malloc((size_t)R * sizeof *res);
    fprintf(out, "%.4g m fiscal yuan per additional adopter", ratio * 1e-6);
    if (res && R > 1) {
        for (int r = 0; r < R; r++)
            res[r] = h->fiscal[r] - ratio * h->additional[r * G + g];
        double half = gsl_cdf_tdist_Pinv(0.975, R - 1) * gsl_stats_sd(res, 1, (size_t)R) /
                      sqrt(R) / fabs(add);
        fprintf(out, " [%.4g, %.4g]", (ratio - half) * 1e-6, (ratio + half) * 1e-6);
    }
    free(res);
}

static void print_target(FILE *out, const zz_headline_in *h, int g, double *work)
{
    const int R = h->R, G = h->G, T = h->T;
    const int twin = h->cf_tt != NULL;
    const double by = h->by[g] >= 0 ? h->by[g] : h->horizon;
    char date[11];
    date_of(h, by, date);
    fprintf(out, "  %s %.0f%% by %s%s: ", h->name[g], 100 * h->level[g], date,
            h->by[g] >= 0 ? "" : " (no deadline: the horizon)");
    if (by > h->horizon) {
        fprintf(out, "not identified: the deadline is after the end of the run\n");
        return;
    }
    int k = 0, tk = 0;
    const int obs = nearest_obs(h, by);
    double share = 0, twin_share = 0;
    for (int r = 0; r < R; r++) {
        k += isfinite(h->tt[r * G + g]) && h->tt[r * G + g] <= by;
        share += h->share[((size_t)r * T + obs) * G + g] / R;
        if (twin) {
            tk += isfinite(h->cf_tt[r * G + g]) && h->cf_tt[r * G + g] <= by;
            twin_share += h->cf_share[((size_t)r * T + obs) * G + g] / R;
        }
    }
    fprintf(out, "%s. ", verdict((double)k / R, twin ? (double)tk / R : NAN,
                                 twin ? twin_share : NAN, h->level[g]));
    fprintf(out, "P(by the deadline) with the policy ");
    print_p(out, k, R);
    if (twin) {
        fprintf(out, ", without ");
        print_p(out, tk, R);
    }
    double *rp = work, *rc = work + R, *d = work + 2 * R;
    fprintf(out, "; reached ");
    print_when(out, h, h->tt, g, rp);
    if (!twin) {
        fputc('\n', out);
        return;
    }
    fprintf(out, ", without ");
    print_when(out, h, h->cf_tt, g, rc);
    int censored = 0;
    for (int r = 0; r < R; r++) {
        d[r] = (rc[r] - rp[r]) / 365.25;
        censored += !isfinite(h->cf_tt[r * G + g]);
    }
    double m, lo, hi;
    mean_ci(d, 1, R, &m, &lo, &hi);
    fprintf(out, "; %.3g years gained", m);
    if (isfinite(lo))
        fprintf(out, " [%.3g, %.3g]", lo, hi);
    if (censored)
        fprintf(out, " (at least: the twin does not reach it in %d of %d)", censored, R);
    for (int r = 0; r < R; r++)
        d[r] = 100 * (h->share[((size_t)r * T + obs) * G + g] -
                      h->cf_share[((size_t)r * T + obs) * G + g]);
    mean_ci(d, 1, R, &m, &lo, &hi);
    fprintf(out, "; %+.3g points", m);
    if (isfinite(lo))
        fprintf(out, " [%.3g, %.3g]", lo, hi);
    double add, alo, ahi;
    mean_ci(h->additional + g, (size_t)G, R, &add, &alo, &ahi);
    if (isfinite(add) && !isfinite(alo))
        alo = ahi = add;
    fprintf(out, ", %+.4g additional adopters", add);
    if (isfinite(alo))
        fprintf(out, " [%.4g, %.4g]", alo, ahi);
    fprintf(out, "; ");
    print_cost(out, h, g, add, alo, ahi);
    fputc('\n', out);
}

void zz_headline_print(FILE *out, const zz_headline_in *h)
{
    if (h->G < 1 || h->R < 1)
        return;
    double *work = malloc((size_t)h->R * 3 * sizeof *work);
    if (!work)
        return;
    fprintf(out, "headline: %s, %d paired replications, 95%% intervals (docs/reading-results.md, "
                 "\"The headline\"):\n",
            h->cf_tt ? "with the policy against without it (its no-policy twin)"
                     : "with the policy (no twin: run with --counterfactual for the effect)",
            h->R);
    for (int g = 0; g < h->G; g++)
        print_target(out, h, g, work);
    double f = gsl_stats_mean(h->fiscal, 1, (size_t)h->R);
    double t = gsl_stats_mean(h->total, 1, (size_t)h->R);
    fprintf(out, "  money, the whole plan: fiscal %.4g m yuan, total %.4g m yuan%s\n", f * 1e-6,
            t * 1e-6, t > f ? " (the rest is not fiscal, e.g. an industry fund; not counted in "
                              "costs)" : "");
    free(work);
}

void zz_summary_headline(FILE *out, const zz_summary *s)
{
    if (!s->headline)
        return;
    const char *names[ZZ_MAX_TARGETS];
    for (int g = 0; g < s->G && g < ZZ_MAX_TARGETS; g++)
        names[g] = s->target[g];
    double *total = s->spent;
    const zz_headline_in h = {
        .R = s->R, .G = s->G, .T = s->T, .name = names, .level = s->level, .by = s->target_by,
        .attributable = s->attributable, .time = s->time, .tt = s->time_to_target,
        .cf_tt = s->cf_time_to_target, .share = s->share, .cf_share = s->cf_share,
        .additional = s->additional_g, .fiscal = s->fiscal, .total = total,
        .horizon = s->horizon, .start_day = s->start_day};
    fprintf(out, "\nscenario %s\n", s->name);
    zz_headline_print(out, &h);
}
