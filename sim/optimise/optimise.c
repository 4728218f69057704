/*
 * An optimisation file read and checked against its scenario (optimise.h):
 * the optimise block through the calibration loader, then each share a
 * programme of the scenario, the target one of its targets, `by` inside
 * the run, the free keys as an experiment's factors.
 */
#include "optimise/optimise.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/date.h"
#include "scenario/lua_sandbox.h"
#include "scenario/params.h"

const char *const zz_objective_names[ZZ_NOBJECTIVES] = {"p_target", "time_to_target", "target_share",
                                                        "additional", "cost_per_additional"};

static int l_optimise(lua_State *L)
{
    static const char *const fields[] = {"scenario", "replications", "seed", "starts", "evaluations",
                                         "optimiser", "budget", "shares", "objective", "target",
                                         "by", "confirm", "confirm_replications", "robust",
                                         "points", "design"};
    zz_optimisation *o = zz_calib_user(L);
    zz_calib_block(L, "optimise", fields, 16);
    int ok;
    lua_getfield(L, 1, "budget");
    o->budget = lua_tonumberx(L, -1, &ok);
    if (!ok || !(o->budget > 0) || !isfinite(o->budget))
        return zz_lua_error(L, "optimise: budget must be a number of yuan > 0 (the total to split), "
                               "got %s", luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "shares") != LUA_TTABLE || luaL_len(L, -1) < 1 ||
        luaL_len(L, -1) > ZZ_MAX_SHARES)
        return zz_lua_error(L, "optimise: shares must list 1 to %d programmes of the scenario, "
                               "e.g. shares = { \"voucher.compute\", \"subsidy.investment\" }",
                            ZZ_MAX_SHARES);
    o->nshares = (int)luaL_len(L, -1);
    for (int i = 0; i < o->nshares; i++) {
        if (lua_geti(L, -1, i + 1) != LUA_TSTRING)
            return zz_lua_error(L, "optimise: shares[%d] must be a programme name", i + 1);
        snprintf(o->share[i], sizeof o->share[i], "%s", lua_tostring(L, -1));
        for (int j = 0; j < i; j++)
            if (!strcmp(o->share[j], o->share[i]))
                return zz_lua_error(L, "optimise: shares lists \"%s\" twice", o->share[i]);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    o->objective = -1;
    const char *k = lua_getfield(L, 1, "objective") == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    for (int i = 0; k && i < ZZ_NOBJECTIVES; i++)
        if (!strcmp(k, zz_objective_names[i]))
            o->objective = i;
    if (o->objective < 0) {
        char valid[256] = "";
        zz_join_names(valid, sizeof valid, zz_objective_names, ZZ_NOBJECTIVES);
        return zz_lua_error(L, "optimise: unknown objective '%s'; valid: %s", luaL_tolstring(L, -1, NULL),
                            valid);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "target") != LUA_TSTRING)
        return zz_lua_error(L, "optimise: target must name a target of the scenario, e.g. "
                               "target = \"province_gsz\"");
    snprintf(o->target, sizeof o->target, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "by") != LUA_TSTRING || lua_rawlen(L, -1) != 10)
        return zz_lua_error(L, "optimise: by must be a date \"YYYY-MM-DD\" (the deadline)");
    snprintf(o->by, sizeof o->by, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_Integer v;
    if (lua_getfield(L, 1, "confirm") != LUA_TNIL) {
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < 1 || v > 32)
            return zz_lua_error(L, "optimise: confirm (candidates rerun) must be a whole number in [1, 32]");
        o->confirm = (int)v;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "confirm_replications") != LUA_TNIL) {
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < 2 || v > 100000)
            return zz_lua_error(L, "optimise: confirm_replications must be a whole number in [2, 100000]");
        o->confirm_replications = (int)v;
    }
    lua_pop(L, 1);
    /* the robust option: how the objective is taken across the design */
    if (lua_getfield(L, 1, "robust") == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "mean")) {
        o->robust = -1;
    } else if (!lua_isnil(L, -1)) {
        double q = lua_tonumberx(L, -1, &ok);
        if (!ok || !(q > 0 && q < 1))
            return zz_lua_error(L, "optimise: robust must be \"mean\" or a quantile in (0, 1) (0.25: "
                                   "the value three worlds in four meet or beat), got %s",
                                luaL_tolstring(L, -1, NULL));
        o->robust = q;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "points") != LUA_TNIL) {
        v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < 1 || v > 4096)
            return zz_lua_error(L, "optimise: points (of the design over the uncertain parameters) "
                                   "must be a whole number in [1, 4096]");
        o->unc->points = (int)v;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "design") != LUA_TNIL) {
        const char *d = lua_tostring(L, -1);
        o->unc->design = d && !strcmp(d, "sobol") ? ZZ_DESIGN_SOBOL : d && !strcmp(d, "lhs") ? ZZ_DESIGN_LHS : -1;
        if (o->unc->design < 0)
            return zz_lua_error(L, "optimise: unknown design '%s' (over the uncertain parameters); "
                                   "valid: sobol, lhs", luaL_tolstring(L, -1, NULL));
    }
    lua_pop(L, 1);
    return 0;
}

