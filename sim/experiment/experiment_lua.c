/*
 * Reading an experiment file (experiment.h): runs it in the scenario
 * sandbox, where experiment { }, uncertain "key" { } and include fill a
 * zz_experiment. What the fields mean for the scenarios is checked later
 * (experiment.c).
 */
#include "experiment/experiment_lua.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lua_include.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"

typedef struct exp_loader {
    zz_experiment *ex;
    zz_sandbox *sb;
    char root[ZZ_PATH_LEN];
    zz_include_stack inc;
    int declared;                        /* experiment { } seen */
    char file_rel[ZZ_PATH_LEN];
} exp_loader;

static exp_loader *LD(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

static const char *current_file(lua_State *L, exp_loader *ld)
{
    return ld->inc.depth > 0 ? ld->inc.files[ld->inc.stack[ld->inc.depth - 1]].path : ld->ex->path;
}

/* ---- experiment { ... } -------------------------------------------------- */

static const char *const exp_fields[] = {"name", "scenarios", "design", "points", "replications",
                                         "seed", "levels", "file", NULL};

static int int_field(lua_State *L, const char *name, long long lo, long long hi, long long *out)
{
    if (lua_getfield(L, 1, name) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < lo || v > hi)
        zz_lua_error(L, "experiment: %s must be a whole number in [%lld, %lld], got %s", name, lo, hi,
                     luaL_tolstring(L, -1, NULL));
    *out = v;
    lua_pop(L, 1);
    return 1;
}

static int l_experiment(lua_State *L)
{
    exp_loader *ld = LD(L);
    zz_experiment *ex = ld->ex;
    if (!lua_istable(L, 1))
        return zz_lua_error(L, "experiment: expected a table of fields, experiment { name = ..., "
                               "scenarios = { ... }, design = \"sobol\", points = 64 }");
    if (ld->declared)
        return zz_lua_error(L, "experiment: declared twice (first at %s)", ex->where);
    ld->declared = 1;
    zz_lua_where(L, 1, ex->where, sizeof ex->where);
    /* unknown fields first: a typo must not pass as a default */
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int known = 0;
        for (int i = 0; k && exp_fields[i]; i++)
            known |= !strcmp(k, exp_fields[i]);
        if (!known) {
            char valid[256] = "";
            zz_join_names(valid, sizeof valid, exp_fields, 8);
            return zz_lua_error(L, "experiment: unknown field '%s'; valid fields: %s",
                                k ? k : luaL_tolstring(L, -1, NULL), valid);
        }
    }
    if (lua_getfield(L, 1, "name") == LUA_TSTRING)
        snprintf(ex->name, sizeof ex->name, "%s", lua_tostring(L, -1));
    else if (!lua_isnil(L, -1))
        return zz_lua_error(L, "experiment: name must be a string");
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "scenarios") != LUA_TTABLE)
        return zz_lua_error(L, "experiment: scenarios must be a list of scenario files, e.g. "
                               "scenarios = { \"baseline.lua\", \"shandong_2026.lua\" }");
    int n = (int)luaL_len(L, -1);
    if (n < 1 || n > ZZ_MAX_EXP_SCENARIOS)
        return zz_lua_error(L, "experiment: scenarios lists %d files; give 1 to %d", n,
                            ZZ_MAX_EXP_SCENARIOS);
    for (int i = 0; i < n; i++) {
        if (lua_geti(L, -1, i + 1) != LUA_TSTRING)
            return zz_lua_error(L, "experiment: scenarios[%d] must be a file name", i + 1);
        char msg[1024];
        if (zz_source_resolve(ld->root, current_file(L, ld), lua_tostring(L, -1), ".lua",
                              ex->scenario_path[i], sizeof ex->scenario_path[i], msg, sizeof msg))
            return zz_lua_error(L, "experiment: scenarios[%d]: %s", i + 1, msg);
        snprintf(ex->scenario_given[i], sizeof ex->scenario_given[i], "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    ex->nscenarios = n;
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "design") != LUA_TNIL) {
        const char *d = lua_tostring(L, -1);
        ex->design = -1;
        for (int i = 0; d && i < ZZ_NDESIGNS; i++)
            if (!strcmp(d, zz_design_names[i]))
                ex->design = i;
        if (ex->design < 0) {
            char valid[256] = "";
            zz_join_names(valid, sizeof valid, zz_design_names, ZZ_NDESIGNS);
            return zz_lua_error(L, "experiment: unknown design '%s'; valid designs: %s",
                                d ? d : luaL_typename(L, -1), valid);
        }
    }
    lua_pop(L, 1);
    long long v;
    if (int_field(L, "points", -1000000000LL, 1000000000LL, &v))
        ex->points = (int)v;
    if (int_field(L, "replications", 1, 1000000, &v))
        ex->replications = (int)v;
    if (int_field(L, "seed", 0, 0xffffffffffffLL, &v))
        ex->seed = v;
    if (int_field(L, "levels", 2, ZZ_MAX_LEVELS, &v))
        ex->levels = (int)v;
    if (lua_getfield(L, 1, "file") == LUA_TSTRING) {
        char msg[1024];
        if (zz_source_resolve(ld->root, current_file(L, ld), lua_tostring(L, -1), ".csv",
                              ex->design_file, sizeof ex->design_file, msg, sizeof msg))
            return zz_lua_error(L, "experiment: file: %s", msg);
    }
    lua_pop(L, 1);
    return 0;
}

