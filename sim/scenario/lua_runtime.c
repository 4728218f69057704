/*
 * The scenario at run time (zz_script_*, scenario.h): one sandbox per
 * replication, on that replication's thread.
 *
 * Ordering constraints:
 *  - zz_script_open re-runs the whole scenario (its includes read from the
 *    bundle in cfg->source, never from disk again) only to recover the
 *    functions given to at(), when() and decision "lua". The declarations
 *    are stand-ins that do nothing: the configuration was built and checked
 *    at load and the replication holds its own copy. at/when are captured
 *    in call order, so capture i is cfg->action[i]; the lines are compared
 *    to make sure the script registered the same functions as at load.
 *  - while the top level re-runs, print is silent (the load printed) and
 *    math.random is an error (as at load); afterwards math.random draws
 *    from the replication's stream (zz_sim_uniform).
 *  - declarations and at/when called from inside a running function are
 *    errors: the configuration cannot grow during a run; sim:set changes it.
 */
#include "scenario/scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "engine/date.h"
#include "scenario/lua_declare.h"
#include "scenario/lua_fields.h"
#include "scenario/lua_sandbox.h"
#include "scenario/lua_source.h"
#include "policy/instrument.h"
#include "scenario/params.h"

/* Fixed stack slots of the main thread after zz_script_open: every call
 * runs above them, so finding a function or the firm table is an array
 * read, not a lookup by name. */
enum {
    S_FNS = 1,    /* at/when functions, [i + 1]           */
    S_CONDS,      /* when conditions, [i + 1] (nil for at) */
    S_HOLDER,     /* holder.fn: the decision "lua" function while capturing */
    S_SIM,        /* the sim object                       */
    S_FIRM,       /* the table a decision function gets    */
    S_CITIES,     /* city names, [i + 1]                   */
    S_INDUSTRIES, /* industry names                        */
    S_SIZES,      /* size class names                      */
    S_DECIDE      /* the decision function or nil          */
};

#define SIM_TYPE "zhizao.sim"
#define WHERE_LEN (ZZ_PATH_LEN + 32) /* "path:line" */

struct zz_script {
    zz_sandbox *sb;
    const zz_config *cfg;
    zz_sim *sim;
    int ncaptured, top_done, have_decide;
    int line[ZZ_MAX_ACTIONS];    /* line of each captured at/when */
    unsigned char fired[ZZ_MAX_ACTIONS];
};

static zz_script *SCRIPT(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

static int caller_line(lua_State *L)
{
    lua_Debug ar;
    for (int l = 1; lua_getstack(L, l, &ar); l++)
        if (lua_getinfo(L, "l", &ar) && ar.currentline > 0)
            return ar.currentline;
    return 0;
}

static void not_now(lua_State *L, const char *what)
{
    if (SCRIPT(L)->top_done)
        zz_lua_error(L, "%s: declarations belong at the top level of the scenario and are made "
                        "when it loads; to change a parameter during the run use "
                        "sim:set(\"voucher.compute.rate\", 0.4)", what);
}

/* ---- stand-ins for the declarations -------------------------------------- */

static int rt_ignore(lua_State *L)
{
    (void)L;
    return 0;
}

static int rt_block(lua_State *L)
{
    not_now(L, lua_tostring(L, lua_upvalueindex(2)));
    return 0;
}

/* decision "lua" { fn = ... }: the one stand-in that keeps something */
static int rt_decision_fields(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE && lua_getfield(L, 1, "fn") == LUA_TFUNCTION)
        lua_setfield(L, lua_upvalueindex(2), "fn");
    return 0;
}

static int rt_curried(lua_State *L)
{
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    not_now(L, name);
    if (strcmp(name, "decision") == 0 && lua_type(L, 1) == LUA_TSTRING &&
        strcmp(lua_tostring(L, 1), "lua") == 0) {
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_pushvalue(L, lua_upvalueindex(3)); /* the holder table */
        lua_pushcclosure(L, rt_decision_fields, 2);
        return 1;
    }
    lua_pushcfunction(L, rt_ignore);
    return 1;
}

