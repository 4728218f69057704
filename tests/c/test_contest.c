/*
 * 揭榜挂帅 contests, by mechanism: the jury takes the best scores (with no
 * jury noise: the most capable bidders); a winner's reward is paid only
 * after an accepted success, released on failure; whole runs: money only
 * to firms whose benchmark succeeded.
 */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "policy/instrument.h"
#include "zz_world.h"

extern const zz_instrument zz_contest;

static zz_scenario *contest(double noise, double budget)
{
    zz_scenario *sc = world_scenario();
    zz_programme_cfg *c = zz_fixture_programme(sc, ZZ_K("contest"), "contest.jb", budget);
    zz_fixture_set(c, "opens", 59);
    zz_fixture_set(c, "closes", 120);
    zz_fixture_set(c, "winners", 10);
    zz_fixture_set(c, "jury_noise", noise);
    zz_fixture_set(c, "bid_cost", 0);
    return sc;
}

/* The jury takes the best scores: capability + N(0, jury_noise), each
 * bidder's draw its own (CONTEST, round). Every aware eligible firm that
 * can finance its project bids here (bid cost 0), so the ten winners must
 * be the ten best of their scores, recomputed by hand. */
static void jury_picks_the_best(void)
{
    const double noise = 0.05;
    zz_scenario *sc = contest(noise, 1e12);
    zz_sim *b = world_sim(sc);
    zz_inst *in = zz_fixture_inst(b, "contest");
    b->now = 59;
    CHECK(in->ops->event(b, in, 0, 0, 0) == 0); /* opens round 1 */
    double *score = malloc((size_t)world->n * sizeof *score);
    uint32_t *who = malloc((size_t)world->n * sizeof *who);
    int m = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
        if (!zz_firm_aware(b, f) || !zz_prog_eligible(b, 0, f))
            continue;
        zz_valuation v;
        zz_value_project(b, f, &v);
        if (!v.can_finance)
            continue;
        gsl_rng *r = zz_rng_at(&b->rng, f, zz_contest.stream, 1);
        score[m] = world->capability[f] + gsl_ran_gaussian(r, noise);
        who[m++] = f;
    }
    b->now = 120;
    CHECK(in->ops->event(b, in, 0, 1, 1) == 0); /* closes round 1 */
    /* the tenth best score among the bidders */
    double *sorted = malloc((size_t)m * sizeof *sorted);
    memcpy(sorted, score, (size_t)m * sizeof *sorted);
    gsl_sort(sorted, 1, (size_t)m);
    double bar = sorted[m - 10];
    int won = 0, right = 0;
    for (int k = 0; k < m; k++) {
        int w = b->firm[who[k]].state == ZZ_S_IMPLEMENTING;
        won += w;
        right += w == (score[k] >= bar);
    }
    CHECKF(m > 100 && won == 10 && right == m, "%d bidders, %d winners, %d placed right", m, won, right);
    free(sorted);
    free(score);
    free(who);
    zz_sim_close(b);
    free(sc);
}

/* A winner's reward: committed at the win, released on failure, paid
 * acceptance_days after a success. */
static void paid_on_accepted_success(void)
{
    zz_scenario *sc = contest(0.1, 1e12);
    zz_sim *b = world_sim(sc);
    CHECK(zz_sim_run(b) == 0);
    const zz_rep_result *r = b->res;
    int32_t won = 0, ok = 0;
    for (int k = 0; k < r->nrounds; k++)
        won += r->round_winners[k], ok += r->round_successes[k];
    CHECK(won == 10 && ok > 0 && ok < won);
    int paid = 0, all_adopted = 1;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++)
        if (zz_received(b, 0, f) > 0) {
            paid++;
            all_adopted &= b->firm[f].state >= ZZ_S_ADOPTED;
        }
    CHECKF(paid == ok && all_adopted, "%d paid, %d accepted successes", paid, ok);
    /* the failures' rewards went back */
    CHECK(b->prog[0].ledger.returned > 0);
    zz_sim_close(b);
    free(sc);
}

/* A winner whose pilot succeeded is owed its reward until the acceptance
 * review, whatever happens to another project meanwhile: a scale-up that
 * fails before the review (a project the contest holds nothing for) must
 * not release the pilot's reward, and the review then pays it. */
