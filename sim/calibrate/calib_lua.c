/*
 * Reading a calibration file (calibrate.h): runs it in the scenario
 * sandbox, where calibrate { }, free "key" { lo, hi }, moment "name" { }
 * and include fill a zz_calibration. What the names and dates mean for
 * the scenario is checked later (calibrate.c).
 */
#include "calibrate/calibrate.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate/observed.h"
#include "experiment/experiment_lua.h"
#include "scenario/lua_include.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"

const char *const zz_moment_kind_names[ZZ_NMOMENT_KINDS] = {"share", "hazard", "ratio",
                                                             "additionality", "effect"};

typedef struct cal_loader {
    zz_calibration *c;
    zz_sandbox *sb;
    char root[ZZ_PATH_LEN];
    zz_include_stack inc;
    int declared;
    zz_observed *obs;         /* data/observed.csv, read at the first data = */
} cal_loader;

static cal_loader *LD(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

/* Unknown fields first: a typo must not pass as a default. */
static void check_fields(lua_State *L, int idx, const char *what, const char *const *fields, int n)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int known = 0;
        for (int i = 0; k && i < n; i++)
            known |= !strcmp(k, fields[i]);
        if (!known) {
            char valid[512] = "";
            zz_join_names(valid, sizeof valid, fields, n);
            zz_lua_error(L, "%s: unknown field '%s'; valid fields: %s", what,
                         k ? k : luaL_tolstring(L, -1, NULL), valid);
        }
    }
}

static int int_field(lua_State *L, const char *what, const char *name, long long lo, long long hi,
                     long long *out)
{
    if (lua_getfield(L, 1, name) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < lo || v > hi)
        zz_lua_error(L, "%s: %s must be a whole number in [%lld, %lld], got %s", what, name, lo, hi,
                     luaL_tolstring(L, -1, NULL));
    *out = v;
    lua_pop(L, 1);
    return 1;
}

/* ---- calibrate { ... } ----------------------------------------------------- */

void *zz_calib_user(lua_State *L) { return LD(L)->c->user; }

void zz_calib_check_fields(lua_State *L, int idx, const char *what, const char *const *fields, int n)
{
    check_fields(L, idx, what, fields, n);
}

/* The fields a calibrate and an optimise block share; `what` names the
 * block, fields[0 .. n) every field it takes. */
int zz_calib_block(lua_State *L, const char *what, const char *const *fields, int n)
{
    cal_loader *ld = LD(L);
    zz_calibration *c = ld->c;
    if (!lua_istable(L, 1))
        return zz_lua_error(L, "%s: expected a table of fields, %s { scenario = "
                               "\"baseline.lua\", replications = 16, seed = 3 }", what, what);
    if (ld->declared)
        return zz_lua_error(L, "%s: declared twice (first at %s)", what, c->where);
    ld->declared = 1;
    zz_lua_where(L, 1, c->where, sizeof c->where);
    check_fields(L, 1, what, fields, n);
    if (lua_getfield(L, 1, "scenario") != LUA_TSTRING)
        return zz_lua_error(L, "%s: scenario must be a scenario file, e.g. scenario = "
                               "\"baseline.lua\"", what);
    char msg[1024];
    zz_experiment *ex = c->ex;
    if (zz_source_resolve(ld->root, zz_include_current(&ld->inc), lua_tostring(L, -1), ".lua",
                          ex->scenario_path[0], sizeof ex->scenario_path[0], msg, sizeof msg))
        return zz_lua_error(L, "%s: scenario: %s", what, msg);
    snprintf(c->scenario_given, sizeof c->scenario_given, "%s", lua_tostring(L, -1));
    snprintf(ex->scenario_given[0], sizeof ex->scenario_given[0], "%s", lua_tostring(L, -1));
    ex->nscenarios = 1;
    lua_pop(L, 1);
    long long v;
    if (int_field(L, what, "replications", 1, 100000, &v))
        c->replications = (int)v;
    if (int_field(L, what, "seed", 0, 0xffffffffffffLL, &v))
        c->seed = v;
    if (int_field(L, what, "starts", 1, 100000, &v))
        c->starts = (int)v;
    if (int_field(L, what, "evaluations", 1, 1000000, &v))
        c->evaluations = (int)v;
    if (lua_getfield(L, 1, "optimiser") != LUA_TNIL) {
        const char *s = lua_tostring(L, -1);
        if (s && !strcmp(s, "sbplx"))
            c->local = 0;
        else if (s && !strcmp(s, "bobyqa"))
            c->local = 1;
        else
            return zz_lua_error(L, "%s: unknown optimiser '%s' (the local stage); valid: sbplx, bobyqa",
                                what, luaL_tolstring(L, -1, NULL));
    }
    lua_pop(L, 1);
    return 0;
}

