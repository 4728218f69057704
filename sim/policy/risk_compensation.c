/*
 * Risk compensation (风险补偿): banks lend to a firm without credit access
 * because the programme will pay `loss_share` of the loan if the project
 * fails (capped). Committed when the project starts, paid on failure,
 * released on success. It applies only if the firm is eligible and the pot
 * can cover it.
 */
#include <math.h>

#include "policy/instrument.h"

typedef struct risk_cfg {
    double loss_share, cap;
} risk_cfg;
ZZ_OWN_FITS(risk_cfg);

typedef struct risk_due {
    double due;
    uint8_t prog;
} risk_due;

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
        *((risk_due *)in->firm + f) = (risk_due){zz_ledger_commit(zz_prog_ledger(sim, g), a, a), (uint8_t)g};
        zz_firm_mark_due(sim, in, f);
    }
    return 0;
}

/* paid only on failure: a success releases the guarantee */
static int settle(zz_sim *sim, zz_inst *in, uint32_t f, int success)
{
    risk_due *d = (risk_due *)in->firm + f;
    if (d->due > 0) {
        if (success)
            zz_ledger_release(zz_prog_ledger(sim, d->prog), d->due);
        else
            zz_pay(sim, d->prog, f, d->due);
    }
    d->due = 0;
    return 0;
}

static const zz_param rows[] = {
    ZZ_ROW("loss_share", risk_cfg, loss_share, ZZ_PT_NUMBER, 0, 1, 0.5, ZZ_PF_LIVE,
           "share of a failed project's loan paid"),
    ZZ_ROW("cap", risk_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 2e6, ZZ_PF_LIVE, "most paid for one loan, yuan"),
    ZZ_STAGE_ROW,
};

const zz_instrument zz_risk_compensation = {
    .word = "risk_compensation",
    .title = "risk compensation (风险补偿): banks lend to firms without credit; pays a share of the loss",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = sizeof(risk_due),
    .finance = finance, .on_start = commit, .on_finish = settle,
};
