/*
 * Investment subsidy (智能化改造 reward), by mechanism: counted in the net
 * cost as min(rate x C, cap); committed when the project starts, paid only
 * on success, released on failure; over a whole run money reaches only
 * firms whose project succeeded.
 */
#include "zz_world.h"

static void one_firm(void)
{
    zz_scenario *none = world_scenario(), *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("subsidy.investment"), "subsidy.investment", 1e12);
    zz_fixture_set(g, "rate", 0.2);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *a = world_sim(none), *b = world_sim(sc);
    uint32_t f = 0;
    while (b->firm[f].state != ZZ_S_NONE)
        f++;
    zz_valuation va, vb;
    zz_value_project(a, f, &va);
    zz_value_project(b, f, &vb);
    CHECK_NEAR(vb.support - va.support, 0.2 * va.cost, 1e-9 * va.cost);
    /* a cap binds */
    zz_fixture_set(&b->cfg.programme[0], "cap", 1000);
    zz_value_project(b, f, &vb);
    CHECK_NEAR(vb.support - va.support, 1000, 1e-9);
    zz_fixture_set(&b->cfg.programme[0], "cap", 1e12);
    zz_value_project(b, f, &vb);

    /* failure: committed, then released; nothing paid */
    const zz_ledger *l = &b->prog[0].ledger;
    zz_fixture_start(b, f, &vb);
    CHECK_NEAR(l->committed, 0.2 * vb.cost, 1e-6);
    zz_fixture_finish(b, f, 0);
    CHECK_NEAR(l->disbursed, 0, 0);
    CHECK_NEAR(l->returned, 0.2 * vb.cost, 1e-6);
    CHECK_NEAR(zz_received(b, 0, f), 0, 0);
    /* success: paid */
    zz_fixture_start(b, f, &vb);
    zz_fixture_finish(b, f, 1);
    CHECK_NEAR(l->disbursed, 0.2 * vb.cost, 1e-6);
    CHECK_NEAR(zz_received(b, 0, f), 0.2 * vb.cost, 1e-6);
    CHECK_NEAR(l->committed, 0, 1e-6);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

/* Whole run: only firms whose project succeeded are paid (a failed firm
 * is back to `none` with a failure and never adopted). */
static void whole_run(void)
{
    zz_scenario *sc = world_scenario();
    zz_fixture_programme(sc, ZZ_K("subsidy.investment"), "subsidy.investment", 1e9);
    zz_sim *b = world_sim(sc);
    CHECK(zz_sim_run(b) == 0);
    int paid = 0, only_success = 1, failed_paid = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
        if (zz_received(b, 0, f) <= 0)
            continue;
        paid++;
        only_success &= b->firm[f].state >= ZZ_S_ADOPTED;
        failed_paid += b->firm[f].failures > 0 && b->firm[f].state == ZZ_S_NONE;
    }
    CHECKF(paid > 100 && only_success && failed_paid == 0, "%d paid, %d failed ones", paid, failed_paid);
    /* failures happened, and their commitments went back */
    CHECK(b->prog[0].ledger.returned > 0);
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    one_firm();
    whole_run();
    zz_population_free(world);
    return zz_test_finish();
}
