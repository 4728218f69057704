/*
 * 揭榜挂帅 contests. A round publishes a challenge list (industries, cities)
 * with K winners. Eligible aware non-adopters decide to bid: expected reward
 * x perceived success x win chance against the bid cost. At the close, bids
 * are scored on capability plus jury noise; the best K whose reward the pot
 * can still commit win and implement at once. On a successful (accepted)
 * project the reward min(reward_rate x actual investment, reward_cap) is
 * paid; on failure it returns to the pot. A benchmark is publicised: its
 * outcome, success or failure, is seen by every firm of its industry as
 * decision.learn_publicity observations (model/learning.c), so a contest
 * moves beliefs toward the success of benchmark projects, not above it.
 */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/date.h"
#include "engine/grow.h"
#include "policy/instrument.h"

typedef struct contest_cfg {
    double opens, closes;     /* application window, days                  */
    double reward_rate, reward_cap, bid_cost, jury_noise;
    double acceptance_days;
    double round_interval;    /* days between round openings               */
    int winners, rounds;
} contest_cfg;
ZZ_OWN_FITS(contest_cfg);
#define KC(sim, g) ZZ_OWN_CFG(const contest_cfg, &(sim)->cfg.programme[g])

enum { OPEN, CLOSE, ACCEPT };

/* per programme: the round in progress and statistics by round */
typedef struct contest_state {
    int round_open, rounds_opened;
    uint32_t *bidders;
    int nbidders;
    size_t cap_bidders;
    int32_t bids[ZZ_MAX_ROUNDS], winners[ZZ_MAX_ROUNDS], successes[ZZ_MAX_ROUNDS];
    double rewards[ZZ_MAX_ROUNDS];
} contest_state;

/* per firm: the reward a winner is owed */
typedef struct contest_due {
    double due;
    uint8_t prog, round;
} contest_due;

static contest_due *due_of(zz_inst *in, uint32_t f) { return (contest_due *)in->firm + f; }

/* Row of the round now open in the per-round statistics: rounds opened by
 * scenario actions beyond those the output reports add to its last row. */
static int round_index(const zz_sim *sim, const contest_state *ps)
{
    int last = sim->res && sim->res->nrounds > 0 ? sim->res->nrounds - 1 : 0;
    if (last >= ZZ_MAX_ROUNDS)
        last = ZZ_MAX_ROUNDS - 1;
    int r = ps->rounds_opened - 1;
    return r < 0 ? 0 : r < last ? r : last;
}

static double reward(const contest_cfg *c, double invest)
{
    return fmin(c->reward_rate * invest, c->reward_cap);
}

static int push_bidder(contest_state *ps, uint32_t f)
{
    uint32_t *b = zz_grow(ps->bidders, &ps->cap_bidders, (size_t)ps->nbidders + 1, sizeof *b);
    if (!b)
        return -1;
    ps->bidders = b;
    ps->bidders[ps->nbidders++] = f;
    return 0;
}

typedef struct scored {
    double score;
    uint32_t firm;
} scored;

/* best score first; ties by firm index */
static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->firm < y->firm ? -1 : x->firm > y->firm;
}

static int close_round(zz_sim *sim, zz_inst *in, int g)
{
    const contest_cfg *c = KC(sim, g);
    contest_state *ps = zz_prog_own(sim, g);
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
        gsl_rng *r = zz_rng_at(&sim->rng, f, in->ops->stream, (uint32_t)ps->rounds_opened);
        s[n].score = sim->pop->capability[f] + gsl_ran_gaussian(r, c->jury_noise);
        s[n].firm = f;
        n++;
    }
    qsort(s, (size_t)n, sizeof *s, by_score);
    int won = 0, rc = 0;
    for (int b = 0; b < n && won < c->winners && !rc; b++) {
        uint32_t f = s[b].firm;
        zz_valuation v;
        zz_value_project(sim, f, &v);
        double a = reward(c, v.cost);
        double got = zz_ledger_commit(zz_prog_ledger(sim, g), a, a);
        if (got <= 0)
            break; /* the pot cannot fund another benchmark project */
        *due_of(in, f) = (contest_due){got, (uint8_t)g, (uint8_t)round_index(sim, ps)};
        zz_firm_mark_due(sim, in, f);
        rc = zz_start_project(sim, f, &v);
        won++;
    }
    ps->winners[round_index(sim, ps)] += won;
    free(s);
    return rc;
}

/* Opens a round (closing one still open: its own close event, tagged with
 * its round number, then finds nothing to do) and schedules its close. */
