/*
 * Simulated moments (calibrate.h). Replication r runs on the population of
 * seed (seed + r) with replication stream r, at every parameter vector:
 * common random numbers, and population draws inside the simulation noise
 * (a run's replications share one population; across seeds shares move
 * more than across replications, so one population would understate it).
 *
 * A moment pools its counts over replications: share = sum adopted / sum
 * firms; hazard = sum (adopted at to - adopted at from) / sum (firms -
 * adopted at from); ratio = pooled share of A / pooled share of B. Counts
 * are summed in replication order after the parallel loop, so the result
 * does not depend on the thread count.
 *
 * Over MPI ranks (docs/cluster.md) every rank evaluates the same theta (the
 * optimiser runs in lockstep on every rank) and runs replications r with
 * r % ranks == its rank; each replication's counts are computed by one
 * rank and are zero on the others, so their sum over ranks (zz_mpi_sum) is
 * the one-process counts bit for bit, and so are the moments.
 */
#include "calibrate/calibrate.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/runner_internal.h"
#include "parallel/mpi.h"
#include "sim.h"
#include "sim_internal.h"

/* per moment: adopted and firms of group A at t_at or t_from, adopted of A
 * at t_to, adopted and firms of group B */
enum { C_A, C_NA, C_ATO, C_B, C_NB, NC };

struct zz_msim {
    const zz_calibration *c;
    int R, S, threads;
    zz_population **pop;       /* [S][R] cached, per scenario and replication */
    uint64_t *key;             /* [S][R] */
    double *count;             /* [R][moments][NC] */
};

int zz_msim_open(zz_msim **out, const zz_calibration *c, int threads)
{
    zz_msim *m = calloc(1, sizeof *m);
    *out = m;
    if (!m)
        return ZZ_NOMEM;
    m->c = c;
    m->R = c->replications;
    m->S = c->ex->nscenarios;
    m->threads = threads;
    m->pop = calloc((size_t)m->S * m->R, sizeof *m->pop);
    m->key = calloc((size_t)m->S * m->R, sizeof *m->key);
    m->count = calloc((size_t)m->R * (c->nmoments ? c->nmoments : 1) * NC, sizeof *m->count);
    return m->pop && m->key && m->count ? ZZ_OK : ZZ_NOMEM;
}

void zz_msim_close(zz_msim *m)
{
    if (!m)
        return;
    for (int r = 0; m->pop && r < m->S * m->R; r++)
        zz_population_free(m->pop[r]);
    free(m->pop);
    free(m->key);
    free(m->count);
    free(m);
}

/* Adopted (at observation t) and firms of a group, 规上 filter applied. */
static void group_counts(const zz_rep_result *res, const zz_population *pop, const uint8_t *cells,
                         int gsz, int t, double *adopted, double *firms)
{
    const int n = res->ncells;
    const int32_t *a = res->adopted + (size_t)t * n, *ag = res->adopted_gsz + (size_t)t * n;
    double A = 0, N = 0;
    for (int k = 0; k < n; k++) {
        if (!cells[k])
            continue;
        if (gsz < 0) {
            A += a[k];
            N += pop->cell_firms[k];
        } else if (gsz) {
            A += ag[k];
            N += pop->cell_firms_gsz[k];
        } else {
            A += a[k] - ag[k];
            N += pop->cell_firms[k] - pop->cell_firms_gsz[k];
        }
    }
    *adopted = A;
    *firms = N;
}

/* A moment from its (pooled or one replication's) counts. */
static double moment_of(int kind, const double *s)
{
    switch (kind) {
    case ZZ_MOMENT_SHARE: return s[C_A] / s[C_NA];
    case ZZ_MOMENT_ADDITIONALITY: return s[C_A] / s[C_NA]; /* supported-additional / supported */
    case ZZ_MOMENT_EFFECT: return s[C_ATO] / s[C_NA];      /* additional / supported */
    case ZZ_MOMENT_HAZARD: return (s[C_ATO] - s[C_A]) / (s[C_NA] - s[C_A]);
    default: return (s[C_A] / s[C_NA]) / (s[C_B] / s[C_NB]);
    }
}

