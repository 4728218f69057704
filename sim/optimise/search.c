/*
 * The search (optimise.h): a Sobol grid on the unit cube of variables
 * (global stage), NLopt's Sbplx or BOBYQA from the best of it (local
 * stage), every evaluation on the same seeds. Noise fools the best
 * observed point, so a confirmation stage reruns the best few distinct
 * evaluations and the scenario as written on fresh seeds with more
 * replications, and chooses by those runs: paired differences against
 * the plan, a t interval, and the probability that the mix beats it.
 *
 * With uncertain declarations an evaluation runs every design point on
 * the same seeds and takes the objective's mean or quantile across them.
 * With --front the search runs again at each budget level. Every
 * evaluation goes to OUT.h5.partial as it ends; --resume replays them:
 * the search is a deterministic function of the evaluations, so the
 * replayed run follows the same path and ends with the same file.
 */
#include "optimise/optimise.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <nlopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment/runner_internal.h"
#include "output/outpath.h"
#include "parallel/mpi.h"
#include "sim_internal.h"

/* confirmation seeds: far from any the search used */
#define CONFIRM_SEED_OFFSET 1000003

typedef struct ctx {
    zz_oeval *e;
    const zz_optimisation *o;
    const zz_opt_options *opt;
    zz_opt_result *r;
    int n, S, K, R, P, stage, level, rc;
    double total;               /* budget of this level */
    double *q;                  /* [P][R][ZZ_NQ] */
    double *infl;               /* [R] */
    zz_opt_row *cache;          /* replayed from output.partial */
    int ncache;
    FILE *partial;
    char *err;
    size_t errlen;
    double t0;
} ctx;

static int push_row(ctx *x, const zz_opt_row *v)
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
    *w = *v;
    w->u = malloc((size_t)(x->n + x->S + x->K + 1) * sizeof *w->u);
    if (!w->u)
        return ZZ_NOMEM;
    w->budget = w->u + x->n;
    w->free = w->budget + x->S;
    memcpy(w->u, v->u, (size_t)x->n * sizeof *w->u);
    memcpy(w->budget, v->budget, (size_t)x->S * sizeof *w->budget);
    memcpy(w->free, v->free, (size_t)x->K * sizeof *w->free);
    r->nrows++;
    return ZZ_OK;
}

/* The robust rule across the design's per-point values v[P] (standard
 * errors se[P]): their mean, or the quantile of how well the mix does
 * (sense-adjusted), interpolated between order statistics as numpy's
 * default; the standard error of replication noise alone. */
static double across_points(const zz_optimisation *o, int objective, const double *v, const double *se,
                            int P, double *out_se)
{
    if (P == 1) {
        *out_se = se[0];
        return v[0];
    }
    if (o->robust < 0) {
        double m = 0, s2 = 0;
        for (int p = 0; p < P; p++) {
            m += v[p];
            s2 += se[p] * se[p];
        }
        *out_se = sqrt(s2) / P;
        return m / P;
    }
    size_t idx[P];
    gsl_sort_index(idx, v, 1, (size_t)P);
    const double frac = zz_objective_sense(objective) > 0 ? o->robust : 1 - o->robust;
    const double pos = frac * (P - 1);
    const int i = (int)floor(pos), j = i + 1 < P ? i + 1 : i;
    const double w = pos - i;
    *out_se = sqrt((1 - w) * (1 - w) * se[idx[i]] * se[idx[i]] + w * w * se[idx[j]] * se[idx[j]]);
    return (1 - w) * v[idx[i]] + w * v[idx[j]];
}

static void write_row(FILE *f, const ctx *x, const zz_opt_row *w)
{
    fprintf(f, "%d %d %a %a", w->level, w->stage, w->objective, w->se);
    for (int k = 0; k < ZZ_NOBJECTIVES; k++)
        fprintf(f, " %a", w->measure[k]);
    for (int i = 0; i < x->n; i++)
        fprintf(f, " %a", w->u[i]);
    fputc('\n', f);
}

/* One mix: every design point, the objective across them, every measure
 * the runs give. Replayed from the partial file when it is there. */
