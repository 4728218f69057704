/*
 * The fixed blocks of the scenario language (see lua_declare_internal.h):
 * scenario, population, compute, target and pioneer, each filling its part
 * of the configuration through the field reader, and at/when, which
 * register the script's functions as actions.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "engine/date.h"
#include "scenario/lua_declare_internal.h"
#include "scenario/lua_fields.h"
#include "scenario/lua_source.h"
#include "scenario/params.h"

/* Pioneer cities (一业一市): FACTS.md, seed 002, "at least 50% of 规上 firms
 * in the chosen industry within about one year". config.c has no pioneer
 * defaults, so they live here, once. A new target aims at the plan's 50%. */
#define PIONEER_SHARE 0.5
#define PIONEER_WITHIN_DAYS 365.0
#define TARGET_SHARE 0.5

/* ---- scenario, population, targets, pioneers ---------------------------- */

int zz_ld_scenario(lua_State *L)
{
    zz_ld_loader *ld = zz_ld(L);
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_here(L, ld, where, sizeof where);
    zz_ld_need_table(L, 1, where, "scenario");
    zz_ld_read_block(L, ld, 1, ZZ_PB_SCENARIO, -1, ld->cfg, "scenario", where, NULL);
    return 0;
}

/* compute { ... }: declaring the market switches it on */
int zz_ld_compute(lua_State *L)
{
    zz_ld_loader *ld = zz_ld(L);
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    zz_ld_need_table(L, 1, where, "compute");
    ld->compute_at = o;
    ld->cfg->compute.enabled = 1;
    zz_ld_read_block(L, ld, 1, ZZ_PB_COMPUTE, -1, &ld->cfg->compute, "compute", where, NULL);
    return 0;
}

int zz_ld_population(lua_State *L)
{
    static const char *const skip[] = {"file", NULL};
    zz_ld_loader *ld = zz_ld(L);
    zz_config *cfg = ld->cfg;
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    zz_ld_need_table(L, 1, where, "population");
    ld->population_at = o;
    zz_ld_read_block(L, ld, 1, ZZ_PB_POPULATION, -1, &cfg->population, "population", where, skip);
    /* The firm file is named relative to the scenario and must stay beside
     * or below it, like an include. */
    if (lua_getfield(L, 1, "file") != LUA_TNIL) {
        char path[ZZ_PATH_LEN], msg[1024];
        const zz_param *p = zz_param_field(ZZ_PB_POPULATION, -1, "file");
        if (lua_type(L, -1) != LUA_TSTRING)
            zz_ld_fail(L, where, "field 'file' of population: expected a file name, got %s",
                 luaL_typename(L, -1));
        if (zz_lua_has_nul(L, -1))
            zz_ld_fail(L, where, "field 'file' of population: a file name with a NUL byte (\\0)");
        const char *rel = lua_tostring(L, -1);
        if (rel[0] == '\0') {
            path[0] = '\0';
        } else {
            lua_Debug ar;
            lua_getstack(L, 1, &ar);
            lua_getinfo(L, "S", &ar);
            const char *from = ar.source[0] == '@' ? ar.source + 1 : cfg->path;
            if (zz_source_resolve(ld->root, from, rel, NULL, path, sizeof path, msg, sizeof msg))
                zz_ld_fail(L, where, "field 'file' of population: %s", msg);
        }
        zz_pvalue v = {ZZ_PV_STRING, 0, path, NULL, 0};
        if (zz_param_store(cfg, p, &cfg->population, -1, &v, msg, sizeof msg))
            zz_ld_fail(L, where, "field 'file' of population: %s", msg);
    }
    return 0;
}

static int find_target(const zz_config *cfg, const char *name)
{
    for (int t = 0; t < cfg->ntargets; t++)
        if (strcmp(cfg->target[t].name, name) == 0)
            return t;
    return -1;
}