/* Scenario s at theta for replication r, and its population (cached,
 * rebuilt when theta changes what the firms are). */
static int scenario_at(zz_msim *m, int s, int r, int64_t seed_offset, zz_scenario *sc,
                       const zz_population **pop, char *err, size_t errlen)
{
    const zz_calibration *c = m->c;
    char msg[1200];
    int rc = zz_experiment_scenario(c->ex, 0, s, sc, msg, sizeof msg);
    if (rc) {
        snprintf(err, errlen, "%s", msg);
        return rc;
    }
    sc->cfg.seed = c->seed + seed_offset + r;
    uint64_t key;
    if (zz_population_key(sc, &key)) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    const size_t i = (size_t)s * m->R + r;
    if (!m->pop[i] || m->key[i] != key) {
        zz_population_free(m->pop[i]);
        m->pop[i] = NULL;
        if ((rc = zz_population_build(&m->pop[i], sc, err, errlen)))
            return rc;
        m->key[i] = key;
    }
    *pop = m->pop[i];
    return ZZ_OK;
}

/* Policy scenario s and its no-policy twin on the same population and
 * replication stream (as zhizao run --counterfactual pairs them); each
 * additionality or effect moment on s counts its group's supported,
 * supported-additional and additional adopters at the end. */
static int run_policy(zz_msim *m, int s, int r, int64_t seed_offset, char *err, size_t errlen)
{
    const zz_calibration *c = m->c;
    zz_scenario sc;
    const zz_population *pop;
    int rc = scenario_at(m, s, r, seed_offset, &sc, &pop, err, errlen);
    if (rc)
        return rc;
    zz_sim *pol = NULL, *twin = NULL;
    rc = zz_sim_open(&pol, &sc, pop, r, 0);
    if (!rc)
        rc = zz_sim_run(pol);
    if (!rc && !(rc = zz_sim_open(&twin, &sc, pop, r, 1))) {
        zz_sim_stop_after(twin, pol);
        rc = zz_sim_run(twin);
    }
    if (rc) {
        const zz_sim *bad = twin ? twin : pol;
        snprintf(err, errlen, "%s, replicate %d%s: %s", sc.cfg.path, r, twin ? " (no-policy twin)" : "",
                 bad ? zz_errmsg(bad) : "out of memory");
    }
    double *cnt = m->count + (size_t)r * c->nmoments * NC;
    for (int k = 0; !rc && k < c->nmoments; k++) {
        const zz_moment *mo = &c->moment[k];
        if (mo->sc != s)
            continue;
        double *x = cnt + (size_t)k * NC, sup, dead, add;
        zz_account_classes(pol, twin, mo->cells[1], &sup, &dead, &add);
        x[C_A] = sup - dead;
        x[C_NA] = sup;
        x[C_ATO] = add;
    }
    zz_sim_close(pol);
    zz_sim_close(twin);
    return rc;
}

