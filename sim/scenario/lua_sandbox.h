/*
 * A Lua 5.4 interpreter safe to hand a stranger's scenario:
 *   - no os, io, package, require, debug, load, loadfile, dofile, warn,
 *     coroutine; the string metatable is protected;
 *     string.dump, the pattern functions (find, match, gmatch, gsub),
 *     table.move and math.randomseed raise a clear error; collectgarbage
 *     only answers "count";
 *   - chunks are loaded as text only (a precompiled chunk is refused);
 *   - memory is capped by the allocator, instructions by a count hook and
 *     wall time by a deadline checked in the same hook; a limit, once hit,
 *     is raised again at every instruction so a script's own pcall cannot
 *     swallow it;
 *   - reading an undefined global is an error with a suggestion (a typo
 *     such as `vouchr` must not silently be nil);
 *   - pairs() walks keys in sorted order, so iteration order never leaks
 *     into results (numbers, then strings, then booleans; other keys last,
 *     in Lua's order);
 *   - print() writes "file:line: ..." to stderr;
 *   - math.random draws from a source the owner installs (the
 *     replication's stream); without one it is an error, because a value
 *     drawn while the scenario loads would be the same in every replication.
 * Each sandbox is one lua_State; use it from one thread at a time.
 */
#ifndef ZZ_LUA_SANDBOX_H
#define ZZ_LUA_SANDBOX_H

#include <stddef.h>

#include <lua.h>

#define ZZ_LUA_MEMORY_LIMIT ((size_t)64 << 20) /* bytes per interpreter            */
#define ZZ_LUA_LOAD_INSTRUCTIONS 50000000LL    /* running the scenario's top level */
#define ZZ_LUA_LOAD_SECONDS 20.0
#define ZZ_LUA_CALL_INSTRUCTIONS 10000000LL    /* one at/when/decision call        */
#define ZZ_LUA_CALL_SECONDS 10.0
/* Totals of one replication over all its calls (--lua-instructions and
 * --lua-seconds change them): about 100 s of pure Lua each. */
#define ZZ_LUA_TOTAL_INSTRUCTIONS 10000000000LL
#define ZZ_LUA_TOTAL_SECONDS 600.0
#define ZZ_LUA_MAX_SOURCE ((size_t)8 << 20)    /* bytes of one scenario file       */

typedef struct zz_sandbox zz_sandbox;

/* NULL when out of memory. */
zz_sandbox *zz_sandbox_new(size_t memory_limit);
void zz_sandbox_free(zz_sandbox *sb);
lua_State *zz_sandbox_state(zz_sandbox *sb);
/* The sandbox a state (or any of its coroutines) belongs to. */
zz_sandbox *zz_sandbox_of(lua_State *L);

/* quiet = 1: print() does nothing (a replication re-running the top level
 * must not repeat what the load already printed). */
void zz_sandbox_set_quiet(zz_sandbox *sb, int quiet);
/* Source of math.random: uniform in [0, 1). NULL: math.random is an error. */
void zz_sandbox_set_random(zz_sandbox *sb, double (*uniform)(void *ud), void *ud);

/* Compiles `text` as the chunk "@name" (so messages read "name:line:") and
 * pushes it. Text only. Returns ZZ_OK, ZZ_SCENARIO (syntax error, binary
 * chunk) or ZZ_LIMIT, with the message in err. */
int zz_sandbox_load(zz_sandbox *sb, const char *text, size_t len, const char *name, char *err,
                    size_t errlen);
/* lua_pcall with limits: the function and nargs arguments are on top of the
 * stack. Returns ZZ_OK (nresults pushed), ZZ_SCENARIO (a Lua error; message
 * in err), ZZ_LIMIT (instructions, time or memory; the message names the
 * scenario's line) or ZZ_NOMEM (the system's memory). */
int zz_sandbox_call(zz_sandbox *sb, int nargs, int nresults, long long instructions,
                    double seconds, char *err, size_t errlen);

/* From now on every call also draws on a total: `instructions` over all
 * calls, and a deadline `seconds` from now; 0 = no such total. */
void zz_sandbox_set_total(zz_sandbox *sb, long long instructions, double seconds);

/* "file:line" of the innermost Lua function at or above stack `level`
 * ("?" if none); file is the chunk name without its '@'. */
void zz_lua_where(lua_State *L, int level, char *buf, size_t len);
/* Raises "file:line: <message>" at the calling Lua function. */
int zz_lua_error(lua_State *L, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Pushes a new array of the keys of the table at idx in the sandbox's order
 * (see pairs above); returns their number. */
int zz_lua_sorted_keys(lua_State *L, int idx);
/* Raises the time limit if the current call's deadline has passed: for C
 * functions that may work for long between two instruction counts. */
void zz_sandbox_check_time(lua_State *L);

#endif
