/*
 * The economic rule's own terms, by hand: perceived success rises with
 * the adopted share of the firm's city x industry and of its industry by
 * the configured weights; reviews come at exponential intervals whose mean
 * is the firm's size class's.
 */
#include "zz_world.h"

static void peer_effects(void)
{
    zz_scenario *sc = world_scenario();
    zz_sim *b = world_sim(sc);
    const zz_decision_cfg *d = &sc->cfg.decision;
    uint32_t f = 0;
    zz_valuation v0, v1;
    for (;; f++) {
        zz_value_project(b, f, &v0);
        if (b->firm[f].state == ZZ_S_NONE && v0.perceived_success < d->success_max - 0.2)
            break;
    }
    int i = world->industry[f], ci = world->city[f] * world->nindustries + i;
    /* 100 more adopters elsewhere in the industry */
    b->adopted_i[i] += 100;
    zz_value_project(b, f, &v1);
    CHECK_NEAR(v1.perceived_success - v0.perceived_success,
               d->success_peer_industry * 100.0 / b->firms_i[i], 1e-12);
    b->adopted_i[i] -= 100;
    /* 10 more in its own city x industry (also its industry's) */
    b->adopted_ci[ci] += 10;
    b->adopted_i[i] += 10;
    zz_value_project(b, f, &v1);
    CHECK_NEAR(v1.perceived_success - v0.perceived_success,
               d->success_peer_local * 10.0 / b->firms_ci[ci] + d->success_peer_industry * 10.0 / b->firms_i[i],
               1e-12);
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
    peer_effects();
    review_intervals_by_size();
    zz_population_free(world);
    return zz_test_finish();
}
