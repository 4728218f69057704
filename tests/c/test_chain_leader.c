/*
 * Chain leaders (链主), by mechanism: an onboarded partner of an adopted
 * leader gets cost_cut of its integration cost and peer_boost of
 * perceived success.
 */
#include "zz_world.h"

static void chain_leader(void)
{
    zz_scenario *none = world_scenario(), *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("chain_leader"), "chain_leader", 1e12);
    zz_fixture_set(g, "cost_cut", 0.5);
    zz_fixture_set(g, "peer_boost", 0.1);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *a = world_sim(none), *b = world_sim(sc);
    /* a partner whose leader has adopted */
    uint32_t f = UINT32_MAX;
    for (uint32_t k = 0; k < (uint32_t)world->n && f == UINT32_MAX; k++)
        if (world->leader[k] != ZZ_NO_LEADER && b->firm[k].state == ZZ_S_NONE &&
            b->firm[world->leader[k]].state == ZZ_S_ADOPTED)
            f = k;
    CHECK(f != UINT32_MAX);
    if (f == UINT32_MAX)
        return;
    zz_inst *in = zz_fixture_inst(b, "chain_leader");
    CHECK(in->ops->event(b, in, 0, 0, f) == 0);
    CHECK(((const uint8_t *)in->firm)[f] == 1 && (b->firm[f].dflags & ZZ_D_AWARE));
    zz_valuation va, vb;
    zz_value_project(a, f, &va);
    zz_value_project(b, f, &vb);
    double integration = sc->cfg.decision.component_share[ZZ_C_INTEGRATION] * va.cost;
    CHECK_NEAR(vb.support - va.support, 0.5 * integration, 1e-6);
    CHECK_NEAR(vb.perceived_success - va.perceived_success,
               fmin(0.1, sc->cfg.decision.success_max - va.perceived_success), 1e-12);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

int main(void)
{
    world_open();
    chain_leader();
    zz_population_free(world);
    return zz_test_finish();
}