/* ---- uncertain "key" { ... } --------------------------------------------- */

static int number_at(lua_State *L, int idx, const char *key, const char *what, double *out)
{
    int ok;
    *out = lua_tonumberx(L, idx, &ok);
    if (!ok || !isfinite(*out))
        zz_lua_error(L, "uncertain \"%s\": %s must be a number, got %s", key, what,
                     luaL_tolstring(L, idx, NULL));
    return 0;
}

static int l_uncertain_fields(lua_State *L)
{
    zz_experiment *ex = lua_touserdata(L, lua_upvalueindex(1));
    const char *key = lua_tostring(L, lua_upvalueindex(2));
    if (!lua_istable(L, 1))
        return zz_lua_error(L, "uncertain \"%s\": expected a range { lo, hi } or "
                               "{ values = { ... } }, got %s", key, luaL_typename(L, 1));
    if (ex->nfactors == ZZ_MAX_FACTORS)
        return zz_lua_error(L, "uncertain: at most %d uncertain parameters", ZZ_MAX_FACTORS);
    for (int i = 0; i < ex->nfactors; i++)
        if (!strcmp(ex->factor[i].key, key))
            return zz_lua_error(L, "uncertain \"%s\": declared twice (first at %s)", key,
                                ex->factor[i].where);
    zz_factor *f = &ex->factor[ex->nfactors];
    memset(f, 0, sizeof *f);
    snprintf(f->key, sizeof f->key, "%s", key);
    zz_lua_where(L, 1, f->where, sizeof f->where);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TNUMBER) {
            lua_Integer i = lua_tointeger(L, -1);
            if (i == 1 || i == 2)
                continue;
        } else if (lua_type(L, -1) == LUA_TSTRING &&
                   (!strcmp(lua_tostring(L, -1), "scale") || !strcmp(lua_tostring(L, -1), "values")))
            continue;
        return zz_lua_error(L, "uncertain \"%s\": unknown field '%s'; give { lo, hi }, "
                               "{ lo, hi, scale = \"log\" } or { values = { ... } }",
                            key, luaL_tolstring(L, -1, NULL));
    }
    f->scale = ZZ_SCALE_LINEAR;
    if (lua_getfield(L, 1, "scale") != LUA_TNIL) {
        const char *s = lua_tostring(L, -1);
        if (s && !strcmp(s, "log"))
            f->scale = ZZ_SCALE_LOG;
        else if (!s || strcmp(s, "linear"))
            return zz_lua_error(L, "uncertain \"%s\": unknown scale '%s'; valid: linear, log", key,
                                luaL_tolstring(L, -1, NULL));
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "values") != LUA_TNIL) {
        if (!lua_istable(L, -1))
            return zz_lua_error(L, "uncertain \"%s\": values must be a list of numbers", key);
        if (lua_rawlen(L, 1) > 0)
            return zz_lua_error(L, "uncertain \"%s\": give either a range { lo, hi } or values, "
                                   "not both", key);
        int n = (int)luaL_len(L, -1);
        if (n < 1 || n > ZZ_MAX_LEVELS)
            return zz_lua_error(L, "uncertain \"%s\": values lists %d numbers; give 1 to %d", key,
                                n, ZZ_MAX_LEVELS);
        for (int i = 0; i < n; i++) {
            lua_geti(L, -1, i + 1);
            number_at(L, -1, key, "each value", &f->values[i]);
            lua_pop(L, 1);
        }
        f->nvalues = n;
        f->scale = ZZ_SCALE_VALUES;
        lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
        if (lua_rawlen(L, 1) != 2)
            return zz_lua_error(L, "uncertain \"%s\": expected a range { lo, hi }, got %d numbers",
                                key, (int)lua_rawlen(L, 1));
        lua_geti(L, 1, 1);
        number_at(L, -1, key, "lo", &f->lo);
        lua_geti(L, 1, 2);
        number_at(L, -1, key, "hi", &f->hi);
        lua_pop(L, 2);
        if (!(f->lo < f->hi))
            return zz_lua_error(L, "uncertain \"%s\": empty range [%g, %g]; lo must be below hi",
                                key, f->lo, f->hi);
        if (f->scale == ZZ_SCALE_LOG && f->lo <= 0)
            return zz_lua_error(L, "uncertain \"%s\": a log scale needs lo > 0, got %g", key, f->lo);
    }
    ex->nfactors++;
    return 0;
}

