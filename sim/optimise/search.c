/*
 * The search (optimise.h): a Sobol grid on the unit cube of variables
 * (global stage), NLopt's Sbplx or BOBYQA from the best of it (local
 * stage), every evaluation on the same seeds. Noise fools the best
 * observed point, so a confirmation stage reruns the best few distinct
 * evaluations and the scenario as written on fresh seeds with more
 * replications, and chooses by those runs: paired differences against
 * the plan, a t interval, and the probability that the mix beats it.
 */
#include "optimise/optimise.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <nlopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* confirmation seeds: far from any the search used */
#define CONFIRM_SEED_OFFSET 1000003

typedef struct ctx {
    zz_oeval *e;
    const zz_optimisation *o;
    zz_opt_result *r;
    int n, S, K, R, stage, progress, rc;
    double *y;
    char *err;
    size_t errlen;
} ctx;

static int push_row(ctx *x, const double *u, double obj, double se, const double *budget,
                    const double *free)
{
    zz_opt_result *r = x->r;
    if (r->nrows == r->caprows) {
        int cap = r->caprows ? 2 * r->caprows : 64;
        zz_opt_row *t = realloc(r->row, (size_t)cap * sizeof *t);
        if (!t)
            return ZZ_NOMEM;
        r->row = t;
        r->caprows = cap;
    }
    zz_opt_row *w = &r->row[r->nrows];
    w->u = malloc((size_t)(x->n + x->S + x->K) * sizeof *w->u);
    if (!w->u)
        return ZZ_NOMEM;
    w->budget = w->u + x->n;
    w->free = w->budget + x->S;
    memcpy(w->u, u, (size_t)x->n * sizeof *u);
    memcpy(w->budget, budget, (size_t)x->S * sizeof *budget);
    memcpy(w->free, free, (size_t)x->K * sizeof *free);
    w->objective = obj;
    w->se = se;
    w->stage = x->stage;
    r->nrows++;
    return ZZ_OK;
}

static void mean_se(const double *y, int n, double *mean, double *se)
{
    double m = 0, v = 0;
    for (int i = 0; i < n; i++)
        m += y[i];
    m /= n;
    for (int i = 0; i < n; i++)
        v += (y[i] - m) * (y[i] - m);
    *mean = m;
    *se = n > 1 ? sqrt(v / (n - 1) / n) : NAN;
}

static double nlopt_objective(unsigned n, const double *u, double *grad, void *data)
{
    (void)n;
    (void)grad;
    ctx *x = data;
    if (x->rc)
        return HUGE_VAL;
    double budget[ZZ_MAX_SHARES], free[ZZ_MAX_FACTORS], m, se;
    zz_optimisation_decode(x->o, u, budget, free);
    x->rc = zz_oeval_run(x->e, budget, free, x->o->cal->seed, x->R, x->y, x->err, x->errlen);
    if (x->rc)
        return HUGE_VAL;
    mean_se(x->y, x->R, &m, &se);
    if ((x->rc = push_row(x, u, m, se, budget, free))) {
        snprintf(x->err, x->errlen, "out of memory");
        return HUGE_VAL;
    }
    if (x->progress)
        fprintf(stderr, "\revaluation %d (%s): %s = %.4g", x->r->nrows, x->stage ? "local" : "global",
                zz_objective_names[x->o->objective], m);
    return -zz_objective_sense(x->o->objective) * m;
}

/* rows ordered best first by the search's estimate, ties by row index
 * (a stable insertion sort: qsort has no context argument) */
