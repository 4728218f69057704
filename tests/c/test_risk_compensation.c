/*
 * Risk compensation (风险补偿), by mechanism: a firm without credit access
 * can borrow; the pool reserves loss_share of the loan while the loan is
 * open, pays it on failure (a default) and releases it when the loan is
 * repaid, loan_years after the start; the borrower counts as supported.
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
    /* on failure the bank gets loss_share x the loan */
    const double cover = 0.4 * vb.borrowed, years = sc->cfg.decision.loan_years;
    zz_fixture_start(b, f, &vb);
    CHECK_NEAR(b->prog[0].ledger.committed, cover, 1e-6);
    CHECK(b->firm[f].dflags & ZZ_D_BACKED);
    zz_fixture_finish(b, f, 0);
    CHECK_NEAR(b->prog[0].ledger.disbursed, cover, 1e-6);
    CHECK_NEAR(b->prog[0].ledger.committed, 0, 1e-9);
    /* on success the loan stays open: the cover stays committed until the
     * loan is repaid, loan_years after the start, and is then released */
    zz_inst *in = zz_fixture_inst(b, "risk_compensation");
    b->now = 100;
    zz_fixture_start(b, f, &vb);
    b->now = 200;
    zz_fixture_finish(b, f, 1);
    CHECK_NEAR(b->prog[0].ledger.committed, cover, 1e-6);
    CHECK_NEAR(b->prog[0].ledger.returned, 0, 1e-9);
    CHECK_NEAR(zz_ledger_available(&b->prog[0].ledger), 1e12 - 2 * cover, 1e-3);
    b->now = 100 + 365 * years - 1; /* a day early: still open */
    in->ops->event(b, in, 0, 0, f);
    CHECK_NEAR(b->prog[0].ledger.committed, cover, 1e-6);
    b->now = (float)(100 + 365 * years);
    in->ops->event(b, in, 0, 0, f);
    CHECK_NEAR(b->prog[0].ledger.returned, cover, 1e-6);
    CHECK_NEAR(b->prog[0].ledger.committed, 0, 1e-9);
    CHECK_NEAR(b->prog[0].ledger.disbursed, cover, 1e-6); /* the one default */
    CHECK_NEAR(zz_ledger_available(&b->prog[0].ledger), 1e12 - cover, 1e-3);
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

/* Guaranteed borrowers count as supported though the pool pays them
 * nothing unless they fail: a whole run, its accounting against the twin,
 * with every adopter counted by hand. */
static void borrowers_supported(void)
{
    zz_scenario *sc = world_scenario();
    zz_fixture_programme(sc, ZZ_K("risk_compensation"), "risk_compensation", 1e12);
    zz_sim *pol, *twin;
    CHECK(zz_sim_open(&pol, sc, world, 0, 0) == 0 && zz_sim_run(pol) == 0);
    CHECK(zz_sim_open(&twin, sc, world, 0, 1) == 0 && zz_sim_run(twin) == 0);
    CHECK(zz_account_pair(pol, twin) == 0);
    int backed = 0, paid = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
        if (!(pol->t_adopt[f] > 0))
            continue;
        backed += (pol->firm[f].dflags & ZZ_D_BACKED) != 0;
        paid += zz_received(pol, 0, f) > 0;
    }
    const int g = 1; /* all_firms */
    CHECKF(backed > 20 && pol->res->supported[g] == backed && paid < backed,
           "%d adopters borrowed under the guarantee (%d of them paid), %d counted supported", backed, paid,
           pol->res->supported[g]);
    zz_sim_close(pol);
    zz_sim_close(twin);
    free(sc);
}

int main(void)
{
    world_open();
    risk_compensation();
    no_guarantee_for_firms_with_credit();
    borrowers_supported();
    zz_population_free(world);
    return zz_test_finish();
}