int zz_optimisation_nvar(const zz_optimisation *o) { return o->nshares - 1 + o->cal->ex->nfactors; }

int zz_optimisation_points(const zz_optimisation *o) { return o->unc->nfactors ? o->unc->npoints : 1; }

void zz_optimisation_decode(const zz_optimisation *o, double total, const double *u, double *budget,
                            double *free)
{
    /* stick-breaking: every split of the budget has one preimage in the
     * cube's interior and the corners give one programme everything */
    double rest = 1;
    for (int i = 0; i < o->nshares; i++) {
        double s = i + 1 < o->nshares ? rest * u[i] : rest;
        budget[i] = s * total;
        rest -= s;
    }
    for (int f = 0; f < o->cal->ex->nfactors; f++)
        free[f] = zz_factor_value(&o->cal->ex->factor[f], u[o->nshares - 1 + f]);
}

void zz_optimisation_plan(const zz_optimisation *o, double *budget, double *free)
{
    const zz_config *cfg = &o->cal->ex->sc[0]->cfg;
    for (int i = 0; i < o->nshares; i++) {
        const zz_programme_cfg *g = &cfg->programme[o->prog[i]];
        budget[i] = g->budget * (g->budget_per_year ? o->fiscal_years : 1);
    }
    for (int f = 0; f < o->cal->ex->nfactors; f++) {
        char buf[256], msg[512], *end;
        free[f] = NAN;
        if (!zz_param_get_text(cfg, o->cal->ex->factor[f].key, buf, sizeof buf, msg, sizeof msg)) {
            double v = strtod(buf, &end);
            if (end != buf && !*end)
                free[f] = v;
        }
    }
}

void zz_optimisation_encode(const zz_optimisation *o, const double *budget, const double *free, double *u)
{
    double total = 0, rest;
    for (int i = 0; i < o->nshares; i++)
        total += budget[i];
    rest = total;
    /* the inverse of the stick-breaking in decode; an empty rest: any u */
    for (int i = 0; i + 1 < o->nshares; i++) {
        u[i] = rest > 0 ? fmin(1, fmax(0, budget[i] / rest)) : 0.5;
        rest -= budget[i];
    }
    for (int f = 0; f < o->cal->ex->nfactors; f++) {
        const zz_factor *fa = &o->cal->ex->factor[f];
        const double x = isnan(free[f]) ? 0.5 : (free[f] - fa->lo) / (fa->hi - fa->lo);
        u[o->nshares - 1 + f] = fmin(1, fmax(0, x));
    }
}

static int fail_at(zz_optimisation *o, char *err, size_t errlen, const char *fmt, const char *a,
                   const char *b)
{
    char msg[1400];
    snprintf(msg, sizeof msg, fmt, a, b);
    snprintf(err, errlen, "%s: optimise: %s", o->cal->where, msg);
    return ZZ_SCENARIO;
}

static int resolve(zz_optimisation *o, char *err, size_t errlen)
{
    zz_experiment *ex = o->cal->ex;
    const zz_config *cfg = &ex->sc[0]->cfg;
    char valid[1200] = "";
    for (int i = 0; i < o->nshares; i++) {
        o->prog[i] = -1;
        for (int p = 0; p < cfg->nprogrammes; p++)
            if (!strcmp(cfg->programme[p].name, o->share[i]))
                o->prog[i] = p;
        if (o->prog[i] < 0) {
            for (int p = 0; p < cfg->nprogrammes; p++)
                snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", p ? ", " : "",
                         cfg->programme[p].name);
            return fail_at(o, err, errlen,
                           "shares: unknown programme '%s'; the scenario's programmes: %s", o->share[i],
                           valid);
        }
    }
    o->g = -1;
    for (int g = 0; g < cfg->ntargets; g++)
        if (!strcmp(cfg->target[g].name, o->target))
            o->g = g;
    if (o->g < 0) {
        for (int g = 0; g < cfg->ntargets; g++)
            snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", g ? ", " : "",
                     cfg->target[g].name);
        return fail_at(o, err, errlen, "unknown target '%s'; the scenario's targets: %s",
                       o->target, valid);
    }
    int64_t day;
    char end[16];
    zz_date_format(cfg->start_day + (int64_t)cfg->horizon - 1, end);
    /* by the end of that day */
    if (zz_date_parse(o->by, &day) || day < cfg->start_day || day - cfg->start_day + 1 > cfg->horizon) {
        char range[64];
        snprintf(range, sizeof range, "%s to %s", cfg->start, end);
        return fail_at(o, err, errlen, "by = \"%s\" is not a date inside the run (%s)",
                       o->by, range);
    }
    o->by_day = (double)(day - cfg->start_day + 1);
    const int T = zz_month_ends(cfg->start_day, cfg->horizon, NULL);
    double *t = malloc((size_t)T * sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    zz_month_ends(cfg->start_day, cfg->horizon, t);
    o->t_by = 0;
    while (o->t_by + 1 < T && t[o->t_by + 1] <= o->by_day)
        o->t_by++;
    free(t);
    int y0, y1, m, d;
    zz_civil_from_days(cfg->start_day, &y0, &m, &d);
    zz_civil_from_days(cfg->start_day + (int64_t)ceil(cfg->horizon) - 1, &y1, &m, &d);
    o->fiscal_years = y1 - y0 + 1;
    return ZZ_OK;
}

