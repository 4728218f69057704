/*
 * What a policy bought, firm by firm, against its no-policy twin on the
 * same random numbers (MODEL.md, "Outputs"): per target group,
 *   additional  = adopters at the end in the policy run - in the twin
 *   supported   = firms that adopted during the run and received support
 *                 (money, or a loan a guarantee backed)
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

/* Money received, or a loan a guarantee backed (risk compensation: the
 * pool's cover stood behind it even if nothing was paid). */
static int received_any(const zz_sim *sim, uint32_t f)
{
    if (sim->firm[f].dflags & ZZ_D_BACKED)
        return 1;
    for (int g = 0; g < sim->nprog; g++)
        if (zz_received(sim, g, f) > 0)
            return 1;
    return 0;
}

/* One firm against its twin: adopted in each, and supported (adopted
 * during the run with support received). */
static int firm_outcome(const zz_sim *pol, const zz_sim *twin, uint32_t f, int *in_pol,
                        int *in_twin)
{
    *in_pol = pol->t_adopt[f] >= 0;
    *in_twin = twin->t_adopt[f] >= 0;
    return *in_pol && pol->t_adopt[f] > 0 && received_any(pol, f);
}

void zz_account_classes(const zz_sim *pol, const zz_sim *twin, const uint8_t *in_class,
                        double *supported, double *deadweight, double *additional)
{
    double sup = 0, dead = 0, add = 0;
    for (uint32_t f = 0; f < (uint32_t)pol->pop->n; f++) {
        if (!in_class[zz_firm_class(pol, f)])
            continue;
        int in_pol, in_twin;
        const int s = firm_outcome(pol, twin, f, &in_pol, &in_twin);
        add += in_pol - in_twin;
        sup += s;
        dead += s && in_twin;
    }
    *supported = sup;
    *deadweight = dead;
    *additional = add;
}

int zz_account_pair(zz_sim *pol, zz_sim *twin)
{
    zz_rep_result *r = pol->res;
    if (zz_rep_result_add_accounting(r))
        return -1;
    const int G = pol->cfg.ntargets;
    int32_t firms[ZZ_MAX_TARGETS] = {0}, add[ZZ_MAX_TARGETS] = {0}, sup[ZZ_MAX_TARGETS] = {0},
            dead[ZZ_MAX_TARGETS] = {0};
    double lag[ZZ_MAX_TARGETS] = {0};
    /* firm by firm, in order, so that each target's lag is summed in the
     * order of its firms; the targets that count a firm are its class's */
    for (uint32_t f = 0; f < (uint32_t)pol->pop->n; f++) {
        uint64_t m = pol->target_cls[zz_firm_class(pol, f)];
        if (!m)
            continue;
        int in_pol, in_twin;
        const int supported = firm_outcome(pol, twin, f, &in_pol, &in_twin);
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
