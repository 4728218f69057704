/*
 * 揭榜挂帅 contests. A round publishes a challenge list (industries, cities)
 * with K winners. Eligible aware non-adopters decide to bid: expected reward
 * x perceived success x win chance against the bid cost. At the close, bids
 * are scored on capability plus jury noise; the best K whose reward the pot
 * can still commit win and implement at once. On a successful (accepted)
 * project the reward min(reward_rate x actual investment, reward_cap) is
 * paid; on failure it returns to the pot. Each success raises the perceived
 * success probability of its industry's firms, more in its own city,
 * decaying with a half-life.
 */
#include "sim.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort_double.h>
#include <math.h>
#include <stdlib.h>

#include "policy/policy.h"

/* Row of the round now open in the per-round statistics: rounds opened by
 * scenario actions beyond those the output reports add to its last row. */
static int round_index(const zz_sim *sim, const zz_prog_state *ps)
{
    int last = sim->res && sim->res->nrounds > 0 ? sim->res->nrounds - 1 : 0;
    if (last >= ZZ_MAX_ROUNDS)
        last = ZZ_MAX_ROUNDS - 1;
    int r = ps->rounds_opened - 1;
    return r < 0 ? 0 : r < last ? r : last;
}

static double reward(const zz_programme_cfg *pc, double invest)
{
    return fmin(pc->reward_rate * invest, pc->reward_cap);
}

static int push_bidder(zz_prog_state *ps, uint32_t f)
{
    if (ps->nbidders == ps->cap_bidders) {
        int cap = ps->cap_bidders ? 2 * ps->cap_bidders : 256;
        uint32_t *b = realloc(ps->bidders, (size_t)cap * sizeof *b);
        if (!b)
            return -1;
        ps->bidders = b;
        ps->cap_bidders = cap;
    }
    ps->bidders[ps->nbidders++] = f;
    return 0;
}

int zz_contest_open(zz_sim *sim, int g)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    zz_prog_state *ps = &sim->prog[g];
    const zz_population *p = sim->pop;
    /* A new round closes one still open (its own close event, tagged with
     * its round number, then finds nothing to do). */
    if (ps->round_open && zz_contest_close(sim, g))
        return sim->rc;
    ps->round_open = 1;
    ps->nbidders = 0;
    ps->rounds_opened++;
    if (zz_ledger_available(&ps->ledger) <= 0 || pc->winners <= 0)
        return 0;
    /* Firms know the field: a firm expects to win if its capability beats
     * the K-th best of the eligible firms, blurred by the jury's noise
     * (the difference of two noisy scores has sd sqrt(2) x jury_noise). */
    double *cap = malloc((size_t)p->n * sizeof *cap), bar = 0;
    if (!cap)
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for contest bids");
    size_t m = 0;
    for (uint32_t f = 0; f < (uint32_t)p->n; f++)
        if ((sim->firm[f].dflags & ZZ_D_AWARE) && zz_prog_eligible(sim, g, f))
            cap[m++] = p->capability[f];
    if (m > (size_t)pc->winners) {
        double *top = malloc((size_t)pc->winners * sizeof *top);
        if (!top) {
            free(cap);
            return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for contest bids");
        }
        gsl_sort_largest(top, (size_t)pc->winners, cap, 1, m);
        bar = top[pc->winners - 1];
        free(top);
    }
    free(cap);
    const double spread = fmax(1e-9, M_SQRT2 * pc->jury_noise);
    for (uint32_t f = 0; f < (uint32_t)p->n; f++) {
        if (!(sim->firm[f].dflags & ZZ_D_AWARE) || !zz_prog_eligible(sim, g, f))
            continue;
        zz_valuation v;
        zz_value_project(sim, f, &v);
        double win = gsl_cdf_ugaussian_P((p->capability[f] - bar) / spread);
        double gain = win * v.perceived_success * reward(pc, v.cost);
        if (gain > pc->bid_cost && v.can_finance) {
            if (push_bidder(ps, f))
                return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for contest bids");
        }
    }
    ps->bids += ps->nbidders;
    ps->round_bids[round_index(sim, ps)] += ps->nbidders;
    return 0;
}

int zz_contest_round(const zz_sim *sim, int g)
{
    return sim->prog[g].rounds_opened;
}

typedef struct scored {
    double score;
    uint32_t firm;
} scored;

static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->firm < y->firm ? -1 : x->firm > y->firm;
}