static double evaluate(ctx *x, const double *u)
{
    if (x->rc)
        return HUGE_VAL;
    const zz_optimisation *o = x->o;
    double budget[ZZ_MAX_SHARES], free[ZZ_MAX_FACTORS];
    zz_optimisation_decode(o, x->total, u, budget, free);
    zz_opt_row w = {.u = (double *)u, .budget = budget, .free = free, .stage = x->stage, .level = x->level};
    /* a point evaluated before (the plan's start can be a grid point, NLopt
     * can come back to a point) gives the same numbers on the same seeds:
     * taken from this run's rows, else from the partial file's (replayed) */
    int hit = 0;
    const zz_opt_row *seen[2] = {x->r->row, x->cache};
    const int nseen[2] = {x->r->nrows, x->ncache};
    for (int k = 0; k < 2 && !hit; k++)
        for (int i = 0; i < nseen[k] && !hit; i++)
            if (seen[k][i].level == x->level && !memcmp(seen[k][i].u, u, (size_t)x->n * sizeof *u)) {
                w.objective = seen[k][i].objective;
                w.se = seen[k][i].se;
                memcpy(w.measure, seen[k][i].measure, sizeof w.measure);
                hit = 1 + k;
            }
    x->r->replayed += hit == 2;
    /* over MPI ranks the search runs in lockstep: every rank stops at the
     * same evaluation (hit is the same on every rank: they replay the same
     * rows) */
    if (!hit && zz_mpi_agree(zz_interrupt_pending() ? ZZ_INTERRUPTED : ZZ_OK) == ZZ_INTERRUPTED) {
        x->rc = ZZ_INTERRUPTED;
    } else if (!hit) {
        const int twin = zz_objective_twin(o->objective);
        for (int p = 0; p < x->P && !x->rc; p++)
            x->rc = zz_oeval_run(x->e, budget, free, p, o->cal->seed, x->R, twin,
                                 x->q + (size_t)p * x->R * ZZ_NQ, x->err, x->errlen);
        for (int k = 0; k < ZZ_NOBJECTIVES && !x->rc; k++) {
            double v[x->P], se[x->P];
            for (int p = 0; p < x->P; p++) {
                v[p] = zz_objective_value(k, x->q + (size_t)p * x->R * ZZ_NQ, x->R, x->infl);
                se[p] = zz_influence_se(x->infl, x->R);
            }
            double s = NAN;
            w.measure[k] = zz_objective_twin(k) && !twin ? NAN : across_points(o, k, v, se, x->P, &s);
            if (k == o->objective) {
                w.objective = w.measure[k];
                w.se = s;
            }
        }
    }
    if (x->rc == ZZ_INTERRUPTED)
        snprintf(x->err, x->errlen, "interrupted after %d evaluations; zhizao optimise --resume "
                                    "replays them from %s.partial", x->r->nrows,
                 x->opt->output ? x->opt->output : "OUT.h5");
    if (x->rc)
        return HUGE_VAL;
    if ((x->rc = push_row(x, &w))) {
        snprintf(x->err, x->errlen, "out of memory");
        return HUGE_VAL;
    }
    if (x->partial && !hit) {
        write_row(x->partial, x, &w);
        fflush(x->partial);
    }
    if (x->opt->progress && isatty(2))
        fprintf(stderr, "\rzhizao: evaluation %d (%s%s), %s = %.4g, %.0f s     ", x->r->nrows,
                x->stage ? "local" : "start grid", hit == 2 ? ", replayed" : hit ? ", seen" : "",
                zz_objective_names[o->objective], w.objective, omp_get_wtime() - x->t0);
    const double f = -zz_objective_sense(o->objective) * w.objective;
    return isfinite(f) ? f : HUGE_VAL;
}

static double nlopt_objective(unsigned n, const double *u, double *grad, void *data)
{
    (void)n;
    (void)grad; /* derivative-free algorithms only */
    return evaluate(data, u);
}

/* ---- --resume: the evaluations of output.partial ---------------------------- */

