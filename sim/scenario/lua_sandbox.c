/*
 * The sandboxed interpreter (see lua_sandbox.h for what a scenario may and
 * may not do). Three mechanisms bound a script:
 *
 *  - memory: the lua_Alloc below refuses any growth past the limit. Lua
 *    then runs an emergency full collection and asks once more, so only a
 *    second refusal in a row means the limit is reached; that one records
 *    the scenario line for the message (a memory error carries no position
 *    of its own) and, like the other limits, is final for the call.
 *  - instructions and wall time: a count hook every HOOK_EVERY
 *    instructions charges the budget and checks the deadline. Time matters
 *    as well as instructions because some single instructions do a lot of
 *    work in C (a concatenation of large strings, table.sort): the deadline
 *    bounds those, and the few C functions that can run long on their own
 *    check it when they return (sorted pairs, table.sort).
 *  - once a limit is hit the hook is re-armed to fire at every instruction
 *    and raise the same error, on the running coroutine and on the main
 *    thread. A script's pcall may catch the first error, but the next
 *    instruction outside it raises again, so the error climbs to our own
 *    lua_pcall whatever the script does.
 * Lua runs some user code with hooks disabled, where no limit can reach it;
 * each such door is closed:
 *  - finalizers (__gc): setmetatable refuses them;
 *  - a message handler called for an error raised inside the hook (the
 *    limit's own error): xpcall wraps the script's handler and skips it
 *    once a limit is hit;
 *  - a coroutine stopped by the hook closes its <close> variables with
 *    hooks off: there are no coroutines (a scenario does not need them);
 *  - the string metatable is shared and could gain a __close: it is
 *    protected.
 * Lua patterns backtrack in C without counting instructions, so the pattern
 * functions are not offered at all.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "scenario/lua_sandbox.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "scenario/params.h"
#include "zhizao/zhizao.h"

#define HOOK_EVERY 1000

/* LIMIT_INTERRUPT is not a limit but travels the same way: Ctrl-C stops a
 * running call at its next hook, and the script cannot catch it. */
enum { LIMIT_NONE, LIMIT_INSTRUCTIONS, LIMIT_TIME, LIMIT_MEMORY, LIMIT_INTERRUPT,
       LIMIT_TOTAL_INSTRUCTIONS, LIMIT_TOTAL_TIME };

struct zz_sandbox {
    lua_State *L;
    int ready;               /* libraries installed: the allocator may walk the stack */
    size_t used, limit;      /* bytes                                                 */
    int oom;                 /* the system allocator failed (not our limit)           */
    int refusals;            /* growth requests refused since the last one granted    */
    char refused_where[512]; /* scenario line of the last refused allocation          */
    long long budget, granted;
    /* totals over all calls once zz_sandbox_set_total ran (0 = none) */
    long long total_budget, total_granted;
    double total_deadline, total_seconds;
    double deadline, seconds; /* monotonic seconds; 0 = no deadline                   */
    int limit_hit;           /* LIMIT_*                                               */
    char limit_msg[768];
    char name[512];          /* last chunk loaded, for messages without a line        */
    double (*uniform)(void *);
    void *uniform_ud;
    int quiet;               /* print() does nothing                                  */
    lua_Hook hook;           /* sb_hook (the allocator comes before it in this file)  */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

zz_sandbox *zz_sandbox_of(lua_State *L)
{
    /* Set on the main thread; Lua copies the extra space to every new
     * coroutine, so this works from any of them. */
    return *(zz_sandbox **)lua_getextraspace(L);
}

lua_State *zz_sandbox_state(zz_sandbox *sb) { return sb->L; }

void zz_sandbox_set_quiet(zz_sandbox *sb, int quiet) { sb->quiet = quiet; }

void zz_sandbox_set_random(zz_sandbox *sb, double (*uniform)(void *), void *ud)
{
    sb->uniform = uniform;
    sb->uniform_ud = ud;
}

/* ---- positions and errors ---------------------------------------------- */

static void where_of(const lua_Debug *ar, char *buf, size_t len)
{
    const char *src = ar->source && ar->source[0] == '@' ? ar->source + 1 : ar->short_src;
    snprintf(buf, len, "%s:%d", src, ar->currentline);
}

void zz_lua_where(lua_State *L, int level, char *buf, size_t len)
{
    lua_Debug ar;
    for (int l = level; lua_getstack(L, l, &ar); l++)
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            where_of(&ar, buf, len);
            return;
        }
    snprintf(buf, len, "?");
}

int zz_lua_error(lua_State *L, const char *fmt, ...)
{
    char where[512], msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zz_lua_where(L, 1, where, sizeof where);
    lua_pushfstring(L, "%s: %s", where, msg);
    return lua_error(L);
}

