/*
 * Learning about success from observed outcomes (sim/model/learning.c),
 * by mechanism: the Beta update worked by hand for a constructed history
 * (outcomes in known channels on known days); convergence to the observed
 * success frequency whatever the prior; each further success moving the
 * belief less; failures lowering it; every weight zero leaving the prior;
 * a project's end recorded where the model settles it; and a contest
 * benchmark's outcome counting learn_publicity times.
 */
#include "zz_world.h"

/* A scenario whose learning parameters are all set here. */
static zz_scenario *learning(double m, double k, double wl, double wi, double wp, double wc, double h)
{
    zz_scenario *sc = world_scenario();
    zz_decision_cfg *d = &sc->cfg.decision;
    d->belief_mean = m, d->belief_strength = k;
    d->learn_local = wl, d->learn_industry = wi, d->learn_province = wp, d->learn_chain = wc;
    d->learn_half_life = h;
    return sc;
}

/* A non-adopter with a chain leader (the one the tests look through). */
static uint32_t partner(const zz_sim *b)
{
    for (uint32_t f = 0; f < (uint32_t)world->n; f++)
        if (world->leader[f] != ZZ_NO_LEADER && b->firm[f].state == ZZ_S_NONE)
            return f;
    return UINT32_MAX;
}

/* A firm other than f (and its leader) in f's city x industry (same = 1),
 * in its industry but another city (2), or in another industry (3). */
static uint32_t other(const zz_sim *b, uint32_t f, int where)
{
    for (uint32_t g = 0; g < (uint32_t)world->n; g++) {
        if (g == f || g == world->leader[f] || (world->flags[g] & ZZ_F_LEADER))
            continue;
        int ci = world->city[g] == world->city[f], i = world->industry[g] == world->industry[f];
        if ((where == 1 && ci && i) || (where == 2 && !ci && i) || (where == 3 && !i))
            return g;
    }
    return UINT32_MAX;
}

static int sim_ci(uint32_t f) { return world->city[f] * world->nindustries + world->industry[f]; }

static void outcome_at(zz_sim *b, double day, uint32_t g, int success)
{
    b->now = day;
    zz_learn_outcome(b, g, success);
}

/* The update by hand: outcomes on known days in each channel, read on day
 * 400 (ages in whole days, weight 2^(-age / h)). */
static void update_by_hand(void)
{
    const double m = 0.3, k = 4, wl = 0.7, wi = 0.3, wp = 0.05, wc = 1.5, h = 200;
    zz_scenario *sc = learning(m, k, wl, wi, wp, wc, h);
    zz_sim *b = world_sim(sc);
    uint32_t f = partner(b);
    CHECK(f != UINT32_MAX);
    if (f == UINT32_MAX)
        return;
    uint32_t local = other(b, f, 1), industry = other(b, f, 2), away = other(b, f, 3),
             leader = world->leader[f];
    CHECK(local != UINT32_MAX && industry != UINT32_MAX && away != UINT32_MAX);
    outcome_at(b, 10.2, local, 1);     /* seen through all three channels */
    outcome_at(b, 50.9, industry, 0);  /* industry and province */
    outcome_at(b, 100, away, 1);       /* province only */
    outcome_at(b, 120.5, local, 0);
    outcome_at(b, 300, leader, 1);     /* the leader's own: chain, and its
                                          city x industry, industry, province */
    b->now = 400.7;
    double age[5] = {390, 350, 300, 280, 100}, w[5];
    for (int j = 0; j < 5; j++)
        w[j] = exp2(-age[j] / h);
    int lci = world->city[leader] == world->city[f] && world->industry[leader] == world->industry[f];
    int li = world->industry[leader] == world->industry[f];
    /* per firm of the channel (the leader's own: one each) */
    const double Nl = b->firms_ci[sim_ci(f)], Ni = b->firms_i[world->industry[f]], Np = (double)world->n;
    double sl = (w[0] + lci * w[4]) / Nl, fl = w[3] / Nl;
    double si = (w[0] + li * w[4]) / Ni, fi = (w[1] + w[3]) / Ni;
    double sp = (w[0] + w[2] + w[4]) / Np, fp = (w[1] + w[3]) / Np;
    double sch = w[4], fch = 0;
    double s = wl * sl + wi * si + wp * sp + wc * sch;
    double n = s + wl * fl + wi * fi + wp * fp + wc * fch;
    double want = (m * k + s) / (k + n);
    CHECK_NEAR(zz_belief(b, f), want, 1e-12);
    /* the valuation's perceived success: the belief, adjusted for the
     * firm's readiness as the true success is */
    zz_valuation v;
    zz_value_project(b, f, &v);
    const zz_decision_cfg *d = &sc->cfg.decision;
    CHECK_NEAR(v.perceived_success,
               fmin(d->success_max, fmax(0, want + d->true_success_readiness * (world->readiness[f] - 0.5))),
               1e-12);
    /* a scenario that changes the half-life mid-run: the stocks decayed so
     * far at the old one, from now on at the new one */
    b->cfg.decision.learn_half_life = 2 * h;
    double before = zz_belief(b, f);
    CHECK_NEAR(before, want, 1e-12);
    b->now = 600.3;
    double later = 2 * h;
    for (int j = 0; j < 5; j++)
        w[j] *= exp2(-200 / later);
    sl = (w[0] + lci * w[4]) / Nl, fl = w[3] / Nl, si = (w[0] + li * w[4]) / Ni, fi = (w[1] + w[3]) / Ni;
    sp = (w[0] + w[2] + w[4]) / Np, fp = (w[1] + w[3]) / Np, sch = w[4];
    s = wl * sl + wi * si + wp * sp + wc * sch;
    n = s + wl * fl + wi * fi + wp * fp;
    CHECK_NEAR(zz_belief(b, f), (m * k + s) / (k + n), 1e-12);
    zz_sim_close(b);
    free(sc);
}