static uint64_t digest(const ctx *x)
{
    const zz_optimisation *o = x->o;
    const zz_experiment *ex = o->cal->ex;
    uint64_t h = zz_fnv_str(ZZ_FNV0, ex->source ? ex->source : "");
    h = zz_fnv_str(h, ex->sc[0]->cfg.source ? ex->sc[0]->cfg.source : "");
    h = zz_fnv_str(h, ex->sc[0]->cfg.overrides ? ex->sc[0]->cfg.overrides : "");
    const int64_t v[4] = {o->cal->seed, o->cal->replications, x->n, x->opt->front};
    h = zz_fnv(h, v, sizeof v);
    /* evaluations at another --scale are of another region */
    if (o->scale > 0 && o->scale != 1)
        h = zz_fnv(h, &o->scale, sizeof o->scale);
    return h;
}

/* The rows of an earlier run's partial file into x->cache. */
static int read_partial(ctx *x, const char *path, const char *header)
{
    FILE *in;
    int rc = zz_outpath_resume(path, header, "optimisation file, scenario, seed, replications, --front or --scale",
                               &in, x->err, x->errlen);
    if (rc)
        return rc;
    double u[ZZ_MAX_SHARES + ZZ_MAX_FACTORS], none[1] = {0};
    zz_opt_row w = {.u = u, .budget = none, .free = none};
    zz_opt_result tmp = {0}, *keep = x->r;
    const int S = x->S, K = x->K;
    x->r = &tmp;
    x->S = x->K = 0; /* the cache keeps u only */
    while (fscanf(in, "%d %d %la %la", &w.level, &w.stage, &w.objective, &w.se) == 4) {
        int ok = 1;
        for (int k = 0; k < ZZ_NOBJECTIVES && ok; k++)
            ok = fscanf(in, "%la", &w.measure[k]) == 1;
        for (int i = 0; i < x->n && ok; i++)
            ok = fscanf(in, "%la", &u[i]) == 1;
        if (!ok)
            break; /* a line cut short by the interruption */
        if (push_row(x, &w)) {
            fclose(in);
            x->r = keep;
            return ZZ_NOMEM;
        }
    }
    fclose(in);
    x->r = keep;
    x->S = S;
    x->K = K;
    x->cache = tmp.row;
    x->ncache = tmp.nrows;
    return ZZ_OK;
}

static int open_partial(ctx *x)
{
    char path[1100], header[128];
    snprintf(path, sizeof path, "%s.partial", x->opt->output);
    snprintf(header, sizeof header, "zhizao-optimise-evaluations %016llx %d\n",
             (unsigned long long)digest(x), x->n);
    int rc = x->opt->resume ? read_partial(x, path, header) : ZZ_OK;
    /* every rank has read the rows (the ranks replay in lockstep) before
     * rank 0 alone rewrites the file in full: the replayed rows come back
     * through evaluate() */
    if ((rc = zz_mpi_agree_text(rc, x->err, x->errlen)))
        return rc;
    if (zz_mpi_rank() == 0) {
        rc = zz_outpath_rewrite(path, &x->partial, x->err, x->errlen);
        if (x->opt->lock > 0)
            zz_outpath_advertise(x->opt->lock); /* our other descriptors' closes dropped it */
        if (!rc) {
            fputs(header, x->partial);
            for (int i = 0; i < x->ncache; i++)
                write_row(x->partial, x, &x->cache[i]);
            fflush(x->partial);
        }
    }
    return zz_mpi_agree_text(rc, x->err, x->errlen);
}

/* ---- the two stages at one budget level ------------------------------------ */

/* the best row of a level by the search's estimate (first on ties) */
static int best_of_level(const zz_opt_result *r, int level, int sense)
{
    int b = -1;
    for (int i = 0; i < r->nrows; i++)
        if (r->row[i].level == level && (b < 0 || sense * (r->row[i].objective - r->row[b].objective) > 0))
            b = i;
    return b;
}