static int open_round(zz_sim *sim, zz_inst *in, int g)
{
    const contest_cfg *c = KC(sim, g);
    contest_state *ps = zz_prog_own(sim, g);
    const zz_population *p = sim->pop;
    if (!sim->cfg.programme[g].enabled)
        return 0;
    if (ps->round_open && close_round(sim, in, g))
        return sim->rc;
    ps->round_open = 1;
    ps->nbidders = 0;
    ps->rounds_opened++;
    if (zz_programme_at(sim, g, sim->now + (c->closes - c->opens), CLOSE, (uint32_t)ps->rounds_opened))
        return sim->rc;
    if (zz_ledger_available(zz_prog_ledger(sim, g)) <= 0 || c->winners <= 0)
        return 0;
    /* Firms know the field: a firm expects to win if its capability beats
     * the K-th best of the eligible firms, blurred by the jury's noise
     * (the difference of two noisy scores has sd sqrt(2) x jury_noise).
     * The bar is the K-th eligible firm down the population's capability
     * order (0 unless a K+1-th exists): a walk from the top that stops. */
    double bar = 0;
    int64_t seen = 0;
    for (int64_t r = 0; r < p->n && seen <= c->winners; r++) {
        uint32_t f = p->by_capability[r];
        if (!zz_firm_aware(sim, f) || !zz_prog_eligible(sim, g, f))
            continue;
        if (++seen == c->winners)
            bar = p->capability[f];
    }
    if (seen <= c->winners)
        bar = 0;
    const double spread = fmax(1e-9, M_SQRT2 * c->jury_noise);
    const double success_max = sim->cfg.decision.success_max;
    /* Below capability `cut` a firm could not expect more than the bid
     * costs even with the largest reward and the highest perceived success
     * (win falls with capability): it is not looked at. The margin keeps
     * rounding from ever excluding a firm the test below would keep. */
    double q = c->bid_cost / (success_max * c->reward_cap), cut = -INFINITY;
    if (q >= 1)
        cut = INFINITY;
    else if (q > 0)
        cut = bar + spread * gsl_cdf_ugaussian_Pinv(q) - 1e-6;
    for (uint32_t f = 0; f < (uint32_t)p->n; f++) {
        if (p->capability[f] < cut || !zz_firm_aware(sim, f) || !zz_prog_eligible(sim, g, f))
            continue;
        zz_valuation v;
        zz_value_project_until(sim, f, 0, ZZ_VALUE_COST, &v);
        double win = gsl_cdf_ugaussian_P((p->capability[f] - bar) / spread);
        /* Perceived success is at most success_max: a firm that could not
         * expect more than the bid costs even then does not bid, and is
         * not valued further. */
        if (!(win * success_max * reward(c, v.cost) > c->bid_cost))
            continue;
        zz_value_project_until(sim, f, 0, ZZ_VALUE_PROSPECTS, &v);
        double gain = win * v.perceived_success * reward(c, v.cost);
        if (gain > c->bid_cost && v.can_finance && push_bidder(ps, f))
            return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for contest bids");
    }
    ps->bids[round_index(sim, ps)] += ps->nbidders;
    return 0;
}

static int accept(zz_sim *sim, zz_inst *in, uint32_t f)
{
    contest_due *d = due_of(in, f);
    if (d->due <= 0)
        return 0;
    int g = d->prog;
    contest_state *ps = zz_prog_own(sim, g);
    zz_pay(sim, g, f, d->due);
    ps->successes[d->round]++;
    ps->rewards[d->round] += d->due;
    d->due = 0;
    return 0;
}

static int event(zz_sim *sim, zz_inst *in, int g, int tag, uint32_t id)
{
    contest_state *ps = zz_prog_own(sim, g);
    switch (tag) {
    case OPEN: return open_round(sim, in, g);
    /* only the round this close belongs to; an earlier one was closed when
     * a later round opened */
    case CLOSE: return ps->round_open && id == (uint32_t)ps->rounds_opened ? close_round(sim, in, g) : 0;
    default: return accept(sim, in, id);
    }
}

/* The project ended: a failure releases the reward at once; a success is
 * paid after the acceptance review, acceptance_days later (still under
 * review at the end of the run: it stays committed). */
static int settle(zz_sim *sim, zz_inst *in, uint32_t f, int success)
{
    contest_due *d = due_of(in, f);
    if (d->due <= 0)
        return 0;
    zz_learn_publicise(sim); /* a benchmark: its outcome is publicised */
    if (!success) {
        zz_ledger_release(zz_prog_ledger(sim, d->prog), d->due);
        d->due = 0;
        return 0;
    }
    return zz_programme_at(sim, d->prog, sim->now + KC(sim, d->prog)->acceptance_days, ACCEPT, f);
}

static int open(zz_sim *sim, zz_inst *in)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        const contest_cfg *c = KC(sim, g);
        if (!sim->cfg.programme[g].enabled)
            continue;
        for (int k = 0; k < c->rounds; k++)
            if (zz_programme_at(sim, g, c->opens + c->round_interval * k, OPEN, 0))
                return sim->rc;
    }
    return 0;
}

