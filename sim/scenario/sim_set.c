/*
 * sim:set from a running scenario (lua_runtime.c): the same registry as the
 * file, so a change from a script is checked exactly as strictly. In a file
 * of its own so that the runtime reaches the registry without a cycle
 * through scenario.c, which opens the runtime.
 */
#include "scenario/scenario.h"

#include <math.h>

#include "policy/ledger.h"
#include "scenario/params.h"

int zz_sim_set(zz_sim *sim, const char *key, const zz_pvalue *value, char *err, size_t errlen)
{
    /* Budgets are ledgers at run time: remember the old figure so the pot
     * moves by the difference. */
    double old_budget[ZZ_MAX_PROGRAMMES];
    for (int g = 0; g < sim->nprog; g++)
        old_budget[g] = sim->cfg.programme[g].budget;
    /* --scale: a script speaks of the full region, as the file does; a
     * field that grows with the region is shrunk as the file's was */
    zz_pvalue scaled = *value;
    const zz_param *p = sim->cfg.scale != 1 ? zz_param_find(&sim->cfg, key, err, errlen) : NULL;
    if (p && (p->flags & ZZ_PF_SCALES) && value->kind == ZZ_PV_NUMBER && value->num > 0) {
        scaled.num = value->num * sim->cfg.scale;
        if (p->type == ZZ_PT_INTEGER)
            scaled.num = fmax(1, round(scaled.num));
    }
    int rc = zz_param_set_value(&sim->cfg, key, &scaled, err, errlen);
    if (rc)
        return rc;
    for (int g = 0; g < sim->nprog; g++)
        if (sim->cfg.programme[g].budget != old_budget[g] && !sim->cfg.programme[g].budget_per_year)
            zz_ledger_adjust(&sim->prog[g].ledger, sim->cfg.programme[g].budget - old_budget[g]);
    return ZZ_OK;
}
