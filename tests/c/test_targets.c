/*
 * Targets and the paired accounting, by hand: a target is reached the
 * instant the adopted share first meets it (>=, not >); additional,
 * supported, deadweight and the deadweight lag (twin's adoption day minus
 * the policy run's) on a constructed pair of runs.
 */
#include <math.h>
#include <stdlib.h>

#include "policy/instrument.h"
#include "sim.h"
#include "sim_internal.h"
#include "zz_fixture.h"
#include "zz_test.h"

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void reached_on_meeting(void)
{
    const int N = 1000;
    zz_scenario *sc = zz_fixture_bass(N, 0.3, 0.2, 3);
    sc->cfg.target[1].share = 0.5; /* all_firms: 500 adopters */
    char err[512];
    zz_population *pop;
    CHECK(zz_population_build(&pop, sc, err, sizeof err) == 0);
    zz_sim *sim;
    CHECK(zz_sim_open(&sim, sc, pop, 0, 0) == 0 && zz_sim_run(sim) == 0);
    float *t = malloc(N * sizeof *t);
    int n = 0;
    for (int f = 0; f < N; f++)
        if (sim->t_adopt[f] >= 0)
            t[n++] = sim->t_adopt[f];
    qsort(t, (size_t)n, sizeof *t, by_value);
    CHECKF(n > 500, "%d adopters", n);
    /* the 500th adoption (float day, as recorded) reaches it */
    CHECKF(fabs(sim->res->time_to_target[1] - t[499]) < 1e-3 && t[500] > t[499],
           "reached %g, 500th %g, 501st %g", sim->res->time_to_target[1], t[499], t[500]);
    free(t);
    zz_sim_close(sim);
    zz_population_free(pop);
    free(sc);
}

static void accounting_by_hand(void)
{
    zz_scenario *sc = zz_fixture_scenario();
    sc->cfg.population.firms = 500;
    zz_fixture_programme(sc, ZZ_K("subsidy.investment"), "subsidy.investment", 1e6);
    char err[512];
    zz_population *pop;
    CHECK(zz_population_build(&pop, sc, err, sizeof err) == 0);
    zz_sim *pol, *twin;
    CHECK(zz_sim_open(&pol, sc, pop, 0, 0) == 0 && zz_sim_open(&twin, sc, pop, 0, 1) == 0);
    const size_t n = (size_t)pop->n;
    for (size_t f = 0; f < n; f++)
        pol->t_adopt[f] = twin->t_adopt[f] = -1;
    /* A: supported, adopts 20 days later in the twin; B: supported, never
     * in the twin; C: supported, 5 days earlier in the twin; D: adopts in
     * the twin only */
    pol->t_adopt[0] = 10, twin->t_adopt[0] = 30;
    zz_pay_now(pol, 0, 0, 100);
    pol->t_adopt[1] = 20;
    zz_pay_now(pol, 0, 1, 100);
    pol->t_adopt[2] = 40, twin->t_adopt[2] = 35;
    zz_pay_now(pol, 0, 2, 100);
    twin->t_adopt[3] = 50;
    CHECK(zz_account_pair(pol, twin) == 0);
    const zz_rep_result *r = pol->res;
    int g = 1; /* all_firms */
    CHECK(r->target_firms[g] == (int32_t)n);
    CHECK(r->additional[g] == 0);  /* 3 - 3 */
    CHECK(r->supported[g] == 3);
    CHECK(r->deadweight[g] == 2);
    CHECK_NEAR(r->deadweight_lag[g], (20 + -5) / 2.0, 1e-9);
    zz_sim_close(pol);
    zz_sim_close(twin);
    zz_population_free(pop);
    free(sc);
}

/* Every target's counts at the end of a run of shandong_2026 (targets by
 * city, size and above-size) equal its members counted by hand through
 * its filter: the firms in the group and those of them that adopted. */
static void target_counts_by_hand(void)
{
    zz_scenario *sc;
    CHECK(zz_scenario_open(&sc, zz_test_source("scenarios/shandong_2026.lua")) == 0);
    sc->cfg.population.firms = 20000;
    char err[512];
    zz_population *pop;
    int rc = zz_population_build(&pop, sc, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    zz_sim *sim;
    CHECK(zz_sim_open(&sim, sc, pop, 0, 0) == 0 && zz_sim_run(sim) == 0);
    int right = 0, gsz_targets = 0;
    for (int g = 0; g < sc->cfg.ntargets; g++) {
        const zz_filter *flt = &sc->cfg.target[g].filter;
        gsz_targets += flt->gsz_only;
        int32_t firms = 0, adopted = 0;
        for (uint32_t f = 0; f < (uint32_t)pop->n; f++) {
            if ((flt->gsz_only && !(pop->flags[f] & ZZ_F_GSZ)) ||
                !zz_cell_match(sim, flt, pop->city[f], pop->industry[f], pop->size[f]))
                continue;
            firms++;
            adopted += sim->firm[f].state >= ZZ_S_ADOPTED;
        }
        right += firms == sim->target_firms[g] && adopted == sim->target_adopted[g];
    }
    CHECKF(sc->cfg.ntargets > 3 && gsz_targets > 0 && right == sc->cfg.ntargets,
           "%d of %d targets counted right (%d above-size only)", right, sc->cfg.ntargets, gsz_targets);
    zz_sim_close(sim);
    zz_population_free(pop);
    zz_scenario_close(sc);
}

int main(void)
{
    reached_on_meeting();
    accounting_by_hand();
    target_counts_by_hand();
    return zz_test_finish();
}