static int l_calibrate(lua_State *L)
{
    static const char *const fields[] = {"scenario", "replications", "seed", "starts",
                                         "evaluations", "optimiser", "jacobian_step",
                                         "covariance", "correlation"};
    zz_calib_block(L, "calibrate", fields, 9);
    zz_calibration *c = LD(L)->c;
    zz_calibration_read_matrix(L, c);
    if (lua_getfield(L, 1, "jacobian_step") != LUA_TNIL) {
        int ok;
        double h = lua_tonumberx(L, -1, &ok);
        if (!ok || !(h > 0 && h <= 0.25))
            return zz_lua_error(L, "calibrate: jacobian_step must be a number in (0, 0.25] (a "
                                   "share of each free range), got %s", luaL_tolstring(L, -1, NULL));
        c->jacobian_step = h;
    }
    lua_pop(L, 1);
    return 0;
}

/* ---- free "key" { lo, hi } ------------------------------------------------- */

static int l_free_fields(lua_State *L)
{
    cal_loader *ld = LD(L);
    zz_experiment *ex = ld->c->ex;
    const char *key = lua_tostring(L, lua_upvalueindex(2));
    if (!lua_istable(L, 1) || lua_rawlen(L, 1) != 2)
        return zz_lua_error(L, "free \"%s\": expected bounds { lo, hi }", key);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        lua_Integer i = lua_type(L, -1) == LUA_TNUMBER ? lua_tointeger(L, -1) : 0;
        if (i != 1 && i != 2)
            return zz_lua_error(L, "free \"%s\": unknown field '%s'; give bounds { lo, hi }", key,
                                luaL_tolstring(L, -1, NULL));
    }
    if (ex->nfactors == ZZ_MAX_FACTORS)
        return zz_lua_error(L, "free: at most %d free parameters", ZZ_MAX_FACTORS);
    for (int i = 0; i < ex->nfactors; i++)
        if (!strcmp(ex->factor[i].key, key))
            return zz_lua_error(L, "free \"%s\": declared twice (first at %s)", key,
                                ex->factor[i].where);
    zz_factor *f = &ex->factor[ex->nfactors];
    memset(f, 0, sizeof *f);
    snprintf(f->key, sizeof f->key, "%s", key);
    zz_lua_where(L, 1, f->where, sizeof f->where);
    double b[2];
    for (int i = 0; i < 2; i++) {
        int ok;
        lua_geti(L, 1, i + 1);
        b[i] = lua_tonumberx(L, -1, &ok);
        if (!ok || !isfinite(b[i]))
            return zz_lua_error(L, "free \"%s\": %s must be a number, got %s", key,
                                i ? "hi" : "lo", luaL_tolstring(L, -1, NULL));
        lua_pop(L, 1);
    }
    if (!(b[0] < b[1]))
        return zz_lua_error(L, "free \"%s\": empty range [%g, %g]; lo must be below hi", key, b[0],
                            b[1]);
    f->scale = ZZ_SCALE_LINEAR;
    f->lo = b[0];
    f->hi = b[1];
    ex->nfactors++;
    return 0;
}

static int l_free(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING)
        return zz_lua_error(L, "free: expected a parameter key, e.g. "
                               "free \"population.hurdle_mean\" { 0.2, 1.5 }");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, l_free_fields, 2);
    return 1;
}

/* ---- moment "name" { ... } ------------------------------------------------- */