static void search_level(ctx *x)
{
    const zz_optimisation *o = x->o;
    double u[ZZ_MAX_SHARES + ZZ_MAX_FACTORS];
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)x->n);
    if (!q) {
        snprintf(x->err, x->errlen, "out of memory");
        x->rc = ZZ_NOMEM;
        return;
    }
    x->stage = 0;
    /* the plan's own split (scaled to this level) first: the search then
     * knows the plan and the local stage starts from it when nothing in
     * the grid is better */
    double pb[ZZ_MAX_SHARES], pf[ZZ_MAX_FACTORS];
    zz_optimisation_plan(o, pb, pf);
    zz_optimisation_encode(o, pb, pf, u);
    evaluate(x, u);
    for (int i = 0; i < o->cal->starts && !x->rc; i++) {
        gsl_qrng_get(q, u);
        evaluate(x, u);
    }
    gsl_qrng_free(q);
    if (x->rc)
        return;
    nlopt_opt opt = nlopt_create(o->cal->local ? NLOPT_LN_BOBYQA : NLOPT_LN_SBPLX, (unsigned)x->n);
    if (!opt) {
        snprintf(x->err, x->errlen, "out of memory");
        x->rc = ZZ_NOMEM;
        return;
    }
    const int b = best_of_level(x->r, x->level, zz_objective_sense(o->objective));
    memcpy(u, x->r->row[b].u, (size_t)x->n * sizeof *u);
    double lo[ZZ_MAX_SHARES + ZZ_MAX_FACTORS], hi[ZZ_MAX_SHARES + ZZ_MAX_FACTORS],
        step[ZZ_MAX_SHARES + ZZ_MAX_FACTORS];
    for (int i = 0; i < x->n; i++) {
        lo[i] = 0;
        hi[i] = 1;
        step[i] = fmin(0.25, fmax(0.02, 0.5 * pow(o->cal->starts, -1.0 / x->n)));
    }
    nlopt_set_lower_bounds(opt, lo);
    nlopt_set_upper_bounds(opt, hi);
    nlopt_set_min_objective(opt, nlopt_objective, x);
    nlopt_set_maxeval(opt, o->cal->evaluations);
    nlopt_set_xtol_abs1(opt, 1e-4);
    nlopt_set_initial_step(opt, step);
    x->stage = 1;
    double fmin_;
    nlopt_result nr = nlopt_optimize(opt, u, &fmin_);
    nlopt_destroy(opt);
    if (!x->rc && nr < 0 && nr != NLOPT_ROUNDOFF_LIMITED) {
        snprintf(x->err, x->errlen, "the local optimiser failed (NLopt code %d)", (int)nr);
        x->rc = ZZ_ERROR;
    }
}

/* ---- confirmation ------------------------------------------------------------ */

/* rows of a level ordered best first by the search's estimate, ties by
 * row index (a stable insertion sort: qsort has no context argument) */
