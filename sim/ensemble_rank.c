/*
 * The ranking `zhizao compare` prints: scenarios ordered by the date each
 * target and by money per additional adopter, with 95% t-intervals across
 * replications. All scenarios ran on the same seeds, so their differences
 * are not drowned by sampling noise. Also the blocks a run's summary
 * shares with it: the probability of each target by its deadline, and
 * additional adopters and fiscal cost against the no-policy twin.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "ensemble.h"

typedef struct stat {
    double mean, half;       /* mean and half-width of the 95% interval */
    int n, of;               /* replicates with a value, of all        */
    int who;                 /* scenario index                         */
} stat;

static stat describe(const double *x, size_t stride, int R, int who)
{
    stat s = {.mean = NAN, .half = NAN, .of = R, .who = who};
    double *v = malloc((size_t)(R ? R : 1) * sizeof *v);
    if (!v)
        return s;
    for (int r = 0; r < R; r++)
        if (isfinite(x[r * stride]))
            v[s.n++] = x[r * stride];
    if (s.n > 0)
        s.mean = gsl_stats_mean(v, 1, (size_t)s.n);
    if (s.n > 1)
        s.half = gsl_cdf_tdist_Pinv(0.975, s.n - 1) * gsl_stats_sd(v, 1, (size_t)s.n) / sqrt(s.n);
    free(v);
    return s;
}

/* mean(num) / mean(den) over the replicates where both are finite, with
 * the delta method's half-width; NAN where the mean of den is not > 0. */
static stat ratio_of_means(const double *num, const double *den, int R, int who)
{
    stat s = {.mean = NAN, .half = NAN, .of = R, .who = who};
    double *a = malloc((size_t)(R ? R : 1) * sizeof *a), *b = malloc((size_t)(R ? R : 1) * sizeof *b);
    if (a && b) {
        for (int r = 0; r < R; r++)
            if (isfinite(num[r]) && isfinite(den[r])) {
                a[s.n] = num[r];
                b[s.n++] = den[r];
            }
        double mb = s.n ? gsl_stats_mean(b, 1, (size_t)s.n) : 0;
        if (mb > 0) {
            s.mean = gsl_stats_mean(a, 1, (size_t)s.n) / mb;
            for (int r = 0; r < s.n; r++)
                a[r] -= s.mean * b[r];
            if (s.n > 1)
                s.half = gsl_cdf_tdist_Pinv(0.975, s.n - 1) * gsl_stats_sd(a, 1, (size_t)s.n) /
                         sqrt(s.n) / mb;
        } else {
            s.n = 0;
        }
    }
    free(a);
    free(b);
    return s;
}

/* Reaching the target in more replicates ranks first, then the sooner. */
static int by_time(const void *a, const void *b)
{
    const stat *x = a, *y = b;
    if (x->n * y->of != y->n * x->of)
        return x->n * y->of > y->n * x->of ? -1 : 1;
    if (isnan(x->mean) || isnan(y->mean))
        return isnan(x->mean) - isnan(y->mean);
    return (x->mean > y->mean) - (x->mean < y->mean);
}

static int by_cost(const void *a, const void *b)
{
    const stat *x = a, *y = b;
    if (isnan(x->mean) || isnan(y->mean))
        return isnan(x->mean) - isnan(y->mean);
    return (x->mean > y->mean) - (x->mean < y->mean);
}

static void print_stat(FILE *out, const stat *s, double scale, const char *unit)
{
    if (s->n == 0)
        fprintf(out, "not reached");
    else if (isnan(s->half))
        fprintf(out, "%.3g%s", s->mean * scale, unit);
    else
        fprintf(out, "%.3g%s ± %.2g", s->mean * scale, unit, s->half * scale);
    if (s->n && s->n < s->of)
        fprintf(out, " (reached in %d/%d)", s->n, s->of);
}

/* A time as the calendar date reached (as the headline says it), its
 * interval cut to [start, end of the run], where a time can lie, and the
 * years from the start in brackets: "2028-12-17 [2028-10-01, 2029-01-01]
 * (2.96 y; reached in 3/4)". */
