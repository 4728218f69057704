/*
 * One evaluation of a mix (optimise.h): the scenario with the shares'
 * budgets and the free values set, at a design point of the robust
 * option, replications 0..R-1 of one population of `seed` with streams r,
 * as `zhizao run` with that seed runs them, so every evaluation sees the
 * same random numbers (common random numbers) and best_mix.lua reproduces
 * an evaluation. Populations are rebuilt only when the seed, a free or an
 * uncertain parameter changes what the firms are.
 *
 * The no-policy twin does not depend on the mix: it is run once per
 * (point, replication) and kept while the population, the seed and the
 * twin's signature (runner_keys.c) stay the same. A replication the
 * scenario stopped early gets its own twin, stopped where it stopped, as
 * the experiment runner does.
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
#include "scenario/params.h"
#include "sim.h"
#include "sim_internal.h"

/* a design point's scenario at this evaluation and its kept twins */
typedef struct slot {
    zz_scenario sc;
    int pop;                  /* index into pops */
    uint64_t twin_key;        /* population, twin signature, seed */
    int ntw;
    zz_sim **tw;              /* [ntw] by replication, NULL until run */
} slot;

struct zz_oeval {
    const zz_optimisation *o;
    int threads, P;
    slot *slot;               /* [P] */
    zz_population **pops;     /* [P + 1]: at most P distinct at once */
    uint64_t *pop_key;
};

const char *const zz_quantity_names[ZZ_NQ] = {"reached", "days_to_target", "target_share",
                                              "additional", "fiscal_spent"};

int zz_objective_sense(int objective)
{
    return objective == ZZ_OBJ_TIME || objective == ZZ_OBJ_COST ? -1 : 1;
}

int zz_objective_twin(int objective) { return objective == ZZ_OBJ_ADDITIONAL || objective == ZZ_OBJ_COST; }

int zz_oeval_open(zz_oeval **out, const zz_optimisation *o, int threads)
{
    zz_oeval *e = calloc(1, sizeof *e);
    *out = e;
    if (!e)
        return ZZ_NOMEM;
    e->o = o;
    e->threads = threads;
    e->P = zz_optimisation_points(o);
    e->slot = calloc((size_t)e->P, sizeof *e->slot);
    e->pops = calloc((size_t)e->P + 1, sizeof *e->pops);
    e->pop_key = calloc((size_t)e->P + 1, sizeof *e->pop_key);
    return e->slot && e->pops && e->pop_key ? ZZ_OK : ZZ_NOMEM;
}

static void drop_twins(slot *s)
{
    for (int r = 0; r < s->ntw; r++) {
        zz_sim_close(s->tw[r]);
        s->tw[r] = NULL;
    }
}

void zz_oeval_close(zz_oeval *e)
{
    if (!e)
        return;
    for (int p = 0; e->slot && p < e->P; p++) {
        drop_twins(&e->slot[p]);
        free(e->slot[p].tw);
    }
    for (int i = 0; e->pops && i <= e->P; i++)
        zz_population_free(e->pops[i]);
    free(e->slot);
    free(e->pops);
    free(e->pop_key);
    free(e);
}

/* The scenario at point p: the uncertain values, then the free ones (or
 * the scenario's own), then the budgets. */
static int point_scenario(const zz_optimisation *o, int p, const double *budget, const double *free,
                          zz_scenario *sc, char *err, size_t errlen)
{
    const zz_experiment *ex = o->cal->ex;
    char msg[1200];
    int rc = o->unc && o->unc->nfactors ? zz_experiment_scenario(o->unc, p, 0, sc, msg, sizeof msg) : 0;
    if (!o->unc || !o->unc->nfactors)
        *sc = *ex->sc[0];
    for (int f = 0; !rc && free && f < ex->nfactors; f++)
        rc = zz_param_set_number(&sc->cfg, ex->factor[f].key, free[f], msg, sizeof msg);
    int block, index;
    if (!rc && free && zz_params_check(&sc->cfg, &block, &index, msg, sizeof msg))
        rc = ZZ_SCENARIO;
    if (rc) {
        snprintf(err, errlen, "%s", msg);
        return ZZ_SCENARIO;
    }
    for (int i = 0; budget && i < o->nshares; i++) {
        zz_programme_cfg *g = &sc->cfg.programme[o->prog[i]];
        g->budget = budget[i] / (g->budget_per_year ? o->fiscal_years : 1);
    }
    /* a rehearsal: the budgets just set are the full region's, so last */
    if (o->scale > 0 && o->scale != 1 && (rc = zz_params_scale(&sc->cfg, o->scale, msg, sizeof msg))) {
        snprintf(err, errlen, "%s", msg);
        return rc;
    }
    return ZZ_OK;
}