static int capture(lua_State *L, int cond)
{
    zz_script *s = SCRIPT(L);
    if (s->top_done)
        return zz_lua_error(L, "%s: register functions at the top level of the scenario, not from "
                               "inside a function that runs during the simulation",
                            cond ? "when" : "at");
    if (s->ncaptured == ZZ_MAX_ACTIONS)
        return zz_lua_error(L, "too many at/when functions");
    int i = s->ncaptured++;
    s->line[i] = caller_line(L);
    lua_pushvalue(L, 2);
    lua_rawseti(L, lua_upvalueindex(2), i + 1);
    if (cond) {
        lua_pushvalue(L, 1);
        lua_rawseti(L, lua_upvalueindex(3), i + 1);
    }
    return 0;
}

static int rt_at(lua_State *L) { return capture(L, 0); }
static int rt_when(lua_State *L) { return capture(L, 1); }

static int rt_include(lua_State *L)
{
    zz_script *s = SCRIPT(L);
    const zz_config *cfg = s->cfg;
    char root[ZZ_PATH_LEN], path[ZZ_PATH_LEN], msg[1024];
    const char *text;
    size_t len;
    lua_Debug ar;
    not_now(L, "include");
    const char *from = cfg->path;
    for (int l = 1; lua_getstack(L, l, &ar); l++)
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            if (ar.source[0] == '@')
                from = ar.source + 1;
            break;
        }
    zz_source_dirname(cfg->path, root, sizeof root);
    if (zz_source_resolve(root, from, luaL_checkstring(L, 1), ".lua", path, sizeof path, msg, sizeof msg))
        return zz_lua_error(L, "include: %s", msg);
    if (!cfg->source || !zz_source_find(cfg->source, cfg->path, path, &text, &len))
        return zz_lua_error(L, "include: '%s' was not part of the scenario when it was loaded", path);
    if (zz_sandbox_load(s->sb, text, len, path, msg, sizeof msg)) {
        lua_pushstring(L, msg);
        return lua_error(L);
    }
    lua_call(L, 0, 0);
    return 0;
}

/* ---- the sim object -------------------------------------------------------- */

static zz_script *self(lua_State *L, const char *method)
{
    zz_script **p = luaL_testudata(L, 1, SIM_TYPE);
    if (!p)
        zz_lua_error(L, "sim:%s(): call it with a colon, sim:%s(...), not sim.%s(...)", method,
                     method, method);
    return *p;
}

static int m_date(lua_State *L)
{
    zz_script *s = self(L, "date");
    char buf[11];
    zz_date_format(s->cfg->start_day + (int64_t)floor(zz_sim_now(s->sim) + 1e-9), buf);
    lua_pushstring(L, buf);
    return 1;
}

static int m_day(lua_State *L)
{
    zz_script *s = self(L, "day");
    lua_pushnumber(L, zz_sim_now(s->sim));
    return 1;
}

static int m_share(lua_State *L)
{
    static const char *const only[] = {"city", "industry", "size", "gsz_only", NULL};
    zz_script *s = self(L, "share");
    zz_target_cfg probe;
    char where[WHERE_LEN];
    memset(&probe, 0, sizeof probe);
    if (!lua_isnoneornil(L, 2)) {
        if (lua_type(L, 2) != LUA_TTABLE)
            return zz_lua_error(L, "sim:share: expected a table like { city = \"Jinan\", industry = "
                                   "\"electronics\" }, got %s", luaL_typename(L, 2));
        zz_lua_where(L, 1, where, sizeof where);
        zz_lua_block b = {s->cfg, ZZ_PB_TARGET, -1, &probe, "sim:share", where, NULL, only, NULL, NULL};
        zz_lua_read_block(L, 2, &b);
    }
    lua_pushnumber(L, zz_sim_share(s->sim, &probe.filter));
    return 1;
}

