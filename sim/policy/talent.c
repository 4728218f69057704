/*
 * Talent programme (人才引进安家扶持, seeds 000 and 001: relocation and
 * settling-in support for AI talent). When an eligible firm starts its AI
 * project it hires an AI specialist, and the programme pays
 * min(rate x hire_cost, cap) of the hire's first-year cost, once per firm.
 * The hire raises the firm's implementation capability for this and any
 * later project: the true success probability rises by `success_boost`,
 * the firm knows it and perceives the same rise, and implementation takes
 * (1 - time_cut) of the time.
 *
 * The money does not lower the project's cost in the valuation: it is what
 * makes the hire happen (without the programme the firm does not hire);
 * the hire acts through capability. A firm counts on it when it values a
 * project only if it is eligible and the pot can pay the award now, so an
 * empty pot changes nothing.
 */
#include <math.h>

#include "policy/instrument.h"

typedef struct talent_cfg {
    double rate, hire_cost, cap, success_boost, time_cut;
} talent_cfg;
ZZ_OWN_FITS(talent_cfg);
#define TC(sim, g) ZZ_OWN_CFG(const talent_cfg, &(sim)->cfg.programme[g])

/* per firm: 1 + the programme that paid for its hire, 0 if none did */
static uint8_t *hired(zz_inst *in) { return in->firm; }

static double award(const zz_sim *sim, int g)
{
    const talent_cfg *c = TC(sim, g);
    return fmin(c->rate * c->hire_cost, c->cap);
}

/* The programme that would pay for a hire now, or -1. */
static int offer(zz_sim *sim, zz_inst *in, uint32_t f)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        double a = award(sim, g);
        if (a > 0 && zz_ledger_available(zz_prog_ledger(sim, g)) >= a && zz_prog_eligible(sim, g, f))
            return g;
    }
    return -1;
}

/* The programme whose hire the firm has or would get, or -1. */
static int talent_of(zz_sim *sim, zz_inst *in, uint32_t f)
{
    return zz_firm_keeps(sim, f) && hired(in)[f] ? hired(in)[f] - 1 : offer(sim, in, f);
}

static double perceived(zz_sim *sim, zz_inst *in, uint32_t f)
{
    int g = talent_of(sim, in, f);
    return g >= 0 ? TC(sim, g)->success_boost : 0;
}

static void capability(zz_sim *sim, zz_inst *in, uint32_t f, zz_capability *c)
{
    if (zz_firm_keeps(sim, f) && hired(in)[f]) {
        const talent_cfg *t = TC(sim, hired(in)[f] - 1);
        c->success += t->success_boost;
        c->time *= 1 - t->time_cut;
    }
}

/* The project starts: the firm hires, the programme pays its share. */
static int hire(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    if (zz_firm_keeps(sim, f) && hired(in)[f])
        return 0;
    int g = offer(sim, in, f);
    if (g >= 0 && zz_pay_now(sim, g, f, award(sim, g)) > 0)
        hired(in)[f] = (uint8_t)(g + 1), zz_firm_mark_keeps(sim, f);
    return 0;
}

#define ROW(f, m, lo, hi, def, doc) ZZ_ROW(f, talent_cfg, m, ZZ_PT_NUMBER, lo, hi, def, ZZ_PF_LIVE, doc)
static const zz_param rows[] = {
    ROW("rate", rate, 0, 1, 0.5, "share of the hire's first-year cost paid (assumption)"),
    ROW("hire_cost", hire_cost, 0, 1e8, 3e5,
        "first-year cost of an AI specialist, yuan (assumption: salary plus relocation)"),
    ROW("cap", cap, 0, 1e9, 2e5, "most paid for one hire, yuan (assumption)"),
    ROW("success_boost", success_boost, 0, 1, 0.1,
        "success probability added by the hire, true and perceived (assumption)"),
    ROW("time_cut", time_cut, 0, 0.9, 0.25, "share of implementation time the hire saves (assumption)"),
    ZZ_STAGE_ROW,
};

const zz_instrument zz_talent = {
    .word = "talent",
    .title = "talent programme (人才引进安家扶持): pays part of an AI hire; raises implementation capability",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = 1,
    .success = perceived, .capability = capability, .on_start = hire,
};