static void order_rows(const zz_opt_result *r, int sense, int *order)
{
    for (int i = 0; i < r->nrows; i++) {
        int j = i;
        while (j > 0 && sense * (r->row[i].objective - r->row[order[j - 1]].objective) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

static int same_mix(const ctx *x, const zz_opt_row *a, const zz_opt_row *b)
{
    for (int i = 0; i < x->n; i++)
        if (fabs(a->u[i] - b->u[i]) > 1e-9)
            return 0;
    return 1;
}

static int confirm(ctx *x)
{
    zz_opt_result *r = x->r;
    const zz_optimisation *o = x->o;
    const int Rc = o->confirm_replications, sense = zz_objective_sense(o->objective);
    int *order = malloc((size_t)r->nrows * sizeof *order);
    r->cand_row = malloc((size_t)(o->confirm + 1) * sizeof *r->cand_row);
    r->cand_y = malloc((size_t)(o->confirm + 1) * Rc * sizeof *r->cand_y);
    r->diff_mean = calloc((size_t)o->confirm + 1, sizeof *r->diff_mean);
    r->diff_lo = calloc((size_t)o->confirm + 1, sizeof *r->diff_lo);
    r->diff_hi = calloc((size_t)o->confirm + 1, sizeof *r->diff_hi);
    r->p_beats = calloc((size_t)o->confirm + 1, sizeof *r->p_beats);
    double *d = malloc((size_t)Rc * sizeof *d);
    if (!order || !r->cand_row || !r->cand_y || !r->diff_mean || !r->diff_lo || !r->diff_hi ||
        !r->p_beats || !d) {
        free(order);
        free(d);
        snprintf(x->err, x->errlen, "out of memory");
        return ZZ_NOMEM;
    }
    order_rows(r, sense, order);
    r->ncand = 1;
    r->cand_row[0] = -1;
    for (int k = 0; k < r->nrows && r->ncand <= o->confirm; k++) {
        int dup = 0;
        for (int c = 1; c < r->ncand; c++)
            dup |= same_mix(x, &r->row[order[k]], &r->row[r->cand_row[c]]);
        if (!dup)
            r->cand_row[r->ncand++] = order[k];
    }
    free(order);
    r->Rc = Rc;
    r->confirm_seed = o->cal->seed + CONFIRM_SEED_OFFSET;
    int rc = ZZ_OK;
    for (int c = 0; c < r->ncand && !rc; c++) {
        const zz_opt_row *w = c ? &r->row[r->cand_row[c]] : NULL;
        rc = zz_oeval_run(x->e, w ? w->budget : NULL, w ? w->free : NULL, r->confirm_seed, Rc,
                          r->cand_y + (size_t)c * Rc, x->err, x->errlen);
    }
    r->best = 1;
    for (int c = 0; c < r->ncand && !rc; c++) {
        for (int i = 0; i < Rc; i++)
            d[i] = r->cand_y[(size_t)c * Rc + i] - r->cand_y[i];
        double m, se;
        mean_se(d, Rc, &m, &se);
        const double q = gsl_cdf_tdist_Pinv(0.975, Rc - 1);
        r->diff_mean[c] = m;
        r->diff_lo[c] = m - q * se;
        r->diff_hi[c] = m + q * se;
        /* P(the mix's expected objective is better than the plan's), t approximation */
        r->p_beats[c] = se > 0 ? gsl_cdf_tdist_P(sense * m / se, Rc - 1)
                               : sense * m > 0 ? 1 : sense * m < 0 ? 0 : 0.5;
        if (c > 1 && sense * (m - r->diff_mean[r->best]) > 0)
            r->best = c;
    }
    free(d);
    return rc;
}

int zz_optimise_run(zz_oeval *e, const zz_optimisation *o, int progress, zz_opt_result *r, char *err,
                    size_t errlen)
{
    memset(r, 0, sizeof *r);
    ctx x = {.e = e, .o = o, .r = r, .n = zz_optimisation_nvar(o), .S = o->nshares,
             .K = o->cal->ex->nfactors, .R = o->cal->replications, .progress = progress, .err = err,
             .errlen = errlen};
    const double t0 = omp_get_wtime();
    x.y = malloc((size_t)x.R * sizeof *x.y);
    double u[ZZ_MAX_SHARES + ZZ_MAX_FACTORS];
    if (!x.y) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    if (x.n > 40) {
        snprintf(err, errlen, "%s: %d variables; the Sobol start grid takes at most 40", o->cal->where, x.n);
        free(x.y);
        return ZZ_SCENARIO;
    }
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)x.n);
    if (!q) {
        free(x.y);
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    for (int i = 0; i < o->cal->starts && !x.rc; i++) {
        gsl_qrng_get(q, u);
        nlopt_objective((unsigned)x.n, u, NULL, &x);
    }
    gsl_qrng_free(q);
    nlopt_opt opt = x.rc ? NULL : nlopt_create(o->cal->local ? NLOPT_LN_BOBYQA : NLOPT_LN_SBPLX, (unsigned)x.n);
    if (!x.rc && !opt) {
        snprintf(err, errlen, "out of memory");
        x.rc = ZZ_NOMEM;
    }
    if (opt) {
        const int sense = zz_objective_sense(o->objective);
        int b = 0;
        for (int i = 1; i < r->nrows; i++)
            if (sense * (r->row[i].objective - r->row[b].objective) > 0)
                b = i;
        memcpy(u, r->row[b].u, (size_t)x.n * sizeof *u);
        double lo[ZZ_MAX_SHARES + ZZ_MAX_FACTORS], hi[ZZ_MAX_SHARES + ZZ_MAX_FACTORS],
            step[ZZ_MAX_SHARES + ZZ_MAX_FACTORS];
        for (int i = 0; i < x.n; i++) {
            lo[i] = 0;
            hi[i] = 1;
            step[i] = fmin(0.25, fmax(0.02, 0.5 * pow(o->cal->starts, -1.0 / x.n)));
        }
        nlopt_set_lower_bounds(opt, lo);
        nlopt_set_upper_bounds(opt, hi);
        nlopt_set_min_objective(opt, nlopt_objective, &x);
        nlopt_set_maxeval(opt, o->cal->evaluations);
        nlopt_set_xtol_abs1(opt, 1e-4);
        nlopt_set_initial_step(opt, step);
        x.stage = 1;
        double fmin_;
        nlopt_result nr = nlopt_optimize(opt, u, &fmin_);
        nlopt_destroy(opt);
        if (!x.rc && nr < 0 && nr != NLOPT_ROUNDOFF_LIMITED) {
            snprintf(err, errlen, "the local optimiser failed (NLopt code %d)", (int)nr);
            x.rc = ZZ_ERROR;
        }
    }
    if (progress)
        fputc('\n', stderr);
    if (!x.rc)
        x.rc = confirm(&x);
    free(x.y);
    r->seconds = omp_get_wtime() - t0;
    return x.rc;
}

void zz_opt_result_free(zz_opt_result *r)
{
    for (int i = 0; i < r->nrows; i++)
        free(r->row[i].u);
    free(r->row);
    free(r->cand_row);
    free(r->cand_y);
    free(r->diff_mean);
    free(r->diff_lo);
    free(r->diff_hi);
    free(r->p_beats);
    memset(r, 0, sizeof *r);
}
