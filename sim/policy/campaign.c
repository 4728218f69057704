/*
 * Training and matchmaking campaigns: on its date a campaign makes up to
 * `firms` eligible firms that have not heard of a workable AI project aware
 * (the May 2026 programme trained about 300 firms; supply-and-demand lists
 * released by cities), and each reviews at once. Who is reached is a
 * reproducible lottery among the eligible: each firm's ticket is its own
 * draw. A campaign costs `amount` a firm reached, from its budget.
 */
#include "sim.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

#include "policy/policy.h"
#include "sim_internal.h"

void zz_campaign_run(zz_sim *sim, int g)
{
    const zz_programme_cfg *pc = &sim->cfg.programme[g];
    const zz_population *p = sim->pop;
    zz_ledger *l = &sim->prog[g].ledger;
    size_t want = pc->firms > 0 ? (size_t)pc->firms : 0;
    if (pc->amount > 0)
        want = (size_t)fmin((double)want, floor(zz_ledger_available(l) / pc->amount + 1e-9));
    if (want == 0)
        return;
    double *ticket = malloc((size_t)p->n * sizeof *ticket);
    uint32_t *who = malloc((size_t)p->n * sizeof *who);
    size_t *chosen = malloc(want * sizeof *chosen);
    if (!ticket || !who || !chosen) {
        free(ticket);
        free(who);
        free(chosen);
        zz_sim_fail(sim, ZZ_NOMEM, "out of memory running a campaign");
        return;
    }
    size_t m = 0;
    for (uint32_t f = 0; f < (uint32_t)p->n; f++)
        if (!(sim->firm[f].dflags & ZZ_D_AWARE) && zz_prog_eligible(sim, g, f)) {
            ticket[m] = zz_rng_uniform(&sim->rng, f, ZZ_RNG_PROGRAMME, (uint32_t)g);
            who[m++] = f;
        }
    size_t k = m < want ? m : want;
    if (k)
        gsl_sort_smallest_index(chosen, k, ticket, 1, m);
    for (size_t j = 0; j < k; j++) {
        uint32_t f = who[chosen[j]];
        if (pc->amount > 0) {
            zz_ledger_pay_now(l, pc->amount);
            if (sim->received)
                sim->received[(size_t)g * (size_t)p->n + f] += pc->amount;
        }
        sim->firm[f].dflags |= ZZ_D_AWARE;
        zz_firm_schedule(sim, f, ZZ_EV_REVIEW, sim->now);
    }
    free(ticket);
    free(who);
    free(chosen);
}