/* Every point the evaluation touches gets its scenario, its population
 * (from the cache, or built where no touched point needs the entry) and
 * its twins' key. Runs before the replication loop. */
static int prepare(zz_oeval *e, const double *budget, const double *free, int p0, int p1,
                   int64_t seed, int R, char *err, size_t errlen)
{
    uint64_t key[e->P > 0 ? e->P : 1];
    int used[e->P + 1];
    memset(used, 0, sizeof used);
    for (int p = p0; p < p1; p++) {
        slot *s = &e->slot[p];
        int rc = point_scenario(e->o, p, budget, free, &s->sc, err, errlen);
        if (rc)
            return rc;
        s->sc.cfg.seed = seed;
        s->sc.cfg.replications = R;
        uint64_t sig;
        if (zz_population_key(&s->sc, &key[p]) || zz_twin_signature(&s->sc, &sig)) {
            snprintf(err, errlen, "out of memory");
            return ZZ_NOMEM;
        }
        s->pop = -1;
        for (int i = 0; i <= e->P; i++)
            if (e->pops[i] && e->pop_key[i] == key[p]) {
                s->pop = i;
                used[i] = 1;
            }
        const uint64_t tk = zz_fnv(zz_fnv(key[p], &sig, sizeof sig), &seed, sizeof seed);
        if (tk != s->twin_key)
            drop_twins(s);
        s->twin_key = tk;
        if (R > s->ntw) {
            zz_sim **t = realloc(s->tw, (size_t)R * sizeof *t);
            if (!t) {
                snprintf(err, errlen, "out of memory");
                return ZZ_NOMEM;
            }
            memset(t + s->ntw, 0, (size_t)(R - s->ntw) * sizeof *t);
            s->tw = t;
            s->ntw = R;
        }
    }
    for (int p = p0; p < p1; p++) {
        slot *s = &e->slot[p];
        for (int q = p0; q < p && s->pop < 0; q++)
            if (key[q] == key[p])
                s->pop = e->slot[q].pop;
        if (s->pop >= 0)
            continue;
        int i = 0;
        while (used[i])
            i++;
        zz_population_free(e->pops[i]);
        e->pops[i] = NULL;
        int rc = zz_population_build(&e->pops[i], &s->sc, err, errlen);
        if (rc)
            return rc;
        e->pop_key[i] = key[p];
        used[i] = 1;
        s->pop = i;
    }
    return ZZ_OK;
}

/* The twin of replication r at slot s: kept from an earlier evaluation,
 * or run now and kept; a policy run the scenario stopped early gets its
 * own (*own, closed by the caller). Called from the replication loop:
 * each r belongs to one thread. */
static int twin_of(zz_oeval *e, slot *s, int r, const zz_sim *pol, zz_sim **own, const zz_sim **tw)
{
    const zz_population *pop = e->pops[s->pop];
    zz_sim **dst = pol->stopped_early ? own : &s->tw[r];
    if (!*dst) {
        int rc = zz_sim_open(dst, &s->sc, pop, r, 1);
        if (!rc)
            zz_sim_stop_after(*dst, pol);
        if (!rc)
            rc = zz_sim_run(*dst);
        if (rc)
            return rc;
    }
    *tw = *dst;
    return ZZ_OK;
}

static void quantities(const zz_optimisation *o, const zz_sim *sim, const zz_config *cfg, int twin,
                       double *q)
{
    const zz_rep_result *res = sim->res;
    const double ttt = res->time_to_target[o->g];
    const int T = res->ntime, P = res->nprogrammes;
    q[ZZ_Q_REACHED] = !isnan(ttt) && ttt <= o->by_day ? 1.0 : 0.0;
    /* not reached: censored at the run's end */
    q[ZZ_Q_DAYS] = isnan(ttt) ? cfg->horizon : ttt;
    q[ZZ_Q_SHARE] = res->target_share[(size_t)o->t_by * res->ntargets + o->g];
    /* --scale: adopters and money per the full region (cfg->scale is 1
     * otherwise), as the run's summary reports them */
    q[ZZ_Q_ADDITIONAL] = twin ? res->additional[o->g] / cfg->scale : NAN;
    double money = 0;
    for (int k = 0; k < P; k++)
        if (cfg->programme[k].fiscal)
            money += res->spent[(size_t)(T - 1) * P + k];
    q[ZZ_Q_MONEY] = money / cfg->scale;
}

