/* Scenarios built in C for the engine's tests, so they do not depend on
 * the Lua binding: defaults plus the fields a test sets. */
#ifndef ZZ_FIXTURE_H
#define ZZ_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "policy/instrument.h"
#include "config.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* Row of an instrument in the table, by its programmes' name stem. */
#define ZZ_K(stem) zz_instrument_find(stem)

/* An instrument's record in a replication (NULL if it has no programme):
 * tests drive its hooks as the engine would. */
static inline zz_inst *zz_fixture_inst(zz_sim *sim, const char *stem)
{
    int k = ZZ_K(stem);
    return k >= 0 && sim->inst_of[k] >= 0 ? &sim->inst[sim->inst_of[k]] : NULL;
}

/* Money moves as when a project starts or ends, by the engine's own code
 * (the instruments that marked the firm settle at the end). */
static inline void zz_fixture_start(zz_sim *sim, uint32_t f, const zz_valuation *v)
{
    zz_commit_project(sim, f, v);
}
static inline void zz_fixture_finish(zz_sim *sim, uint32_t f, int success)
{
    zz_settle_project(sim, f, success);
}

/* A programme's own parameter, by its registry row (so tests set what a
 * scenario would, with no knowledge of the instrument's layout). */
static inline void *zz_fixture_field(zz_programme_cfg *g, const char *field, int *is_int)
{
    const zz_param *p = zz_param_field(ZZ_PB_PROGRAMME, g->kind, field);
    if (!p) {
        fprintf(stderr, "fixture: %s has no field %s\n", g->name, field);
        abort();
    }
    *is_int = p->type == ZZ_PT_INTEGER || p->type == ZZ_PT_BOOLEAN || p->type == ZZ_PT_CHOICE;
    return (char *)g + p->offset;
}
static inline void zz_fixture_set(zz_programme_cfg *g, const char *field, double x)
{
    int is_int;
    void *at = zz_fixture_field(g, field, &is_int);
    if (is_int)
        *(int *)at = (int)x;
    else
        *(double *)at = x;
}
static inline int zz_fixture_has(const zz_programme_cfg *g, const char *field)
{
    return zz_param_field(ZZ_PB_PROGRAMME, g->kind, field) != NULL;
}
static inline double zz_fixture_get(const zz_programme_cfg *g, const char *field)
{
    int is_int;
    void *at = zz_fixture_field((zz_programme_cfg *)g, field, &is_int);
    return is_int ? *(int *)at : *(double *)at;
}

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
        zz_fixture_set(zz_fixture_programme(sc, ZZ_K(name[k]), name[k], budget), "cap", cap);
}
#endif