/* "voucher.compute" to an index, or an error listing the programmes */
static int programme(lua_State *L, zz_script *s, const char *method)
{
    const char *name = luaL_checkstring(L, 2);
    int g = zz_sim_programme(s->sim, name);
    if (g >= 0)
        return g;
    const zz_config *cfg = zz_sim_config(s->sim);
    const char *names[ZZ_MAX_PROGRAMMES];
    char list[2048] = "";
    for (int i = 0; i < cfg->nprogrammes; i++)
        names[i] = cfg->programme[i].name;
    zz_join_names(list, sizeof list, names, cfg->nprogrammes);
    char hint[320] = "";
    zz_suggest(hint, sizeof hint, name, names, cfg->nprogrammes, NULL, "; did you mean '%s'?");
    return zz_lua_error(L, "sim:%s: no programme '%s'%s; programmes: %s", method, name, hint,
                        cfg->nprogrammes ? list : "none");
}

static int m_budget_left(lua_State *L)
{
    zz_script *s = self(L, "budget_left");
    /* per the full region under --scale, as sim:set takes it */
    lua_pushnumber(L, zz_sim_budget_left(s->sim, programme(L, s, "budget_left")) /
                          zz_sim_config(s->sim)->scale);
    return 1;
}

static int m_open_round(lua_State *L)
{
    zz_script *s = self(L, "open_round");
    int g = programme(L, s, "open_round");
    char err[1024];
    if (!zz_instruments[zz_sim_config(s->sim)->programme[g].kind]->open_round)
        return zz_lua_error(L, "sim:open_round: '%s' is not a contest", lua_tostring(L, 2));
    if (zz_sim_open_round(s->sim, g, err, sizeof err))
        return zz_lua_error(L, "sim:open_round: %s", err);
    return 0;
}

static int m_stop(lua_State *L)
{
    zz_sim_stop(self(L, "stop")->sim);
    return 0;
}

static int m_set(lua_State *L)
{
    zz_script *s = self(L, "set");
    const zz_config *cfg = zz_sim_config(s->sim);
    const char *key = luaL_checkstring(L, 2);
    char msg[1024];
    const zz_param *p = zz_param_find(cfg, key, msg, sizeof msg);
    if (!p)
        return zz_lua_error(L, "sim:set: %s", msg);
    if (!(p->flags & ZZ_PF_LIVE))
        return zz_lua_error(L, "sim:set: '%s' cannot change during a run (it is fixed when the "
                               "run starts); set it in the scenario or with --set", key);
    /* read and stored as the scenario file's values are: the type's row */
    zz_pvalue value;
    if (zz_lua_pvalue(L, 3, p, &value, NULL, 0, msg, sizeof msg))
        return zz_lua_error(L, "sim:set('%s'): %s", key, msg);
    if (zz_sim_set(s->sim, key, &value, msg, sizeof msg))
        return zz_lua_error(L, "sim:set: %s", msg);
    return 0;
}

static const luaL_Reg methods[] = {
    {"budget_left", m_budget_left}, {"date", m_date}, {"day", m_day},   {"open_round", m_open_round},
    {"set", m_set},                 {"share", m_share}, {"stop", m_stop}, {NULL, NULL},
};

static int sim_index(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
            return 1;
    }
    const char *names[8];
    char list[256] = "";
    int n = 0;
    for (const luaL_Reg *r = methods; r->name; r++)
        names[n++] = r->name;
    zz_join_names(list, sizeof list, names, n);
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    char hint[320] = "";
    zz_suggest(hint, sizeof hint, k, names, n, NULL, "; did you mean '%s'?");
    return zz_lua_error(L, "sim has no method '%s'%s; methods: %s", k, hint, list);
}

static int sim_newindex(lua_State *L)
{
    return zz_lua_error(L, "sim is read-only; change a parameter with "
                           "sim:set(\"voucher.compute.rate\", 0.4)");
}

static int sim_tostring(lua_State *L)
{
    zz_script *s = *(zz_script **)lua_touserdata(L, 1);
    char buf[11];
    zz_date_format(s->cfg->start_day + (int64_t)floor(zz_sim_now(s->sim) + 1e-9), buf);
    lua_pushfstring(L, "sim (%s)", buf);
    return 1;
}

