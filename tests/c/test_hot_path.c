/*
 * The economic rule's hot path computes what the plain definitions
 * compute, bit for bit (bench/rule.sh times it): on shandong_2026's
 * programmes, part-way through a run (holdings, pots, adopters and chain
 * leaders in every state),
 *   - each firm's record (sim->attr) holds its population attributes;
 *   - eligibility by firm class equals the filter walked field by field;
 *   - each stage of a valuation (cost, outlay, prospects) equals the full
 *     valuation's fields;
 *   - a valuation with a prospect, then dropped, equals the valuation
 *     without it;
 *   - no support, up to the whole cost, makes a firm likelier to start
 *     than the bound a review checks its draw against first (a review
 *     above the bound skips valuing support), and the bound rules out
 *     most reviews' draws.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "policy/instrument.h"
#include "scenario/params.h"
#include "scenario/scenario.h"
#include "sim.h"
#include "sim_internal.h"
#include "zz_test.h"

#define SAME(a, b) (memcmp(&(a), &(b), sizeof(a)) == 0)

/* the filter as the programme states it, walked field by field */
static int eligible_by_hand(const zz_sim *sim, int g, uint32_t f)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    const zz_population *p = sim->pop;
    int state = sim->firm[f].state;
    if (!pc->enabled || sim->now < pc->start || (pc->end >= 0 && sim->now >= pc->end))
        return 0;
    if (!pc->filter.states && state != (pc->stage ? ZZ_S_ADOPTED : ZZ_S_NONE))
        return 0;
    if (pc->filter.states && !(pc->filter.states >> state & 1u))
        return 0;
    if (pc->filter.gsz_only && !(p->flags[f] & ZZ_F_GSZ))
        return 0;
    return zz_cell_match(sim, &pc->filter, p->city[f], p->industry[f], p->size[f]);
}

