/*
 * The economic rule's own terms, by hand: the compute and model parts of
 * a project's cost fall with technology, the rest do not, and the gain
 * rises; reviews come at exponential intervals whose mean is the firm's
 * size class's. (Perceived success: test_learning.c.)
 */
#include "zz_world.h"

/* Technology: on day 730 (two years in) the compute and model parts of a
 * project's cost are their day-0 parts x (1 - cost_fall)^2, the data,
 * integration and other parts unchanged; the gain x (1 + gain_growth)^2. */
static void technology(void)
{
    zz_scenario *sc = world_scenario();
    zz_decision_cfg *d = &sc->cfg.decision;
    d->cost_fall = 0.3;
    d->gain_growth = 0.1;
    zz_sim *b = world_sim(sc);
    uint32_t f = 0;
    while (b->firm[f].state != ZZ_S_NONE)
        f++;
    zz_valuation v0, v2;
    b->now = 0.5;
    zz_value_project(b, f, &v0);
    double base = zz_project_base(b, f), part0[ZZ_NCOMPONENTS];
    for (int c = 0; c < ZZ_NCOMPONENTS; c++)
        part0[c] = zz_component_cost(b, base, c);
    CHECK_NEAR(v0.list, base, 1e-9 * base);
    b->now = 730.5;
    zz_value_project(b, f, &v2);
    double sum = 0;
    for (int c = 0; c < ZZ_NCOMPONENTS; c++) {
        double want = part0[c] * (c == ZZ_C_COMPUTE || c == ZZ_C_MODEL ? 0.7 * 0.7 : 1);
        double got = zz_component_cost(b, base, c);
        CHECKF(fabs(got - want) <= 1e-9 * base, "component %d: %g on day 730, want %g (day 0: %g)", c, got,
               want, part0[c]);
        sum += want;
    }
    CHECK_NEAR(v2.list, sum, 1e-9 * base);
    CHECK_NEAR(v2.cost, v2.list, 1e-9 * base); /* no compute market here */
    CHECK_NEAR(v2.gain, v0.gain * 1.1 * 1.1, 1e-9 * v0.gain);
    zz_sim_close(b);
    free(sc);
}

/* First reviews of the aware non-adopters: exponential with the mean of
 * their size class (set apart here: the default is 180 days for all). */
static void review_intervals_by_size(void)
{
    zz_scenario *sc = world_scenario();
    const double days[ZZ_NSIZES] = {365, 270, 180, 120};
    memcpy(sc->cfg.decision.review_days_size, days, sizeof days);
    sc->cfg.decision.awareness_rate = 0;
    sc->cfg.decision.scale_review_days = 36500; /* adopters' reviews far away */
    zz_sim *b = world_sim(sc);
    double sum[ZZ_NSIZES] = {0}, n[ZZ_NSIZES] = {0};
    zz_event e;
    while (zz_queue_take(&b->queue, &e) > 0)
        if (e.kind == ZZ_EV_REVIEW && b->firm[e.id].state == ZZ_S_NONE && e.gen == b->firm[e.id].gen) {
            sum[world->size[e.id]] += e.t;
            n[world->size[e.id]]++;
        }
    const double H = sc->cfg.horizon;
    for (int s = 0; s < ZZ_NSIZES; s++) {
        /* reviews beyond the horizon are not scheduled: the mean of an
         * exponential truncated at H */
        double m = sc->cfg.decision.review_days_size[s];
        double q = exp(-H / m), want = m - H * q / (1 - q);
        double se = m / sqrt(n[s] > 0 ? n[s] : 1);
        CHECKF(n[s] > 100 && fabs(sum[s] / n[s] - want) < 5 * se, "size %d: mean %g, want %g (%g firms)", s,
               sum[s] / n[s], want, n[s]);
    }
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    technology();
    review_intervals_by_size();
    zz_population_free(world);
    return zz_test_finish();
}