/* A string or a list of strings into names[]. */
static void name_list(lua_State *L, int idx, const char *what, const char *field,
                      char (*names)[64], int *n)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        snprintf(names[0], 64, "%s", lua_tostring(L, idx));
        *n = 1;
        return;
    }
    if (!lua_istable(L, idx))
        zz_lua_error(L, "%s: %s must be a name or a list of names", what, field);
    int k = (int)luaL_len(L, idx);
    if (k < 1 || k > ZZ_GROUP_NAMES)
        zz_lua_error(L, "%s: %s lists %d names; give 1 to %d", what, field, k, ZZ_GROUP_NAMES);
    for (int i = 0; i < k; i++) {
        if (lua_geti(L, idx, i + 1) != LUA_TSTRING)
            zz_lua_error(L, "%s: %s[%d] must be a name", what, field, i + 1);
        snprintf(names[i], 64, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    *n = k;
}

static void read_group(lua_State *L, int idx, const char *what, zz_group_spec *g)
{
    static const char *const fields[] = {"city", "industry", "size", "gsz"};
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx))
        zz_lua_error(L, "%s: a group is a table, e.g. { size = \"small\" } or "
                        "{ city = { \"Jinan\", \"Qingdao\" }, gsz = true }", what);
    check_fields(L, idx, what, fields, 4);
    memset(g, 0, sizeof *g);
    g->gsz = -1;
    if (lua_getfield(L, idx, "city") != LUA_TNIL)
        name_list(L, -1, what, "city", g->city, &g->ncity);
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "industry") != LUA_TNIL)
        name_list(L, -1, what, "industry", g->industry, &g->nindustry);
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "size") != LUA_TNIL) {
        char names[ZZ_GROUP_NAMES][64];
        int n = 0;
        name_list(L, -1, what, "size", names, &n);
        for (int i = 0; i < n; i++) {
            int s = -1;
            for (int k = 0; k < ZZ_NSIZES; k++)
                if (!strcmp(names[i], zz_size_names[k]))
                    s = k;
            if (s < 0) {
                char valid[128] = "";
                zz_join_names(valid, sizeof valid, zz_size_names, ZZ_NSIZES);
                zz_lua_error(L, "%s: unknown size '%s'; valid sizes: %s", what, names[i], valid);
            }
            g->sizes |= 1u << s;
        }
    }
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "gsz") != LUA_TNIL) {
        if (!lua_isboolean(L, -1))
            zz_lua_error(L, "%s: gsz must be true (规上 firms only) or false (the others)", what);
        g->gsz = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
}