/* ---- limits -------------------------------------------------------------- */

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    zz_sandbox *sb = ud;
    if (!ptr)
        osize = 0; /* then osize encodes the kind of object, not a size */
    if (nsize == 0) {
        free(ptr);
        sb->used -= osize;
        return NULL;
    }
    if (nsize > osize && nsize - osize > sb->limit - sb->used) {
        if (sb->ready && !sb->limit_hit) {
            char where[sizeof sb->refused_where];
            zz_lua_where(sb->L, 0, where, sizeof where);
            if (strcmp(where, "?") != 0)
                memcpy(sb->refused_where, where, sizeof where);
        }
        if (++sb->refusals >= 2 && sb->ready && !sb->limit_hit) {
            /* refused again after the emergency collection: the limit */
            sb->limit_hit = LIMIT_MEMORY;
            snprintf(sb->limit_msg, sizeof sb->limit_msg, "%s: memory limit exceeded (%zu MiB)",
                     sb->refused_where[0] ? sb->refused_where : sb->name, sb->limit >> 20);
            /* lua_sethook only stores fields (lua.c calls it from a signal
             * handler), so it is safe in here */
            lua_sethook(sb->L, sb->hook, LUA_MASKCOUNT, 1);
        }
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p) {
        sb->oom = 1;
        return NULL;
    }
    sb->used = sb->used - osize + nsize;
    if (nsize > osize)
        sb->refusals = 0;
    return p;
}

/* From now on every instruction raises the limit error (see the top). */
static void arm(zz_sandbox *sb, lua_State *L, lua_Hook hook)
{
    lua_sethook(L, hook, LUA_MASKCOUNT, 1);
    if (L != sb->L)
        lua_sethook(sb->L, hook, LUA_MASKCOUNT, 1);
}

static void limit_message(zz_sandbox *sb, const char *where)
{
    if (sb->limit_hit == LIMIT_INTERRUPT)
        snprintf(sb->limit_msg, sizeof sb->limit_msg, "%s: interrupted", where);
    else if (sb->limit_hit == LIMIT_TOTAL_INSTRUCTIONS)
        snprintf(sb->limit_msg, sizeof sb->limit_msg,
                 "%s: the replication's total Lua budget is used up (%lld instructions over all "
                 "calls of the decision function and callbacks; --lua-instructions raises it)",
                 where, sb->total_granted);
    else if (sb->limit_hit == LIMIT_TOTAL_TIME)
        snprintf(sb->limit_msg, sizeof sb->limit_msg,
                 "%s: the replication's total Lua time is used up (%g s over all calls of the "
                 "decision function and callbacks; --lua-seconds raises it)",
                 where, sb->total_seconds);
    else if (sb->limit_hit == LIMIT_INSTRUCTIONS)
        snprintf(sb->limit_msg, sizeof sb->limit_msg,
                 "%s: instruction limit exceeded (%lld Lua instructions; an endless loop?)",
                 where, sb->granted);
    else
        snprintf(sb->limit_msg, sizeof sb->limit_msg,
                 "%s: time limit exceeded (ran for more than %g s)", where, sb->seconds);
}

static void sb_hook(lua_State *L, lua_Debug *ar)
{
    zz_sandbox *sb = zz_sandbox_of(L);
    if (!sb->limit_hit) {
        int spent = lua_gethookcount(L);
        sb->budget -= spent;
        sb->total_budget -= spent;
        double now = sb->deadline > 0 || sb->total_deadline > 0 ? now_seconds() : 0;
        if (sb->budget < 0)
            sb->limit_hit = LIMIT_INSTRUCTIONS;
        else if (sb->total_granted > 0 && sb->total_budget < 0)
            sb->limit_hit = LIMIT_TOTAL_INSTRUCTIONS;
        else if (sb->deadline > 0 && now > sb->deadline)
            sb->limit_hit = LIMIT_TIME;
        else if (sb->total_deadline > 0 && now > sb->total_deadline)
            sb->limit_hit = LIMIT_TOTAL_TIME;
        else if (zz_interrupt_pending())
            sb->limit_hit = LIMIT_INTERRUPT;
        else
            return;
        /* In a hook, ar is the running function itself (level 0). */
        char where[512] = "?";
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            where_of(ar, where, sizeof where);
        limit_message(sb, where);
        arm(sb, L, sb_hook);
    }
    lua_pushstring(L, sb->limit_msg);
    lua_error(L);
}

void zz_sandbox_check_time(lua_State *L)
{
    zz_sandbox *sb = zz_sandbox_of(L);
    int stop = zz_interrupt_pending();
    if (!sb->limit_hit && !stop && !(sb->deadline > 0 && now_seconds() > sb->deadline))
        return;
    if (!sb->limit_hit) {
        char where[512];
        sb->limit_hit = stop ? LIMIT_INTERRUPT : LIMIT_TIME;
        zz_lua_where(L, 1, where, sizeof where);
        limit_message(sb, where);
        arm(sb, L, sb_hook);
    }
    lua_pushstring(L, sb->limit_msg);
    lua_error(L);
}

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

