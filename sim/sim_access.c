/*
 * What scenario functions (at/when) may read and change in a running
 * replication. (sim:set, which goes through the scenario's parameter
 * registry, is the binding's: scenario/scenario.c.)
 */
#include "sim.h"

#include <stdio.h>
#include <string.h>

#include "engine/rng.h"
#include "policy/instrument.h"
#include "policy/policy.h"

int zz_sim_programme(const zz_sim *sim, const char *name)
{
    for (int g = 0; g < sim->cfg.nprogrammes; g++)
        if (strcmp(sim->cfg.programme[g].name, name) == 0)
            return g;
    return -1;
}

double zz_sim_budget_left(const zz_sim *sim, int g)
{
    return g >= 0 && g < sim->nprog ? zz_ledger_available(&sim->prog[g].ledger) : 0;
}

/* sim:open_round: the programme's instrument must have rounds to open. */
int zz_sim_open_round(zz_sim *sim, int g, char *err, size_t errlen)
{
    const zz_instrument *ops = g >= 0 && g < sim->nprog ? zz_instruments[sim->cfg.programme[g].kind] : NULL;
    if (!ops || !ops->open_round) {
        snprintf(err, errlen, "not a programme with rounds (a contest)");
        return ZZ_SCENARIO;
    }
    if (sim->cfg.decision.rule != ZZ_RULE_ECONOMIC)
        return ZZ_OK;
    zz_inst *in = &sim->inst[sim->inst_of[sim->cfg.programme[g].kind]];
    return ops->open_round(sim, in, g) ? sim->rc : ZZ_OK;
}

/* The scenario's own sequential stream: entity "global", kind SCENARIO;
 * the micro-RNG supplies 2^32 x 4 draws from this one counter. */
double zz_sim_uniform(zz_sim *sim)
{
    if (!sim->scenario_rng.gsl) {
        zz_rng_init(&sim->scenario_rng, sim->cfg.seed, (uint32_t)sim->replicate);
        zz_rng_at(&sim->scenario_rng, ZZ_RNG_GLOBAL_ENTITY, ZZ_RNG_SCENARIO, 0);
    }
    return gsl_rng_uniform(sim->scenario_rng.gsl);
}
