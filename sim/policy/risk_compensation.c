/*
 * Risk compensation (风险补偿): banks lend to a firm without credit access
 * because the programme will pay `loss_share` of the loan if the project
 * fails (capped). The liability rule: the pool reserves its full cover,
 * min(loss_share x loan, cap), as committed money while the loan is open,
 * from the project's start until the loan is repaid, decision.loan_years
 * after the start (at the project's success if that comes later); it is
 * paid out if the project fails (a default) and released at repayment. A
 * pool can so never back more loans than it could pay out on. The firm
 * counts as supported (zz_firm_mark_backed); cover still reserved at the
 * end of a run is a liability the fiscal cost counts (analysis: spent plus
 * committed of guarantee programmes). It applies only if the firm is
 * eligible and the pot can cover it.
 */
#include <math.h>

#include "policy/instrument.h"

typedef struct risk_cfg {
    double loss_share, cap;
} risk_cfg;
ZZ_OWN_FITS(risk_cfg);

/* per firm: the cover of the loan whose project is under way, and of a
 * loan whose project succeeded and that is being repaid */
typedef struct risk_due {
    double due, repaying;
    float repay;          /* day the loan of the project under way is repaid */
    float repaid_on;      /* day the loan being repaid is repaid           */
    uint8_t prog, repaying_prog;
} risk_due;

enum { REPAID };

static double amount(const zz_sim *sim, int g, double borrowed)
{
    const risk_cfg *c = ZZ_OWN_CFG(const risk_cfg, &sim->cfg.programme[g]);
    return fmin(c->loss_share * borrowed, c->cap);
}

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
    if (!(sim->attr[f].flags & ZZ_F_CREDIT) && find(sim, in, f, v->borrowed) >= 0)
        v->risk_backed = 1;
}

static int commit(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    int g = v->risk_backed ? find(sim, in, f, v->borrowed) : -1;
    if (g >= 0) {
        /* settle zeroed the last project's due: only a commitment writes
         * the firm's row, and marks it for settlement */
        double a = amount(sim, g, v->borrowed);
        risk_due *d = (risk_due *)in->firm + f;
        d->due = zz_ledger_commit(zz_prog_ledger(sim, g), a, a);
        d->prog = (uint8_t)g;
        d->repay = (float)(sim->now + 365 * sim->cfg.decision.loan_years);
        zz_firm_mark_due(sim, in, f);
        zz_firm_mark_backed(sim, f);
    }
    return 0;
}

static void release_repaid(zz_sim *sim, risk_due *d)
{
    zz_ledger_release(zz_prog_ledger(sim, d->repaying_prog), d->repaying);
    d->repaying = 0;
}

/* A failure is a default: the cover is paid. A success leaves the loan
 * open until it is repaid, its cover still reserved. */
static int settle(zz_sim *sim, zz_inst *in, uint32_t f, int success)
{
    risk_due *d = (risk_due *)in->firm + f;
    if (d->due <= 0)
        return 0;
    if (!success) {
        zz_pay(sim, d->prog, f, d->due);
        d->due = 0;
        return 0;
    }
    /* one loan being repaid per firm: an earlier one still open (a
     * scale-up's loan taken before the pilot's was repaid) is taken as
     * repaid now, a simplification */
    if (d->repaying > 0)
        release_repaid(sim, d);
    d->repaying = d->due;
    d->repaying_prog = d->prog;
    d->repaid_on = d->repay;
    d->due = 0;
    if (sim->now >= d->repaid_on) {
        release_repaid(sim, d);
        return 0;
    }
    return zz_programme_at(sim, d->repaying_prog, d->repaid_on, REPAID, f);
}

/* The loan is repaid: its cover returns to the pool. */
static int repaid(zz_sim *sim, zz_inst *in, int g, int tag, uint32_t f)
{
    risk_due *d = (risk_due *)in->firm + f;
    if (tag == REPAID && d->repaying > 0 && sim->now >= d->repaid_on)
        release_repaid(sim, d);
    return 0;
}

static const zz_param rows[] = {
    ZZ_ROW("loss_share", risk_cfg, loss_share, ZZ_PT_NUMBER, 0, 1, 0.5, ZZ_PF_LIVE,
           "share of a failed project's loan paid"),
    ZZ_ROW("cap", risk_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 2e6, ZZ_PF_LIVE, "most paid for one loan, yuan"),
    ZZ_STAGE_ROW,
};

const zz_instrument zz_risk_compensation = {
    .word = "risk_compensation", .guarantee = 1,
    .title = "risk compensation (风险补偿): banks lend to firms without credit; pays a share of the loss",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = sizeof(risk_due),
    .event = repaid, .finance = finance, .on_start = commit, .on_finish = settle,
};
