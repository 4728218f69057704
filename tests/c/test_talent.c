/*
 * The talent programme (人才引进安家扶持), by mechanism: one firm's
 * valuation, payment and implementation against the formulas in
 * sim/policy/talent.c computed by hand, then whole-run invariants.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_internal.h"
#include "zz_fixture.h"
#include "zz_test.h"

static zz_population *pop;

static zz_scenario *base(void)
{
    zz_scenario *sc = zz_fixture_scenario();
    sc->cfg.population.firms = 8000;
    sc->cfg.seed = 11;
    sc->cfg.years = 2;
    sc->cfg.horizon = (double)(zz_days_from_civil(2028, 1, 1) - sc->cfg.start_day);
    return sc;
}

static zz_scenario *with_talent(double budget, zz_programme_cfg **out)
{
    zz_scenario *sc = base();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("talent"), "talent", budget);
    zz_fixture_set(g, "rate", 0.4);
    zz_fixture_set(g, "hire_cost", 250000);
    zz_fixture_set(g, "cap", 1e9);
    zz_fixture_set(g, "success_boost", 0.15);
    zz_fixture_set(g, "time_cut", 0.3);
    if (out)
        *out = g;
    return sc;
}

static zz_sim *open_sim(zz_scenario *sc)
{
    zz_sim *sim;
    int rc = zz_sim_open(&sim, sc, pop, 0, 0);
    CHECKF(rc == 0, "%s", zz_errmsg(sim));
    return sim;
}

/* the day of firm f's pending implementation end */
static double impl_done_day(zz_sim *sim, uint32_t f)
{
    zz_event e;
    while (zz_queue_take(&sim->queue, &e) > 0)
        if (e.kind == ZZ_EV_IMPL_DONE && e.id == f && e.gen == sim->firm[f].gen)
            return e.t;
    return NAN;
}

