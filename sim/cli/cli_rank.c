/*
 * The ranking `zhizao compare` prints: scenarios ordered by time to each
 * target and by money per additional adopter, with 95% t-intervals across
 * replications. All scenarios ran on the same seeds, so their differences
 * are not drowned by sampling noise.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

void zz_print_ranking(FILE *out, const zz_summary *s, int n)
{
    if (n < 1)
        return;
    stat *st = malloc((size_t)n * sizeof *st);
    if (!st)
        return;
    fprintf(out, "\nranking of %d scenarios on the same seeds (mean ± 95%% interval over replications)\n", n);
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
            int m = 0;
            for (int i = 0; i < n; i++)
                for (int h = 0; h < s[i].G; h++)
                    if (!strcmp(s[i].target[h], name))
                        st[m++] = describe(s[i].time_to_target + h, (size_t)s[i].G, s[i].R, i);
            qsort(st, (size_t)m, sizeof *st, by_time);
            fprintf(out, "years to %s (%.0f%%):\n", name, 100 * s[i0].target_share[g]);
            for (int k = 0; k < m; k++) {
                fprintf(out, "  %d. %-24s ", k + 1, s[st[k].who].name);
                print_stat(out, &st[k], 1 / 365.25, " y");
                fputc('\n', out);
            }
        }
    /* money per additional adopter, per replicate, over replicates with
     * additional adopters */
    for (int i = 0; i < n; i++) {
        double *ratio = malloc((size_t)(s[i].R ? s[i].R : 1) * sizeof *ratio);
        if (!ratio)
            break;
        for (int r = 0; r < s[i].R; r++)
            ratio[r] = s[i].additional[r] > 0 ? s[i].spent[r] / s[i].additional[r] : NAN;
        st[i] = describe(ratio, 1, s[i].R, i);
        free(ratio);
    }
    qsort(st, (size_t)n, sizeof *st, by_cost);
    fprintf(out, "money disbursed per additional adopter (all firms, vs each scenario's no-policy twin):\n");
    for (int k = 0; k < n; k++) {
        const zz_summary *x = &s[st[k].who];
        stat add = describe(x->additional, 1, x->R, st[k].who);
        fprintf(out, "  %d. %-24s ", k + 1, x->name);
        if (st[k].n == 0)
            fprintf(out, "no additional adopters");
        else
            print_stat(out, &st[k], 1e-6, " m yuan");
        fprintf(out, "   [additional adopters ");
        print_stat(out, &add, 1, "");
        fprintf(out, "]\n");
    }
    free(st);
}
