/*
 * The method of simulated moments (calibrate.h), as in McFadden (1989),
 * Pakes and Pollard (1989), Gourieroux and Monfort (1996):
 *
 *   Q(theta) = (m(theta) - v)' W (m(theta) - v),   W = Sigma^-1
 *
 * with Sigma the observed moments' covariance: diag(se^2), or the matrix
 * calibrate's covariance/correlation field gives (weighting.c)
 *
 * minimised over the free parameters' box in two stages: a Sobol grid of
 * starting points (GSL), then a local derivative-free search from the
 * best of them (NLopt Sbplx or BOBYQA) on the unit cube. m(theta) uses the
 * same seeds at every theta (common random numbers), so Q is a
 * deterministic function and a replayed trace (--resume) is exact.
 *
 * Standard errors: G = dm/dtheta by central differences at the estimate,
 * V = (G'WG)^-1 G'W Sigma W G (G'WG)^-1 (1 + 1/R) (the sandwich, which
 * reduces to (G'WG)^-1 (1 + 1/R) for W = Sigma^-1); J = Q(estimate) / (1 + 1/R), chi-square with
 * moments - free degrees of freedom under a correct model.
 */
#include "calibrate/calibrate.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
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

#define BAD_OBJECTIVE 1e30

typedef struct ctx {
    zz_msim *m;
    const zz_calibration *c;
    const zz_msm_options *opt;
    zz_msm_result *res;
    const double *target;
    int K, M, stage;
    double *theta, *mom;       /* scratch */
    zz_trace_row *cache;       /* replayed from output.partial */
    int ncache;
    FILE *partial;
    int rc;
    char *err;
    size_t errlen;
    double t0;
} ctx;

/* Over the fitted moments only: a held-out moment is simulated and
 * reported, never fitted. */
static double objective(const ctx *x, const double *mom)
{
    const double *W = x->c->weight;
    const int *fit = x->c->fit, Mf = x->c->nfit;
    double q = 0;
    for (int i = 0; i < Mf; i++)
        if (!isfinite(mom[fit[i]] - x->target[fit[i]]))
            return BAD_OBJECTIVE;
    if (W) { /* d' W d with the full W = Sigma^-1 over the fitted moments */
        for (int i = 0; i < Mf; i++)
            for (int j = 0; j < Mf; j++)
                q += (mom[fit[i]] - x->target[fit[i]]) * W[i * Mf + j] *
                     (mom[fit[j]] - x->target[fit[j]]);
        return q;
    }
    for (int i = 0; i < Mf; i++) {
        double d = (mom[fit[i]] - x->target[fit[i]]) / x->c->moment[fit[i]].se;
        q += d * d;
    }
    return isfinite(q) ? q : BAD_OBJECTIVE;
}

static int push_row(zz_msm_result *r, const double *theta, const double *mom, double q, int stage)
{
    if (r->ntrace == r->captrace) {
        int cap = r->captrace ? 2 * r->captrace : 64;
        zz_trace_row *t = realloc(r->trace, (size_t)cap * sizeof *t);
        if (!t)
            return ZZ_NOMEM;
        r->trace = t;
        r->captrace = cap;
    }
    zz_trace_row *row = &r->trace[r->ntrace];
    row->theta = malloc((size_t)r->nfree * sizeof *row->theta);
    row->moments = malloc((size_t)r->nmoments * sizeof *row->moments);
    if (!row->theta || !row->moments) {
        free(row->theta);
        free(row->moments);
        return ZZ_NOMEM;
    }
    memcpy(row->theta, theta, (size_t)r->nfree * sizeof *theta);
    memcpy(row->moments, mom, (size_t)r->nmoments * sizeof *mom);
    row->objective = q;
    row->stage = stage;
    r->ntrace++;
    return ZZ_OK;
}