static void reward_kept_through_a_failed_scale_up(void)
{
    zz_scenario *sc = contest(0.1, 1e12);
    zz_sim *b = world_sim(sc);
    zz_inst *in = zz_fixture_inst(b, "contest");
    b->now = 59;
    CHECK(in->ops->event(b, in, 0, 0, 0) == 0); /* opens round 1 */
    b->now = 120;
    CHECK(in->ops->event(b, in, 0, 1, 1) == 0); /* closes it: winners start */
    uint32_t f = 0;
    while (f < (uint32_t)world->n && b->firm[f].state != ZZ_S_IMPLEMENTING)
        f++;
    CHECK(f < (uint32_t)world->n);
    const zz_ledger *l = &b->prog[0].ledger;
    CHECK(zz_settle_project(b, f, 1) == 0); /* the pilot succeeds */
    double returned = l->returned, committed = l->committed;
    CHECK(zz_settle_project(b, f, 0) == 0); /* a later project fails */
    CHECKF(l->returned == returned && l->committed == committed,
           "a failed later project released %g of the pilot's reward", l->returned - returned);
    CHECK(in->ops->event(b, in, 0, 2, f) == 0); /* the acceptance review */
    CHECKF(zz_received(b, 0, f) > 0 && l->committed < committed, "received %g", zz_received(b, 0, f));
    zz_sim_close(b);
    free(sc);
}

/* Who bids: an aware eligible firm that can finance its project bids when
 * P(its score beats the field's K-th best capability) x perceived success
 * x the reward exceeds the bid cost, counted here by hand on the full
 * valuation of every such firm (the round looks only at the firms that
 * could clear the bid cost at the highest perceived success and the
 * largest reward). With `sure`, every firm perceives success_max and a
 * small cap makes every reward the cap, so that the firms that bid are
 * exactly those the round's capability cut lets through: a cut set too
 * high loses the firms just above it. */
static void bidders_by_hand(int sure)
{
    const double noise = 0.3, bid_cost = 20000, rate = 0.5, cap = sure ? 1e5 : 5e6;
    const int winners = 10;
    zz_scenario *sc = contest(noise, 1e12);
    if (sure) { /* a belief above the ceiling, the same for every readiness */
        sc->cfg.decision.belief_mean = 0.99;
        sc->cfg.decision.true_success_readiness = 0;
    }
    zz_fixture_set(&sc->cfg.programme[0], "bid_cost", bid_cost);
    zz_fixture_set(&sc->cfg.programme[0], "reward_rate", rate);
    zz_fixture_set(&sc->cfg.programme[0], "reward_cap", cap);
    zz_sim *b = world_sim(sc);
    zz_inst *in = zz_fixture_inst(b, "contest");
    b->now = 59;
    double *field = malloc((size_t)world->n * sizeof *field);
    int m = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++)
        if (zz_firm_aware(b, f) && zz_prog_eligible(b, 0, f))
            field[m++] = world->capability[f];
    gsl_sort(field, 1, (size_t)m);
    const double bar = field[m - winners], spread = sqrt(2.0) * noise;
    int bids = 0;
    for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
        if (!zz_firm_aware(b, f) || !zz_prog_eligible(b, 0, f))
            continue;
        zz_valuation v;
        zz_value_project(b, f, &v);
        double win = gsl_cdf_ugaussian_P((world->capability[f] - bar) / spread);
        bids += v.can_finance && win * v.perceived_success * fmin(rate * v.cost, cap) > bid_cost;
    }
    CHECK(in->ops->event(b, in, 0, 0, 0) == 0); /* opens round 1 */
    in->ops->record(b, in, b->res);
    CHECKF(bids > 20 && bids < m - 20 && b->res->round_bids[0] == bids,
           "%d of %d firms bid by hand, %g in the round", bids, m, (double)b->res->round_bids[0]);
    free(field);
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    jury_picks_the_best();
    bidders_by_hand(0);
    bidders_by_hand(1);
    paid_on_accepted_success();
    reward_kept_through_a_failed_scale_up();
    zz_population_free(world);
    return zz_test_finish();
}
