/*
 * The library a scenario sees (see lua_sandbox.h for the list, and
 * lua_sandbox.c's top comment for why each door is closed): Lua's base,
 * string, table, math and utf8 libraries without what reaches outside the
 * interpreter or outside the instruction budget, and the functions
 * replaced: pairs in sorted order, print with the scenario line, a
 * setmetatable without finalizers, xpcall whose handler a limit skips,
 * string.rep and table.sort that the deadline bounds, math.random from the
 * replication's stream, and globals that must be defined before use.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scenario/lua_sandbox_internal.h"
#include "scenario/suggest.h"

/* ---- sorted keys ---------------------------------------------------------- */

typedef struct keyrec {
    int rank;        /* 0 number, 1 string, 2 boolean, 3 anything else */
    int isint;
    lua_Integer i;
    lua_Number n;
    const char *s;
    size_t len;
    int slot;        /* position in the traversal-order array */
} keyrec;

static int keycmp(const void *pa, const void *pb)
{
    const keyrec *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    switch (a->rank) {
    case 0:
        if (a->isint && b->isint)
            return a->i < b->i ? -1 : a->i > b->i;
        return a->n < b->n ? -1 : a->n > b->n;
    case 1: {
        size_t m = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, m);
        return c ? c : (a->len < b->len ? -1 : a->len > b->len);
    }
    case 2: return (int)a->i - (int)b->i;
    default: return a->slot - b->slot;
    }
}

int zz_lua_sorted_keys(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, "sorting keys");
    lua_newtable(L); /* keys in traversal order; keeps the strings alive */
    int order = lua_gettop(L), n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, order, ++n);
    }
    keyrec *r = lua_newuserdatauv(L, (size_t)n * sizeof *r + 1, 0); /* counted by the allocator */
    for (int k = 0; k < n; k++) {
        keyrec *e = &r[k];
        memset(e, 0, sizeof *e);
        e->slot = k + 1;
        switch (lua_rawgeti(L, order, k + 1)) {
        case LUA_TNUMBER:
            e->rank = 0;
            e->isint = lua_isinteger(L, -1);
            e->i = lua_tointeger(L, -1);
            e->n = lua_tonumber(L, -1);
            break;
        case LUA_TSTRING:
            e->rank = 1;
            e->s = lua_tolstring(L, -1, &e->len);
            break;
        case LUA_TBOOLEAN:
            e->rank = 2;
            e->i = lua_toboolean(L, -1);
            break;
        default: e->rank = 3; break;
        }
        lua_pop(L, 1);
    }
    qsort(r, (size_t)n, sizeof *r, keycmp);
    lua_createtable(L, n, 0);
    for (int k = 0; k < n; k++) {
        lua_rawgeti(L, order, r[k].slot);
        lua_rawseti(L, -2, k + 1);
    }
    lua_replace(L, order); /* [sorted, records] */
    lua_pop(L, 1);
    return n;
}

/* ---- the replaced library functions -------------------------------------- */

static int sorted_next(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    for (;;) {
        if (lua_rawgeti(L, lua_upvalueindex(1), ++i) == LUA_TNIL)
            return 1;
        lua_pushvalue(L, -1);
        if (lua_rawget(L, 1) != LUA_TNIL) { /* skip keys removed during the loop */
            lua_pushinteger(L, i);
            lua_replace(L, lua_upvalueindex(2));
            return 2;
        }
        lua_pop(L, 2);
    }
}

static int sb_pairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    zz_lua_sorted_keys(L, 1);
    zz_sandbox_check_time(L);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, sorted_next, 2);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int sb_print(lua_State *L)
{
    char where[512];
    int n = lua_gettop(L);
    luaL_Buffer b;
    if (zz_sandbox_of(L)->quiet)
        return 0;
    zz_lua_where(L, 1, where, sizeof where);
    luaL_buffinit(L, &b);
    luaL_addstring(&b, where);
    luaL_addstring(&b, ": ");
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    /* one write per line, so replications on other threads do not split it */
    fputs(lua_tostring(L, -1), stderr);
    fflush(stderr);
    return 0;
}