/* Q at theta (actual values); the moments into x->mom. */
static double evaluate(ctx *x, const double *theta)
{
    if (x->rc)
        return BAD_OBJECTIVE;
    int hit = 0;
    for (int i = 0; i < x->ncache && !hit; i++)
        if (!memcmp(x->cache[i].theta, theta, (size_t)x->K * sizeof *theta)) {
            memcpy(x->mom, x->cache[i].moments, (size_t)x->M * sizeof *x->mom);
            hit = 1;
        }
    if (hit) {
        x->res->replayed++;
    } else {
        /* it stops on Ctrl-C, on every MPI rank at the same evaluation */
        x->rc = zz_msim_eval(x->m, theta, 0, x->mom, x->err, x->errlen);
    }
    if (x->rc == ZZ_INTERRUPTED)
        snprintf(x->err, x->errlen, "interrupted after %d evaluations; zhizao calibrate --resume "
                                    "replays them from %s.partial", x->res->ntrace, x->opt->output);
    if (x->rc)
        return BAD_OBJECTIVE;
    double q = objective(x, x->mom);
    if (push_row(x->res, theta, x->mom, q, x->stage)) {
        x->rc = ZZ_NOMEM;
        snprintf(x->err, x->errlen, "out of memory");
        return BAD_OBJECTIVE;
    }
    if (x->partial && !hit) {
        fprintf(x->partial, "%d %a", x->stage, q);
        for (int f = 0; f < x->K; f++)
            fprintf(x->partial, " %a", theta[f]);
        for (int k = 0; k < x->M; k++)
            fprintf(x->partial, " %a", x->mom[k]);
        fputc('\n', x->partial);
        fflush(x->partial);
    }
    if (x->opt->progress && isatty(2))
        fprintf(stderr, "\rzhizao: evaluation %d (%s), objective %.4g, %.0f s     ", x->res->ntrace,
                x->stage == 0 ? "start grid" : x->stage == 1 ? "local" : x->stage == 2 ? "jacobian" : "profile", q,
                omp_get_wtime() - x->t0);
    return q;
}

static void to_theta(const ctx *x, const double *u, double *theta)
{
    for (int f = 0; f < x->K; f++) {
        const zz_factor *fa = &x->c->ex->factor[f];
        theta[f] = fmin(fmax(fa->lo + u[f] * (fa->hi - fa->lo), fa->lo), fa->hi);
    }
}

static double nlopt_objective(unsigned n, const double *u, double *grad, void *data)
{
    ctx *x = data;
    (void)grad; /* derivative-free algorithms only */
    to_theta(x, u, x->theta);
    return evaluate(x, x->theta);
}

/* ---- --resume: the trace of output.partial ---------------------------------- */

static uint64_t digest(const ctx *x)
{
    const zz_calibration *c = x->c;
    uint64_t h = zz_fnv_str(ZZ_FNV0, c->ex->source ? c->ex->source : "");
    for (int s = 0; s < c->ex->nscenarios; s++) { /* the policy scenarios' too */
        h = zz_fnv_str(h, c->ex->sc[s]->cfg.source ? c->ex->sc[s]->cfg.source : "");
        h = zz_fnv_str(h, c->ex->sc[s]->cfg.overrides ? c->ex->sc[s]->cfg.overrides : "");
    }
    const int64_t v[3] = {c->seed, c->replications, x->K};
    return zz_fnv(h, v, sizeof v);
}

static int write_partial(ctx *x)
{
    char path[1100], header[128];
    snprintf(path, sizeof path, "%s.partial", x->opt->output);
    snprintf(header, sizeof header, "zhizao-calibrate-trace %016llx %d %d\n",
             (unsigned long long)digest(x), x->K, x->M);
    if (x->opt->resume) {
        FILE *in;
        int rc = zz_outpath_resume(path, header, "calibration file, scenario, seed or replications",
                                   &in, x->err, x->errlen);
        if (rc)
            return rc;
        int stage;
        double q;
        zz_msm_result tmp = {.nfree = x->K, .nmoments = x->M};
        while (fscanf(in, "%d %la", &stage, &q) == 2) {
            int ok = 1;
            for (int f = 0; f < x->K && ok; f++)
                ok = fscanf(in, "%la", &x->theta[f]) == 1;
            for (int k = 0; k < x->M && ok; k++)
                ok = fscanf(in, "%la", &x->mom[k]) == 1;
            if (!ok)
                break; /* a line cut short by the interruption */
            if (push_row(&tmp, x->theta, x->mom, q, stage)) {
                fclose(in);
                return ZZ_NOMEM;
            }
        }
        fclose(in);
        x->cache = tmp.trace;
        x->ncache = tmp.ntrace;
    }
    /* rewritten in full: the replayed rows come back through evaluate() */
    int rc = zz_outpath_rewrite(path, &x->partial, x->err, x->errlen);
    if (x->opt->lock > 0)
        zz_outpath_advertise(x->opt->lock); /* our other descriptors' closes dropped it */
    if (rc)
        return rc;
    fputs(header, x->partial);
    for (int i = 0; i < x->ncache; i++) {
        const zz_trace_row *row = &x->cache[i];
        fprintf(x->partial, "%d %a", row->stage, row->objective);
        for (int f = 0; f < x->K; f++)
            fprintf(x->partial, " %a", row->theta[f]);
        for (int k = 0; k < x->M; k++)
            fprintf(x->partial, " %a", row->moments[k]);
        fputc('\n', x->partial);
    }
    fflush(x->partial);
    return ZZ_OK;
}

