/*
 * What a policy bought, firm by firm, against its no-policy twin on the
 * same random numbers (MODEL.md, "Outputs"): per target group,
 *   additional  = adopters at the end in the policy run - in the twin
 *   supported   = firms that adopted during the run and received support
 *   deadweight  = supported adopters that adopt in the twin too,
 *                 with the mean days by which the twin's adoption lags
 * so supported - deadweight is the supported adopters the money made, and
 * additional - (supported - deadweight) is the spill-over (peers, prices).
 */
#include "sim.h"

#include <math.h>
#include <stdlib.h>

#include "policy/instrument.h"
#include "policy/policy.h"
#include "sim_internal.h"

static int received_any(const zz_sim *sim, uint32_t f)
{
    for (int g = 0; g < sim->nprog; g++)
        if (zz_received(sim, g, f) > 0)
            return 1;
    return 0;
}

/* Which targets count each class of firms (cell x above-size), as the
 * programmes' filters in zz_prog_classes: one pass over the firms serves
 * every target. */
static int target_classes(const zz_sim *sim, uint64_t **out)
{
    const zz_population *p = sim->pop;
    uint64_t *m = calloc((size_t)sim->ncells * 2, sizeof *m);
    if (!m)
        return -1;
    for (int c = 0; c < p->ncities; c++)
        for (int i = 0; i < p->nindustries; i++)
            for (int s = 0; s < ZZ_NSIZES; s++)
                for (int gsz = 0; gsz < 2; gsz++)
                    for (int g = 0; g < sim->cfg.ntargets; g++) {
                        const zz_filter *flt = &sim->cfg.target[g].filter;
                        if ((gsz || !flt->gsz_only) && zz_cell_match(sim, flt, c, i, s))
                            m[zz_cell(p, c, i, s) * 2 + gsz] |= (uint64_t)1 << g;
                    }
    *out = m;
    return 0;
}

int zz_account_pair(zz_sim *pol, zz_sim *twin)
{
    zz_rep_result *r = pol->res;
    uint64_t *cls;
    if (zz_rep_result_add_accounting(r) || target_classes(pol, &cls))
        return -1;
    const int G = pol->cfg.ntargets;
    int32_t firms[ZZ_MAX_TARGETS] = {0}, add[ZZ_MAX_TARGETS] = {0}, sup[ZZ_MAX_TARGETS] = {0},
            dead[ZZ_MAX_TARGETS] = {0};
    double lag[ZZ_MAX_TARGETS] = {0};
    /* firm by firm, in order, so that each target's lag is summed in the
     * order of its firms */
    const zz_population *p = pol->pop;
    for (uint32_t f = 0; f < (uint32_t)p->n; f++) {
        uint64_t m = cls[zz_cell(p, p->city[f], p->industry[f], p->size[f]) * 2 + !!(p->flags[f] & ZZ_F_GSZ)];
        if (!m)
            continue;
        int in_pol = pol->t_adopt[f] >= 0, in_twin = twin->t_adopt[f] >= 0;
        int supported = in_pol && pol->t_adopt[f] > 0 && received_any(pol, f);
        for (int g = 0; m; g++, m >>= 1) {
            if (!(m & 1))
                continue;
            firms[g]++;
            add[g] += in_pol - in_twin;
            if (supported) {
                sup[g]++;
                if (in_twin) {
                    dead[g]++;
                    lag[g] += twin->t_adopt[f] - pol->t_adopt[f];
                }
            }
        }
    }
    free(cls);
    for (int g = 0; g < G; g++) {
        r->target_firms[g] = firms[g];
        r->additional[g] = add[g];
        r->supported[g] = sup[g];
        r->deadweight[g] = dead[g];
        r->deadweight_lag[g] = dead[g] ? lag[g] / dead[g] : NAN;
    }
    return 0;
}

int zz_record_firms(zz_sim *sim)
{
    zz_rep_result *r = sim->res;
    const int64_t n = sim->pop->n;
    if (zz_rep_result_add_firms(r, n))
        return -1;
    if (sim->counterfactual) { /* the twin receives nothing: no support record */
        free(r->firm_support);
        r->firm_support = NULL;
    }
    for (int64_t f = 0; f < n; f++) {
        r->firm_day[f] = sim->t_adopt[f] >= 0 ? sim->t_adopt[f] : NAN;
        for (int g = 0; r->firm_support && g < sim->nprog; g++)
            r->firm_support[f * sim->nprog + g] = zz_received(sim, g, (uint32_t)f);
    }
    return 0;
}
