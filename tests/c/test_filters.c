/*
 * Who a programme covers and whom a target group counts, against a count
 * by hand over the population's own city, industry and size arrays: the
 * filters by industry, by city, by size, above-size only, and together.
 */
#include "zz_world.h"

typedef struct case_ {
    uint64_t cities, industries;
    uint8_t sizes, gsz_only;
} case_;

static const case_ cases[] = {
    {0, (1u << 1) | (1u << 3), 0, 0}, /* industries only (the city index must not be read) */
    {(1u << 0) | (1u << 2), 0, 0, 0}, /* cities only */
    {1u << 4, 1u << 0, 0, 0},         /* one city x one industry */
    {0, 1u << 2, 1u << 1, 0},         /* an industry and a size */
    {1u << 1, 0, 0, 1},               /* a city, above size only */
};
enum { NCASES = sizeof cases / sizeof *cases };

static int covers(const case_ *k, uint32_t f)
{
    return (!k->cities || (k->cities >> world->city[f] & 1u)) &&
           (!k->industries || (k->industries >> world->industry[f] & 1u)) &&
           (!k->sizes || (k->sizes >> world->size[f] & 1u)) &&
           (!k->gsz_only || (world->flags[f] & ZZ_F_GSZ));
}

static void filters_count_by_hand(void)
{
    zz_scenario *sc = world_scenario();
    const int t0 = sc->cfg.ntargets; /* after the default groups */
    for (int j = 0; j < NCASES; j++) {
        zz_programme_cfg *g = zz_fixture_programme(sc, ZZ_K("voucher.compute"), "voucher.compute", 1e9);
        snprintf(g->name, sizeof g->name, "voucher.compute.c%d", j);
        g->filter.cities = cases[j].cities;
        g->filter.industries = cases[j].industries;
        g->filter.sizes = cases[j].sizes;
        g->filter.gsz_only = cases[j].gsz_only;
        zz_target_cfg *t = &sc->cfg.target[sc->cfg.ntargets++];
        snprintf(t->name, sizeof t->name, "group%d", j);
        t->filter = g->filter;
        t->share = 1;
        t->by = -1;
    }
    zz_sim *b = world_sim(sc);
    for (int j = 0; j < NCASES; j++) {
        int64_t eligible = 0, want_eligible = 0, members = 0, adopted = 0, want_adopted = 0;
        for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
            int in = covers(&cases[j], f), none = b->firm[f].state == ZZ_S_NONE;
            members += in;
            want_eligible += in && none;
            eligible += zz_prog_eligible(b, j, f);
            want_adopted += in && b->firm[f].state >= ZZ_S_ADOPTED;
        }
        adopted = b->target_adopted[t0 + j];
        CHECKF(want_eligible > 0 && want_eligible < world->n, "case %d covers %lld firms", j,
               (long long)want_eligible);
        CHECKF(eligible == want_eligible, "case %d: %lld eligible, by hand %lld", j, (long long)eligible,
               (long long)want_eligible);
        CHECKF(b->target_firms[t0 + j] == members, "group %d: %d firms, by hand %lld", j, b->target_firms[t0 + j],
               (long long)members);
        CHECKF(adopted == want_adopted, "group %d: %lld adopted, by hand %lld", j, (long long)adopted,
               (long long)want_adopted);
    }
    zz_sim_close(b);
    free(sc);
}

int main(void)
{
    world_open();
    filters_count_by_hand();
    zz_population_free(world);
    return zz_test_finish();
}
