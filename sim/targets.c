/*
 * Which firms a filter covers (cells, and classes: cell x above-size), the
 * adopted share of a group, and the targets' running counts: a target is
 * reached the instant its share first meets it. Part of the kernel, out of
 * sim.c so that the event loop's file holds the loop.
 */
#include "sim.h"

#include <math.h>
#include <stdint.h>

#include "sim_internal.h"

int zz_cell_match(const zz_sim *sim, const zz_filter *flt, int c, int i, int s)
{
    if (flt->cities && !(flt->cities >> c & 1u))
        return 0;
    if (flt->industries && !(flt->industries >> i & 1u))
        return 0;
    if (flt->sizes && !(flt->sizes >> s & 1u))
        return 0;
    if (flt->pioneer_only) {
        for (int k = 0; k < sim->cfg.npioneers; k++)
            if (sim->cfg.pioneer[k].city == c && sim->cfg.pioneer[k].industry == i)
                return 1;
        return 0;
    }
    return 1;
}

/* Adopted share of a group, summed over the cells it covers. */
static void group_counts(const zz_sim *sim, const zz_filter *flt, int64_t *adopted, int64_t *firms)
{
    const zz_population *p = sim->pop;
    const int32_t *count = flt->gsz_only ? sim->count_gsz : sim->count;
    const int32_t *cell_firms = flt->gsz_only ? p->cell_firms_gsz : p->cell_firms;
    *adopted = *firms = 0;
    for (int c = 0; c < p->ncities; c++)
        for (int i = 0; i < p->nindustries; i++)
            for (int s = 0; s < ZZ_NSIZES; s++) {
                if (!zz_cell_match(sim, flt, c, i, s))
                    continue;
                int64_t cell = zz_cell(p, c, i, s);
                *adopted += count[cell * ZZ_NSTATES + ZZ_S_ADOPTED] +
                            count[cell * ZZ_NSTATES + ZZ_S_SCALED];
                *firms += cell_firms[cell];
            }
}

double zz_sim_share(const zz_sim *sim, const zz_filter *f)
{
    int64_t a, n;
    group_counts(sim, f, &a, &n);
    return n > 0 ? (double)a / (double)n : 0.0;
}

/* Called on every adoption: a target is reached the instant its share
 * first meets it, not at the next month end. */
void zz_targets_on_adopt(zz_sim *sim, uint32_t f)
{
    uint64_t m = sim->target_cls[zz_firm_class(sim, f)];
    for (int g = 0; m; g++, m >>= 1) {
        if (!(m & 1))
            continue;
        const zz_target_cfg *t = &sim->cfg.target[g];
        sim->target_adopted[g]++;
        if (isnan(sim->target_reached[g]) && sim->target_firms[g] > 0 &&
            sim->target_adopted[g] >= t->share * sim->target_firms[g])
            sim->target_reached[g] = sim->now;
    }
}

/* A firm's class, cell x above-size: from its record under the economic
 * rule, else from the population's arrays. */
uint32_t zz_firm_class(const zz_sim *sim, uint32_t f)
{
    if (sim->attr)
        return sim->attr[f].cls;
    const zz_population *p = sim->pop;
    return (uint32_t)(zz_cell(p, p->city[f], p->industry[f], p->size[f]) * 2 + !!(p->flags[f] & ZZ_F_GSZ));
}

/* Which of n filters cover each class of firms, cell x above-size (bit k
 * for flt[k]), into out[ncells * 2]: filters are fixed for the run, so a
 * review, an adoption or the accounting tests a bit, not a filter. */
void zz_filter_classes(const zz_sim *sim, const zz_filter *const *flt, int n, uint64_t *out)
{
    const zz_population *p = sim->pop;
    for (int c = 0; c < p->ncities; c++)
        for (int i = 0; i < p->nindustries; i++)
            for (int s = 0; s < ZZ_NSIZES; s++)
                for (int gsz = 0; gsz < 2; gsz++) {
                    uint64_t m = 0;
                    for (int k = 0; k < n; k++)
                        if ((gsz || !flt[k]->gsz_only) && zz_cell_match(sim, flt[k], c, i, s))
                            m |= (uint64_t)1 << k;
                    out[zz_cell(p, c, i, s) * 2 + gsz] = m;
                }
}

/* The targets' classes and counts at the start (a target already met is
 * reached at day 0). */
void zz_targets_init(zz_sim *sim)
{
    const zz_filter *flt[ZZ_MAX_TARGETS] = {0};
    for (int g = 0; g < sim->cfg.ntargets; g++)
        flt[g] = &sim->cfg.target[g].filter;
    zz_filter_classes(sim, flt, sim->cfg.ntargets, sim->target_cls);
    for (int g = 0; g < sim->cfg.ntargets; g++) {
        int64_t a, n;
        group_counts(sim, &sim->cfg.target[g].filter, &a, &n);
        sim->target_adopted[g] = (int32_t)a;
        sim->target_firms[g] = (int32_t)n;
        sim->target_reached[g] =
            n > 0 && a >= sim->cfg.target[g].share * n ? 0.0 : NAN;
    }
}