static void date_field(lua_State *L, const char *what, const char *field, char *out)
{
    if (lua_getfield(L, 1, field) != LUA_TSTRING || lua_rawlen(L, -1) != 10)
        zz_lua_error(L, "%s: %s must be a date \"YYYY-MM-DD\"", what, field);
    snprintf(out, 16, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
}

/* data/observed.csv, read once per calibration file and kept in the
 * bundle beside the Lua files, so the output records the figures used. */
static zz_observed *observed(lua_State *L, cal_loader *ld, const char *what)
{
    if (ld->obs)
        return ld->obs;
    char path[ZZ_PATH_LEN], msg[2048];
    if (zz_observed_locate(ld->c->path, path, sizeof path, msg, sizeof msg) ||
        zz_observed_open(&ld->obs, path, msg, sizeof msg))
        zz_lua_error(L, "%s: data: %s", what, msg);
    zz_include_stack *inc = &ld->inc;
    size_t len;
    const char *text = zz_observed_text(ld->obs, &len);
    if (inc->nfiles < ZZ_MAX_SOURCE_FILES && (inc->files[inc->nfiles].text = malloc(len + 1))) {
        zz_source_file *f = &inc->files[inc->nfiles++];
        memcpy(f->text, text, len + 1);
        f->len = len;
        snprintf(f->path, sizeof f->path, "%s", path);
    }
    return ld->obs;
}

/* The observed value and its se: value = ..., se = ... as written, or
 * data = "ID", the row of data/observed.csv with that id (never both, so
 * a figure has one home). */
static void read_target(lua_State *L, cal_loader *ld, const char *what, zz_moment *m)
{
    int ok;
    if (lua_getfield(L, 1, "data") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TSTRING)
            zz_lua_error(L, "%s: data must be the id of a row of data/observed.csv, e.g. data = "
                            "\"eu_ai_hazard_small_2023_2025\"", what);
        const char *id = lua_tostring(L, -1);
        for (int i = 0; i < 2; i++) {
            const char *f = i ? "se" : "value";
            if (lua_getfield(L, 1, f) != LUA_TNIL)
                zz_lua_error(L, "%s: give data or %s, not both (data = \"%s\" sets value and se "
                                "from the data file)", what, f, id);
            lua_pop(L, 1);
        }
        const zz_observed *o = observed(L, ld, what);
        const zz_observed_row *row = zz_observed_find(o, id);
        if (!row) {
            char near[512] = "";
            zz_observed_nearest(o, id, near, sizeof near);
            zz_lua_error(L, "%s: data: no row '%s' in %s; %s%s", what, id, zz_observed_path(o),
                         near[0] ? "nearest ids: " : "valid ids are its id column", near);
        }
        /* a held-out figure without an se is compared with the
         * prediction's own interval; a fitted one needs its weight */
        if (isnan(row->se) && !m->holdout)
            zz_lua_error(L, "%s: data: row '%s' (%s:%d) has no se, so it cannot be a calibration "
                            "target (it can be held out: holdout = true); give value and se here, "
                            "with the reason", what, id, zz_observed_path(o), row->line);
        m->value = row->value;
        m->se = row->se;
        snprintf(m->data, sizeof m->data, "%s", id);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "value");
    m->value = lua_tonumberx(L, -1, &ok);
    if (!ok || !isfinite(m->value))
        zz_lua_error(L, "%s: value (the observed moment) must be a number, or give data = \"ID\" "
                        "(a row of data/observed.csv)", what);
    lua_getfield(L, 1, "se");
    m->se = lua_tonumberx(L, -1, &ok);
    if (!ok && m->holdout && lua_isnil(L, -1))
        m->se = NAN; /* held out without an se: the prediction's interval alone */
    else if (!ok || !(m->se > 0) || !isfinite(m->se))
        zz_lua_error(L, "%s: se (the moment's standard error) must be a number > 0", what);
    lua_pop(L, 2);
    /* the objective sums ((simulated - value) / se)^2: past 1e150 a term
     * overflows to inf, and every point of the search looks alike */
    if (isfinite(m->se) && (fabs(m->value) + 1) / m->se > 1e150)
        zz_lua_error(L, "%s: se = %g is too small: the objective ((simulated - value) / "
                        "se)^2 would overflow; give the moment's standard error (at least "
                        "%.3g for value = %g)", what, m->se, (fabs(m->value) + 1) / 1e150,
                     m->value);
}

static void read_holdout(lua_State *L, const char *what, zz_moment *m)
{
    if (lua_getfield(L, 1, "holdout") != LUA_TNIL && !lua_isboolean(L, -1))
        zz_lua_error(L, "%s: holdout must be true (simulated and reported, not fitted) or false",
                     what);
    m->holdout = lua_toboolean(L, -1);
    lua_pop(L, 1);
}

/* additionality / effect: a policy scenario (resolved as calibrate's) and
 * the group whose supported adopters count; measured at its run's end. */
static int policy_moment(lua_State *L, cal_loader *ld, const char *what, zz_moment *m)
{
    static const char *const dated[] = {"at", "from", "to", "groups"};
    for (int i = 0; i < 4; i++) {
        if (lua_getfield(L, 1, dated[i]) != LUA_TNIL)
            zz_lua_error(L, "%s: kind \"%s\" has no field %s (it is measured at the end of the "
                            "policy scenario's run, over one group)", what,
                         zz_moment_kind_names[m->kind], dated[i]);
        lua_pop(L, 1);
    }
    if (lua_getfield(L, 1, "scenario") != LUA_TSTRING)
        zz_lua_error(L, "%s: kind \"%s\" needs scenario = \"POLICY.lua\", the policy scenario run "
                        "against its no-policy twin", what, zz_moment_kind_names[m->kind]);
    char msg[1024];
    if (zz_source_resolve(ld->root, zz_include_current(&ld->inc), lua_tostring(L, -1), ".lua",
                          m->scenario_path, sizeof m->scenario_path, msg, sizeof msg))
        zz_lua_error(L, "%s: scenario: %s", what, msg);
    snprintf(m->scenario_given, sizeof m->scenario_given, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "group") == LUA_TNIL)
        zz_lua_error(L, "%s: group is missing: the firms whose supported adopters count, e.g. "
                        "group = { size = { \"micro\", \"small\" } }", what);
    read_group(L, -1, what, &m->group[0]);
    lua_pop(L, 1);
    read_holdout(L, what, m);
    read_target(L, ld, what, m);
    ld->c->nmoments++;
    return 0;
}

