/*
 * Vouchers, by mechanism: a firm applies only if, on its own draw for this
 * review, it would go ahead with the vouchers it could get; once they are
 * granted it decides on that same draw, so every firm that applied and got
 * what it applied for starts its project. A firm that would go ahead
 * without them does not wait: it starts at the review, as in the twin, and
 * the voucher pays toward that project. Award = min(rate x component,
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
        /* it waits only because it needs the voucher: without it, this
         * draw would not start the project */
        zz_valuation v;
        zz_value_project(b, f, &v);
        CHECKF(!(v.can_finance && zz_rng_uniform(&b->rng, f, ZZ_RNG_DECIDE, k) < v.probability),
               "firm %u waits for a voucher it does not need", f);
        zz_economic_decided(b, f);
        started += b->firm[f].state == ZZ_S_IMPLEMENTING;
    }
    CHECKF(applied > 50 && started == applied && declined > 0, "%d applied, %d started, %d declined",
           applied, started, declined);
    zz_sim_close(b);
    free(sc);
}

/* No wait for a firm that goes ahead anyway: at the review where its twin
 * (no programme, same draws) starts the project, it starts too, the same
 * day, and the compute voucher it applied for is granted and paid toward
 * that project. With the old rule (every applicant waited for the
 * decision) it was still idle here. */
static void no_wait_when_adopting_anyway(void)
{
    zz_scenario *sc = world_scenario();
    zz_sim *twin = world_sim(sc);
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("voucher.compute"), "voucher.compute", 1e12);
    zz_fixture_set(g, "rate", 0.3);
    zz_sim *b = world_sim(sc);
    zz_inst *in = zz_fixture_inst(b, "voucher.compute");
    int found = 0, starts = 0, paid = 0, same = 0;
    double award = 0, before = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n && found < 40; f++) {
        if (twin->firm[f].state != ZZ_S_NONE || !zz_firm_aware(twin, f))
            continue;
        uint32_t k = twin->firm[f].reviews;
        twin->rule->review(twin, f);
        if (twin->firm[f].state != ZZ_S_IMPLEMENTING)
            continue; /* the twin does not start here */
        found++;
        award = in->ops->prospect(b, in, f);
        before = zz_prog_ledger(b, 0)->disbursed;
        b->rule->review(b, f);
        starts += b->firm[f].state == ZZ_S_IMPLEMENTING;
        same += b->firm[f].reviews == k + 1 && b->invest[f] == twin->invest[f];
        paid += award > 0 && fabs(zz_prog_ledger(b, 0)->disbursed - before - award) < 1e-6;
    }
    CHECKF(found >= 20 && starts == found && same == found && paid == found,
           "%d firms start in the twin: %d start with the programme, %d on the same draw, %d paid",
           found, starts, same, paid);
    const zz_ledger *l = zz_prog_ledger(b, 0);
    CHECK_NEAR(l->committed + l->disbursed + l->lapsed + zz_ledger_available(l), l->initial, 1e-3);
    zz_sim_close(b);
    zz_sim_close(twin);
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
    no_wait_when_adopting_anyway();
    award();
    zz_population_free(world);
    return zz_test_finish();
}