/* Rank 0 alone reads and writes the trace; over MPI the other ranks get
 * its rows, so that every rank replays the same evaluations and the
 * optimisers stay in lockstep. */
static int share_cache(ctx *x)
{
    int n = x->ncache;
    zz_mpi_share(&n, sizeof n);
    const size_t w = 2 + (size_t)x->K + (size_t)x->M;
    double *rows = n ? malloc((size_t)n * w * sizeof *rows) : NULL;
    int rc = n && !rows ? ZZ_NOMEM : ZZ_OK;
    if ((rc = zz_mpi_agree(rc)) || !n) {
        free(rows);
        return rc;
    }
    const int root = zz_mpi_rank() == 0;
    for (int i = 0; i < n && root; i++) {
        double *p = rows + (size_t)i * w;
        p[0] = x->cache[i].stage;
        p[1] = x->cache[i].objective;
        memcpy(p + 2, x->cache[i].theta, (size_t)x->K * sizeof *p);
        memcpy(p + 2 + x->K, x->cache[i].moments, (size_t)x->M * sizeof *p);
    }
    zz_mpi_share(rows, (size_t)n * w * sizeof *rows);
    zz_msm_result tmp = {.nfree = x->K, .nmoments = x->M};
    for (int i = 0; i < n && !root && !rc; i++) {
        const double *p = rows + (size_t)i * w;
        rc = push_row(&tmp, p + 2, p + 2 + x->K, p[1], (int)p[0]);
    }
    if (!root) {
        x->cache = tmp.trace;
        x->ncache = tmp.ntrace;
    }
    free(rows);
    return zz_mpi_agree(rc);
}

static int open_partial(ctx *x)
{
    int rc = zz_mpi_rank() == 0 ? write_partial(x) : ZZ_OK;
    if ((rc = zz_mpi_agree_text(rc, x->err, x->errlen)))
        return rc;
    return share_cache(x);
}

/* ---- standard errors -------------------------------------------------------- */

/* G = dm/dtheta by central differences at the estimate (one-sided at a
 * bound), every moment (held-out ones too: their prediction's se); then
 * the bound flags, identification and the sandwich (ident.c); then the
 * replications' spread at the estimate (the simulation se). */
static int std_errors(ctx *x, const double *est)
{
    const int K = x->K, M = x->M;
    zz_msm_result *r = x->res;
    double *up = malloc((size_t)M * sizeof *up), *th = malloc((size_t)K * sizeof *th);
    double *rep = malloc((size_t)x->c->replications * M * sizeof *rep);
    if (!up || !th || !rep) {
        x->rc = ZZ_NOMEM;
        snprintf(x->err, x->errlen, "out of memory");
        goto out;
    }
    x->stage = 2;
    for (int f = 0; f < K && !x->rc; f++) {
        const zz_factor *fa = &x->c->ex->factor[f];
        double h = x->c->jacobian_step * (fa->hi - fa->lo);
        double hi = fmin(est[f] + h, fa->hi), lo = fmax(est[f] - h, fa->lo);
        memcpy(th, est, (size_t)K * sizeof *th);
        th[f] = hi;
        evaluate(x, th);
        memcpy(up, x->mom, (size_t)M * sizeof *up);
        th[f] = lo;
        evaluate(x, th);
        for (int k = 0; k < M; k++)
            r->jacobian[k * K + f] = (up[k] - x->mom[k]) / (hi - lo);
    }
    if (x->rc || (x->rc = zz_msm_diagnose(x->c, r, x->err, x->errlen)))
        goto out;
    /* once more at the estimate, outside the trace, for each replication's
     * moments (the same on every MPI rank: counts are summed) */
    if ((x->rc = zz_msim_eval(x->m, est, 0, up, x->err, x->errlen)))
        goto out;
    zz_msim_rep_moments(x->m, rep);
    zz_msm_prediction(x->c, r, rep);
out:
    free(up);
    free(th);
    free(rep);
    return x->rc;
}