static void print_time(FILE *out, const stat *s, double horizon, int64_t start_day)
{
    char a[11], b[11], c[11];
    if (s->n == 0) {
        fprintf(out, "not reached");
        return;
    }
    zz_date_format(start_day + (int64_t)floor(s->mean), a);
    fprintf(out, "%s", a);
    if (!isnan(s->half)) {
        zz_date_format(start_day + (int64_t)floor(fmax(0, s->mean - s->half)), b);
        zz_date_format(start_day + (int64_t)floor(fmin(horizon, s->mean + s->half)), c);
        fprintf(out, " [%s, %s]", b, c);
    }
    fprintf(out, " (%.3g y", s->mean / 365.25);
    if (s->n < s->of)
        fprintf(out, "; reached in %d/%d", s->n, s->of);
    fputc(')', out);
}

/* Clopper-Pearson: the exact binomial interval, from GSL's beta quantiles. */
void zz_exact_interval(int k, int n, double *lo, double *hi)
{
    *lo = k == 0 ? 0 : gsl_cdf_beta_Pinv(0.025, k, n - k + 1);
    *hi = k == n ? 1 : gsl_cdf_beta_Pinv(0.975, k + 1, n - k);
}

/* "k of n by DATE, p = .. [lo, hi]" or why it is not identified. */
static void print_p_by(FILE *out, const double *tt, size_t stride, int R, double by,
                       double horizon, int64_t start_day)
{
    char date[11];
    double when = by >= 0 ? by : horizon;
    zz_date_format(start_day + (int64_t)ceil(when), date);
    if (when > horizon) {
        fprintf(out, "by %s: after the horizon, not identified", date);
        return;
    }
    int k = 0;
    for (int r = 0; r < R; r++)
        k += isfinite(tt[r * stride]) && tt[r * stride] <= when;
    double lo, hi;
    zz_exact_interval(k, R, &lo, &hi);
    fprintf(out, "by %s%s: %d of %d, p = %.2g [%.2g, %.2g]", date,
            by >= 0 ? "" : " (no deadline: the horizon)", k, R, R ? (double)k / R : NAN, lo, hi);
}

void zz_deadline_block(FILE *out, const double *tt, int R, int G, const char *const *name,
                       const double *by, double horizon, int64_t start_day)
{
    if (G < 1 || R < 1)
        return;
    fprintf(out, "probability of reaching each target by its deadline (replications that "
                 "did; 95%% exact interval):\n");
    for (int g = 0; g < G; g++) {
        fprintf(out, "  %-40s ", name[g]);
        print_p_by(out, tt + g, (size_t)G, R, by[g], horizon, start_day);
        fputc('\n', out);
    }
}

/* Additional adopters said in words: a gain, harm, or nothing detectable. */
static void print_additional(FILE *out, const stat *a)
{
    if (a->n == 0) {
        fprintf(out, "no twin");
        return;
    }
    double lo = a->mean - (isnan(a->half) ? 0 : a->half), hi = a->mean + (isnan(a->half) ? 0 : a->half);
    fprintf(out, "%+.3g", a->mean);
    if (!isnan(a->half))
        fprintf(out, " ± %.2g", a->half);
    if (hi < 0)
        fprintf(out, ": %.3g fewer adopters than the base (harm)", -a->mean);
    else if (lo > 0)
        fprintf(out, " additional adopters");
    else
        fprintf(out, ": no detectable difference from the base");
}

void zz_incremental_block(FILE *out, const double *additional, int R, int G,
                          const char *const *name, const int *attributable,
                          const double *fiscal, const double *other)
{
    if (G < 1 || R < 1)
        return;
    double f = gsl_stats_mean(fiscal, 1, (size_t)R), o = gsl_stats_mean(other, 1, (size_t)R);
    fprintf(out, "against the no-policy twin on the same random numbers, at the end (mean ± 95%% "
                 "interval; cost = mean fiscal money / mean additional adopters):\n");
    for (int g = 0; g < G; g++) {
        stat a = describe(additional + g, (size_t)G, R, 0);
        fprintf(out, "  %-40s ", name[g]);
        print_additional(out, &a);
        if (a.n && a.mean > 0 && a.mean - (isnan(a.half) ? 0 : a.half) > 0) {
            if (attributable[g])
                fprintf(out, "; %.3g m fiscal yuan per additional adopter", f / a.mean * 1e-6);
            else
                fprintf(out, "; cost not attributed (the programmes also pay firms outside "
                             "this group)");
        }
        fputc('\n', out);
    }
    fprintf(out, "money disbursed: fiscal %.4g m yuan", f * 1e-6);
    if (o > 0)
        fprintf(out, "; not fiscal %.4g m yuan (e.g. an industry fund; not counted in costs)",
                o * 1e-6);
    fputc('\n', out);
}