static int new_target(lua_State *L, zz_config *cfg, const char *name, const char *where)
{
    if (cfg->ntargets == ZZ_MAX_TARGETS)
        zz_ld_fail(L, where, "target \"%s\": too many targets", name);
    int t = cfg->ntargets++;
    memset(&cfg->target[t], 0, sizeof cfg->target[t]);
    snprintf(cfg->target[t].name, ZZ_NAME_LEN, "%s", name);
    cfg->target[t].share = TARGET_SHARE;
    cfg->target[t].by = -1;
    return t;
}

int zz_ld_target(lua_State *L)
{
    static const char *const skip[] = {"name", NULL};
    zz_ld_loader *ld = zz_ld(L);
    zz_config *cfg = ld->cfg;
    char where[ZZ_LD_WHERE_LEN], desc[96], msg[512];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    zz_ld_need_table(L, 1, where, "target");
    if (lua_getfield(L, 1, "name") != LUA_TSTRING)
        zz_ld_fail(L, where, "target: give it a name, e.g. target { name = \"jinan_electronics\", "
                       "city = \"Jinan\", share = 0.5 }");
    if (zz_lua_has_nul(L, -1))
        zz_ld_fail(L, where, "target: a name with a NUL byte (\\0) is not accepted");
    const char *name = lua_tostring(L, -1);
    zz_target_cfg probe;
    zz_pvalue v = {ZZ_PV_STRING, 0, name, NULL, 0};
    if (zz_param_store(cfg, zz_param_field(ZZ_PB_TARGET, -1, "name"), &probe, -1, &v, msg, sizeof msg))
        zz_ld_fail(L, where, "field 'name' of target: %s", msg);
    snprintf(desc, sizeof desc, "target \"%s\"", name);
    int t = find_target(cfg, name);
    if (t < 0)
        t = new_target(L, cfg, name, where);
    cfg->target[t].line = o.line;
    ld->target_at[t] = o;
    zz_ld_read_block(L, ld, 1, ZZ_PB_TARGET, -1, &cfg->target[t], desc, where, skip);
    return 0;
}

int zz_ld_pioneer(lua_State *L)
{
    static const char *const skip[] = {"city", "industry", NULL};
    zz_ld_loader *ld = zz_ld(L);
    zz_config *cfg = ld->cfg;
    char where[ZZ_LD_WHERE_LEN], desc[160], msg[1024];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    zz_ld_need_table(L, 1, where, "pioneer");
    zz_pioneer_cfg probe = {0};
    for (int i = 0; i < 2; i++) {
        const zz_param *p = zz_param_field(ZZ_PB_PIONEER, -1, skip[i]);
        zz_pvalue v;
        const char *items[1];
        lua_getfield(L, 1, skip[i]);
        if (lua_isnil(L, -1))
            zz_ld_fail(L, where, "pioneer: give its %s, e.g. pioneer { city = \"Jinan\", industry = "
                           "\"electronics\" }", skip[i]);
        if (zz_lua_pvalue(L, -1, p, &v, items, 0, msg, sizeof msg) ||
            zz_param_store(cfg, p, &probe, -1, &v, msg, sizeof msg)) {
            char head[64];
            snprintf(head, sizeof head, "field '%s' of pioneer", skip[i]);
            zz_ld_fail(L, where, "%s: %s", head, msg);
        }
        lua_pop(L, 1);
    }
    snprintf(desc, sizeof desc, "pioneer (%s, %s)", cfg->city[probe.city], cfg->industry[probe.industry]);
    int k;
    for (k = 0; k < cfg->npioneers; k++)
        if (cfg->pioneer[k].city == probe.city && cfg->pioneer[k].industry == probe.industry)
            break;
    if (k == cfg->npioneers) {
        if (k == ZZ_MAX_CITIES)
            zz_ld_fail(L, where, "%s: too many pioneers", desc);
        cfg->pioneer[k] = probe;
        cfg->pioneer[k].share = PIONEER_SHARE;
        cfg->pioneer[k].within_days = PIONEER_WITHIN_DAYS;
        cfg->npioneers++;
    }
    cfg->pioneer[k].line = o.line;
    ld->pioneer_at[k] = o;
    zz_ld_read_block(L, ld, 1, ZZ_PB_PIONEER, -1, &cfg->pioneer[k], desc, where, skip);
    /* Its own reported group: the pair's gsz firms, under a fixed name. */
    char name[ZZ_NAME_LEN * 3];
    snprintf(name, sizeof name, "pioneer_%s_%s", cfg->city[probe.city], cfg->industry[probe.industry]);
    if (strlen(name) >= ZZ_NAME_LEN)
        zz_ld_fail(L, where, "%s: the target name '%s' is too long", desc, name);
    int t = find_target(cfg, name);
    if (t < 0)
        t = new_target(L, cfg, name, where);
    zz_target_cfg *tg = &cfg->target[t];
    tg->line = o.line;
    ld->target_at[t] = o;
    tg->filter.cities = (uint64_t)1 << probe.city;
    tg->filter.industries = (uint64_t)1 << probe.industry;
    tg->filter.gsz_only = 1;
    tg->share = cfg->pioneer[k].share;
    return 0;
}