static void one_firm(void)
{
    zz_scenario *none = base(), *sc = with_talent(1e9, NULL);
    zz_sim *a = open_sim(none), *b = open_sim(sc);
    const double award = 0.4 * 250000, boost = 0.15;
    /* an aware non-adopter whose perceived success leaves room for the boost */
    uint32_t f = UINT32_MAX;
    zz_valuation va, vb;
    for (uint32_t k = 0; k < (uint32_t)pop->n && f == UINT32_MAX; k++) {
        if (a->firm[k].state != ZZ_S_NONE)
            continue;
        zz_value_project(a, k, &va);
        if (va.perceived_success + boost < sc->cfg.decision.success_max)
            f = k;
    }
    CHECK(f != UINT32_MAX);
    if (f == UINT32_MAX)
        return;
    zz_value_project(a, f, &va);
    zz_value_project(b, f, &vb);
    /* perceived success rises by the boost; the money does not lower the
     * project's cost */
    CHECK_NEAR(vb.perceived_success - va.perceived_success, boost, 1e-12);
    CHECK_NEAR(vb.net_cost, va.net_cost, 0);
    CHECK(vb.probability > va.probability);

    /* starting the project: the hire is paid min(rate x hire_cost, cap),
     * once, and shortens the implementation by time_cut */
    CHECK(zz_start_implementation(a, f, &va) == 0);
    CHECK(zz_start_implementation(b, f, &vb) == 0);
    CHECK_NEAR(b->prog[0].ledger.disbursed, award, 1e-9);
    CHECK_NEAR(b->prog[0].ledger.committed, 0, 1e-9);
    CHECK_NEAR(zz_received(b, 0, f), award, 1e-9);
    double da = impl_done_day(a, f), db = impl_done_day(b, f);
    CHECKF(fabs((db - b->now) - 0.7 * (da - a->now)) < 1e-9 * da, "days %g vs %g", db, da);
    /* back to none (a failure), it starts again: the hire stays, and is
     * not paid twice */
    zz_firm_set_state(b, f, ZZ_S_NONE);
    zz_inst *in = zz_fixture_inst(b, "talent");
    CHECK(in->ops->on_start(b, in, f, &vb) == 0);
    CHECK_NEAR(b->prog[0].ledger.disbursed, award, 1e-9);
    zz_sim_close(a);
    zz_sim_close(b);

    /* the true success probability rises by the boost: a firm whose
     * success draw falls between the two succeeds only with the hire */
    a = open_sim(none), b = open_sim(sc);
    const zz_decision_cfg *d = &sc->cfg.decision;
    int found = 0;
    for (uint32_t k = 0; k < (uint32_t)pop->n && !found; k++) {
        if (a->firm[k].state != ZZ_S_NONE)
            continue;
        double ps = d->true_success_base + d->true_success_readiness * (pop->readiness[k] - 0.5);
        double u = zz_rng_uniform(&a->rng, k, ZZ_RNG_SUCCESS, 0);
        if (ps + boost > 0.99 || ps < 0.01 || !(u >= ps && u < ps + boost))
            continue;
        found = 1;
        zz_value_project(a, k, &va);
        zz_value_project(b, k, &vb);
        CHECK(zz_start_implementation(a, k, &va) == 0 && zz_start_implementation(b, k, &vb) == 0);
        CHECK(zz_finish_implementation(a, k) == 0 && zz_finish_implementation(b, k) == 0);
        CHECK(a->firm[k].state == ZZ_S_NONE && a->firm[k].failures == 1);
        CHECK(b->firm[k].state == ZZ_S_ADOPTED && b->firm[k].failures == 0);
    }
    CHECK(found);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

/* Only eligible firms, only while the pot can pay, and the programme's
 * stage: an ineligible firm's valuation is the one without it. */
static void eligibility(void)
{
    zz_programme_cfg *g;
    zz_scenario *none = base(), *sc = with_talent(1e9, &g);
    g->filter.cities = 1; /* the first city only */
    zz_sim *a = open_sim(none), *b = open_sim(sc);
    int in_city = 0, outside = 0;
    for (uint32_t f = 0; f < (uint32_t)pop->n; f++) {
        if (a->firm[f].state != ZZ_S_NONE)
            continue;
        zz_valuation va, vb;
        zz_value_project(a, f, &va);
        zz_value_project(b, f, &vb);
        if (pop->city[f] == 0)
            in_city += vb.perceived_success > va.perceived_success;
        else
            outside += vb.perceived_success != va.perceived_success;
    }
    CHECK(in_city > 0 && outside == 0);
    /* a pot that cannot pay the award brings nothing */
    b->prog[0].ledger.initial = 0.4 * 250000 - 1;
    uint32_t f = 0;
    while (pop->city[f] != 0 || b->firm[f].state != ZZ_S_NONE)
        f++;
    zz_valuation va, vb;
    zz_value_project(a, f, &va);
    zz_value_project(b, f, &vb);
    CHECK_NEAR(vb.perceived_success, va.perceived_success, 0);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

/* Whole runs: the ledger identity every month, every hire paid the award
 * exactly once and only to firms that started a project, more adoption
 * than without, and a zero budget identical to no programme. */
static void whole_runs(void)
{
    zz_scenario *none = base(), *sc = with_talent(3e7, NULL), *zero = with_talent(0, NULL);
    zz_sim *a = open_sim(none), *b = open_sim(sc), *z = open_sim(zero);
    CHECK(zz_sim_run(a) == 0 && zz_sim_run(b) == 0 && zz_sim_run(z) == 0);
    const zz_rep_result *r = b->res;
    const int T = r->ntime;
    int ok = 1;
    for (int k = 0; k < T; k++)
        ok &= fabs(r->committed[k] + r->spent[k] + r->budget[k] - 3e7) < 1e-6 && r->budget[k] >= 0;
    CHECK(ok);
    double award = 0.4 * 250000, total = 0;
    int hires = 0, exact = 1, started = 1;
    for (uint32_t f = 0; f < (uint32_t)pop->n; f++) {
        double got = zz_received(b, 0, f);
        if (got <= 0)
            continue;
        hires++;
        total += got;
        exact &= got == award;
        started &= b->firm[f].state != ZZ_S_NONE || b->firm[f].failures > 0;
    }
    CHECKF(hires > 0 && exact && started, "%d hires", hires);
    CHECK_NEAR(total, r->spent[T - 1], 1e-6);
    /* the budget runs out: 300 hires of 100,000 */
    CHECKF(hires <= 300, "%d hires", hires);
    CHECK(b->adopted_all > a->adopted_all);
    CHECK(memcmp(a->t_adopt, z->t_adopt, (size_t)pop->n * sizeof(float)) == 0);
    zz_sim_close(a);
    zz_sim_close(b);
    zz_sim_close(z);
    free(none);
    free(sc);
    free(zero);
}

int main(void)
{
    zz_scenario *sc = base();
    char err[512];
    CHECK(zz_population_build(&pop, sc, err, sizeof err) == 0);
    free(sc);
    one_firm();
    eligibility();
    whole_runs();
    zz_population_free(pop);
    return zz_test_finish();
}