static int sb_setmetatable(lua_State *L)
{
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return zz_lua_error(L, "setmetatable: __gc finalizers are not available in scenarios "
                                   "(they would run outside the instruction budget)");
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int sb_collectgarbage(lua_State *L)
{
    /* Harmless: a forced full collection in a loop would burn time the
     * instruction budget does not see. Only "count" answers. */
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") == 0)
        lua_pushnumber(L, (lua_Number)zz_sandbox_of(L)->used / 1024.0);
    else
        lua_pushinteger(L, 0);
    return 1;
}

static int sb_rep(lua_State *L)
{
    /* Lua's own string.rep loops n times even when the result is empty
     * (string.rep("", 1e18)); this one does no work it cannot allocate. */
    size_t l, lsep;
    const char *s = luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    const char *sep = luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || (l == 0 && lsep == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (l + lsep < l || (lua_Unsigned)n > ((size_t)-1 / 2) / (l + lsep))
        return luaL_error(L, "resulting string too large");
    size_t total = (size_t)n * l + (size_t)(n - 1) * lsep;
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, total);
    for (lua_Integer i = 0; i < n; i++) {
        memcpy(p, s, l);
        p += l;
        if (lsep > 0 && i + 1 < n) {
            memcpy(p, sep, lsep);
            p += lsep;
        }
    }
    luaL_pushresultsize(&b, total);
    return 1;
}

static int sb_sort(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1)); /* Lua's table.sort */
    lua_insert(L, 1);
    lua_call(L, 2, 0);
    zz_sandbox_check_time(L); /* one sort of a large table is long C work */
    return 0;
}

static double random_uniform(lua_State *L)
{
    zz_sandbox *sb = zz_sandbox_of(L);
    if (!sb->uniform)
        zz_lua_error(L, "math.random is only available inside at/when/decision functions: a "
                        "number drawn while the scenario loads would be the same in every "
                        "replication");
    return sb->uniform(sb->uniform_ud);
}

static lua_Unsigned random_bits(lua_State *L)
{
    lua_Unsigned hi = (lua_Unsigned)(random_uniform(L) * 4294967296.0);
    lua_Unsigned lo = (lua_Unsigned)(random_uniform(L) * 4294967296.0);
    return hi << 32 | (lo & 0xffffffffu);
}

/* math.random(), math.random(m), math.random(m, n) as in Lua 5.4, from the
 * replication's stream. */
static int sb_random(lua_State *L)
{
    lua_Integer lo, hi;
    switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, random_uniform(L)); return 1;
    case 1:
        lo = 1;
        hi = luaL_checkinteger(L, 1);
        if (hi == 0) { /* a random integer with all bits random */
            lua_pushinteger(L, (lua_Integer)random_bits(L));
            return 1;
        }
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
        break;
    default: return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    lua_Unsigned range = (lua_Unsigned)hi - (lua_Unsigned)lo, r;
    if (range < ((lua_Unsigned)1 << 53)) {
        r = (lua_Unsigned)floor(random_uniform(L) * ((double)range + 1.0));
        if (r > range)
            r = range;
    } else {
        r = random_bits(L);
        if (range != ~(lua_Unsigned)0)
            r %= range + 1;
    }
    lua_pushinteger(L, (lua_Integer)((lua_Unsigned)lo + r));
    return 1;
}

/* xpcall(f, handler, ...), with the handler wrapped (see the top). The
 * rest is lbaselib's xpcall. */
