/*
 * First-of-kind insurance (首台套): the programme pays `premium_share` of a
 * premium of `premium_rate` x cost when the project starts (capped); the
 * insurance covers `cover` of the loss, so the downside the firm weighs
 * shrinks. The firm pays the rest of the premium. It applies only if the
 * firm is eligible and the pot can cover the programme's share.
 */
#include <math.h>

#include "policy/instrument.h"

typedef struct insurance_cfg {
    double premium_rate, premium_share, cover, cap;
} insurance_cfg;
ZZ_OWN_FITS(insurance_cfg);
#define IC(sim, g) ZZ_OWN_CFG(const insurance_cfg, &(sim)->cfg.programme[g])

static double paid(const zz_sim *sim, int g, double cost)
{
    const insurance_cfg *c = IC(sim, g);
    return fmin(c->premium_share * c->premium_rate * cost, c->cap);
}

static int find(zz_sim *sim, zz_inst *in, uint32_t f, double cost)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        double avail = zz_ledger_available(zz_prog_ledger(sim, g));
        if (avail > 0 && avail >= paid(sim, g, cost) && zz_prog_eligible(sim, g, f))
            return g;
    }
    return -1;
}

static void premium(zz_sim *sim, zz_inst *in, uint32_t f, zz_valuation *v)
{
    int g = find(sim, in, f, v->cost);
    if (g >= 0) {
        v->own_premium = IC(sim, g)->premium_rate * v->cost - paid(sim, g, v->cost);
        v->cover = IC(sim, g)->cover;
    }
}

/* the programme's share of the premium is paid when the project starts */
static int commit(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    int g = v->cover > 0 ? find(sim, in, f, v->cost) : -1;
    if (g >= 0)
        zz_pay_now(sim, g, f, paid(sim, g, v->cost));
    return 0;
}

static const zz_param rows[] = {
    ZZ_ROW("premium_rate", insurance_cfg, premium_rate, ZZ_PT_NUMBER, 0, 1, 0.03, ZZ_PF_LIVE,
           "premium / insured cost"),
    ZZ_ROW("premium_share", insurance_cfg, premium_share, ZZ_PT_NUMBER, 0, 1, 0.8, ZZ_PF_LIVE,
           "share of the premium paid (FACTS: central finance pays 80%)"),
    ZZ_ROW("cover", insurance_cfg, cover, ZZ_PT_NUMBER, 0, 1, 0.8, ZZ_PF_LIVE,
           "share of the loss the insurance covers"),
    ZZ_ROW("cap", insurance_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 1e6, ZZ_PF_LIVE, "most paid for one premium, yuan"),
    ZZ_STAGE_ROW,
};

const zz_instrument zz_insurance = {
    .word = "insurance",
    .title = "first-of-kind insurance (首台套): pays a share of the premium; lowers the downside",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .premium = premium, .on_start = commit,
};