static int sb_setup(lua_State *L)
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

zz_sandbox *zz_sandbox_new(size_t memory_limit)
{
    zz_sandbox *sb = calloc(1, sizeof *sb);
    if (!sb)
        return NULL;
    sb->limit = memory_limit;
    snprintf(sb->name, sizeof sb->name, "scenario");
    sb->L = lua_newstate(sb_alloc, sb);
    if (!sb->L) {
        free(sb);
        return NULL;
    }
    *(zz_sandbox **)lua_getextraspace(sb->L) = sb;
    /* Installing the libraries allocates, so it runs protected: an
     * allocation failure here is an error code, never a panic. */
    lua_pushcfunction(sb->L, sb_setup);
    if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
        lua_close(sb->L);
        free(sb);
        return NULL;
    }
    sb->ready = 1;
    sb->hook = sb_hook;
    lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, HOOK_EVERY);
    return sb;
}

void zz_sandbox_free(zz_sandbox *sb)
{
    if (!sb)
        return;
    sb->ready = 0; /* lua_close frees only; nothing to locate */
    lua_close(sb->L);
    free(sb);
}

/* ---- loading and calling -------------------------------------------------- */

static int failure(zz_sandbox *sb, int status, char *err, size_t errlen)
{
    lua_State *L = sb->L;
    int rc;
    if (sb->limit_hit) {
        snprintf(err, errlen, "%s", sb->limit_msg);
        rc = sb->limit_hit == LIMIT_INTERRUPT ? ZZ_INTERRUPTED : ZZ_LIMIT;
    } else if (status == LUA_ERRMEM) {
        if (sb->oom) {
            snprintf(err, errlen, "%s: out of memory", sb->name);
            rc = ZZ_NOMEM;
        } else {
            snprintf(err, errlen, "%s: memory limit exceeded (%zu MiB)",
                     sb->refused_where[0] && strcmp(sb->refused_where, "?") != 0 ? sb->refused_where
                                                                                 : sb->name,
                     sb->limit >> 20);
            rc = ZZ_LIMIT;
        }
    } else {
        /* Only strings and numbers: calling __tostring here, outside any
         * protection, could itself fail. */
        int t = lua_type(L, -1);
        if (t == LUA_TSTRING || t == LUA_TNUMBER)
            snprintf(err, errlen, "%s", lua_tostring(L, -1));
        else
            snprintf(err, errlen, "%s: error raised with a %s value instead of a message",
                     sb->name, luaL_typename(L, -1));
        rc = ZZ_SCENARIO;
    }
    lua_pop(L, 1);
    return rc;
}

static void reset_limits(zz_sandbox *sb, long long instructions, double seconds)
{
    sb->budget = sb->granted = instructions;
    sb->seconds = seconds;
    sb->deadline = seconds > 0 ? now_seconds() + seconds : 0;
    sb->limit_hit = LIMIT_NONE;
    sb->oom = 0;
    sb->refusals = 0;
    sb->refused_where[0] = '\0';
    lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, HOOK_EVERY);
}

int zz_sandbox_load(zz_sandbox *sb, const char *text, size_t len, const char *name, char *err,
                    size_t errlen)
{
    char chunk[1100];
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte-order mark */
        text += 3;
        len -= 3;
    }
    if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
        snprintf(err, errlen, "%s: a precompiled (binary) Lua chunk is not accepted; a scenario "
                 "must be Lua source text", name);
        return ZZ_SCENARIO;
    }
    snprintf(sb->name, sizeof sb->name, "%s", name);
    snprintf(chunk, sizeof chunk, "@%s", name);
    /* Compiling runs no instructions; it may be called from inside a
     * running call (include), whose limits stay as they are. */
    int st = luaL_loadbufferx(sb->L, text, len, chunk, "t");
    return st == LUA_OK ? ZZ_OK : failure(sb, st, err, errlen);
}

void zz_sandbox_set_total(zz_sandbox *sb, long long instructions, double seconds)
{
    sb->total_budget = sb->total_granted = instructions;
    sb->total_seconds = seconds;
    sb->total_deadline = seconds > 0 ? now_seconds() + seconds : 0;
}

int zz_sandbox_call(zz_sandbox *sb, int nargs, int nresults, long long instructions,
                    double seconds, char *err, size_t errlen)
{
    reset_limits(sb, instructions, seconds);
    int st = lua_pcall(sb->L, nargs, nresults, 0);
    sb->deadline = 0;
    return st == LUA_OK ? ZZ_OK : failure(sb, st, err, errlen);
}
