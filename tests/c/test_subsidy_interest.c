/*
 * Loan interest subsidy (贷款贴息), by mechanism: the borrowed part costs
 * `points` less a year, capped; committed at the start, paid when the
 * project ends whatever its outcome.
 */
#include "zz_world.h"

static void interest_subsidy(void)
{
    zz_scenario *none = world_scenario(), *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("subsidy.interest"), "subsidy.interest", 1e12);
    zz_fixture_set(g, "points", 1.5);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *a = world_sim(none), *b = world_sim(sc);
    uint32_t f = find_firm(a, 1, 1);
    CHECK(f != UINT32_MAX);
    zz_valuation va, vb;
    zz_value_project(a, f, &va);
    zz_value_project(b, f, &vb);
    /* B x points/100 x loan_years, exactly */
    double by_hand = va.borrowed * 0.015 * sc->cfg.decision.loan_years;
    CHECK_NEAR(va.financing - vb.financing, by_hand, 1e-6 * by_hand);
    CHECK_NEAR(vb.rate, sc->cfg.decision.market_rate - 0.015, 1e-12);
    CHECK_NEAR(vb.value - va.value, by_hand / va.cost, 1e-9);
    CHECK(vb.probability > va.probability);
    /* committed at the start, paid when the project ends */
    zz_fixture_start(b, f, &vb);
    CHECK_NEAR(b->prog[0].ledger.committed, by_hand, 1e-6);
    zz_fixture_finish(b, f, 0);
    CHECK_NEAR(b->prog[0].ledger.disbursed, by_hand, 1e-6);
    CHECK_NEAR(zz_received(b, 0, f), by_hand, 1e-6);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

int main(void)
{
    world_open();
    interest_subsidy();
    zz_population_free(world);
    return zz_test_finish();
}