static int order_rows(const zz_opt_result *r, int level, int sense, int *order)
{
    int n = 0;
    for (int i = 0; i < r->nrows; i++) {
        if (r->row[i].level != level)
            continue;
        int j = n++;
        while (j > 0 && sense * (r->row[i].objective - r->row[order[j - 1]].objective) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

static int same_mix(const ctx *x, const zz_opt_row *a, const zz_opt_row *b)
{
    for (int i = 0; i < x->n; i++)
        if (fabs(a->u[i] - b->u[i]) > 1e-9)
            return 0;
    return 1;
}

/* value, 95% t interval of every measure from Rc replications q, and
 * (base != NULL) of its paired difference with base's */
static void measures(const ctx *x, const double *q, const double *base, int Rc, double *v, double *lo,
                     double *hi, double *dv, double *dlo, double *dhi)
{
    double *a = x->infl, *b = a + Rc;
    const double t = gsl_cdf_tdist_Pinv(0.975, Rc - 1);
    for (int k = 0; k < ZZ_NOBJECTIVES; k++) {
        v[k] = zz_objective_value(k, q, Rc, a);
        double se = zz_influence_se(a, Rc);
        lo[k] = v[k] - t * se;
        hi[k] = v[k] + t * se;
        if (!base)
            continue;
        dv[k] = v[k] - zz_objective_value(k, base, Rc, b);
        for (int i = 0; i < Rc; i++)
            b[i] = a[i] - b[i];
        se = zz_influence_se(b, Rc);
        dlo[k] = dv[k] - t * se;
        dhi[k] = dv[k] + t * se;
    }
}

/* the objective of one replication: its measure (a cost: money over
 * additional adopters of that replication, NaN without any) */
static double rep_objective(int objective, const double *q)
{
    if (objective == ZZ_OBJ_COST)
        return q[ZZ_Q_ADDITIONAL] > 0 ? q[ZZ_Q_MONEY] / q[ZZ_Q_ADDITIONAL] : NAN;
    return zz_objective_value(objective, q, 1, NULL);
}

static int confirm(ctx *x)
{
    zz_opt_result *r = x->r;
    const zz_optimisation *o = x->o;
    const int sense = zz_objective_sense(o->objective), L = r->nlevels, full = L - 1;
    /* every design point in turn, as many replications of each */
    const int Rc = (o->confirm_replications + x->P - 1) / x->P * x->P;
    const size_t C = (size_t)o->confirm + 1, NM = ZZ_NOBJECTIVES;
    int *order = malloc((size_t)r->nrows * sizeof *order);
    r->cand_row = malloc(C * sizeof *r->cand_row);
    r->cand_y = malloc(C * Rc * sizeof *r->cand_y);
    r->cand_q = malloc(C * Rc * ZZ_NQ * sizeof *r->cand_q);
    r->diff_mean = calloc(C, sizeof *r->diff_mean);
    r->diff_lo = calloc(C, sizeof *r->diff_lo);
    r->diff_hi = calloc(C, sizeof *r->diff_hi);
    r->p_beats = calloc(C, sizeof *r->p_beats);
    double *m = calloc(C * NM * 6 + (size_t)L * NM * 3 + 1, sizeof *m);
    double *fq = malloc((size_t)Rc * ZZ_NQ * sizeof *fq);
    free(x->infl);
    x->infl = malloc(2 * (size_t)Rc * sizeof *x->infl);
    if (!order || !r->cand_row || !r->cand_y || !r->cand_q || !r->diff_mean || !r->diff_lo ||
        !r->diff_hi || !r->p_beats || !m || !fq || !x->infl) {
        free(order);
        free(m);
        free(fq);
        snprintf(x->err, x->errlen, "out of memory");
        return ZZ_NOMEM;
    }
    r->m_value = m;
    r->m_lo = m + C * NM;
    r->m_hi = m + 2 * C * NM;
    r->d_value = m + 3 * C * NM;
    r->d_lo = m + 4 * C * NM;
    r->d_hi = m + 5 * C * NM;
    r->f_value = m + 6 * C * NM;
    r->f_lo = r->f_value + (size_t)L * NM;
    r->f_hi = r->f_lo + (size_t)L * NM;
    const int nfull = order_rows(r, full, sense, order);
    r->ncand = 1;
    r->cand_row[0] = -1;
    for (int k = 0; k < nfull && r->ncand <= o->confirm; k++) {
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
        double *q = r->cand_q + (size_t)c * Rc * ZZ_NQ;
        rc = zz_oeval_run(x->e, w ? w->budget : NULL, w ? w->free : NULL, -1, r->confirm_seed, Rc, 1, q,
                          x->err, x->errlen);
        if (rc)
            break;
        for (int i = 0; i < Rc; i++)
            r->cand_y[(size_t)c * Rc + i] = rep_objective(o->objective, q + (size_t)i * ZZ_NQ);
        const size_t at = (size_t)c * NM;
        measures(x, q, r->cand_q, Rc, r->m_value + at, r->m_lo + at, r->m_hi + at, r->d_value + at,
                 r->d_lo + at, r->d_hi + at);
        const int k = o->objective;
        const double d = r->d_value[at + k], se = (r->d_hi[at + k] - d) / gsl_cdf_tdist_Pinv(0.975, Rc - 1);
        r->diff_mean[c] = d;
        r->diff_lo[c] = r->d_lo[at + k];
        r->diff_hi[c] = r->d_hi[at + k];
        /* P(the mix's expected objective is better than the plan's), t approximation */
        r->p_beats[c] = se > 0 ? gsl_cdf_tdist_P(sense * d / se, Rc - 1)
                               : sense * d > 0 ? 1 : sense * d < 0 ? 0 : 0.5;
    }
    r->best = 1;
    for (int c = 2; c < r->ncand && !rc; c++)
        if (sense * (r->diff_mean[c] - r->diff_mean[r->best]) > 0)
            r->best = c;
    /* the front: each lower level's best searched mix on the same fresh
     * seeds; the whole budget's point is the chosen mix */
    for (int l = 0; l < L && !rc && r->level_row; l++) {
        const size_t at = (size_t)l * NM;
        double dv[ZZ_NOBJECTIVES], dl[ZZ_NOBJECTIVES], dh[ZZ_NOBJECTIVES];
        if (l == full) {
            r->level_row[l] = r->cand_row[r->best];
            measures(x, r->cand_q + (size_t)r->best * Rc * ZZ_NQ, NULL, Rc, r->f_value + at,
                     r->f_lo + at, r->f_hi + at, dv, dl, dh);
            continue;
        }
        const zz_opt_row *w = &r->row[r->level_row[l] = best_of_level(r, l, sense)];
        rc = zz_oeval_run(x->e, w->budget, w->free, -1, r->confirm_seed, Rc, 1, fq, x->err, x->errlen);
        if (!rc)
            measures(x, fq, NULL, Rc, r->f_value + at, r->f_lo + at, r->f_hi + at, dv, dl, dh);
    }
    free(fq);
    return rc;
}

int zz_optimise_run(zz_oeval *e, const zz_optimisation *o, const zz_opt_options *opt, zz_opt_result *r,
                    char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    ctx x = {.e = e, .o = o, .opt = opt, .r = r, .n = zz_optimisation_nvar(o), .S = o->nshares,
             .K = o->cal->ex->nfactors, .R = o->cal->replications, .P = zz_optimisation_points(o),
             .err = err, .errlen = errlen, .t0 = omp_get_wtime()};
    if (x.n > 40) {
        snprintf(err, errlen, "%s: %d variables; the Sobol start grid takes at most 40", o->cal->where, x.n);
        return ZZ_SCENARIO;
    }
    r->nlevels = opt->front > 1 ? opt->front : 1;
    x.q = malloc((size_t)x.P * x.R * ZZ_NQ * sizeof *x.q);
    x.infl = malloc((size_t)x.R * sizeof *x.infl);
    r->level_budget = malloc((size_t)r->nlevels * sizeof *r->level_budget);
    r->level_row = opt->front > 1 ? malloc((size_t)r->nlevels * sizeof *r->level_row) : NULL;
    if (!x.q || !x.infl || !r->level_budget || (opt->front > 1 && !r->level_row)) {
        snprintf(err, errlen, "out of memory");
        x.rc = ZZ_NOMEM;
    }
    if (!x.rc && opt->output)
        x.rc = open_partial(&x);
    /* the lower levels of the front first, the whole budget last */
    for (int l = 0; l < r->nlevels && !x.rc; l++) {
        x.level = l;
        x.total = r->level_budget[l] = o->budget * (l + 1) / r->nlevels;
        search_level(&x);
    }
    if (opt->progress && isatty(2))
        fputc('\n', stderr);
    if (!x.rc && (x.rc = confirm(&x)) == ZZ_INTERRUPTED)
        snprintf(err, errlen, "interrupted in the confirmation; zhizao optimise --resume replays the "
                              "%d evaluations from %s.partial and confirms again", r->nrows,
                 opt->output ? opt->output : "OUT.h5");
    if (x.partial) {
        fclose(x.partial);
        /* nothing to resume: leave no file that looks like progress */
        if (x.rc && r->nrows == 0) {
            char path[1100];
            snprintf(path, sizeof path, "%s.partial", opt->output);
            remove(path);
        }
    }
    for (int i = 0; i < x.ncache; i++)
        free(x.cache[i].u);
    free(x.cache);
    free(x.q);
    free(x.infl);
    r->seconds = omp_get_wtime() - x.t0;
    return x.rc;
}

void zz_opt_result_free(zz_opt_result *r)
{
    for (int i = 0; i < r->nrows; i++)
        free(r->row[i].u);
    free(r->row);
    free(r->cand_row);
    free(r->cand_y);
    free(r->cand_q);
    free(r->diff_mean);
    free(r->diff_lo);
    free(r->diff_hi);
    free(r->p_beats);
    free(r->m_value);
    free(r->level_row);
    free(r->level_budget);
    memset(r, 0, sizeof *r);
}
