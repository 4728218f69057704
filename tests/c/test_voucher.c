/*
 * Vouchers, by mechanism: a firm applies only if, on its own draw for this
 * review, it would go ahead with the vouchers it could get; once they are
 * granted it decides on that same draw, so every firm that applied and got
 * what it applied for starts its project. Award = min(rate x component,
 * cap); redeemed at the start; lapsed ones return to the pot.
 */
#include "zz_world.h"

static void same_draw(void)
{
    zz_scenario *sc = world_scenario();
    zz_fixture_vouchers(sc, 1e12, 1e12);
    zz_sim *b = world_sim(sc);
    int applied = 0, started = 0, declined = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
        if (b->firm[f].state != ZZ_S_NONE || !zz_firm_aware(b, f))
            continue;
        uint32_t k = b->firm[f].reviews;
        b->rule->review(b, f);
        if (b->firm[f].reviews != k) {
            declined++; /* decided at once: did not apply */
            continue;
        }
        applied++;
        zz_economic_decided(b, f);
        started += b->firm[f].state == ZZ_S_IMPLEMENTING;
    }
    CHECKF(applied > 50 && started == applied && declined > 0, "%d applied, %d started, %d declined",
           applied, started, declined);
    zz_sim_close(b);
    free(sc);
}

/* Each kind covers its own component: the compute voucher pays rate x the
 * compute share of the cost, capped. */
static void award(void)
{
    zz_scenario *sc = world_scenario();
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("voucher.compute"), "voucher.compute", 1e12);
    zz_fixture_set(g, "rate", 0.3);
    zz_fixture_set(g, "cap", 1e12);
    zz_sim *b = world_sim(sc);
    zz_inst *in = zz_fixture_inst(b, "voucher.compute");
    const zz_decision_cfg *d = &sc->cfg.decision;
    int n = 0, ok = 1;
    for (uint32_t f = 0; f < 2000; f++) {
        if (b->firm[f].state != ZZ_S_NONE)
            continue;
        double cost = fmax(d->cost_min, d->cost_share[world->size[f]] * world->revenue[f]);
        ok &= fabs(in->ops->prospect(b, in, f) - 0.3 * d->component_share[ZZ_C_COMPUTE] * cost) < 1e-6;
        n++;
    }
    CHECK(n > 100 && ok);
    zz_fixture_set(&b->cfg.programme[0], "cap", 1234);
    uint32_t f = 0;
    while (b->firm[f].state != ZZ_S_NONE)
        f++;
    CHECK_NEAR(in->ops->prospect(b, in, f), 1234, 0);
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    same_draw();
    award();
    zz_population_free(world);
    return zz_test_finish();
}