int zz_contest_close(zz_sim *sim, int g)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    zz_prog_state *ps = &sim->prog[g];
    ps->round_open = 0;
    if (ps->nbidders == 0)
        return 0;
    scored *s = malloc((size_t)ps->nbidders * sizeof *s);
    if (!s)
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory scoring contest bids");
    int n = 0;
    for (int b = 0; b < ps->nbidders; b++) {
        uint32_t f = ps->bidders[b];
        if (sim->firm[f].state != ZZ_S_NONE)
            continue; /* started a project of its own meanwhile */
        gsl_rng *r = zz_rng_at(&sim->rng, f, ZZ_RNG_CONTEST, (uint32_t)ps->rounds_opened);
        s[n].score = sim->pop->capability[f] + gsl_ran_gaussian(r, pc->jury_noise);
        s[n].firm = f;
        n++;
    }
    qsort(s, (size_t)n, sizeof *s, by_score);
    int won = 0;
    for (int b = 0; b < n && won < pc->winners; b++) {
        uint32_t f = s[b].firm;
        zz_valuation v;
        zz_value_project(sim, f, &v);
        double a = reward(pc, v.cost);
        double got = zz_ledger_commit(&ps->ledger, a, a);
        if (got <= 0)
            break; /* the pot cannot fund another benchmark project */
        sim->reward_due[f] = got;
        sim->reward_prog[f] = (uint8_t)g;
        sim->firm[f].dflags |= ZZ_D_WINNER;
        sim->round_of[f] = (uint8_t)round_index(sim, ps);
        zz_start_implementation(sim, f, &v);
        won++;
    }
    ps->winners += won;
    ps->round_winners[round_index(sim, ps)] += won;
    free(s);
    return 0;
}

/* Decayed stock at `now` of a stock last set at t. */
static double decayed(double stock, double t, double now, double half_life)
{
    return half_life > 0 ? stock * exp2(-(now - t) / half_life) : stock;
}

/* The project ended: a failure releases the reward at once; a success is
 * paid after the acceptance review, acceptance_days later. */
void zz_contest_settle(zz_sim *sim, uint32_t f, int success)
{
    double due = sim->reward_due[f];
    if (due <= 0)
        return;
    int g = sim->reward_prog[f];
    if (!success) {
        sim->reward_due[f] = 0;
        zz_ledger_release(&sim->prog[g].ledger, due);
        return;
    }
    double t = sim->now + sim->cfg.programme[g].acceptance_days;
    if (t > sim->cfg.horizon)
        return; /* still under review at the end: stays committed */
    zz_queue_push(&sim->queue, (zz_event){t, f, ZZ_EV_ACCEPT, 0});
}

void zz_contest_accept(zz_sim *sim, uint32_t f)
{
    double due = sim->reward_due[f];
    if (due <= 0)
        return;
    int g = sim->reward_prog[f];
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    zz_prog_state *ps = &sim->prog[g];
    sim->reward_due[f] = 0;
    zz_pay(sim, g, f, due);
    ps->successes++;
    ps->rewards += due;
    ps->round_successes[sim->round_of[f]]++;
    ps->round_rewards[sim->round_of[f]] += due;
    /* Demonstration: one more live success in the industry, weighted more
     * in the winner's own city. */
    const zz_population *p = sim->pop;
    int i = p->industry[f], ci = p->city[f] * p->nindustries + i;
    sim->demo_i[i] = decayed(sim->demo_i[i], sim->demo_i_t[i], sim->now, pc->demo_half_life) + pc->demo_boost;
    sim->demo_i_t[i] = sim->now;
    sim->demo_ci[ci] = decayed(sim->demo_ci[ci], sim->demo_ci_t[ci], sim->now, pc->demo_half_life) +
                       pc->demo_boost * (pc->demo_city_mult - 1);
    sim->demo_ci_t[ci] = sim->now;
    sim->demo_half_life = pc->demo_half_life;
}

double zz_contest_demo(zz_sim *sim, uint32_t f)
{
    const zz_population *p = sim->pop;
    int i = p->industry[f], ci = p->city[f] * p->nindustries + i;
    double hl = sim->demo_half_life;
    return decayed(sim->demo_i[i], sim->demo_i_t[i], sim->now, hl) +
           decayed(sim->demo_ci[ci], sim->demo_ci_t[ci], sim->now, hl);
}
