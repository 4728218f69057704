/*
 * Investment subsidy (智能化改造 reward): rate x investment, capped, paid
 * after a successful completion. The firm counts on it when valuing the
 * project if the pot can cover it; the money is committed when the project
 * starts and paid or released when it ends.
 */
#include "sim.h"

#include <math.h>

#include "policy/policy.h"

static double award(const zz_sim *sim, int g, uint32_t f, double cost)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    return fmin(fmin(pc->rate * cost, pc->cap), zz_firm_room(sim, g, f));
}

double zz_subsidy_expected(const zz_sim *sim, uint32_t f, double cost)
{
    for (int g = 0; g < sim->cfg.nprogrammes; g++) {
        const zz_programme_cfg *pc = &sim->cfg.programme[g];
        if (pc->kind != ZZ_SUBSIDY_INVESTMENT || !zz_prog_eligible(sim, g, f))
            continue;
        double a = award(sim, g, f, cost);
        if (a > 0 && zz_ledger_available(&sim->prog[g].ledger) >= a)
            return a;
    }
    return 0;
}

void zz_subsidy_commit(zz_sim *sim, uint32_t f, double cost)
{
    if (!sim->subsidy_due)
        return;
    sim->subsidy_due[f] = 0;
    for (int g = 0; g < sim->cfg.nprogrammes; g++) {
        const zz_programme_cfg *pc = &sim->cfg.programme[g];
        if (pc->kind != ZZ_SUBSIDY_INVESTMENT || !zz_prog_eligible(sim, g, f))
            continue;
        double a = award(sim, g, f, cost);
        double got = a > 0 ? zz_ledger_commit(&sim->prog[g].ledger, a, a) : 0;
        if (got > 0) {
            sim->subsidy_due[f] = got;
            sim->subsidy_prog[f] = (uint8_t)g;
            return;
        }
    }
}

void zz_subsidy_settle(zz_sim *sim, uint32_t f, int success)
{
    if (!sim->subsidy_due)
        return;
    double due = sim->subsidy_due[f];
    if (due <= 0)
        return;
    int g = sim->subsidy_prog[f];
    if (success)
        zz_pay(sim, g, f, due);
    else
        zz_ledger_release(&sim->prog[g].ledger, due);
    sim->subsidy_due[f] = 0;
}
