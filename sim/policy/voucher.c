/*
 * Compute, model, corpus and scenario vouchers (算力券, 模型券, 语料券,
 * 场景券). Each covers its own cost component: min(rate x component, cap).
 * A firm applies at a review, the application is decided review_days later,
 * first come first served until the pot is committed; the voucher is valid
 * for valid_days and, unused, returns to the pot.
 */
#include "sim.h"

#include <math.h>

#include "policy/policy.h"

static int voucher_kind(int instrument)
{
    return instrument >= ZZ_VOUCHER_COMPUTE && instrument <= ZZ_VOUCHER_SCENARIO
               ? instrument - ZZ_VOUCHER_COMPUTE
               : -1;
}

/* The cost component a voucher kind covers. */
static const int covered_component[4] = {ZZ_C_COMPUTE, ZZ_C_MODEL, ZZ_C_DATA, ZZ_C_INTEGRATION};

static double award_of(const zz_sim *sim, int g, uint32_t f, int k)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    double cost = fmax(d->cost_min, d->cost_share[sim->pop->size[f]] * sim->pop->revenue[f]);
    double component = d->component_share[covered_component[k]] * cost;
    return fmin(fmin(pc->rate * component, pc->cap), zz_firm_room(sim, g, f));
}

/* The programme that would award voucher kind k to firm f now (the first
 * eligible one whose pot can pay the award), or -1; the firm must lack
 * that kind. */
static int offer(const zz_sim *sim, uint32_t f, int k, double *award)
{
    const zz_voucher_hold *h = &sim->vouchers[f];
    if (h->amount[k] > 0)
        return -1;
    for (int g = 0; g < sim->cfg.nprogrammes; g++) {
        if (voucher_kind(sim->cfg.programme[g].kind) != k || !zz_prog_eligible(sim, g, f))
            continue;
        double a = award_of(sim, g, f, k);
        if (a > 0 && zz_ledger_available(&sim->prog[g].ledger) >= a) {
            *award = a;
            return g;
        }
    }
    return -1;
}

double zz_voucher_prospect(const zz_sim *sim, uint32_t f)
{
    double sum = 0, a;
    for (int k = 0; k < 4; k++)
        if (offer(sim, f, k, &a) >= 0)
            sum += a;
    return sum;
}

double zz_voucher_apply(zz_sim *sim, uint32_t f)
{
    zz_voucher_hold *h = &sim->vouchers[f];
    double delay = -1, a;
    for (int k = 0; k < 4; k++) {
        int g = offer(sim, f, k, &a);
        if (g < 0)
            continue;
        h->applied |= (uint8_t)(1u << k);
        h->programme[k] = (uint8_t)g;
        delay = fmax(delay, sim->cfg.programme[g].review_days);
    }
    return delay;
}

/* First come, first served: what the pot can no longer pay is refused. */
void zz_voucher_decide(zz_sim *sim, uint32_t f)
{
    zz_voucher_hold *h = &sim->vouchers[f];
    for (int k = 0; k < 4; k++) {
        if (!(h->applied >> k & 1u))
            continue;
        int g = h->programme[k];
        const zz_programme_cfg *pc = &sim->cfg.programme[g];
        double award = award_of(sim, g, f, k);
        h->amount[k] = zz_ledger_commit(&sim->prog[g].ledger, award, award);
        if (h->amount[k] > 0)
            sim->vexpiry[f] = fminf(sim->vexpiry[f], (float)(sim->now + pc->valid_days));
    }
    h->applied = 0;
}

double zz_voucher_held(const zz_sim *sim, uint32_t f)
{
    const zz_voucher_hold *h = &sim->vouchers[f];
    return h->amount[0] + h->amount[1] + h->amount[2] + h->amount[3];
}

void zz_voucher_redeem(zz_sim *sim, uint32_t f)
{
    zz_voucher_hold *h = &sim->vouchers[f];
    for (int k = 0; k < 4; k++) {
        if (h->amount[k] > 0)
            zz_pay(sim, h->programme[k], f, h->amount[k]);
        h->amount[k] = 0;
    }
    sim->vexpiry[f] = INFINITY;
}

void zz_voucher_expire(zz_sim *sim, uint32_t f)
{
    if (sim->now < sim->vexpiry[f])
        return;
    zz_voucher_hold *h = &sim->vouchers[f];
    for (int k = 0; k < 4; k++) {
        if (h->amount[k] > 0)
            zz_ledger_release(&sim->prog[h->programme[k]].ledger, h->amount[k]);
        h->amount[k] = 0;
    }
    sim->vexpiry[f] = INFINITY;
}

double zz_voucher_expiry(const zz_sim *sim, uint32_t f)
{
    return sim->vexpiry[f];
}