/* uncertain { from = "calib.h5" }: the file relative to the experiment's. */
static int uncertain_from(lua_State *L)
{
    zz_experiment *ex = lua_touserdata(L, lua_upvalueindex(1));
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "from"))
            return zz_lua_error(L, "uncertain: unknown field '%s'; give uncertain \"key\" { lo, hi } "
                                   "or uncertain { from = \"calib.h5\" }", luaL_tolstring(L, -1, NULL));
    }
    if (lua_getfield(L, 1, "from") != LUA_TSTRING)
        return zz_lua_error(L, "uncertain: from must be a calibration file, e.g. uncertain { from = "
                               "\"calib.h5\" } (zhizao calibrate CAL.lua -o calib.h5)");
    const char *rel = lua_tostring(L, -1);
    char path[2 * ZZ_PATH_LEN + 2], dir[ZZ_PATH_LEN], where[512], msg[1400];
    zz_source_dirname(ex->path, dir, sizeof dir);
    if (rel[0] == '/')
        snprintf(path, sizeof path, "%s", rel);
    else
        snprintf(path, sizeof path, "%s/%s", dir, rel);
    zz_lua_where(L, 1, where, sizeof where);
    if (zz_uncertain_from(ex, path, where, msg, sizeof msg))
        return zz_lua_error(L, "%s", msg);
    return 0;
}

int zz_lua_uncertain(lua_State *L)
{
    if (lua_istable(L, 1))
        return uncertain_from(L);
    if (lua_type(L, 1) != LUA_TSTRING)
        return zz_lua_error(L, "uncertain: expected a parameter key, e.g. "
                               "uncertain \"population.hurdle_mean\" { 0.6, 1.2 }");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, l_uncertain_fields, 2);
    return 1;
}

/* ---- include ------------------------------------------------------------- */

static int l_include(lua_State *L)
{
    exp_loader *ld = LD(L);
    return zz_lua_include(L, ld->sb, ld->root, &ld->inc, "include \"ranges.lua\"");
}

static int run_file(exp_loader *ld, char *err, size_t errlen)
{
    zz_experiment *ex = ld->ex;
    zz_source_file *main = &ld->inc.files[0];
    int rc = zz_source_read(ex->path, ZZ_LUA_MAX_SOURCE, &main->text, &main->len, err, errlen);
    if (rc)
        return rc;
    snprintf(main->path, sizeof main->path, "%s", ex->path);
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
    } fns[] = {{"experiment", l_experiment}, {"uncertain", zz_lua_uncertain}, {"include", l_include}};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        /* uncertain fills an experiment, whichever file declares it */
        if (fns[i].fn == zz_lua_uncertain)
            lua_pushlightuserdata(L, ld->ex);
        else
            lua_pushlightuserdata(L, ld);
        lua_pushcclosure(L, fns[i].fn, 1);
        lua_setglobal(L, fns[i].name);
    }
    rc = zz_sandbox_load(ld->sb, main->text, main->len, ex->path, err, errlen);
    if (!rc)
        rc = zz_sandbox_call(ld->sb, 0, 0, ZZ_LUA_LOAD_INSTRUCTIONS, ZZ_LUA_LOAD_SECONDS, err, errlen);
    if (!rc && !ld->declared) {
        snprintf(err, errlen, "%s: no experiment { ... } block; write experiment { scenarios = "
                              "{ \"baseline.lua\" }, design = \"sobol\", points = 64 }", ex->path);
        rc = ZZ_SCENARIO;
    }
    ex->source = zz_source_bundle(ld->inc.files, ld->inc.nfiles);
    if (!ex->source && !rc) {
        snprintf(err, errlen, "out of memory");
        rc = ZZ_NOMEM;
    }
    return rc;
}

int zz_experiment_read(zz_experiment *ex, char *err, size_t errlen)
{
    exp_loader *ld = calloc(1, sizeof *ld);
    if (!ld) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    ld->ex = ex;
    zz_source_dirname(ex->path, ld->root, sizeof ld->root);
    int rc = run_file(ld, err, errlen);
    zz_sandbox_free(ld->sb);
    for (int f = 0; f < ZZ_MAX_SOURCE_FILES; f++)
        free(ld->inc.files[f].text);
    free(ld);
    return rc;
}
