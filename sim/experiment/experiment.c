/*
 * Loading an experiment file (experiment.h): the Lua side, then the checks
 * against the listed scenarios, then the design.
 */
#include "experiment/experiment.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"

#define MAX_DEPTH 16

typedef struct exp_loader {
    zz_experiment *ex;
    zz_sandbox *sb;
    char root[ZZ_PATH_LEN];
    zz_source_file files[ZZ_MAX_SOURCE_FILES];
    int nfiles;
    int stack[MAX_DEPTH], depth;
    int declared;                        /* experiment { } seen */
    char scen_rel[ZZ_MAX_EXP_SCENARIOS][ZZ_PATH_LEN];
    char file_rel[ZZ_PATH_LEN];
} exp_loader;

static exp_loader *LD(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

static const char *current_file(lua_State *L, exp_loader *ld)
{
    return ld->depth > 0 ? ld->files[ld->stack[ld->depth - 1]].path : ld->ex->path;
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
            char valid[256];
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
        snprintf(ld->scen_rel[i], sizeof ld->scen_rel[i], "%s", lua_tostring(L, -1));
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
            char valid[256];
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
    exp_loader *ld = LD(L);
    zz_experiment *ex = ld->ex;
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

static int l_uncertain(lua_State *L)
{
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
    char path[ZZ_PATH_LEN], msg[1024];
    if (lua_type(L, 1) != LUA_TSTRING)
        return zz_lua_error(L, "include: expected a file name, e.g. include \"ranges.lua\"");
    if (zz_source_resolve(ld->root, current_file(L, ld), lua_tostring(L, 1), ".lua", path,
                          sizeof path, msg, sizeof msg))
        return zz_lua_error(L, "include: %s", msg);
    int f;
    for (f = 0; f < ld->nfiles && strcmp(ld->files[f].path, path); f++)
        ;
    for (int d = 0; d < ld->depth; d++)
        if (ld->stack[d] == f)
            return zz_lua_error(L, "include: '%s' includes itself", path);
    if (ld->depth == MAX_DEPTH)
        return zz_lua_error(L, "include: nested too deep (%s)", path);
    if (f == ld->nfiles) {
        if (f == ZZ_MAX_SOURCE_FILES)
            return zz_lua_error(L, "include: too many files (%s)", path);
        zz_source_file *sf = &ld->files[f];
        if (zz_source_read(path, ZZ_LUA_MAX_SOURCE, &sf->text, &sf->len, msg, sizeof msg))
            return zz_lua_error(L, "include: %s", msg);
        snprintf(sf->path, sizeof sf->path, "%s", path);
        ld->nfiles++;
    }
    if (zz_sandbox_load(ld->sb, ld->files[f].text, ld->files[f].len, path, msg, sizeof msg)) {
        lua_pushstring(L, msg);
        return lua_error(L);
    }
    ld->stack[ld->depth++] = f;
    lua_call(L, 0, 0);
    ld->depth--;
    return 0;
}

static int run_file(exp_loader *ld, char *err, size_t errlen)
{
    zz_experiment *ex = ld->ex;
    zz_source_file *main = &ld->files[0];
    int rc = zz_source_read(ex->path, ZZ_LUA_MAX_SOURCE, &main->text, &main->len, err, errlen);
    if (rc)
        return rc;
    snprintf(main->path, sizeof main->path, "%s", ex->path);
    ld->nfiles = 1;
    ld->stack[ld->depth++] = 0;
    ld->sb = zz_sandbox_new(ZZ_LUA_MEMORY_LIMIT);
    if (!ld->sb) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    lua_State *L = zz_sandbox_state(ld->sb);
    static const struct {
        const char *name;
        lua_CFunction fn;
    } fns[] = {{"experiment", l_experiment}, {"uncertain", l_uncertain}, {"include", l_include}};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
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
    ex->source = zz_source_bundle(ld->files, ld->nfiles);
    if (!ex->source && !rc) {
        snprintf(err, errlen, "out of memory");
        rc = ZZ_NOMEM;
    }
    return rc;
}

/* ---- checks against the scenarios ---------------------------------------- */

static int check_factor(zz_experiment *ex, zz_factor *f, char *err, size_t errlen)
{
    char first[1024] = "";
    const zz_param *p = NULL;
    for (int s = 0; s < ex->nscenarios; s++) {
        char msg[1024];
        const zz_param *q = zz_param_find(&ex->sc[s]->cfg, f->key, msg, sizeof msg);
        if (q) {
            f->used |= 1ull << s;
            p = q;
        } else if (!first[0]) {
            snprintf(first, sizeof first, "%s", msg);
        }
    }
    if (!p) {
        snprintf(err, errlen, "%s: uncertain \"%s\": no listed scenario uses this parameter (%s)",
                 f->where, f->key, first);
        return ZZ_SCENARIO;
    }
    if (p->type != ZZ_PT_NUMBER && p->type != ZZ_PT_INTEGER) {
        snprintf(err, errlen, "%s: uncertain \"%s\": the parameter is %s; only numbers can be "
                              "uncertain", f->where, f->key, zz_param_expect(p));
        return ZZ_SCENARIO;
    }
    if (p->flags & (ZZ_PF_FIXED | ZZ_PF_DERIVED | ZZ_PF_IDENT | ZZ_PF_NOLUA) ||
        !strncmp(f->key, "scenario.", 9)) {
        snprintf(err, errlen, "%s: uncertain \"%s\": set by the experiment or the scenario file "
                              "only, it cannot vary between points", f->where, f->key);
        return ZZ_SCENARIO;
    }
    f->integer = p->type == ZZ_PT_INTEGER;
    double lo = f->scale == ZZ_SCALE_VALUES ? INFINITY : f->lo;
    double hi = f->scale == ZZ_SCALE_VALUES ? -INFINITY : f->hi;
    for (int i = 0; i < f->nvalues; i++) {
        lo = fmin(lo, f->values[i]);
        hi = fmax(hi, f->values[i]);
        if (f->integer && f->values[i] != floor(f->values[i])) {
            snprintf(err, errlen, "%s: uncertain \"%s\": %g is not a whole number", f->where,
                     f->key, f->values[i]);
            return ZZ_SCENARIO;
        }
    }
    int lo_open = (p->flags & ZZ_PF_LO_OPEN) != 0;
    if (lo < p->lo || (lo_open && lo == p->lo) || hi > p->hi) {
        snprintf(err, errlen, "%s: uncertain \"%s\": [%g, %g] is outside the parameter's valid "
                              "range %s%g, %g]", f->where, f->key, lo, hi, lo_open ? "(" : "[",
                 p->lo, p->hi);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

double zz_factor_value(const zz_factor *f, double u)
{
    double v;
    if (f->scale == ZZ_SCALE_VALUES) {
        int j = (int)floor(u * f->nvalues);
        return f->values[j < 0 ? 0 : j >= f->nvalues ? f->nvalues - 1 : j];
    }
    if (f->scale == ZZ_SCALE_LOG)
        v = exp(log(f->lo) + u * (log(f->hi) - log(f->lo)));
    else
        v = f->lo + u * (f->hi - f->lo);
    v = fmin(fmax(v, f->lo), f->hi); /* exp(log(x)) may stray by an ulp */
    return f->integer ? nearbyint(v) : v;
}

static double factor_unit(const zz_factor *f, double v)
{
    if (f->scale == ZZ_SCALE_VALUES) {
        for (int j = 0; j < f->nvalues; j++)
            if (f->values[j] == v)
                return (j + 0.5) / f->nvalues;
        return NAN;
    }
    if (v < f->lo || v > f->hi)
        return NAN;
    if (f->scale == ZZ_SCALE_LOG)
        return (log(v) - log(f->lo)) / (log(f->hi) - log(f->lo));
    return (v - f->lo) / (f->hi - f->lo);
}

/* design "file": a CSV whose header names the factors (any order) and whose
 * rows are points in actual values. */
static int read_design_file(zz_experiment *ex, char *err, size_t errlen)
{
    char *text = NULL, msg[1024];
    size_t len;
    int rc = zz_source_read(ex->design_file, (size_t)256 << 20, &text, &len, msg, sizeof msg);
    if (rc) {
        snprintf(err, errlen, "%s: experiment: file: %s", ex->where, msg);
        return rc;
    }
    const int k = ex->nfactors;
    int col[ZZ_MAX_FACTORS], ncol = 0, cap = 64, n = 0, line = 1;
    double *val = malloc((size_t)cap * (k ? k : 1) * sizeof *val);
    char *save = NULL, *row = strtok_r(text, "\r\n", &save);
    rc = ZZ_SCENARIO;
    if (!val || !row) {
        snprintf(err, errlen, "%s:1: empty design file; the first line names the factors",
                 ex->design_file);
        goto out;
    }
    for (char *s2 = NULL, *c = strtok_r(row, ",", &s2); c; c = strtok_r(NULL, ",", &s2)) {
        while (*c == ' ' || *c == '"')
            c++;
        char *e = c + strlen(c);
        while (e > c && (e[-1] == ' ' || e[-1] == '"'))
            *--e = '\0';
        int f = -1;
        for (int i = 0; i < k; i++)
            if (!strcmp(ex->factor[i].key, c))
                f = i;
        if (f < 0 || ncol == ZZ_MAX_FACTORS) {
            snprintf(err, errlen, "%.400s:1: column '%.128s' is not an uncertain parameter of %.400s",
                     ex->design_file, c, ex->path);
            goto out;
        }
        col[ncol++] = f;
    }
    if (ncol != k) {
        snprintf(err, errlen, "%s:1: %d columns; the experiment has %d uncertain parameters",
                 ex->design_file, ncol, k);
        goto out;
    }
    while ((row = strtok_r(NULL, "\r\n", &save))) {
        line++;
        if (!row[strspn(row, " ,")])
            continue;
        if (n == cap) {
            double *nv = realloc(val, (size_t)(cap *= 2) * k * sizeof *val);
            if (!nv) {
                snprintf(err, errlen, "out of memory");
                rc = ZZ_NOMEM;
                goto out;
            }
            val = nv;
        }
        char *p = row;
        for (int c = 0; c < k; c++) {
            char *end;
            double v = strtod(p, &end);
            const zz_factor *f = &ex->factor[col[c]];
            if (end == p || (*end && *end != ',') || isnan(factor_unit(f, v)) ||
                (f->integer && v != floor(v))) {
                snprintf(err, errlen, "%s:%d: column %d (%s): '%.*s' is not a value of the "
                                      "declared range or values (%s)", ex->design_file, line, c + 1,
                         f->key, (int)strcspn(p, ","), p, f->where);
                goto out;
            }
            val[(size_t)n * k + col[c]] = v;
            p = *end ? end + 1 : end;
        }
        n++;
    }
    ex->npoints = n;
    ex->value = val;
    val = NULL;
    rc = ZZ_OK;
out:
    free(val);
    free(text);
    return rc;
}

static int build_design(zz_experiment *ex, char *err, size_t errlen)
{
    const int k = ex->nfactors;
    int levels[ZZ_MAX_FACTORS];
    if (ex->design == ZZ_DESIGN_FILE) {
        if (!ex->design_file[0]) {
            snprintf(err, errlen, "%s: experiment: design \"file\" needs file = \"points.csv\"",
                     ex->where);
            return ZZ_SCENARIO;
        }
        int rc = read_design_file(ex, err, errlen);
        if (rc)
            return rc;
    } else {
        if (ex->points < 1) {
            snprintf(err, errlen, "%s: experiment: points = %d; an experiment needs at least one "
                                  "point", ex->where, ex->points);
            return ZZ_SCENARIO;
        }
        for (int f = 0; f < k; f++)
            levels[f] = ex->factor[f].scale == ZZ_SCALE_VALUES ? ex->factor[f].nvalues : ex->points;
        int64_t n = k == 0 ? 1 : zz_design_size(ex->design, ex->points, k, levels);
        if (n < 0 || n > 10000000) {
            snprintf(err, errlen, "%s: experiment: the %s design would have too many points",
                     ex->where, zz_design_names[ex->design]);
            return ZZ_SCENARIO;
        }
        ex->npoints = (int)n;
    }
    const size_t cells = (size_t)ex->npoints * (k ? k : 1);
    ex->unit = calloc(cells, sizeof *ex->unit);
    ex->block = calloc((size_t)ex->npoints, sizeof *ex->block);
    if (!ex->value)
        ex->value = calloc(cells, sizeof *ex->value);
    if (!ex->unit || !ex->value || !ex->block) {
        snprintf(err, errlen, "out of memory");
        return ZZ_NOMEM;
    }
    if (ex->npoints == 0) {
        snprintf(err, errlen, "%s: the design has zero points", ex->design_file);
        return ZZ_SCENARIO;
    }
    if (k == 0) /* no uncertain parameter: one point, the scenarios as they are */
        return ZZ_OK;
    char msg[512] = "out of memory";
    int bad = 0;
    switch (ex->design) {
    case ZZ_DESIGN_SOBOL: bad = zz_design_sobol(ex->unit, ex->npoints, k, msg, sizeof msg); break;
    case ZZ_DESIGN_LHS: bad = zz_design_lhs(ex->unit, ex->npoints, k, (uint64_t)ex->seed); break;
    case ZZ_DESIGN_MORRIS:
        bad = zz_design_morris(ex->unit, ex->block, ex->points, k, ex->levels, (uint64_t)ex->seed);
        break;
    case ZZ_DESIGN_FACTORIAL: bad = zz_design_factorial(ex->unit, k, levels); break;
    case ZZ_DESIGN_SALTELLI:
        bad = zz_design_saltelli(ex->unit, ex->block, ex->points, k, msg, sizeof msg);
        break;
    default: break;
    }
    if (bad) {
        snprintf(err, errlen, "%s: experiment: %s", ex->where, msg);
        return ZZ_SCENARIO;
    }
    for (int p = 0; p < ex->npoints; p++)
        for (int f = 0; f < k; f++) {
            size_t i = (size_t)p * k + f;
            if (ex->design == ZZ_DESIGN_FILE)
                ex->unit[i] = factor_unit(&ex->factor[f], ex->value[i]);
            else
                ex->value[i] = zz_factor_value(&ex->factor[f], ex->unit[i]);
        }
    return ZZ_OK;
}

int zz_experiment_scenario(const zz_experiment *ex, int p, int s, zz_scenario *out, char *err,
                           size_t errlen)
{
    *out = *ex->sc[s];
    for (int f = 0; f < ex->nfactors; f++) {
        if (!(ex->factor[f].used >> s & 1))
            continue;
        char msg[1024];
        if (zz_param_set_number(&out->cfg, ex->factor[f].key, ex->value[(size_t)p * ex->nfactors + f],
                                msg, sizeof msg)) {
            snprintf(err, errlen, "point %d, scenario %s: %s", p, out->cfg.name, msg);
            return ZZ_SCENARIO;
        }
    }
    int block, index;
    char msg[1024];
    if (zz_params_check(&out->cfg, &block, &index, msg, sizeof msg)) {
        snprintf(err, errlen, "point %d, scenario %s: %s", p, out->cfg.name, msg);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}

int zz_experiment_open(zz_experiment **out, const char *path)
{
    zz_experiment *ex = calloc(1, sizeof *ex);
    exp_loader *ld = calloc(1, sizeof *ld);
    *out = ex;
    if (!ex || !ld) {
        free(ld);
        return ZZ_NOMEM;
    }
    ex->design = ZZ_DESIGN_SOBOL;
    ex->points = 64;
    ex->levels = 4;
    ex->seed = -1; /* not given: the first scenario's seed and replications */
    snprintf(ex->path, sizeof ex->path, "%s", path);
    ld->ex = ex;
    zz_source_dirname(path, ld->root, sizeof ld->root);
    char *err = ex->errmsg;
    const size_t errlen = sizeof ex->errmsg;
    int rc = run_file(ld, err, errlen);
    for (int s = 0; !rc && s < ex->nscenarios; s++) {
        if (s == 0 && !ex->sc[0] && (rc = zz_scenario_open(&ex->sc[0], ex->scenario_path[0])) == ZZ_OK) {
            if (ex->seed < 0)
                ex->seed = ex->sc[0]->cfg.seed;
            if (ex->replications < 1)
                ex->replications = ex->sc[0]->cfg.replications;
        }
        if (s > 0)
            rc = zz_scenario_open(&ex->sc[s], ex->scenario_path[s]);
        if (rc) {
            if (ex->sc[s] && strstr(ex->sc[s]->errmsg, "cannot read"))
                snprintf(err, errlen, "%.300s: experiment: scenario '%.300s': %.1200s", ex->where,
                         ld->scen_rel[s], ex->sc[s]->errmsg);
            else
                snprintf(err, errlen, "%.300s: experiment: scenario '%.300s' is invalid:\n%.1200s", ex->where,
                         ld->scen_rel[s], ex->sc[s] ? ex->sc[s]->errmsg : "out of memory");
            break;
        }
        ex->sc[s]->cfg.seed = ex->seed;
        ex->sc[s]->cfg.replications = ex->replications;
        for (int t = 0; t < s && !rc; t++)
            if (!strcmp(ex->sc[t]->cfg.name, ex->sc[s]->cfg.name)) {
                snprintf(err, errlen, "%s: experiment: '%s' and '%s' have the same scenario name "
                                      "'%s'; give each a distinct scenario { name = ... }",
                         ex->where, ld->scen_rel[t], ld->scen_rel[s], ex->sc[s]->cfg.name);
                rc = ZZ_SCENARIO;
            }
    }
    if (!ex->name[0] && !rc) {
        const char *base = strrchr(path, '/');
        snprintf(ex->name, sizeof ex->name, "%.*s", (int)strcspn(base ? base + 1 : path, "."),
                 base ? base + 1 : path);
    }
    for (int f = 0; !rc && f < ex->nfactors; f++)
        rc = check_factor(ex, &ex->factor[f], err, errlen);
    if (!rc)
        rc = build_design(ex, err, errlen);
    zz_sandbox_free(ld->sb);
    for (int f = 0; f < ZZ_MAX_SOURCE_FILES; f++)
        free(ld->files[f].text);
    free(ld);
    return rc;
}

void zz_experiment_close(zz_experiment *ex)
{
    if (!ex)
        return;
    for (int s = 0; s < ZZ_MAX_EXP_SCENARIOS; s++)
        zz_scenario_close(ex->sc[s]);
    free(ex->source);
    free(ex->unit);
    free(ex->value);
    free(ex->block);
    free(ex);
}

int zz_experiment_of_scenarios(zz_experiment **out, zz_scenario **sc, int n, int replications,
                               int64_t seed)
{
    zz_experiment *ex = calloc(1, sizeof *ex);
    *out = ex;
    if (!ex || n < 1 || n > ZZ_MAX_EXP_SCENARIOS) {
        for (int s = 0; s < n; s++)
            zz_scenario_close(sc[s]);
        if (ex)
            snprintf(ex->errmsg, sizeof ex->errmsg, "compare takes 1 to %d scenarios",
                     ZZ_MAX_EXP_SCENARIOS);
        return ex ? ZZ_USAGE : ZZ_NOMEM;
    }
    int R = replications;
    for (int s = 0; s < n && R <= 0; s++)
        R = R > sc[s]->cfg.replications ? R : sc[s]->cfg.replications;
    for (int s = 0; s < n; s++) {
        ex->sc[s] = sc[s];
        if (replications <= 0 && sc[s]->cfg.replications > R)
            R = sc[s]->cfg.replications;
    }
    for (int s = 0; s < n; s++) {
        ex->sc[s]->cfg.replications = R;
        if (seed >= 0)
            ex->sc[s]->cfg.seed = seed;
        snprintf(ex->scenario_path[s], sizeof ex->scenario_path[s], "%s", sc[s]->cfg.path);
    }
    ex->nscenarios = n;
    ex->replications = R;
    ex->seed = ex->sc[0]->cfg.seed;
    ex->npoints = 1;
    snprintf(ex->name, sizeof ex->name, "compare");
    snprintf(ex->path, sizeof ex->path, "%s", sc[0]->cfg.path);
    ex->source = calloc(1, 1);
    ex->unit = calloc(1, sizeof *ex->unit);
    ex->value = calloc(1, sizeof *ex->value);
    ex->block = calloc(1, sizeof *ex->block);
    if (!ex->source || !ex->unit || !ex->value || !ex->block) {
        snprintf(ex->errmsg, sizeof ex->errmsg, "out of memory");
        return ZZ_NOMEM;
    }
    return ZZ_OK;
}

/* ---- --set for several scenarios ----------------------------------------- */

static int scenario_named(zz_scenario *sc, const char *name, size_t len)
{
    if (strlen(sc->cfg.name) == len && !strncmp(sc->cfg.name, name, len))
        return 1;
    const char *base = strrchr(sc->cfg.path, '/');
    base = base ? base + 1 : sc->cfg.path;
    return strlen(base) == len + 4 && !strncmp(base, name, len) && !strcmp(base + len, ".lua");
}

int zz_scenarios_set(zz_scenario **sc, int n, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '='), *colon = strchr(assignment, ':');
    if (colon && (!eq || colon < eq)) {
        size_t len = (size_t)(colon - assignment);
        for (int i = 0; i < n; i++)
            if (scenario_named(sc[i], assignment, len)) {
                int rc = zz_scenario_set(sc[i], colon + 1);
                if (rc)
                    snprintf(err, errlen, "%s: %s", sc[i]->cfg.name, zz_scenario_errmsg(sc[i]));
                return rc;
            }
        char names[1024] = "";
        for (int i = 0; i < n; i++) {
            size_t at = strlen(names);
            snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "", sc[i]->cfg.name);
        }
        snprintf(err, errlen, "--set %s: no scenario named '%.*s'; scenarios: %s", assignment,
                 (int)len, assignment, names);
        return ZZ_USAGE;
    }
    /* for every scenario that has the key; an error only if none has it */
    char key[256], first[2048] = "";
    snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - assignment) : 255, assignment);
    while (strlen(key) && key[strlen(key) - 1] == ' ')
        key[strlen(key) - 1] = '\0';
    int applied = 0;
    for (int i = 0; i < n; i++) {
        char msg[1024];
        if (n > 1 && eq && !zz_param_find(&sc[i]->cfg, key, msg, sizeof msg)) {
            if (!first[0])
                snprintf(first, sizeof first, "--set %s: %s", assignment, msg);
            continue;
        }
        int rc = zz_scenario_set(sc[i], assignment);
        if (rc) {
            snprintf(err, errlen, "%s: %s", sc[i]->cfg.name, zz_scenario_errmsg(sc[i]));
            return rc;
        }
        applied++;
    }
    if (!applied) {
        snprintf(err, errlen, "%s (in no scenario given)", first);
        return ZZ_SCENARIO;
    }
    return ZZ_OK;
}