/* ---- at, when, include --------------------------------------------------- */

static int add_action(lua_State *L, zz_ld_loader *ld, zz_ld_origin o, const char *where, double when)
{
    zz_config *cfg = ld->cfg;
    if (cfg->nactions == ZZ_MAX_ACTIONS)
        zz_ld_fail(L, where, "too many at/when functions (at most %d)", ZZ_MAX_ACTIONS);
    int a = cfg->nactions++;
    cfg->action[a].when = when;
    cfg->action[a].line = o.line;
    cfg->action[a].index = a;
    ld->action_at[a] = o;
    return a;
}

int zz_ld_at(lua_State *L)
{
    zz_ld_loader *ld = zz_ld(L);
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    int64_t day;
    if (lua_type(L, 1) != LUA_TSTRING)
        zz_ld_fail(L, where, "at: expected a date \"YYYY-MM-DD\" first, got %s; e.g. at(\"2027-01-01\", "
                       "function(sim) ... end)", luaL_typename(L, 1));
    if (zz_date_parse(lua_tostring(L, 1), &day))
        zz_ld_fail(L, where, "at: '%s' is not a date; expected \"YYYY-MM-DD\"", lua_tostring(L, 1));
    if (lua_type(L, 2) != LUA_TFUNCTION)
        zz_ld_fail(L, where, "at: expected a function(sim) after the date, got %s", luaL_typename(L, 2));
    int a = add_action(L, ld, o, where, 0);
    ld->at_day[a] = day;
    zz_pvalue v = {ZZ_PV_STRING, 0, lua_tostring(L, 1), NULL, 0};
    zz_param at_param = {"at", ZZ_PB_SCENARIO, ZZ_PT_DATE, 0, 0, 0, sizeof(double), 1, 0, 0, NULL, "", 0};
    zz_ld_stored(ld, &at_param, &ld->cfg->action[a].when, &v);
    return 0;
}

int zz_ld_when(lua_State *L)
{
    zz_ld_loader *ld = zz_ld(L);
    char where[ZZ_LD_WHERE_LEN];
    zz_ld_origin o = zz_ld_here(L, ld, where, sizeof where);
    if (lua_type(L, 1) != LUA_TFUNCTION || lua_type(L, 2) != LUA_TFUNCTION)
        zz_ld_fail(L, where, "when: expected two functions, a condition and what to do: when(function(sim) "
                       "return ... end, function(sim) ... end); got %s and %s",
             luaL_typename(L, 1), luaL_typename(L, 2));
    ld->at_day[add_action(L, ld, o, where, -1)] = INT64_MIN;
    return 0;
}
