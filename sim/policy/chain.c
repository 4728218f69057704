/*
 * Chain leaders (链主): a designated large firm with a supplier chain
 * (synthetic, or from the firm file). Once a leader has adopted, the
 * programme onboards its partners one after another at `onboard_rate` a
 * year (Weichai: 500 partners in three years): each becomes aware and
 * reviews at once; its integration cost is cut by `cost_cut` (paid by the
 * programme when its project starts); and it perceives a higher chance of
 * success (`peer_boost`) from its leader's example. Without the programme,
 * an adopted leader still raises its partners' perceived success by the
 * decision rule's `success_chain`.
 */
#include "sim.h"

#include <math.h>
#include <stdlib.h>

#include "policy/policy.h"

static int chain_programme(const zz_sim *sim)
{
    for (int g = 0; g < sim->cfg.nprogrammes; g++)
        if (sim->cfg.programme[g].kind == ZZ_CHAIN_LEADER)
            return g;
    return -1;
}

/* Partners of each leader as a compressed list: chain[chain_start[l] ..
 * chain_start[l+1]) in firm order. */
int zz_chain_init(zz_sim *sim)
{
    const zz_population *p = sim->pop;
    const size_t n = (size_t)p->n;
    sim->chain_start = calloc(n + 1, sizeof *sim->chain_start);
    if (!sim->chain_start)
        return -1;
    size_t links = 0;
    for (size_t f = 0; f < n; f++)
        if (p->leader && p->leader[f] != ZZ_NO_LEADER) {
            sim->chain_start[p->leader[f] + 1]++;
            links++;
        }
    for (size_t f = 0; f < n; f++)
        sim->chain_start[f + 1] += sim->chain_start[f];
    sim->chain = malloc((links ? links : 1) * sizeof *sim->chain);
    uint32_t *fill = calloc(n, sizeof *fill);
    if (!sim->chain || !fill) {
        free(fill);
        return -1;
    }
    for (size_t f = 0; f < n; f++)
        if (p->leader && p->leader[f] != ZZ_NO_LEADER) {
            uint32_t l = p->leader[f];
            sim->chain[sim->chain_start[l] + fill[l]++] = (uint32_t)f;
        }
    free(fill);
    return 0;
}

void zz_chain_on_adopt(zz_sim *sim, uint32_t leader)
{
    int g = chain_programme(sim);
    if (g < 0 || !sim->chain_start || !(sim->pop->flags[leader] & ZZ_F_LEADER) ||
        !zz_ledger_available(&sim->prog[g].ledger))
        return;
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    if (!pc->enabled || pc->onboard_rate <= 0)
        return;
    uint32_t k = 0;
    for (uint32_t j = sim->chain_start[leader]; j < sim->chain_start[leader + 1]; j++, k++) {
        double t = sim->now + 365.0 * (k + 1) / pc->onboard_rate;
        if (t <= sim->cfg.horizon)
            zz_queue_push(&sim->queue, (zz_event){t, sim->chain[j], ZZ_EV_ONBOARD, 0});
    }
}

void zz_chain_onboard(zz_sim *sim, uint32_t f)
{
    int g = chain_programme(sim);
    if (g < 0 || sim->firm[f].state != ZZ_S_NONE || !zz_prog_eligible(sim, g, f) ||
        zz_ledger_available(&sim->prog[g].ledger) <= 0)
        return;
    sim->firm[f].dflags |= ZZ_D_ONBOARDED | ZZ_D_AWARE;
    zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now);
}

double zz_chain_cost_cut(const zz_sim *sim, uint32_t f, double integration)
{
    int g = chain_programme(sim);
    if (g < 0 || !(sim->firm[f].dflags & ZZ_D_ONBOARDED))
        return 0;
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    if (zz_received(sim, g, f) > 0)
        return 0; /* onboarding support is paid once, not per attempt */
    double a = fmin(pc->cost_cut * integration, pc->cap > 0 ? pc->cap : INFINITY);
    return zz_ledger_available(&sim->prog[g].ledger) >= a ? a : 0;
}

void zz_chain_commit(zz_sim *sim, uint32_t f, double integration)
{
    double a = zz_chain_cost_cut(sim, f, integration);
    if (a > 0) {
        int g = chain_programme(sim);
        if (zz_ledger_commit(&sim->prog[g].ledger, a, a) > 0)
            zz_pay(sim, g, f, a);
    }
}

double zz_chain_success(const zz_sim *sim, uint32_t f)
{
    const zz_population *p = sim->pop;
    if (!p->leader || p->leader[f] == ZZ_NO_LEADER)
        return 0;
    int led = sim->firm[p->leader[f]].state >= ZZ_S_ADOPTED;
    double s = led ? sim->cfg.decision.success_chain : 0;
    if (led && (sim->firm[f].dflags & ZZ_D_ONBOARDED)) {
        int g = chain_programme(sim);
        if (g >= 0)
            s += sim->cfg.programme[g].peer_boost;
    }
    return s;
}
