/*
 * The `bass` rule: no economics, the validation and teaching case.
 *
 * Every firm reviews at exponential intervals of mean review_days and adopts
 * at a review with probability min(1, (p + q F) * review_days / 365), F the
 * adopted share of its peer group. Reviews being a Poisson process, the
 * adoption hazard is then exactly p + q F per year, whatever the review
 * interval (while the product stays below 1), so the mean path follows the
 * Bass closed form F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}).
 * With review_days = 365 the probability per review is p + q F, as written
 * in MODEL.md. Policies have no mechanism to act on under this rule.
 */
#include "sim.h"

#include <gsl/gsl_cdf.h>

/* This rule is the benchmark's hot loop, so a review takes both its numbers
 * from one Philox block addressed by (firm, k): the k-th decision and the
 * wait until review k+1. The first wait has its own address. */
#define FIRST_WAIT 0xffffffu

static void schedule_review(zz_sim *sim, uint32_t f, double u)
{
    double wait = gsl_cdf_exponential_Pinv(u, sim->cfg.decision.review_days);
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now + wait);
}

static int bass_start(zz_sim *sim)
{
    for (uint32_t f = 0; f < (uint32_t)sim->pop->n; f++)
        if (sim->firm[f].state == ZZ_S_NONE)
            schedule_review(sim, f, zz_rng_uniform(&sim->rng, f, ZZ_RNG_REVIEW, FIRST_WAIT));
    return 0;
}

static void bass_review(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    if (sim->firm[f].state != ZZ_S_NONE)
        return;
    double F = zz_firm_peer_share(sim, f, d->peers);
    double prob = (d->p + d->q * F) * (d->review_days / 365.0);
    double u[2];
    zz_rng_uniform2(&sim->rng, f, ZZ_RNG_DECIDE, sim->firm[f].reviews++, u);
    if (u[0] < prob)
        zz_firm_set_state(sim, f, ZZ_S_ADOPTED);
    else
        schedule_review(sim, f, u[1]);
}

const zz_rule_ops zz_rule_bass = {"bass", bass_start, bass_review};
