/*
 * Training and matchmaking campaigns, by mechanism: up to `firms` eligible
 * unaware firms become aware, each costing `amount`.
 */
#include "zz_world.h"

static void campaign(void)
{
    zz_scenario *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("campaign"), "campaign.training", 1e12);
    zz_fixture_set(g, "firms", 300);
    zz_fixture_set(g, "amount", 1000);
    g->filter.cities = 1u << 0; /* Jinan */
    zz_sim *b = world_sim(sc);
    int64_t aware_before = 0, aware_after = 0, outside = 0;
    uint8_t *was = malloc((size_t)world->n);
    for (int64_t f = 0; f < world->n; f++) {
        was[f] = b->firm[f].dflags & ZZ_D_AWARE;
        aware_before += was[f] != 0;
    }
    zz_inst *in = zz_fixture_inst(b, "campaign");
    CHECK(in->ops->event(b, in, 0, 0, 0) == 0);
    for (int64_t f = 0; f < world->n; f++) {
        aware_after += (b->firm[f].dflags & ZZ_D_AWARE) != 0;
        if (!was[f] && (b->firm[f].dflags & ZZ_D_AWARE) && world->city[f] != 0)
            outside++;
    }
    CHECKF(aware_after - aware_before == 300, "made aware: %lld", (long long)(aware_after - aware_before));
    CHECK(outside == 0);
    CHECK_NEAR(b->prog[0].ledger.disbursed, 300 * 1000, 1e-6);
    free(was);
    zz_sim_close(b);
    free(sc);
}

/* A budget that binds: 10.5 firms' worth reaches 10 firms, never an 11th
 * the budget cannot pay for, and spends 10 x amount. */
static void campaign_budget_binds(void)
{
    zz_scenario *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("campaign"), "campaign.training", 10500);
    zz_fixture_set(g, "firms", 300);
    zz_fixture_set(g, "amount", 1000);
    zz_sim *b = world_sim(sc);
    int64_t before = 0, after = 0;
    for (int64_t f = 0; f < world->n; f++)
        before += (b->firm[f].dflags & ZZ_D_AWARE) != 0;
    zz_inst *in = zz_fixture_inst(b, "campaign");
    CHECK(in->ops->event(b, in, 0, 0, 0) == 0);
    for (int64_t f = 0; f < world->n; f++)
        after += (b->firm[f].dflags & ZZ_D_AWARE) != 0;
    CHECKF(after - before == 10, "made aware: %lld", (long long)(after - before));
    CHECK_NEAR(b->prog[0].ledger.disbursed, 10 * 1000, 1e-6);
    CHECK(zz_ledger_available(&b->prog[0].ledger) >= 0);
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    campaign();
    campaign_budget_binds();
    zz_population_free(world);
    return zz_test_finish();
}
