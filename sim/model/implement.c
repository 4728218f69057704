/*
 * The implementation lifecycle: none -> implementing -> adopted (pilot),
 * or back to none on failure; adopted -> scaled for the scale-up, which a
 * firm implements while staying adopted. Money promised at the start is
 * paid or released at the end, by each instrument's own rule.
 */
#include "sim.h"

#include <gsl/gsl_randist.h>
#include <math.h>

#include "policy/instrument.h"
#include "policy/policy.h"

/* What instruments add to the firm's implementation capability. */
static zz_capability capability(zz_sim *sim, uint32_t f)
{
    zz_capability c = {0, 1};
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_CAPABILITY, i)
        i->ops->capability(sim, i, f, &c);
    return c;
}

int zz_commit_project(zz_sim *sim, uint32_t f, const zz_valuation *v)
{
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_ON_START, i)
        if (i->ops->on_start(sim, i, f, v))
            return sim->rc;
    return 0;
}

int zz_settle_project(zz_sim *sim, uint32_t f, int success)
{
    /* only instruments that hold something for this project settle it */
    const uint16_t owed = sim->firm[f].owed;
    sim->firm[f].owed = 0;
    ZZ_EACH_HOOKED(sim, ZZ_HOOK_ON_FINISH, i)
        if ((!i->due_bit || (owed & i->due_bit)) && i->ops->on_finish(sim, i, f, success))
            return sim->rc;
    return 0;
}

int zz_start_implementation(zz_sim *sim, uint32_t f, const zz_valuation *v)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    sim->invest[f] = (float)v->cost;
    /* instruments commit first: what they bring (a hire) shapes the time */
    if (zz_commit_project(sim, f, v))
        return sim->rc;
    if (v->scale) {
        sim->firm[f].dflags |= ZZ_D_SCALING;
    } else {
        zz_firm_set_state(sim, f, ZZ_S_IMPLEMENTING);
        zz_compute_use(sim, f, +1);
    }
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_IMPLEMENT, sim->firm[f].impls);
    double days = gsl_ran_gamma(g, d->impl_days_shape, d->impl_days_mean / d->impl_days_shape);
    days *= capability(sim, f).time;
    if (sim->firm[f].impls < UINT8_MAX)
        sim->firm[f].impls++;
    return zz_firm_schedule(sim, f, ZZ_EV_IMPL_DONE, sim->now + days);
}

/* The true success probability is a separate draw from what the firm
 * perceived: it rises with digital readiness and with the capability
 * instruments bring, not with peers' adoption. */
int zz_finish_implementation(zz_sim *sim, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    double ps = d->true_success_base + d->true_success_readiness * (sim->attr[f].readiness - 0.5);
    ps = fmin(0.99, fmax(0.01, ps + capability(sim, f).success));
    uint32_t k = sim->firm[f].impls ? sim->firm[f].impls - 1u : 0u;
    int success = zz_rng_uniform(&sim->rng, f, ZZ_RNG_SUCCESS, k) < ps;
    int scaling = (sim->firm[f].dflags & ZZ_D_SCALING) != 0;

    /* instruments settle first: a contest marks its benchmark publicised */
    if (zz_settle_project(sim, f, success))
        return sim->rc;
    zz_learn_outcome(sim, f, success);
    sim->firm[f].dflags &= (uint8_t)~ZZ_D_SCALING;
    if (success) {
        zz_firm_set_state(sim, f, scaling ? ZZ_S_SCALED : ZZ_S_ADOPTED);
        if (!scaling) {
            ZZ_EACH_HOOKED(sim, ZZ_HOOK_ON_ADOPT, i)
                if (i->ops->on_adopt(sim, i, f))
                    return sim->rc;
            return zz_schedule_scale_review(sim, f);
        }
        return 0;
    }
    if (sim->firm[f].failures < UINT8_MAX)
        sim->firm[f].failures++;
    if (scaling) /* a failed scale-up leaves the pilot in place */
        return zz_schedule_scale_review(sim, f);
    /* Failure: back to none, a cool-down before the next review, and a
     * higher hurdle (the "dare not invest" attitude hardens). */
    zz_compute_use(sim, f, -1);
    zz_firm_set_state(sim, f, ZZ_S_NONE);
    gsl_rng *g = zz_rng_at(&sim->rng, f, ZZ_RNG_REVIEW, sim->firm[f].reviews);
    double wait = d->cooldown_days + gsl_ran_exponential(g, d->review_days_size[sim->attr[f].size]);
    return zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now + wait);
}
