/*
 * Risk compensation (风险补偿), by mechanism: a firm without credit access
 * can borrow; the pool pays loss_share of the loan on failure only and
 * releases it on success.
 */
#include "zz_world.h"

static void risk_compensation(void)
{
    zz_scenario *none = world_scenario(), *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("risk_compensation"), "risk_compensation", 1e12);
    zz_fixture_set(g, "loss_share", 0.4);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *a = world_sim(none), *b = world_sim(sc);
    uint32_t f = find_firm(a, 0, 1);
    CHECK(f != UINT32_MAX);
    zz_valuation va, vb;
    zz_value_project(a, f, &va);
    zz_value_project(b, f, &vb);
    /* without credit access the firm cannot borrow; with the programme the
     * bank lends, nothing else in the valuation changes */
    CHECK(!va.can_finance && vb.can_finance && vb.risk_backed);
    CHECK_NEAR(vb.value, va.value, 1e-12);
    /* on failure the bank gets loss_share x the loan; on success, nothing */
    zz_fixture_start(b, f, &vb);
    CHECK_NEAR(b->prog[0].ledger.committed, 0.4 * vb.borrowed, 1e-6);
    zz_fixture_finish(b, f, 0);
    CHECK_NEAR(b->prog[0].ledger.disbursed, 0.4 * vb.borrowed, 1e-6);
    zz_fixture_start(b, f, &vb);
    zz_fixture_finish(b, f, 1);
    CHECK_NEAR(b->prog[0].ledger.returned, 0.4 * vb.borrowed, 1e-6);
    CHECK_NEAR(b->prog[0].ledger.committed, 0, 1e-9);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

/* A firm with credit access borrows from its bank anyway: the programme
 * guarantees nothing for it and commits no money (the pool is for firms
 * banks would otherwise refuse). */
static void no_guarantee_for_firms_with_credit(void)
{
    zz_scenario *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("risk_compensation"), "risk_compensation", 1e12);
    zz_fixture_set(g, "loss_share", 0.4);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *b = world_sim(sc);
    uint32_t f = find_firm(b, 1, 1);
    CHECK(f != UINT32_MAX);
    if (f != UINT32_MAX) {
        zz_valuation v;
        zz_value_project(b, f, &v);
        CHECK(v.can_finance && v.borrowed > 0 && !v.risk_backed);
        zz_fixture_start(b, f, &v);
        CHECK_NEAR(b->prog[0].ledger.committed, 0, 0);
        zz_fixture_finish(b, f, 0);
        CHECK_NEAR(b->prog[0].ledger.disbursed, 0, 0);
    }
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    risk_compensation();
    no_guarantee_for_firms_with_credit();
    zz_population_free(world);
    return zz_test_finish();
}
