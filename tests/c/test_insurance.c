/*
 * First-of-kind insurance (首台套), by mechanism: the programme pays its
 * share of the premium at the start; the downside shrinks by the cover.
 */
#include "zz_world.h"

static void insurance(void)
{
    zz_scenario *none = world_scenario(), *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("insurance"), "insurance", 1e12);
    zz_fixture_set(g, "premium_rate", 0.03);
    zz_fixture_set(g, "premium_share", 0.8);
    zz_fixture_set(g, "cover", 0.7);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *a = world_sim(none), *b = world_sim(sc);
    uint32_t f = find_firm(a, 1, 0);
    CHECK(f != UINT32_MAX);
    zz_valuation va, vb;
    zz_value_project(a, f, &va);
    zz_value_project(b, f, &vb);
    CHECK_NEAR(vb.downside, va.downside * (1 - 0.7), 1e-6);
    CHECK_NEAR(vb.own_premium, 0.2 * 0.03 * va.cost, 1e-6);
    CHECK(vb.value > va.value);
    zz_fixture_start(b, f, &vb);
    CHECK_NEAR(b->prog[0].ledger.disbursed, 0.8 * 0.03 * va.cost, 1e-6);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

int main(void)
{
    world_open();
    insurance();
    zz_population_free(world);
    return zz_test_finish();
}