static int run_rep(zz_msim *m, int r, int64_t seed_offset, char *err, size_t errlen)
{
    const zz_calibration *c = m->c;
    int rc = ZZ_OK, plain = 0;
    for (int s = 1; s < m->S && !rc; s++)
        rc = run_policy(m, s, r, seed_offset, err, errlen);
    for (int k = 0; k < c->nmoments; k++)
        plain |= !ZZ_MOMENT_POLICY(c->moment[k].kind);
    if (rc || !plain)
        return rc;
    zz_scenario sc;
    const zz_population *pop;
    if ((rc = scenario_at(m, 0, r, seed_offset, &sc, &pop, err, errlen)))
        return rc;
    zz_sim *sim = NULL;
    rc = zz_sim_open(&sim, &sc, pop, r, 0);
    if (!rc)
        rc = zz_sim_run(sim);
    if (rc) {
        snprintf(err, errlen, "replicate %d: %s", r, sim ? zz_errmsg(sim) : "out of memory");
        zz_sim_close(sim);
        return rc;
    }
    double *cnt = m->count + (size_t)r * c->nmoments * NC;
    for (int k = 0; k < c->nmoments; k++) {
        const zz_moment *mo = &c->moment[k];
        if (ZZ_MOMENT_POLICY(mo->kind))
            continue;
        double *x = cnt + (size_t)k * NC;
        int t0 = mo->kind == ZZ_MOMENT_HAZARD ? mo->t_from : mo->t_at;
        group_counts(sim->res, pop, mo->cells[0], mo->group[0].gsz, t0, &x[C_A], &x[C_NA]);
        if (mo->kind == ZZ_MOMENT_HAZARD) {
            double n;
            group_counts(sim->res, pop, mo->cells[0], mo->group[0].gsz, mo->t_to, &x[C_ATO], &n);
        }
        if (mo->kind == ZZ_MOMENT_RATIO)
            group_counts(sim->res, pop, mo->cells[1], mo->group[1].gsz, mo->t_at, &x[C_B], &x[C_NB]);
        if (x[C_NA] == 0 || (mo->kind == ZZ_MOMENT_RATIO && x[C_NB] == 0)) {
            snprintf(err, errlen, "%s: moment \"%s\": the group%s matches no firm in replicate %d "
                                  "(population seed %lld of %s)", mo->where, mo->name,
                     x[C_NA] == 0 ? "" : " B", r, (long long)sc.cfg.seed, sc.cfg.path);
            rc = ZZ_SCENARIO;
            break;
        }
    }
    zz_sim_close(sim);
    return rc;
}

int zz_msim_eval(zz_msim *m, const double *theta, int64_t seed_offset, double *moments, char *err,
                 size_t errlen)
{
    const zz_calibration *c = m->c;
    zz_experiment *ex = c->ex;
    for (int f = 0; f < ex->nfactors; f++)
        ex->value[f] = ex->factor[f].integer ? nearbyint(theta[f]) : theta[f];
    /* a stop every rank sees at the same evaluation (agreed below) */
    int failed = zz_interrupt_pending() ? ZZ_INTERRUPTED : ZZ_OK;
    char msg[1400] = "interrupted";
    const int rank = zz_mpi_rank(), ranks = zz_mpi_size();
    const size_t ncount = (size_t)m->R * c->nmoments * NC;
    if (ranks > 1)
        memset(m->count, 0, ncount * sizeof *m->count);
    if (m->threads > 0)
        omp_set_num_threads(m->threads);
#pragma omp parallel for schedule(dynamic, 1)
    for (int r = rank; r < m->R; r += ranks) {
        int stop;
#pragma omp atomic read
        stop = failed;
        if (stop)
            continue;
        char e[1400];
        int rc = run_rep(m, r, seed_offset, e, sizeof e);
        if (rc) {
#pragma omp critical(zz_msim_fail)
            if (!failed) {
                failed = rc;
                snprintf(msg, sizeof msg, "%s", e);
            }
        }
    }
    if ((failed = zz_mpi_agree_text(failed, msg, sizeof msg))) {
        snprintf(err, errlen, "%s", msg);
        return failed;
    }
    zz_mpi_sum(m->count, ncount);
    for (int k = 0; k < c->nmoments; k++) {
        double s[NC] = {0};
        for (int r = 0; r < m->R; r++)
            for (int j = 0; j < NC; j++)
                s[j] += m->count[((size_t)r * c->nmoments + k) * NC + j];
        const zz_moment *mo = &c->moment[k];
        if (ZZ_MOMENT_POLICY(mo->kind) && s[C_NA] == 0) {
            snprintf(err, errlen, "%s: moment \"%s\": no firm of the group adopted with support in "
                                  "%d replications of %s; the share of supported adopters is "
                                  "undefined (is the group eligible? is there money?)",
                     mo->where, mo->name, m->R, mo->scenario_path);
            return ZZ_SCENARIO;
        }
        moments[k] = moment_of(mo->kind, s);
    }
    return ZZ_OK;
}

void zz_msim_rep_moments(const zz_msim *m, double *out)
{
    const int M = m->c->nmoments;
    for (int r = 0; r < m->R; r++)
        for (int k = 0; k < M; k++)
            out[r * M + k] = moment_of(m->c->moment[k].kind, m->count + ((size_t)r * M + k) * NC);
}
