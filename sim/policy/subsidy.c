/*
 * Investment subsidy (智能化改造 reward): rate x investment, capped, paid
 * after a successful completion. The firm counts on it when valuing the
 * project if the pot can cover it; the money is committed when the project
 * starts, paid on success and released on failure.
 */
#include <math.h>

#include "policy/instrument.h"

typedef struct subsidy_cfg {
    double rate, cap, firm_cap;
} subsidy_cfg;
ZZ_OWN_FITS(subsidy_cfg);
#define SC(pc) ZZ_OWN_CFG(const subsidy_cfg, pc)

typedef struct subsidy_due {
    double due;     /* committed for the current project */
    uint8_t prog;
} subsidy_due;

static subsidy_due *due_of(zz_inst *in, uint32_t f) { return (subsidy_due *)in->firm + f; }

static double award(const zz_sim *sim, int g, uint32_t f, double cost)
{
    const subsidy_cfg *c = SC(&sim->cfg.programme[g]);
    return fmin(fmin(c->rate * cost, c->cap), zz_firm_room(sim, g, f, c->firm_cap));
}

/* What the firm may expect for a project of this cost: the first eligible
 * programme whose pot can cover the award. */
static double expected(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        if (zz_ledger_available(zz_prog_ledger(sim, g)) <= 0 || !zz_prog_eligible(sim, g, f))
            continue;
        double a = award(sim, g, f, v->cost);
        if (a > 0 && zz_ledger_available(zz_prog_ledger(sim, g)) >= a)
            return a;
    }
    return 0;
}

static int commit(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        if (!zz_prog_eligible(sim, g, f))
            continue;
        double a = award(sim, g, f, v->cost);
        double got = a > 0 ? zz_ledger_commit(zz_prog_ledger(sim, g), a, a) : 0;
        if (got > 0) {
            /* settle zeroed the last project's due: only a commitment
             * writes the firm's row, and marks it for settlement */
            *due_of(in, f) = (subsidy_due){got, (uint8_t)g};
            zz_firm_mark_due(sim, in, f);
            return 0;
        }
    }
    return 0;
}

static int settle(zz_sim *sim, zz_inst *in, uint32_t f, int success)
{
    subsidy_due *d = due_of(in, f);
    if (d->due <= 0)
        return 0;
    if (success)
        zz_pay(sim, d->prog, f, d->due);
    else
        zz_ledger_release(zz_prog_ledger(sim, d->prog), d->due);
    d->due = 0;
    return 0;
}

static const zz_param rows[] = {
    ZZ_ROW("rate", subsidy_cfg, rate, ZZ_PT_NUMBER, 0, 1, 0.2, ZZ_PF_LIVE,
           "share of the investment paid (assumption: 智能化改造 rewards)"),
    ZZ_ROW("cap", subsidy_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 5e6, ZZ_PF_LIVE, "most paid for one project, yuan"),
    ZZ_ROW("firm_cap", subsidy_cfg, firm_cap, ZZ_PT_NUMBER, 0, 1e12, 0, ZZ_PF_LIVE,
           "most one firm receives across awards, yuan; 0 = no limit"),
    ZZ_STAGE_ROW,
};

const zz_instrument zz_subsidy_investment = {
    .word = "subsidy", .variant = "investment",
    .title = "investment subsidy (智能化改造 reward): rate x investment after a successful completion",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = sizeof(subsidy_due),
    .support = expected, .on_start = commit, .on_finish = settle,
};