int zz_optimisation_open(zz_optimisation **out, const char *path, char *err, size_t errlen)
{
    zz_optimisation *o = calloc(1, sizeof *o);
    *out = o;
    if (!o || !(o->cal = calloc(1, sizeof *o->cal)) || !(o->cal->ex = calloc(1, sizeof *o->cal->ex)) ||
        !(o->unc = calloc(1, sizeof *o->unc))) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    zz_calibration *c = o->cal;
    c->seed = -1;
    c->evaluations = 60;
    c->block = "optimise";
    c->block_fn = l_optimise;
    c->user = o;
    o->confirm = 3;
    o->robust = -1;
    o->unc->design = ZZ_DESIGN_SOBOL;
    o->unc->points = 8;
    c->uncertain = o->unc;
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->ex->path, sizeof c->ex->path, "%s", path);
    int rc = zz_calibration_read(c, err, errlen);
    zz_experiment *ex = c->ex;
    if (!rc && (rc = zz_scenario_open(&ex->sc[0], ex->scenario_path[0])) != ZZ_OK)
        snprintf(err, errlen, "%.300s: optimise: scenario '%.300s' is invalid:\n%.1200s", c->where,
                 c->scenario_given, ex->sc[0] ? ex->sc[0]->errmsg : "out of memory");
    if (!rc) {
        zz_config *cfg = &ex->sc[0]->cfg;
        if (c->seed < 0)
            c->seed = cfg->seed;
        if (c->replications < 1)
            c->replications = cfg->replications;
        if (!o->confirm_replications)
            o->confirm_replications = 4 * c->replications;
        cfg->replications = c->replications;
        ex->seed = c->seed;
        ex->replications = c->replications;
        snprintf(ex->name, sizeof ex->name, "optimisation");
        rc = resolve(o, err, errlen);
    }
    for (int f = 0; !rc && f < ex->nfactors; f++)
        rc = zz_factor_check(ex, &ex->factor[f], "free", err, errlen);
    /* the uncertain parameters: checked against the same scenario, then a
     * design over them (experiment.c) */
    zz_experiment *u = o->unc;
    for (int f = 0; !rc && f < u->nfactors; f++) {
        for (int g = 0; g < ex->nfactors; g++)
            if (!strcmp(ex->factor[g].key, u->factor[f].key)) {
                snprintf(err, errlen, "%s: uncertain \"%s\" is also free (%s); a parameter is "
                                      "chosen or uncertain, not both", u->factor[f].where,
                         u->factor[f].key, ex->factor[g].where);
                rc = ZZ_SCENARIO;
            }
        rc = rc ? rc : zz_factor_check(ex, &u->factor[f], "uncertain", err, errlen);
    }
    if (!rc && u->nfactors) {
        u->sc[0] = ex->sc[0];
        u->nscenarios = 1;
        u->seed = c->seed;
        snprintf(u->where, sizeof u->where, "%s", c->where);
        rc = zz_experiment_design(u, err, errlen);
    }
    if (!rc) {
        const int n = zz_optimisation_nvar(o);
        if (n < 1) {
            snprintf(err, errlen, "%s: optimise: one share and no free parameter leave nothing to "
                                  "choose; list two or more programmes in shares", c->where);
            return ZZ_SCENARIO;
        }
        if (!c->starts)
            c->starts = 4 * n + 4;
        ex->npoints = 1;
        ex->unit = calloc((size_t)ex->nfactors + 1, sizeof *ex->unit);
        ex->value = calloc((size_t)ex->nfactors + 1, sizeof *ex->value);
        ex->block = calloc(1, sizeof *ex->block);
        if (!ex->unit || !ex->value || !ex->block) {
            snprintf(err, errlen, "out of memory");
            rc = ZZ_NOMEM;
        }
    }
    return rc;
}

void zz_optimisation_close(zz_optimisation *o)
{
    if (!o)
        return;
    if (o->unc)
        o->unc->sc[0] = NULL; /* borrowed from cal->ex */
    zz_experiment_close(o->unc);
    zz_calibration_close(o->cal);
    free(o);
}
