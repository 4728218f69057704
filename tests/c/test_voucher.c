/*
 * Vouchers, by mechanism: a firm applies only if, on its own draw for this
 * review, it would go ahead with the vouchers it could get; once they are
 * granted it decides on that same draw, so every firm that applied and got
 * what it applied for starts its project. A firm that would go ahead
 * without them waits too (approval before the start) unless the wait costs
 * it more than the voucher brings. Award = min(rate x component, cap);
 * redeemed at the start; lapsed ones return to the pot. Lottery and ranked
 * windows allocate by draw and by score.
 */
#include <gsl/gsl_cdf.h>

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

/* Approval before the start: at the review where its twin (no programme,
 * same draws) starts the project, a firm that would go ahead anyway
 * applies and waits for the decision whenever the wait costs it less than
 * the voucher brings: (V0 + S) (1 + r)^-(days/365) >= V0, V0 its project's
 * value without the voucher (value x cost), S the award. Otherwise it
 * starts now without the voucher and nothing is paid. Each firm's choice
 * is worked out here from the twin's valuation; both kinds must occur. */
static void waits_when_adopting_anyway(void)
{
    zz_scenario *sc = world_scenario();
    sc->cfg.decision.discount_rate = 0.1;
    zz_sim *twin = world_sim(sc);
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("voucher.compute"), "voucher.compute", 1e12);
    zz_fixture_set(g, "rate", 0.3);
    zz_fixture_set(g, "review_days", 35);
    zz_fixture_set(g, "app_days", 65);
    zz_sim *b = world_sim(sc);
    zz_inst *in = zz_fixture_inst(b, "voucher.compute");
    const double delta = pow(1.1, -100.0 / 365);
    int found = 0, waited = 0, started = 0, as_rule = 0, paid_after = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n && found < 200; f++) {
        if (twin->firm[f].state != ZZ_S_NONE || !zz_firm_aware(twin, f))
            continue;
        uint32_t k = twin->firm[f].reviews;
        zz_valuation v0;
        zz_value_project(twin, f, &v0);
        twin->rule->review(twin, f);
        if (twin->firm[f].state != ZZ_S_IMPLEMENTING)
            continue; /* the twin does not start here */
        double award = in->ops->prospect(b, in, f);
        if (award <= 0)
            continue;
        found++;
        int waits = (v0.value * v0.cost + award) * delta >= v0.value * v0.cost;
        double before = zz_prog_ledger(b, 0)->disbursed;
        b->rule->review(b, f);
        int idle = b->firm[f].state == ZZ_S_NONE && b->firm[f].reviews == k;
        int now = b->firm[f].state == ZZ_S_IMPLEMENTING && zz_prog_ledger(b, 0)->disbursed == before;
        waited += idle;
        started += now;
        as_rule += waits ? idle : now;
        if (idle) {
            zz_economic_decided(b, f); /* granted: it starts, paid the award */
            paid_after += b->firm[f].state == ZZ_S_IMPLEMENTING &&
                          fabs(zz_prog_ledger(b, 0)->disbursed - before - award) < 1e-6;
        }
    }
    CHECKF(found >= 40 && waited >= 10 && started >= 10 && as_rule == found && paid_after == waited,
           "%d firms start in the twin: %d waited (%d then started, paid), %d started at once, %d as the rule says",
           found, waited, paid_after, started, as_rule);
    const zz_ledger *l = zz_prog_ledger(b, 0);
    CHECK_NEAR(l->committed + l->disbursed + l->lapsed + zz_ledger_available(l), l->initial, 1e-3);
    zz_sim_close(b);
    zz_sim_close(twin);
    free(sc);
}

/* A window's allocation: n non-adopters apply to one compute voucher in a
 * window, in an order that rotates from trial to trial; the pot pays `won`
 * awards of the cap each. Counts, per firm and per place in the queue, how
 * often each was awarded, over `trials` windows. */
