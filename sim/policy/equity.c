/*
 * Equity fund (股权投资): once a year (at its start and each January 1) the
 * fund selects up to `per_year` eligible aware non-adopters whose own
 * liquidity does not cover their project, the most capable first (funds
 * pick winners), and invests min(amount, cap) in each. The investment adds
 * to the firm's liquidity for its project: it borrows less, or needs no
 * credit at all.
 */
#include <math.h>
#include <stdlib.h>

#include "policy/instrument.h"

typedef struct equity_cfg {
    double amount, cap;
    int per_year;
} equity_cfg;
ZZ_OWN_FITS(equity_cfg);

static float *invested(zz_inst *in) { return in->firm; }

/* The per_year most capable eligible firms that need to borrow (ties by
 * firm index), in that order: the population's capability order is walked
 * from the top and each eligible firm valued (the outlay stage) until the
 * places are filled, so a selection values a few dozen firms, not the
 * field. */
static int select_firms(zz_sim *sim, zz_inst *in, int g)
{
    const equity_cfg *c = ZZ_OWN_CFG(const equity_cfg, &sim->cfg.programme[g]);
    const zz_population *p = sim->pop;
    zz_ledger *l = zz_prog_ledger(sim, g);
    if (c->per_year <= 0 || zz_ledger_available(l) <= 0)
        return 0;
    const size_t places = (size_t)c->per_year < (size_t)p->n ? (size_t)c->per_year : (size_t)p->n;
    uint32_t *chosen = malloc((places ? places : 1) * sizeof *chosen);
    if (!chosen)
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory selecting equity investments");
    /* chosen first, all valued in the same state, then paid in order */
    size_t k = 0;
    for (int64_t r = 0; r < p->n && k < places; r++) {
        uint32_t f = p->by_capability[r];
        if (!zz_firm_aware(sim, f) || invested(in)[f] > 0 || !zz_prog_eligible(sim, g, f))
            continue;
        zz_valuation v;
        zz_value_project_until(sim, f, 0, ZZ_VALUE_OUTLAY, &v);
        if (v.borrowed > 0)
            chosen[k++] = f;
    }
    for (size_t j = 0; j < k; j++) {
        uint32_t f = chosen[j];
        double a = zz_pay_now(sim, g, f, fmin(c->amount, c->cap));
        if (a <= 0)
            break;
        invested(in)[f] += (float)a;
        zz_firm_mark_keeps(sim, f);
    }
    free(chosen);
    return 0;
}

static int open(zz_sim *sim, zz_inst *in)
{
    /* the first selection at the start, then each January 1 */
    for (int j = 0; j < in->nprog; j++) {
        const zz_programme_cfg *pc = &sim->cfg.programme[in->prog[j]];
        if (pc->enabled && zz_programme_at(sim, in->prog[j], fmax(0, pc->start), 0, 0))
            return sim->rc;
    }
    return 0;
}

static int event(zz_sim *sim, zz_inst *in, int g, int tag, uint32_t id)
{
    return select_firms(sim, in, g);
}

static int new_year(zz_sim *sim, zz_inst *in)
{
    for (int j = 0; j < in->nprog; j++) {
        int g = in->prog[j];
        if (sim->now > sim->cfg.programme[g].start && select_firms(sim, in, g))
            return sim->rc;
    }
    return 0;
}

static double liquidity(zz_sim *sim, zz_inst *in, uint32_t f)
{
    return zz_firm_keeps(sim, f) ? invested(in)[f] : 0;
}

static const zz_param rows[] = {
    ZZ_ROW("amount", equity_cfg, amount, ZZ_PT_NUMBER, 0, 1e11, 5e6, ZZ_PF_LIVE,
           "liquidity added per selected firm, yuan"),
    ZZ_ROW("cap", equity_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 2e7, ZZ_PF_LIVE, "most invested in one firm, yuan"),
    ZZ_ROW("per_year", equity_cfg, per_year, ZZ_PT_INTEGER, 0, 1e7, 20, ZZ_PF_LIVE | ZZ_PF_SCALES, "firms selected per year"),
};

const zz_instrument zz_equity = {
    .word = "equity",
    .title = "equity fund (股权投资): relaxes the liquidity of selected firms",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = sizeof(float),
    .open = open, .event = event, .new_year = new_year, .liquidity = liquidity,
};
