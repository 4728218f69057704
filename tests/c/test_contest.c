/*
 * 揭榜挂帅 contests, by mechanism: the jury takes the best scores (with no
 * jury noise: the most capable bidders); a winner's reward is paid only
 * after an accepted success, released on failure; whole runs: money only
 * to firms whose benchmark succeeded.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

#include "zz_world.h"

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
        gsl_rng *r = zz_rng_at(&b->rng, f, ZZ_RNG_CONTEST, 1);
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

int main(void)
{
    world_open();
    jury_picks_the_best();
    paid_on_accepted_success();
    zz_population_free(world);
    return zz_test_finish();
}
