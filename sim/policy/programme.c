/* Who a programme or a target group covers, and the programme calendar. */
#include "sim.h"

#include <math.h>

#include "policy/policy.h"

int zz_filter_match(const zz_sim *sim, const zz_filter *flt, uint32_t f)
{
    const zz_population *p = sim->pop;
    int c = p->city[f], i = p->industry[f];
    if (flt->cities && !(flt->cities >> c & 1u))
        return 0;
    if (flt->industries && !(flt->industries >> i & 1u))
        return 0;
    if (flt->sizes && !(flt->sizes >> p->size[f] & 1u))
        return 0;
    if (flt->gsz_only && !(p->flags[f] & ZZ_F_GSZ))
        return 0;
    if (flt->states && !(flt->states >> sim->firm[f].state & 1u))
        return 0;
    if (flt->pioneer_only) {
        int hit = 0;
        for (int k = 0; k < sim->cfg.npioneers && !hit; k++)
            hit = sim->cfg.pioneer[k].city == c && sim->cfg.pioneer[k].industry == i;
        if (!hit)
            return 0;
    }
    return 1;
}

void zz_pay(zz_sim *sim, int g, uint32_t f, double amount)
{
    zz_ledger_pay(&sim->prog[g].ledger, amount);
    if (sim->received)
        sim->received[(size_t)g * (size_t)sim->pop->n + f] += amount;
}

double zz_received(const zz_sim *sim, int g, uint32_t f)
{
    return sim->received ? sim->received[(size_t)g * (size_t)sim->pop->n + f] : 0;
}

double zz_firm_room(const zz_sim *sim, int g, uint32_t f)
{
    double cap = sim->cfg.programme[g].firm_cap;
    return cap > 0 ? fmax(0, cap - zz_received(sim, g, f)) : INFINITY;
}

/* Programmes aimed at adoption cover non-adopters unless their filter says
 * otherwise. */
int zz_prog_eligible(const zz_sim *sim, int g, uint32_t f)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    if (!pc->enabled || sim->now < pc->start || (pc->end >= 0 && sim->now >= pc->end))
        return 0;
    /* Without a states filter a programme reaches the stage it targets:
     * non-adopters (stage 0), or adopted firms not yet scaled (stage 1). */
    if (!pc->filter.states && sim->firm[f].state != (pc->stage ? ZZ_S_ADOPTED : ZZ_S_NONE))
        return 0;
    return zz_filter_match(sim, &pc->filter, f);
}

/* Fiscal year start: per-year pots lapse and are appropriated anew. */
void zz_policy_new_year(zz_sim *sim)
{
    for (int g = 0; g < sim->cfg.nprogrammes; g++)
        if (sim->cfg.programme[g].budget_per_year)
            zz_ledger_new_year(&sim->prog[g].ledger, sim->cfg.programme[g].budget);
}
