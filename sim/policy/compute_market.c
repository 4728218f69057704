/*
 * The regional compute market. Adopting and implementing firms use compute
 * in proportion to their project's compute cost; utilisation is that
 * demand over the capacity in place (the base plus scheduled expansions);
 * above `base_utilisation` the price a firm pays for compute rises
 * linearly, to at most `max_price` times the list price. Vouchers raise
 * demand through the adoptions they bring, and so the price others pay.
 */
#include "sim.h"

#include <math.h>

#include "policy/policy.h"

double zz_compute_capacity(const zz_sim *sim)
{
    const zz_compute_cfg *c = &sim->cfg.compute;
    double cap = c->capacity;
    for (int k = 0; k < c->nexpansions; k++)
        if (c->expansion_day[k] <= sim->now)
            cap += c->expansion_pflops[k];
    return cap;
}

double zz_compute_price(const zz_sim *sim)
{
    const zz_compute_cfg *c = &sim->cfg.compute;
    if (!c->enabled)
        return 1;
    double cap = zz_compute_capacity(sim);
    double u = cap > 0 ? sim->compute_demand / cap : INFINITY;
    double excess = fmax(0, (u - c->base_utilisation) / fmax(1e-9, 1 - c->base_utilisation));
    return fmin(c->max_price, 1 + c->price_elasticity * excess);
}

/* sign +1 when a project starts, -1 when it fails: demand follows the
 * firms that run AI. */
void zz_compute_use(zz_sim *sim, uint32_t f, int sign)
{
    const zz_compute_cfg *c = &sim->cfg.compute;
    if (!c->enabled || !sim->invest)
        return;
    double compute_cost = sim->cfg.decision.component_share[ZZ_C_COMPUTE] * sim->invest[f];
    sim->compute_demand += sign * c->pflops_per_myuan * compute_cost / 1e6;
    if (sim->compute_demand < 0)
        sim->compute_demand = 0;
}
