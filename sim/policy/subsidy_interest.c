/*
 * Loan interest subsidy (贷款贴息): the borrowed part costs `points`
 * percentage points less a year. The programme pays B x points/100 x
 * loan_years (capped), committed when the project starts and paid when it
 * ends, success or not (interest is owed either way). The cap limits the
 * money, so the effective cut may be smaller than the points. It applies
 * only if the firm is eligible and the pot can cover it.
 */
#include <math.h>

#include "policy/instrument.h"

typedef struct interest_cfg {
    double points, cap;
} interest_cfg;
ZZ_OWN_FITS(interest_cfg);

typedef struct interest_due {
    double due;
    uint8_t prog;
} interest_due;

static double amount(const zz_sim *sim, int g, double borrowed)
{
    const interest_cfg *c = ZZ_OWN_CFG(const interest_cfg, &sim->cfg.programme[g]);
    return fmin(borrowed * c->points / 100 * sim->cfg.decision.loan_years, c->cap);
}

/* The first eligible programme whose pot can cover the subsidy, or -1. */
static int find(zz_sim *sim, zz_inst *in, uint32_t f, double borrowed)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        double avail = zz_ledger_available(zz_prog_ledger(sim, g));
        if (avail > 0 && avail >= amount(sim, g, borrowed) && zz_prog_eligible(sim, g, f))
            return g;
    }
    return -1;
}

static void finance(zz_sim *sim, zz_inst *in, uint32_t f, zz_valuation *v)
{
    int g = find(sim, in, f, v->borrowed);
    if (g >= 0)
        v->rate -= amount(sim, g, v->borrowed) / (v->borrowed * sim->cfg.decision.loan_years);
}

static int commit(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    int g = v->borrowed > 0 ? find(sim, in, f, v->borrowed) : -1;
    if (g >= 0) {
        /* settle zeroed the last project's due: only a commitment writes
         * the firm's row, and marks it for settlement */
        double a = amount(sim, g, v->borrowed);
        *((interest_due *)in->firm + f) =
            (interest_due){zz_ledger_commit(zz_prog_ledger(sim, g), a, a), (uint8_t)g};
        zz_firm_mark_due(sim, in, f);
    }
    return 0;
}

static int settle(zz_sim *sim, zz_inst *in, uint32_t f, int success)
{
    interest_due *d = (interest_due *)in->firm + f;
    if (d->due > 0)
        zz_pay(sim, d->prog, f, d->due);
    d->due = 0;
    return 0;
}

static const zz_param rows[] = {
    ZZ_ROW("points", interest_cfg, points, ZZ_PT_NUMBER, 0, 20, 2.0, ZZ_PF_LIVE,
           "percentage points off the borrowing rate (assumption)"),
    ZZ_ROW("cap", interest_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 1e6, ZZ_PF_LIVE, "most paid for one loan, yuan"),
    ZZ_STAGE_ROW,
};

const zz_instrument zz_subsidy_interest = {
    .word = "subsidy", .variant = "interest",
    .title = "loan interest subsidy (贷款贴息): points off the rate on the borrowed part",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = sizeof(interest_due),
    .finance = finance, .on_start = commit, .on_finish = settle,
};
