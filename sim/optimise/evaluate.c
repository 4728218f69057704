/*
 * One evaluation of a mix (optimise.h): the scenario with the shares'
 * budgets and the free values set, replications 0..R-1 of one population
 * of `seed` with streams r, as `zhizao run` with that seed runs them, so
 * every evaluation sees the same random numbers (common random numbers)
 * and best_mix.lua reproduces an evaluation. The population is rebuilt
 * only when the seed or a free parameter changes what the firms are.
 *
 * A share's amount is for the whole run; a programme whose pot resets
 * each fiscal year (budget_per_year) gets it in equal pots over the
 * fiscal years the run touches.
 */
#include "optimise/optimise.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/runner_internal.h"
#include "parallel/mpi.h"
#include "sim.h"

struct zz_oeval {
    const zz_optimisation *o;
    int threads;
    zz_population *pop;
    uint64_t key;
};

int zz_objective_sense(int objective) { return objective == ZZ_OBJ_TIME ? -1 : 1; }

int zz_oeval_open(zz_oeval **out, const zz_optimisation *o, int threads)
{
    zz_oeval *e = calloc(1, sizeof *e);
    *out = e;
    if (!e)
        return ZZ_NOMEM;
    e->o = o;
    e->threads = threads;
    return ZZ_OK;
}

void zz_oeval_close(zz_oeval *e)
{
    if (!e)
        return;
    zz_population_free(e->pop);
    free(e);
}

static double rep_value(const zz_optimisation *o, const zz_rep_result *res, double horizon)
{
    const double ttt = res->time_to_target[o->g];
    switch (o->objective) {
    case ZZ_OBJ_P_TARGET: return !isnan(ttt) && ttt <= o->by_day ? 1.0 : 0.0;
    /* not reached: censored at the run's end */
    case ZZ_OBJ_TIME: return isnan(ttt) ? horizon : ttt;
    default: return res->target_share[(size_t)o->t_by * res->ntargets + o->g];
    }
}

int zz_oeval_run(zz_oeval *e, const double *budget, const double *free, int64_t seed, int R,
                 double *y, char *err, size_t errlen)
{
    const zz_optimisation *o = e->o;
    zz_experiment *ex = o->cal->ex;
    zz_scenario sc;
    int rc;
    if (free) {
        for (int f = 0; f < ex->nfactors; f++)
            ex->value[f] = free[f];
        char msg[1200];
        if ((rc = zz_experiment_scenario(ex, 0, 0, &sc, msg, sizeof msg))) {
            snprintf(err, errlen, "%s", msg);
            return rc;
        }
    } else {
        sc = *ex->sc[0];
    }
    for (int i = 0; budget && i < o->nshares; i++) {
        zz_programme_cfg *g = &sc.cfg.programme[o->prog[i]];
        g->budget = budget[i] / (g->budget_per_year ? o->fiscal_years : 1);
    }
    sc.cfg.seed = seed;
    sc.cfg.replications = R;
    uint64_t key;
    if (zz_population_key(&sc, &key)) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    if (!e->pop || e->key != key) {
        zz_population_free(e->pop);
        e->pop = NULL;
        if ((rc = zz_population_build(&e->pop, &sc, err, errlen)))
            return rc;
        e->key = key;
    }
    /* over MPI ranks every rank evaluates the same mix (the search runs in
     * lockstep) and runs replications r % ranks == rank; each y[r] is
     * computed by one rank and zero on the others, so their sum is the
     * one-process y bit for bit (as calibrate/moments.c) */
    int failed = 0;
    char msg[1400] = "";
    const int rank = zz_mpi_rank(), ranks = zz_mpi_size();
    if (ranks > 1)
        memset(y, 0, (size_t)R * sizeof *y);
    if (e->threads > 0)
        omp_set_num_threads(e->threads);
#pragma omp parallel for schedule(dynamic, 1)
    for (int r = rank; r < R; r += ranks) {
        int stop;
#pragma omp atomic read
        stop = failed;
        if (stop)
            continue;
        zz_sim *sim = NULL;
        int src = zz_sim_open(&sim, &sc, e->pop, r, 0);
        if (!src)
            src = zz_sim_run(sim);
        if (src) {
#pragma omp critical(zz_oeval_fail)
            if (!failed) {
                failed = src;
                snprintf(msg, sizeof msg, "replicate %d: %s", r, sim ? zz_errmsg(sim) : "out of memory");
            }
        } else {
            y[r] = rep_value(o, sim->res, sc.cfg.horizon);
        }
        zz_sim_close(sim);
    }
    if ((failed = zz_mpi_agree_text(failed, msg, sizeof msg)))
        snprintf(err, errlen, "%s", msg);
    else
        zz_mpi_sum(y, (size_t)R);
    return failed;
}