/* Many outcomes: the belief tends to the observed success frequency
 * whatever the prior; each further success moves it less; a run of
 * failures lowers it at every step. */
static void convergence_and_steps(void)
{
    for (int p = 0; p < 2; p++) {
        const double m = p ? 0.9 : 0.1;
        zz_scenario *sc = learning(m, 20, 0, 0, (double)world->n, 0, 36500);
        zz_sim *b = world_sim(sc);
        uint32_t f = partner(b), g = other(b, f, 3);
        b->now = 0;
        for (int j = 0; j < 5000; j++)
            zz_learn_outcome(b, g, j % 5 < 3); /* 60% successes */
        CHECKF(fabs(zz_belief(b, f) - 0.6) < 0.002, "prior %g: belief %g after 5,000 outcomes", m,
               zz_belief(b, f));
        zz_sim_close(b);
        free(sc);
    }
    /* following every firm of the province: each outcome counts one */
    zz_scenario *sc = learning(0.4, 20, 0, 0, (double)world->n, 0, 36500);
    zz_sim *b = world_sim(sc);
    uint32_t f = partner(b), g = other(b, f, 3);
    b->now = 0;
    double last = zz_belief(b, f), step = INFINITY;
    int less = 1, up = 1;
    for (int j = 0; j < 50; j++) {
        zz_learn_outcome(b, g, 1);
        double now = zz_belief(b, f);
        up &= now > last;
        less &= now - last < step;
        step = now - last, last = now;
    }
    CHECK(up);
    CHECK(less);
    int down = 1;
    for (int j = 0; j < 50; j++) {
        zz_learn_outcome(b, g, 0);
        double now = zz_belief(b, f);
        down &= now < last;
        last = now;
    }
    CHECK(down);
    zz_sim_close(b);
    /* from the prior, a run of failures only: down at every step, to
     * (m k) / (k + 50) */
    b = world_sim(sc);
    last = zz_belief(b, f), down = 1;
    for (int j = 0; j < 50; j++) {
        zz_learn_outcome(b, g, 0);
        double now = zz_belief(b, f);
        down &= now < last;
        last = now;
    }
    CHECK(down);
    CHECK_NEAR(last, 0.4 * 20 / 70, 1e-12);
    zz_sim_close(b);
    free(sc);
}

/* Every weight zero: the prior, whatever is seen. */
static void zero_weights_keep_the_prior(void)
{
    zz_scenario *sc = learning(0.37, 10, 0, 0, 0, 0, 365);
    sc->cfg.decision.learn_publicity = 0;
    zz_sim *b = world_sim(sc);
    uint32_t f = partner(b), g = other(b, f, 1);
    for (int j = 0; j < 200; j++) {
        b->now = j;
        zz_learn_outcome(b, j % 2 ? g : world->leader[f], j % 3 == 0);
    }
    b->now = 250;
    zz_learn_publicise(b);
    zz_learn_outcome(b, g, 1);
    zz_learn_publicise(b);
    zz_learn_outcome(b, other(b, f, 2), 1);
    CHECK_NEAR(zz_belief(b, f), 0.37, 1e-15);
    zz_sim_close(b);
    free(sc);
}

