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

#include <gsl/gsl_randist.h>

static void schedule_review(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_REVIEW, sim->reviews[f]);
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now + gsl_ran_exponential(g, d->review_days));
}

static int bass_start(zz_sim *sim)
{
    for (uint32_t f = 0; f < (uint32_t)sim->pop->n; f++)
        if (sim->state[f] == ZZ_S_NONE)
            schedule_review(sim, f);
    return 0;
}

static void bass_review(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    if (sim->state[f] != ZZ_S_NONE)
        return;
    double F = zz_firm_peer_share(sim, f, d->peers);
    double prob = (d->p + d->q * F) * (d->review_days / 365.0);
    uint32_t k = sim->reviews[f]++;
    if (zz_rng_uniform(&sim->rng, f, ZZ_RNG_DECIDE, k) < prob)
        zz_firm_set_state(sim, f, ZZ_S_ADOPTED);
    else
        schedule_review(sim, f);
}

const zz_rule_ops zz_rule_bass = {"bass", bass_start, bass_review};
