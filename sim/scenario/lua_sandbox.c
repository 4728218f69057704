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
 * This file holds the interpreter and its limits; the library a scenario
 * sees, with the replaced functions, is lua_sandbox_lib.c.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "scenario/lua_sandbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "scenario/lua_sandbox_internal.h"
#include "scenario/params.h"
#include "zhizao/zhizao.h"

#define HOOK_EVERY 1000

/* LIMIT_INTERRUPT is not a limit but travels the same way: Ctrl-C stops a
 * running call at its next hook, and the script cannot catch it. */
enum { LIMIT_NONE, LIMIT_INSTRUCTIONS, LIMIT_TIME, LIMIT_MEMORY, LIMIT_INTERRUPT,
       LIMIT_TOTAL_INSTRUCTIONS, LIMIT_TOTAL_TIME };

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
    lua_pushcfunction(sb->L, zz_sandbox_open_libs);
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