/* Outcomes in the province's stock, decayed to today (the read sets the
 * day's factor), as counts. */
static double province_seen(zz_sim *b, uint32_t f)
{
    (void)zz_belief(b, f);
    const zz_learning *L = &b->learn;
    const size_t prov = 2 * ((size_t)world->ncities * world->nindustries + world->nindustries);
    return (L->cell[prov] + L->cell[prov + 1]) * L->decay * (double)world->n;
}

/* A finished project is seen where the model settles it (implement.c),
 * once; a contest benchmark's besides by every firm of its industry as
 * learn_publicity observations, and not by other industries' firms. */
static void settled_and_publicised(void)
{
    for (int pub = 0; pub <= 2; pub++) {
        const double publicity = pub == 0 ? 0 : pub == 1 ? 1 : 7;
        /* k = 1, m = 0.5; every firm of the province followed: each
         * ordinary outcome counts one */
        zz_scenario *sc = learning(0.5, 1, 0, 0, (double)world->n, 0, 36500);
        sc->cfg.decision.learn_publicity = publicity;
        zz_programme_cfg *c = zz_fixture_programme(sc, ZZ_K("contest"), "contest.jb", 1e12);
        zz_fixture_set(c, "opens", 59);
        zz_fixture_set(c, "closes", 120);
        zz_fixture_set(c, "winners", 10);
        zz_fixture_set(c, "bid_cost", 0);
        zz_sim *b = world_sim(sc);
        zz_inst *in = zz_fixture_inst(b, "contest");
        b->now = 59;
        CHECK(in->ops->event(b, in, 0, 0, 0) == 0); /* opens round 1 */
        b->now = 120;
        CHECK(in->ops->event(b, in, 0, 1, 1) == 0); /* closes it: winners start */
        uint32_t w = 0;
        while (w < (uint32_t)world->n && b->firm[w].state != ZZ_S_IMPLEMENTING)
            w++;
        /* an ordinary project: a non-adopter that starts now */
        uint32_t o = 0;
        while (o < (uint32_t)world->n && (b->firm[o].state != ZZ_S_NONE || o == w))
            o++;
        CHECK(w < (uint32_t)world->n && o < (uint32_t)world->n);
        if (w >= (uint32_t)world->n || o >= (uint32_t)world->n)
            return;
        /* two onlookers: in the winner's industry, and in another */
        uint32_t f = other(b, w, 2), x = other(b, w, 3);
        double seen0 = province_seen(b, f);
        zz_valuation v;
        zz_value_project(b, o, &v);
        CHECK(zz_start_implementation(b, o, &v) == 0);
        CHECK(zz_finish_implementation(b, o) == 0);
        int s_o = b->firm[o].state == ZZ_S_ADOPTED;
        double seen1 = province_seen(b, f);
        CHECK_NEAR(seen1 - seen0, 1, 1e-9); /* one outcome, once */
        CHECK(zz_finish_implementation(b, w) == 0);
        int s_w = b->firm[w].state == ZZ_S_ADOPTED;
        CHECK_NEAR(province_seen(b, f) - seen1, 1, 1e-9); /* once there too */
        /* by hand: the two outcomes in the province, and the benchmark's
         * publicised to its industry only */
        double s = s_o + s_w, n = 2;
        CHECKF(fabs(zz_belief(b, x) - (0.5 + s) / (1 + n)) < 1e-9, "another industry: %g, want %g",
               zz_belief(b, x), (0.5 + s) / (1 + n));
        double sp = s + publicity * s_w, np = n + publicity;
        CHECKF(fabs(zz_belief(b, f) - (0.5 + sp) / (1 + np)) < 1e-9,
               "publicity %g: the winner's industry believes %g, want %g", publicity, zz_belief(b, f),
               (0.5 + sp) / (1 + np));
        zz_sim_close(b);
        free(sc);
    }
}

int main(void)
{
    world_open();
    update_by_hand();
    convergence_and_steps();
    zero_weights_keep_the_prior();
    settled_and_publicised();
    zz_population_free(world);
    return zz_test_finish();
}
