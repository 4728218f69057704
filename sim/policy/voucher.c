/*
 * Compute, model, corpus and scenario vouchers (算力券, 模型券, 语料券,
 * 场景券): four instruments sharing this file. Each covers its own cost
 * component: min(rate x component, cap). A firm applies at a review, the
 * application is decided review_days later, first come first served until
 * the pot is committed; the voucher is valid for valid_days and, unused,
 * returns to the pot. Each kind lapses on its own date.
 */
#include <math.h>

#include "policy/instrument.h"

typedef struct voucher_cfg {
    double rate, cap, firm_cap, review_days, valid_days;
} voucher_cfg;
ZZ_OWN_FITS(voucher_cfg);
#define VC(pc) ZZ_OWN_CFG(const voucher_cfg, pc)

/* per firm, per kind */
typedef struct voucher_hold {
    double amount;      /* committed to this firm, not yet redeemed */
    float expiry;       /* day it lapses; 0 when none is held        */
    uint8_t prog;       /* programme that committed it              */
    uint8_t applied;    /* application pending                      */
} voucher_hold;

static voucher_hold *hold(zz_inst *in, uint32_t f) { return (voucher_hold *)in->firm + f; }

static double award_of(const zz_sim *sim, const zz_inst *in, int g, uint32_t f)
{
    const zz_decision_cfg *d = &sim->cfg.decision;
    const voucher_cfg *c = VC(&sim->cfg.programme[g]);
    const zz_firm_attr *at = &sim->attr[f];
    double cost = fmax(d->cost_min, d->cost_share[at->size] * at->revenue);
    double part = zz_component_cost(sim, cost, in->ops->arg); /* compute and model fall */
    return fmin(fmin(c->rate * part, c->cap), zz_firm_room(sim, g, f, c->firm_cap));
}

/* The programme that would award this kind to firm f now (the first
 * eligible one whose pot can pay the award), or -1; the firm must lack
 * the kind. */
static int offer(zz_sim *sim, zz_inst *in, uint32_t f, double *award)
{
    if (zz_firm_lapses(sim, f) && hold(in, f)->amount > 0)
        return -1;
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        /* an empty pot awards nothing: skipped before the firm is looked at */
        if (zz_ledger_available(zz_prog_ledger(sim, g)) <= 0 || !zz_prog_eligible(sim, g, f))
            continue;
        double a = award_of(sim, in, g, f);
        if (a > 0 && zz_ledger_available(zz_prog_ledger(sim, g)) >= a) {
            *award = a;
            return g;
        }
    }
    return -1;
}

static double prospect(zz_sim *sim, zz_inst *in, uint32_t f)
{
    double a;
    return offer(sim, in, f, &a) >= 0 ? a : 0;
}

static double apply(zz_sim *sim, zz_inst *in, uint32_t f)
{
    double a;
    int g = offer(sim, in, f, &a);
    if (g < 0)
        return -1;
    hold(in, f)->applied = 1;
    hold(in, f)->prog = (uint8_t)g;
    return VC(&sim->cfg.programme[g])->review_days;
}

/* First come, first served: what the pot can no longer pay is refused. */
static void decided(zz_sim *sim, zz_inst *in, uint32_t f)
{
    voucher_hold *h = hold(in, f);
    if (!h->applied)
        return;
    h->applied = 0;
    int g = h->prog;
    double award = award_of(sim, in, g, f);
    h->amount = zz_ledger_commit(zz_prog_ledger(sim, g), award, award);
    if (h->amount > 0) {
        h->expiry = (float)(sim->now + VC(&sim->cfg.programme[g])->valid_days);
        zz_firm_mark_lapses(sim, f);
    }
}

static double held(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    return zz_firm_lapses(sim, f) ? hold(in, f)->amount : 0;
}

/* The project starts: a held voucher is redeemed (disbursed). */
static int redeem(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    if (!zz_firm_lapses(sim, f))
        return 0;
    voucher_hold *h = hold(in, f);
    if (h->amount > 0)
        zz_pay(sim, h->prog, f, h->amount);
    h->amount = 0;
    return 0;
}

/* An unused voucher whose validity ended returns to its pot. */
static void expire(zz_sim *sim, zz_inst *in, uint32_t f)
{
    voucher_hold *h = hold(in, f);
    if (h->amount > 0 && sim->now >= h->expiry) {
        zz_ledger_release(zz_prog_ledger(sim, h->prog), h->amount);
        h->amount = 0;
    }
    if (h->amount > 0)
        zz_firm_mark_lapses(sim, f);
}

static double review_by(zz_sim *sim, zz_inst *in, uint32_t f)
{
    const voucher_hold *h = hold(in, f);
    return h->amount > 0 ? h->expiry : INFINITY;
}

#define ROWS(name, rate_def, cap_def)                                                                  \
    static const zz_param name[] = {                                                           \
        ZZ_ROW("rate", voucher_cfg, rate, ZZ_PT_NUMBER, 0, 1, rate_def, ZZ_PF_LIVE,                \
               "share of the cost component covered"),                                         \
        ZZ_ROW("cap", voucher_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, cap_def, ZZ_PF_LIVE,                \
               "most paid for one voucher, yuan"),                                             \
        ZZ_ROW("firm_cap", voucher_cfg, firm_cap, ZZ_PT_NUMBER, 0, 1e12, 0, ZZ_PF_LIVE,        \
               "most one firm receives across awards, yuan; 0 = no limit"),                    \
        ZZ_ROW("review_days", voucher_cfg, review_days, ZZ_PT_NUMBER, 0, 3650, 30, ZZ_PF_LIVE, \
               "days until an application is decided"),                                        \
        ZZ_ROW("valid_days", voucher_cfg, valid_days, ZZ_PT_NUMBER, 1, 3650, 365, ZZ_PF_LIVE,  \
               "days a voucher stays valid; unused ones return to the pot"),                   \
        ZZ_STAGE_ROW,                                                                          \
    }

/* Defaults: FACTS (Shanghai compute/corpus <= 30%, model <= 50% with a 5m
 * cap; Qingyang vouchers valid 12 months); scenario vouchers and the
 * month's review are assumptions. */
ROWS(compute_rows, 0.3, 2e6);
ROWS(model_rows, 0.5, 5e6);
ROWS(corpus_rows, 0.3, 2e6);
ROWS(scenario_rows, 0.3, 2e6);

#define VOUCHER(var, comp, rows, what)                                                               \
    {.word = "voucher", .variant = var, .arg = comp, .title = what, .params = rows,                         \
     .nparams = (int)(sizeof rows / sizeof *rows), .firm_bytes = sizeof(voucher_hold),         \
     .support = held, .on_review = expire, .prospect = prospect, .apply = apply,               \
     .decided = decided, .review_by = review_by, .on_start = redeem}

const zz_instrument zz_voucher_compute =
    VOUCHER("compute", ZZ_C_COMPUTE, compute_rows, "compute voucher (算力券): covers the compute component");
const zz_instrument zz_voucher_model =
    VOUCHER("model", ZZ_C_MODEL, model_rows, "model voucher (模型券): covers the model component");
const zz_instrument zz_voucher_corpus =
    VOUCHER("corpus", ZZ_C_DATA, corpus_rows, "corpus voucher (语料券): covers the data component");
const zz_instrument zz_voucher_scenario =
    VOUCHER("scenario", ZZ_C_INTEGRATION, scenario_rows, "scenario voucher (场景券): covers the integration component");