enum { NAPP = 20, WON = 5 };
static void allocate_windows(int allocation, int rank_by, int trials, uint32_t *firm, int by_firm[NAPP],
                             int by_place[NAPP])
{
    zz_scenario *sc = world_scenario();
    sc->cfg.decision.cost_fall = 0; /* awards stay at the cap over the trials' years */
    zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("voucher.compute"), "voucher.compute", WON * 1000.0);
    zz_fixture_set(g, "rate", 1);
    zz_fixture_set(g, "cap", 1000);
    zz_fixture_set(g, "allocation", allocation);
    zz_fixture_set(g, "rank_by", rank_by);
    zz_fixture_set(g, "window_days", 10);
    zz_fixture_set(g, "review_days", 0);
    zz_sim *b = world_sim(sc);
    zz_inst *in = zz_fixture_inst(b, "voucher.compute");
    int n = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n && n < NAPP; f++)
        if (b->firm[f].state == ZZ_S_NONE && in->ops->prospect(b, in, f) == 1000)
            firm[n++] = f;
    CHECKF(n == NAPP, "%d applicants", n);
    for (int t = 0; t < trials && n == NAPP; t++) {
        b->now = 10.0 * t + 1;
        for (int i = 0; i < NAPP; i++)
            CHECK_NEAR(in->ops->apply(b, in, firm[(i + t) % NAPP]), 9, 1e-9);
        b->now = 10.0 * (t + 1);
        in->ops->decided(b, in, firm[0]);
        int won = 0;
        for (int i = 0; i < NAPP; i++) {
            uint32_t f = firm[(i + t) % NAPP];
            double held = in->ops->support(b, in, f, NULL);
            if (held > 0) {
                by_firm[(i + t) % NAPP]++;
                by_place[i]++;
                won++;
                in->ops->on_start(b, in, f, NULL); /* redeemed; then the pot refills */
                zz_prog_ledger(b, 0)->disbursed = 0;
            }
            in->ops->decided(b, in, f); /* nothing left to decide */
        }
        CHECKF(won == WON, "trial %d: %d awards", t, won);
    }
    zz_sim_close(b);
    free(sc);
}

static double chi_square(const int count[NAPP], double expected)
{
    double x = 0;
    for (int i = 0; i < NAPP; i++)
        x += (count[i] - expected) * (count[i] - expected) / expected;
    return x;
}

/* The lottery draws uniformly among a window's applicants: neither the
 * first to apply nor particular firms are favoured (chi-square with 19
 * degrees of freedom on 4,000 windows; p > 0.001 each). */
static void lottery_is_uniform(void)
{
    const int trials = 4000;
    uint32_t firm[NAPP];
    int by_firm[NAPP] = {0}, by_place[NAPP] = {0};
    allocate_windows(1, 0, trials, firm, by_firm, by_place);
    const double expected = (double)trials * WON / NAPP;
    double pf = gsl_cdf_chisq_Q(chi_square(by_firm, expected), NAPP - 1);
    double pp = gsl_cdf_chisq_Q(chi_square(by_place, expected), NAPP - 1);
    CHECKF(pf > 1e-3 && pp > 1e-3, "chi-square p by firm %.3g, by place in the queue %.3g (first: %d of %.0f)",
           pf, pp, by_place[0], expected);
}

/* Ranked allocation follows its score: the WON smallest (largest, readiest)
 * applicants are awarded, whatever the order they applied in. */
static void ranked_follows_score(void)
{
    for (int rank_by = 0; rank_by < 3; rank_by++) {
        uint32_t firm[NAPP];
        int by_firm[NAPP] = {0}, by_place[NAPP] = {0};
        allocate_windows(2, rank_by, NAPP, firm, by_firm, by_place);
        int ok = 1;
        for (int i = 0; i < NAPP; i++) {
            double si = rank_by == 2 ? -world->readiness[firm[i]]
                                     : (rank_by == 0 ? 1 : -1) * world->revenue[firm[i]];
            int better = 0;
            for (int j = 0; j < NAPP; j++) {
                double sj = rank_by == 2 ? -world->readiness[firm[j]]
                                         : (rank_by == 0 ? 1 : -1) * world->revenue[firm[j]];
                better += sj < si || (sj == si && firm[j] < firm[i]);
            }
            /* awarded in every window if among the WON best, else never */
            ok &= by_firm[i] == (better < WON ? NAPP : 0);
        }
        CHECKF(ok, "rank_by %d: awards do not follow the score", rank_by);
    }
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
    waits_when_adopting_anyway();
    award();
    lottery_is_uniform();
    ranked_follows_score();
    zz_population_free(world);
    return zz_test_finish();
}