/* ---- the profile --------------------------------------------------------------- */

/* Q along each free parameter across its bounds, the others at the
 * estimate: where the objective is flat, the moments say little. */
static int profile(ctx *x, const double *est)
{
    const int K = x->K, N = x->opt->profile;
    zz_msm_result *r = x->res;
    r->profile_value = malloc((size_t)K * N * sizeof *r->profile_value);
    r->profile_objective = malloc((size_t)K * N * sizeof *r->profile_objective);
    if (!r->profile_value || !r->profile_objective) {
        snprintf(x->err, x->errlen, "out of memory");
        return x->rc = ZZ_NOMEM;
    }
    r->nprofile = N;
    x->stage = 3;
    for (int f = 0; f < K && !x->rc; f++) {
        const zz_factor *fa = &x->c->ex->factor[f];
        for (int i = 0; i < N && !x->rc; i++) {
            memcpy(x->theta, est, (size_t)K * sizeof *x->theta);
            x->theta[f] = fa->lo + (fa->hi - fa->lo) * i / (N - 1);
            r->profile_value[f * N + i] = x->theta[f];
            r->profile_objective[f * N + i] = evaluate(x, x->theta);
        }
    }
    return x->rc;
}

/* ---- the two stages ----------------------------------------------------------- */

static int best_row(const zz_msm_result *r)
{
    int b = -1;
    for (int i = 0; i < r->ntrace; i++)
        if (r->trace[i].stage < 2 && (b < 0 || r->trace[i].objective < r->trace[b].objective))
            b = i;
    return b;
}