static void hot_path(void)
{
    zz_scenario *sc;
    CHECK(zz_scenario_open(&sc, zz_test_source("scenarios/shandong_2026.lua")) == 0);
    sc->cfg.population.firms = 20000;
    /* stop a year and a half in: pots partly spent, vouchers held */
    sc->cfg.horizon = 550;
    /* one programme with a narrow filter, so that classes differ */
    sc->cfg.programme[0].filter.sizes = 1u << ZZ_SMALL;
    sc->cfg.programme[0].filter.gsz_only = 0;
    sc->cfg.programme[1].filter.gsz_only = 1;
    sc->cfg.programme[1].filter.cities = 0x5;
    /* an interest subsidy of more points than the market rate over a long
     * loan: borrowing must still not pay (or the bound would not hold) */
    sc->cfg.decision.market_rate = 0.01;
    sc->cfg.decision.loan_years = 20;
    char err[400];
    CHECKF(zz_param_set_text(&sc->cfg, "subsidy.interest.points=20", err, sizeof err) == 0, "%s", err);
    zz_population *pop;
    /* the message is formatted before the call: call first, then check */
    int rc = zz_population_build(&pop, sc, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    zz_sim *sim;
    rc = zz_sim_open(&sim, sc, pop, 0, 0);
    CHECKF(rc == 0, "%s", zz_errmsg(sim));
    rc = zz_sim_run(sim);
    CHECKF(rc == 0, "%s", zz_errmsg(sim));

    int attr_ok = 1, elig_ok = 1, cost_ok = 1, outlay_ok = 1, prospects_ok = 1, drop_ok = 1;
    int eligible = 0, borrowing = 0, held = 0, bound_ok = 1, valued = 0, reach_ok = 1, ruled_out = 0,
        draws = 0;
    double bound_sum = 0;
    for (uint32_t f = 0; f < (uint32_t)pop->n; f++) {
        const zz_firm_attr *a = &sim->attr[f];
        attr_ok &= a->revenue == pop->revenue[f] && a->readiness == pop->readiness[f] &&
                   a->liquidity == pop->liquidity[f] && a->hurdle == pop->hurdle[f] &&
                   a->leader == (pop->leader ? pop->leader[f] : ZZ_NO_LEADER) && a->city == pop->city[f] &&
                   a->industry == pop->industry[f] && a->size == pop->size[f] &&
                   a->flags == pop->flags[f];
        for (int g = 0; g < sim->nprog; g++) {
            int e = zz_prog_eligible(sim, g, f);
            elig_ok &= e == eligible_by_hand(sim, g, f);
            eligible += e;
        }
        if (sim->firm[f].state == ZZ_S_IMPLEMENTING)
            continue;
        zz_valuation full, part;
        zz_value_project(sim, f, &full);
        borrowing += full.borrowed > 0;
        held += full.support_held > 0;
        zz_value_project_until(sim, f, 0, ZZ_VALUE_COST, &part);
        cost_ok &= SAME(part.list, full.list) && SAME(part.cost, full.cost) && part.scale == full.scale;
        zz_value_project_until(sim, f, 0, ZZ_VALUE_OUTLAY, &part);
        outlay_ok &= SAME(part.list, full.list) && SAME(part.cost, full.cost) &&
                     SAME(part.support, full.support) && SAME(part.net_cost, full.net_cost) &&
                     SAME(part.liquidity, full.liquidity) &&
                     SAME(part.own_premium, full.own_premium) && SAME(part.cover, full.cover) &&
                     SAME(part.borrowed, full.borrowed);
        zz_value_project_until(sim, f, 0, ZZ_VALUE_PROSPECTS, &part);
        prospects_ok &= SAME(part.borrowed, full.borrowed) && SAME(part.rate, full.rate) &&
                        part.can_finance == full.can_finance &&
                        SAME(part.financing, full.financing) &&
                        SAME(part.perceived_success, full.perceived_success) &&
                        SAME(part.benefit, full.benefit);
        double bound = zz_adopt_bound(sim, f);
        bound_sum += bound;
        valued++;
        double p_max = 0;
        for (int k = 0; k <= 4; k++) {
            zz_value_project_with(sim, f, full.cost * k / 4, &part);
            bound_ok &= part.probability <= bound;
            if (part.probability > p_max)
                p_max = part.probability;
        }
        /* a draw the review rules out never starts the project, with any
         * support: draws around the largest probability, and spread */
        for (int k = 0; k < 40; k++) {
            double u = k < 20 ? p_max * (0.5 + 0.05 * k) : (k - 20) / 20.0;
            int out = zz_review_out_of_reach(sim, f, u);
            reach_ok &= !out || u >= p_max;
            ruled_out += out;
            draws++;
        }
        /* a prospect of a third of the cost, then without it */
        zz_value_project_with(sim, f, full.cost / 3, &part);
        zz_value_drop_prospect(sim, f, &part);
        drop_ok &= memcmp(&part, &full, offsetof(zz_valuation, can_finance)) == 0 &&
                   part.can_finance == full.can_finance && part.risk_backed == full.risk_backed &&
                   part.scale == full.scale;
    }
    CHECK(attr_ok);
    CHECK(elig_ok);
    CHECK(eligible > 0);
    CHECK(borrowing > 0); /* the finance hooks were reached */
    CHECK(held > 0);      /* some firms hold vouchers */
    CHECK(cost_ok);
    CHECK(outlay_ok);
    CHECK(prospects_ok);
    CHECK(drop_ok);
    CHECK(bound_ok);
    CHECK(reach_ok);
    CHECKF(ruled_out > draws / 4, "%d of %d draws ruled out", ruled_out, draws);
    /* useful: on average the bound leaves out most draws */
    CHECKF(bound_sum / valued < 0.5, "mean bound %.3f", bound_sum / valued);
    zz_sim_close(sim);
    zz_population_free(pop);
    zz_scenario_close(sc);
}

int main(void)
{
    hot_path();
    return zz_test_finish();
}
