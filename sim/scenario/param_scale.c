/*
 * --scale F: a rehearsal on a fraction F of the region. Every row flagged
 * ZZ_PF_SCALES (population.firms, a programme's budget, a campaign's firms,
 * a contest's winners, equity places per year, compute capacity; each
 * instrument flags its own rows) is multiplied by F, so that money per firm
 * and the shares of targets keep their meaning. Counts round to the nearest
 * whole number, and a count that was positive stays at least 1: a contest
 * with 30 winners at F = 0.01 still has a winner. The results are reported
 * in full-population units by dividing counts and money by cfg->scale
 * (ensemble.c's summary; the analysis package reads the file's `scale`).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scenario/params.h"
#include "zhizao/zhizao.h"

static void scale_row(const zz_param *p, void *base, double F)
{
    for (int i = 0; i < p->count; i++) {
        char *at = (char *)base + p->offset + (size_t)i * p->size;
        if (p->type == ZZ_PT_NUMBER) {
            *(double *)(void *)at *= F;
        } else if (p->type == ZZ_PT_EXPANSIONS) {   /* the PFLOPS added, not the dates */
            zz_compute_cfg *c = base;   /* the row lives only in the compute block */
            for (int k = 0; k < c->nexpansions; k++)
                c->expansion_pflops[k] *= F;
        } else if (p->type == ZZ_PT_INTEGER) {
            int64_t v = p->size == sizeof(int64_t) ? *(int64_t *)(void *)at : *(int *)(void *)at;
            int64_t s = v > 0 ? (int64_t)llround((double)v * F) : v;
            if (v > 0 && s < 1)
                s = 1;
            if (p->size == sizeof(int64_t))
                *(int64_t *)(void *)at = s;
            else
                *(int *)(void *)at = (int)s;
        }
    }
}

int zz_params_scale(zz_config *cfg, double F, char *err, size_t errlen)
{
    if (!(F > 0 && F <= 1)) {
        snprintf(err, errlen, "--scale must be a number in (0, 1], the fraction of the region "
                 "simulated (e.g. 0.1 for a rehearsal on a tenth of the firms); got %g", F);
        return ZZ_USAGE;
    }
    if (F != 1 && cfg->population.file[0]) {
        snprintf(err, errlen, "--scale %g: the population comes from the firm file '%s', which "
                 "cannot be shrunk; --scale is for synthetic populations (population.firms)",
                 F, cfg->population.file);
        return ZZ_USAGE;
    }
    const int blocks[] = {ZZ_PB_SCENARIO, ZZ_PB_POPULATION, ZZ_PB_DECISION, ZZ_PB_COMPUTE};
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        const zz_param *p;
        for (int c = 0; (p = zz_param_next(blocks[b], -1, &c));)
            if (p->flags & ZZ_PF_SCALES)
                scale_row(p, zz_param_base(cfg, blocks[b], 0), F);
    }
    for (int g = 0; g < cfg->nprogrammes; g++) {
        const zz_param *p;
        for (int c = 0; (p = zz_param_next(ZZ_PB_PROGRAMME, cfg->programme[g].kind, &c));)
            if (p->flags & ZZ_PF_SCALES)
                scale_row(p, &cfg->programme[g], F);
    }
    cfg->scale *= F;
    return ZZ_OK;
}
