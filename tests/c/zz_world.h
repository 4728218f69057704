/* A shared small world for the per-instrument tests: one synthetic
 * population, economic rule, and sims opened on it with or without
 * programmes. Include once per test file. */
#ifndef ZZ_WORLD_H
#define ZZ_WORLD_H
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_internal.h"
#include "zz_fixture.h"
#include "zz_test.h"

static zz_population *world;

static zz_scenario *world_scenario(void)
{
    zz_scenario *sc = zz_fixture_scenario();
    sc->cfg.population.firms = 20000;
    sc->cfg.seed = 5;
    return sc;
}

static void world_open(void)
{
    zz_scenario *sc = world_scenario();
    char err[512];
    CHECKF(zz_population_build(&world, sc, err, sizeof err) == 0, "%s", err);
    free(sc);
}

static zz_sim *world_sim(zz_scenario *sc)
{
    zz_sim *sim;
    int rc = zz_sim_open(&sim, sc, world, 0, 0);
    CHECKF(rc == 0, "%s", zz_errmsg(sim));
    return sim;
}
/* First non-adopter with or without credit access whose project needs
 * borrowing, or not. */
static inline uint32_t find_firm(zz_sim *sim, int need_credit, int need_borrowing)
{
    for (uint32_t f = 0; f < (uint32_t)world->n; f++) {
        if (sim->firm[f].state != ZZ_S_NONE)
            continue;
        zz_valuation v;
        zz_value_project(sim, f, &v);
        int credit = (world->flags[f] & ZZ_F_CREDIT) != 0;
        if (credit == need_credit && (v.borrowed > 0) == need_borrowing)
            return f;
    }
    return UINT32_MAX;
}
#endif
