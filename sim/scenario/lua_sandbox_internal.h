/* Shared between the sandbox's two files; not part of the interface
 * (lua_sandbox.h):
 *   lua_sandbox.c      the interpreter and its limits: the allocator, the
 *                      count hook, loading and calling
 *   lua_sandbox_lib.c  the library a scenario sees: the standard libraries
 *                      less what a scenario may not do, and the functions
 *                      replaced (sorted pairs, print, xpcall, math.random,
 *                      strict globals)
 * lua_sandbox.c's top comment says what bounds a script and why each
 * replaced function is replaced. */
#ifndef ZZ_LUA_SANDBOX_INTERNAL_H
#define ZZ_LUA_SANDBOX_INTERNAL_H

#include <stddef.h>

#include <lua.h>

#include "scenario/lua_sandbox.h"

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
    lua_Hook hook;           /* sb_hook (lua_sandbox.c: the allocator comes first)  */
};

/* lua_sandbox_lib.c: installs the scenario's library in L's global table;
 * a lua_CFunction, run protected because installing allocates. */
int zz_sandbox_open_libs(lua_State *L);

#endif
