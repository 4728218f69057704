/*
 * Chain leaders (链主): a designated large firm with a supplier chain
 * (synthetic, or from the firm file). Once a leader has adopted, the
 * programme onboards its partners one after another at `onboard_rate` a
 * year (Weichai: 500 partners in three years): each becomes aware and
 * reviews at once; its integration cost is cut by `cost_cut` (paid by the
 * programme when its project starts, once); and it perceives a higher
 * chance of success (`peer_boost`) from its leader's example. (Without the
 * programme partners still see their leader's outcomes, weighted by the
 * decision rule's `learn_chain` (model/learning.c): that is the
 * population's link, not this instrument.)
 */
#include <math.h>
#include <stdlib.h>

#include "policy/instrument.h"

typedef struct chain_cfg {
    double onboard_rate, cost_cut, peer_boost, cap;
    int partners;
} chain_cfg;
ZZ_OWN_FITS(chain_cfg);
#define CH(sim, g) ZZ_OWN_CFG(const chain_cfg, &(sim)->cfg.programme[g])

/* partners of each leader as a compressed list: chain[start[l] .. start[l+1]) */
typedef struct chain_run {
    uint32_t *start, *chain;
} chain_run;

static uint8_t *onboarded(zz_inst *in) { return in->firm; }

static int open(zz_sim *sim, zz_inst *in)
{
    const zz_population *p = sim->pop;
    const size_t n = (size_t)p->n;
    chain_run *r = in->run;
    r->start = calloc(n + 1, sizeof *r->start);
    if (!r->start)
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for supplier chains");
    size_t links = 0;
    for (size_t f = 0; f < n; f++)
        if (p->leader && p->leader[f] != ZZ_NO_LEADER) {
            r->start[p->leader[f] + 1]++;
            links++;
        }
    for (size_t f = 0; f < n; f++)
        r->start[f + 1] += r->start[f];
    r->chain = malloc((links ? links : 1) * sizeof *r->chain);
    uint32_t *fill = calloc(n, sizeof *fill);
    if (!r->chain || !fill) {
        free(fill);
        return zz_sim_fail(sim, ZZ_NOMEM, "out of memory for supplier chains");
    }
    for (size_t f = 0; f < n; f++)
        if (p->leader && p->leader[f] != ZZ_NO_LEADER) {
            uint32_t l = p->leader[f];
            r->chain[r->start[l] + fill[l]++] = (uint32_t)f;
        }
    free(fill);
    return 0;
}

static void close_run(zz_sim *sim, zz_inst *in)
{
    chain_run *r = in->run;
    free(r->start);
    free(r->chain);
}

/* An adopted leader: its partners are onboarded one after another. */
static int on_adopt(zz_sim *sim, zz_inst *in, uint32_t leader)
{
    int g = in->prog[0];
    const chain_run *r = in->run;
    const chain_cfg *c = CH(sim, g);
    if (!(sim->pop->flags[leader] & ZZ_F_LEADER) || !zz_ledger_available(zz_prog_ledger(sim, g)) ||
        !sim->cfg.programme[g].enabled || c->onboard_rate <= 0)
        return 0;
    uint32_t k = 0;
    for (uint32_t j = r->start[leader]; j < r->start[leader + 1]; j++, k++)
        if (zz_programme_at(sim, g, sim->now + 365.0 * (k + 1) / c->onboard_rate, 0, r->chain[j]))
            return sim->rc;
    return 0;
}

static int onboard(zz_sim *sim, zz_inst *in, int g, int tag, uint32_t f)
{
    if (sim->firm[f].state != ZZ_S_NONE || !zz_prog_eligible(sim, g, f) ||
        zz_ledger_available(zz_prog_ledger(sim, g)) <= 0)
        return 0;
    onboarded(in)[f] = 1;
    zz_firm_mark_keeps(sim, f);
    return zz_make_aware(sim, f);
}

/* integration cost the programme pays for an onboarded partner, once */
static double cost_cut(zz_sim *sim, zz_inst *in, uint32_t f)
{
    int g = in->prog[0];
    if (!zz_firm_keeps(sim, f) || !onboarded(in)[f] || zz_received(sim, g, f) > 0)
        return 0;
    const chain_cfg *c = CH(sim, g);
    double integration = zz_component_cost(sim, zz_project_base(sim, f), ZZ_C_INTEGRATION);
    double a = fmin(c->cost_cut * integration, c->cap > 0 ? c->cap : INFINITY);
    return zz_ledger_available(zz_prog_ledger(sim, g)) >= a ? a : 0;
}

static double support(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    return cost_cut(sim, in, f);
}

static int commit(zz_sim *sim, zz_inst *in, uint32_t f, const zz_valuation *v)
{
    double a = cost_cut(sim, in, f);
    if (a > 0)
        zz_pay_now(sim, in->prog[0], f, a);
    return 0;
}

static double success(zz_sim *sim, zz_inst *in, uint32_t f)
{
    const zz_population *p = sim->pop;
    if (!zz_firm_keeps(sim, f) || !onboarded(in)[f] || !p->leader || p->leader[f] == ZZ_NO_LEADER ||
        sim->firm[p->leader[f]].state < ZZ_S_ADOPTED)
        return 0;
    return CH(sim, in->prog[0])->peer_boost;
}

static int partners(const zz_programme_cfg *g) { return ZZ_OWN_CFG(const chain_cfg, g)->partners; }

static const zz_param rows[] = {
    ZZ_ROW("onboard_rate", chain_cfg, onboard_rate, ZZ_PT_NUMBER, 0, 1e6, 500.0 / 3, ZZ_PF_LIVE,
           "partners an adopted leader onboards per year (FACTS 004: Weichai, 500 in 3 years)"),
    ZZ_ROW("cost_cut", chain_cfg, cost_cut, ZZ_PT_NUMBER, 0, 1, 0.2, ZZ_PF_LIVE,
           "integration cost saved by onboarded partners"),
    ZZ_ROW("peer_boost", chain_cfg, peer_boost, ZZ_PT_NUMBER, 0, 1, 0.1, ZZ_PF_LIVE,
           "success probability added for partners"),
    ZZ_ROW("cap", chain_cfg, cap, ZZ_PT_NUMBER, 0, 1e12, 0, ZZ_PF_LIVE,
           "most paid per partner, yuan; 0 = no limit"),
    ZZ_ROW("partners", chain_cfg, partners, ZZ_PT_INTEGER, 0, 1e6, 50, 0, "synthetic partners per leader"),
};

const zz_instrument zz_chain_leader = {
    .word = "chain_leader",
    .title = "chain-leader programme (链主): an adopted leader onboards its partners",
    .params = rows, .nparams = (int)(sizeof rows / sizeof *rows),
    .firm_bytes = 1, .run_bytes = sizeof(chain_run), .chain_partners = partners,
    .open = open, .event = onboard, .on_adopt = on_adopt, .support = support, .on_start = commit,
    .success = success, .close = close_run,
};