int zz_msm_estimate(zz_msim *m, const zz_calibration *c, const zz_msm_options *opt,
                    zz_msm_result *res, char *err, size_t errlen)
{
    const int K = c->ex->nfactors, M = c->nmoments;
    memset(res, 0, sizeof *res);
    res->nfree = K;
    res->nmoments = M;
    res->estimate = calloc((size_t)K, sizeof *res->estimate);
    res->std_error = calloc((size_t)K, sizeof *res->std_error);
    res->simulated = calloc((size_t)M, sizeof *res->simulated);
    res->target = calloc((size_t)M, sizeof *res->target);
    res->jacobian = calloc((size_t)M * K, sizeof *res->jacobian);
    res->covariance = calloc((size_t)K * K, sizeof *res->covariance);
    res->at_bound = calloc((size_t)K, sizeof *res->at_bound);
    res->identified = calloc((size_t)K, sizeof *res->identified);
    res->partner = calloc((size_t)K, sizeof *res->partner);
    res->column_norm = calloc((size_t)K, sizeof *res->column_norm);
    res->independence = calloc((size_t)K, sizeof *res->independence);
    res->singular = calloc((size_t)K, sizeof *res->singular);
    res->sim_se = calloc((size_t)M, sizeof *res->sim_se);
    res->prediction_se = calloc((size_t)M, sizeof *res->prediction_se);
    ctx x = {.m = m, .c = c, .opt = opt, .res = res, .K = K, .M = M, .err = err, .errlen = errlen,
             .t0 = omp_get_wtime()};
    x.theta = calloc((size_t)K, sizeof *x.theta);
    x.mom = calloc((size_t)M, sizeof *x.mom);
    double *u = calloc((size_t)K, sizeof *u);
    if (!res->estimate || !res->std_error || !res->simulated || !res->target || !x.theta ||
        !res->jacobian || !res->covariance || !res->at_bound || !res->identified ||
        !res->partner || !res->column_norm || !res->independence || !res->singular ||
        !res->sim_se || !res->prediction_se ||
        !x.mom || !u) {
        snprintf(err, errlen, "out of memory");
        x.rc = ZZ_NOMEM;
        goto out;
    }
    for (int k = 0; k < M; k++)
        res->target[k] = opt->targets ? opt->targets[k] : c->moment[k].value;
    x.target = res->target;
    if (K > 40) {
        snprintf(err, errlen, "%s: %d free parameters; the Sobol start grid takes at most 40",
                 c->path, K);
        x.rc = ZZ_SCENARIO;
        goto out;
    }
    if (opt->output && (x.rc = open_partial(&x)))
        goto out;
    /* global stage: a Sobol grid on the unit cube */
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)K);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        x.rc = ZZ_NOMEM;
        goto out;
    }
    x.stage = 0;
    for (int i = 0; i < c->starts && !x.rc; i++) {
        gsl_qrng_get(q, u);
        nlopt_objective((unsigned)K, u, NULL, &x);
    }
    gsl_qrng_free(q);
    if (x.rc)
        goto out;
    /* local stage from the best start */
    int b = best_row(res);
    for (int f = 0; f < K; f++) {
        const zz_factor *fa = &c->ex->factor[f];
        u[f] = (res->trace[b].theta[f] - fa->lo) / (fa->hi - fa->lo);
    }
    nlopt_opt o = nlopt_create(c->local ? NLOPT_LN_BOBYQA : NLOPT_LN_SBPLX, (unsigned)K);
    if (!o) {
        snprintf(err, errlen, "out of memory");
        x.rc = ZZ_NOMEM;
        goto out;
    }
    double lo[ZZ_MAX_FACTORS], hi[ZZ_MAX_FACTORS], step[ZZ_MAX_FACTORS];
    for (int f = 0; f < K; f++) {
        lo[f] = 0;
        hi[f] = 1;
        /* about the spacing of the start grid */
        step[f] = fmin(0.25, fmax(0.02, 0.5 * pow(c->starts, -1.0 / K)));
    }
    nlopt_set_lower_bounds(o, lo);
    nlopt_set_upper_bounds(o, hi);
    nlopt_set_min_objective(o, nlopt_objective, &x);
    nlopt_set_maxeval(o, c->evaluations);
    nlopt_set_xtol_abs1(o, 1e-4);
    nlopt_set_initial_step(o, step);
    x.stage = 1;
    double fmin_;
    nlopt_result nr = nlopt_optimize(o, u, &fmin_);
    nlopt_destroy(o);
    if (x.rc)
        goto out;
    if (nr < 0 && nr != NLOPT_ROUNDOFF_LIMITED) {
        snprintf(err, errlen, "the local optimiser failed (NLopt code %d)", (int)nr);
        x.rc = ZZ_ERROR;
        goto out;
    }
    b = best_row(res);
    memcpy(res->estimate, res->trace[b].theta, (size_t)K * sizeof *res->estimate);
    memcpy(res->simulated, res->trace[b].moments, (size_t)M * sizeof *res->simulated);
    res->objective = res->trace[b].objective;
    if (std_errors(&x, res->estimate))
        goto out;
    if (opt->profile > 1 && profile(&x, res->estimate))
        goto out;
    res->dof = c->nfit - K;
    res->j_statistic = res->objective / (1.0 + 1.0 / c->replications);
    res->j_pvalue = res->dof > 0 ? gsl_cdf_chisq_Q(res->j_statistic, res->dof) : NAN;
out:
    if (opt->progress && isatty(2))
        fputc('\n', stderr);
    res->seconds = omp_get_wtime() - x.t0;
    if (x.partial) {
        fclose(x.partial);
        /* nothing to resume: leave no file that looks like progress */
        if (x.rc && res->ntrace == 0) {
            char path[1100];
            snprintf(path, sizeof path, "%s.partial", opt->output);
            remove(path);
        }
    }
    for (int i = 0; i < x.ncache; i++) {
        free(x.cache[i].theta);
        free(x.cache[i].moments);
    }
    free(x.cache);
    free(x.theta);
    free(x.mom);
    free(u);
    return x.rc;
}

void zz_msm_result_free(zz_msm_result *r)
{
    for (int i = 0; i < r->ntrace; i++) {
        free(r->trace[i].theta);
        free(r->trace[i].moments);
    }
    free(r->trace);
    free(r->estimate);
    free(r->std_error);
    free(r->simulated);
    free(r->target);
    free(r->jacobian);
    free(r->covariance);
    free(r->at_bound);
    free(r->identified);
    free(r->partner);
    free(r->column_norm);
    free(r->independence);
    free(r->singular);
    free(r->sim_se);
    free(r->profile_value);
    free(r->profile_objective);
    free(r->prediction_se);
    memset(r, 0, sizeof *r);
}
