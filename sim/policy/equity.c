/*
 * Equity fund (股权投资): once a year (at the start and each January 1) the
 * fund selects up to `per_year` eligible aware non-adopters whose own
 * liquidity does not cover their project, the most capable first (funds
 * pick winners), and invests min(amount, cap) in each. The investment adds
 * to the firm's liquidity for its project: it borrows less, or needs no
 * credit at all.
 */
#include "sim.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

#include "policy/policy.h"

void zz_equity_select(zz_sim *sim, int g)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    const zz_population *p = sim->pop;
    zz_ledger *l = &sim->prog[g].ledger;
    if (!sim->equity || pc->per_year <= 0 || zz_ledger_available(l) <= 0)
        return;
    double *score = malloc((size_t)p->n * sizeof *score);
    uint32_t *who = malloc((size_t)p->n * sizeof *who);
    size_t m = 0;
    if (!score || !who) {
        free(score);
        free(who);
        zz_sim_fail(sim, ZZ_NOMEM, "out of memory selecting equity investments");
        return;
    }
    for (uint32_t f = 0; f < (uint32_t)p->n; f++) {
        if (!(sim->firm[f].dflags & ZZ_D_AWARE) || sim->equity[f] > 0 || !zz_prog_eligible(sim, g, f))
            continue;
        zz_valuation v;
        zz_value_project(sim, f, &v);
        if (v.borrowed <= 0)
            continue;
        /* ties resolve by firm index: a stable order, not a random one */
        score[m] = p->capability[f] - 1e-12 * f;
        who[m] = f;
        m++;
    }
    size_t k = m < (size_t)pc->per_year ? m : (size_t)pc->per_year;
    size_t *best = malloc((k ? k : 1) * sizeof *best);
    if (best && k)
        gsl_sort_largest_index(best, k, score, 1, m);
    for (size_t j = 0; best && j < k; j++) {
        uint32_t f = who[best[j]];
        double a = zz_ledger_pay_now(l, fmin(pc->amount, pc->cap));
        if (a <= 0)
            break;
        sim->equity[f] += (float)a;
        if (sim->received)
            sim->received[(size_t)g * (size_t)p->n + f] += a;
    }
    free(best);
    free(score);
    free(who);
}
