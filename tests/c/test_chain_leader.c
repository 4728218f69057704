/*
 * Chain leaders (链主), by mechanism: an onboarded partner of an adopted
 * leader gets cost_cut of its integration cost and peer_boost of
 * perceived success.
 */
#include "zz_world.h"

/* cap: most paid a partner; 0 = no limit (the default) */
static void chain_leader(double cap)
{
    zz_scenario *none = world_scenario(), *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("chain_leader"), "chain_leader", 1e12);
    zz_fixture_set(g, "cost_cut", 0.5);
    zz_fixture_set(g, "peer_boost", 0.1);
    zz_fixture_set(g, "cap", cap);
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
    CHECKF(0.5 * integration > 1000, "integration cost %g", integration); /* so a cap of 1000 binds */
    CHECK_NEAR(vb.support - va.support, fmin(0.5 * integration, cap > 0 ? cap : INFINITY), 1e-6);
    CHECK_NEAR(vb.perceived_success - va.perceived_success,
               fmin(0.1, sc->cfg.decision.success_max - va.perceived_success), 1e-12);
    zz_sim_close(a);
    zz_sim_close(b);
    free(none);
    free(sc);
}

/* A leader adopts: the engine's adoption hook schedules its partners'
 * onboarding one after another at onboard_rate a year, in the order of
 * its chain; run in time order, the events make exactly those partners
 * aware, rate-many in the first year. */
static void partners_onboarded_at_the_yearly_rate(void)
{
    zz_scenario *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("chain_leader"), "chain_leader", 1e12);
    zz_fixture_set(g, "onboard_rate", 36.5); /* one partner every 10 days */
    zz_sim *b = world_sim(sc);
    /* a leader with a chain of some length */
    uint32_t leader = UINT32_MAX, npart = 0, part[4096];
    for (uint32_t l = 0; l < (uint32_t)world->n && leader == UINT32_MAX; l++) {
        if (!(world->flags[l] & ZZ_F_LEADER))
            continue;
        npart = 0;
        for (uint32_t k = 0; k < (uint32_t)world->n && npart < 4096; k++)
            if (world->leader[k] == l)
                part[npart++] = k;
        if (npart >= 20)
            leader = l;
    }
    CHECK(leader != UINT32_MAX);
    if (leader == UINT32_MAX)
        return;
    /* only the leader's onboarding in the queue (a fresh one: the queue
     * is monotone, so draining it would move its clock past the events) */
    zz_event e;
    zz_queue_free(&b->queue);
    CHECK(zz_queue_init(&b->queue, 1024, 10) == 0);
    b->now = 30;
    zz_inst *in = zz_fixture_inst(b, "chain_leader");
    CHECK(in->ops->on_adopt(b, in, leader) == 0);
    uint32_t k = 0, aware_in_year = 0;
    while (zz_queue_take(&b->queue, &e)) {
        if (e.kind != ZZ_EV_PROGRAMME)
            continue; /* the reviews the onboarding triggers */
        CHECKF(k < npart && e.id == part[k], "event %u onboards firm %u", k, e.id);
        CHECK_NEAR(e.t, 30 + 10.0 * (k + 1), 1e-9);
        b->now = e.t;
        int was_none = b->firm[e.id].state == ZZ_S_NONE;
        int gk = e.gen & ((1u << ZZ_PROG_BITS) - 1);
        CHECK(in->ops->event(b, in, gk, e.gen >> ZZ_PROG_BITS, e.id) == 0);
        /* an adopted partner needs no onboarding */
        CHECK(!was_none || (b->firm[e.id].dflags & ZZ_D_AWARE));
        aware_in_year += e.t <= 30 + 365;
        k++;
    }
    CHECKF(k == npart, "%u of %u partners onboarded", k, npart);
    CHECKF(aware_in_year == (npart < 36 ? npart : 36), "%u onboarded in the first year", aware_in_year);
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    chain_leader(1e12);
    chain_leader(0);    /* no limit */
    chain_leader(1000); /* binds */
    partners_onboarded_at_the_yearly_rate();
    zz_population_free(world);
    return zz_test_finish();
}