static int l_moment_fields(lua_State *L)
{
    static const char *const fields[] = {"kind", "group", "groups", "at", "from", "to",
                                         "value", "se", "data", "holdout", "scenario"};
    cal_loader *ld = LD(L);
    zz_calibration *c = ld->c;
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    char what[128];
    snprintf(what, sizeof what, "moment \"%.64s\"", name);
    if (!lua_istable(L, 1))
        return zz_lua_error(L, "%s: expected a table of fields { kind = \"share\", group = { ... }, "
                               "at = \"YYYY-MM-DD\", value = ..., se = ... }", what);
    check_fields(L, 1, what, fields, 11);
    if (c->nmoments == ZZ_MAX_MOMENTS)
        return zz_lua_error(L, "moment: at most %d moments", ZZ_MAX_MOMENTS);
    for (int i = 0; i < c->nmoments; i++)
        if (!strcmp(c->moment[i].name, name))
            return zz_lua_error(L, "%s: declared twice (first at %s)", what, c->moment[i].where);
    zz_moment *m = &c->moment[c->nmoments];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    zz_lua_where(L, 1, m->where, sizeof m->where);
    m->kind = -1;
    const char *k = lua_getfield(L, 1, "kind") == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    for (int i = 0; k && i < ZZ_NMOMENT_KINDS; i++)
        if (!strcmp(k, zz_moment_kind_names[i]))
            m->kind = i;
    if (m->kind < 0)
        return zz_lua_error(L, "%s: unknown kind '%s'; valid kinds: share, hazard, ratio, "
                               "additionality, effect", what, luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
    if (ZZ_MOMENT_POLICY(m->kind))
        return policy_moment(L, ld, what, m);
    if (lua_getfield(L, 1, "scenario") != LUA_TNIL)
        return zz_lua_error(L, "%s: kind \"%s\" has no field scenario (only additionality and "
                               "effect run a policy scenario)", what, zz_moment_kind_names[m->kind]);
    lua_pop(L, 1);
    /* which fields each kind takes */
    const int ratio = m->kind == ZZ_MOMENT_RATIO, hazard = m->kind == ZZ_MOMENT_HAZARD;
    const char *wrong = NULL;
    if (lua_getfield(L, 1, ratio ? "group" : "groups") != LUA_TNIL)
        wrong = ratio ? "group (a ratio takes groups = { A, B })" : "groups (only a ratio has two)";
    lua_pop(L, 1);
    if (!wrong && lua_getfield(L, 1, hazard ? "at" : "from") != LUA_TNIL)
        wrong = hazard ? "at (a hazard takes from and to)" : "from (only a hazard has from, to)";
    lua_pop(L, 1);
    if (!wrong && !hazard && lua_getfield(L, 1, "to") != LUA_TNIL)
        wrong = "to (only a hazard has from, to)";
    if (!wrong && !hazard)
        lua_pop(L, 1);
    if (wrong)
        return zz_lua_error(L, "%s: kind \"%s\" has no field %s", what, zz_moment_kind_names[m->kind],
                            wrong);
    if (ratio) {
        if (lua_getfield(L, 1, "groups") != LUA_TTABLE || luaL_len(L, -1) != 2)
            return zz_lua_error(L, "%s: a ratio needs groups = { numerator, denominator }", what);
        for (int i = 0; i < 2; i++) {
            lua_geti(L, -1, i + 1);
            read_group(L, -1, what, &m->group[i]);
            lua_pop(L, 1);
        }
    } else {
        if (lua_getfield(L, 1, "group") == LUA_TNIL)
            return zz_lua_error(L, "%s: group is missing; e.g. group = { size = \"small\" } "
                                   "(group = {} for all firms)", what);
        read_group(L, -1, what, &m->group[0]);
    }
    lua_pop(L, 1);
    if (hazard) {
        date_field(L, what, "from", m->from);
        date_field(L, what, "to", m->to);
    } else {
        date_field(L, what, "at", m->at);
    }
    read_holdout(L, what, m);
    read_target(L, ld, what, m);
    c->nmoments++;
    return 0;
}

static int l_moment(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING)
        return zz_lua_error(L, "moment: expected a name, e.g. moment \"small_rate\" { kind = "
                               "\"hazard\", ... }");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, l_moment_fields, 2);
    return 1;
}