static int sb_msgh(lua_State *L)
{
    if (zz_sandbox_of(L)->limit_hit)
        return 1; /* the limit's message, untouched */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_pcall(lua_State *L, int status, lua_KContext extra)
{
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int sb_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, sb_msgh, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

static int sb_refuse(lua_State *L)
{
    return zz_lua_error(L, "%s", lua_tostring(L, lua_upvalueindex(1)));
}

static void refuse(lua_State *L, int table, const char *name, const char *why)
{
    lua_pushstring(L, why);
    lua_pushcclosure(L, sb_refuse, 1);
    lua_setfield(L, table, name);
}

/* ---- strict globals -------------------------------------------------------- */

static const struct {
    const char *name, *why;
} removed[] = {
    {"os", "a scenario cannot reach the operating system (programs, files, clock)"},
    {"io", "a scenario cannot read or write files"},
    {"debug", "a scenario cannot inspect or change the interpreter"},
    {"package", "a scenario cannot load modules; use include \"file.lua\""},
    {"require", "a scenario cannot load modules; use include \"file.lua\""},
    {"load", "a scenario cannot compile code while it runs; use include \"file.lua\""},
    {"loadstring", "a scenario cannot compile code while it runs; use include \"file.lua\""},
    {"loadfile", "a scenario cannot read files; use include \"file.lua\""},
    {"dofile", "a scenario cannot read files; use include \"file.lua\""},
    {"warn", "use print"},
    {"next", "next() visits a table in hash order, which changes from run to run; use pairs "
             "(sorted keys) or ipairs"},
    {"coroutine", "a scenario does not need coroutines, and a stopped one would run code "
                  "outside the instruction budget"},
};

static int namecmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int sb_global_index(lua_State *L)
{
    if (lua_type(L, 2) != LUA_TSTRING) {
        lua_pushnil(L);
        return 1;
    }
    const char *k = lua_tostring(L, 2);
    for (size_t i = 0; i < sizeof removed / sizeof *removed; i++)
        if (strcmp(k, removed[i].name) == 0)
            return zz_lua_error(L, "'%s' is not available in scenarios: %s", k, removed[i].why);
    if (strcmp(k, "sim") == 0)
        return zz_lua_error(L, "unknown name 'sim': the simulation is passed to at/when "
                               "functions, e.g. at(\"2027-01-01\", function(sim) ... end)");
    if (strcmp(k, "firm") == 0)
        return zz_lua_error(L, "unknown name 'firm': a firm is passed to the decision function, "
                               "decision \"lua\" { fn = function(firm) ... end }");
    /* Suggest the nearest global, from a sorted list so ties are stable. */
    const char *names[512];
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1) && n < 512) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING)
            names[n++] = lua_tostring(L, -1); /* anchored by the global table */
    }
    lua_settop(L, 2);
    qsort(names, (size_t)n, sizeof *names, namecmp);
    char hint[320] = "";
    if (zz_suggest(hint, sizeof hint, k, names, n, NULL, "; did you mean '%s'?") >= 0)
        return zz_lua_error(L, "unknown name '%s'%s", k, hint);
    return zz_lua_error(L, "unknown name '%s' (a variable that was never given a value)", k);
}

/* ---- setting up ---------------------------------------------------------- */

int zz_sandbox_open_libs(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},        {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table},  {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},
    };
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
        luaL_requiref(L, libs[i].name, libs[i].func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    for (size_t i = 0; i < sizeof removed / sizeof *removed; i++) {
        lua_pushnil(L);
        lua_setfield(L, g, removed[i].name);
    }
    lua_pushcfunction(L, sb_print);
    lua_setfield(L, g, "print");
    lua_pushcfunction(L, sb_pairs);
    lua_setfield(L, g, "pairs");
    lua_pushcfunction(L, sb_setmetatable);
    lua_setfield(L, g, "setmetatable");
    lua_pushcfunction(L, sb_collectgarbage);
    lua_setfield(L, g, "collectgarbage");
    lua_pushcfunction(L, sb_xpcall);
    lua_setfield(L, g, "xpcall");

    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "string");
    lua_setfield(L, -2, "__metatable"); /* getmetatable("") gives "string" */
    lua_pop(L, 2);

    lua_getfield(L, g, "string");
    int s = lua_gettop(L);
    refuse(L, s, "dump", "string.dump is not available in scenarios (no bytecode)");
    static const char *const patterns[] = {"find", "match", "gmatch", "gsub"};
    for (size_t i = 0; i < 4; i++) {
        char why[256];
        snprintf(why, sizeof why, "string.%s is not available in scenarios: Lua patterns run in C "
                 "outside the instruction budget, and a crafted one can run for hours", patterns[i]);
        refuse(L, s, patterns[i], why);
    }
    lua_pushcfunction(L, sb_rep);
    lua_setfield(L, s, "rep");

    lua_getfield(L, g, "table");
    int t = lua_gettop(L);
    refuse(L, t, "move", "table.move is not available in scenarios (it can loop over a huge "
                         "range in C, outside the instruction budget); use a for loop");
    lua_getfield(L, t, "sort");
    lua_pushcclosure(L, sb_sort, 1);
    lua_setfield(L, t, "sort");

    lua_getfield(L, g, "math");
    int m = lua_gettop(L);
    lua_pushcfunction(L, sb_random);
    lua_setfield(L, m, "random");
    refuse(L, m, "randomseed", "math.randomseed is not available: each replication draws from "
                               "its own stream (set scenario.seed)");

    /* Reading an undefined global is an error; the metatable is protected
     * so a script cannot lift that for the code it includes. */
    lua_newtable(L);
    lua_pushcfunction(L, sb_global_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, g);
    return 0;
}