void zz_print_ranking(FILE *out, const zz_summary *s, int n)
{
    if (n < 1)
        return;
    stat *st = malloc((size_t)n * sizeof *st);
    if (!st)
        return;
    fprintf(out, "\nranking of %d scenarios on the same seeds (mean and 95%% interval over "
                 "replications; a time's interval is cut to the run)\n", n);
    /* every target any scenario reports, in order of first appearance; a
     * scenario without that target is left out of its ranking */
    for (int i0 = 0; i0 < n; i0++)
        for (int g = 0; g < s[i0].G; g++) {
            const char *name = s[i0].target[g];
            int seen = 0;
            for (int j = 0; j < i0 && !seen; j++)
                for (int h = 0; h < s[j].G && !seen; h++)
                    seen = !strcmp(s[j].target[h], name);
            if (seen)
                continue;
            int m = 0, *col = malloc((size_t)n * sizeof *col);
            if (!col)
                break;
            for (int i = 0; i < n; i++)
                for (int h = 0; h < s[i].G; h++)
                    if (!strcmp(s[i].target[h], name)) {
                        col[i] = h;
                        st[m++] = describe(s[i].time_to_target + h, (size_t)s[i].G, s[i].R, i);
                    }
            qsort(st, (size_t)m, sizeof *st, by_time);
            fprintf(out, "date reaching %s (%.0f%%; mean of the replications that did):\n", name,
                    100 * s[i0].target_share[g]);
            for (int k = 0, rank = 1; k < m; k++) {
                const zz_summary *x = &s[st[k].who];
                int h = col[st[k].who];
                /* ties share a rank (two scenarios that never reach it are
                 * not 1st and 2nd) */
                if (k > 0 && by_time(&st[k - 1], &st[k]) != 0)
                    rank = k + 1;
                fprintf(out, "  %d. %-24s ", rank, x->name);
                print_time(out, &st[k], x->horizon, x->start_day);
                fprintf(out, "; ");
                print_p_by(out, x->time_to_target + h, (size_t)x->G, x->R, x->target_by[h],
                           x->horizon, x->start_day);
                fputc('\n', out);
            }
            free(col);
        }
    /* the cost per additional adopter, one definition everywhere (the
     * headline's, analysis/zhizao/answer.py): mean fiscal money / mean
     * additional adopters of all firms, a ratio of means over the paired
     * replications, with a delta-method interval */
    for (int i = 0; i < n; i++)
        st[i] = ratio_of_means(s[i].fiscal, s[i].additional, s[i].R, i);
    qsort(st, (size_t)n, sizeof *st, by_cost);
    fprintf(out, "fiscal money disbursed per additional adopter (all firms, vs each scenario's "
                 "no-policy twin; mean money / mean additional adopters; money marked "
                 "fiscal = false not counted):\n");
    for (int k = 0, rank = 1; k < n; k++) {
        const zz_summary *x = &s[st[k].who];
        stat add = describe(x->additional, 1, x->R, st[k].who);
        if (k > 0 && by_cost(&st[k - 1], &st[k]) != 0)
            rank = k + 1;
        double other = 0;
        for (int r = 0; r < x->R; r++)
            other += (x->spent[r] - x->fiscal[r]) / x->R;
        fprintf(out, "  %d. %-24s ", rank, x->name);
        if (st[k].n == 0)
            fprintf(out, "no cost per adopter");
        else
            print_stat(out, &st[k], 1e-6, " m yuan");
        fprintf(out, "   [");
        print_additional(out, &add);
        if (other > 0)
            fprintf(out, "; not fiscal %.4g m yuan", other * 1e-6);
        fprintf(out, "]\n");
    }
    free(st);
}
