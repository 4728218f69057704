/*
 * A scenario-defined rule (decision "lua"): at each review the scenario's
 * function gets the firm's state and returns the adoption probability. For
 * experiments: every review crosses into Lua, so it runs about 6-7 times
 * slower than `bass` (measured: docs/scenario-language.md). Reviews are as in `bass` (exponential,
 * mean review_days); an adoption takes effect at once. Part of the binding,
 * not of model/: it calls the scenario's function (zz_script_decide).
 */
#include "scenario/scenario.h"

#include <gsl/gsl_randist.h>

static void schedule_review(zz_sim *sim, uint32_t f)
{
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_REVIEW, sim->firm[f].reviews);
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW,
                     sim->now + gsl_ran_exponential(g, sim->cfg.decision.review_days));
}

static int lua_start(zz_sim *sim)
{
    for (uint32_t f = 0; f < (uint32_t)sim->pop->n; f++)
        if (sim->firm[f].state == ZZ_S_NONE)
            schedule_review(sim, f);
    return 0;
}

static void lua_review(zz_sim *sim, uint32_t f)
{
    const zz_population *p = sim->pop;
    if (sim->firm[f].state != ZZ_S_NONE || !sim->script)
        return;
    zz_firm_view v = {
        .id = f, .city = p->city[f], .industry = p->industry[f], .size = p->size[f],
        .gsz = !!(p->flags[f] & ZZ_F_GSZ), .credit = !!(p->flags[f] & ZZ_F_CREDIT),
        .leader = !!(p->flags[f] & ZZ_F_LEADER), .failures = sim->firm[f].failures,
        .revenue = p->revenue[f], .readiness = p->readiness[f], .liquidity = p->liquidity[f],
        .hurdle = p->hurdle[f], .capability = p->capability[f], .day = sim->now,
        .share_all = zz_firm_peer_share(sim, f, ZZ_PEERS_ALL),
        .share_city = zz_firm_peer_share(sim, f, ZZ_PEERS_CITY),
        .share_industry = zz_firm_peer_share(sim, f, ZZ_PEERS_INDUSTRY),
        .share_local = zz_firm_peer_share(sim, f, ZZ_PEERS_CITY_INDUSTRY),
    };
    double prob;
    char err[1024];
    int rc = zz_script_decide(sim->script, &v, &prob, err, sizeof err);
    if (rc) {
        zz_sim_fail(sim, rc, "%s", err);
        return;
    }
    uint32_t k = sim->firm[f].reviews++;
    if (zz_rng_uniform(&sim->rng, f, ZZ_RNG_DECIDE, k) < prob)
        zz_firm_set_state(sim, f, ZZ_S_ADOPTED);
    else
        schedule_review(sim, f);
}

const zz_rule_ops zz_rule_lua = {"lua", lua_start, lua_review};