static void record(zz_sim *sim, zz_inst *in, zz_rep_result *res)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        const contest_state *ps = zz_prog_own(sim, g);
        for (int k = 0; k < res->nrounds; k++) {
            size_t i = (size_t)g * res->nrounds + k;
            res->round_bids[i] = ps->bids[k];
            res->round_winners[i] = ps->winners[k];
            res->round_successes[i] = ps->successes[k];
            res->round_rewards[i] = ps->rewards[k];
        }
    }
}

static void close_run(zz_sim *sim, zz_inst *in)
{
    for (int j = 0; j < in->nprog; j++) {
        contest_state *ps = zz_prog_own(sim, in->prog[j]);
        if (ps)
            free(ps->bidders);
    }
}

static int rounds(const zz_programme_cfg *g) { return ZZ_OWN_CFG(const contest_cfg, g)->rounds; }

static int check(const zz_config *cfg, const zz_programme_cfg *g, char *msg, size_t len)
{
    const contest_cfg *c = ZZ_OWN_CFG(const contest_cfg, g);
    char a[11], b[11];
    zz_date_format(cfg->start_day + (int64_t)floor(c->opens), a);
    zz_date_format(cfg->start_day + (int64_t)floor(c->closes), b);
    if (c->closes <= c->opens) {
        snprintf(msg, len, "closes (%s) must come after opens (%s); give both dates", b, a);
        return 1;
    }
    if (c->opens < 0) {
        snprintf(msg, len, "opens (%s) is before the scenario starts (%s)", a, cfg->start);
        return 1;
    }
    return 0;
}

/* the first round that opens after the run's end: it never opens, and the
 * results are those without it */
static int late(const zz_config *cfg, const zz_programme_cfg *g, char *msg, size_t len)
{
    const contest_cfg *c = ZZ_OWN_CFG(const contest_cfg, g);
    for (int k = 0; k < c->rounds; k++) {
        double day = c->opens + c->round_interval * k;
        if (day > cfg->horizon) {
            char a[11];
            zz_date_format(cfg->start_day + (int64_t)floor(day), a);
            snprintf(msg, len, "round %d of %d opens %s", k + 1, c->rounds, a);
            return 1;
        }
    }
    return 0;
}

#define ROW(f, m, t, lo, hi, def, flags, doc) ZZ_ROW(f, contest_cfg, m, t, lo, hi, def, flags, doc)
static const zz_param rows[] = {
    ROW("opens", opens, ZZ_PT_DATE, 0, 0, 0, 0, "first day of the application window"),
    ROW("closes", closes, ZZ_PT_DATE, 0, 0, 0, 0, "last day of the application window (required: after opens)"),
    ROW("winners", winners, ZZ_PT_INTEGER, 0, 1e5, 30, ZZ_PF_LIVE | ZZ_PF_SCALES,
        "winners per round (FACTS 004: 30 benchmark projects a year)"),
    ROW("reward_rate", reward_rate, ZZ_PT_NUMBER, 0, 0.5, 0.5, ZZ_PF_LIVE,
        "reward / actual investment (MODEL.md, FACTS 000: at most 50%)"),
    ROW("reward_cap", reward_cap, ZZ_PT_NUMBER, 0, 1e12, 5e6, ZZ_PF_LIVE, "largest reward, yuan"),
    ROW("bid_cost", bid_cost, ZZ_PT_NUMBER, 0, 1e9, 50000, ZZ_PF_LIVE, "a firm's cost of bidding, yuan"),
    ROW("jury_noise", jury_noise, ZZ_PT_NUMBER, 0, 10, 0.1, ZZ_PF_LIVE, "spread of the jury's error in scoring"),
    ROW("acceptance_days", acceptance_days, ZZ_PT_NUMBER, 0, 3650, 60, ZZ_PF_LIVE,
        "days from completion to the acceptance review"),
    ROW("rounds", rounds, ZZ_PT_INTEGER, 1, 100, 1, 0, "rounds in all, one every round_interval"),
    ROW("round_interval", round_interval, ZZ_PT_NUMBER, 1, 3650, 365, 0, "days between round openings"),
    ZZ_STAGE_ROW,
};

const zz_instrument zz_contest = {
    .word = "contest", .named = 1, .stream = 7, /* bids' jury noise */
    .title = "揭榜挂帅 contest: K winners implement at once; reward on accepted success",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = sizeof(contest_due), .prog_bytes = sizeof(contest_state),
    .rounds = rounds, .check = check, .late = late,
    .open = open, .event = event, .open_round = open_round, .on_finish = settle,
    .record = record, .close = close_run,
};