/* ---- include --------------------------------------------------------------- */

static int l_include(lua_State *L)
{
    cal_loader *ld = LD(L);
    return zz_lua_include(L, ld->sb, ld->root, &ld->inc, "include \"moments.lua\"");
}

static int run_file(cal_loader *ld, char *err, size_t errlen)
{
    zz_calibration *c = ld->c;
    zz_source_file *main = &ld->inc.files[0];
    int rc = zz_source_read(c->path, ZZ_LUA_MAX_SOURCE, &main->text, &main->len, err, errlen);
    if (rc)
        return rc;
    snprintf(main->path, sizeof main->path, "%s", c->path);
    ld->inc.nfiles = 1;
    ld->inc.stack[ld->inc.depth++] = 0;
    ld->sb = zz_sandbox_new(ZZ_LUA_MEMORY_LIMIT);
    if (!ld->sb) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    lua_State *L = zz_sandbox_state(ld->sb);
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = {{"calibrate", l_calibrate}, {"moment", l_moment}, {"free", l_free},
               {"include", l_include}};
    /* another block (optimise) replaces calibrate and moment */
    const char *block = c->block ? c->block : "calibrate";
    for (size_t i = c->block ? 2 : 0; i < sizeof fns / sizeof *fns; i++) {
        lua_pushlightuserdata(L, ld);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setglobal(L, fns[i].name);
    }
    if (c->block) {
        lua_pushlightuserdata(L, ld);
        lua_pushcclosure(L, c->block_fn, 1);
        lua_setglobal(L, c->block);
    }
    if (c->uncertain) {
        lua_pushlightuserdata(L, c->uncertain);
        lua_pushcclosure(L, zz_lua_uncertain, 1);
        lua_setglobal(L, "uncertain");
    }
    rc = zz_sandbox_load(ld->sb, main->text, main->len, c->path, err, errlen);
    if (!rc)
        rc = zz_sandbox_call(ld->sb, 0, 0, ZZ_LUA_LOAD_INSTRUCTIONS, ZZ_LUA_LOAD_SECONDS, err, errlen);
    if (!rc && !ld->declared) {
        snprintf(err, errlen, "%s: no %s { ... } block; write %s { scenario = "
                              "\"baseline.lua\", replications = 8, seed = 1 }", c->path, block, block);
        rc = ZZ_SCENARIO;
    }
    c->ex->source = zz_source_bundle(ld->inc.files, ld->inc.nfiles);
    if (!c->ex->source && !rc) {
        snprintf(err, errlen, "out of memory");
        rc = ZZ_NOMEM;
    }
    return rc;
}

int zz_calibration_read(zz_calibration *c, char *err, size_t errlen)
{
    cal_loader *ld = calloc(1, sizeof *ld);
    if (!ld) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    ld->c = c;
    zz_source_dirname(c->path, ld->root, sizeof ld->root);
    int rc = run_file(ld, err, errlen);
    zz_sandbox_free(ld->sb);
    zz_observed_close(ld->obs);
    for (int f = 0; f < ZZ_MAX_SOURCE_FILES; f++)
        free(ld->inc.files[f].text);
    free(ld);
    return rc;
}