static void push_sim(lua_State *L, zz_script *s)
{
    *(zz_script **)lua_newuserdatauv(L, sizeof s, 0) = s;
    luaL_newmetatable(L, SIM_TYPE);
    lua_newtable(L);
    for (const luaL_Reg *r = methods; r->name; r++) {
        lua_pushcfunction(L, r->func);
        lua_setfield(L, -2, r->name);
    }
    lua_pushcclosure(L, sim_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, sim_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, sim_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "sim");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

static void push_names(lua_State *L, const char (*names)[ZZ_NAME_LEN], const char *const *cnames, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, names ? names[i] : cnames[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* ---- open, act, decide, close --------------------------------------------- */

static double script_uniform(void *ud)
{
    return zz_sim_uniform(((zz_script *)ud)->sim);
}

static void install(zz_script *s)
{
    lua_State *L = zz_sandbox_state(s->sb);
    lua_newtable(L); /* S_FNS */
    lua_newtable(L); /* S_CONDS */
    lua_newtable(L); /* S_HOLDER */
    zz_declaration decl[ZZ_MAX_DECLARATIONS];
    int ndecl = zz_declarations(decl, ZZ_MAX_DECLARATIONS);
    for (int i = 0; i < ndecl; i++) {
        lua_pushlightuserdata(L, s);
        lua_pushstring(L, decl[i].name);
        lua_pushvalue(L, S_HOLDER);
        lua_pushcclosure(L, decl[i].curried ? rt_curried : rt_block, 3);
        lua_setglobal(L, decl[i].name);
    }
    lua_pushlightuserdata(L, s);
    lua_pushvalue(L, S_FNS);
    lua_pushcclosure(L, rt_at, 2);
    lua_setglobal(L, "at");
    lua_pushlightuserdata(L, s);
    lua_pushvalue(L, S_FNS);
    lua_pushvalue(L, S_CONDS);
    lua_pushcclosure(L, rt_when, 3);
    lua_setglobal(L, "when");
    lua_pushlightuserdata(L, s);
    lua_pushcclosure(L, rt_include, 1);
    lua_setglobal(L, "include");
}

int zz_script_open(zz_script **out, const zz_config *cfg, zz_sim *sim, char *err, size_t errlen)
{
    const char *text;
    size_t len;
    *out = NULL;
    zz_script *s = calloc(1, sizeof *s);
    if (!s || !(s->sb = zz_sandbox_new(ZZ_LUA_MEMORY_LIMIT))) {
        free(s);
        snprintf(err, errlen, "out of memory for the scenario's interpreter");
        return ZZ_NOMEM;
    }
    s->cfg = cfg;
    s->sim = sim;
    lua_State *L = zz_sandbox_state(s->sb);
    int rc = ZZ_OK;
    install(s);
    if ((!cfg->source || !zz_source_find(cfg->source, cfg->path, cfg->path, &text, &len))) {
        snprintf(err, errlen, "%s: the scenario's text is missing from its configuration", cfg->path);
        rc = ZZ_ERROR;
    }
    if (rc == ZZ_OK)
        rc = zz_sandbox_load(s->sb, text, len, cfg->path, err, errlen);
    if (rc == ZZ_OK) {
        zz_sandbox_set_quiet(s->sb, 1);
        rc = zz_sandbox_call(s->sb, 0, 0, ZZ_LUA_LOAD_INSTRUCTIONS, ZZ_LUA_LOAD_SECONDS, err, errlen);
        zz_sandbox_set_quiet(s->sb, 0);
    }
    s->top_done = 1;
    if (rc == ZZ_OK && s->ncaptured != cfg->nactions) {
        snprintf(err, errlen, "%s: the scenario registered %d at/when functions in this replication "
                 "but %d when it loaded; a scenario must do the same every time it runs",
                 cfg->path, s->ncaptured, cfg->nactions);
        rc = ZZ_SCENARIO;
    }
    for (int i = 0; rc == ZZ_OK && i < cfg->nactions; i++)
        if (s->line[i] != cfg->action[i].line) {
            snprintf(err, errlen, "%s: at/when number %d was registered at line %d in this "
                     "replication but at line %d when the scenario loaded; a scenario must do the "
                     "same every time it runs", cfg->path, i + 1, s->line[i], cfg->action[i].line);
            rc = ZZ_SCENARIO;
        }
    if (rc == ZZ_OK) {
        lua_settop(L, S_HOLDER);
        push_sim(L, s);                                        /* S_SIM */
        lua_createtable(L, 0, 20);                             /* S_FIRM */
        push_names(L, cfg->city, NULL, cfg->ncities);         /* S_CITIES */
        push_names(L, cfg->industry, NULL, cfg->nindustries); /* S_INDUSTRIES */
        push_names(L, NULL, zz_size_names, ZZ_NSIZES);        /* S_SIZES */
        lua_getfield(L, S_HOLDER, "fn");                       /* S_DECIDE */
        s->have_decide = lua_type(L, S_DECIDE) == LUA_TFUNCTION;
        if (cfg->decision.rule == ZZ_RULE_LUA && !s->have_decide) {
            snprintf(err, errlen, "%s: decision \"lua\" has no function in this replication",
                     cfg->path);
            rc = ZZ_SCENARIO;
        }
    }
    if (rc != ZZ_OK) {
        zz_script_close(s);
        return rc;
    }
    zz_sandbox_set_random(s->sb, script_uniform, s);
    /* The replication's calls start here; the top level ran on its own budget. */
    zz_sandbox_set_total(s->sb,
                         cfg->lua_total_instructions > 0 ? cfg->lua_total_instructions
                                                         : ZZ_LUA_TOTAL_INSTRUCTIONS,
                         cfg->lua_total_seconds > 0 ? cfg->lua_total_seconds : ZZ_LUA_TOTAL_SECONDS);
    *out = s;
    return ZZ_OK;
}

/* "file:line" where a function was defined, for messages about its result */
static void defined_at(lua_State *L, int idx, char *buf, size_t len)
{
    lua_Debug ar;
    lua_pushvalue(L, idx);
    if (lua_getinfo(L, ">S", &ar) && ar.source[0] == '@')
        snprintf(buf, len, "%s:%d", ar.source + 1, ar.linedefined);
    else
        snprintf(buf, len, "?");
}

int zz_script_action(zz_script *s, int index, int *fired, char *err, size_t errlen)
{
    lua_State *L = zz_sandbox_state(s->sb);
    int rc;
    if (fired)
        *fired = 0;
    if (index < 0 || index >= s->cfg->nactions) {
        snprintf(err, errlen, "no scenario action %d", index);
        return ZZ_ERROR;
    }
    if (s->cfg->action[index].when < 0) {
        if (s->fired[index]) /* a trigger fires once */
            return ZZ_OK;
        lua_rawgeti(L, S_CONDS, index + 1);
        lua_pushvalue(L, S_SIM);
        rc = zz_sandbox_call(s->sb, 1, 1, ZZ_LUA_CALL_INSTRUCTIONS, ZZ_LUA_CALL_SECONDS, err, errlen);
        if (rc)
            return rc;
        if (lua_type(L, -1) != LUA_TBOOLEAN) {
            char at[WHERE_LEN];
            lua_rawgeti(L, S_CONDS, index + 1);
            defined_at(L, -1, at, sizeof at);
            snprintf(err, errlen, "%s: the condition of when() returned %s; it must return true or "
                     "false (e.g. return sim:share{ city = \"Jinan\" } >= 0.4)", at,
                     luaL_typename(L, -2));
            lua_pop(L, 2);
            return ZZ_SCENARIO;
        }
        int yes = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (!yes)
            return ZZ_OK;
    }
    s->fired[index] = 1;
    lua_rawgeti(L, S_FNS, index + 1);
    lua_pushvalue(L, S_SIM);
    rc = zz_sandbox_call(s->sb, 1, 0, ZZ_LUA_CALL_INSTRUCTIONS, ZZ_LUA_CALL_SECONDS, err, errlen);
    if (rc == ZZ_OK && fired)
        *fired = 1;
    return rc;
}

static void set_name(lua_State *L, int names, int i, int n, const char *field)
{
    if (i >= 0 && i < n)
        lua_rawgeti(L, names, i + 1);
    else
        lua_pushinteger(L, i);
    lua_setfield(L, S_FIRM, field);
}

int zz_script_decide(zz_script *s, const zz_firm_view *f, double *prob, char *err, size_t errlen)
{
    lua_State *L = zz_sandbox_state(s->sb);
    if (!s->have_decide) {
        snprintf(err, errlen, "%s: the scenario has no decision \"lua\" function", s->cfg->path);
        return ZZ_SCENARIO;
    }
    /* One table for every call, refilled: no garbage per review. */
    lua_pushinteger(L, f->id);
    lua_setfield(L, S_FIRM, "id");
    set_name(L, S_CITIES, f->city, s->cfg->ncities, "city");
    set_name(L, S_INDUSTRIES, f->industry, s->cfg->nindustries, "industry");
    set_name(L, S_SIZES, f->size, ZZ_NSIZES, "size");
    lua_pushboolean(L, f->gsz);
    lua_setfield(L, S_FIRM, "gsz");
    lua_pushboolean(L, f->credit);
    lua_setfield(L, S_FIRM, "credit");
    lua_pushboolean(L, f->leader);
    lua_setfield(L, S_FIRM, "leader");
    lua_pushinteger(L, f->failures);
    lua_setfield(L, S_FIRM, "failures");
    static const struct {
        const char *name;
        size_t offset;
    } nums[] = {
        {"revenue", offsetof(zz_firm_view, revenue)},
        {"readiness", offsetof(zz_firm_view, readiness)},
        {"liquidity", offsetof(zz_firm_view, liquidity)},
        {"hurdle", offsetof(zz_firm_view, hurdle)},
        {"capability", offsetof(zz_firm_view, capability)},
        {"day", offsetof(zz_firm_view, day)},
        {"share_all", offsetof(zz_firm_view, share_all)},
        {"share_city", offsetof(zz_firm_view, share_city)},
        {"share_industry", offsetof(zz_firm_view, share_industry)},
        {"share_local", offsetof(zz_firm_view, share_local)},
    };
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        lua_pushnumber(L, *(const double *)((const char *)f + nums[i].offset));
        lua_setfield(L, S_FIRM, nums[i].name);
    }
    lua_pushvalue(L, S_DECIDE);
    lua_pushvalue(L, S_FIRM);
    int rc = zz_sandbox_call(s->sb, 1, 1, ZZ_LUA_CALL_INSTRUCTIONS, ZZ_LUA_CALL_SECONDS, err, errlen);
    if (rc)
        return rc;
    int isnum;
    double p = lua_tonumberx(L, -1, &isnum);
    if (!isnum || lua_type(L, -1) != LUA_TNUMBER || !(p >= 0 && p <= 1)) {
        char at[WHERE_LEN], got[64];
        if (isnum && lua_type(L, -1) == LUA_TNUMBER)
            snprintf(got, sizeof got, isnan(p) ? "NaN (not a number)" : "%.10g", p);
        else
            snprintf(got, sizeof got, "a %s", luaL_typename(L, -1));
        defined_at(L, S_DECIDE, at, sizeof at);
        lua_pop(L, 1);
        snprintf(err, errlen, "%s: decision \"lua\" returned %s for firm %lld; it must return a "
                 "probability, a number in [0, 1]", at, got, (long long)f->id);
        return ZZ_SCENARIO;
    }
    lua_pop(L, 1);
    *prob = p;
    return ZZ_OK;
}

void zz_script_close(zz_script *s)
{
    if (!s)
        return;
    zz_sandbox_free(s->sb);
    free(s);
}
