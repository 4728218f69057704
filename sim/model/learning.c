/*
 * Learning about success from observed outcomes (docs/model.md 6.1). A
 * firm's belief about the success probability of an AI project (at
 * readiness 0.5) is a Beta prior, mean m and strength k pseudo-
 * observations, updated by the outcomes of finished projects it can see:
 *
 *   belief = (m k + sum_c w_c s_c) / (k + sum_c w_c (s_c + f_c))
 *
 * over the channels c: its city x industry, its industry, the province
 * (each holding every outcome within it, so an outcome in the firm's own
 * cell is seen through all three), and, for a partner of a chain leader,
 * the leader's own projects. In the first three, s_c and f_c are the
 * successes and failures there per firm of the channel, and w_c is the
 * number of the channel's firms whose outcomes the firm follows: a firm
 * that follows 20 of its cell's firms sees 20 s_c successes in
 * expectation. So beliefs do not depend on how many firms a run
 * simulates (the calibration's 40,000 stand for the baseline's 120,000).
 * A leader's outcomes count one each (w_chain per outcome). Each outcome
 * is weighted 2^(-age / half_life), age in whole days (beliefs move day
 * by day: one decay factor serves every valuation of the day). A contest
 * benchmark's outcome is publicised besides: every firm of its industry,
 * province-wide, sees it as learn_publicity observations (a fifth channel,
 * by industry, one count per benchmark; 0: a benchmark is seen as any
 * other project).
 * With many observations the belief tends to the observed success
 * frequency whatever the prior, each further outcome moving it less; with
 * every weight zero it stays at the prior.
 *
 * The stocks start empty: the prior stands for what firms knew before the
 * run. They are kept as x 2^((day - t0) / h), so that an outcome is one
 * addition per channel and a read one multiplication by the day's factor;
 * t0 moves forward (every stock rescaled) before the scale grows too
 * large, and when a scenario changes the half-life.
 */
#include "sim.h"

#include <math.h>
#include <stdlib.h>

#include "sim_internal.h"

/* beyond 2^LIMIT the stocks are rescaled (far from a double's range) */
#define LIMIT 256.0

static size_t ncell_rows(const zz_population *p)
{
    /* city x industry, industry, province, publicised by industry */
    return (size_t)p->ncities * p->nindustries + 2 * (size_t)p->nindustries + 1;
}

int zz_learn_open(zz_sim *sim)
{
    zz_learning *L = &sim->learn;
    const zz_population *p = sim->pop;
    L->cell = calloc(2 * ncell_rows(p), sizeof *L->cell);
    if (p->leader)
        L->lead = calloc(2 * (size_t)p->n, sizeof *L->lead);
    L->t0 = 0;
    L->half_life = sim->cfg.decision.learn_half_life;
    L->day = -1;
    L->decay = 1;
    L->publicised = 0;
    return !L->cell || (p->leader && !L->lead) ? -1 : 0;
}

void zz_learn_close(zz_sim *sim)
{
    free(sim->learn.cell);
    free(sim->learn.lead);
}

/* Every stock to the scale of day `day` with half-life h. */
static void rebase(zz_sim *sim, double day, double h)
{
    zz_learning *L = &sim->learn;
    double x = exp2(-(day - L->t0) / L->half_life);
    for (size_t k = 0; k < 2 * ncell_rows(sim->pop); k++)
        L->cell[k] *= x;
    if (L->lead)
        for (size_t k = 0; k < 2 * (size_t)sim->pop->n; k++)
            L->lead[k] *= x;
    L->t0 = day;
    L->half_life = h;
}

/* The day's decay factor, current. */
static void learn_clock(zz_sim *sim)
{
    zz_learning *L = &sim->learn;
    const double h = sim->cfg.decision.learn_half_life;
    /* the same day, the same half-life (no floor() on this path) */
    if (sim->now >= L->day && sim->now < L->day + 1 && h == L->half_life)
        return;
    const double day = floor(sim->now);
    if (h != L->half_life || (day - L->t0) / h > LIMIT)
        rebase(sim, day, h);
    L->day = day;
    L->decay = exp2(-(day - L->t0) / h);
}

void zz_learn_publicise(zz_sim *sim)
{
    sim->learn.publicised = 1;
}

void zz_learn_outcome(zz_sim *sim, uint32_t f, int success)
{
    zz_learning *L = &sim->learn;
    learn_clock(sim);
    const zz_population *p = sim->pop;
    const zz_firm_attr *a = &sim->attr[f];
    const size_t CI = (size_t)p->ncities * p->nindustries, k = success ? 0 : 1;
    /* one outcome at day t0's scale: 2^((day - t0) / h) = 1 / decay */
    const double x = 1 / L->decay;
    /* per firm of the channel (none is empty: f is in all three) */
    L->cell[2 * a->ci + k] += x / sim->firms_ci[a->ci];
    L->cell[2 * (CI + a->industry) + k] += x / sim->firms_i[a->industry];
    L->cell[2 * (CI + p->nindustries) + k] += x / (double)p->n;
    if (L->lead && (a->flags & ZZ_F_LEADER))
        L->lead[2 * (size_t)f + k] += x;
    if (L->publicised)
        L->cell[2 * (CI + p->nindustries + 1 + a->industry) + k] += x;
    L->publicised = 0;
}

double zz_belief(zz_sim *sim, uint32_t f)
{
    const zz_learning *L = &sim->learn;
    const zz_decision_cfg *d = &sim->cfg.decision;
    learn_clock(sim);
    const zz_firm_attr *a = &sim->attr[f];
    const size_t CI = (size_t)sim->pop->ncities * sim->pop->nindustries;
    const int I = sim->pop->nindustries;
    const double *c = L->cell + 2 * (size_t)a->ci, *i = L->cell + 2 * (CI + a->industry),
                 *r = L->cell + 2 * (CI + I), *b = L->cell + 2 * (CI + I + 1 + a->industry);
    double s = d->learn_local * c[0] + d->learn_industry * i[0] + d->learn_province * r[0] +
               d->learn_publicity * b[0];
    double n = s + d->learn_local * c[1] + d->learn_industry * i[1] + d->learn_province * r[1] +
               d->learn_publicity * b[1];
    if (a->leader != ZZ_NO_LEADER && L->lead) {
        const double *l = L->lead + 2 * (size_t)a->leader;
        s += d->learn_chain * l[0];
        n += d->learn_chain * (l[0] + l[1]);
    }
    const double k = d->belief_strength;
    return (d->belief_mean * k + s * L->decay) / (k + n * L->decay);
}