int zz_oeval_run(zz_oeval *e, const double *budget, const double *free, int point, int64_t seed,
                 int R, int twin, double *q, char *err, size_t errlen)
{
    const int p0 = point >= 0 ? point : 0, p1 = point >= 0 ? point + 1 : (R < e->P ? R : e->P);
    int rc = prepare(e, budget, free, p0, p1, seed, R, err, errlen);
    if (rc)
        return rc;
    /* over MPI ranks every rank evaluates the same mix (the search runs in
     * lockstep) and runs replications r % ranks == rank; each
     * replication's quantities are computed by one rank and zero on the
     * others, so their sum is the one-process q bit for bit (as
     * calibrate/moments.c); the twins a rank keeps are its own r's */
    int failed = 0;
    char msg[1400] = "";
    const int rank = zz_mpi_rank(), ranks = zz_mpi_size();
    if (ranks > 1)
        memset(q, 0, (size_t)R * ZZ_NQ * sizeof *q);
    if (e->threads > 0)
        omp_set_num_threads(e->threads);
#pragma omp parallel for schedule(dynamic, 1)
    for (int r = rank; r < R; r += ranks) {
        int stop;
#pragma omp atomic read
        stop = failed;
        if (stop)
            continue;
        slot *s = &e->slot[point >= 0 ? point : r % e->P];
        zz_sim *sim = NULL, *own = NULL;
        const zz_sim *tw = NULL;
        int src = zz_sim_open(&sim, &s->sc, e->pops[s->pop], r, 0);
        if (!src)
            src = zz_sim_run(sim);
        const char *who = "";
        if (!src && twin && (src = twin_of(e, s, r, sim, &own, &tw)))
            who = " (no-policy twin)";
        if (!src && twin && zz_account_pair(sim, (zz_sim *)tw))
            src = ZZ_NOMEM;
        if (src) {
#pragma omp critical(zz_oeval_fail)
            if (!failed) {
                failed = src;
                snprintf(msg, sizeof msg, "replicate %d%s: %s", r, who,
                         src == ZZ_NOMEM ? "out of memory" : *who ? zz_errmsg(tw ? tw : own) : zz_errmsg(sim));
            }
        } else {
            quantities(e->o, sim, &s->sc.cfg, twin, q + (size_t)r * ZZ_NQ);
        }
        zz_sim_close(own);
        zz_sim_close(sim);
    }
    if ((failed = zz_mpi_agree_text(failed, msg, sizeof msg)))
        snprintf(err, errlen, "%s", msg);
    else
        zz_mpi_sum(q, (size_t)R * ZZ_NQ);
    return failed;
}

double zz_objective_value(int objective, const double *q, int R, double *infl)
{
    if (objective == ZZ_OBJ_COST) {
        /* a ratio of means, as the analysis' cost per additional adopter */
        double a = 0, m = 0;
        for (int r = 0; r < R; r++) {
            a += q[(size_t)r * ZZ_NQ + ZZ_Q_ADDITIONAL];
            m += q[(size_t)r * ZZ_NQ + ZZ_Q_MONEY];
        }
        a /= R;
        m /= R;
        const double v = a > 0 ? m / a : INFINITY;
        for (int r = 0; infl && r < R; r++)
            infl[r] = a > 0 ? (q[(size_t)r * ZZ_NQ + ZZ_Q_MONEY] - v * q[(size_t)r * ZZ_NQ + ZZ_Q_ADDITIONAL]) / a
                            : NAN;
        return v;
    }
    static const int col[ZZ_NOBJECTIVES] = {ZZ_Q_REACHED, ZZ_Q_DAYS, ZZ_Q_SHARE, ZZ_Q_ADDITIONAL, -1};
    const int c = col[objective];
    double m = 0;
    for (int r = 0; r < R; r++)
        m += q[(size_t)r * ZZ_NQ + c];
    m /= R;
    for (int r = 0; infl && r < R; r++)
        infl[r] = q[(size_t)r * ZZ_NQ + c] - m;
    return m;
}

double zz_influence_se(const double *infl, int R)
{
    double m = 0, v = 0;
    for (int r = 0; r < R; r++)
        m += infl[r];
    m /= R;
    for (int r = 0; r < R; r++)
        v += (infl[r] - m) * (infl[r] - m);
    return R > 1 ? sqrt(v / (R - 1) / R) : NAN;
}
