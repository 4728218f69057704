/* Scenarios built in C for the engine's tests, so they do not depend on
 * the Lua binding: defaults plus the fields a test sets. */
#ifndef ZZ_FIXTURE_H
#define ZZ_FIXTURE_H
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "scenario/config.h"
#include "scenario/scenario.h"

static inline zz_scenario *zz_fixture_scenario(void)
{
    zz_scenario *sc = calloc(1, sizeof *sc);
    zz_config_defaults(&sc->cfg);
    return sc;
}

/* One peer group of n firms, none adopted at the start, bass rule. */
static inline zz_scenario *zz_fixture_bass(int64_t n, double p, double q, double years)
{
    zz_scenario *sc = zz_fixture_scenario();
    zz_config *c = &sc->cfg;
    c->population.firms = n;
    c->population.initial_adoption = 0;
    c->decision.rule = ZZ_RULE_BASS;
    c->decision.p = p;
    c->decision.q = q;
    c->decision.review_days = 365;
    c->decision.peers = ZZ_PEERS_ALL;
    c->years = years;
    c->horizon = (double)(zz_days_from_civil(2026 + (int)years, 1, 1) - c->start_day);
    return sc;
}

static inline zz_programme_cfg *zz_fixture_programme(zz_scenario *sc, int kind, const char *name,
                                                     double budget)
{
    zz_programme_cfg *g = &sc->cfg.programme[sc->cfg.nprogrammes++];
    zz_programme_defaults(g, kind);
    strncpy(g->name, name, sizeof g->name - 1);
    g->budget = budget;
    return g;
}
/* The four vouchers, each with the given budget and cap. */
static inline void zz_fixture_vouchers(zz_scenario *sc, double budget, double cap)
{
    static const char *const name[4] = {"voucher.compute", "voucher.model", "voucher.corpus",
                                        "voucher.scenario"};
    for (int k = 0; k < 4; k++)
        zz_fixture_programme(sc, ZZ_VOUCHER_COMPUTE + k, name[k], budget)->cap = cap;
}
#endif
